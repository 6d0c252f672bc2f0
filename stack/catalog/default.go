package catalog

// Scrape jobs, by the value of their job label.
const (
	// JobGenOpsPods scrapes every annotated pod of the GenOps namespace
	// (stack/scrape.AnnotatedPods): whatever the workloads serve themselves,
	// GenOps AI's opt-in Prometheus exporter for instance. No query of the
	// stack depends on it but up.
	JobGenOpsPods = "genops-pods"
	// JobGenOpsOTelMetrics scrapes the gateway Collector's prometheus
	// exporter: the metrics it derives from spans and the OTLP metrics
	// workloads push.
	JobGenOpsOTelMetrics = "genops-otel-metrics"
	// JobOTelCollector scrapes the Collectors' own telemetry (port 8888).
	JobOTelCollector = "otel-collector"
	// JobKubeStateMetrics and JobKubelet are kube-prometheus-stack's default
	// ServiceMonitors.
	JobKubeStateMetrics = "kube-state-metrics"
	JobKubelet          = "kubelet"
)

// Default is the catalog of the stack: the metrics the gateway derives from
// GenOps AI's spans, the OTel GenAI metrics other instrumentations push, and
// every external metric the stack's queries use, each with its source. It
// panics if the definitions are invalid, which every test would catch.
func Default() *Catalog {
	c, err := DefaultDefinition().Build()
	if err != nil {
		panic(err)
	}
	return c
}

// DefaultDefinition is what Default is built from.
func DefaultDefinition() Definition {
	return Definition{Contract: DefaultContract(), Jobs: defaultJobs(), Metrics: defaultMetrics()}
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

// The labels of the GenOps metrics and the span attributes they come from.
var (
	teamLabel       = Label{Name: "team", Attribute: "genops.team"}
	projectLabel    = Label{Name: "project", Attribute: "genops.project"}
	costCenterLabel = Label{Name: "cost_center", Attribute: "genops.cost_center"}
	providerLabel   = Label{Name: "provider", Attribute: "genops.provider"}
	modelLabel      = Label{Name: "model", Attribute: "genops.model"}
	statusLabel     = Label{Name: "status", Attribute: SpanStatus}
	budgetLabel     = Label{Name: "budget", Attribute: "genops.budget.name"}
	policyLabel     = Label{Name: "policy", Attribute: "genops.policy.name"}
	resultLabel     = Label{Name: "result", Attribute: "genops.policy.result"}
	evalMetricLabel = Label{Name: "metric", Attribute: "genops.eval.metric"}
	claimedLabel    = Label{Name: "claimed_team", Attribute: ClaimedTeamAttribute}
)

// providerCall selects the spans of a call to an AI provider: GenOps AI's
// adapters set genops.provider and genops.model on them (the seed's
// example application genops.model only).
var providerCall = Condition{Kind: AnySet, Attributes: []string{"genops.provider", "genops.model"}}

// seriesBudget is the series budget of every metric the gateway serves: a
// few dozen teams, projects, providers and models over two replicas stay
// well below it; past it, a label holds values it should not (ids, free
// text), which genops-stack doctor names.
const seriesBudget = 10000

// derived is a metric the gateway derives from spans, delivered by
// Prometheus scraping the gateway's prometheus exporter.
func derived(name string, typ Type, unit, help string, d Derivation) Metric {
	var labels []string
	for _, l := range d.Labels {
		labels = append(labels, l.Name)
	}
	for _, f := range d.Parts[0].Fixed {
		labels = append(labels, f.Name)
	}
	return Metric{Name: name, Type: typ, Unit: unit, Help: help, Labels: labels,
		Jobs: []string{JobGenOpsOTelMetrics}, Source: &Source{Kind: FromSpans, Derivation: &d}, SeriesBudget: seriesBudget}
}

func scraped(exporter string) *Source { return &Source{Kind: Scraped, Exporter: exporter} }

// genAIPushers are the instrumentations that push the OTel GenAI metrics.
const genAIPushers = "OpenLIT, OpenLLMetry, the OTel GenAI instrumentations and LiteLLM's OTel callback"

// genAILabels are the GenAI metrics' attributes as labels; the gateway
// copies the older gen_ai.system into gen_ai.provider.name where that is
// unset, so queries read gen_ai_provider_name.
var genAILabels = []string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_system", "gen_ai_request_model", "gen_ai_response_model"}

func genAI(name, unit, help string, extra ...string) Metric {
	return Metric{Name: name, Type: Histogram, Unit: unit, Help: help,
		Labels: append(append([]string{}, genAILabels...), extra...),
		Jobs:   []string{JobGenOpsOTelMetrics}, Source: &Source{Kind: GenAI, Exporter: genAIPushers}, SeriesBudget: seriesBudget}
}

func defaultMetrics() []Metric {
	collector := scraped("the Collectors' own telemetry (collector v0.149.0)")
	ksm := scraped("kube-state-metrics")
	cadvisor := scraped("cAdvisor, through the kubelet")
	return []Metric{
		// Derived by the gateway from GenOps AI's spans.
		derived("genops_requests_total", Counter, "requests", "AI provider calls, by span status",
			Derivation{Instrument: "genops.requests", Parts: []Part{{Value: Value{Count: true}}}, When: []Condition{providerCall},
				Labels: []Label{teamLabel, projectLabel, providerLabel, modelLabel, statusLabel}}),
		derived("genops_request_duration_seconds", Histogram, "seconds", "Duration of AI provider calls",
			Derivation{Instrument: "genops.request.duration", Unit: "s", Parts: []Part{{Value: Value{Duration: true}}}, When: []Condition{providerCall},
				Labels: []Label{providerLabel, modelLabel}, Buckets: []float64{0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120}}),
		derived("genops_cost_usd_total", Counter, "USD", "Cost of AI operations in USD",
			Derivation{Instrument: "genops.cost.usd", Parts: []Part{{Value: Value{Attribute: "genops.cost.total"}}},
				When:   []Condition{{Kind: UnsetOr, Attributes: []string{"genops.cost.currency"}, Value: "USD"}},
				Labels: []Label{teamLabel, projectLabel, costCenterLabel, providerLabel, modelLabel}}),
		derived("genops_tokens_total", Counter, "tokens", "Tokens of AI operations, by type",
			Derivation{Instrument: "genops.tokens", Unit: "{token}", Parts: []Part{
				{Value: Value{Attribute: "genops.tokens.input"}, Fixed: []Label{{Name: "type", Fixed: "input"}}},
				{Value: Value{Attribute: "genops.tokens.output"}, Fixed: []Label{{Name: "type", Fixed: "output"}}},
			}, Labels: []Label{teamLabel, projectLabel, providerLabel, modelLabel}}),
		derived("genops_budget_utilization_percent", Gauge, "percent", "Budget utilization, the last value recorded",
			Derivation{Instrument: "genops.budget.utilization", Unit: "%", Parts: []Part{{Value: Value{Attribute: "genops.budget.utilization_percent"}}},
				Labels: []Label{teamLabel, budgetLabel}}),
		derived("genops_budget_remaining_usd", Gauge, "USD", "Budget remaining in USD, the last value recorded",
			Derivation{Instrument: "genops.budget.remaining.usd", Parts: []Part{{Value: Value{Attribute: "genops.budget.remaining"}}},
				Labels: []Label{teamLabel, projectLabel, budgetLabel}}),
		derived("genops_policy_violations_total", Counter, "violations", "Policy decisions other than allowed",
			Derivation{Instrument: "genops.policy.violations", Unit: "{violation}", Parts: []Part{{Value: Value{Count: true}}},
				When:   []Condition{{Kind: SetAndNot, Attributes: []string{"genops.policy.result"}, Value: "allowed"}},
				Labels: []Label{teamLabel, policyLabel, resultLabel}}),
		derived("genops_policy_enforcements_total", Counter, "decisions", "Policy decisions, allowed included",
			Derivation{Instrument: "genops.policy.enforcements", Unit: "{decision}", Parts: []Part{{Value: Value{Count: true}}},
				When:   []Condition{{Kind: AnySet, Attributes: []string{"genops.policy.result"}}},
				Labels: []Label{teamLabel, policyLabel, resultLabel}}),
		derived("genops_eval_quality_score", Gauge, "score from 0 to 1", "Evaluation score, the last value recorded",
			Derivation{Instrument: "genops.eval.quality_score", Parts: []Part{{Value: Value{Attribute: "genops.eval.score"}}},
				Labels: []Label{teamLabel, modelLabel, evalMetricLabel}}),
		derived("genops_attribution_conflicts_total", Counter, "spans", "Spans that claimed a team other than the one owning their namespace, charged to the owner (team) and counted by the team they claimed",
			Derivation{Instrument: "genops.attribution.conflicts", Unit: "{span}", Parts: []Part{{Value: Value{Count: true}}},
				When:   []Condition{{Kind: AnySet, Attributes: []string{ClaimedTeamAttribute}}},
				Labels: []Label{teamLabel, claimedLabel}}),

		// The OTel GenAI semantic-convention metrics.
		genAI("gen_ai_client_token_usage", "tokens", "Tokens used by GenAI client operations", "gen_ai_token_type"),
		genAI("gen_ai_client_operation_duration_seconds", "seconds", "Duration of GenAI client operations", "error_type"),
		genAI("gen_ai_client_operation_time_to_first_chunk_seconds", "seconds", "Time to the first chunk of a streamed GenAI response"),
		genAI("gen_ai_server_time_to_first_token_seconds", "seconds", "Time to the first token, measured by the model server"),

		// Prometheus' own series for every target.
		{Name: "up", Type: Gauge, Unit: "boolean", Help: "1 if the last scrape of the target succeeded, 0 otherwise",
			Jobs:   []string{JobGenOpsPods, JobGenOpsOTelMetrics, JobOTelCollector, JobKubeStateMetrics, JobKubelet},
			Source: scraped("Prometheus itself, for every scrape target")},
		// kube-state-metrics.
		{Name: "kube_pod_status_phase", Type: Gauge, Unit: "boolean", Help: "The pods current phase",
			Labels: []string{"namespace", "pod", "uid", "phase"}, Jobs: []string{JobKubeStateMetrics}, Source: ksm},
		{Name: "kube_pod_container_status_restarts_total", Type: Counter, Unit: "restarts", Help: "The number of container restarts per container",
			Labels: []string{"namespace", "pod", "uid", "container"}, Jobs: []string{JobKubeStateMetrics}, Source: ksm},
		{Name: "kube_pod_container_status_waiting_reason", Type: Gauge, Unit: "boolean", Help: "Describes the reason the container is currently in waiting state",
			Labels: []string{"namespace", "pod", "uid", "container", "reason"}, Jobs: []string{JobKubeStateMetrics}, Source: ksm},
		{Name: "kube_pod_container_status_last_terminated_reason", Type: Gauge, Unit: "boolean", Help: "Describes the last reason the container was in terminated state",
			Labels: []string{"namespace", "pod", "uid", "container", "reason"}, Jobs: []string{JobKubeStateMetrics}, Source: ksm},

		// cAdvisor, through the kubelet.
		{Name: "container_memory_working_set_bytes", Type: Gauge, Unit: "bytes", Help: "Current working set in bytes",
			Labels: []string{"container", "id", "image", "name", "namespace", "pod"}, Jobs: []string{JobKubelet}, Source: cadvisor},
		{Name: "container_spec_memory_limit_bytes", Type: Gauge, Unit: "bytes", Help: "Memory limit for the container",
			Labels: []string{"container", "id", "image", "name", "namespace", "pod"}, Jobs: []string{JobKubelet}, Source: cadvisor},

		// The Collectors' own telemetry (collector v0.149.0; our telemetry
		// config leaves the Prometheus exporter's type and unit suffixes on).
		{Name: "otelcol_receiver_accepted_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans successfully pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_receiver_refused_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans that could not be pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_receiver_accepted_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points successfully pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_receiver_refused_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points that could not be pushed into the pipeline",
			Labels: []string{"receiver", "transport"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_sent_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans successfully sent to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_send_failed_spans_total", Type: Counter, Unit: "spans", Help: "Number of spans in failed attempts to send to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_sent_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points successfully sent to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_send_failed_metric_points_total", Type: Counter, Unit: "datapoints", Help: "Number of metric points in failed attempts to send to destination",
			Labels: []string{"exporter"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_queue_size", Type: Gauge, Unit: "batches", Help: "Current size of the retry queue (in batches)",
			Labels: []string{"exporter", "data_type"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_exporter_queue_capacity", Type: Gauge, Unit: "batches", Help: "Fixed capacity of the retry queue (in batches)",
			Labels: []string{"exporter", "data_type"}, Jobs: []string{JobOTelCollector},
			Source: collector},
		{Name: "otelcol_process_memory_rss_bytes", Type: Gauge, Unit: "bytes", Help: "Total physical memory (resident set size)",
			Jobs:   []string{JobOTelCollector},
			Source: collector},
	}
}
