package alerts

import "strconv"

// Team is a team with a monthly budget, as the rules see it.
type Team struct {
	// Name is the team label of the GenOps metrics.
	Name string
	// MonthlyBudgetUSD is what the team may spend in a calendar month.
	MonthlyBudgetUSD float64
	// CostCenter is what the team's spend is charged to.
	CostCenter string
	// Dashboard is the uid of the dashboard holding the team's row.
	Dashboard string
}

// teamBudgets warns each team, early in the month, that it is on course to
// overspend: the seed's budget alerts fire once 80% or 95% of a budget is
// gone, CostAnomaly compares one hour with the day before; none of them says
// "at this pace the month will cost more than the budget" while there is
// still time to act. One TeamBudgetForecast rule per team compares the
// team's forecast with its own budget; its static team label routes it to
// the team's channel (package routing).
//
// genops_cost_total_usd is the team's spend in the current budget period, a
// running total the exporter sets (its sample data: ml-platform has spent
// 125.50 USD with 874.50 left, 12.55% of its budget). It is a gauge, so the
// forecast is predict_linear() over the last 24 hours, extrapolated to the
// end of the month; rate() and increase() would read the monthly restart as
// a counter reset. On the first day of a month the window still holds the
// end of the previous one and the forecast reads low: the rule stays quiet
// rather than wrong.
func teamBudgets(teams []Team) Group {
	g := Group{
		Name:     "genops-team-budget-alerts",
		Interval: "1m",
		Records: []Record{{
			// The seconds left in the month: days_in_month(), day_of_month(),
			// hour() and minute() are UTC, like Prometheus' clock.
			Record: "genops:cost:team_month_forecast",
			Expr: `sum by (team) (
  predict_linear(genops_cost_total_usd[24h],
    scalar((days_in_month() - day_of_month() + 1) * 86400 - hour() * 3600 - minute() * 60))
)`,
		}},
	}
	for _, t := range teams {
		budget := strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', -1, 64)
		g.Alerts = append(g.Alerts, Alert{
			Alert:       "TeamBudgetForecast",
			Team:        t.Name,
			Expr:        `sum(genops:cost:team_month_forecast{team="` + t.Name + `"}) > ` + budget,
			For:         "1h",
			Severity:    Warning,
			Category:    Cost,
			Summary:     "Team " + t.Name + " is on course to exceed its monthly budget",
			Description: `At the pace of the last 24 hours, team ` + t.Name + ` will have spent {{ printf "%.0f" $value }} USD by the end of the month, over its budget of ` + budget + ` USD (cost center ` + t.CostCenter + `)`,
			Dashboard:   t.Dashboard,
			Runbook:     teamBudgetForecastRunbook,
		})
	}
	return g
}

var teamBudgetForecastRunbook = Runbook{
	Meaning: "At the pace of the last 24 hours, a team will spend more than its monthly budget before the month ends. " +
		"Every team of the stack (stack/teams.go) has a TeamBudgetForecast rule of its own, with its own budget; the expression below is the first team's. " +
		"In production the alert reaches the team's budget channel and the FinOps channel; elsewhere, the environment's one channel.",
	Impact: []string{"None yet: this is a forecast. Left alone, the team's budget alerts follow (80%, 95%, exhausted), and its AI operations are throttled when the budget runs out"},
	Investigation: []Step{
		{Text: "Compare every team's forecast for the month with what it has spent so far:", Query: `genops:cost:team_month_forecast`},
		{Text: "Spent so far this month, by team:", Query: `genops:cost:team_total`},
		{Text: "Find where the pace comes from: USD per day by project and provider, at the last 6 hours' pace:", Query: `sum by (team, project, provider) (deriv(genops_cost_total_usd[6h])) * 86400`},
		costBreakdown[2],
	},
	Remediation: []Step{
		{Text: "If the spend is planned (a launch, a batch run), agree a higher budget with FinOps, raise the team's MonthlyBudgetUSD in stack/teams.go and run make generate."},
		{Text: "Otherwise slow the spend: move work to cheaper models or enable cost optimization, as in the BudgetExhausted runbook."},
	},
	LongTerm:   budgetLongTerm,
	Escalation: []string{"Notify: the team's budget channel (the alert posts there) and FinOps", "Slack: #genops-cost"},
}
