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

	"github.com/koshihq/genops-stack/names"
)

// Cost is "GenOps AI - Cost Tracking": the seed's six panels, with its
// titles, units, thresholds and layout.
//
// The seed's genops_cost_total_usd (a running-total gauge) and
// genops_cost_by_model_usd are gone: genops_cost_usd_total, a counter by
// team, project, cost center, provider and model, holds every cost. Spend
// over a window is its increase(), spend per second its rate(), summed over
// every series (the gateway replicas' included). The seed's running-total
// panels (Cost by Team, Cost by Provider, Cost by Model) show the spend over
// the dashboard's time range (24 hours by default, like Total Cost), as
// instant queries over [$__range]: a counter that restarts with its gateway
// replica totals nothing by itself.
func Cost(in Inputs) *dashboard.DashboardBuilder {
	return withCostFilters(newDashboard(in, "GenOps AI - Cost Tracking", names.DashboardCost, "now-24h", "30s", "cost", "ai")).
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Total Cost (Last 24h)").
			GridPos(grid(0, 0, 6, 4)).
			Datasource(datasource).
			// As in the seed, over the counter that replaces its gauge.
			WithTarget(query(`sum(increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[24h]))`, "Total Cost")).
			Unit("currencyUSD").
			Thresholds(thresholds("green", at(100, "yellow"), at(500, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.CostAnomaly))).
		WithPanel(piechart.NewPanelBuilder().
			Id(2).
			Title("Cost by Team").
			GridPos(grid(6, 0, 6, 8)).
			Datasource(datasource).
			// Seed: the running total per team. Now the spend over the
			// dashboard's time range.
			WithTarget(query(`sum by (team) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[$__range]))`, "{{team}}").Instant()).
			Unit("currencyUSD").
			ReduceOptions(lastValue())).
		WithPanel(bargauge.NewPanelBuilder().
			Id(3).
			Title("Cost by Provider").
			GridPos(grid(12, 0, 6, 8)).
			Datasource(datasource).
			// Seed: the running total per provider. Now the spend over the
			// dashboard's time range.
			WithTarget(query(`sum by (provider) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[$__range]))`, "{{provider}}").Instant()).
			Unit("currencyUSD").
			Orientation(common.VizOrientationHorizontal).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			ReduceOptions(lastValue())).
		WithPanel(timeseries.NewPanelBuilder().
			Id(4).
			Title("Cost Over Time").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// As in the seed, over the counter that replaces its gauge.
			WithTarget(query(`sum by (team) (rate(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[5m]))`, "{{team}}")).
			Unit("currencyUSD/s").
			Links(runbooks(in, names.CostAnomaly))).
		WithPanel(table.NewPanelBuilder().
			Id(5).
			Title("Cost by Model").
			GridPos(grid(12, 8, 6, 8)).
			Datasource(datasource).
			// Seed: genops_cost_by_model_usd, a running total without team or
			// project. Now the spend over the dashboard's time range, by model
			// of the cost counter: every filter applies.
			WithTarget(instant(`sum by (provider, model) (increase(genops_cost_usd_total{team=~"$team", project=~"$project", provider=~"$provider"}[$__range]))`)).
			WithTransformation(organize(map[string]string{"model": "Model", "provider": "Provider", "Value": "Cost (USD)"})).
			Footer(noFooter())).
		WithPanel(gauge.NewPanelBuilder().
			Id(6).
			Title("Budget Utilization").
			GridPos(grid(18, 0, 6, 8)).
			Datasource(datasource).
			// Seed: sum by (team). A percentage does not add up: two gateway
			// replicas reporting 50% are not at 100%, nor two budgets of a
			// team. Take the highest.
			WithTarget(query(`max by (team) (genops_budget_utilization_percent{team=~"$team"})`, "{{team}}")).
			Unit("percent").
			Min(0).
			Max(100).
			Thresholds(thresholds("green", at(80, "yellow"), at(95, "red"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.BudgetThreshold80Percent, names.BudgetThreshold95Percent, names.BudgetExhausted)))
}
