package promlint

import (
	"fmt"
	"strings"
	"testing"

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
`, i)
		case 2:
			fmt.Fprintf(&b, `  - alert: CostAnomaly%d
    expr: sum by (team) (increase(genops_cost_usd_total[1h])) > 1.5 * sum by (team) (increase(genops_cost_usd_total[1h] offset 1d))
    for: 30m
    labels: {severity: warning, category: cost}
    annotations:
      summary: "Unusual cost increase detected ({{ $labels.team }})"
      description: "Cost for {{ $labels.team }} has increased by 50%% compared to yesterday"
`, i)
		case 3:
			fmt.Fprintf(&b, `  - alert: HighErrorRate%d
    expr: genops:requests:provider_rate5m_%d / on (provider) sum by (provider) (rate(genops_requests_total[5m])) > 0.05
    for: 5m
    labels: {severity: critical, category: performance}
    annotations:
      summary: "High error rate ({{ $labels.provider }})"
      description: "Error rate for {{ $labels.provider }} is {{ $value | humanizePercentage }}"
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
	for b.Loop() {
		if fs := New(cat, Options{}).RuleFile("synthetic.yaml", data); len(fs) != 0 {
			b.Fatalf("%d findings, first: %s", len(fs), fs[0])
		}
	}
}
