package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Cost is "GenOps AI - Cost Tracking": the seed's six panels, with its
// titles, units, thresholds and layout.
//
// genops_cost_total_usd is a gauge holding a running total per team, project
// and provider. The seed rate()s and increase()s it, which only works on
// counters: both read any drop (a correction, a restarted exporter) as a
// counter reset and add the whole total again. Spend over a window is the
// growth of the total, delta(); spend per second is its slope, deriv().
func Cost(in Inputs) *dashboard.DashboardBuilder {
	return withCostFilters(newDashboard(in, "GenOps AI - Cost Tracking", CostUID, "now-24h", "30s", "cost", "ai")).
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Total Cost (Last 24h)").
			GridPos(grid(0, 0, 6, 4)).
			Datasource(datasource).
			// Seed: sum(increase(genops_cost_total_usd[24h])). increase() is for
			// counters; the 24h growth of a running-total gauge is delta().
			WithTarget(query(`sum(delta(genops_cost_total_usd{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))`, "Total Cost")).
			Unit("currencyUSD").
			Thresholds(thresholds("green", at(100, "yellow"), at(500, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "CostAnomaly"))).
		WithPanel(piechart.NewPanelBuilder().
			Id(2).
			Title("Cost by Team").
			GridPos(grid(6, 0, 6, 8)).
			Datasource(datasource).
			// As in the seed: the running total, summed per team.
			WithTarget(query(`sum by (team) (genops_cost_total_usd{team=~"$team", project=~"$project", provider=~"$provider"})`, "{{team}}")).
			Unit("currencyUSD").
			ReduceOptions(lastValue())).
		WithPanel(bargauge.NewPanelBuilder().
			Id(3).
			Title("Cost by Provider").
			GridPos(grid(12, 0, 6, 8)).
			Datasource(datasource).
			// As in the seed: the running total, summed per provider.
			WithTarget(query(`sum by (provider) (genops_cost_total_usd{team=~"$team", project=~"$project", provider=~"$provider"})`, "{{provider}}")).
			Unit("currencyUSD").
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue())).
		WithPanel(timeseries.NewPanelBuilder().
			Id(4).
			Title("Cost Over Time").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// Seed: sum by (team) (rate(genops_cost_total_usd[5m])). rate() is for
			// counters; the per-second slope of a gauge is deriv().
			WithTarget(query(`sum by (team) (deriv(genops_cost_total_usd{team=~"$team", project=~"$project", provider=~"$provider"}[5m]))`, "{{team}}")).
			Unit("currencyUSD/s").
			Links(runbooks(in, "CostAnomaly"))).
		WithPanel(table.NewPanelBuilder().
			Id(5).
			Title("Cost by Model").
			GridPos(grid(12, 8, 6, 8)).
			Datasource(datasource).
			// As in the seed. genops_cost_by_model_usd has no team or project
			// label: only the provider filter applies.
			WithTarget(instant(`sum by (model, provider) (genops_cost_by_model_usd{provider=~"$provider"})`)).
			WithTransformation(organize(map[string]string{"model": "Model", "provider": "Provider", "Value": "Cost (USD)"})).
			Footer(noFooter())).
		WithPanel(gauge.NewPanelBuilder().
			Id(6).
			Title("Budget Utilization").
			GridPos(grid(18, 0, 6, 8)).
			Datasource(datasource).
			// Seed: sum by (team). A percentage does not add up: two scrape
			// targets reporting 50% are not at 100%. Take the highest.
			WithTarget(query(`max by (team) (genops_budget_utilization_percent{team=~"$team"})`, "{{team}}")).
			Unit("percent").
			Min(0).
			Max(100).
			Thresholds(thresholds("green", at(80, "yellow"), at(95, "red"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "BudgetThreshold80Percent", "BudgetThreshold95Percent", "BudgetExhausted")))
}
