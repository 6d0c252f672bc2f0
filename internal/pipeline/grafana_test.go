package pipeline

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/grafana"
)

// withDashboards is the default definition with the dashboards of list.
func withDashboards(list ...func(dashboards.Inputs) *dashboard.DashboardBuilder) stack.Definition {
	d := stack.Default()
	d.Content.Dashboards = list
	return d
}

// withTheStack is the stack's dashboards plus extra: alerts link to the
// stack's dashboards, so they stay rendered.
func withTheStack(extra ...func(dashboards.Inputs) *dashboard.DashboardBuilder) []func(dashboards.Inputs) *dashboard.DashboardBuilder {
	return append(append([]func(dashboards.Inputs) *dashboard.DashboardBuilder{}, stack.DefaultContent().Dashboards...), extra...)
}

// panelDashboard is a dashboard with one panel showing expr from the data source ds.
func panelDashboard(uid string, ds common.DataSourceRef, expr string) func(dashboards.Inputs) *dashboard.DashboardBuilder {
	return func(dashboards.Inputs) *dashboard.DashboardBuilder {
		return dashboard.NewDashboardBuilder("Bad " + uid).
			Uid(uid).
			Tags([]string{dashboards.Tag}).
			WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Type("prometheus")).
			WithPanel(timeseries.NewPanelBuilder().Id(1).Title("Spend").Datasource(ds).
				WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(expr)))
	}
}

var promVar = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// TestBadDashboards feeds one bad dashboard at a time through Generate and
// asserts the exact findings.
func TestBadDashboards(t *testing.T) {
	tests := []struct {
		name string
		list []func(dashboards.Inputs) *dashboard.DashboardBuilder
		want []string
	}{
		{"duplicate uid", []func(dashboards.Inputs) *dashboard.DashboardBuilder{dashboards.Cost, dashboards.Policy, dashboards.Cost}, []string{
			`dashboards: dashboard "GenOps AI - Cost Tracking": has the same title as dashboard genops-cost: Grafana refuses two dashboards with one title in folder "GenOps AI"; rename one`,
			`dashboards: dashboard "GenOps AI - Cost Tracking": uid "genops-cost" is also the uid of dashboard "GenOps AI - Cost Tracking": every dashboard needs its own uid`,
		}},
		{"unknown data source", withTheStack(
			panelDashboard("genops-bad-datasource", common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("mimir")}, `sum(rate(genops_cost_usd_total[5m]))`),
		), []string{
			`grafana/dashboards/genops-bad-datasource.json: panel 1 "Spend": references data source uid "mimir", which the stack does not define (genops-alertmanager, genops-loki, genops-prometheus, genops-traces): use the $datasource variable or one of these uids`,
		}},
		{"panel over an unknown variable", withTheStack(
			panelDashboard("genops-bad-variable", promVar, `sum(rate(genops_cost_usd_total{team=~"$team"}[5m]))`),
		), []string{
			`grafana/dashboards/genops-bad-variable.json: panel 1 "Spend": uses $team, which the dashboard does not define (defined: $datasource): add the template variable or fix the name`,
		}},
		{"query on an unknown metric", withTheStack(
			panelDashboard("genops-bad-metric", promVar, `sum(genops_cost_usd_totl)`),
		), []string{
			`grafana/dashboards/genops-bad-metric.json:18: dashboard genops-bad-metric panel "Spend": unknown metric genops_cost_usd_totl: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		}},
		{"builder error", []func(dashboards.Inputs) *dashboard.DashboardBuilder{
			func(dashboards.Inputs) *dashboard.DashboardBuilder {
				return dashboard.NewDashboardBuilder("Bad").Uid("genops-bad").FiscalYearStartMonth(12)
			},
		}, everyStack(stack.Default(), "dashboard 1 of the list: fiscalYearStartMonth: must be < 12")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := generate(t, withDashboards(tt.list...))
			assertErrors(t, res.Findings, tt.want)
		})
	}
}

// TestDataSourceUIDsAgree checks that the Helm values of every environment
// and the Terraform define exactly the data sources dashboards may refer to.
func TestDataSourceUIDsAgree(t *testing.T) {
	res := mustGenerate(t)
	var want []string
	for uid := range grafana.Known() {
		want = append(want, uid)
	}
	sort.Strings(want)
	for _, env := range stack.Default().Environments {
		p := "helm/" + env.Name + "/kube-prometheus-stack.values.yaml"
		data, _ := res.Files.Get(p)
		var values struct {
			Grafana struct {
				AdditionalDataSources []struct{ UID string } `json:"additionalDataSources"`
			} `json:"grafana"`
		}
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range values.Grafana.AdditionalDataSources {
			got = append(got, d.UID)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: data source uids %v, want %v", p, got, want)
		}
	}
	data, _ := res.Files.Get("terraform/data_sources.tf")
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^\s*uid\s*=\s*"([^"]+)"`).FindAllSubmatch(data, -1) {
		got = append(got, string(m[1]))
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("terraform/data_sources.tf: data source uids %v, want %v", got, want)
	}
}

// BenchmarkDashboards is the dashboards' share of a run with 100
// dashboards of 20 panels: build and render them with their ConfigMaps
// (Build), check the definitions, then strictly decode and check the JSON.
func BenchmarkDashboards(b *testing.B) {
	list := make([]func(dashboards.Inputs) *dashboard.DashboardBuilder, 100)
	for i := range list {
		list[i] = benchDashboard(fmt.Sprintf("genops-bench-%03d", i))
	}
	content := withDashboards(list...).Content
	env := stack.Defaults()
	b.ReportAllocs()
	for b.Loop() {
		s, err := BuildWith(content, env)
		if err != nil {
			b.Fatal(err)
		}
		fs := checkDashboards(s)
		set := files.NewSet()
		for _, d := range s.Dashboards {
			if err := set.Add(dashboardsDir+"/"+d.FileName(), files.Dashboard, d.JSON); err != nil {
				b.Fatal(err)
			}
		}
		fs.Add(validateGrafana(set)...)
		if len(fs) > 0 || len(s.Dashboards) != 100 {
			b.Fatal(fs)
		}
	}
}

// benchDashboard is a dashboard of 20 time series panels, four per row,
// each with two queries over $team and $provider.
func benchDashboard(uid string) func(dashboards.Inputs) *dashboard.DashboardBuilder {
	return func(in dashboards.Inputs) *dashboard.DashboardBuilder {
		team, provider := `label_values(genops_cost_usd_total, team)`, `label_values(genops_cost_usd_total, provider)`
		d := dashboard.NewDashboardBuilder("Bench " + uid).
			Uid(uid).
			Tags([]string{dashboards.Tag}).
			WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Type("prometheus")).
			WithVariable(dashboard.NewQueryVariableBuilder("team").Datasource(promVar).Query(dashboard.StringOrMap{String: &team})).
			WithVariable(dashboard.NewQueryVariableBuilder("provider").Datasource(promVar).Query(dashboard.StringOrMap{String: &provider}))
		for i := range 20 {
			url := in.Runbooks + "/CostAnomaly.md"
			d.WithPanel(timeseries.NewPanelBuilder().
				Id(uint32(i + 1)).
				Title(fmt.Sprintf("Panel %d", i+1)).
				GridPos(dashboard.GridPos{X: uint32(i%4) * 6, Y: uint32(i/4) * 8, W: 6, H: 8}).
				Datasource(promVar).
				WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(`sum by (team) (rate(genops_cost_usd_total{team=~"$team", provider=~"$provider"}[5m]))`).LegendFormat("{{team}}")).
				WithTarget(prometheus.NewDataqueryBuilder().RefId("B").Expr(`sum by (provider) (rate(genops_requests_total{provider=~"$provider"}[5m]))`).LegendFormat("{{provider}}")).
				Unit("currencyUSD").
				Links([]cog.Builder[dashboard.DashboardLink]{dashboard.NewDashboardLinkBuilder("Runbook").Url(url)}))
		}
		return d
	}
}
