package scrape_test

import (
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/labels"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// workload is a GenOps workload as the README documents it: governance
// labels and the prometheus.io annotations.
var workload = scrape.Pod{
	Workload:  kube.ID{Kind: "Deployment", Namespace: "genops-system", Name: "genops-ai"},
	Namespace: "genops-system", Name: "genops-ai-0", IP: "10.1.0.1",
	Labels: map[string]string{
		"genops.ai/team": "ml-platform", "genops.ai/project": "inference",
		"genops.ai/environment": "production", "genops.ai/cost-center": "engineering",
	},
	Annotations: map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8000", "prometheus.io/path": "/metrics"},
	Containers:  []corev1.Container{{Name: "genops-ai", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8000}, {Name: "grpc", ContainerPort: 9000}}}},
}

func build(t *testing.T, env stack.Environment) (*pipeline.Stack, []scrape.Pod, []*corev1.Service) {
	t.Helper()
	s, err := pipeline.Build(env)
	if err != nil {
		t.Fatal(err)
	}
	pods := append(scrape.Pods(s.Objects()), workload)
	var svcs []*corev1.Service
	for _, o := range s.Objects() {
		if svc, ok := o.(*corev1.Service); ok {
			svcs = append(svcs, svc)
		}
	}
	return s, pods, svcs
}

func selector(m map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: m}
}

func names(ls labels.Labels) []string {
	var out []string
	ls.Range(func(l labels.Label) { out = append(out, l.Name) })
	return out
}

// TestTargetLabels: every job gives its targets exactly the TargetLabels
// the catalog is written against, in every form it runs in. cluster is a
// target label only where the series do not get it otherwise (remote write,
// the gateway exporter's const label).
func TestTargetLabels(t *testing.T) {
	without := func(job, name string) []string {
		return slices.DeleteFunc(slices.Clone(scrape.TargetLabels[job]), func(l string) bool { return l == name })
	}
	for _, env := range []stack.Environment{stack.Production(), stack.Development()} {
		s, pods, _ := build(t, env)
		for _, j := range append(append([]scrape.Job{}, s.Scrape.CollectorJobs...), s.Scrape.PrometheusJobs...) {
			ts, err := j.Targets(pods)
			if err != nil {
				t.Fatal(err)
			}
			want := scrape.TargetLabels[j.Name]
			if j.Name == scrape.JobGatewayMetrics || slices.ContainsFunc(s.Scrape.CollectorJobs, func(c scrape.Job) bool { return c.Name == j.Name }) {
				want = without(j.Name, "cluster")
			}
			if len(ts) == 0 {
				t.Errorf("%s: job %s finds no target", env.Name, j.Name)
			}
			for _, tg := range ts {
				got := names(tg.Labels)
				if j.Name == scrape.JobGenOpsPods && tg.Pod != workload.Workload {
					continue // only the GenOps workloads carry governance labels
				}
				if strings.Join(sorted(got), ",") != strings.Join(sorted(want), ",") {
					t.Errorf("%s: job %s target %s has labels %v, want %v", env.Name, j.Name, tg.Pod, got, want)
				}
			}
		}
	}
}

// TestMonitorsScrapeWhatTheRawJobsScrape: the monitors and the raw jobs are
// two forms of the same jobs: same targets, same labels.
func TestMonitorsScrapeWhatTheRawJobsScrape(t *testing.T) {
	for _, env := range []stack.Environment{stack.Production(), stack.Development()} {
		s, pods, svcs := build(t, env)
		monitors := map[string]kube.Object{}
		for _, o := range s.Scrape.Monitors.Objects {
			monitors[o.GetName()] = o
		}
		if len(monitors) != len(s.Scrape.PrometheusJobs) {
			t.Errorf("%s: %d monitors for %d Prometheus jobs", env.Name, len(monitors), len(s.Scrape.PrometheusJobs))
		}
		for _, j := range s.Scrape.PrometheusJobs {
			raw, err := j.Targets(pods)
			if err != nil {
				t.Fatal(err)
			}
			viaMonitor, err := scrape.MonitorTargets(monitors[j.Name], pods, svcs)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := describe(viaMonitor), describe(raw); got != want {
				t.Errorf("%s: monitor %s scrapes\n%s\nraw job scrapes\n%s", env.Name, j.Name, got, want)
			}
		}
	}
}

func describe(ts []scrape.Target) string {
	var lines []string
	for _, t := range ts {
		lines = append(lines, t.Pod.String()+" "+t.Address+t.Path+" "+t.Labels.String())
	}
	return strings.Join(lines, "\n")
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestCheck feeds one scraping mistake at a time and asserts the exact findings.
func TestCheck(t *testing.T) {
	// gatewayTelemetryMonitor scrapes the gateway's own telemetry (port
	// metrics, 8888) through its Service, which the otel-collector
	// PodMonitor scrapes already.
	gatewayTelemetryMonitor := &monitoringv1.ServiceMonitor{
		ObjectMeta: kube.Meta("otel-collector-telemetry", "monitoring", map[string]string{"release": "monitoring"}),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector:          *selector(map[string]string{"app.kubernetes.io/name": "otel-collector"}),
			NamespaceSelector: monitoringv1.NamespaceSelector{MatchNames: []string{"monitoring"}},
			Endpoints:         []monitoringv1.Endpoint{{Port: "metrics"}},
		},
	}
	if err := kube.SetTypeMeta(gatewayTelemetryMonitor); err != nil {
		t.Fatal(err)
	}
	gatewayMonitor := func(s *pipeline.Stack) *monitoringv1.ServiceMonitor {
		for _, o := range s.Scrape.Monitors.Objects {
			if m, ok := o.(*monitoringv1.ServiceMonitor); ok {
				return m
			}
		}
		t.Fatal("no ServiceMonitor")
		return nil
	}
	tests := []struct {
		name   string
		env    stack.Environment
		mutate func(*pipeline.Stack) []kube.Object
		want   []string
	}{
		{"defaults", stack.Production(), func(s *pipeline.Stack) []kube.Object { return s.Objects() }, nil},
		{"ServiceMonitor port not on the Service", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			gatewayMonitor(s).Spec.Endpoints[0].Port = "prom"
			return s.Objects()
		}, []string{`env: ServiceMonitor monitoring/genops-otel-metrics: endpoint port "prom" is not a port of Service monitoring/otel-collector (ports otlp-grpc, otlp-http, metrics, prometheus): it scrapes nothing; name a port of the Service`}},
		{"ServiceMonitor selecting no Service", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			gatewayMonitor(s).Spec.Selector = *selector(map[string]string{"app.kubernetes.io/name": "otel-gateway"})
			return s.Objects()
		}, []string{"env: ServiceMonitor monitoring/genops-otel-metrics: selects no Service: it scrapes nothing"}},
		{"gateway scraped by a ServiceMonitor and the otel-collector PodMonitor", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			return append(s.Objects(), gatewayTelemetryMonitor)
		}, []string{"env: Deployment monitoring/otel-collector: port 8888 /metrics is scraped by PodMonitor monitoring/otel-collector and ServiceMonitor monitoring/otel-collector-telemetry: every series would be stored 2 times; scrape each pod in one job"}},
		{"otel-collector in the collector and in Prometheus", stack.Development(), func(s *pipeline.Stack) []kube.Object {
			s.Scrape.CollectorJobs = s.Scrape.PrometheusJobs[1:2]
			return s.Objects()
		}, []string{
			"env: Deployment monitoring/otel-collector: port 8888 /metrics is scraped by PodMonitor monitoring/otel-collector and job otel-collector (cluster collector): every series would be stored 2 times; scrape each pod in one job",
			"env: Deployment monitoring/otel-collector-cluster: port 8888 /metrics is scraped by PodMonitor monitoring/otel-collector and job otel-collector (cluster collector): every series would be stored 2 times; scrape each pod in one job",
			"env: Deployment monitoring/otel-collector: port 8888 /metrics is scraped by job otel-collector (Prometheus) and job otel-collector (cluster collector): every series would be stored 2 times; scrape each pod in one job",
			"env: Deployment monitoring/otel-collector-cluster: port 8888 /metrics is scraped by job otel-collector (Prometheus) and job otel-collector (cluster collector): every series would be stored 2 times; scrape each pod in one job",
		}},
		{"monitor Prometheus does not select", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			delete(gatewayMonitor(s).Labels, "release")
			return s.Objects()
		}, []string{"env: ServiceMonitor monitoring/genops-otel-metrics: lacks the label release=monitoring that Prometheus selects monitors by: Prometheus would ignore it"}},
		{"the seed's genops_ prefix rule", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			s.Scrape.CollectorJobs[0].MetricRelabelConfigs = append(s.Scrape.CollectorJobs[0].MetricRelabelConfigs,
				scrape.Relabel{SourceLabels: []string{"__name__"}, Regex: "(.+)", Replacement: "genops_${1}", TargetLabel: "__name__"})
			return s.Objects()
		}, []string{`env: job genops-pods (cluster collector): metric relabeling rewrites __name__ to "genops_${1}": GenOps metrics are named genops_* already, so this makes genops_genops_*; drop the rule`}},
		{"relabel rule Prometheus rejects", stack.Production(), func(s *pipeline.Stack) []kube.Object {
			s.Scrape.CollectorJobs[0].RelabelConfigs = append(s.Scrape.CollectorJobs[0].RelabelConfigs, scrape.Relabel{Action: "replace", Replacement: "x"})
			return s.Objects()
		}, []string{"env: job genops-pods (cluster collector): relabel config 10: relabel configuration for replace action requires 'target_label' value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := pipeline.Build(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			objs := tt.mutate(s)
			got := scrape.Check("env", s.Scrape, objs, tt.env.Monitoring.SelectorLabels()).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheckSpec(t *testing.T) {
	tests := []struct {
		name     string
		spec     scrape.Spec
		interval string
		want     []string
	}{
		{"by the collector", scrape.Spec{GenOpsPods: scrape.ByCollector}, "30s", nil},
		{"by Prometheus", scrape.Spec{GenOpsPods: scrape.ByPrometheus}, "1m", nil},
		{"unknown scraper", scrape.Spec{GenOpsPods: "both"}, "30s",
			[]string{`env: scrape: GenOpsPods "both" is neither "collector" nor "prometheus": say who scrapes the GenOps pods`}},
		{"interval in words", scrape.Spec{GenOpsPods: scrape.ByCollector}, "30 seconds",
			[]string{`env: scrape: scrape interval "30 seconds" is not a positive Prometheus duration such as "30s"`}},
		{"zero interval", scrape.Spec{GenOpsPods: scrape.ByCollector}, "0s",
			[]string{`env: scrape: scrape interval "0s" is not a positive Prometheus duration such as "30s"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrape.CheckSpec("env", tt.spec, tt.interval).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// BenchmarkCheck is the scrape check of one environment: discovery of the
// stack's pods, every job's and monitor's targets, the double-scrape search.
func BenchmarkCheck(b *testing.B) {
	env := stack.Production()
	s, err := pipeline.Build(env)
	if err != nil {
		b.Fatal(err)
	}
	objs := s.Objects()
	b.ReportAllocs()
	for b.Loop() {
		if fs := scrape.Check("env", s.Scrape, objs, env.Monitoring.SelectorLabels()); len(fs) > 0 {
			b.Fatal(fs)
		}
	}
}
