package pipeline

import (
	"fmt"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/sampling"
)

// DoctorSettings are what genops-stack doctor needs of an environment,
// read from its model: its servers' real names, its Collectors, sampling
// and scrape jobs.
func DoctorSettings(s *Stack) (doctor.Settings, error) {
	e := s.Env
	ns := e.Namespaces.Monitoring
	interval, err := model.ParseDuration(e.Monitoring.ScrapeInterval)
	if err != nil {
		return doctor.Settings{}, fmt.Errorf("%s: scrape interval %q: %v", e.Artifact(), e.Monitoring.ScrapeInterval, err)
	}
	out := doctor.Settings{
		Name: e.Name, Cluster: e.Cluster, Namespace: ns, WorkloadNamespace: e.Namespaces.Workloads,
		QuickStart: collector.QuickStartName,
		// kube-prometheus-stack's fullnameOverride fixes the Services; the
		// operator names the StatefulSets <kind>-<name>.
		Prometheus: doctor.Server{Name: "Prometheus", Service: kubeprometheus.FullName + "-prometheus", Port: 9090,
			Pod: "prometheus-" + kubeprometheus.FullName + "-prometheus-0", Container: "prometheus"},
		Alertmanager: doctor.Server{Name: "Alertmanager", Service: kubeprometheus.FullName + "-alertmanager", Port: 9093,
			Pod: "alertmanager-" + kubeprometheus.FullName + "-alertmanager-0", Container: "alertmanager"},
		ScrapeInterval:     interval,
		ExternalLabels:     s.KubePrometheus.Prometheus.PrometheusSpec.ExternalLabels,
		Selector:           "release=" + e.Monitoring.Release,
		AlertmanagerSecret: AlertmanagerConfigSecret,
		CredentialsSecret:  e.Alerting.CredentialsSecret,
	}
	traces, err := e.Tracing.OTLPEndpoint(ns)
	if err != nil {
		return out, err
	}
	service, _, _ := strings.Cut(traces, ".")
	out.TraceBackend = doctor.Server{Name: string(e.Tracing), Service: service}
	roles := map[string]string{collector.GatewayName: doctor.Gateway, collector.SamplerName: doctor.Sampler,
		collector.ClusterName: doctor.Cluster, collector.AgentName: doctor.Agent}
	for _, in := range s.Collectors {
		out.Collectors = append(out.Collectors, doctor.Collector{Name: in.Name, Role: roles[in.Name], DaemonSet: in.NodeAgent,
			Config: in.ConfigPath(e.Name), TelemetryPort: collector.PortTelemetry})
	}
	if h := e.Sampling.Head; h != nil {
		out.Sampling.HeadPercent = h.Percentage
	}
	if t := e.Sampling.Tail; t != nil {
		for _, p := range t.Policies {
			if p.Type == sampling.ProbabilisticType && p.Probabilistic != nil {
				out.Sampling.TailPercent, out.Sampling.TailPolicy = p.Probabilistic.Percentage, p.Name
			}
		}
	}
	// The scrape jobs: the stack's monitors, the cluster collector's jobs
	// (remote-written) and kube-prometheus-stack's own ServiceMonitors.
	for _, o := range s.Scrape.Monitors.Objects {
		out.Jobs = append(out.Jobs, doctor.Job{Name: o.GetName(), Monitor: fmt.Sprintf("%s %s/%s", o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName())})
	}
	for _, j := range s.Scrape.CollectorJobs {
		out.Jobs = append(out.Jobs, doctor.Job{Name: j.Name, Monitor: "the prometheus receiver of " + collector.ClusterName, RemoteWrite: true})
	}
	for _, j := range []string{"kube-state-metrics", "kubelet"} {
		out.Jobs = append(out.Jobs, doctor.Job{Name: j, Monitor: fmt.Sprintf("ServiceMonitor %s/%s-%s", ns, kubeprometheus.FullName, j)})
	}
	return out, nil
}
