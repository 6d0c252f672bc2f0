package pipeline

import (
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/integrations"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// Check runs the typed checks of one assembled environment.
func Check(s *Stack) finding.List {
	var fs finding.List
	env := s.Env
	a := env.Artifact()
	if len(validation.IsDNS1123Label(env.Name)) > 0 {
		fs.Errorf(a, "environment", "environment-name", "name %q must be a DNS label (lower-case letters, digits, '-')", env.Name)
	}
	if env.Cluster == "" {
		fs.Errorf(a, "environment", "cluster-name", "has no cluster name: set Cluster, it becomes the cluster label of every series")
	}
	for what, ns := range map[string]string{"Monitoring": env.Namespaces.Monitoring, "Workloads": env.Namespaces.Workloads} {
		if len(validation.IsDNS1123Label(ns)) > 0 {
			fs.Errorf(a, "namespaces", "namespace-name", "Namespaces.%s %q must be a DNS label", what, ns)
		}
	}
	fs.Add(collector.Check(a, s.Collectors)...)
	fs.Add(collector.CheckDerivation(a, s.Catalog.Derived())...)
	fs.Add(kube.CheckPosture(a, s.Objects(), s.Exceptions()...)...)
	fs.Add(sampling.Check(a, env.Sampling)...)
	fs.Add(sampling.CheckAttributes(a, env.Sampling, s.Catalog.Contract())...)
	fs.Add(tracing.Check(a, env.Tracing, env.Tempo, env.Jaeger)...)
	fs.Add(logging.Check(a, env.Logging)...)
	fs.Add(scrape.CheckSpec(a, env.Scrape, env.Collector.ScrapeInterval)...)
	fs.Add(scrape.Check(a, s.Scrape, s.Objects(), env.Monitoring.SelectorLabels())...)
	fs.Add(integrations.Check(a, env.Integrations)...)
	fs.Add(checkAlerting(s)...)
	fs.Add(alerts.Check(a, s.RuleGroups)...)
	m := env.Monitoring
	if m.Replicas < 1 {
		fs.Errorf(a, "kube-prometheus-stack", "replicas", "Prometheus replicas must be at least 1, got %d", m.Replicas)
	}
	if _, err := model.ParseDuration(m.Retention); err != nil {
		fs.Errorf(a, "kube-prometheus-stack", "retention", "retention %q is not a Prometheus duration: %v", m.Retention, err)
	}
	if m.GrafanaAdminSecret == "" {
		fs.Errorf(a, "kube-prometheus-stack", "grafana-admin", "GrafanaAdminSecret must name the existing Secret holding Grafana's admin credentials")
	}
	if m.Release == "" {
		fs.Errorf(a, "kube-prometheus-stack", "release", "Release must name the Helm release: Prometheus selects rules and monitors by it")
	}
	return fs
}
