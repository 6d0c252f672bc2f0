package dashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/dashjson"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/stack/catalog"
)

var in = Inputs{Prometheus: "genops-prometheus", Runbooks: "https://runbooks.example.com"}

func build(t *testing.T, f func(Inputs) *dashboard.DashboardBuilder) dashboard.Dashboard {
	t.Helper()
	d, err := f(in).Build()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// seedPanel is a panel of the seed's dashboards as the seed defines it.
type seedPanel struct {
	id         uint32
	title, typ string
	x, y, w, h uint32
	unit       string
	min, max   string // "" when unset
	thresholds string // "color, value color, ..." ("" when unset)
}

// TestSeedPanels checks that the three seed dashboards carry all 14 of the
// seed's panels with its titles, types, layout, units and thresholds, first,
// and then the panels added since (the titles in extra first; panels added
// after those break nothing here).
func TestSeedPanels(t *testing.T) {
	seed := []struct {
		uid    string
		build  func(Inputs) *dashboard.DashboardBuilder
		panels []seedPanel
		extra  []string
	}{
		{names.DashboardCost, Cost, []seedPanel{
			{1, "Total Cost (Last 24h)", "stat", 0, 0, 6, 4, "currencyUSD", "", "", "green, 100 yellow, 500 red"},
			{2, "Cost by Team", "piechart", 6, 0, 6, 8, "currencyUSD", "", "", ""},
			{3, "Cost by Provider", "bargauge", 12, 0, 6, 8, "currencyUSD", "", "", ""},
			{4, "Cost Over Time", "timeseries", 0, 8, 12, 8, "currencyUSD/s", "", "", ""},
			{5, "Cost by Model", "table", 12, 8, 6, 8, "", "", "", ""},
			{6, "Budget Utilization", "gauge", 18, 0, 6, 8, "percent", "0", "100", "green, 80 yellow, 95 red"},
		}, nil},
		{names.DashboardPolicy, Policy, []seedPanel{
			{1, "Policy Violations (Last Hour)", "stat", 0, 0, 6, 4, "", "", "", "green, 1 yellow, 10 red"},
			{2, "Violations by Policy Type", "timeseries", 6, 0, 12, 8, "", "", "", ""},
			{3, "Policy Enforcement Actions", "piechart", 18, 0, 6, 8, "", "", "", ""},
			{4, "Compliance Score by Team", "bargauge", 0, 8, 12, 8, "percent", "0", "100", "red, 90 yellow, 95 green"},
		}, nil},
		{names.DashboardPerformance, Performance, []seedPanel{
			{1, "Request Rate", "timeseries", 0, 0, 12, 8, "reqps", "", "", ""},
			{2, "Average Latency (p50, p95, p99)", "timeseries", 12, 0, 12, 8, "s", "", "", ""},
			{3, "Token Usage Rate", "timeseries", 0, 8, 12, 8, "tokens/s", "", "", ""},
			{4, "Quality Scores", "gauge", 12, 8, 12, 8, "percentunit", "0", "1", "red, 0.7 yellow, 0.85 green"},
		}, []string{"Time to First Token"}},
	}
	total := 0
	for _, s := range seed {
		d := build(t, s.build)
		if *d.Uid != s.uid {
			t.Errorf("uid %s, want %s", *d.Uid, s.uid)
		}
		if len(d.Panels) < len(s.panels)+len(s.extra) {
			t.Errorf("%s has %d panels, the seed %d and %d added", s.uid, len(d.Panels), len(s.panels), len(s.extra))
		}
		for i, title := range s.extra {
			if j := len(s.panels) + i; j < len(d.Panels) && *d.Panels[j].Panel.Title != title {
				t.Errorf("%s panel %d: %q, want the added %q", s.uid, j+1, *d.Panels[j].Panel.Title, title)
			}
		}
		for i, want := range s.panels {
			if i >= len(d.Panels) {
				break
			}
			if got := describe(d.Panels[i].Panel); got != want {
				t.Errorf("%s panel %d:\n got %+v\nwant %+v", s.uid, i+1, got, want)
			}
			total++
		}
	}
	if total != 14 {
		t.Errorf("checked %d seed panels, want 14", total)
	}
}

func describe(p *dashboard.Panel) seedPanel {
	s := seedPanel{id: *p.Id, title: *p.Title, typ: p.Type, x: p.GridPos.X, y: p.GridPos.Y, w: p.GridPos.W, h: p.GridPos.H}
	if p.FieldConfig == nil {
		return s
	}
	def := p.FieldConfig.Defaults
	if def.Unit != nil {
		s.unit = *def.Unit
	}
	if def.Min != nil {
		s.min = fmt.Sprint(*def.Min)
	}
	if def.Max != nil {
		s.max = fmt.Sprint(*def.Max)
	}
	if def.Thresholds != nil {
		var steps []string
		for _, st := range def.Thresholds.Steps {
			if st.Value == nil {
				steps = append(steps, st.Color)
			} else {
				steps = append(steps, fmt.Sprintf("%v %s", *st.Value, st.Color))
			}
		}
		s.thresholds = strings.Join(steps, ", ")
	}
	return s
}

// TestHouseRules checks what every dashboard shares: its uid, the genops
// tag and link bar, the $datasource variable defaulting to the stack's
// Prometheus, every panel on it, and runbook links under Inputs.Runbooks.
func TestHouseRules(t *testing.T) {
	all := map[string]func(Inputs) *dashboard.DashboardBuilder{names.DashboardCost: Cost, names.DashboardPolicy: Policy, names.DashboardPerformance: Performance, names.DashboardFinOps: FinOps}
	for uid, f := range all {
		d := build(t, f)
		if *d.Uid != uid || len(d.Tags) == 0 || d.Tags[0] != Tag {
			t.Errorf("%s: uid %s, tags %v", uid, *d.Uid, d.Tags)
		}
		if len(d.Links) != 1 || d.Links[0].Type != dashboard.DashboardLinkTypeDashboards || d.Links[0].Tags[0] != Tag || d.Links[0].Placement != nil {
			t.Errorf("%s: links %+v", uid, d.Links)
		}
		v := d.Templating.List[0]
		if v.Name != "datasource" || v.Type != dashboard.VariableTypeDatasource || *v.Current.Value.String != in.Prometheus {
			t.Errorf("%s: first variable %+v", uid, v)
		}
		runbooks := 0
		for _, p := range d.Panels {
			if ds := p.Panel.Datasource; ds == nil || *ds.Uid != "${datasource}" || *ds.Type != "prometheus" {
				t.Errorf("%s panel %q: datasource %+v", uid, *p.Panel.Title, ds)
			}
			for _, l := range p.Panel.Links {
				if !strings.HasPrefix(*l.Url, in.Runbooks+"/") || !strings.HasSuffix(*l.Url, ".md") {
					t.Errorf("%s panel %q: link %s is not a runbook", uid, *p.Panel.Title, *l.Url)
				}
				runbooks++
			}
		}
		if runbooks == 0 {
			t.Errorf("%s links no runbook", uid)
		}
	}
}

// TestTeamRows: FinOps holds a collapsed row per team, with the team's
// budget in its queries and thresholds, for the first names.TeamsPerDashboard
// teams; the rest continue on pages that follow the house rules, and
// TeamDashboard names the dashboard holding each team's row. Panel ids are
// unique across each dashboard, rows' panels included.
func TestTeamRows(t *testing.T) {
	teams := make([]names.Team, 2*names.TeamsPerDashboard+1)
	for i := range teams {
		teams[i] = names.Team{Name: fmt.Sprintf("team-%d", i), MonthlyBudgetUSD: 1000 + float64(i), CostCenter: "cc"}
	}
	withTeams := in
	withTeams.Teams = teams
	finops, err := FinOps(withTeams).Build()
	if err != nil {
		t.Fatal(err)
	}
	dashboards := []dashboard.Dashboard{finops}
	for _, p := range FinOpsTeams(withTeams) {
		d, err := p.Build()
		if err != nil {
			t.Fatal(err)
		}
		dashboards = append(dashboards, d)
	}
	wantRows := []int{names.TeamsPerDashboard, names.TeamsPerDashboard, 1}
	if len(dashboards) != len(wantRows) {
		t.Fatalf("%d dashboards, want %d", len(dashboards), len(wantRows))
	}
	team := 0
	for i, d := range dashboards {
		if *d.Uid != names.TeamDashboard(team) || d.Tags[0] != Tag || d.Templating.List[0].Name != "datasource" {
			t.Errorf("dashboard %d: uid %s (want %s), tags %v", i, *d.Uid, names.TeamDashboard(team), d.Tags)
		}
		ids := map[uint32]bool{}
		rows := 0
		for _, p := range d.Panels {
			if p.Panel != nil {
				ids[*p.Panel.Id] = true
				continue
			}
			r := p.RowPanel
			rows++
			tm := teams[team]
			if !r.Collapsed || *r.Title != fmt.Sprintf("Team %s (budget %v USD a month, cost center cc)", tm.Name, tm.MonthlyBudgetUSD) || len(r.Panels) != 2 {
				t.Errorf("%s row %q: collapsed %v, %d panels", *d.Uid, *r.Title, r.Collapsed, len(r.Panels))
			}
			for _, id := range []uint32{r.Id, *r.Panels[0].Id, *r.Panels[1].Id} {
				if ids[id] {
					t.Errorf("%s: panel id %d used twice", *d.Uid, id)
				}
				ids[id] = true
			}
			if got := *r.Panels[1].FieldConfig.Defaults.Thresholds.Steps[1].Value; got != tm.MonthlyBudgetUSD {
				t.Errorf("%s: spend threshold %v, want the budget %v", tm.Name, got, tm.MonthlyBudgetUSD)
			}
			team++
		}
		if rows != wantRows[i] {
			t.Errorf("%s: %d team rows, want %d", *d.Uid, rows, wantRows[i])
		}
	}
	if names.TeamDashboard(0) != names.DashboardFinOps || names.TeamDashboard(names.TeamsPerDashboard) != names.DashboardFinOps+"-teams-2" {
		t.Errorf("TeamDashboard: %s, %s", names.TeamDashboard(0), names.TeamDashboard(names.TeamsPerDashboard))
	}
}

// queryResult matches a query_result() variable as Grafana does (one line).
var queryResult = regexp.MustCompile(`^query_result\((.+)\)\s*$`)

// TestLint lints every query of every dashboard, team rows included,
// against the metric catalog and the recording rules of package alerts, as
// the stack does when it renders them: no finding at all, warnings included.
// The lint reads label_values() variables; the expressions of query_result()
// variables are linted here too.
func TestLint(t *testing.T) {
	withTeams := in
	withTeams.Teams = []names.Team{{Name: "ml-platform", MonthlyBudgetUSD: 1000, CostCenter: "engineering"}, {Name: "research", MonthlyBudgetUSD: 750, CostCenter: "research"}}
	l := promlint.New(catalog.Default(), promlint.Options{})
	for _, g := range alerts.Groups(alerts.Config{Teams: []names.Team{{Name: "ml-platform", MonthlyBudgetUSD: 1000}}}) {
		for _, r := range g.Records {
			l.Learn(r.Record, r.Expr, r.Labels)
		}
	}
	for _, f := range []func(Inputs) *dashboard.DashboardBuilder{Cost, Policy, Performance, FinOps} {
		d, err := f(withTeams).Build()
		if err != nil {
			t.Fatal(err)
		}
		data, err := dashjson.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		path := *d.Uid + ".json"
		fs := l.Dashboard(path, data)
		var vars struct {
			Templating struct {
				List []struct {
					Name  string `json:"name"`
					Query any    `json:"query"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(data, &vars); err != nil {
			t.Fatal(err)
		}
		for _, v := range vars.Templating.List {
			q, _ := v.Query.(string)
			if m := queryResult.FindStringSubmatch(q); m != nil {
				fs.Add(l.Expr(path, 0, "variable "+v.Name, m[1])...)
			} else if strings.HasPrefix(q, "query_result(") {
				t.Errorf("%s variable %s: Grafana does not read %q as query_result() (one line only)", *d.Uid, v.Name, q)
			}
		}
		if len(fs) > 0 {
			t.Errorf("lint findings:\n%s", strings.Join(fs.Strings(), "\n"))
		}
	}
}

// TestPerformanceSources: the request, latency and token panels read the
// GenOps metrics and the OTel GenAI metrics, and so do the provider and
// model variables; time to first token reads the client's and the server's
// GenAI histograms in each query.
func TestPerformanceSources(t *testing.T) {
	d := build(t, Performance)
	for _, p := range d.Panels[:3] {
		for _, target := range p.Panel.Targets {
			data, err := json.Marshal(target)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "genops_") || !strings.Contains(string(data), "gen_ai_") {
				t.Errorf("panel %q: query %s does not read both sources", *p.Panel.Title, data)
			}
		}
	}
	for _, v := range d.Templating.List[1:] {
		if q := *v.Query.String; !strings.Contains(q, "genops_") || !strings.Contains(q, "gen_ai_") {
			t.Errorf("variable %s: %s does not list both sources", v.Name, q)
		}
	}
	p := d.Panels[4].Panel
	if len(p.Targets) != 2 {
		t.Errorf("panel %q: %d queries, want p50 and p95", *p.Title, len(p.Targets))
	}
	for _, target := range p.Targets {
		data, err := json.Marshal(target)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "gen_ai_client_operation_time_to_first_chunk_seconds_bucket") || !strings.Contains(string(data), "gen_ai_server_time_to_first_token_seconds_bucket") {
			t.Errorf("panel %q: query %s does not read the client's and the server's time to first token", *p.Title, data)
		}
	}
}
