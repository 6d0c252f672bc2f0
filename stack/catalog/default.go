package catalog

// Scrape jobs, by the value of their job label.
const (
	// JobGenOpsPods scrapes every annotated pod of the GenOps namespace, the
	// metrics exporter included (stack/scrape.AnnotatedPods).
	JobGenOpsPods = "genops-pods"
	// JobGenOpsOTelMetrics scrapes the gateway Collector's prometheus
	// exporter: the metrics GenOps workloads push by OTLP.
	JobGenOpsOTelMetrics = "genops-otel-metrics"
	// JobOTelCollector scrapes the Collectors' own telemetry (port 8888).
	JobOTelCollector = "otel-collector"
	// JobKubeStateMetrics and JobKubelet are kube-prometheus-stack's default
	// ServiceMonitors.
	JobKubeStateMetrics = "kube-state-metrics"
	JobKubelet          = "kubelet"
)

// Default is the catalog of the stack: the GenOps exporter's metrics with the
// types and labels its code defines, and every external metric the stack's
// queries use. It panics if the definitions are invalid, which every test
// would catch.
func Default() *Catalog {
	c, err := New(defaultJobs(), defaultMetrics())
	if err != nil {
		panic(err)
	}
	return c
}

// defaultJobs are the scrape paths. The kube-prometheus-stack jobs are
// ServiceMonitors: prometheus-operator adds namespace, service, pod,
// container and endpoint (the port name) to every target, and node when the
// endpoint is a node; both monitors set honorLabels, so the exporters' own
// namespace, pod and container win. The chart's kubelet monitor also copies
// __metrics_path__ to metrics_path (cAdvisor is /metrics/cadvisor). Neither
// carries cluster: Prometheus adds its external labels only on the way out.
func defaultJobs() []Job {
	return []Job{
		{
			Name: JobGenOpsPods,
			Via:  "the cluster Collector's prometheus receiver, remote-written to Prometheus with the external label cluster",
			// The relabelled pod labels and identity; cluster, the
			// remote-write exporter's external label; and the scope labels
			// that exporter adds to every series (the prometheus receiver's
			// name and version: disable_scope_info is not set).
			TargetLabels: []string{"job", "instance", "genops_team", "genops_project", "genops_environment", "genops_cost_center",
				"namespace", "pod", "cluster", "otel_scope_name", "otel_scope_version"},
		},
		{
			Name:         JobGenOpsOTelMetrics,
			Via:          "Prometheus scraping the gateway Collector's prometheus exporter (port 8889, namespace genops)",
			TargetLabels: []string{"job", "instance", "namespace", "pod"},
			// The exporter's const label cluster, the instrumentation scope,
			// and the sender's service.name and service.instance.id, which
			// become exported_job and exported_instance because the scrape's
			// own job and instance win (honor_labels: false).
			ExporterLabels: []string{"cluster", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url", "exported_job", "exported_instance"},
		},
		{
			Name:         JobOTelCollector,
			Via:          "Prometheus scraping the Collectors' own telemetry (port 8888)",
			TargetLabels: []string{"job", "instance", "namespace", "pod", "cluster"},
			// Our telemetry config leaves the scope labels on.
			ExporterLabels: []string{"otel_scope_name", "otel_scope_version", "otel_scope_schema_url"},
		},
		{
			Name:         JobKubeStateMetrics,
			Via:          "kube-prometheus-stack's kube-state-metrics ServiceMonitor",
			TargetLabels: []string{"job", "instance", "namespace", "service", "pod", "container", "endpoint"},
		},
		{
			Name:         JobKubelet,
			Via:          "kube-prometheus-stack's kubelet ServiceMonitor, cAdvisor endpoint",
			TargetLabels: []string{"job", "instance", "namespace", "service", "endpoint", "node", "metrics_path"},
		},
	}
}

// The GenOps exporter's metrics arrive scraped (genops-pods) and, when a
// workload pushes the same instrument by OTLP, through the gateway
// (genops-otel-metrics). A summary has no OpenTelemetry instrument, so
// genops_eval_latency_seconds only arrives scraped.
var genopsJobs = []string{JobGenOpsPods, JobGenOpsOTelMetrics}

func defaultMetrics() []Metric {
	return []Metric{
		// The GenOps metrics exporter (seed: genops-metrics-exporter.py).
		{Name: "genops_cost_total_usd", Type: Gauge, Unit: "USD", Help: "Total cost in USD",
			Labels: []string{"team", "project", "provider"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "cost.total.usd", Unit: "{USD}"}},
		{Name: "genops_cost_by_model_usd", Type: Gauge, Unit: "USD", Help: "Cost by model",
			Labels: []string{"model", "provider"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "cost.by_model.usd", Unit: "{USD}"}},
		{Name: "genops_budget_remaining_usd", Type: Gauge, Unit: "USD", Help: "Remaining budget",
			Labels: []string{"team", "project"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "budget.remaining.usd", Unit: "{USD}"}},
		{Name: "genops_budget_utilization_percent", Type: Gauge, Unit: "percent", Help: "Budget utilization %",
			Labels: []string{"team"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "budget.utilization", Unit: "%"}},
		{Name: "genops_policy_violations_total", Type: Counter, Unit: "violations", Help: "Policy violations",
			Labels: []string{"policy_type", "severity"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "policy.violations", Unit: "{violation}"}},
		{Name: "genops_policy_enforcements_total", Type: Counter, Unit: "enforcements", Help: "Policy enforcements",
			Labels: []string{"action"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "policy.enforcements", Unit: "{enforcement}"}},
		{Name: "genops_requests_total", Type: Counter, Unit: "requests", Help: "Total requests",
			Labels: []string{"provider", "model", "status"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "requests", Unit: "{request}"}},
		{Name: "genops_request_duration_seconds", Type: Histogram, Unit: "seconds", Help: "Request duration",
			Labels: []string{"provider", "model"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "request.duration", Unit: "s"}},
		{Name: "genops_tokens_total", Type: Counter, Unit: "tokens", Help: "Token usage",
			Labels: []string{"provider", "model", "type"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "tokens", Unit: "{token}"}},
		{Name: "genops_token_cost_per_1k", Type: Gauge, Unit: "USD per 1000 tokens", Help: "Cost per 1K tokens",
			Labels: []string{"provider", "model", "type"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "token.cost.per_1k", Unit: "{USD}"}},
		{Name: "genops_eval_quality_score", Type: Gauge, Unit: "score from 0 to 1", Help: "Evaluation quality score",
			Labels: []string{"model", "metric"}, Jobs: genopsJobs,
			OTel: &OTel{Name: "eval.quality_score", Unit: "{score}"}},
		{Name: "genops_eval_latency_seconds", Type: Summary, Unit: "seconds", Help: "Evaluation latency",
			Labels: []string{"model"}, Jobs: []string{JobGenOpsPods}},

		// Prometheus' own series for every target.
		{Name: "up", Type: Gauge, Unit: "boolean", Help: "1 if the last scrape of the target succeeded, 0 otherwise",
			Jobs: []string{JobGenOpsPods, JobGenOpsOTelMetrics, JobOTelCollector, JobKubeStateMetrics, JobKubelet}},

		// kube-state-metrics.
		{Name: "kube_pod_status_phase", Type: Gauge, Unit: "boolean", Help: "The pods current phase",
			Labels: []string{"namespace", "pod", "uid", "phase"}, Jobs: []string{JobKubeStateMetrics}},
		{Name: "kube_pod_container_status_restarts_total", Type: Counter, Unit: "restarts", Help: "The number of container restarts per container",
			Labels: []string{"namespace", "pod", "uid", "container"}, Jobs: []string{JobKubeStateMetrics}},
		{Name: "kube_pod_container_status_waiting_reason", Type: Gauge, Unit: "boolean", Help: "Describes the reason the container is currently in waiting state",
			Labels: []string{"namespace", "pod", "uid", "container", "reason"}, Jobs: []string{JobKubeStateMetrics}},
		{Name: "kube_pod_container_status_last_terminated_reason", Type: Gauge, Unit: "boolean", Help: "Describes the last reason the container was in terminated state",
			Labels: []string{"namespace", "pod", "uid", "container", "reason"}, Jobs: []string{JobKubeStateMetrics}},

		// cAdvisor, through the kubelet.
		{Name: "container_memory_working_set_bytes", Type: Gauge, Unit: "bytes", Help: "Current working set in bytes",
			Labels: []string{"container", "id", "image", "name", "namespace", "pod"}, Jobs: []string{JobKubelet}},
		{Name: "container_spec_memory_limit_bytes", Type: Gauge, Unit: "bytes", Help: "Memory limit for the container",
			Labels: []string{"container", "id", "image", "name", "namespace", "pod"}, Jobs: []string{JobKubelet}},

		// The Collectors' own telemetry (collector v0.149.0; our telemetry
		// config leaves the Prometheus exporter's type and unit suffixes on).
		{Name: "otelcol_receiver_accepted_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans successfully pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_receiver_accepted_spans", Unit: "{span}"}},
		{Name: "otelcol_receiver_refused_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans that could not be pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_receiver_refused_spans", Unit: "{span}"}},
		{Name: "otelcol_receiver_accepted_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points successfully pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_receiver_accepted_metric_points", Unit: "{datapoint}"}},
		{Name: "otelcol_receiver_refused_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points that could not be pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_receiver_refused_metric_points", Unit: "{datapoint}"}},
		{Name: "otelcol_exporter_sent_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans successfully sent to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_sent_spans", Unit: "{span}"}},
		{Name: "otelcol_exporter_send_failed_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans in failed attempts to send to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_send_failed_spans", Unit: "{span}"}},
		{Name: "otelcol_exporter_sent_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points successfully sent to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_sent_metric_points", Unit: "{datapoint}"}},
		{Name: "otelcol_exporter_send_failed_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points in failed attempts to send to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_send_failed_metric_points", Unit: "{datapoint}"}},
		{Name: "otelcol_exporter_queue_size", Type: Gauge, Unit: "batches", Help: "Current size of the retry queue (in batches)",
			Labels: []string{"exporter", "data_type"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_queue_size", Unit: "{batch}"}},
		{Name: "otelcol_exporter_queue_capacity", Type: Gauge, Unit: "batches", Help: "Fixed capacity of the retry queue (in batches)",
			Labels: []string{"exporter", "data_type"}, Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_exporter_queue_capacity", Unit: "{batch}"}},
		{Name: "otelcol_process_memory_rss_bytes", Type: Gauge, Unit: "bytes", Help: "Total physical memory (resident set size)",
			Jobs: []string{JobOTelCollector},
			OTel: &OTel{Name: "otelcol_process_memory_rss", Unit: "By"}},
	}
}
