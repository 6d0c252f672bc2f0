package pipeline

import (
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
)

func TestCheckLinks(t *testing.T) {
	links := []stack.Links{{Grafana: "http://grafana.monitoring.svc", Runbooks: "https://git.example.org/out/runbooks"}}
	set := files.NewSet()
	for _, f := range []files.File{
		{Path: "grafana/dashboards/genops-cost.json", Kind: files.Dashboard, Data: []byte(`{"links": [{"url": "https://git.example.org/out/runbooks/CostAnomaly.md"}, {"url": "/d/genops-finops?var-team=x"}]}`)},
		{Path: "runbooks/CostAnomaly.md", Kind: files.Runbook, Data: []byte("Open http://grafana.monitoring.svc/d/genops-cost first.\n")},
		{Path: "alertmanager/production/alertmanager.yaml", Kind: files.AlertmanagerConfig, Data: []byte("url: http://grafana.monitoring.svc/d/genops-policy\n" +
			"url: '{{ or .CommonAnnotations.runbook_url \"https://git.example.org/out/runbooks\" }}'\n" +
			"url: https://git.example.org/out/runbooks/BudgetExhausted.md\n")},
		{Path: "prometheus/rules/x.yaml", Kind: files.RuleFile, Data: []byte("dashboard_url: http://grafana.monitoring.svc/d/nothing\n")},
	} {
		if err := set.AddFile(f); err != nil {
			t.Fatal(err)
		}
	}
	got := checkLinks(set, links).Strings()
	want := []string{
		"alertmanager/production/alertmanager.yaml: link /d/genops-policy: points at dashboard genops-policy, which the stack does not render (genops-cost)",
		"alertmanager/production/alertmanager.yaml: link BudgetExhausted.md: points at runbook BudgetExhausted.md, which the stack does not render (runbooks are rendered for alerts: out/runbooks/<alert>.md)",
		"grafana/dashboards/genops-cost.json: link /d/genops-finops: points at dashboard genops-finops, which the stack does not render (genops-cost)",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings:\n%q", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// TestLinksToDashboardsAreChecked: a dashboard uid written wrong where an
// alert, a notification or a dashboard links to it is found on the rendered
// files, in every file that carries the link, with the uids that are
// rendered. Nothing lists the uids the links may use: what is rendered is
// the list.
func TestLinksToDashboardsAreChecked(t *testing.T) {
	rendered := renderedUIDs(t)
	tests := []struct {
		name   string
		mutate func(*stack.Content)
		want   []string
	}{
		{"an alert's dashboard", func(c *stack.Content) {
			c.Rules = withAlert(c.Rules, names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Dashboard = "genops-costs" })
		}, []string{
			`kubernetes/base/prometheus-rules.yaml: link /d/genops-costs: points at dashboard genops-costs, which the stack does not render ` + rendered,
			`prometheus/rules/genops-cost-alerts.yaml: alert BudgetThreshold80Percent: dashboard_url "http://grafana.monitoring.svc/d/genops-costs" names dashboard genops-costs, which is not rendered ` + rendered,
			`runbooks/BudgetThreshold80Percent.md: link /d/genops-costs: points at dashboard genops-costs, which the stack does not render ` + rendered,
		}},
		{"an alert without a dashboard", func(c *stack.Content) {
			c.Rules = withAlert(c.Rules, names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Dashboard = "" })
		}, []string{
			`prometheus/rules/genops-cost-alerts.yaml: alert BudgetThreshold80Percent: dashboard_url "http://grafana.monitoring.svc/d/" names no dashboard (want .../d/<uid>): give the alert the uid of a dashboard the stack renders`,
		}},
		{"a notification's dashboard button", func(c *stack.Content) {
			build := c.Routing
			c.Routing = func(s routing.Spec, w routing.Wiring) routing.Config {
				cfg := build(s, w)
				i := slices.IndexFunc(cfg.Receivers, func(r routing.Receiver) bool { return r.Name == names.ReceiverCostCritical })
				cfg.Receivers[i].Slack[0].Actions[0].URL = w.Links.DashboardURL("genops-costs")
				return cfg
			}
		}, alertmanagerFiles(t, "link /d/genops-costs: points at dashboard genops-costs, which the stack does not render "+rendered)},
		{"a dashboard's drill-down", func(c *stack.Content) {
			c.Dashboards = append(slices.Clone(c.Dashboards), func(in dashboards.Inputs) *dashboard.DashboardBuilder {
				url := "/d/genops-costs?var-team=${__field.labels.team}"
				return panelDashboard("genops-extra", promVar, `sum by (team) (rate(genops_cost_usd_total[5m]))`)(in).
					Links([]cog.Builder[dashboard.DashboardLink]{dashboard.NewDashboardLinkBuilder("Cost").Type(dashboard.DashboardLinkTypeLink).Url(url)})
			})
		}, []string{
			`grafana/dashboards/genops-extra.json: link /d/genops-costs: points at dashboard genops-costs, which the stack does not render ` + renderedUIDs(t, "genops-extra"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := stack.Default()
			tt.mutate(&def.Content)
			res := generate(t, def)
			assertErrors(t, res.Findings, tt.want)
		})
	}
}

// alertmanagerFiles is finding on every alertmanager.yaml the default
// definition renders (one per environment, the base's Secret and the
// overlays' that differ from it).
// renderedUIDs lists, as the link findings do, the uids of the dashboards
// the default stack renders, with extra.
func renderedUIDs(t *testing.T, extra ...string) string {
	uids := extra
	for _, f := range mustGenerate(t).Files.OfKind(files.Dashboard) {
		if !f.GeneratorInput {
			uids = append(uids, strings.TrimSuffix(path.Base(f.Path), ".json"))
		}
	}
	slices.Sort(uids)
	return "(" + strings.Join(uids, ", ") + ")"
}

// alertmanagerFiles are finding at each distinct rendered Alertmanager
// configuration: a copy in a Secret's folder is checked where its bytes are
// rendered first (the base's, only there).
func alertmanagerFiles(t *testing.T, finding string) []string {
	var out []string
	for _, f := range mustGenerate(t).Files.Distinct(files.AlertmanagerConfig) {
		out = append(out, f.Path+": "+finding)
	}
	if len(out) == 0 {
		t.Fatal("no alertmanager.yaml rendered")
	}
	return out
}

// withAlert changes the alert called name.
func withAlert(rules func(alerts.Config) []alerts.Group, name string, f func(*alerts.Alert)) func(alerts.Config) []alerts.Group {
	return func(c alerts.Config) []alerts.Group {
		gs := rules(c)
		for i := range gs {
			for j := range gs[i].Alerts {
				if gs[i].Alerts[j].Alert == name {
					f(&gs[i].Alerts[j])
					return gs
				}
			}
		}
		panic("no alert " + name)
	}
}
