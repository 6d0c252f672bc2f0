package pipeline

import (
	"fmt"
	"maps"
	"slices"

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
	"github.com/koshihq/genops-stack/stack/netpol"
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
		Workloads:         env.Network.Workloads,
		Scraper:           kubeprometheus.PrometheusComponent,
		Teams:             teamNames(c.Teams),
		TeamNamespaces:    teamNamespaces(c.Teams, ns.Workloads),
	}
	if h := env.Integrations.Honeycomb; h.Enabled {
		wiring.Honeycomb = &collector.Honeycomb{Endpoint: h.Endpoint, Secret: collector.SecretRef{Name: h.Secret, Key: h.Key}}
	}
	instances := collector.Build(env.Collector, wiring)
	otel, err := collector.Component(env.Collector, wiring, instances)
	if err != nil {
		return nil, err
	}
	net, err := networkPlan(env, wiring, instances)
	if err != nil {
		return nil, err
	}
	nsComp, err := namespaces(env, c.Teams, net)
	if err != nil {
		return nil, err
	}
	withPolicies(&otel, net, collectorNames(instances)...)
	kp := kubeprometheus.Build(env.Monitoring, env.Cluster, env.Name)
	kubeprometheus.ApplyNetwork(&kp, net)
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
		Network:    net,
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
	withPolicies(&traceStore, net, traceStore.Name)
	logs, err := logging.Components(env.Logging, env.Name, ns.Workloads, ns.Monitoring)
	if err != nil {
		return nil, err
	}
	for i := range logs {
		withPolicies(&logs[i], net, logs[i].Name)
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
	loki, logAgents := logs[0], logs[1:] // logging.Components: Loki first, then Promtail where it runs
	s.Components = []component.Component{prom, loki, nsComp, otel, monitors, am, rules, traceStore}
	if env.Integrations.Datadog.Enabled {
		dd, err := integrations.DatadogComponent(cat, ns.Monitoring, collector.GatewayMetricsURL(ns.Monitoring), env.Cluster, env.Name, stack.CommonLabels)
		if err != nil {
			return nil, err
		}
		s.Components = append(s.Components, dd)
	}
	s.Components = append(s.Components, dash)
	s.Components = append(s.Components, logAgents...)
	return s, nil
}

// namespaces are the stack's two namespaces and the teams' namespaces, and
// the policy denying all ingress in the monitoring namespace. The workload
// namespace and every team namespace carry the label that admits their pods
// to the gateway (Network.Workloads); a team's namespaces also carry the
// team (Collector.Attribution.TeamLabel), which the gateway charges their
// spans to.
func namespaces(env stack.Environment, teams []stack.Team, net netpol.Plan) (component.Component, error) {
	c := component.Component{Name: "namespaces"}
	labels := map[string]map[string]string{env.Namespaces.Monitoring: {}, env.Namespaces.Workloads: {}}
	workloads := env.Network.Workloads
	mark := func(ns string) {
		if labels[ns] == nil {
			labels[ns] = map[string]string{}
		}
		if workloads.Key != "" {
			labels[ns][workloads.Key] = workloads.Value
		}
	}
	mark(env.Namespaces.Workloads)
	for _, t := range teams {
		for _, n := range t.Namespaces {
			mark(n)
			if key := env.Collector.Attribution.TeamLabel; key != "" {
				labels[n][key] = t.Name
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(labels)) {
		l := maps.Clone(labels[n])
		maps.Copy(l, stack.CommonLabels)
		ns := &corev1.Namespace{ObjectMeta: kube.Meta(n, "", l)}
		if err := kube.SetTypeMeta(ns); err != nil {
			return c, err
		}
		c.Kube.Objects = append(c.Kube.Objects, ns)
	}
	c.Kube.Objects = append(c.Kube.Objects, net.DefaultDeny())
	return c, nil
}

// networkPlan gathers every endpoint of the monitoring namespace and who
// may reach it: what each component declares, and the environment's own
// rules (Network.Allow).
func networkPlan(env stack.Environment, w collector.Wiring, instances []collector.Instance) (netpol.Plan, error) {
	ns := env.Namespaces.Monitoring
	grafana := kubeprometheus.GrafanaComponent
	p := netpol.Plan{Namespace: ns, Labels: stack.CommonLabels}
	add := func(eps []netpol.Endpoint, allows []netpol.Allow) {
		p.Endpoints = append(p.Endpoints, eps...)
		p.Allows = append(p.Allows, allows...)
	}
	add(collector.Network(w, instances))
	traceEps, traceAllows, err := tracing.Network(env.Tracing, ns, []string{collector.TraceExporter(instances)}, grafana)
	if err != nil {
		return p, err
	}
	add(traceEps, traceAllows)
	add(logging.Network(env.Logging, ns), logging.Allows(env.Logging, collector.LogExporter(), grafana))
	add(kubeprometheus.Network(env.Monitoring, ns, []string{collector.ClusterName}))
	if d := env.Integrations.Datadog; d.Enabled && d.AgentNamespace != "" {
		p.Allows = append(p.Allows, integrations.DatadogAllow(d, collector.GatewayName, collector.PrometheusPortName))
	}
	for i, a := range env.Network.Allow {
		a.Origin = fmt.Sprintf("Network.Allow[%d]", i)
		p.Allows = append(p.Allows, a)
	}
	return p, nil
}

// withPolicies adds the NetworkPolicies of the named endpoints to c's
// Kubernetes objects.
func withPolicies(c *component.Component, net netpol.Plan, names ...string) {
	pols := net.Policies(names...)
	if len(pols) == 0 {
		return
	}
	c.Kube.Objects = append(c.Kube.Objects, pols...)
	kube.SortObjects(c.Kube.Objects)
}

func collectorNames(instances []collector.Instance) []string {
	var out []string
	for _, in := range instances {
		out = append(out, in.Name)
	}
	return out
}

// teamNamespaces are the teams' namespaces but the workload namespace,
// sorted.
func teamNamespaces(teams []stack.Team, workloads string) []string {
	var out []string
	for _, t := range teams {
		for _, n := range t.Namespaces {
			if n != workloads {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func teamNames(teams []stack.Team) []string {
	var out []string
	for _, t := range teams {
		out = append(out, t.Name)
	}
	return out
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
