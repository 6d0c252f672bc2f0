package alerts

import "github.com/koshihq/genops-stack/names"

// cost are the budget and spend alerts.
//
// The gateway Collector derives the metrics from GenOps AI's spans, and
// every gateway replica exports its own series (told apart by pod and
// instance): the expressions aggregate them away, or one alert would fire
// per replica. Budget gauges hold the last value a replica saw: the highest
// utilization and the lowest remaining budget are the current ones.
// genops_cost_usd_total is a cumulative counter (it restarts from zero with
// its replica): the spend of an hour is increase() over that hour, summed
// over the replicas' series.
func cost() Group {
	return Group{
		Name:     "genops-cost-alerts",
		Interval: "30s",
		Alerts: []Alert{
			{
				Alert:       names.BudgetThreshold80Percent,
				Expr:        `max by (team, budget) (genops_budget_utilization_percent) > 80`,
				For:         "5m",
				Severity:    Warning,
				Category:    Cost,
				Summary:     "Budget threshold exceeded ({{ $labels.team }})",
				Description: "Team {{ $labels.team }} has consumed {{ $value }}% of monthly budget",
				Dashboard:   names.DashboardCost,
				Runbook:     budgetThresholdRunbook("80%", "None yet: at the current pace the budget may run out before the end of the month"),
			},
			{
				Alert:       names.BudgetThreshold95Percent,
				Expr:        `max by (team, budget) (genops_budget_utilization_percent) > 95`,
				For:         "5m",
				Severity:    Critical,
				Category:    Cost,
				Summary:     "Budget critically low ({{ $labels.team }})",
				Description: "Team {{ $labels.team }} has consumed {{ $value }}% of monthly budget - URGENT",
				Dashboard:   names.DashboardCost,
				Runbook:     budgetThresholdRunbook("95%", "Imminent: the team's AI operations are throttled or blocked when the budget runs out"),
			},
			{
				Alert:       names.BudgetExhausted,
				Expr:        `min by (team, project, budget) (genops_budget_remaining_usd) <= 0`,
				For:         "1m",
				Severity:    Critical,
				Category:    Cost,
				Summary:     "Budget exhausted ({{ $labels.team }}/{{ $labels.project }})",
				Description: "Budget for {{ $labels.team }}/{{ $labels.project }} has been fully consumed",
				Dashboard:   names.DashboardCost,
				Runbook:     budgetExhaustedRunbook,
			},
			{
				Alert: names.CostAnomaly,
				Expr: `sum by (team) (increase(genops_cost_usd_total[1h]))
  > 1.5 * sum by (team) (increase(genops_cost_usd_total[1h] offset 1d))`,
				For:         "30m",
				Severity:    Warning,
				Category:    Cost,
				Summary:     "Unusual cost increase detected ({{ $labels.team }})",
				Description: "Cost for {{ $labels.team }} has increased by 50% compared to yesterday",
				Dashboard:   names.DashboardCost,
				Runbook:     costAnomalyRunbook,
			},
		},
	}
}

// costBreakdown are the seed's first investigation steps for every budget alert.
var costBreakdown = []Step{
	{Text: "Check the current cost breakdown of the team:", Shell: `kubectl exec -n "$NS" deployment/genops-ai -- \
  genops-cli cost-report --team <TEAM> --period today`},
	{Text: "See which providers and models the team's spend of the last 24 hours went to:", Query: `sum by (team, provider, model) (increase(genops_cost_usd_total[24h]))`},
	{Text: "Identify the cost drivers, by model and by customer:", Shell: `kubectl exec -n "$NS" deployment/genops-ai -- \
  genops-cli cost-breakdown --by model --team <TEAM>
kubectl exec -n "$NS" deployment/genops-ai -- \
  genops-cli cost-breakdown --by customer --team <TEAM>`},
	{Text: "Check for anomalies: an unexpected spike in API calls, a new expensive model deployed, cost optimization disabled. The spend of the last hour, by team:", Query: `sum by (team) (increase(genops_cost_usd_total[1h]))`},
}

var budgetRemediation = []Step{
	{Text: "Increase the budget temporarily, if approved:", Shell: `kubectl exec -n "$NS" deployment/genops-ai -- \
  genops-cli budget-update --team <TEAM> --limit <NEW_LIMIT>`},
	{Text: "Enable cost optimization:", Shell: `kubectl patch deployment genops-ai -n "$NS" --patch '{
  "spec": {"template": {"spec": {"containers": [{
    "name": "genops-ai",
    "env": [{"name": "COST_OPTIMIZATION_ENABLED", "value": "true"}]
  }]}}}
}'`},
}

var budgetLongTerm = []string{
	"Review and optimize expensive operations",
	"Implement model selection based on task complexity",
	"Set up graduated budget alerts (50%, 75%, 90%)",
	"Review pricing with AI providers",
}

func budgetThresholdRunbook(used, impact string) Runbook {
	return Runbook{
		Meaning:       "A team has consumed more than " + used + " of its monthly AI budget.",
		Impact:        []string{impact},
		Investigation: append([]Step{{Text: "Check how much of each budget is used, by team and budget:", Query: `max by (team, budget) (genops_budget_utilization_percent)`}}, costBreakdown...),
		Remediation:   budgetRemediation,
		LongTerm:      budgetLongTerm,
		Escalation:    []string{"Notify: FinOps team", "Slack: #genops-cost"},
	}
}

var budgetExhaustedRunbook = Runbook{
	Meaning: "A team or project has exhausted their monthly AI budget.",
	Impact: []string{
		"AI operations for the affected team/project will be throttled or blocked",
		"Users may experience service degradation",
	},
	Investigation: append([]Step{{Text: "See which projects are out of budget:", Query: `min by (team, project, budget) (genops_budget_remaining_usd) <= 0`}}, costBreakdown...),
	Remediation:   budgetRemediation,
	LongTerm:      budgetLongTerm,
	Escalation: []string{
		"Notify: FinOps team, Engineering Manager",
		"PagerDuty: Yes (if critical service)",
		"Slack: #genops-cost-critical",
	},
}

var costAnomalyRunbook = Runbook{
	Meaning: "A team's spend over the last hour is more than 1.5 times its spend in the same hour yesterday, for 30 minutes.",
	Impact:  []string{"None yet; if the spend continues, budgets run out early and the budget alerts follow"},
	Investigation: []Step{
		{Text: "Compare the team's spend of the last hour with the same hour yesterday:", Query: `sum by (team) (increase(genops_cost_usd_total[1h]))
/ sum by (team) (increase(genops_cost_usd_total[1h] offset 1d))`},
		{Text: "Find the providers and models whose spend grew:", Query: `sum by (team, provider, model) (increase(genops_cost_usd_total[1h]))`},
		{Text: "See whether it is more requests or bigger ones: request rates by team and model:", Query: `sum by (team, provider, model) (rate(genops_requests_total[5m]))`},
		{Text: "Token usage by team, model and type:", Query: `sum by (team, model, type) (rate(genops_tokens_total[5m]))`},
		{Text: "Check the GenOps cost report for new callers or customers:", Shell: `kubectl exec -n "$NS" deployment/genops-ai -- \
  genops-cli cost-breakdown --by customer --team <TEAM>`},
	},
	Remediation: []Step{
		{Text: "If the growth is expected (a launch, a batch job), note it in the incident channel and let the alert resolve."},
		{Text: "If it is not, throttle or stop the caller, and enable cost optimization as in the BudgetExhausted runbook."},
	},
	Escalation: []string{"Notify: FinOps team when the growth is unexplained", "Slack: #genops-cost"},
}
