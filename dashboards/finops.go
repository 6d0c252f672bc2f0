package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/koshihq/genops-stack/names"
)

// FinOps is "GenOps AI - FinOps Daily": what a FinOps lead opens every
// morning. The top row answers "what did yesterday cost, is it growing, who
// is running out of budget, what does a token cost us"; below, each team's
// burn rate and runway, the budgets left, the models that cost most, and
// what each model's tokens cost us. Team panels drill down into Cost
// Tracking for the clicked team.
//
// Spend comes from genops_cost_usd_total, a counter by team, project, cost
// center, provider and model: increase() over a window, rate() per second,
// summed over every series (the gateway replicas' included). Tokens come
// from genops_tokens_total, by team, project, provider and model too, so
// every filter applies to every panel. The cost per 1K tokens is the
// effective one, the data's: spend over tokens. The seed's list prices
// (genops_token_cost_per_1k) are gone: GenOps AI sends no price data, so the
// "Token List Prices (per 1K)" table, which had no other source, is removed
// and the per-model table takes its width.
//
// Below, one collapsed row per team shows its month against its own budget
// (teams.go), for the first names.TeamsPerDashboard teams of in.Teams.
func FinOps(in Inputs) *dashboard.DashboardBuilder {
	d := withCostFilters(newDashboard(in, "GenOps AI - FinOps Daily", names.DashboardFinOps, "now-7d", "5m", "cost", "finops")).
		Description("Yesterday's AI spend, budget burn and runway per team, the most expensive models and the effective cost per 1K tokens.").
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Spend (Last 24h)").
			GridPos(grid(0, 0, 6, 4)).
			Datasource(datasource).
			WithTarget(query(`sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))`, "Spend")).
			Unit("currencyUSD").
			Thresholds(thresholds("green", at(100, "yellow"), at(500, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.CostAnomaly))).
		WithPanel(stat.NewPanelBuilder().
			Id(2).
			Title("Spend vs Previous 24h").
			Description("Change of the last 24 hours' spend against the 24 hours before (no value when nothing was spent then).").
			GridPos(grid(6, 0, 6, 4)).
			Datasource(datasource).
			WithTarget(query(`(
    sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))
  -
    sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h] offset 24h))
)
/
  (sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h] offset 24h)) > 0)`, "Change")).
			Unit("percentunit").
			Thresholds(thresholds("green", at(0.2, "yellow"), at(0.5, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.CostAnomaly))).
		WithPanel(stat.NewPanelBuilder().
			Id(3).
			Title("Teams Over 80% of Budget").
			GridPos(grid(12, 0, 6, 4)).
			Datasource(datasource).
			// count() of nothing is no data, not 0: "or vector(0)".
			WithTarget(query(`count(max by (team) (genops_budget_utilization_percent{team=~"$team"}) > 80) or vector(0)`, "Teams")).
			Unit("none").
			Thresholds(thresholds("green", at(1, "yellow"), at(3, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.BudgetThreshold80Percent))).
		WithPanel(stat.NewPanelBuilder().
			Id(4).
			Title("Cost per 1K Tokens (Last 24h)").
			Description("What the last 24 hours' tokens cost on average, the selected teams, projects and providers together: their spend over their tokens (no value without tokens).").
			GridPos(grid(18, 0, 6, 4)).
			Datasource(datasource).
			WithTarget(query(`sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))
/
(sum(increase(genops_tokens_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h])) / 1000 > 0)`, "USD per 1K tokens")).
			Unit("currencyUSD").
			Decimals(4).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue())).
		WithPanel(timeseries.NewPanelBuilder().
			Id(5).
			Title("Burn Rate by Team (USD per Hour)").
			GridPos(grid(0, 4, 12, 8)).
			Datasource(datasource).
			WithTarget(query(`sum by (team) (rate(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[1h])) * 3600`, "{{team}}")).
			Unit("currencyUSD").
			DataLinks(drillDown("Cost Tracking for ${__field.labels.team}", names.DashboardCost, "team", "team")).
			Links(runbooks(in, names.CostAnomaly))).
		WithPanel(bargauge.NewPanelBuilder().
			Id(6).
			Title("Budget Runway (Days)").
			Description("Days until each project's budget runs out at the last 24 hours' pace. Projects that spent nothing are left out.").
			GridPos(grid(12, 4, 12, 8)).
			Datasource(datasource).
			// Remaining budget over a day's spend; "> 0" drops the projects that
			// spent nothing, whose runway is unbounded. The remaining budget is
			// a gauge each gateway replica holds the last value of, per budget:
			// the lowest is the current one, and the binding budget.
			WithTarget(query(`min by (team, project) (genops_budget_remaining_usd{team=~"$team", project=~"$project"})
/
(sum by (team, project) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h])) > 0)`, "{{team}}/{{project}}")).
			Unit("d").
			Min(0).
			Thresholds(thresholds("red", at(7, "yellow"), at(14, "green"))).
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue()).
			DataLinks(drillDown("Cost Tracking for ${__field.labels.team}", names.DashboardCost, "team", "team")).
			Links(runbooks(in, names.BudgetExhausted))).
		WithPanel(table.NewPanelBuilder().
			Id(7).
			Title("Budget Remaining").
			GridPos(grid(0, 12, 12, 8)).
			Datasource(datasource).
			// The lowest of the gateway replicas' last values, per budget.
			WithTarget(instant(`min by (team, project, budget) (genops_budget_remaining_usd{team=~"$team", project=~"$project"})`)).
			WithTransformation(organize(map[string]string{"team": "Team", "project": "Project", "budget": "Budget", "Value": "Remaining (USD)"})).
			Unit("currencyUSD").
			Footer(noFooter()).
			Links(runbooks(in, names.BudgetExhausted))).
		WithPanel(bargauge.NewPanelBuilder().
			Id(8).
			Title("Top Models by Spend (Last 24h)").
			GridPos(grid(12, 12, 12, 8)).
			Datasource(datasource).
			WithTarget(query(`topk(10, sum by (provider, model) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h])))`, "{{provider}}/{{model}}").Instant()).
			Unit("currencyUSD").
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue())).
		WithPanel(table.NewPanelBuilder().
			Id(9).
			Title("Cost per 1K Tokens by Model (Last 24h)").
			Description("What each model's tokens of the last 24 hours cost on average: its spend over its tokens (models without tokens are left out).").
			GridPos(grid(0, 20, 24, 8)).
			Datasource(datasource).
			WithTarget(instant(`sum by (provider, model) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))
/
(sum by (provider, model) (increase(genops_tokens_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h])) / 1000 > 0)`)).
			WithTransformation(organize(map[string]string{"provider": "Provider", "model": "Model", "Value": "USD per 1K tokens"})).
			Unit("currencyUSD").
			Decimals(4).
			Footer(noFooter()))
	// Panel 10 was the "Token List Prices (per 1K)" table, removed: it read
	// genops_token_cost_per_1k, list prices GenOps AI does not send. It is
	// now the attribution conflicts (docs/security.md). The team rows keep
	// their panel ids (from 11).
	d = d.WithPanel(timeseries.NewPanelBuilder().
		Id(10).
		Title("Attribution Conflicts (Spans per Hour)").
		Description("Spans that claimed another team than the one owning their namespace: the gateway charged them to the owner (team) and counts them by the team they claimed (claimed_team; \"unknown\" for a team the stack does not know).").
		GridPos(grid(0, 28, 24, 8)).
		Datasource(datasource).
		WithTarget(query(`sum by (team, claimed_team) (increase(genops_attribution_conflicts_total{team=~"$team"}[1h]))`, "{{team}} charged, claimed {{claimed_team}}")).
		Unit("short"))
	return withTeamRows(d, in, in.Teams[:min(len(in.Teams), names.TeamsPerDashboard)], 36, 11)
}
