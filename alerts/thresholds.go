package alerts

import (
	"strconv"

	"github.com/koshihq/genops-stack/names"
)

// budgetThresholds notifies each team once per calendar month at each of
// its budget thresholds (names.Team.Thresholds: 50, 80, 95 and 100 % unless
// the team sets its own), from the cost counter the gateway derives: they
// work whether or not the application calls record_budget (the seed's
// BudgetThreshold alerts read the gauge record_budget sets, and stay).
//
// The month's spend so far, genops:cost:team_month_to_date_usd, adds two
// parts, each a subquery whose steps are kept by a calendar record the
// group records first and reads with @ end() (the month and the hour
// Prometheus' clock, UTC, is in at the evaluation; PromQL has no range that
// starts on the first of the month):
//
//   - the hours of the month that have ended: the hourly increases
//     (genops:cost:team_increase1h) at each whole hour of the last 31 days
//     whose hour began in the current month (genops:calendar:month);
//   - the hour under way: the cost counter's increase over each 5 minutes
//     that ended in it since its start (genops:calendar:hour), read from
//     the counter itself at each step.
//
// The second part gives the month a value from its first 5 minutes (and a
// new stack from its first 5 minutes of spend), and keeps it at most 5
// minutes behind. The parts do not overlap: the hourly record read at a
// whole hour was recorded then or up to its group's interval (30s) before,
// and the 5-minute steps count from the whole hour (the spend of those
// seconds is counted once the hour has ended). At 00:00
// on the first of a month neither has a step: the spend is absent, then
// counts from zero, which resolves the month's threshold alerts.
//
// One TeamBudgetThreshold rule per team and threshold, with static team
// and threshold labels; Alertmanager groups by both and repeats after 31
// days (routing/budgets.go), so each threshold notifies once while it stays
// crossed for the rest of the month, and again only in a month that crosses
// it anew.
func budgetThresholds(teams []names.Team) Group {
	g := Group{
		Name:     "genops-team-budget-thresholds",
		Interval: "5m",
		Records: []Record{
			{Record: "genops:calendar:month", Expr: `month()`},
			{Record: "genops:calendar:hour", Expr: `hour()`},
			{Record: "genops:cost:team_month_to_date_usd", Expr: `sum by (team) (
    sum_over_time(
      (
        genops:cost:team_increase1h
        and on () (month(vector(time() - 3600)) == on () (genops:calendar:month @ end()))
      )[31d:1h]
    )
  or
    label_replace(
      sum_over_time(
        (
          sum by (team) (increase(genops_cost_usd_total[5m]))
          and on () (hour(vector(time() - 300)) == on () (genops:calendar:hour @ end()))
        )[1h:5m]
      ),
      "part", "hour under way", "", ""
    )
)`},
		},
	}
	for i, t := range teams {
		budget := strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', -1, 64)
		for _, th := range t.Thresholds() {
			pct := strconv.FormatFloat(th, 'f', -1, 64)
			g.Alerts = append(g.Alerts, Alert{
				Alert:       names.TeamBudgetThreshold,
				Team:        t.Name,
				Threshold:   pct,
				Expr:        `sum(genops:cost:team_month_to_date_usd{team="` + t.Name + `"}) >= ` + strconv.FormatFloat(th/100*t.MonthlyBudgetUSD, 'f', -1, 64),
				For:         "5m",
				Severity:    Warning,
				Category:    Budget,
				Summary:     "Team " + t.Name + " has spent " + pct + "% of its monthly budget",
				Description: `Team ` + t.Name + ` has spent {{ printf "%.2f" $value }} USD this month, ` + pct + `% or more of its budget of ` + budget + ` USD (cost center ` + t.CostCenter + `)`,
				Dashboard:   names.TeamDashboard(i),
				Runbook:     teamBudgetThresholdRunbook,
			})
		}
	}
	return g
}

// Budget is the category of the budget threshold alerts: routed on their
// own (once per month), apart from the cost alerts' repeats.
const Budget = "budget"

var teamBudgetThresholdRunbook = Runbook{
	Meaning: "A team's spend this calendar month (UTC) reached one of its budget thresholds (stack/teams.go: BudgetThresholds, by default 50, 80, 95 and 100 % of MonthlyBudgetUSD). " +
		"The spend is computed by the stack from genops_cost_usd_total (genops:cost:team_month_to_date_usd, up to 5 minutes behind), not from the application's record_budget calls. " +
		"Each threshold notifies once per month: the alert keeps firing until the month ends and Alertmanager does not repeat it. The expression below is the first team's first threshold; the alert's team and threshold labels name its own.",
	Impact: []string{"None by itself: the team is told how much of its month's budget is gone. At 100 % the budget is spent and further spend is over it"},
	Investigation: []Step{
		{Text: "Every team's spend this month:", Query: `genops:cost:team_month_to_date_usd`},
		{Text: "Where the spend comes from: USD per day by project, provider and model, at the last 6 hours' pace:", Query: `sum by (team, project, provider, model) (rate(genops_cost_usd_total[6h])) * 86400`},
	},
	Remediation: []Step{
		{Text: "If the spend is planned, agree a higher budget with FinOps and raise the team's MonthlyBudgetUSD in stack/teams.go."},
		{Text: "Otherwise slow the spend: cheaper models, smaller prompts, fewer retries, as in the BudgetExhausted runbook."},
	},
	LongTerm:   budgetLongTerm,
	Escalation: []string{"The team's budget channel (the alert posts there) and FinOps"},
}
