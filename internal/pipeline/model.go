// Package pipeline turns a stack.Definition into the files of out/: it
// builds one Stack per environment from the definitions, checks it, renders
// it, and validates the rendered files with the libraries and tools that
// own their formats. The CLI calls Generate; nothing else writes out/.
package pipeline

import (
	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/grafana"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// Stack is one environment, assembled: the input of every check and renderer.
type Stack struct {
	Env stack.Environment
	// Catalog is the metric catalog the content's queries are checked
	// against, and the gateway derives its metrics from.
	Catalog *catalog.Catalog
	// Teams are the content's teams: their budget alerts, routes and rows.
	Teams      []stack.Team
	Collectors []collector.Instance
	// Components are the Kubernetes objects, one group per base file.
	Components []kube.Component
	// KubePrometheus are the kube-prometheus-stack Helm values.
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
	// Prometheus as monitors (a component) and as raw jobs.
	Scrape scrape.Plan
	// Loki are the grafana/loki Helm values.
	Loki logging.LokiValues
	// Jaeger are the Jaeger Helm values, when the environment uses Jaeger.
	Jaeger *tracing.JaegerValues
	// Promtail is the Promtail configuration, when the environment uses it.
	Promtail *logging.PromtailConfig
	// RuleGroups are the Prometheus rule groups (alerts, recording rules, runbooks).
	RuleGroups []alerts.Group
}
