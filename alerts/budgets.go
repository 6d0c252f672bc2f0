package alerts

import (
	"strconv"

	"github.com/koshihq/genops-stack/names"
)

// teamBudgets warns each team, early in the month, that it is on course to
// overspend: the seed's budget alerts fire once 80% or 95% of a budget is
// gone, CostAnomaly compares one hour with the day before; none of them says
// "at this pace the month will cost more than the budget" while there is
// still time to act. One TeamBudgetForecast rule per team compares the
// team's forecast with its own budget; its static team label routes it to
// the team's channel (package routing).
//
// The forecast is the cost of the whole current month at the pace of the
// last 24 hours: rate(genops_cost_usd_total[24h]), summed over the gateway
// replicas' series, times the seconds of the month. It is not "spent so far
// plus the rest at this pace": no single range says what was spent so far
// this month (a range is a constant, and genops_cost_usd_total counts from
// whenever its gateway replica started), and the month's spend the threshold
// group builds from hourly steps (thresholds.go) starts from zero at each
// month and from nothing on a new stack. The projection needs neither,
// reads no month boundary (no low forecast on the first day, as a forecast
// from the month's running total had), and is what the alert means: a month
// at today's pace costs more than the budget. It lags a change of pace by up
// to a day and, early in a month that started with a burst, it reads lower
// than the month will end; the team rows of the FinOps dashboard show the
// month so far next to it.
func teamBudgets(teams []names.Team) Group {
	g := Group{
		Name:     "genops-team-budget-alerts",
		Interval: "1m",
		Records: []Record{{
			// USD per second over the last 24 hours times the seconds of
			// the current month (days_in_month() is UTC, like Prometheus'
			// clock).
			Record: "genops:cost:team_month_forecast",
			Expr:   `sum by (team) (rate(genops_cost_usd_total[24h])) * scalar(days_in_month() * 86400)`,
		}},
	}
	for i, t := range teams {
		budget := strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', -1, 64)
		g.Alerts = append(g.Alerts, Alert{
			Alert:       names.TeamBudgetForecast,
			Team:        t.Name,
			Expr:        `sum(genops:cost:team_month_forecast{team="` + t.Name + `"}) > ` + budget,
			For:         "1h",
			Severity:    Warning,
			Category:    Cost,
			Summary:     "Team " + t.Name + " is on course to exceed its monthly budget",
			Description: `At the pace of the last 24 hours, this month costs team ` + t.Name + ` {{ printf "%.0f" $value }} USD, over its budget of ` + budget + ` USD (cost center ` + t.CostCenter + `)`,
			Dashboard:   names.TeamDashboard(i),
			Runbook:     teamBudgetForecastRunbook,
		})
	}
	return g
}

var teamBudgetForecastRunbook = Runbook{
	Meaning: "At the pace of the last 24 hours, the current month costs a team more than its monthly budget. " +
		"The forecast (genops:cost:team_month_forecast) is the team's spend per second over the last 24 hours times the seconds of the month: " +
		"PromQL cannot tell what was spent since the first of the month (that needs a range as long as the elapsed part of the month, and a range is a constant), " +
		"so the forecast projects today's pace onto the whole month. It lags a change of pace by up to a day; compare it with the month so far on the team's row of the FinOps dashboard. " +
		"Every team of the stack (stack/teams.go) has a TeamBudgetForecast rule of its own, with its own budget; the expression below is the first team's. " +
		"In production the alert reaches the team's budget channel and the FinOps channel; elsewhere, the environment's one channel.",
	Impact: []string{"None yet: this is a forecast. Left alone, the team's budget alerts follow (80%, 95%, exhausted), and its AI operations are throttled when the budget runs out"},
	Investigation: []Step{
		{Text: "Compare every team's forecast for the month:", Query: `genops:cost:team_month_forecast`},
		{Text: "The spend of the last 24 hours, by team, which the forecast extrapolates (the month so far is on the team's row of the FinOps dashboard):", Query: `genops:cost:team_increase24h`},
		{Text: "Find where the pace comes from: USD per day by project and provider, at the last 6 hours' pace:", Query: `sum by (team, project, provider) (rate(genops_cost_usd_total[6h])) * 86400`},
		costBreakdown[2],
	},
	Remediation: []Step{
		{Text: "If the spend is planned (a launch, a batch run), agree a higher budget with FinOps, raise the team's MonthlyBudgetUSD in stack/teams.go and run make generate."},
		{Text: "Otherwise slow the spend: move work to cheaper models or enable cost optimization, as in the BudgetExhausted runbook."},
	},
	LongTerm:   budgetLongTerm,
	Escalation: []string{"Notify: the team's budget channel (the alert posts there) and FinOps", "Slack: #genops-cost"},
}
