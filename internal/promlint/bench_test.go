package promlint

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// syntheticRules is a rule file of n rules in groups of 100: recording
// rules and alerts over the GenOps metrics, with templates, in the shapes
// the stack's own rules have.
func syntheticRules(n int) []byte {
	var b strings.Builder
	b.WriteString("groups:\n")
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			fmt.Fprintf(&b, "- name: group-%d\n  interval: 30s\n  rules:\n", i/100)
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  - record: genops:requests:provider_rate5m_%d\n    expr: sum by (provider) (rate(genops_requests_total{status=\"error\"}[5m]))\n", i)
		case 1:
			fmt.Fprintf(&b, `  - alert: HighLatency%d
    expr: histogram_quantile(0.95, sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m]))) > 10
    for: 10m
    labels: {severity: warning, category: performance}
    annotations:
      summary: "High latency detected ({{ $labels.provider }})"
      description: "P95 latency for {{ $labels.provider }} is {{ $value }}s"
      runbook_url: "https://example.com/runbooks/HighLatency.md"
`, i)
		case 2:
			fmt.Fprintf(&b, `  - alert: CostAnomaly%d
    expr: sum by (team) (increase(genops_cost_usd_total[1h])) > 1.5 * sum by (team) (increase(genops_cost_usd_total[1h] offset 1d))
    for: 30m
    labels: {severity: warning, category: cost}
    annotations:
      summary: "Unusual cost increase detected ({{ $labels.team }})"
      description: "Cost for {{ $labels.team }} has increased by 50%% compared to yesterday"
      runbook_url: "https://example.com/runbooks/CostAnomaly.md"
`, i)
		case 3:
			fmt.Fprintf(&b, `  - alert: HighErrorRate%d
    expr: genops:requests:provider_rate5m_%d / on (provider) sum by (provider) (rate(genops_requests_total[5m])) > 0.05
    for: 5m
    labels: {severity: critical, category: performance}
    annotations:
      summary: "High error rate ({{ $labels.provider }})"
      description: "Error rate for {{ $labels.provider }} is {{ $value | humanizePercentage }}"
      runbook_url: "https://example.com/runbooks/HighErrorRate.md"
`, i, i-3)
		}
	}
	return []byte(b.String())
}

// BenchmarkLintRules lints a file of 5,000 rules: YAML decoding, rulefmt
// validation (as promtool), and every PromQL and style check.
func BenchmarkLintRules(b *testing.B) {
	data := syntheticRules(5000)
	cat := catalog.Default()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	clock := testutil.StartCPU()
	for b.Loop() {
		if fs := New(cat, Options{}).RuleFile("synthetic.yaml", data); len(fs) != 0 {
			b.Fatalf("%d findings, first: %s", len(fs), fs[0])
		}
	}
	clock.Report(b)
}

// benchQueries are panel queries in the shapes the stack's dashboards have,
// with their legends.
var benchQueries = [][2]string{
	{`sum by (team) (increase(genops_cost_usd_total{team=~"$team", project=~"$project"}[1h]))`, `{{team}}`},
	{`sum by (provider, model) (rate(genops_requests_total{provider=~"$provider", model=~"$model"}[$__rate_interval]))`, `{{provider}}/{{model}}`},
	{"histogram_quantile(0.95,\n    sum by (provider, le) (rate(genops_request_duration_seconds_bucket{provider=~\"$provider\", model=~\"$model\"}[5m]))\n  or on (provider)\n    sum by (provider, le) (\n      label_replace(\n        rate(gen_ai_client_operation_duration_seconds_bucket{gen_ai_provider_name=~\"$provider\", gen_ai_request_model=~\"$model\"}[5m]),\n      \"provider\", \"$1\", \"gen_ai_provider_name\", \"(.*)\")\n    )\n)", `{{provider}} p95`},
	{`sum by (provider) (rate(genops_requests_total{status="error"}[$__rate_interval])) / sum by (provider) (rate(genops_requests_total[$__rate_interval]))`, `{{provider}}`},
	{`max by (team, budget) (genops_budget_utilization_percent{team=~"$team"})`, `{{team}} {{budget}}`},
	{`sum by (policy, result) (increase(genops_policy_violations_total{team=~"$team"}[1h]))`, `{{policy}}: {{result}}`},
	{`avg by (model, metric) (genops_eval_quality_score{model=~"$model"})`, `{{model}} {{metric}}`},
	{`sum by (type) (rate(genops_tokens_total{provider=~"$provider"}[$__rate_interval]))`, `{{type}} tokens`},
}

// syntheticDashboards are n dashboards of panels panels each, rendered as
// the Foundation SDK renders the stack's (grid positions, options, field
// config, links), with query variables.
func syntheticDashboards(n, panels int) []File {
	var files []File
	for d := 0; d < n; d++ {
		var b strings.Builder
		fmt.Fprintf(&b, "{\n  \"uid\": \"genops-synthetic-%d\",\n  \"title\": \"Synthetic %d\",\n  \"tags\": [\"genops\"],\n  \"panels\": [\n", d, d)
		for p := 0; p < panels; p++ {
			q := benchQueries[(d+p)%len(benchQueries)]
			expr, _ := json.Marshal(q[0])
			legend, _ := json.Marshal(q[1])
			if p > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `    {
      "type": "timeseries",
      "id": %d,
      "targets": [
        {
          "expr": %s,
          "legendFormat": %s,
          "refId": "A"
        }
      ],
      "title": "Panel %d",
      "datasource": {"type": "prometheus", "uid": "${datasource}"},
      "gridPos": {"h": 8, "w": 12, "x": %d, "y": %d},
      "links": [{"title": "Runbook", "type": "link", "url": "https://example.com/runbooks/HighLatency.md", "targetBlank": true}],
      "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []}, "tooltip": {"mode": "single", "sort": "none"}},
      "fieldConfig": {"defaults": {"unit": "short", "custom": {"lineWidth": 1, "fillOpacity": 10}}, "overrides": []}
    }`, p+1, expr, legend, p, (p%2)*12, (p/2)*8)
		}
		b.WriteString("\n  ],\n  \"templating\": {\"list\": [\n")
		b.WriteString(`    {"type": "datasource", "name": "datasource", "query": "prometheus"},
    {"type": "query", "name": "team", "query": "label_values(genops_cost_usd_total, team)", "datasource": {"type": "prometheus", "uid": "${datasource}"}},
    {"type": "query", "name": "provider", "query": {"query": "label_values(genops_requests_total{team=~\"$team\"}, provider)", "refId": "A"}, "datasource": {"type": "prometheus", "uid": "${datasource}"}}
  ]}
}
`)
		files = append(files, File{Path: fmt.Sprintf("grafana/dashboards/genops-synthetic-%d.json", d), Data: []byte(b.String())})
	}
	return files
}

// BenchmarkLintDashboards lints 100 dashboards of 20 panels each: JSON
// decoding, the line index, every query and legend, the variables.
func BenchmarkLintDashboards(b *testing.B) {
	files := syntheticDashboards(100, 20)
	cat := catalog.Default()
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	b.ReportAllocs()
	b.SetBytes(size)
	clock := testutil.StartCPU()
	for b.Loop() {
		if fs := New(cat, Options{}).Files(files); len(fs) != 0 {
			b.Fatalf("%d findings, first: %s", len(fs), fs[0])
		}
	}
	clock.Report(b)
}
