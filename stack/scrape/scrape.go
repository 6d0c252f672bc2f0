// Package scrape owns the Prometheus scrape jobs of the stack: their typed
// form, which renders to Prometheus' scrape_config YAML unchanged, whether
// Prometheus runs them (the additionalScrapeConfigs file) or the Collector's
// prometheus receiver does.
package scrape

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
// collide with a metric's own labels (the exporter's metrics carry team and
// project themselves).
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

// AnnotatedPods is the job that scrapes every pod of namespace that opts in
// with the prometheus.io/scrape annotation (honouring prometheus.io/path and
// prometheus.io/port) and adds the governance labels and the pod's identity.
// It drops the Go runtime and process series, which no query uses.
func AnnotatedPods(name, namespace, interval string) Job {
	j := Job{
		Name:                name,
		ScrapeInterval:      interval,
		KubernetesSDConfigs: []KubernetesSD{{Role: "pod", Namespaces: &Namespaces{Names: []string{namespace}}}},
		RelabelConfigs: []Relabel{
			{SourceLabels: []string{"__meta_kubernetes_pod_annotation_prometheus_io_scrape"}, Action: "keep", Regex: "true"},
			{SourceLabels: []string{"__meta_kubernetes_pod_annotation_prometheus_io_path"}, Action: "replace", TargetLabel: "__metrics_path__", Regex: "(.+)"},
			{SourceLabels: []string{"__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"}, Action: "replace",
				Regex: `([^:]+)(?::\d+)?;(\d+)`, Replacement: "$1:$2", TargetLabel: "__address__"},
		},
		MetricRelabelConfigs: []Relabel{
			{SourceLabels: []string{"__name__"}, Regex: "go_.*|process_.*", Action: "drop"},
		},
	}
	for _, g := range GovernanceLabels {
		j.RelabelConfigs = append(j.RelabelConfigs, Relabel{SourceLabels: []string{PodLabelMeta(g.PodLabel)}, TargetLabel: g.TargetLabel})
	}
	j.RelabelConfigs = append(j.RelabelConfigs,
		Relabel{SourceLabels: []string{"__meta_kubernetes_namespace"}, TargetLabel: "namespace"},
		Relabel{SourceLabels: []string{"__meta_kubernetes_pod_name"}, TargetLabel: "pod"},
	)
	return j
}
