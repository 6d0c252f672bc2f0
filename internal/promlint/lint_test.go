package promlint

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// testCatalog is small, so messages listing labels stay short.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	app := &catalog.Source{Kind: catalog.Scraped, Exporter: "the app"}
	c, err := catalog.New(catalog.Contract{},
		[]catalog.Job{{Name: "app", TargetLabels: []string{"job", "instance"}}, {Name: "batch", TargetLabels: []string{"job", "instance", "pod"}}},
		[]catalog.Metric{
			{Name: "cost_usd", Type: catalog.Gauge, Unit: "USD", Help: "cost", Labels: []string{"team", "provider"}, Jobs: []string{"app"}, Source: app},
			{Name: "requests_total", Type: catalog.Counter, Unit: "requests", Help: "requests", Labels: []string{"provider", "status"}, Jobs: []string{"app"}, Source: app},
			{Name: "violations_total", Type: catalog.Counter, Unit: "violations", Help: "violations", Labels: []string{"policy_type", "severity"}, Jobs: []string{"app"}, Source: app},
			{Name: "duration_seconds", Type: catalog.Histogram, Unit: "seconds", Help: "duration", Labels: []string{"provider"}, Jobs: []string{"app"}, Source: app},
			{Name: "latency_seconds", Type: catalog.Summary, Unit: "seconds", Help: "latency", Labels: []string{"model"}, Jobs: []string{"app"}, Source: app},
			{Name: "up", Type: catalog.Gauge, Unit: "boolean", Help: "up", Jobs: []string{"app", "batch"}, Source: app},
		})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// render prints findings as the lint command does, sorted.
func render(fs finding.List) []string {
	var out []string
	for _, f := range fs {
		s := f.Artifact
		if f.Line > 0 {
			s += ":" + strconv.Itoa(f.Line)
		}
		s += ": " + f.Severity.String() + ": " + f.Check + ": "
		if f.Object != "" {
			s += f.Object + ": "
		}
		out = append(out, s+f.Message)
	}
	sort.Strings(out)
	return out
}

func assertLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	want = append([]string(nil), want...)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExprChecks: per check, a failing query with the exact finding and a
// passing one with none.
func TestExprChecks(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []string // "severity: check: message"
	}{
		{"unknown metric, suggestion", `cost_us`, []string{"error: unknown-metric: unknown metric cost_us: it is neither in the metric catalog nor a recording rule (did you mean cost_usd?)"}},
		{"unknown metric, words reordered", `rate(total_requests[5m])`, []string{"error: unknown-metric: unknown metric total_requests: it is neither in the metric catalog nor a recording rule (did you mean requests_total?)"}},
		{"unknown metric, nothing close", `sum(tokens_used)`, []string{"error: unknown-metric: unknown metric tokens_used: it is neither in the metric catalog nor a recording rule"}},
		{"histogram by its family name", `rate(duration_seconds[5m])`, []string{"error: unknown-metric: duration_seconds is a histogram: select its _bucket, _sum or _count series"}},
		{"known metric", `sum by (team) (cost_usd)`, nil},

		{"matcher on a missing label", `cost_usd{model="gpt-4"}`, []string{`error: unknown-label: matcher model="gpt-4": cost_usd has no label model (it has: instance, job, provider, team)`}},
		{"matcher on target labels", `cost_usd{job="app", instance=~".+", team!=""}`, nil},
		{"a job that does not deliver the metric", `up{job="genops-ai"} == 0`, []string{`error: unknown-job: job "genops-ai" does not deliver up (it comes from: app, batch)`}},
		{"by a missing label", `sum by (team) (rate(requests_total[5m]))`, []string{"error: unknown-label: sum by (team): requests_total has no label team (it has: instance, job, provider, status)"}},
		{"without a missing label", `sum without (team) (rate(requests_total[5m]))`, []string{"error: unknown-label: sum without (team): requests_total has no label team (it has: instance, job, provider, status)"}},
		{"by existing labels", `sum by (provider, status) (rate(requests_total[5m]))`, nil},
		{"on a label one side lacks", `sum by (provider) (rate(requests_total[5m])) / on (team) cost_usd`,
			[]string{"error: unknown-label: / on (team): the left-hand side has no label team (sum by (provider) keeps only: provider)"}},
		{"ignoring a label neither side has", `cost_usd / ignoring (model) cost_usd`, []string{"error: unknown-label: / ignoring (model): neither side has label model"}},
		{"group_left a label the one side lacks", `sum by (provider, status) (rate(requests_total[5m])) / on (provider) group_left (model) sum by (provider) (cost_usd)`,
			[]string{"error: unknown-label: group_left (model) copies label model from the right-hand side, which has no label model (sum by (provider) keeps only: provider)"}},
		{"group_right a label the one side lacks", `sum by (provider) (cost_usd) * on (provider) group_right (team) sum by (provider, status) (rate(requests_total[5m]))`,
			[]string{"error: unknown-label: group_right (team) copies label team from the left-hand side, which has no label team (sum by (provider) keeps only: provider)"}},
		{"matching on shared labels", `sum by (provider, status) (rate(requests_total[5m])) / on (provider) group_left (team) cost_usd`, nil},
		{"label_replace from a missing label", `label_replace(cost_usd, "m", "$1", "model", "(.*)")`,
			[]string{"error: unknown-label: label_replace() reads label model, which cost_usd does not have (it has: instance, job, provider, team)"}},

		{"rate over a gauge", `sum(rate(cost_usd[5m]))`,
			[]string{"error: rate-over-non-counter: rate(cost_usd[5m]): cost_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge"}},
		{"increase over a summary's quantiles", `increase(latency_seconds[1h])`,
			[]string{"error: rate-over-non-counter: increase(latency_seconds[1h]): latency_seconds is a summary's quantiles, a gauge, and increase() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge"}},
		{"rate over counters", `rate(requests_total[5m]) + rate(latency_seconds_count[5m]) + increase(duration_seconds_sum[1h])`, nil},
		{"delta over a counter", `delta(requests_total[1h])`,
			[]string{"warning: gauge-function-over-counter: delta(requests_total[1h]): requests_total is a counter, and delta() ignores counter resets; use rate() or increase()"}},
		{"delta over a gauge", `sum by (team) (delta(cost_usd[1h]))`, nil},

		{"histogram_quantile over a non-bucket", `histogram_quantile(0.9, rate(duration_seconds_sum[5m]))`,
			[]string{"error: histogram-quantile: histogram_quantile() over duration_seconds_sum, which is not a histogram's _bucket series: it needs the rate of the buckets, e.g. sum by (le) (rate(x_bucket[5m]))"}},
		{"histogram_quantile without le", `histogram_quantile(0.9, sum by (provider) (rate(duration_seconds_bucket[5m])))`,
			[]string{"error: histogram-quantile: histogram_quantile() over duration_seconds_bucket without the le label: sum by (provider) drops it; keep le, e.g. sum by (..., le)"}},
		{"histogram_quantile over bucket rates", `histogram_quantile(0.95, sum by (provider, le) (rate(duration_seconds_bucket[5m])))`, nil},

		{"counter summed raw", `sum by (status) (requests_total)`,
			[]string{"error: counter-without-rate: sum by (status) (requests_total): requests_total is a counter, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(requests_total[$__rate_interval]) for a rate, increase(requests_total[$__range]) for the total over the dashboard's range"}},
		{"counter compared raw", `sort_desc(violations_total) > 0`,
			[]string{"warning: counter-without-rate: violations_total is a counter used without rate() or increase(): its raw value only grows and drops on every restart; use rate(violations_total[$__rate_interval]) for a rate, increase(violations_total[$__range]) for the total over the dashboard's range"}},
		{"counter counted, timestamped, rated", `count(requests_total) + count(timestamp(violations_total)) + sum(rate(requests_total[5m]))`, nil},

		{"range of one scrape", `rate(requests_total[30s])`,
			[]string{"warning: range-too-short: range [30s] over requests_total is shorter than twice the assumed scrape interval (30s): it holds at most one sample, so rate() and friends return nothing; use at least [1m] ($__rate_interval in Grafana)"}},
		{"Grafana's $__interval", `rate(requests_total[$__interval])`,
			[]string{"warning: range-too-short: range [30s] over requests_total is shorter than twice the assumed scrape interval (30s): it holds at most one sample, so rate() and friends return nothing; use at least [1m] ($__rate_interval in Grafana)"}},
		{"Grafana variables in a broken query", `rate(requests_total[$__rate_interval]) / requests_total[$__range]`,
			[]string{"error: promql-parse: query does not parse: 1:28: parse error: binary expression must contain only scalar and instant vector types (positions are in the query with Grafana's variables substituted: rate(requests_total[2m]) / requests_total[1h])"}},
		{"Grafana variables substituted", `sum by (provider) (rate(requests_total{provider=~"$provider", status="${status:regex}"}[$__rate_interval])) * $scale + sum by (provider) (increase(requests_total[$window]))`, nil},
		{"parse error", `sum by (provider) (rate(requests_total[5m])`,
			[]string{"error: promql-parse: query does not parse: 1:44: parse error: unclosed left parenthesis"}},
	}
	l := New(testCatalog(t), Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range l.Expr("q", 0, "query", tt.query) {
				got = append(got, f.Severity.String()+": "+f.Check+": "+f.Message)
				if f.Artifact != "q" || f.Object != "query" {
					t.Errorf("finding names %s %s", f.Artifact, f.Object)
				}
			}
			assertLines(t, got, tt.want...)
		})
	}
}

// TestNoSource: a query over a metric nothing sends (no Source) is an
// error, once per metric per query, wherever the query is.
func TestNoSource(t *testing.T) {
	app := &catalog.Source{Kind: catalog.Scraped, Exporter: "the app"}
	cat, err := catalog.New(catalog.Contract{},
		[]catalog.Job{{Name: "app", TargetLabels: []string{"job", "instance"}}},
		[]catalog.Metric{
			{Name: "requests_total", Type: catalog.Counter, Unit: "requests", Help: "requests", Labels: []string{"provider"}, Jobs: []string{"app"}, Source: app},
			{Name: "duration_seconds", Type: catalog.Histogram, Unit: "seconds", Help: "duration", Labels: []string{"provider"}, Jobs: []string{"app"}, Source: app},
			{Name: "eval_latency_seconds", Type: catalog.Histogram, Unit: "seconds", Help: "declared, never sent", Labels: []string{"provider"}, Jobs: []string{"app"}},
			{Name: "queue_depth", Type: catalog.Gauge, Unit: "requests", Help: "declared, never sent", Jobs: []string{"app"}},
		})
	if err != nil {
		t.Fatal(err)
	}
	const (
		latency = "metric eval_latency_seconds has no source: nothing sends it (give it a Source in stack/catalog: derived from span attributes, scraped from a named exporter, or an OTel GenAI metric)"
		queue   = "metric queue_depth has no source: nothing sends it (give it a Source in stack/catalog: derived from span attributes, scraped from a named exporter, or an OTel GenAI metric)"
	)
	l := New(cat, Options{})
	assertLines(t, render(l.Expr("q.json", 3, "panel", `histogram_quantile(0.9, sum by (le) (rate(duration_seconds_bucket[5m]))) / sum(rate(requests_total[5m]))`)))
	assertLines(t, render(l.Expr("q.json", 3, "panel", `sum(queue_depth)`)),
		"q.json:3: error: no-source: panel: "+queue)
	// Once per metric: its _bucket, _sum and _count series are one metric.
	assertLines(t, render(l.Expr("q.json", 3, "panel",
		`histogram_quantile(0.9, sum by (le) (rate(eval_latency_seconds_bucket[5m]))) + sum(rate(eval_latency_seconds_sum[5m])) / sum(rate(eval_latency_seconds_count[5m])) + max(queue_depth) - min(queue_depth offset 1d)`)),
		"q.json:3: error: no-source: panel: "+latency,
		"q.json:3: error: no-source: panel: "+queue)

	rules := File{Path: "rules.yaml", Data: []byte(`groups:
- name: g
  rules:
  - record: provider:eval_latency_seconds:p95
    expr: histogram_quantile(0.95, sum by (provider, le) (rate(eval_latency_seconds_bucket[5m])))
  - alert: SlowEval
    expr: provider:eval_latency_seconds:p95 > 10
    for: 5m
    labels: {severity: warning, category: performance}
    annotations: {summary: "Slow {{ $labels.provider }}", description: d, runbook_url: "https://example.com/SlowEval.md"}
  - alert: Backlog
    expr: max(queue_depth) > 100 and sum(rate(requests_total[5m])) > 0
    for: 5m
    labels: {severity: warning, category: performance}
    annotations: {summary: s, description: d, runbook_url: "https://example.com/Backlog.md"}
`)}
	dash := File{Path: "d.json", Data: []byte(`{"uid": "d",
"templating": {"list": [{"name": "provider", "type": "query", "query": "label_values(eval_latency_seconds_count, provider)"}]},
"panels": [{"title": "Latency", "targets": [
  {"expr": "sum by (provider) (rate(eval_latency_seconds_count[$__rate_interval]))"},
  {"expr": "sum by (provider) (rate(duration_seconds_count[$__rate_interval]))"}
]}]}`)}
	runbook := File{Path: "runbooks/Backlog.md", Data: []byte("# Backlog\n\n```promql\nqueue_depth\n```\n")}
	// The record reports it; the alert over the record does not again.
	assertLines(t, render(New(cat, Options{}).Files([]File{rules, dash, runbook})),
		"rules.yaml:5: error: no-source: record provider:eval_latency_seconds:p95: "+latency,
		"rules.yaml:12: error: no-source: alert Backlog: "+queue,
		"d.json:2: error: no-source: dashboard d variable provider: "+latency,
		`d.json:4: error: no-source: dashboard d panel "Latency": `+latency,
		"runbooks/Backlog.md:4: error: no-source: runbook Backlog: "+queue,
	)
}

func TestOutputLabels(t *testing.T) {
	l := New(testCatalog(t), Options{})
	for _, tt := range []struct{ expr, want string }{
		{`cost_usd > 80`, "instance job provider team"},
		{`sum by (provider) (rate(requests_total[5m])) > 0.1`, "provider"},
		{`sum(rate(violations_total[5m])) > 0.1`, ""},
		{`sum by (provider, status) (rate(requests_total[5m])) / on (provider) group_left (team) cost_usd`, "provider status team"},
		{`sum by (provider) (cost_usd) * on (provider) group_right (team) sum by (provider, status) (rate(requests_total[5m]))`, "provider status team"},
		{`cost_usd / on (provider, team) cost_usd`, "provider team"},
		{`cost_usd / ignoring (team) group_left sum without (team) (cost_usd)`, "instance job provider team"},
		{`cost_usd / ignoring (team) cost_usd`, "instance job provider"},
		{`up{job="app"} == 0 or absent(up{job="app"})`, "instance job"},
		{`up == 0`, "instance job pod"},
		{`cost_usd and on (team) cost_usd`, "instance job provider team"},
		{`histogram_quantile(0.9, sum by (provider, le) (rate(duration_seconds_bucket[5m])))`, "provider"},
		{`label_replace(sum by (team) (cost_usd), "owner", "$1", "team", "(.*)")`, "owner team"},
		{`count_values("value", cost_usd)`, "value"},
		{`topk by (team) (3, cost_usd)`, "instance job provider team"},
		{`vector(1)`, ""},
	} {
		got, err := l.OutputLabels(tt.expr)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %v %v, want %s", tt.expr, got, err, tt.want)
		}
	}
	_, err := l.OutputLabels(`sum by (x) (request_total)`)
	const want = "promlint: the result's labels are unknown: unknown metric request_total: it is neither in the metric catalog nor a recording rule (did you mean requests_total?)"
	if !errors.Is(err, ErrUnknownLabels) || err.Error() != want {
		t.Errorf("unknown metric: %v\nwant %s", err, want)
	}
	if _, err := l.OutputLabels(`sum(`); err == nil {
		t.Error("no error for an expression that does not parse")
	}
}

func TestSubstitute(t *testing.T) {
	l := New(testCatalog(t), Options{})
	for in, want := range map[string]string{
		`rate(x{a=~"$a|${b}", c="${c:regex}"}[$__rate_interval])`: `rate(x{a=~"a|b", c="c"}[2m])`,
		`rate(x[$window]) * $n`:                                   `rate(x[5m]) * 1`,
		`increase(x[$__range]) / $__range_s`:                      `increase(x[1h]) / 3600`,
		`label_replace(x, "d", "$1", "s", "(.*)")`:                `label_replace(x, "d", "$1", "s", "(.*)")`,
		`max_over_time(x[$__interval:$__interval])`:               `max_over_time(x[30s:30s])`,
	} {
		if got := l.substitute(in); got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}
