package routing

import "github.com/koshihq/genops-stack/names"

// teamRoutes is the last route of the tree: each team's budget alerts,
// which the cost warning route has taken to FinOps and passed on, reach the
// team's receiver.
func teamRoutes(teams []names.Team) Route {
	r := Route{Matchers: []string{`alertname="` + names.TeamBudgetForecast + `"`}}
	for _, t := range teams {
		r.Routes = append(r.Routes, Route{Matchers: []string{`team="` + t.Name + `"`}, Receiver: names.TeamReceiver(t.Name)})
	}
	return r
}

// teamReceivers post to each team's channel, a webhook per channel: its
// budget forecast and thresholds, its SLOs' tickets.
func teamReceivers(n notifier, teams []names.Team) []Receiver {
	out := make([]Receiver, len(teams))
	for i, t := range teams {
		out[i] = Receiver{
			Name:  names.TeamReceiver(t.Name),
			Slack: n.slack(t.Channel, "💰 {{ .GroupLabels.alertname }}: {{ .GroupLabels.team }}", names.DashboardFinOps),
		}
	}
	return out
}

// TeamRouteTests are the routing tests of the teams' budget alerts in an
// environment with spec s: each reaches the cost warnings and its team's
// receiver, or only the cost warnings where one channel takes everything.
func TeamRouteTests(s Spec, teams []names.Team) []RouteTest {
	out := make([]RouteTest, len(teams))
	for i, t := range teams {
		want := []string{names.ReceiverCostWarning, names.TeamReceiver(t.Name)}
		if s.Channel != "" {
			want = want[:1]
		}
		out[i] = RouteTest{Labels{"alertname": names.TeamBudgetForecast, "severity": "warning", "category": "cost", "team": t.Name}, want}
	}
	return out
}
