package alerts_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// renderedRules renders the stack and writes its rule files where the unit
// tests expect them (out/prometheus/rules, two levels above testdata/),
// with the unit tests copied next to them. It returns the tests' paths.
func renderedRules(t *testing.T) (ruleFiles, tests []string) {
	t.Helper()
	res, err := pipeline.Generate(stack.Default(), pipeline.Options{})
	if err != nil || res.Findings.Errors() > 0 {
		t.Fatalf("generate: %v %v", err, res.Findings)
	}
	root := t.TempDir()
	for _, f := range res.Files.Files() {
		if !strings.HasPrefix(f.Path, "prometheus/rules/") {
			continue
		}
		p := filepath.Join(root, "out", filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		ruleFiles = append(ruleFiles, p)
	}
	srcs, err := filepath.Glob("testdata/*.test.yaml")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no unit tests: %v", err)
	}
	dir := filepath.Join(root, "alerts", "testdata")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(src))
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, dst)
	}
	return ruleFiles, tests
}

// TestPromtool runs the pinned promtool over the rule files the model
// renders: check rules (what Prometheus loads), then every unit test.
func TestPromtool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds promtool")
	}
	ruleFiles, tests := renderedRules(t)
	promtool := testutil.ToolPath(t, "promtool")
	// promtool tests one file after another: one process per file, on
	// every core.
	runs := [][]string{append([]string{"check", "rules"}, ruleFiles...)}
	for _, f := range tests {
		runs = append(runs, []string{"test", "rules", f})
	}
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, args := range runs {
		wg.Go(func() {
			if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("promtool %s %s: %v\n%s", args[0], args[1], err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// config is the rules' configuration with two teams, like the default stack's.
var config = alerts.Config{Namespace: "genops-system", Monitoring: "monitoring", Teams: []names.Team{
	{Name: "ml-platform", MonthlyBudgetUSD: 1000, CostCenter: "engineering"},
	{Name: "research", MonthlyBudgetUSD: 750, CostCenter: "research"},
}, SLOs: alerts.SLOs()}

type unitTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
		PromqlExprTest []struct {
			Expr string `yaml:"expr"`
		} `yaml:"promql_expr_test"`
	} `yaml:"tests"`
}

// TestEveryRuleIsUnitTested: every alert has a unit test where it fires and
// one where it stays quiet; every recording rule has an expression test;
// every rule file is under test.
func TestEveryRuleIsUnitTested(t *testing.T) {
	fires, quiet, records, files := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	paths, _ := filepath.Glob("testdata/*.test.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var u unitTests
		if err := yaml.Unmarshal(data, &u); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, f := range u.RuleFiles {
			files[filepath.Base(f)] = true
		}
		for _, tg := range u.Tests {
			for _, a := range tg.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					fires[a.Alertname] = true
				} else {
					quiet[a.Alertname] = true
				}
			}
			for _, e := range tg.PromqlExprTest {
				records[e.Expr] = true
				// A ratio of rates carries float rounding: its test may
				// round the recorded value.
				if name, ok := strings.CutPrefix(e.Expr, "round("); ok {
					if name, _, ok := strings.Cut(name, ","); ok {
						records[name] = true
					}
				}
			}
		}
	}
	for _, g := range alerts.Groups(config) {
		if !files[g.Name+".yaml"] {
			t.Errorf("no unit test loads %s.yaml", g.Name)
		}
		for _, a := range g.Alerts {
			if !fires[a.Alert] {
				t.Errorf("alert %s has no unit test where it fires", a.Alert)
			}
			if !quiet[a.Alert] {
				t.Errorf("alert %s has no unit test where it stays quiet", a.Alert)
			}
		}
		for _, r := range g.Records {
			if !records[r.Record] {
				t.Errorf("recording rule %s has no promql_expr_test", r.Record)
			}
		}
	}
}

// TestNotifications: the labels each alert's notifications can carry.
func TestNotifications(t *testing.T) {
	ns, err := alerts.Notifications(alerts.Groups(config), catalog.Default(), "cluster", "environment")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range ns {
		got[n.Alert] = strings.Join(n.Labels, " ")
		if n.Static["severity"] == "" || n.Static["category"] == "" {
			t.Errorf("%s: static labels %v", n.Alert, n.Static)
		}
	}
	for alert, want := range map[string]string{
		"HighLatency":              "cluster environment provider",
		"HighPolicyViolationRate":  "cluster environment policy",
		"PolicyViolationsDetected": "cluster environment policy",
		"CostAnomaly":              "cluster environment team",
		"OTelCollectorDown":        "cluster environment instance job namespace pod",
		"TeamBudgetForecast":       "cluster environment",
		// The gauges are reduced over the gateway replicas: no pod, instance
		// or other target label, one notification per team and budget.
		"BudgetThreshold80Percent": "budget cluster environment team",
		"BudgetExhausted":          "budget cluster environment project team",
		"LowQualityScore":          "cluster environment metric model team",
	} {
		if got[alert] != want {
			t.Errorf("%s: %s\nwant %s", alert, got[alert], want)
		}
	}
	rules := 0
	for _, g := range alerts.Groups(config) {
		rules += len(g.Alerts)
	}
	if len(ns) != rules || len(ns) == 0 {
		t.Errorf("%d notifications for %d alerting rules", len(ns), rules)
	}
}

// TestLint lints every rule file and runbook the groups render against the
// metric catalog, as the stack does when it generates them: no finding at
// all, warnings included (a counter without rate(), a metric nothing sends,
// a label the metric lacks).
func TestLint(t *testing.T) {
	links := names.Links{Grafana: "http://grafana.example.com", Runbooks: "https://runbooks.example.com"}
	var in []promlint.File
	seen := map[string]bool{}
	for _, g := range alerts.Groups(config) {
		data, err := g.RuleFile(links)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, promlint.File{Path: g.Name + ".yaml", Data: data})
		for _, a := range g.Alerts {
			if !seen[a.Alert] {
				seen[a.Alert] = true
				in = append(in, promlint.File{Path: a.RunbookFile(), Data: a.Markdown(links, config)})
			}
		}
	}
	if fs := promlint.New(catalog.Default(), promlint.Options{}).Files(in); len(fs) > 0 {
		t.Errorf("lint findings:\n%s", strings.Join(fs.Strings(), "\n"))
	}
}

// TestCheck: the typed checks, one mistake at a time, each in the group or
// alert it names; the house rules come from promlint.HouseRules, one
// finding each.
func TestCheck(t *testing.T) {
	if fs := alerts.Check("environment base", alerts.Groups(config)); len(fs) > 0 {
		t.Fatalf("the stack's rules have findings: %v", fs)
	}
	const costs, teams = "genops-cost-alerts", "genops-team-budget-alerts"
	tests := []struct {
		name   string
		mutate func(t *testing.T, gs []alerts.Group)
		want   string
	}{
		{"group name", func(t *testing.T, gs []alerts.Group) { group(t, gs, costs).Name = "Cost Alerts" },
			`environment base: group Cost Alerts: name "Cost Alerts" must be lower-case letters, digits and '-': it names the rule file and the PrometheusRule`},
		{"duplicate group", func(t *testing.T, gs []alerts.Group) { group(t, gs, "genops-policy-alerts").Name = costs },
			"environment base: group genops-cost-alerts: group genops-cost-alerts is defined twice"},
		{"interval", func(t *testing.T, gs []alerts.Group) { group(t, gs, costs).Interval = "30 s" },
			`environment base: group genops-cost-alerts: interval "30 s" is not a Prometheus duration`},
		{"record name", func(t *testing.T, gs []alerts.Group) {
			group(t, gs, "genops-recording-rules").Records[0].Record = "genops cost"
		},
			`environment base: record genops cost: "genops cost" is not a valid metric name`},
		{"duplicate alert", func(t *testing.T, gs []alerts.Group) {
			alert(t, gs, names.BudgetThreshold95Percent).Alert = names.BudgetThreshold80Percent
		},
			"environment base: alert BudgetThreshold80Percent: alert BudgetThreshold80Percent is defined twice: its runbook and routing would be ambiguous"},
		{"for", func(t *testing.T, gs []alerts.Group) {
			alert(t, gs, names.BudgetThreshold80Percent).For = "five minutes"
		},
			`environment base: alert BudgetThreshold80Percent: for "five minutes" is not a Prometheus duration`},
		{"severity", func(t *testing.T, gs []alerts.Group) { alert(t, gs, names.BudgetThreshold80Percent).Severity = "page" },
			`environment base: alert BudgetThreshold80Percent: severity "page" is not info, warning or critical`},
		{"category", func(t *testing.T, gs []alerts.Group) { alert(t, gs, names.BudgetThreshold80Percent).Category = "" },
			"environment base: alert BudgetThreshold80Percent: has no category label: routing keys on it (cost, policy, performance, ...)"},
		{"category not lower-case", func(t *testing.T, gs []alerts.Group) { alert(t, gs, names.BudgetThreshold80Percent).Category = "Cost" },
			`environment base: alert BudgetThreshold80Percent: category "Cost" is not lower-case letters and '-': routes match it exactly`},
		{"alert name", func(t *testing.T, gs []alerts.Group) {
			alert(t, gs, names.BudgetThreshold80Percent).Alert = "budget_threshold"
		},
			`environment base: alert budget_threshold: alert name "budget_threshold" is not CamelCase, like HighErrorRate`},
		{"summary", func(t *testing.T, gs []alerts.Group) { alert(t, gs, names.BudgetThreshold80Percent).Summary = "" },
			"environment base: alert BudgetThreshold80Percent: has no summary annotation"},
		{"record not level:metric:operations", func(t *testing.T, gs []alerts.Group) {
			group(t, gs, "genops-recording-rules").Records[0].Record = "team_cost_usd"
		},
			`environment base: record team_cost_usd: recording rule name "team_cost_usd" is not level:metric:operations (job:genops_requests:rate5m, team:genops_cost_usd:increase1h): the name says what the series aggregates and how`},
		{"runbook", func(t *testing.T, gs []alerts.Group) {
			alert(t, gs, names.BudgetThreshold80Percent).Runbook.Remediation = nil
		},
			"environment base: alert BudgetThreshold80Percent: runbook needs what the alert means, investigation steps and remediation steps"},
		{"one team's alert twice", func(t *testing.T, gs []alerts.Group) { g := group(t, gs, teams); g.Alerts[1].Team = g.Alerts[0].Team },
			"environment base: alert TeamBudgetForecast: alert TeamBudgetForecast is defined twice: its runbook and routing would be ambiguous"},
		{"one name, two runbooks", func(t *testing.T, gs []alerts.Group) {
			group(t, gs, teams).Alerts[1].Runbook.Meaning = "Something else."
		},
			"environment base: alert TeamBudgetForecast: alerts named TeamBudgetForecast have different runbooks, but they share one file (TeamBudgetForecast.md): give them one Runbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs := alerts.Groups(config)
			tt.mutate(t, gs)
			var got []string
			for _, f := range alerts.Check("environment base", gs) {
				if f.Severity == finding.Error {
					got = append(got, f.String())
				}
			}
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

// group is the rule group of gs called name.
func group(t *testing.T, gs []alerts.Group, name string) *alerts.Group {
	t.Helper()
	for i := range gs {
		if gs[i].Name == name {
			return &gs[i]
		}
	}
	t.Fatalf("no rule group %s", name)
	return nil
}

// alert is the first alert of gs called name.
func alert(t *testing.T, gs []alerts.Group, name string) *alerts.Alert {
	t.Helper()
	for i := range gs {
		for j := range gs[i].Alerts {
			if gs[i].Alerts[j].Alert == name {
				return &gs[i].Alerts[j]
			}
		}
	}
	t.Fatalf("no alert %s", name)
	return nil
}
