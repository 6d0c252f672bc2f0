package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Performance is "GenOps AI - Performance Metrics": the seed's four panels,
// with its titles, units, thresholds and layout.
func Performance(in Inputs) *dashboard.DashboardBuilder {
	return newDashboard(in, "GenOps AI - Performance Metrics", PerformanceUID, "now-6h", "30s", "performance", "ai").
		WithVariable(labelVariable("provider", "Provider", `label_values(genops_requests_total, provider)`)).
		WithVariable(labelVariable("model", "Model", `label_values(genops_requests_total{provider=~"$provider"}, model)`)).
		WithPanel(timeseries.NewPanelBuilder().
			Id(1).
			Title("Request Rate").
			GridPos(grid(0, 0, 12, 8)).
			Datasource(datasource).
			// As in the seed: rate() over a counter.
			WithTarget(query(`sum by (provider, model) (rate(genops_requests_total{provider=~"$provider", model=~"$model"}[5m]))`, "{{provider}}/{{model}}")).
			Unit("reqps").
			Links(runbooks(in, "HighErrorRate"))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(2).
			Title("Average Latency (p50, p95, p99)").
			GridPos(grid(12, 0, 12, 8)).
			Datasource(datasource).
			// As in the seed, one series per provider and quantile; the seed's
			// legends ("p50") named every provider's series alike.
			WithTarget(query(`histogram_quantile(0.50, sum by (provider, le) (rate(genops_request_duration_seconds_bucket{provider=~"$provider", model=~"$model"}[5m])))`, "{{provider}} p50")).
			WithTarget(query(`histogram_quantile(0.95, sum by (provider, le) (rate(genops_request_duration_seconds_bucket{provider=~"$provider", model=~"$model"}[5m])))`, "{{provider}} p95").RefId("B")).
			WithTarget(query(`histogram_quantile(0.99, sum by (provider, le) (rate(genops_request_duration_seconds_bucket{provider=~"$provider", model=~"$model"}[5m])))`, "{{provider}} p99").RefId("C")).
			Unit("s").
			Links(runbooks(in, "HighLatency"))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(3).
			Title("Token Usage Rate").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// As in the seed: rate() over a counter.
			WithTarget(query(`sum by (type) (rate(genops_tokens_total{provider=~"$provider", model=~"$model"}[5m]))`, "{{type}} tokens")).
			Unit("tokens/s")).
		WithPanel(gauge.NewPanelBuilder().
			Id(4).
			Title("Quality Scores").
			GridPos(grid(12, 8, 12, 8)).
			Datasource(datasource).
			// Seed: genops_eval_quality_score, legend {{metric}}: one gauge per
			// series, every model's "relevance" titled alike. One gauge per model
			// and metric, averaged over scrape targets.
			WithTarget(query(`avg by (model, metric) (genops_eval_quality_score{model=~"$model"})`, "{{model}} {{metric}}")).
			Unit("percentunit").
			Min(0).
			Max(1).
			Thresholds(thresholds("red", at(0.7, "yellow"), at(0.85, "green"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "LowQualityScore")))
}
