package alerts

// recording are the recording rules: the aggregations the dashboards draw,
// computed once per evaluation instead of on every refresh. Names follow
// genops:<what>:<aggregation>, as the seed's genops:cost:team_total did.
//
// The genops_* metrics are derived from spans by the gateway Collector;
// every gateway replica exports its own series (told apart by pod and
// instance), so every counter is summed across them. The counters are
// cumulative (the gateway's deltatocumulative processor), restarting from
// zero with their replica: spend over a window is increase(), spend per
// second rate(). Their raw value is no running total of anything (the
// seed's genops:cost:team_total and genops:cost:provider_total, sums of a
// running-total gauge, have no counterpart: they became the spend of the
// last 24 hours).
func recording() Group {
	return Group{
		Name:     "genops-recording-rules",
		Interval: "30s",
		Records: []Record{
			{Record: "genops:cost:team_increase24h", Expr: `sum by (team) (increase(genops_cost_usd_total[24h]))`},
			{Record: "genops:cost:provider_increase24h", Expr: `sum by (provider) (increase(genops_cost_usd_total[24h]))`},
			{Record: "genops:cost:team_increase1h", Expr: `sum by (team) (increase(genops_cost_usd_total[1h]))`},
			{Record: "genops:requests:provider_model_rate5m", Expr: `sum by (provider, model) (rate(genops_requests_total[5m]))`},
			{Record: "genops:request_errors:provider_model_rate5m", Expr: `sum by (provider, model) (rate(genops_requests_total{status="error"}[5m]))`},
			{Record: "genops:request_duration_seconds_bucket:provider_rate5m", Expr: `sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m]))`},
			{Record: "genops:tokens:provider_model_type_rate5m", Expr: `sum by (provider, model, type) (rate(genops_tokens_total[5m]))`},
			{Record: "genops:policy_violations:policy_rate5m", Expr: `sum by (policy) (rate(genops_policy_violations_total[5m]))`},
		},
	}
}
