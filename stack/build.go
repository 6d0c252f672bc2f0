package stack

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
)

// Build assembles one environment into a Stack. It fails only when the
// environment cannot be assembled at all (an unknown tracing backend);
// everything else is reported by Check.
func Build(env Environment) (*Stack, error) {
	ns := env.Namespaces
	traces, err := env.Tracing.OTLPEndpoint(ns.Monitoring)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	wiring := collector.Wiring{
		Namespace:         ns.Monitoring,
		WorkloadNamespace: ns.Workloads,
		ClusterName:       env.Cluster,
		Environment:       env.Name,
		TracesEndpoint:    traces,
		RemoteWriteURL:    kubeprometheus.RemoteWriteURL(ns.Monitoring),
		Labels:            CommonLabels,
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
	alerting, amComp, err := buildAlerting(env)
	if err != nil {
		return nil, err
	}
	groups := alerts.Groups(alertsConfig(env))
	rules, err := rulesComponent(env, groups)
	if err != nil {
		return nil, err
	}
	routed, err := routedAlerts(groups, kp.Prometheus.PrometheusSpec.ExternalLabels)
	if err != nil {
		return nil, err
	}
	return &Stack{
		Env:            env,
		Collectors:     instances,
		Components:     []kube.Component{nsComp, otel, amComp, rules},
		KubePrometheus: kp,
		Alerting:       alerting,
		Alerts:         routed,
		RuleGroups:     groups,
	}, nil
}

func namespaces(env Environment) (kube.Component, error) {
	c := kube.Component{Name: "namespaces"}
	for _, n := range []string{env.Namespaces.Monitoring, env.Namespaces.Workloads} {
		ns := &corev1.Namespace{ObjectMeta: kube.Meta(n, "", CommonLabels)}
		if err := kube.SetTypeMeta(ns); err != nil {
			return c, err
		}
		c.Objects = append(c.Objects, ns)
	}
	return c, nil
}

// Objects returns every Kubernetes object of the stack.
func (s *Stack) Objects() []kube.Object {
	var objs []kube.Object
	for _, c := range s.Components {
		objs = append(objs, c.Objects...)
	}
	return objs
}
