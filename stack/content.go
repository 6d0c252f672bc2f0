package stack

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Content is what the content packages define and every environment
// shares: the Prometheus rule groups (alerts/), the Grafana dashboards
// (dashboards/) and the Alertmanager routing (routing/). A Definition
// carries it, so a run renders exactly the content it is given: Default
// fills it with this repository's, and the bad-input tests hand in content
// with one mistake.
type Content struct {
	// Rules returns the rule groups, alerts and recording rules.
	Rules func(alerts.Config) []alerts.Group
	// Dashboards are the Grafana dashboards, in folder order. A new
	// dashboard is one file in dashboards/ and one line in DefaultContent.
	Dashboards []func(dashboards.Inputs) *dashboard.DashboardBuilder
	// Routing returns an environment's Alertmanager configuration.
	Routing func(routing.Spec, routing.Wiring) routing.Config
	// Teams each get a budget forecast alert, a route to their channel and
	// a row on the FinOps dashboard (stack/teams.go).
	Teams []Team
	// SLOs each compile into error-ratio and error-budget recording rules
	// and a page and a ticket burn-rate alert (alerts/slo.go).
	SLOs []alerts.SLO
	// Catalog is the metric catalog and the telemetry contract: what the
	// workloads send and where every metric a query may use comes from.
	Catalog catalog.Definition
}

// DefaultContent is the content of this repository.
func DefaultContent() Content {
	return Content{
		Rules: alerts.Groups,
		Dashboards: []func(dashboards.Inputs) *dashboard.DashboardBuilder{
			dashboards.Cost,
			dashboards.Policy,
			dashboards.Performance,
			dashboards.FinOps,
			dashboards.SLO,
		},
		Routing: routing.Build,
		Teams:   Teams(),
		SLOs:    alerts.SLOs(),
		Catalog: catalog.DefaultDefinition(),
	}
}

// Missing names the content functions that are not set.
func (c Content) Missing() []string {
	var out []string
	if c.Rules == nil {
		out = append(out, "Rules")
	}
	if c.Routing == nil {
		out = append(out, "Routing")
	}
	if len(c.Catalog.Metrics) == 0 {
		out = append(out, "Catalog")
	}
	return out
}
