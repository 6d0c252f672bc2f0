package alerts

import "github.com/koshihq/genops-stack/names"

// performance are the latency, error and evaluation quality alerts, over
// the metrics the gateway derives from GenOps AI's spans. The seed's latency
// and error queries already summed over every series (the gateway replicas'
// included) and stay as they were; the span status the error rate reads is
// "ok" or "error". The quality score is a gauge each replica holds the last
// value of: averaged over the replicas, one alert per team, model and
// evaluation metric.
func performance() Group {
	return Group{
		Name:     "genops-performance-alerts",
		Interval: "30s",
		Alerts: []Alert{
			{
				Alert:       names.HighLatency,
				Expr:        `histogram_quantile(0.95, sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m]))) > 10`,
				For:         "10m",
				Severity:    Warning,
				Category:    Performance,
				Summary:     "High latency detected ({{ $labels.provider }})",
				Description: "P95 latency for {{ $labels.provider }} is {{ $value }}s",
				Dashboard:   names.DashboardPerformance,
				Runbook:     highLatencyRunbook,
			},
			{
				Alert: names.HighErrorRate,
				Expr: `sum by (provider) (rate(genops_requests_total{status="error"}[5m]))
  / sum by (provider) (rate(genops_requests_total[5m]))
  > 0.05`,
				For:         "5m",
				Severity:    Critical,
				Category:    Performance,
				Summary:     "High error rate ({{ $labels.provider }})",
				Description: "Error rate for {{ $labels.provider }} is {{ $value | humanizePercentage }}",
				Dashboard:   names.DashboardPerformance,
				Runbook:     highErrorRateRunbook,
			},
			{
				Alert:       names.LowQualityScore,
				Expr:        `avg by (team, model, metric) (genops_eval_quality_score) < 0.7`,
				For:         "15m",
				Severity:    Warning,
				Category:    Quality,
				Summary:     "Low quality score ({{ $labels.model }}/{{ $labels.metric }})",
				Description: "Quality score for {{ $labels.model }} {{ $labels.metric }} is {{ $value }}",
				Dashboard:   names.DashboardPerformance,
				Runbook:     lowQualityScoreRunbook,
			},
		},
	}
}

var highLatencyRunbook = Runbook{
	Meaning: "P95 latency for AI requests has exceeded threshold (>10 seconds).",
	Impact:  []string{"Users wait more than 10 seconds for one request in twenty"},
	Investigation: []Step{
		{Text: "Check current latency:", Query: `histogram_quantile(0.95, sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m])))`},
		{Text: "Identify the slow provider and model on the performance dashboard (linked above), or directly:", Query: `histogram_quantile(0.95, sum by (provider, model, le) (rate(genops_request_duration_seconds_bucket[5m])))`},
		{Text: "Review the slowest traces of that provider in the trace backend (Grafana Explore, the traces data source)."},
		{Text: "Check infrastructure health:", Shell: `kubectl top pods -n "$NS"
kubectl get pods -n "$NS"`},
	},
	Remediation: []Step{
		{Text: "Scale up if resource constrained:", Shell: `kubectl scale deployment genops-ai --replicas=5 -n "$NS"`},
		{Text: "Enable request queueing:", Shell: `kubectl patch configmap genops-config -n "$NS" --patch '{
  "data": {"ENABLE_REQUEST_QUEUE": "true", "MAX_QUEUE_SIZE": "100"}
}'`},
		{Text: "Route traffic to faster provider:", Shell: `kubectl patch configmap genops-routing -n "$NS" --patch '{
  "data": {"FALLBACK_PROVIDER": "anthropic"}
}'`},
	},
	Escalation: []string{
		"Notify: Platform team, On-call engineer",
		"PagerDuty: If latency >30s",
		"Slack: #genops-performance",
	},
}

var highErrorRateRunbook = Runbook{
	Meaning: "More than 5% of the requests to an AI provider fail, for 5 minutes.",
	Impact:  []string{"Users get errors from the features backed by that provider"},
	Investigation: []Step{
		{Text: "See the error ratio by provider and model:", Query: `sum by (provider, model) (rate(genops_requests_total{status="error"}[5m]))
/ sum by (provider, model) (rate(genops_requests_total[5m]))`},
		{Text: "Check the provider's status page, and the errors GenOps logs for it (rate limits, authentication, timeouts):", Shell: `kubectl logs -n "$NS" deployment/genops-ai --since=15m | grep -i error`},
		{Text: "Look at failed traces of the provider in the trace backend."},
	},
	Remediation: []Step{
		{Text: "If the provider is down or rate-limiting, route traffic to the fallback provider:", Shell: `kubectl patch configmap genops-routing -n "$NS" --patch '{
  "data": {"FALLBACK_PROVIDER": "anthropic"}
}'`},
		{Text: "If credentials expired, rotate the provider's API key Secret and restart the deployment:", Shell: `kubectl rollout restart deployment/genops-ai -n "$NS"`},
	},
	Escalation: []string{"Notify: Platform team, On-call engineer", "PagerDuty: yes", "Slack: #genops-performance"},
}

var lowQualityScoreRunbook = Runbook{
	Meaning: "An evaluation metric (relevance, coherence, ...) of a model has stayed below 0.7 for 15 minutes.",
	Impact:  []string{"Users get worse answers from that model"},
	Investigation: []Step{
		{Text: "See the scores of every team, model and metric:", Query: `avg by (team, model, metric) (genops_eval_quality_score)`},
		{Text: "Check whether the model or its prompt changed recently (deployments, provider model versions)."},
	},
	Remediation: []Step{
		{Text: "Roll back the model or prompt change, or route the affected feature to the previous model."},
	},
	Escalation: []string{"Notify: the model's owning team", "Slack: #genops-performance"},
}
