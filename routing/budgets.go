package routing

import "github.com/koshihq/genops-stack/names"

// BudgetRepeatInterval is the repeat interval of the budget threshold
// alerts: longer than a month, so a threshold crossed stays notified once
// until the month ends (its alert resolves when the month's spend falls to
// zero) and notifies again only when a later month crosses it.
const BudgetRepeatInterval = "744h"

// NotificationLogRetention is how long Alertmanager keeps its notification
// log (--data.retention, kube-prometheus-stack's alertmanagerSpec.retention;
// 120h by default). It must cover BudgetRepeatInterval: a firing alert
// whose log entry expired is notified again, as if new.
const NotificationLogRetention = BudgetRepeatInterval

// budgetRoute takes the budget threshold alerts (category budget,
// alerts/thresholds.go): grouped by team and threshold, so each threshold
// is a group of its own whose one notification is sent when it is crossed,
// repeated only after BudgetRepeatInterval. They reach FinOps (the cost
// warnings) and, where teams have receivers, the team's channel.
func budgetRoute(teams []names.Team, teamReceivers bool) Route {
	r := Route{
		Matchers:       []string{`category="budget"`},
		Receiver:       names.ReceiverCostWarning,
		GroupBy:        []string{"alertname", "cluster", "team", "threshold"},
		GroupWait:      "1m",
		GroupInterval:  "5m",
		RepeatInterval: BudgetRepeatInterval,
	}
	if teamReceivers {
		for _, t := range teams {
			r.Routes = append(r.Routes, Route{Matchers: []string{`team="` + t.Name + `"`}, Receiver: names.TeamReceiver(t.Name), Continue: true})
		}
		// FinOps sees every threshold too.
		r.Routes = append(r.Routes, Route{Matchers: []string{`category="budget"`}, Receiver: names.ReceiverCostWarning})
	}
	return r
}

// BudgetRouteTests are the routing tests of the budget thresholds in an
// environment with spec s: each team's threshold reaches its receiver and
// FinOps, or FinOps' channel only where one channel takes everything.
func BudgetRouteTests(s Spec, teams []names.Team) []RouteTest {
	var out []RouteTest
	for _, t := range teams {
		want := []string{names.TeamReceiver(t.Name), names.ReceiverCostWarning}
		if s.Channel != "" {
			want = []string{names.ReceiverCostWarning}
		}
		out = append(out, RouteTest{Labels{"alertname": names.TeamBudgetThreshold, "severity": "warning", "category": "budget", "team": t.Name, "threshold": "80"}, want})
	}
	return out
}
