package logging

import (
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// PromtailConfig is Promtail's configuration file. Promtail is end-of-life:
// this is for teams still running it (with the grafana/promtail chart:
// --set-file config.file=promtail.yaml); the filelog agent replaces it.
type PromtailConfig struct {
	Server        PromtailServer    `json:"server"`
	Positions     PromtailPositions `json:"positions"`
	Clients       []PromtailClient  `json:"clients"`
	ScrapeConfigs []PromtailJob     `json:"scrape_configs"`
}

// PromtailServer is Promtail's own HTTP listener.
type PromtailServer struct {
	HTTPListenPort int `json:"http_listen_port"`
	GRPCListenPort int `json:"grpc_listen_port"`
}

// PromtailPositions is where read offsets are kept.
type PromtailPositions struct {
	Filename string `json:"filename"`
}

// PromtailClient is a Loki push endpoint.
type PromtailClient struct {
	URL string `json:"url"`
}

// PromtailJob discovers pods and tails their log files through a pipeline.
type PromtailJob struct {
	JobName             string                `json:"job_name"`
	KubernetesSDConfigs []scrape.KubernetesSD `json:"kubernetes_sd_configs"`
	PipelineStages      []Stage               `json:"pipeline_stages"`
	RelabelConfigs      []scrape.Relabel      `json:"relabel_configs"`
}

// Stage is one pipeline stage; exactly one field is set.
type Stage struct {
	JSON    *JSONStage             `json:"json,omitempty"`
	Labels  map[string]string      `json:"labels,omitempty"`
	Regex   *RegexStage            `json:"regex,omitempty"`
	Metrics map[string]MetricStage `json:"metrics,omitempty"`
}

// JSONStage extracts fields of a JSON line: extracted name -> JMESPath.
type JSONStage struct {
	Expressions map[string]string `json:"expressions"`
}

// RegexStage extracts named groups of Source (the line when empty).
type RegexStage struct {
	Expression string `json:"expression"`
	Source     string `json:"source,omitempty"`
}

// MetricStage turns an extracted value into a Promtail metric
// (promtail_custom_<name>).
type MetricStage struct {
	Type        string       `json:"type"`
	Description string       `json:"description"`
	Source      string       `json:"source"`
	Config      MetricConfig `json:"config"`
}

// MetricConfig says what the value does to the metric.
type MetricConfig struct {
	Action string `json:"action"`
}

// auditAnnotation marks the pods whose logs are audit records.
const auditAnnotation = "__meta_kubernetes_pod_annotation_audit_enabled"

// tailPodFiles makes a discovered pod a Promtail target: its container log
// files on this node. Without these rules Promtail discovers pods and reads
// nothing, as the seed's configuration did.
var tailPodFiles = []scrape.Relabel{
	{SourceLabels: []string{"__meta_kubernetes_pod_node_name"}, TargetLabel: "__host__"},
	{SourceLabels: []string{"__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"}, Separator: "/",
		TargetLabel: "__path__", Replacement: "/var/log/pods/*$1/*.log"},
}

// PromtailConfigFor is the seed's Promtail setup made to work: the
// genops-system job (JSON lines, governance labels, the cost counter) and
// the genops-audit job (audit records of pods annotated audit-enabled:
// "true"). Each pod is read by one job only (the system job skips audit
// pods), and the audit user is not a label (one stream per user would grow
// without bound; it stays in the line).
func PromtailConfigFor(workloadNamespace, lokiNamespace string) PromtailConfig {
	pods := []scrape.KubernetesSD{{Role: "pod", Namespaces: &scrape.Namespaces{Names: []string{workloadNamespace}}}}
	system := append(append([]scrape.Relabel{
		{SourceLabels: []string{auditAnnotation}, Action: "drop", Regex: "true"},
	}, tailPodFiles...),
		scrape.Relabel{SourceLabels: []string{"__meta_kubernetes_pod_label_app"}, TargetLabel: "app"},
		scrape.Relabel{SourceLabels: []string{"__meta_kubernetes_namespace"}, TargetLabel: "namespace"},
		scrape.Relabel{SourceLabels: []string{"__meta_kubernetes_pod_name"}, TargetLabel: "pod"},
	)
	audit := append([]scrape.Relabel{
		{SourceLabels: []string{auditAnnotation}, Action: "keep", Regex: "true"},
	}, tailPodFiles...)
	return PromtailConfig{
		Server:    PromtailServer{HTTPListenPort: 9080, GRPCListenPort: 0},
		Positions: PromtailPositions{Filename: "/run/promtail/positions.yaml"},
		Clients:   []PromtailClient{{URL: PushURL(lokiNamespace)}},
		ScrapeConfigs: []PromtailJob{
			{
				JobName:             "genops-system",
				KubernetesSDConfigs: pods,
				PipelineStages: []Stage{
					{JSON: &JSONStage{Expressions: map[string]string{
						"level": "level", "timestamp": "timestamp", "message": "message",
						"team": "governance.team", "project": "governance.project", "cost": "governance.cost_usd",
					}}},
					{Labels: map[string]string{"team": "team", "project": "project", "level": "level"}},
					{Regex: &RegexStage{Expression: `.*cost_usd=(?P<cost>[0-9.]+)`, Source: "message"}},
					{Metrics: map[string]MetricStage{"cost_total": {
						Type: "Counter", Description: "Total cost from logs", Source: "cost", Config: MetricConfig{Action: "add"},
					}}},
				},
				RelabelConfigs: system,
			},
			{
				JobName:             "genops-audit",
				KubernetesSDConfigs: pods,
				PipelineStages: []Stage{
					{JSON: &JSONStage{Expressions: map[string]string{
						"level": "level", "action": "audit.action", "resource": "audit.resource", "user": "audit.user", "result": "audit.result",
					}}},
					{Labels: map[string]string{"action": "action", "result": "result"}},
				},
				RelabelConfigs: audit,
			},
		},
	}
}

// Jobs are the Promtail jobs as scrape jobs (the same discovery and
// relabeling), for computing which pods each job reads.
func (c PromtailConfig) Jobs() []scrape.Job {
	var out []scrape.Job
	for _, j := range c.ScrapeConfigs {
		out = append(out, scrape.Job{Name: j.JobName, KubernetesSDConfigs: j.KubernetesSDConfigs, RelabelConfigs: j.RelabelConfigs})
	}
	return out
}

// YAML renders the configuration file.
func (c PromtailConfig) YAML() ([]byte, error) {
	data, err := files.MarshalYAML(c)
	if err != nil {
		return nil, err
	}
	head := "# Promtail is end-of-life: prefer the Collector's filelog agent (Logging.Agent = filelog).\n" +
		"# Deploy with the grafana/promtail chart: --set-file config.file=<this file>\n"
	return files.WithHashHeader(append([]byte(head), data...)), nil
}
