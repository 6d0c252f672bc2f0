package pipeline

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/grafana"
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
	rulesCfg := alertsConfig(env)
	rulesCfg.Teams = c.Teams
	rulesCfg.SLOs = c.SLOs
	groups := c.Rules(rulesCfg)
	rules, err := rulesComponent(env, groups)
	if err != nil {
		return nil, err
	}
	checkRules := rules.Check
	rules.Check = func(artifact string) finding.List {
		fs := checkRules(artifact)
		fs.Add(alerts.CheckSLOs(artifact, c.SLOs, cat)...)
		return fs
	}
	routed, err := routedAlerts(groups, cat, kp.Prometheus.PrometheusSpec.ExternalLabels)
	if err != nil {
		return nil, err
	}
	s := &Stack{
		Env:        env,
		Catalog:    cat,
		Teams:      c.Teams,
		Collectors: instances,
		Alerts:     routed,
		RuleGroups: groups,
		Scrape:     plan,
	}
	am, err := s.buildAlerting(c.Routing)
	if err != nil {
		return nil, err
	}
	monitors, err := monitorsComponent(env, plan)
	if err != nil {
		return nil, err
	}
	traceStore, err := tracing.Component(env.Tracing, env.Tempo, env.Jaeger, ns.Monitoring, stack.CommonLabels)
	if err != nil {
		return nil, err
	}
	logs, err := logging.Components(env.Logging, env.Name, ns.Workloads, ns.Monitoring)
	if err != nil {
		return nil, err
	}
	dash, err := s.buildGrafana(c.Dashboards, dashboards)
	if err != nil {
		return nil, err
	}
	kp.Grafana.AdditionalDataSources = grafana.HelmDataSources(s.DataSources)
	s.KubePrometheus = kp
	prom, err := kubeprometheus.Component(env.Monitoring, kp, ns.Monitoring)
	if err != nil {
		return nil, err
	}
	// The order of the components is the order of out/README.md's rows and
	// of the kustomize base's files: the releases first, as they are
	// installed (kube-prometheus-stack brings the CRDs of the monitors and
	// rules), the log agent's last.
	s.Components = []component.Component{prom, logs[0], nsComp, otel, monitors, am, rules, traceStore}
	if env.Integrations.Datadog.Enabled {
		dd, err := integrations.DatadogComponent(cat, ns.Monitoring, collector.GatewayMetricsURL(ns.Monitoring), env.Cluster, env.Name, stack.CommonLabels)
		if err != nil {
			return nil, err
		}
		s.Components = append(s.Components, dd)
	}
	s.Components = append(s.Components, dash)
	s.Components = append(s.Components, logs[1:]...)
	return s, nil
}

// namespaces are the stack's two namespaces.
func namespaces(env stack.Environment) (component.Component, error) {
	c := component.Component{Name: "namespaces"}
	for _, n := range []string{env.Namespaces.Monitoring, env.Namespaces.Workloads} {
		ns := &corev1.Namespace{ObjectMeta: kube.Meta(n, "", stack.CommonLabels)}
		if err := kube.SetTypeMeta(ns); err != nil {
			return c, err
		}
		c.Kube.Objects = append(c.Kube.Objects, ns)
	}
	return c, nil
}

// monitorsComponent are the scrape jobs Prometheus runs: as PodMonitors and
// ServiceMonitors for the Operator, and as raw scrape configs
// (prometheus/<env>/scrape-configs.yaml) for Prometheus without it.
func monitorsComponent(env stack.Environment, plan scrape.Plan) (component.Component, error) {
	jobs, err := scrape.YAML(plan.PrometheusJobs)
	if err != nil {
		return component.Component{}, fmt.Errorf("scrape configs: %w", err)
	}
	return component.Component{
		Name:  plan.Monitors.Name,
		Kube:  plan.Monitors,
		Files: []files.File{{Path: scrapeConfigsPath(env.Name), Kind: files.ScrapeConfigs, Data: jobs}},
	}, nil
}
