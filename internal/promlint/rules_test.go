package promlint

import (
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/koshihq/genops-stack/stack/catalog"
)

const goodAlert = `
  - alert: HighErrorRate
    expr: sum by (provider) (rate(requests_total{status="error"}[5m])) > 1
    for: 5m
    labels:
      severity: warning
      category: performance
    annotations:
      summary: "High error rate ({{ $labels.provider }})"
      description: "{{ $value }} errors/s for {{ $labels.provider }}"
      runbook_url: https://example.com/HighErrorRate.md
`

// TestRuleChecks: per rule check, a failing file with the exact findings
// and a passing one with none.
func TestRuleChecks(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"passing alert", "groups:\n- name: g\n  rules:" + goodAlert, nil},
		{"template label aggregated away", `groups:
- name: g
  rules:
  - alert: HighErrorRate
    expr: sum by (provider) (rate(requests_total{status="error"}[5m])) > 1
    for: 5m
    labels:
      severity: warning
      category: performance
      team: "{{ $labels.team }}"
    annotations:
      summary: "High error rate"
      description: "{{ index $labels \"status\" }} for {{ .Labels.provider }}"
      runbook_url: https://example.com/HighErrorRate.md
`, []string{
			`rules.yaml:4: error: template-label: alert HighErrorRate: annotation description uses $labels.status, which the expression's result never carries (sum by (provider) keeps only: provider); add status to sum by (provider), or take it out of the template`,
			`rules.yaml:4: error: template-label: alert HighErrorRate: label team uses $labels.team, which the expression's result never carries (sum by (provider) keeps only: provider); add team to sum by (provider), or take it out of the template`,
		}},
		{"static label overrides the expression's", `groups:
- name: g
  rules:
  - alert: PolicyViolations
    expr: rate(violations_total[5m]) > 0
    for: 5m
    labels:
      severity: warning
      category: policy
    annotations:
      summary: "Policy violations ({{ $labels.policy_type }})"
      description: "{{ $value }} violations/s"
      runbook_url: https://example.com/PolicyViolations.md
  - alert: PolicyViolationsByType
    expr: sum by (policy_type) (rate(violations_total[5m])) > 0
    for: 5m
    labels:
      severity: warning
      category: policy
    annotations:
      summary: "Policy violations ({{ $labels.policy_type }})"
      description: "{{ $value }} violations/s"
      runbook_url: https://example.com/PolicyViolations.md
`, []string{
			`rules.yaml:4: error: label-override: alert PolicyViolations: static label severity="warning" replaces the severity label of the expression's result: series that differ only in severity collide and the rule fails with "vector contains metrics with the same labelset after applying rule labels"; aggregate severity away or rename it with label_replace()`,
		}},
		{"alert style", `groups:
- name: g
  rules:
  - alert: high_error_rate
    expr: sum by (provider) (rate(requests_total{status="error"}[5m])) > 1
    labels:
      severity: page
`, []string{
			`rules.yaml:4: error: alert-annotations: alert high_error_rate: has no description annotation`,
			`rules.yaml:4: error: alert-annotations: alert high_error_rate: has no summary annotation`,
			`rules.yaml:4: error: alert-category: alert high_error_rate: has no category label: routing keys on it (cost, policy, performance, ...)`,
			`rules.yaml:4: error: alert-name: alert high_error_rate: alert name "high_error_rate" is not CamelCase, like HighErrorRate`,
			`rules.yaml:4: error: alert-runbook: alert high_error_rate: has no runbook_url annotation: on-call follows it from the notification`,
			`rules.yaml:4: error: alert-severity: alert high_error_rate: severity "page" is not info, warning or critical`,
			`rules.yaml:4: warning: alert-for: alert high_error_rate: has no for duration: it fires on a single evaluation; set for to ride out one bad scrape`,
		}},
		{"no severity", `groups:
- name: g
  rules:
  - alert: Up
    expr: up == 0
    for: 1m
    labels: {category: infra}
    annotations: {summary: s, description: d, runbook_url: "https://example.com/Up.md"}
`, []string{`rules.yaml:4: error: alert-severity: alert Up: has no severity label: set it to info, warning or critical`}},
		{"PromQL checks, on the expression's line", `groups:
- name: g
  rules:
  - record: team:cost_usd:rate5m
    expr: |
      sum by (team) (rate(cost_usd[5m]))
`, []string{`rules.yaml:5: error: rate-over-non-counter: record team:cost_usd:rate5m: rate(cost_usd[5m]): cost_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`}},
		{"rulefmt: unknown field", `groups:
- name: g
  rules:
  - alert: A
    expresion: up == 0
`, []string{`rules.yaml:5: error: rulefmt: field expresion not found in type rulefmt.Rule`}},
		{"rulefmt: expression and template errors", `groups:
- name: g
  rules:
  - alert: Broken
    expr: sum(up
    for: 1m
    labels: {severity: info, category: infra, __name__: x}
    annotations: {summary: "{{ $labels.job ", description: d, runbook_url: "https://example.com/Broken.md"}
- name: g
  rules:
  - record: job:up:max
    expr: up
`, []string{
			`rules.yaml:4: error: rulefmt: alert Broken: annotation "summary": template: __alert_Broken:1: unclosed action`,
			`rules.yaml:4: error: rulefmt: alert Broken: could not parse expression: 1:7: parse error: unclosed left parenthesis`,
			`rules.yaml:4: error: rulefmt: alert Broken: invalid label name: __name__`,
			`rules.yaml:9: error: rulefmt: group g: groupname: "g" is repeated in the same file`,
		}},
		{"not YAML", "groups: [", []string{"rules.yaml: error: file: not valid YAML: yaml: line 1: did not find expected node content"}},
		{"no rules", "apiVersion: v1\nkind: ConfigMap\n", []string{"rules.yaml: error: file: no rule groups: expected a Prometheus rule file (groups:) or PrometheusRule manifests"}},
		{"PrometheusRule manifests among other objects", `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: genops-cost}
spec:
  groups:
  - name: g
    partial_response_strategy: warn
    rules:
    - alert: Cost
      expr: rate(cost_usd[5m]) > 1
      for: 5m
      labels: {severity: warning, category: cost}
      annotations: {summary: s, description: d, runbook_url: "https://example.com/Cost.md"}
    - alert: Bad
      expr: up ==
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: genops-policy}
spec:
  groups:
  - name: h
    rules:
    - record: model:cost_usd:sum
      expr: sum by (model) (cost_usd)
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: genops-broken}
spec:
  groups:
  - name: i
    rules:
    - record: job:up:max
      expr: up
      for: [5m]
`, []string{
			`rules.yaml:40: error: rulefmt: cannot unmarshal !!seq into string`,
			`rules.yaml:14: error: rate-over-non-counter: alert Cost: rate(cost_usd[5m]): cost_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
			`rules.yaml:18: error: alert-annotations: alert Bad: has no description annotation`,
			`rules.yaml:18: error: alert-annotations: alert Bad: has no summary annotation`,
			`rules.yaml:18: error: alert-category: alert Bad: has no category label: routing keys on it (cost, policy, performance, ...)`,
			`rules.yaml:18: error: alert-runbook: alert Bad: has no runbook_url annotation: on-call follows it from the notification`,
			`rules.yaml:18: error: alert-severity: alert Bad: has no severity label: set it to info, warning or critical`,
			`rules.yaml:18: error: rulefmt: alert Bad: could not parse expression: 1:6: parse error: unexpected end of input`,
			`rules.yaml:18: warning: alert-for: alert Bad: has no for duration: it fires on a single evaluation; set for to ride out one bad scrape`,
			`rules.yaml:29: error: unknown-label: record model:cost_usd:sum: sum by (model): cost_usd has no label model (it has: instance, job, provider, team)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(testCatalog(t), Options{})
			assertLines(t, render(l.RuleFile("rules.yaml", []byte(tt.file))), tt.want...)
		})
	}
}

// TestRecordingRules: a query may select a recording rule of any file
// linted with it; the record's labels and kind come from its expression.
func TestRecordingRules(t *testing.T) {
	records := File{Path: "records.yaml", Data: []byte(`groups:
- name: records
  rules:
  - record: provider:duration_seconds_bucket:rate5m
    expr: sum by (provider, le) (rate(duration_seconds_bucket[5m]))
  - record: team:cost_usd:sum
    expr: sum by (team) (cost_usd)
    labels: {unit: usd}
  - record: loop:a:sum
    expr: loop:b:sum
  - record: loop:b:sum
    expr: loop:a:sum
`)}
	alerts := File{Path: "alerts.yaml", Data: []byte(`groups:
- name: alerts
  rules:
  - alert: SlowProvider
    expr: histogram_quantile(0.95, provider:duration_seconds_bucket:rate5m) > 10
    for: 5m
    labels: {severity: warning, category: performance}
    annotations: {summary: "Slow {{ $labels.provider }}", description: "{{ $labels.le }}", runbook_url: "https://example.com/SlowProvider.md"}
  - alert: CostRising
    expr: rate(team:cost_usd:sum[1h]) > 0
    for: 5m
    labels: {severity: warning, category: cost}
    annotations: {summary: "{{ $labels.team }} {{ $labels.unit }}", description: "{{ $labels.provider }}", runbook_url: "https://example.com/CostRising.md"}
  - alert: Loop
    expr: loop:a:sum{team="x"} > 0
    for: 5m
    labels: {severity: info, category: test}
    annotations: {summary: s, description: d, runbook_url: "https://example.com/Loop.md"}
`)}
	dash := File{Path: "d.json", Data: []byte(`{"uid": "d", "panels": [{"title": "Cost", "targets": [{"expr": "team:cost_usd:sum{team=\"a\", model=\"b\"}"}]}]}`)}
	l := New(testCatalog(t), Options{})
	assertLines(t, render(l.Files([]File{alerts, dash, records})),
		`alerts.yaml:4: error: template-label: alert SlowProvider: annotation description uses $labels.le, which the expression's result never carries (it has: provider)`,
		`alerts.yaml:10: error: rate-over-non-counter: alert CostRising: rate(team:cost_usd:sum[1h]): team:cost_usd:sum is a recording rule's result, a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
		`alerts.yaml:9: error: template-label: alert CostRising: annotation description uses $labels.provider, which the expression's result never carries (it has: team, unit)`,
		`d.json:1: error: unknown-label: dashboard d panel "Cost": matcher model="b": team:cost_usd:sum has no label model (it has: team, unit)`,
	)
}

// TestLineEndings: a finding is at the line an editor shows, whether the
// file ends its lines with LF, CRLF or a bare CR (rule files, dashboards and
// runbooks alike).
func TestLineEndings(t *testing.T) {
	rule := "groups:\n- name: g\n  rules:\n  - record: a:b:c\n    expr: rate(no_such_metric_total[5m])\n"
	dash := "{\"title\": \"D\",\n \"panels\": [\n  {\"title\": \"P\", \"targets\": [\n   {\"expr\": \"no_such_metric_total\"}]}]}\n"
	book := "# Runbook\n\n```promql\nno_such_metric_total\n```\n"
	for _, nl := range []string{"\n", "\r\n", "\r"} {
		for _, f := range []struct {
			path, data string
			line       int
		}{{"r.yaml", rule, 5}, {"d.json", dash, 4}, {"b.md", book, 4}} {
			data := strings.ReplaceAll(f.data, "\n", nl)
			fs := New(catalog.Default(), Options{}).Files([]File{{Path: f.path, Data: []byte(data)}})
			if len(fs) != 1 || fs[0].Line != f.line || fs[0].Check != CheckUnknownMetric {
				t.Errorf("%s with %q line endings: %v, want one unknown-metric finding at line %d", f.path, nl, fs.Strings(), f.line)
			}
		}
	}
}

// TestGroupNodeFields: plainDoc's group type has rulefmt.RuleGroup's
// fields, names and YAML keys, so its strict decode accepts and rejects
// the same keys as promtool's.
func TestGroupNodeFields(t *testing.T) {
	fields := func(v any) []string {
		var out []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			out = append(out, f.Name+" "+f.Tag.Get("yaml"))
		}
		return out
	}
	got, want := fields(groupNode{}), fields(rulefmt.RuleGroup{})
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("groupNode has %v, rulefmt.RuleGroup %v", got, want)
	}
	// A key only the embedded yaml.Node of rulefmt.RuleGroupNode would
	// take is an error, as promtool has it.
	assertLines(t, render(New(testCatalog(t), Options{}).RuleFile("r.yaml", []byte("groups:\n- name: g\n  node: ~\n  rules: []\n"))),
		"r.yaml:3: error: rulefmt: field node not found in type rulefmt.RuleGroup")
}

// TestGroupChunks: a large plain rule file decoded in parts on several
// processors gives the groups and lines of one decode; files the split
// cannot read stay whole.
func TestGroupChunks(t *testing.T) {
	data := syntheticRules(1000)
	whole, ok := decodeGroups(groupChunks(data, 1))
	if !ok || len(whole) != 10 {
		t.Fatalf("whole: %d groups, %v", len(whole), ok)
	}
	for _, n := range []int{2, 3, 8} {
		chunks := groupChunks(data, n)
		if len(chunks) != n {
			t.Errorf("%d parts, want %d", len(chunks), n)
		}
		parts, ok := decodeGroups(chunks)
		if !ok || !reflect.DeepEqual(parts, whole) {
			t.Errorf("%d parts decode differently from the whole file", n)
		}
	}
	big := strings.Repeat("#\n", chunkSize)
	for _, text := range []string{
		"groups:\n- name: a\n  rules: []\nother: x\n" + big,
		"groups: [\n" + big + "]\n",
		"groups:\n- name: a\n  rules: []\n---\ngroups: []\n" + big,
		"groups:\n  - name: a\n    rules: []\n  x: y\n" + big,
	} {
		if n := len(groupChunks([]byte(text), 4)); n != 1 {
			t.Errorf("%q... split in %d", text[:30], n)
		}
	}
}
