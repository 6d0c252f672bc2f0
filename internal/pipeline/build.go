package pipeline

import (
	"fmt"
	"github.com/koshihq/genops-stack/stack"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/integrations"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// Build assembles one environment with this repository's content
// (stack.DefaultContent) into a Stack.
func Build(env stack.Environment) (*Stack, error) { return BuildWith(stack.DefaultContent(), env) }

// BuildWith assembles one environment with content c into a Stack. It fails
// only when the environment cannot be assembled at all (an unknown tracing
// backend); everything else is reported by Check.
func BuildWith(c stack.Content, env stack.Environment) (*Stack, error) {
	cat, err := c.Catalog.Build()
	if err != nil {
		return nil, err
	}
	return build(c, env, cat, newSharedDashboards())
}

// build is Build with the catalog built once and the dashboards shared
// among the environments of a run.
func build(c stack.Content, env stack.Environment, cat *catalog.Catalog, dashboards *sharedDashboards) (*Stack, error) {
	ns := env.Namespaces
	traces, err := env.Tracing.OTLPEndpoint(ns.Monitoring)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	plan, err := scrape.Build(env.Scrape, scrape.Wiring{
		MonitoringNamespace:    ns.Monitoring,
		WorkloadNamespace:      ns.Workloads,
		Cluster:                env.Cluster,
		Interval:               env.Collector.ScrapeInterval,
		SelectorLabels:         env.Monitoring.SelectorLabels(),
		Labels:                 stack.CommonLabels,
		CollectorPods:          collector.PodLabels(),
		CollectorTelemetryPort: collector.TelemetryPortName,
		GatewayPods:            collector.Selector(collector.GatewayName),
		GatewayMetricsPort:     collector.PrometheusPortName,
	})
	if err != nil {
		return nil, err
	}
	wiring := collector.Wiring{
		Namespace:         ns.Monitoring,
		WorkloadNamespace: ns.Workloads,
		ClusterName:       env.Cluster,
		Environment:       env.Name,
		TracesEndpoint:    traces,
		RemoteWriteURL:    kubeprometheus.RemoteWriteURL(ns.Monitoring),
		Labels:            stack.CommonLabels,
		ScrapeJobs:        plan.CollectorJobs,
		Sampling:          env.Sampling,
		LogsEndpoint:      logging.OTLPEndpoint(ns.Monitoring),
		FileLogs:          env.Logging.Agent == logging.Filelog,
		Catalog:           cat,
	}
	if h := env.Integrations.Honeycomb; h.Enabled {
		wiring.Honeycomb = &collector.Honeycomb{Endpoint: h.Endpoint, Secret: collector.SecretRef{Name: h.Secret, Key: h.Key}}
	}
	instances := collector.Build(env.Collector, wiring)
	otel, err := collector.Component(env.Collector, wiring, instances)
	if err != nil {
		return nil, err
	}
	nsComp, err := namespaces(env)
	if err != nil {
		return nil, err
	}
	kp := kubeprometheus.Build(env.Monitoring, env.Cluster, env.Name)
	kp.Alertmanager.AlertmanagerSpec = alertmanagerValues(env.Alerting)
	alerting, alertingYAML, amComp, err := buildAlerting(env, c.Routing, c.Teams)
	if err != nil {
		return nil, err
	}
	rulesCfg := alertsConfig(env)
	rulesCfg.Teams = c.Teams
	groups := c.Rules(rulesCfg)
	rules, err := rulesComponent(env, groups)
	if err != nil {
		return nil, err
	}
	routed, err := routedAlerts(groups, cat, kp.Prometheus.PrometheusSpec.ExternalLabels)
	if err != nil {
		return nil, err
	}
	s := &Stack{
		Env:            env,
		Catalog:        cat,
		Teams:          c.Teams,
		Collectors:     instances,
		Components:     []kube.Component{nsComp, otel, plan.Monitors, amComp, rules},
		KubePrometheus: kp,
		Alerting:       alerting,
		AlertingYAML:   alertingYAML,
		Alerts:         routed,
		RuleGroups:     groups,
		Scrape:         plan,
		Loki:           env.Logging.Loki.Values(),
	}
	switch env.Tracing {
	case tracing.Tempo:
		tempo, err := tracing.TempoComponent(env.Tempo, ns.Monitoring, stack.CommonLabels)
		if err != nil {
			return nil, err
		}
		s.Components = append(s.Components, tempo)
	case tracing.Jaeger:
		v := env.Jaeger.Values()
		s.Jaeger = &v
	}
	if env.Logging.Agent == logging.Promtail {
		c := logging.PromtailConfigFor(ns.Workloads, ns.Monitoring)
		s.Promtail = &c
	}
	if env.Integrations.Datadog.Enabled {
		dd, err := integrations.DatadogComponent(cat, ns.Monitoring, collector.GatewayMetricsURL(ns.Monitoring), env.Cluster, env.Name, stack.CommonLabels)
		if err != nil {
			return nil, err
		}
		s.Components = append(s.Components, dd)
	}
	if err := s.addGrafana(c.Dashboards, dashboards); err != nil {
		return nil, err
	}
	return s, nil
}

func namespaces(env stack.Environment) (kube.Component, error) {
	c := kube.Component{Name: "namespaces"}
	for _, n := range []string{env.Namespaces.Monitoring, env.Namespaces.Workloads} {
		ns := &corev1.Namespace{ObjectMeta: kube.Meta(n, "", stack.CommonLabels)}
		if err := kube.SetTypeMeta(ns); err != nil {
			return c, err
		}
		c.Objects = append(c.Objects, ns)
	}
	return c, nil
}

// Exceptions returns every posture exception the components declare.
func (s *Stack) Exceptions() []kube.Exception {
	var es []kube.Exception
	for _, c := range s.Components {
		es = append(es, c.Exceptions...)
	}
	return es
}

// Objects returns every Kubernetes object of the stack.
func (s *Stack) Objects() []kube.Object {
	var objs []kube.Object
	for _, c := range s.Components {
		objs = append(objs, c.Objects...)
	}
	return objs
}
