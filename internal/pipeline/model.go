// Package pipeline turns a stack.Definition into the files of out/: it
// builds one Stack per environment from the definitions, checks it, renders
// it, and validates the rendered files with the libraries and tools that
// own their formats. The CLI calls Generate; nothing else writes out/.
package pipeline

import (
	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/grafana"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Stack is one environment, assembled: the input of every check and renderer.
type Stack struct {
	Env stack.Environment
	// Catalog is the metric catalog the content's queries are checked
	// against, and the gateway derives its metrics from.
	Catalog *catalog.Catalog
	// Teams are the content's teams: their budget alerts, routes and rows.
	Teams []stack.Team
	// Components are the parts of the environment, each one value: what it
	// deploys, the Secrets it reads, its further files and its checks.
	// Rendering, the checks and out/README.md loop over them in this order.
	Components []component.Component
	// The values below are what more than one component, or a check across
	// components, reads.

	// Collectors are the Collector's instances (the collector component).
	Collectors []collector.Instance
	// KubePrometheus are the kube-prometheus-stack Helm values, complete.
	KubePrometheus kubeprometheus.Values
	// Alerting is the Alertmanager configuration, and AlertingYAML the
	// alertmanager.yaml rendered from it.
	Alerting     routing.Config
	AlertingYAML []byte
	// Alerts are the alerts Alertmanager routes, as routing sees them.
	Alerts []routing.Alert
	// DataSources are Grafana's data sources.
	DataSources []grafana.DataSource
	// Dashboards are the Grafana dashboards, rendered.
	Dashboards []grafana.Dashboard
	// Scrape places every scrape job: in the cluster collector, or in
	// Prometheus as monitors and as raw jobs.
	Scrape scrape.Plan
	// Network is every endpoint of the namespace and who may reach it.
	Network netpol.Plan
	// RuleGroups are the Prometheus rule groups (alerts, recording rules, runbooks).
	RuleGroups []alerts.Group
}

// Objects returns every Kubernetes object of the stack.
func (s *Stack) Objects() []kube.Object { return component.Objects(s.Components) }

// Exceptions returns every posture exception the components declare.
func (s *Stack) Exceptions() []kube.Exception { return component.Exceptions(s.Components) }

// Component returns the component named name.
func (s *Stack) Component(name string) (component.Component, bool) {
	for _, c := range s.Components {
		if c.Name == name {
			return c, true
		}
	}
	return component.Component{}, false
}
