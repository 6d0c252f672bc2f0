package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/koshihq/genops-stack/names"
)

// Performance is "GenOps AI - Performance Metrics": the seed's four panels,
// with its titles, units, thresholds and layout, and a fifth, Time to First
// Token.
//
// The request, latency and token panels show two sources in one query:
// the genops_* metrics the gateway derives from GenOps AI's spans, and the
// OTel GenAI semantic-convention metrics that other instrumentations
// (OpenLIT, OpenLLMetry, the OTel GenAI instrumentations) push. The GenAI
// metrics' gen_ai_provider_name and gen_ai_request_model (and
// gen_ai_token_type) become provider and model (and type) with
// label_replace(), then "genops or genai" keeps GenOps' series wherever both
// sources have one (a workload instrumented twice is not counted twice) and
// adds the GenAI series of every other provider and model. Latency
// quantiles match on provider only ("or on (provider)"): the two histograms
// have different buckets, and one provider's quantile must come from one of
// them, never from a mix of both bucket sets.
//
// Time to First Token has no GenOps source: the client's time to the first
// chunk of a streamed response and the model server's time to the first
// token, in one query per quantile, told apart by a source label.
func Performance(in Inputs) *dashboard.DashboardBuilder {
	return newDashboard(in, "GenOps AI - Performance Metrics", names.DashboardPerformance, "now-6h", "30s", "performance", "ai").
		// Providers and models of both sources: label_values() reads one
		// metric's label, so the variables are query_result()s over both
		// (one line each: Grafana's query_result() pattern does not span
		// lines).
		WithVariable(resultVariable("provider", "Provider", "provider",
			`group by (provider) (present_over_time(genops_requests_total[$__range])) or group by (provider) (label_replace(present_over_time(gen_ai_client_operation_duration_seconds_count[$__range]), "provider", "$1", "gen_ai_provider_name", "(.*)"))`)).
		WithVariable(resultVariable("model", "Model", "model",
			`group by (model) (present_over_time(genops_requests_total{provider=~"$provider"}[$__range])) or group by (model) (label_replace(present_over_time(gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name=~"$provider"}[$__range]), "model", "$1", "gen_ai_request_model", "(.*)"))`)).
		WithPanel(timeseries.NewPanelBuilder().
			Id(1).
			Title("Request Rate").
			GridPos(grid(0, 0, 12, 8)).
			Datasource(datasource).
			// The seed's query, or the GenAI operations: every operation
			// records one duration, so the duration histogram's _count is the
			// operation count.
			WithTarget(query(`sum by (provider, model) (rate(genops_requests_total{provider=~"$provider", model=~"$model"}[5m]))
or
sum by (provider, model) (
  label_replace(label_replace(
    rate(gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"}[5m]),
  "provider", "$1", "gen_ai_provider_name", "(.*)"), "model", "$1", "gen_ai_request_model", "(.*)")
)`, "{{provider}}/{{model}}")).
			Unit("reqps").
			Links(runbooks(in, names.HighErrorRate))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(2).
			Title("Average Latency (p50, p95, p99)").
			GridPos(grid(12, 0, 12, 8)).
			Datasource(datasource).
			// As in the seed, one series per provider and quantile; the seed's
			// legends ("p50") named every provider's series alike.
			WithTarget(query(latencyQuantile("0.50"), "{{provider}} p50")).
			WithTarget(query(latencyQuantile("0.95"), "{{provider}} p95").RefId("B")).
			WithTarget(query(latencyQuantile("0.99"), "{{provider}} p99").RefId("C")).
			Unit("s").
			Links(runbooks(in, names.HighLatency))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(3).
			Title("Token Usage Rate").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// The seed's query per provider and model, or the GenAI token
			// usage (the histogram's _sum is the token count), then summed by
			// type: matching on type alone would drop every GenAI series as
			// soon as GenOps reports any input or output tokens.
			WithTarget(query(`sum by (type) (
    sum by (provider, model, type) (rate(genops_tokens_total{provider=~"$provider", model=~"$model"}[5m]))
  or
    sum by (provider, model, type) (
      label_replace(label_replace(label_replace(
        rate(gen_ai_client_token_usage_sum{gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"}[5m]),
      "provider", "$1", "gen_ai_provider_name", "(.*)"), "model", "$1", "gen_ai_request_model", "(.*)"), "type", "$1", "gen_ai_token_type", "(.*)")
    )
)`, "{{type}} tokens")).
			Unit("tokens/s")).
		WithPanel(gauge.NewPanelBuilder().
			Id(4).
			Title("Quality Scores").
			GridPos(grid(12, 8, 12, 8)).
			Datasource(datasource).
			// Seed: genops_eval_quality_score, legend {{metric}}: one gauge per
			// series, every model's "relevance" titled alike. One gauge per model
			// and metric, averaged over the gateway replicas and teams.
			WithTarget(query(`avg by (model, metric) (genops_eval_quality_score{model=~"$model"})`, "{{model}} {{metric}}")).
			Unit("percentunit").
			Min(0).
			Max(1).
			Thresholds(thresholds("red", at(0.7, "yellow"), at(0.85, "green"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.LowQualityScore))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(5).
			Title("Time to First Token").
			Description("How long streamed responses take to start, per provider: the client's time to the first chunk, and the model server's time to the first token (OTel GenAI metrics only; GenOps AI does not record it).").
			GridPos(grid(0, 16, 24, 8)).
			Datasource(datasource).
			WithTarget(query(firstTokenQuantile("0.50"), "{{provider}} p50 ({{source}})")).
			WithTarget(query(firstTokenQuantile("0.95"), "{{provider}} p95 ({{source}})").RefId("B")).
			Unit("s"))
}

// latencyQuantile is the q quantile of request latency per provider, from
// GenOps' histogram where it has the provider, else from the GenAI one.
func latencyQuantile(q string) string {
	return `histogram_quantile(` + q + `,
    sum by (provider, le) (rate(genops_request_duration_seconds_bucket{provider=~"$provider", model=~"$model"}[5m]))
  or on (provider)
    sum by (provider, le) (
      label_replace(
        rate(gen_ai_client_operation_duration_seconds_bucket{gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"}[5m]),
      "provider", "$1", "gen_ai_provider_name", "(.*)")
    )
)`
}

// firstTokenQuantile is the q quantile of the time to the first token per
// provider, from the client's and the model server's histograms: each
// series says which in its source label ("client" or "server"), so "or"
// keeps both where both are measured.
func firstTokenQuantile(q string) string {
	return genAIQuantile(q, "gen_ai_client_operation_time_to_first_chunk_seconds_bucket", "client") + `
or
` + genAIQuantile(q, "gen_ai_server_time_to_first_token_seconds_bucket", "server")
}

// genAIQuantile is the q quantile per provider of a GenAI histogram, given
// by its _bucket series, with source set to the given value.
func genAIQuantile(q, bucket, source string) string {
	return `label_replace(label_replace(
  histogram_quantile(` + q + `,
    sum by (gen_ai_provider_name, le) (rate(` + bucket + `{gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"}[5m]))
  ),
"provider", "$1", "gen_ai_provider_name", "(.*)"), "source", "` + source + `", "gen_ai_provider_name", ".*")`
}
