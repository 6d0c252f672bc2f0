package scrape

import (
	"fmt"
	"maps"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Scraper is who scrapes the GenOps pods.
type Scraper string

// The two places JobGenOpsPods can run. Never both: every series would be
// stored twice.
const (
	// ByCollector runs the job in the cluster collector's prometheus
	// receiver, which remote-writes to Prometheus.
	ByCollector Scraper = "collector"
	// ByPrometheus has Prometheus run it, from a PodMonitor (or the raw job).
	ByPrometheus Scraper = "prometheus"
)

// Spec is what an environment decides about scraping.
type Spec struct {
	GenOpsPods Scraper
}

// Wiring is what the jobs point at, decided by the rest of the stack.
type Wiring struct {
	MonitoringNamespace string // where the Collectors run
	WorkloadNamespace   string // where the GenOps pods run
	Cluster             string // the cluster label
	Interval            string // scrape interval of every job
	// SelectorLabels are the labels Prometheus selects monitors by.
	SelectorLabels map[string]string
	// Labels are on every object genops-stack renders.
	Labels map[string]string
	// CollectorPods are labels every Collector pod carries, and
	// CollectorTelemetryPort the container port of their own metrics.
	CollectorPods          map[string]string
	CollectorTelemetryPort string
	// GatewayPods are the labels of the gateway's pods (its Service selector)
	// and GatewayMetricsPort the port of its prometheus exporter.
	GatewayPods        map[string]string
	GatewayMetricsPort string
}

// Plan is where every job of an environment runs.
type Plan struct {
	// CollectorJobs run in the cluster collector's prometheus receiver.
	CollectorJobs []Job
	// PrometheusJobs are what Prometheus scrapes, as raw scrape configs: the
	// additionalScrapeConfigs file, for Prometheus without the Operator.
	PrometheusJobs []Job
	// Monitors are the same jobs as PodMonitors and ServiceMonitors, for the
	// Operator. Deploy the monitors or the raw jobs, not both.
	Monitors kube.Component
}

// Build places the jobs of one environment.
func Build(s Spec, w Wiring) (Plan, error) {
	genops := podJob(JobGenOpsPods, w.WorkloadNamespace, w.Interval, annotatedPodsRelabels())
	collector := podJob(JobCollector, w.MonitoringNamespace, w.Interval,
		append(podsWithPort(w.CollectorPods, w.CollectorTelemetryPort), clusterLabel(w.Cluster)))
	// The gateway's series carry cluster already (the exporter's const label).
	gateway := podJob(JobGatewayMetrics, w.MonitoringNamespace, w.Interval, podsWithPort(w.GatewayPods, w.GatewayMetricsPort))

	p := Plan{Monitors: kube.Component{Name: "monitors"}}
	p.PrometheusJobs = []Job{collector, gateway}
	p.Monitors.Objects = []kube.Object{
		podMonitor(w, JobCollector, w.MonitoringNamespace, w.CollectorPods, w.CollectorTelemetryPort, collector),
		serviceMonitor(w, JobGatewayMetrics, w.GatewayPods, w.GatewayMetricsPort, gateway),
	}
	switch s.GenOpsPods {
	case ByPrometheus:
		genops.RelabelConfigs = append(genops.RelabelConfigs, clusterLabel(w.Cluster))
		p.PrometheusJobs = append([]Job{genops}, p.PrometheusJobs...)
		p.Monitors.Objects = append(p.Monitors.Objects, podMonitor(w, JobGenOpsPods, w.WorkloadNamespace, nil, "", genops))
	default:
		p.CollectorJobs = []Job{genops}
	}
	for _, o := range p.Monitors.Objects {
		if err := kube.SetTypeMeta(o); err != nil {
			return p, err
		}
	}
	kube.SortObjects(p.Monitors.Objects)
	return p, nil
}

// operatorLabels are the target labels the Operator adds on its own, which
// the raw jobs do not have; the monitors drop them so both forms give the
// same TargetLabels.
const operatorExtraLabels = "container|endpoint|service"

// monitorRelabels turns a job's relabelings into a monitor's: the job label
// set to the job's name (the Operator names it after the monitor or the
// Service), and the Operator's extra labels dropped.
func monitorRelabels(job Job) []monitoringv1.RelabelConfig {
	rs := append(append([]Relabel{}, job.RelabelConfigs...),
		Relabel{TargetLabel: "job", Replacement: job.Name},
		Relabel{Regex: operatorExtraLabels, Action: "labeldrop"},
	)
	return operatorRelabels(rs)
}

func operatorRelabels(rs []Relabel) []monitoringv1.RelabelConfig {
	out := make([]monitoringv1.RelabelConfig, len(rs))
	for i, r := range rs {
		c := monitoringv1.RelabelConfig{TargetLabel: r.TargetLabel, Regex: r.Regex, Action: r.Action}
		for _, l := range r.SourceLabels {
			c.SourceLabels = append(c.SourceLabels, monitoringv1.LabelName(l))
		}
		if r.Separator != "" {
			c.Separator = &r.Separator
		}
		if r.Replacement != "" {
			c.Replacement = kube.Ptr(r.Replacement)
		}
		out[i] = c
	}
	return out
}

func monitorMeta(w Wiring, name, namespace string) metav1.ObjectMeta {
	lbl := map[string]string{}
	maps.Copy(lbl, w.Labels)
	maps.Copy(lbl, w.SelectorLabels)
	return kube.Meta(name, namespace, lbl)
}

// podMonitor expresses a pod-role job: the pods of namespace carrying sel
// (all of them when sel is empty), on the container port named port (every
// port when empty), relabeled as the job is.
func podMonitor(w Wiring, name, namespace string, sel map[string]string, port string, job Job) *monitoringv1.PodMonitor {
	ep := monitoringv1.PodMetricsEndpoint{
		Interval:             monitoringv1.Duration(job.ScrapeInterval),
		RelabelConfigs:       monitorRelabels(job),
		MetricRelabelConfigs: operatorRelabels(job.MetricRelabelConfigs),
	}
	if port != "" {
		ep.Port = kube.Ptr(port)
	}
	return &monitoringv1.PodMonitor{
		ObjectMeta: monitorMeta(w, name, w.MonitoringNamespace),
		Spec: monitoringv1.PodMonitorSpec{
			Selector:            metav1.LabelSelector{MatchLabels: sel},
			NamespaceSelector:   monitoringv1.NamespaceSelector{MatchNames: []string{namespace}},
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{ep},
		},
	}
}

// serviceMonitor expresses a job over the pods behind the Services carrying
// sel, on their port named port.
func serviceMonitor(w Wiring, name string, sel map[string]string, port string, job Job) *monitoringv1.ServiceMonitor {
	return &monitoringv1.ServiceMonitor{
		ObjectMeta: monitorMeta(w, name, w.MonitoringNamespace),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector:          metav1.LabelSelector{MatchLabels: sel},
			NamespaceSelector: monitoringv1.NamespaceSelector{MatchNames: []string{w.MonitoringNamespace}},
			Endpoints: []monitoringv1.Endpoint{{
				Port:                 port,
				Interval:             monitoringv1.Duration(job.ScrapeInterval),
				RelabelConfigs:       monitorRelabels(job),
				MetricRelabelConfigs: operatorRelabels(job.MetricRelabelConfigs),
			}},
		},
	}
}

// YAML renders jobs as a list of scrape configs, the form of Prometheus'
// additionalScrapeConfigs (and of scrape_configs' items).
func YAML(jobs []Job) ([]byte, error) {
	data, err := files.MarshalYAML(jobs)
	if err != nil {
		return nil, err
	}
	return files.WithHashHeader(data), nil
}

// ValidateFile checks a rendered scrape-configs file with the pieces of
// Prometheus' loader that genops-stack links: strict decoding of the jobs
// and Prometheus' relabel config loader and validation for every rule. The
// tests load it with Prometheus' whole config loader as well.
func ValidateFile(data []byte) error {
	var jobs []Job
	if err := yaml.UnmarshalStrict(data, &jobs); err != nil {
		return err
	}
	for _, j := range jobs {
		if _, err := prometheusRelabels(j.RelabelConfigs); err != nil {
			return fmt.Errorf("job %s: relabel_configs: %w", j.Name, err)
		}
		if _, err := prometheusRelabels(j.MetricRelabelConfigs); err != nil {
			return fmt.Errorf("job %s: metric_relabel_configs: %w", j.Name, err)
		}
	}
	return nil
}
