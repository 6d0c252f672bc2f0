package promlint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/koshihq/genops-stack/stack/catalog"
)

func TestDashboard(t *testing.T) {
	wrapped := `{"dashboard": {
  "uid": "costs",
  "title": "Costs",
  "templating": {"list": [
    {"name": "team", "type": "query", "query": "label_values(cost_usd, team)"},
    {"name": "model", "type": "query", "query": {"query": "label_values(cost_usd{team=~\"$team\"}, model)", "refId": "A"}},
    {"name": "logs", "type": "query", "datasource": {"type": "loki"}, "query": "label_values(app)"}
  ]},
  "panels": [
    {"title": "Cost by team", "targets": [
      {"expr": "sum by (team) (cost_usd{team=~\"$team\"})", "legendFormat": "{{team}}"},
      {"expr": "sum by (team) (cost_usd)", "legendFormat": "{{ provider }} {{team}}"}
    ]},
    {"title": "Requests", "type": "row", "collapsed": true, "panels": [
      {"title": "Error ratio", "datasource": {"type": "prometheus", "uid": "prom"}, "targets": [
        {"expr": "sum by (team) (rate(cost_usd[$__rate_interval]))"}
      ]}
    ]},
    {"title": "Logs", "datasource": {"type": "loki", "uid": "loki"}, "targets": [
      {"expr": "{app=\"genops\"} |= \"error\""}
    ]}
  ]
}}`
	bare := `{"uid": "ok", "title": "OK",
"templating": {"list": [{"name": "provider", "type": "query", "query": "label_values(requests_total, provider)"}]},
"panels": [{"title": "Requests", "targets": [
  {"expr": "sum by (provider) (rate(requests_total[$__rate_interval]))", "legendFormat": "{{provider}}"},
  {"expr": "histogram_quantile(0.95, sum by (le) (rate(duration_seconds_bucket[5m])))", "legendFormat": "p95"}
]}]}`
	l := New(testCatalog(t), Options{})
	assertLines(t, render(l.Dashboard("costs.json", []byte(wrapped))),
		`costs.json:12: error: template-label: dashboard costs panel "Cost by team": legend "{{ provider }} {{team}}" uses label provider, which the query's result never carries (sum by (team) keeps only: team); add provider to sum by (team), or take it out of the legend`,
		`costs.json:16: error: rate-over-non-counter: dashboard costs panel "Error ratio": rate(cost_usd[2m]): cost_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
		`costs.json:6: error: unknown-label: dashboard costs variable model: label_values() asks for label model, which cost_usd does not have (it has: instance, job, provider, team)`,
	)
	assertLines(t, render(l.Dashboard("ok.json", []byte(bare))))
	assertLines(t, render(l.Dashboard("bad.json", []byte(`{"panels": [`))),
		"bad.json: error: file: not valid JSON: unexpected end of JSON input")
}

func TestRunbook(t *testing.T) {
	md := "# Runbook: HighErrorRate\n\n```promql\nsum by (provider) (rate(requests_total[5m]))\n```\n\nThen:\n\n```promql\nsum by (team) (\n  rate(requests_total[5m])\n)\n```\n\n```bash\nkubectl get pods\n```\n\n```promql\nsum(\n```\n"
	l := New(testCatalog(t), Options{})
	assertLines(t, render(l.Runbook("runbooks/HighErrorRate.md", []byte(md))),
		`runbooks/HighErrorRate.md:10: error: unknown-label: runbook HighErrorRate: sum by (team): requests_total has no label team (it has: instance, job, provider, status)`,
		`runbooks/HighErrorRate.md:20: error: promql-parse: runbook HighErrorRate: query does not parse: 1:5: parse error: unclosed left parenthesis`,
	)
	// An empty block on the last line is reported at its fence, inside the
	// file (found by FuzzRunbook).
	assertLines(t, render(l.Runbook("runbooks/Empty.md", []byte("# Empty\n```promql"))),
		`runbooks/Empty.md:2: error: promql-parse: runbook Empty: query does not parse: unknown position: parse error: no expression found in input`,
	)
}

// TestFilesKinds: only rule files, dashboards and runbooks; a YAML file
// without rules is an error when named, skipped when found in a directory.
func TestFilesKinds(t *testing.T) {
	l := New(testCatalog(t), Options{})
	values := []byte("prometheus:\n  retention: 15d\n")
	assertLines(t, render(l.Files([]File{
		{Path: "notes.txt", Data: []byte("x")},
		{Path: "values.yaml", Data: values},
		{Path: "out/helm/values.yaml", Data: values, Walked: true},
	})),
		"notes.txt: error: file: not a rule file (.yaml, .yml), dashboard (.json) or runbook (.md)",
		"values.yaml: error: file: no rule groups: expected a Prometheus rule file (groups:) or PrometheusRule manifests")
}

// TestSeed lints the seed's own alert rules and dashboards (copied verbatim
// into testdata/seed) against the default catalog, as the stack's own files
// (profile genops): they parse and pass promtool, yet these queries cannot
// work against the metrics the gateway derives from GenOps AI's spans
// (renamed, gone, or without the label), a panel sums a counter raw, and no
// alert has the runbook_url the house rules ask for.
func TestSeed(t *testing.T) {
	paths, err := filepath.Glob("testdata/seed/*")
	if err != nil || len(paths) != 4 {
		t.Fatalf("seed files: %v %v", paths, err)
	}
	var files []File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Path: p, Data: data})
	}
	assertLines(t, render(New(catalog.Default(), Options{}).Files(files)),
		`testdata/seed/genops-alerts.yaml:110: error: alert-runbook: alert LowQualityScore: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:124: error: alert-runbook: alert GenOpsPodDown: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:135: error: alert-runbook: alert HighMemoryUsage: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:151: error: alert-runbook: alert OTelCollectorDown: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:17: error: alert-runbook: alert BudgetThreshold95Percent: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:28: error: alert-runbook: alert BudgetExhausted: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:39: error: alert-runbook: alert CostAnomaly: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:40: error: unknown-metric: alert CostAnomaly: unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		`testdata/seed/genops-alerts.yaml:58: error: alert-runbook: alert PolicyViolationsDetected: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:58: error: template-label: alert PolicyViolationsDetected: annotation description uses $labels.policy_type, which the expression's result never carries (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)`,
		`testdata/seed/genops-alerts.yaml:58: error: template-label: alert PolicyViolationsDetected: annotation summary uses $labels.policy_type, which the expression's result never carries (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)`,
		`testdata/seed/genops-alerts.yaml:69: error: alert-runbook: alert HighPolicyViolationRate: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:6: error: alert-runbook: alert BudgetThreshold80Percent: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:83: error: alert-runbook: alert HighLatency: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-alerts.yaml:94: error: alert-runbook: alert HighErrorRate: has no runbook_url annotation: on-call follows it from the notification`,
		`testdata/seed/genops-cost-tracking.json:13: error: unknown-metric: dashboard "GenOps AI - Cost Tracking" panel "Total Cost (Last 24h)": unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		`testdata/seed/genops-cost-tracking.json:35: error: unknown-metric: dashboard "GenOps AI - Cost Tracking" panel "Cost by Team": unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		`testdata/seed/genops-cost-tracking.json:45: error: unknown-metric: dashboard "GenOps AI - Cost Tracking" panel "Cost by Provider": unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		`testdata/seed/genops-cost-tracking.json:59: error: unknown-metric: dashboard "GenOps AI - Cost Tracking" panel "Cost Over Time": unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)`,
		`testdata/seed/genops-cost-tracking.json:74: error: unknown-metric: dashboard "GenOps AI - Cost Tracking" panel "Cost by Model": unknown metric genops_cost_by_model_usd: it is neither in the metric catalog nor a recording rule`,
		`testdata/seed/genops-policy-compliance.json:33: error: unknown-label: dashboard "GenOps AI - Policy Compliance" panel "Violations by Policy Type": sum by (policy_type): genops_policy_violations_total has no label policy_type (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)`,
		`testdata/seed/genops-policy-compliance.json:43: error: counter-without-rate: dashboard "GenOps AI - Policy Compliance" panel "Policy Enforcement Actions": sum by (action) (genops_policy_enforcements_total): genops_policy_enforcements_total is a counter, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(genops_policy_enforcements_total[$__rate_interval]) for a rate, increase(genops_policy_enforcements_total[$__range]) for the total over the dashboard's range`,
		`testdata/seed/genops-policy-compliance.json:43: error: unknown-label: dashboard "GenOps AI - Policy Compliance" panel "Policy Enforcement Actions": sum by (action): genops_policy_enforcements_total has no label action (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)`,
	)
}

// TestStringLines: the line of each value of the asked keys, in document
// order, whatever else the document holds (escapes, numbers, literals,
// arrays of strings, keys named like the asked ones as values).
func TestStringLines(t *testing.T) {
	doc := `{
  "title": "expr",
  "panels": [
    {"id": 1, "ok": true, "none": null, "targets": [
      {"expr": "rate(x[5m])", "legendFormat": "{{a}}"},
      {"expr": "sum(\"q\\\\n\")",
       "refId": "B"}
    ], "tags": ["expr", "query"]},
    {"expr": "rate(x[5m])", "n": -1.5e3}
  ],
  "templating": {"list": [{"query": "label_values(up, job)"}]}
}`
	x := stringLines([]byte(doc), "expr", "query")
	for _, tt := range []struct {
		key, value string
		line       int
	}{
		{"expr", "rate(x[5m])", 5},
		{"expr", `sum("q\\n")`, 6},
		{"expr", "rate(x[5m])", 9},
		{"expr", "rate(x[5m])", 0},
		{"query", "label_values(up, job)", 11},
		{"legendFormat", "{{a}}", 0},
		{"title", "expr", 0},
	} {
		if got := x.next(tt.key, tt.value); got != tt.line {
			t.Errorf("%s %q: line %d, want %d", tt.key, tt.value, got, tt.line)
		}
	}
}
