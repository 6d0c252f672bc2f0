package promlint

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// The fuzz tests feed the lint what users feed it, mangled: expressions,
// alert templates, rule files, PrometheusRule manifests, dashboards and
// runbooks. Whatever the input, the lint must not panic, must report a
// problem as a finding (never an error), and every finding must name the
// file it is about, a line inside it, a check and a message. `make test`
// runs the seed corpora; `make fuzz` runs each target for a while.

// seedExprs are queries of every shape the stack writes, and a few broken.
var seedExprs = []string{
	`genops_budget_utilization_percent > 80`,
	`sum by (team) (increase(genops_cost_usd_total[1h])) > 1.5 * sum by (team) (increase(genops_cost_usd_total[1h] offset 1d))`,
	`histogram_quantile(0.95, sum by (provider, model, le) (rate(genops_request_duration_seconds_bucket[5m])))`,
	`sum by (provider) (rate(genops_requests_total{status="error"}[5m])) / sum by (provider) (rate(genops_requests_total[5m]))`,
	`label_replace(sum by (team) (rate(genops_policy_violations_total[5m])), "owner", "$1", "team", "(.*)")`,
	`histogram_quantile(0.95, sum by (gen_ai_provider_name, le) (rate(gen_ai_client_token_usage_bucket[5m])))`,
	`max_over_time(genops_eval_quality_score{metric=~"relevance|accuracy"}[1h:5m]) < 0.7`,
	`up{job="genops-pods"} == 0`,
	`sum(container_memory_working_set_bytes) / on (namespace, pod, container) group_left sum(container_spec_memory_limit_bytes)`,
	`rate(genops_cost_usd_total[$__rate_interval])`,
	`sum(genops_tokens_total{provider=~"$provider"}) @ end()`,
	`count_values("value", genops_budget_utilization_percent)`,
	`topk by (team) (3, genops_budget_remaining_usd)`,
	`sum(`,
	`{__name__=~"genops_.+"}`,
	`vector(1) + on() group_left foo`,
	``,
}

// fuzzCatalog is built once: a linter learns the recording rules it reads,
// so each input gets a new one, over the same read-only catalog.
var fuzzCatalog = catalog.Default()

func fuzzLinter() *Linter { return New(fuzzCatalog, Options{}) }

// genericLinter lints as for anybody's files, with a few metrics of their
// own (a scrape, the series API).
func fuzzGenericLinter() *Linter {
	m := NewMetrics()
	for name, data := range map[string]string{
		"metrics.txt": "# TYPE app_requests_total counter\napp_requests_total{model=\"a\"} 1\n# TYPE app_queue gauge\napp_queue 2\n",
		"series.json": `{"status": "success", "data": [{"__name__": "app_latency_seconds_bucket", "job": "app", "le": "1"}]}`,
	} {
		if err := m.Add(name, []byte(data)); err != nil {
			panic(err)
		}
	}
	return New(fuzzCatalog, Options{Profile: ProfileGeneric, Metrics: m})
}

// checkFindings asserts what every finding must be: about file, at a line
// of data (or none), with a check, a severity and a message.
func checkFindings(t *testing.T, file string, data []byte, fs finding.List) {
	t.Helper()
	// Lines as an editor counts them: LF, CRLF and a bare CR end a line.
	lines := bytes.Count(editorLines(data), []byte("\n")) + 1
	for _, f := range fs {
		switch {
		case f.Artifact != file:
			t.Errorf("finding about %q, not %q: %s", f.Artifact, file, f)
		case f.Line < 0 || f.Line > lines:
			t.Errorf("line %d outside the %d lines of %s: %s", f.Line, lines, file, f)
		case f.Check == "" || f.Message == "":
			t.Errorf("finding without check or message: %+v", f)
		case f.Severity != finding.Error && f.Severity != finding.Warning && f.Severity != finding.Note:
			t.Errorf("finding with severity %d: %s", f.Severity, f)
		}
	}
}

// FuzzExpr lints one expression as a panel query, and asks for the labels
// of its result as the alert routing does.
func FuzzExpr(f *testing.F) {
	for _, e := range seedExprs {
		f.Add(e)
	}
	l, generic := fuzzLinter(), fuzzGenericLinter()
	f.Fuzz(func(t *testing.T, expr string) {
		fs := l.Expr("panel.json", 7, "panel", expr)
		for _, x := range append(slices.Clone(fs), generic.Expr("panel.json", 7, "panel", expr)...) {
			if x.Artifact != "panel.json" || x.Object != "panel" && x.Severity != finding.Note || x.Check == "" || x.Message == "" ||
				x.Line != 7 && x.Severity != finding.Note {
				t.Errorf("finding does not name the query it is about: %+v", x)
			}
		}
		_, parseErr := l.parser.ParseExpr(expr)
		reportsParse := slices.ContainsFunc(fs, func(x finding.Finding) bool { return x.Check == CheckParse })
		if !strings.Contains(expr, "$") && (parseErr != nil) != reportsParse {
			t.Errorf("parse error %v, but parse finding %v: %v", parseErr, reportsParse, fs)
		}
		labels, err := l.OutputLabels(expr)
		if err == nil && (!slices.IsSorted(labels) || len(slices.Compact(slices.Clone(labels))) != len(labels)) {
			t.Errorf("labels %v are not sorted and unique", labels)
		}
	})
}

// FuzzAlertTemplate lints an alert whose expression and description are
// fuzzed: every label a template finding names is one the description uses.
func FuzzAlertTemplate(f *testing.F) {
	for _, s := range []struct{ expr, text string }{
		{`genops_budget_utilization_percent > 80`, `Team {{ $labels.team }} has consumed {{ $value }}% of monthly budget`},
		{`sum by (provider) (rate(genops_requests_total[5m])) > 1`, `{{ index $labels "status" }} for {{ .Labels.provider }}`},
		{`sum(genops_budget_remaining_usd) < 0`, `{{ $labels.team }}/{{ $labels.project }}`},
		{`up == 0`, `{{ range $labels }}{{ . }}{{ end }}`},
		{`up == 0`, `{{ $labels.`},
		{`up == 0`, `{{ if eq $labels.job "x" }}{{ end`},
	} {
		f.Add(s.expr, s.text)
	}
	f.Fuzz(func(t *testing.T, expr, text string) {
		data, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{
			"name": "fuzz",
			"rules": []any{map[string]any{
				"alert":  "FuzzAlert",
				"expr":   expr,
				"for":    "5m",
				"labels": map[string]string{"severity": "warning", "category": "cost"},
				"annotations": map[string]string{
					"summary": "Fuzz", "description": text, "runbook_url": "https://example.com/FuzzAlert.md",
				},
			}},
		}}})
		if err != nil {
			t.Skip(err) // a string YAML cannot hold
		}
		fs := fuzzLinter().Files([]File{{Path: "rules.yaml", Data: data}})
		checkFindings(t, "rules.yaml", data, fs)
		for _, x := range fs {
			if x.Check != CheckTemplateLabel {
				continue
			}
			_, rest, _ := strings.Cut(x.Message, "uses $labels.")
			name, _, _ := strings.Cut(rest, ",")
			if name == "" || !strings.Contains(text, name) {
				t.Errorf("template finding names label %q, which the description does not use: %s", name, x)
			}
		}
		for _, name := range templateLabels(alertTemplateLabel, text) {
			if !strings.Contains(text, name) {
				t.Errorf("templateLabels found %q, which %q does not hold", name, text)
			}
		}
	})
}

// seedFiles adds the seed's own files of one extension.
func seedFiles(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "seed", "*"+ext))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed %s files: %v", ext, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
}

// fuzzFile lints data as one file called name, given or found by walking,
// as the stack's own file and as anybody's.
func fuzzFile(t *testing.T, name string, data []byte, walked bool) {
	fs := fuzzLinter().Files([]File{{Path: name, Data: data, Walked: walked}})
	checkFindings(t, name, data, fs)
	fs = fuzzGenericLinter().Files([]File{{Path: name, Data: data, Walked: walked}})
	checkFindings(t, name, data, fs)
	for _, f := range fs {
		if f.Severity == finding.Error && f.Check == CheckUnknownMetric && f.Source == "" {
			t.Errorf("an unknown metric is an error in anybody's file: %s", f)
		}
	}
}

// FuzzMetrics reads --metrics files: scrapes, OpenMetrics, the API's JSON,
// and anything else. Whatever the file, reading it returns or fails with an
// error naming it, and a query over what it read lints without a panic.
func FuzzMetrics(f *testing.F) {
	for _, name := range []string{"metrics.txt", "metrics-openmetrics.txt", "series.json", "metadata.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "generic", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"# TYPE x histogram\nx_bucket{le=\"1\"} 1\nx_sum 1\nx_count 1\n",
		"# TYPE x summary\nx{quantile=\"0.5\"} 1\n# EOF\n",
		`{"status": "success", "data": {"x": []}}`,
		`{"status": "success", "data": [{}]}`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := NewMetrics()
		if err := m.Add("m.txt", data); err != nil {
			if !strings.HasPrefix(err.Error(), "m.txt: ") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		l := New(fuzzCatalog, Options{Profile: ProfileGeneric, Metrics: m})
		for _, name := range m.names() {
			for _, q := range []string{"sum by (le) (rate(%s[5m]))", "histogram_quantile(0.9, %s)", "sum(%s)"} {
				for _, x := range l.Expr("q.json", 1, "panel", strings.ReplaceAll(q, "%s", name)) {
					if x.Check == "" || x.Message == "" {
						t.Errorf("finding without check or message: %+v", x)
					}
				}
			}
		}
	})
}

// FuzzRuleFile reads rule files: plain groups, PrometheusRule manifests,
// several documents, and anything else YAML can hold.
func FuzzRuleFile(f *testing.F) {
	seedFiles(f, ".yaml")
	for _, s := range []string{
		"groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: r\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: Down\n      expr: up == 0\n      for: 5m\n      labels: {severity: critical, category: infrastructure}\n",
		"---\ngroups: []\n---\nkind: ConfigMap\n",
		"groups:\n- name: g\n  rules:\n  - record: a:b:c\n    expr: sum(\n    labelz: {}\n",
		"groups: [\n",
		"",
		// Found by fuzzing: YAML breaks lines at a bare CR, and the finding
		// was at a line the LF-only count did not have.
		"groups: \r0:",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, walked bool) { fuzzFile(t, "rules.yaml", data, walked) })
}

// FuzzDashboard reads Grafana dashboards, bare or wrapped.
func FuzzDashboard(f *testing.F) {
	seedFiles(f, ".json")
	for _, s := range []string{
		`{"dashboard": {"uid": "x", "panels": [{"title": "p", "type": "row", "panels": [{"title": "q", "targets": [{"expr": "up", "legendFormat": "{{job}}"}]}]}]}}`,
		`{"uid": "x", "templating": {"list": [{"name": "v", "type": "query", "query": {"query": "label_values(up, job)"}}]}, "panels": [{"targets": [{"expr": "up{job=~\"$v\"}"}]}]}`,
		`{"panels": [`,
		`[]`,
		``,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, walked bool) { fuzzFile(t, "dashboard.json", data, walked) })
}

// FuzzRunbook reads the PromQL blocks of Markdown runbooks.
func FuzzRunbook(f *testing.F) {
	for _, s := range []string{
		"# Runbook\n\n```promql\nsum by (team) (increase(genops_cost_usd_total[1h]))\n```\n",
		"```promql\nsum(\n```\n```bash\nkubectl get pods\n```\n",
		"```promql\n",
		"text only\n",
		"",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, walked bool) { fuzzFile(t, "Runbook.md", data, walked) })
}
