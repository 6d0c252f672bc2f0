package alerts

// recording are the recording rules: the aggregations the dashboards draw,
// computed once per evaluation instead of on every refresh. Names follow
// genops:<what>:<aggregation>, as the seed's genops:cost:team_total does.
func recording() Group {
	return Group{
		Name:     "genops-recording-rules",
		Interval: "30s",
		Records: []Record{
			// genops_cost_total_usd is a running total: the spend of the last
			// hour is its delta(), not its increase().
			{Record: "genops:cost:team_total", Expr: `sum by (team) (genops_cost_total_usd)`},
			{Record: "genops:cost:provider_total", Expr: `sum by (provider) (genops_cost_total_usd)`},
			{Record: "genops:cost:team_delta1h", Expr: `sum by (team) (delta(genops_cost_total_usd[1h]))`},
			{Record: "genops:requests:provider_model_rate5m", Expr: `sum by (provider, model) (rate(genops_requests_total[5m]))`},
			{Record: "genops:request_errors:provider_model_rate5m", Expr: `sum by (provider, model) (rate(genops_requests_total{status="error"}[5m]))`},
			{Record: "genops:request_duration_seconds_bucket:provider_rate5m", Expr: `sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m]))`},
			{Record: "genops:tokens:provider_model_type_rate5m", Expr: `sum by (provider, model, type) (rate(genops_tokens_total[5m]))`},
			{Record: "genops:policy_violations:policy_type_rate5m", Expr: `sum by (policy_type) (rate(genops_policy_violations_total[5m]))`},
		},
	}
}
