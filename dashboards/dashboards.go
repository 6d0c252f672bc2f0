// Package dashboards holds the Grafana dashboards of the stack, one file
// each, every one a single Grafana Foundation SDK builder chain. Queries are
// written against the metric catalog (stack/catalog: types and labels); the
// stack lints every one of them when it renders the JSON.
//
// The genops_* metrics are derived from GenOps AI's spans by the gateway
// Collector, whose replicas each export their own series (told apart by pod
// and instance): counters are summed across them, gauges reduced with max
// (budget utilization), min (budget remaining) or avg (quality scores).
// Counters are cumulative and restart with their replica: spend over a
// window is increase(), spend per second rate(), never delta() or deriv().
//
// The dashboards' uids, and the names of the alerts whose runbooks panels
// link to, are defined in package names: alerts and notifications refer to
// them too.
//
// This file holds what every dashboard shares: the inputs, the $datasource
// variable, the link bar, and small helpers that keep the dashboards
// reading like their panels.
package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/koshihq/genops-stack/names"
)

// Tag is on every GenOps dashboard; each dashboard's link bar lists the
// dashboards carrying it.
const Tag = "genops"

// Inputs are what a dashboard takes from the stack.
type Inputs struct {
	// Prometheus is the uid of the Prometheus data source, the default of
	// every dashboard's $datasource variable.
	Prometheus string
	// Runbooks is where the runbooks are browsable: a runbook is
	// <Runbooks>/<alert>.md.
	Runbooks string
	// Teams each get a row on the FinOps dashboard or its pages
	// (names.TeamDashboard).
	Teams []names.Team
}

// datasource is the reference every panel and query variable uses: the
// Prometheus data source picked with the $datasource variable.
var datasource = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// newDashboard starts a dashboard the way every GenOps dashboard starts: its
// uid, the genops tag before the given ones, the browser's time zone, the
// time range from the given start to now, the refresh interval, the link bar
// and the $datasource variable.
func newDashboard(in Inputs, title, uid, from, refresh string, tags ...string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Tags(append([]string{Tag}, tags...)).
		Timezone(common.TimeZoneBrowser).
		Time(from, "now").
		Refresh(refresh).
		Links(dashboardLinks()).
		WithVariable(datasourceVariable(in))
}

// withCostFilters adds the cost dashboards' $team, $project and $provider
// variables, each narrowed by the ones before it.
func withCostFilters(d *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	return d.
		WithVariable(labelVariable("team", "Team", `label_values(genops_cost_usd_total, team)`)).
		WithVariable(labelVariable("project", "Project", `label_values(genops_cost_usd_total{team=~"$team"}, project)`)).
		WithVariable(labelVariable("provider", "Provider", `label_values(genops_cost_usd_total{team=~"$team", project=~"$project"}, provider)`))
}

// datasourceVariable is the $datasource variable: any Prometheus data
// source, the stack's by default.
func datasourceVariable(in Inputs) *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").
		Label("Data source").
		Type("prometheus").
		Current(dashboard.VariableOption{Text: text(in.Prometheus), Value: text(in.Prometheus)})
}

// labelVariable is a multi-value variable over the values query returns,
// all of them by default.
func labelVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasource).
		Query(dashboard.StringOrMap{String: &query}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{Text: text("All"), Value: text("$__all")})
}

// resultVariable is a labelVariable over the values of label in the result
// of a PromQL expression: query_result(expr), with a regex picking the
// label's value out of each series Grafana lists ({label="value"} 1 ts).
// label_values() reads one metric only; this unions several.
func resultVariable(name, title, label, expr string) *dashboard.QueryVariableBuilder {
	return labelVariable(name, title, "query_result("+expr+")").Regex(`/\b` + label + `="([^"]*)"/`)
}

func text(s string) dashboard.StringOrArrayOfString {
	return dashboard.StringOrArrayOfString{String: &s}
}

// query is a PromQL query with its legend.
func query(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId("A").Expr(expr).LegendFormat(legend)
}

// instant is a PromQL query evaluated once, at the end of the time range,
// returned as a table.
func instant(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId("A").Expr(expr).Instant().Format(prometheus.PromQueryFormatTable)
}

// lastValue reduces every series to its last non-null value.
func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)
}

// noFooter is the table footer, off. (The SDK's default footer carries a
// null reducer, which Grafana's schema rejects.)
func noFooter() *common.TableFooterOptionsBuilder {
	return common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{})
}

// grid places a panel: column x (of 24), row y, w columns wide, h rows high.
func grid(x, y, w, h uint32) dashboard.GridPos {
	return dashboard.GridPos{X: x, Y: y, W: w, H: h}
}

// thresholds are absolute thresholds: base from minus infinity, then each step.
func thresholds(base string, steps ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps(append([]dashboard.Threshold{{Color: base}}, steps...))
}

// at is a threshold step: color from value up.
func at(value float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: &value, Color: color}
}

// organize is the organize transformation of a table: hide the time column,
// rename the others.
func organize(rename map[string]string) dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": map[string]bool{"Time": true},
		"indexByName":   map[string]int{},
		"renameByName":  rename,
	}}
}

// link is a dashboard, panel or data link. Links are literals rather than
// the SDK's builder, whose default placement ("inControlsMenu") would tuck
// the dashboard links away in the controls menu.
type link dashboard.DashboardLink

// Build implements cog.Builder.
func (l link) Build() (dashboard.DashboardLink, error) { return dashboard.DashboardLink(l), nil }

// dashboardLinks is the link bar of every dashboard: the other GenOps
// dashboards, keeping the time range and the variables.
func dashboardLinks() []cog.Builder[dashboard.DashboardLink] {
	return []cog.Builder[dashboard.DashboardLink]{link{
		Title: "GenOps dashboards", Type: dashboard.DashboardLinkTypeDashboards,
		Tags: []string{Tag}, IncludeVars: true, KeepTime: true,
	}}
}

// runbooks links a panel to the runbooks of the alerts that fire on what it shows.
func runbooks(in Inputs, alerts ...string) []cog.Builder[dashboard.DashboardLink] {
	var ls []cog.Builder[dashboard.DashboardLink]
	for _, a := range alerts {
		url := names.Links{Runbooks: in.Runbooks}.RunbookURL(a)
		ls = append(ls, link{Title: "Runbook: " + a, Type: dashboard.DashboardLinkTypeLink, Url: &url, Tags: []string{}, TargetBlank: true})
	}
	return ls
}

// drillDown is a data link to another dashboard with the variable set to
// the value of the clicked series' label, keeping the time range and the
// data source. The URL is relative: Grafana resolves it against its own
// address, whatever it is in each environment.
func drillDown(title, uid, variable, label string) []cog.Builder[dashboard.DashboardLink] {
	url := "/d/" + uid + "?var-" + variable + "=${__field.labels." + label + "}&${__url_time_range}&${datasource:queryparam}"
	return []cog.Builder[dashboard.DashboardLink]{link{Title: title, Type: dashboard.DashboardLinkTypeLink, Url: &url, Tags: []string{}}}
}
