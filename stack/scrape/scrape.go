// Package scrape owns the Prometheus scrape jobs of the stack: their typed
// form, which renders to Prometheus' scrape_config YAML unchanged, whether
// Prometheus runs them (the additionalScrapeConfigs file) or the Collector's
// prometheus receiver does; the ServiceMonitors and PodMonitors that express
// the same jobs for the Prometheus Operator; and the check that no pod is
// scraped twice, which runs the jobs' relabelings through Prometheus' own
// relabel engine over the pods the stack deploys.
package scrape

import (
	"maps"
	"slices"
)

// Job is one Prometheus scrape_config.
type Job struct {
	Name                 string         `json:"job_name"`
	ScrapeInterval       string         `json:"scrape_interval,omitempty"`
	ScrapeTimeout        string         `json:"scrape_timeout,omitempty"`
	MetricsPath          string         `json:"metrics_path,omitempty"`
	HonorLabels          bool           `json:"honor_labels,omitempty"`
	KubernetesSDConfigs  []KubernetesSD `json:"kubernetes_sd_configs,omitempty"`
	StaticConfigs        []Static       `json:"static_configs,omitempty"`
	RelabelConfigs       []Relabel      `json:"relabel_configs,omitempty"`
	MetricRelabelConfigs []Relabel      `json:"metric_relabel_configs,omitempty"`
}

// KubernetesSD is a kubernetes_sd_config.
type KubernetesSD struct {
	Role       string      `json:"role"`
	Namespaces *Namespaces `json:"namespaces,omitempty"`
}

// Namespaces limits Kubernetes discovery to some namespaces.
type Namespaces struct {
	Names []string `json:"names"`
}

// Static is a static_config.
type Static struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Relabel is a relabel_config.
type Relabel struct {
	SourceLabels []string `json:"source_labels,omitempty"`
	Separator    string   `json:"separator,omitempty"`
	Regex        string   `json:"regex,omitempty"`
	TargetLabel  string   `json:"target_label,omitempty"`
	Replacement  string   `json:"replacement,omitempty"`
	Action       string   `json:"action,omitempty"`
}

// GovernanceLabel maps a pod label to the target label every series of the
// target gets. Target labels are prefixed with genops_ so they can never
// collide with a metric's own labels (a workload's metrics may carry team
// and project themselves).
type GovernanceLabel struct {
	PodLabel    string // e.g. genops.ai/team
	TargetLabel string // e.g. genops_team
}

// GovernanceLabels are the pod labels the GenOps pods job copies onto its targets.
var GovernanceLabels = []GovernanceLabel{
	{PodLabel: "genops.ai/team", TargetLabel: "genops_team"},
	{PodLabel: "genops.ai/project", TargetLabel: "genops_project"},
	{PodLabel: "genops.ai/environment", TargetLabel: "genops_environment"},
	{PodLabel: "genops.ai/cost-center", TargetLabel: "genops_cost_center"},
}

// PodLabelMeta is the service discovery label Prometheus exposes for a pod label.
func PodLabelMeta(podLabel string) string {
	return "__meta_kubernetes_pod_label_" + sanitize(podLabel)
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// The jobs of the stack. Other packages (the metric catalog, alerts) write
// their queries against these job names and TargetLabels.
const (
	// JobGenOpsPods scrapes every GenOps pod that opts in with the
	// prometheus.io annotations.
	JobGenOpsPods = "genops-pods"
	// JobCollector scrapes the Collectors' own telemetry (port 8888).
	JobCollector = "otel-collector"
	// JobGatewayMetrics scrapes the gateway's prometheus exporter (port
	// 8889), the OTLP metrics of the GenOps workloads.
	JobGatewayMetrics = "genops-otel-metrics"
)

// TargetLabels are the labels each job puts on every series it scrapes, the
// metric's own labels aside. cluster comes from the remote-write external
// label (collector), a target label (Prometheus) or, for JobGatewayMetrics,
// the exporter's const label: every series has it either way.
var TargetLabels = map[string][]string{
	JobGenOpsPods:     {"job", "instance", "genops_team", "genops_project", "genops_environment", "genops_cost_center", "namespace", "pod", "cluster"},
	JobCollector:      {"job", "instance", "namespace", "pod", "cluster"},
	JobGatewayMetrics: {"job", "instance", "namespace", "pod", "cluster"},
}

// dropRuntime drops the Go runtime and process series, which no query uses.
var dropRuntime = Relabel{SourceLabels: []string{"__name__"}, Regex: "go_.*|process_.*", Action: "drop"}

// podIdentity names the target after its namespace and pod.
var podIdentity = []Relabel{
	{SourceLabels: []string{"__meta_kubernetes_namespace"}, TargetLabel: "namespace"},
	{SourceLabels: []string{"__meta_kubernetes_pod_name"}, TargetLabel: "pod"},
}

// annotatedPodsRelabels keep the pods that opt in with prometheus.io/scrape,
// honour prometheus.io/path and prometheus.io/port, and copy the governance
// pod labels and the pod's identity onto the target.
func annotatedPodsRelabels() []Relabel {
	rs := []Relabel{
		{SourceLabels: []string{"__meta_kubernetes_pod_annotation_prometheus_io_scrape"}, Action: "keep", Regex: "true"},
		{SourceLabels: []string{"__meta_kubernetes_pod_annotation_prometheus_io_path"}, Action: "replace", TargetLabel: "__metrics_path__", Regex: "(.+)"},
		{SourceLabels: []string{"__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"}, Action: "replace",
			Regex: `([^:]+)(?::\d+)?;(\d+)`, Replacement: "$1:$2", TargetLabel: "__address__"},
	}
	for _, g := range GovernanceLabels {
		rs = append(rs, Relabel{SourceLabels: []string{PodLabelMeta(g.PodLabel)}, TargetLabel: g.TargetLabel})
	}
	return append(rs, podIdentity...)
}

// podsWithPort keeps the pods carrying every label of sel and a container
// port named port, and names the target after the pod.
func podsWithPort(sel map[string]string, port string) []Relabel {
	var rs []Relabel
	for _, k := range slices.Sorted(maps.Keys(sel)) {
		rs = append(rs, Relabel{SourceLabels: []string{PodLabelMeta(k)}, Action: "keep", Regex: sel[k]})
	}
	rs = append(rs, Relabel{SourceLabels: []string{"__meta_kubernetes_pod_container_port_name"}, Action: "keep", Regex: port})
	return append(rs, podIdentity...)
}

// clusterLabel sets the cluster target label, for jobs Prometheus runs
// whose series do not carry it.
func clusterLabel(cluster string) Relabel {
	return Relabel{TargetLabel: "cluster", Replacement: cluster}
}

func podJob(name, namespace, interval string, relabels []Relabel) Job {
	return Job{
		Name:                 name,
		ScrapeInterval:       interval,
		KubernetesSDConfigs:  []KubernetesSD{{Role: "pod", Namespaces: &Namespaces{Names: []string{namespace}}}},
		RelabelConfigs:       relabels,
		MetricRelabelConfigs: []Relabel{dropRuntime},
	}
}
