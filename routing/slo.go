package routing

import "github.com/koshihq/genops-stack/names"

// sloRoute takes the SLO burn-rate alerts (category slo, alerts/slo.go):
// a page reaches on-call, a ticket the channel of the SLO's team where
// teams have receivers of their own, the SLO channel otherwise. Grouped per
// SLO, so two SLOs of a team burning at once are two notifications.
func sloRoute(teams []names.Team, teamReceivers bool) Route {
	r := Route{
		Matchers: []string{`category="slo"`},
		Receiver: names.ReceiverSLOTickets,
		GroupBy:  []string{"alertname", "cluster", "team", "slo"},
		Routes:   []Route{{Matchers: []string{`severity="critical"`}, Receiver: names.ReceiverSLOPage}},
	}
	if teamReceivers {
		for _, t := range teams {
			r.Routes = append(r.Routes, Route{Matchers: []string{`team="` + t.Name + `"`}, Receiver: names.TeamReceiver(t.Name)})
		}
	}
	return r
}

// sloReceivers: on-call is paged (where the environment pages) and posts to
// the on-call channel; tickets of an SLO whose team has no receiver post to
// the SLO channel.
func sloReceivers(n notifier) []Receiver {
	return []Receiver{
		{
			Name:      names.ReceiverSLOPage,
			Slack:     n.slack("#genops-oncall", "🔥 SLO page: {{ .GroupLabels.slo }}", names.DashboardSLO),
			PagerDuty: n.pagerDuty(),
		},
		{
			Name:  names.ReceiverSLOTickets,
			Slack: n.slack("#genops-slo", "🎫 SLO ticket: {{ .GroupLabels.slo }}", names.DashboardSLO),
		},
	}
}

// SLORouteTests are the routing tests of the SLO alerts in an environment
// with spec s: every team's page reaches on-call, its ticket the team's
// receiver (or the SLO channel where one channel takes everything).
func SLORouteTests(s Spec, teams []names.Team) []RouteTest {
	var out []RouteTest
	for _, t := range teams {
		ticket := names.TeamReceiver(t.Name)
		if s.Channel != "" {
			ticket = names.ReceiverSLOTickets
		}
		out = append(out,
			RouteTest{Labels{"alertname": names.SLOBurnRatePage, "severity": "critical", "category": "slo", "team": t.Name, "slo": t.Name + "-availability"}, []string{names.ReceiverSLOPage}},
			RouteTest{Labels{"alertname": names.SLOBurnRateTicket, "severity": "warning", "category": "slo", "team": t.Name, "slo": t.Name + "-availability"}, []string{ticket}},
		)
	}
	// A ticket of a team without a receiver still reaches a person.
	out = append(out, RouteTest{Labels{"alertname": names.SLOBurnRateTicket, "severity": "warning", "category": "slo", "team": "unknown-team", "slo": "x"}, []string{names.ReceiverSLOTickets}})
	return out
}
