package routing

// Team is a team whose budget notifications go to a channel of its own.
type Team struct {
	Name string
	// Channel is the team's Slack channel, e.g. #ml-platform-budget.
	Channel string
}

// TeamBudgetAlert is the per-team budget alert (alerts/budgets.go): one
// rule per team, carrying the team as a static label.
const TeamBudgetAlert = "TeamBudgetForecast"

// TeamReceiver names the receiver of a team's budget notifications.
func TeamReceiver(team string) string { return "team-" + team }

// teamRoutes is the last route of the tree: each team's budget alerts,
// which the cost warning route has taken to FinOps and passed on, reach the
// team's receiver.
func teamRoutes(teams []Team) Route {
	r := Route{Matchers: []string{`alertname="` + TeamBudgetAlert + `"`}}
	for _, t := range teams {
		r.Routes = append(r.Routes, Route{Matchers: []string{`team="` + t.Name + `"`}, Receiver: TeamReceiver(t.Name)})
	}
	return r
}

// teamReceivers post to each team's channel, a webhook per channel.
func teamReceivers(n notifier, teams []Team) []Receiver {
	out := make([]Receiver, len(teams))
	for i, t := range teams {
		out[i] = Receiver{
			Name:  TeamReceiver(t.Name),
			Slack: n.slack(t.Channel, "💰 Budget forecast: {{ .GroupLabels.team }}", "genops-finops"),
		}
	}
	return out
}

// TeamRouteTests are the routing tests of the teams' budget alerts in an
// environment with spec s: each reaches the cost warnings and its team's
// receiver, or only the cost warnings where one channel takes everything.
func TeamRouteTests(s Spec, teams []Team) []RouteTest {
	out := make([]RouteTest, len(teams))
	for i, t := range teams {
		want := []string{CostWarning, TeamReceiver(t.Name)}
		if s.Channel != "" {
			want = want[:1]
		}
		out[i] = RouteTest{Labels{"alertname": TeamBudgetAlert, "severity": "warning", "category": "cost", "team": t.Name}, want}
	}
	return out
}
