package dashjson

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

const file = "grafana/dashboards/test.json"

var known = Known{
	"genops-prometheus": {"prometheus"},
	"genops-traces":     {"jaeger", "tempo"},
	"genops-loki":       {"loki"},
}

var promVar = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// sample is a small dashboard that passes every check: a $datasource
// variable, a $team variable, two panels side by side.
func sample() *dashboard.DashboardBuilder {
	team := `label_values(genops_cost_total_usd, team)`
	return dashboard.NewDashboardBuilder("Test").
		Uid("test").
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Type("prometheus").
			Current(dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("genops-prometheus")}, Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("genops-prometheus")}})).
		WithVariable(dashboard.NewQueryVariableBuilder("team").Datasource(promVar).Query(dashboard.StringOrMap{String: &team})).
		WithPanel(stat.NewPanelBuilder().Id(1).Title("Spend").GridPos(dashboard.GridPos{X: 0, Y: 0, W: 12, H: 4}).
			Datasource(promVar).
			WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(`sum(genops_cost_total_usd{team=~"$team"})`))).
		WithPanel(timeseries.NewPanelBuilder().Id(2).Title("Burn").GridPos(dashboard.GridPos{X: 12, Y: 0, W: 12, H: 4}).
			Datasource(promVar).
			WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(`sum by (team) (deriv(genops_cost_total_usd{team=~"${team:regex}"}[5m]))`).LegendFormat("{{team}}")).
			DataLinks([]cog.Builder[dashboard.DashboardLink]{dashboard.NewDashboardLinkBuilder("Team").Url("/d/cost?var-team=${__field.labels.team}&${__url_time_range}")}))
}

func render(t *testing.T, b *dashboard.DashboardBuilder) []byte {
	t.Helper()
	d, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	data, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit changes the rendered JSON of sample() as a generic document.
func edit(t *testing.T, change func(d map[string]any)) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(render(t, sample()), &d); err != nil {
		t.Fatal(err)
	}
	change(d)
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func panel(d map[string]any, i int) map[string]any {
	return d["panels"].([]any)[i].(map[string]any)
}

func target(d map[string]any, i int) map[string]any {
	return panel(d, i)["targets"].([]any)[0].(map[string]any)
}

func variable(d map[string]any, i int) map[string]any {
	return d["templating"].(map[string]any)["list"].([]any)[i].(map[string]any)
}

func findings(t *testing.T, data []byte) []string {
	t.Helper()
	got := Check(file, data, known).Strings()
	sort.Strings(got)
	return got
}

func TestSamplePasses(t *testing.T) {
	data := render(t, sample())
	if got := findings(t, data); len(got) > 0 {
		t.Errorf("unexpected findings:\n%s", strings.Join(got, "\n"))
	}
	if _, err := DecodeStrict(data); err != nil {
		t.Errorf("strict decode: %v", err)
	}
	if !strings.HasSuffix(string(data), "}\n") || strings.Contains(string(data), `\u003e`) {
		t.Errorf("rendered JSON must end in a newline and keep > readable:\n%s", data)
	}
}

func TestCheckFindings(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"unknown data source uid", edit(t, func(d map[string]any) {
			panel(d, 0)["datasource"] = map[string]any{"type": "prometheus", "uid": "mimir"}
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": references data source uid "mimir", which the stack does not define (genops-loki, genops-prometheus, genops-traces): use the $datasource variable or one of these uids`}},
		{"known uid with another type", edit(t, func(d map[string]any) {
			target(d, 1)["datasource"] = map[string]any{"type": "prometheus", "uid": "genops-loki"}
		}), []string{`grafana/dashboards/test.json: panel 2 "Burn": references data source genops-loki with type "prometheus", but it is a loki data source`}},
		{"data source by name", edit(t, func(d map[string]any) {
			panel(d, 1)["datasource"] = "Prometheus"
		}), []string{
			`grafana/dashboards/test.json: dashboard test: does not decode strictly with the Grafana Foundation SDK: panels[1].datasource: json: cannot unmarshal string into Go value of type map[string]json.RawMessage`,
			`grafana/dashboards/test.json: panel 2 "Burn": names data source "Prometheus" by name: reference it as {"type": ..., "uid": ...}`,
		}},
		{"data source from a query variable", edit(t, func(d map[string]any) {
			panel(d, 0)["datasource"] = map[string]any{"type": "prometheus", "uid": "$team"}
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": takes its data source from $team, a query variable: use a datasource variable`}},
		{"data source variable of another plugin", edit(t, func(d map[string]any) {
			panel(d, 0)["datasource"] = map[string]any{"type": "loki", "uid": "${datasource}"}
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": has type "loki" but $datasource selects prometheus data sources`}},
		{"data source variable over an unknown plugin", edit(t, func(d map[string]any) {
			variable(d, 0)["query"] = "influxdb"
			variable(d, 0)["current"] = map[string]any{"text": "influx", "value": "influx"}
		}), []string{
			`grafana/dashboards/test.json: variable datasource: references data source uid "influx", which the stack does not define (genops-loki, genops-prometheus, genops-traces): use the $datasource variable or one of these uids`,
			`grafana/dashboards/test.json: variable datasource: selects data sources of type "influxdb", which the stack does not define (jaeger, loki, prometheus, tempo)`,
		}},
		{"panel over an unknown variable", edit(t, func(d map[string]any) {
			target(d, 0)["expr"] = `sum(genops_cost_total_usd{team=~"$team", project=~"$project"})`
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": uses $project, which the dashboard does not define (defined: $datasource, $team): add the template variable or fix the name`}},
		{"unknown variable in a data link, each syntax reported once", edit(t, func(d map[string]any) {
			target(d, 1)["expr"] = `sum(genops_cost_total_usd{team=~"[[teams]]", project=~"${teams:regex}"})`
			target(d, 1)["legendFormat"] = "$teams"
		}), []string{`grafana/dashboards/test.json: panel 2 "Burn": uses $teams, which the dashboard does not define (defined: $datasource, $team): add the template variable or fix the name`}},
		{"variable over an unknown variable", edit(t, func(d map[string]any) {
			variable(d, 1)["query"] = `label_values(genops_cost_total_usd{project=~"$project"}, team)`
		}), []string{`grafana/dashboards/test.json: variable team: uses $project, which the dashboard does not define (defined: $datasource, $team): add the template variable or fix the name`}},
		{"repeat over an unknown variable", edit(t, func(d map[string]any) {
			panel(d, 0)["repeat"] = "region"
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": repeats over $region, which the dashboard does not define (defined: $datasource, $team): add the template variable or fix the name`}},
		{"panel without data source", edit(t, func(d map[string]any) {
			delete(panel(d, 0), "datasource")
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": has queries but no data source: set the panel's datasource to the $datasource variable`}},
		{"panel data source without type", edit(t, func(d map[string]any) {
			panel(d, 0)["datasource"] = map[string]any{"uid": "${datasource}"}
		}), []string{`grafana/dashboards/test.json: panel 1 "Spend": names its data source without a type: set the type so the queries decode strictly`}},
		{"duplicate panel id", edit(t, func(d map[string]any) {
			panel(d, 1)["id"] = 1
		}), []string{`grafana/dashboards/test.json: panel 1 "Burn": has the id of panel 1 "Spend": give every panel its own id`}},
		{"overlapping panels", edit(t, func(d map[string]any) {
			panel(d, 1)["gridPos"] = map[string]any{"x": 6, "y": 2, "w": 12, "h": 4}
		}), []string{`grafana/dashboards/test.json: panel 2 "Burn": overlaps panel 1 "Spend": move it (gridPos x 6 y 2 w 12 h 4)`}},
		{"panel past the grid", edit(t, func(d map[string]any) {
			panel(d, 1)["gridPos"] = map[string]any{"x": 12, "y": 0, "w": 13, "h": 4}
		}), []string{`grafana/dashboards/test.json: panel 2 "Burn": extends past the 24 columns of the grid (x 12 + w 13)`}},
		{"unknown field", edit(t, func(d map[string]any) {
			panel(d, 0)["gridpos"] = map[string]any{}
		}), []string{`grafana/dashboards/test.json: dashboard test: does not decode strictly with the Grafana Foundation SDK: panels[0].Panel: unexpected field 'gridpos'`}},
		{"table with the SDK's default footer", render(t, sample().WithPanel(table.NewPanelBuilder().Id(3).Title("Models").
			GridPos(dashboard.GridPos{X: 0, Y: 4, W: 24, H: 8}).Datasource(promVar).
			WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(`genops_cost_by_model_usd`)))),
			[]string{`grafana/dashboards/test.json: dashboard test: does not decode strictly with the Grafana Foundation SDK: panels[2].options.footer.reducer: required field is null`}},
		{"over 256 KiB", edit(t, func(d map[string]any) {
			d["description"] = strings.Repeat("x", WarnBytes)
		}), []string{"warning: grafana/dashboards/test.json: dashboard test: is 257 KiB: over 256 KiB, `kubectl apply` (client-side) cannot store it in the last-applied-configuration annotation; apply with --server-side or split the dashboard"}},
		{"over 1 MiB", edit(t, func(d map[string]any) {
			d["description"] = strings.Repeat("x", MaxBytes)
		}), []string{`grafana/dashboards/test.json: dashboard test: is 1.0 MiB: a ConfigMap holds at most 1 MiB; split the dashboard`}},
		{"not JSON", []byte(`{"uid": "test",`), []string{`grafana/dashboards/test.json: dashboard: is not JSON: unexpected end of JSON input`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findings(t, tt.data)
			sort.Strings(tt.want)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestVariableUses(t *testing.T) {
	tests := map[string][]string{
		`sum(x{a=~"$team", b="${project}", c="${provider:regex}", d="[[model]]"})`: {"team", "project", "provider", "model"},
		`/d/x?var-team=${__field.labels.team}&${__url_time_range}`:                 {"__field", "__url_time_range"},
		`cost is $100, "ends$" and x{a=~"b$"}`:                                     nil,
	}
	for s, want := range tests {
		if got := variableUses(s); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("variableUses(%q) = %q, want %q", s, got, want)
		}
	}
}
