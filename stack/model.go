// Package stack holds the definitions of the GenOps observability stack:
// one typed Environment per deployment, the defaults every environment
// starts from, and the Content (rules, dashboards, routing, teams, metric
// catalog) every environment shares. internal/pipeline builds, checks,
// renders and validates them.
package stack

import (
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/integrations"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// Environment is everything that may differ between deployments of the stack.
type Environment struct {
	// Name is the environment: development, staging, production.
	Name string
	// Cluster is the Kubernetes cluster's name: the cluster.name resource
	// attribute and the cluster label of every series.
	Cluster    string
	Namespaces Namespaces
	Collector  collector.Spec
	Monitoring kubeprometheus.Spec
	Tracing    tracing.Backend
	Links      Links
	// Alerting is where notifications go: channels, paging, credentials.
	Alerting routing.Spec
	// Tempo and Jaeger configure the backends; the one Tracing names runs.
	Tempo  tracing.TempoSpec
	Jaeger tracing.JaegerSpec
	// Sampling decides which traces are kept.
	Sampling sampling.Spec
	// Scrape decides who scrapes the GenOps pods.
	Scrape scrape.Spec
	// Logging is Loki and the agent that ships container logs to it.
	Logging logging.Spec
	// Integrations are the vendor integrations, all off unless enabled.
	Integrations integrations.Spec
	// Network is who may reach what: the label of the namespaces that may
	// send telemetry, and further allow rules (docs/security.md).
	Network netpol.Spec
}

// Links are the URLs that alerts, notifications and dashboards point
// people at (Grafana's and the runbooks'): names.Links, the one links type
// every package shares.
type Links = names.Links

// Namespaces are the two namespaces of the stack.
type Namespaces struct {
	// Monitoring holds the Collector, Prometheus, Grafana and the backends.
	Monitoring string
	// Workloads holds the GenOps AI workloads.
	Workloads string
}

// Artifact names the environment in findings.
func (e Environment) Artifact() string { return "environment " + e.Name }

// CommonLabels are on every object genops-stack renders.
var CommonLabels = map[string]string{
	"app.kubernetes.io/part-of":    "genops-stack",
	"app.kubernetes.io/managed-by": "genops-stack",
}
