package promlint

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// genericLinter lints as for anybody's files, with the given metrics files
// of testdata/generic.
func genericLinter(t *testing.T, metrics ...string) *Linter {
	t.Helper()
	opts := Options{Profile: ProfileGeneric}
	if len(metrics) > 0 {
		opts.Metrics = NewMetrics()
		for _, m := range metrics {
			data, err := os.ReadFile(filepath.Join("testdata", "generic", m))
			if err != nil {
				t.Fatal(err)
			}
			if err := opts.Metrics.Add(m, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	return New(testCatalog(t), opts)
}

// exprFindings lints one panel query and returns "severity: check:
// message [source]" per finding, notes aside.
func exprFindings(l *Linter, query string) []string {
	var got []string
	for _, f := range l.Expr("q.json", 1, "panel", query) {
		if f.Severity == finding.Note {
			continue
		}
		s := f.Severity.String() + ": " + f.Check + ": " + f.Message
		if f.Source != "" {
			s += " [" + f.Source + "]"
		}
		got = append(got, s)
	}
	return got
}

// TestGenericChecks: each check that needs no catalog, on metrics no source
// knows (what a team's own dashboard selects), a failing query with its
// exact finding and a passing one without.
func TestGenericChecks(t *testing.T) {
	const rawAdvice = "aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: "
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		// Labels the query's own aggregation keeps or drops.
		{"grouping by a label the inner aggregation dropped", `sum by (team) (sum by (model) (rate(app_requests_total[5m])))`,
			[]string{"error: unknown-label: sum by (team): the result has no label team (sum by (model) keeps only: model) [the query]"}},
		{"grouping by a kept label", `sum by (model) (sum by (model, team) (rate(app_requests_total[5m])))`, nil},
		{"matching on a label one side dropped", `sum by (model) (rate(app_spend_total[5m])) / on (team) sum by (team) (rate(app_requests_total[5m]))`,
			[]string{"error: unknown-label: / on (team): the left-hand side has no label team (sum by (model) keeps only: model) [the query]"}},
		{"matching on kept labels", `sum by (team) (rate(app_spend_total[5m])) / on (team) sum by (team) (rate(app_requests_total[5m]))`, nil},
		{"without drops a label", `max by (pod) (sum without (pod) (app_queue_depth))`,
			[]string{"error: unknown-label: max by (pod): the result has no label pod (sum without (pod) drops it) [the query]"}},
		{"unknown metric: its labels are open", `sum by (whatever) (rate(app_requests_total{region="eu"}[5m]))`, nil},

		// Counters used raw.
		{"counter aggregated raw", `sum(app_requests_total)`,
			[]string{"error: counter-without-rate: sum(app_requests_total): app_requests_total is a counter, " + rawAdvice +
				"rate(app_requests_total[$__rate_interval]) for a rate, increase(app_requests_total[$__range]) for the total over the dashboard's range [naming convention: the _total suffix]"}},
		{"counter rated then aggregated", `sum(increase(app_requests_total[1h]))`, nil},
		{"_count aggregated raw, histogram by its buckets", `sum(app_latency_seconds_count) / sum(rate(app_latency_seconds_sum[5m])) + 0 * sum by (le) (rate(app_latency_seconds_bucket[5m]))`,
			[]string{"error: counter-without-rate: sum(app_latency_seconds_count): app_latency_seconds_count is the _count series of histogram app_latency_seconds (a counter), " + rawAdvice +
				"rate(app_latency_seconds_count[$__rate_interval]) for a rate, increase(app_latency_seconds_count[$__range]) for the total over the dashboard's range [naming convention: the _count suffix, with app_latency_seconds_bucket in the linted files]"}},
		{"_sum alone: a weak convention, a warning", `sum(app_cost_sum)`,
			[]string{"warning: counter-without-rate: sum(app_cost_sum): app_cost_sum is the _sum series of a histogram or summary (a counter), " + rawAdvice +
				"rate(app_cost_sum[$__rate_interval]) for a rate, increase(app_cost_sum[$__range]) for the total over the dashboard's range [naming convention: the _sum suffix]"}},
		{"counter shown raw", `app_requests_total`,
			[]string{"warning: counter-without-rate: app_requests_total is a counter used without rate() or increase(): its raw value only grows and drops on every restart; use rate(app_requests_total[$__rate_interval]) for a rate, increase(app_requests_total[$__range]) for the total over the dashboard's range [naming convention: the _total suffix]"}},
		{"counter counted, or read for presence", `count(app_requests_total) and on () (app_errors_total)`, nil},

		// Histogram buckets.
		{"buckets aggregated across le", `avg(app_latency_seconds_bucket)`,
			[]string{"error: bucket-aggregation: avg(app_latency_seconds_bucket): aggregates the buckets of histogram app_latency_seconds across their bounds (le): each observation counts once per bucket it falls in, so the result is no quantity of the histogram; use histogram_quantile(0.95, sum by (le) (rate(app_latency_seconds_bucket[5m]))), or keep le (sum by (le)) for a heatmap [naming convention: the _bucket suffix]"}},
		{"buckets kept by le (a heatmap), or one bound", `sum by (le) (rate(app_latency_seconds_bucket[5m])) or sum(rate(app_latency_seconds_bucket{le="0.5"}[5m]))`, nil},
		{"one bound in two spellings", `sum(rate(app_latency_seconds_bucket{le=~"10|10\\.0"}[5m]))`, nil},
		{"two bounds in one regular expression", `sum(rate(app_latency_seconds_bucket{le=~"5|10"}[5m]))`,
			[]string{"error: bucket-aggregation: sum(rate(app_latency_seconds_bucket{le=~\"5|10\"}[5m])): aggregates the buckets of histogram app_latency_seconds across their bounds (le): each observation counts once per bucket it falls in, so the result is no quantity of the histogram; use histogram_quantile(0.95, sum by (le) (rate(app_latency_seconds_bucket[5m]))), or keep le (sum by (le)) for a heatmap [naming convention: the _bucket suffix]"}},
		{"histogram_quantile whose by drops le", `histogram_quantile(0.9, sum by (route) (rate(app_latency_seconds_bucket[5m])))`,
			[]string{"error: histogram-quantile: histogram_quantile() over app_latency_seconds_bucket without the le label: sum by (route) drops it; keep le, e.g. sum by (..., le) [the query]"}},
		{"histogram_quantile over raw buckets", `histogram_quantile(0.9, sum by (le) (app_latency_seconds_bucket))`,
			[]string{"error: counter-without-rate: histogram_quantile(): the buckets app_latency_seconds_bucket are raw counters: the quantile is of every observation since each process started; use histogram_quantile(0.9, sum by (le) (rate(app_latency_seconds_bucket[5m]))) [naming convention: the _bucket suffix]"}},
		{"histogram_quantile of bucket rates", `histogram_quantile(0.9, sum by (route, le) (rate(app_latency_seconds_bucket[5m])))`, nil},
		{"histogram_quantile of a native histogram", `histogram_quantile(0.9, sum by (route) (rate(app_latency_seconds[5m])))`, nil},

		// rate() over what is not a counter.
		{"rate over an info metric", `rate(app_build_info[5m])`,
			[]string{"error: rate-over-non-counter: rate(app_build_info[5m]): app_build_info is an info metric, a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [naming convention: the _info suffix]"}},
		{"rate over a recording rule's rate", `rate(job:app_requests:rate5m[5m])`,
			[]string{"error: rate-over-non-counter: rate(job:app_requests:rate5m[5m]): job:app_requests:rate5m is a recording rule's result, a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [naming convention: a level:metric:operations recording rule whose operations (rate5m) make a gauge]"}},
		{"rate over a gauge-like name: a warning", `rate(app_cache_hit_ratio[5m])`,
			[]string{"warning: rate-over-non-counter: rate(app_cache_hit_ratio[5m]): app_cache_hit_ratio is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [naming convention: the word \"ratio\"]"}},
		{"rate over a name without a counter suffix", `rate(vendor:num_preemptions[5m])`,
			[]string{"warning: rate-over-non-counter: rate(vendor:num_preemptions[5m]): vendor:num_preemptions has no counter suffix (_total, _count, _sum, _bucket): if it is a gauge, rate() reads every decrease as a reset (use delta() or deriv()); if it is a counter, its series is probably vendor:num_preemptions_total (client libraries add _total) [naming convention: counters end in _total]"}},
		{"rate over counters", `rate(app_requests_total[5m]) + rate(app_latency_seconds_sum[5m]) + rate(vendor:num_preemptions_total[5m])`, nil},

		// Ranges.
		{"range of one scrape", `rate(app_requests_total[45s])`,
			[]string{"warning: range-too-short: range [45s] over app_requests_total is shorter than twice the assumed scrape interval (30s): it holds at most one sample, so rate() and friends return nothing; use at least [1m] ($__rate_interval in Grafana)"}},
		{"range of two scrapes", `rate(app_requests_total[1m])`, nil},

		// The OTel GenAI semantic conventions are exact.
		{"a GenAI histogram's _count aggregated raw", `sum by (gen_ai_request_model) (gen_ai_server_request_duration_seconds_count)`,
			[]string{"error: counter-without-rate: sum by (gen_ai_request_model) (gen_ai_server_request_duration_seconds_count): gen_ai_server_request_duration_seconds_count is the _count series of histogram gen_ai_server_request_duration_seconds (a counter), " + rawAdvice +
				"rate(gen_ai_server_request_duration_seconds_count[$__rate_interval]) for a rate, increase(gen_ai_server_request_duration_seconds_count[$__range]) for the total over the dashboard's range [the OTel GenAI semantic conventions]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertLines(t, exprFindings(genericLinter(t), tt.query), tt.want...)
		})
	}
}

// TestGenericScrapeInterval: a range too short for the scrape interval the
// user gave is an error.
func TestGenericScrapeInterval(t *testing.T) {
	l := New(testCatalog(t), Options{Profile: ProfileGeneric, ScrapeInterval: 15e9, ScrapeIntervalGiven: true})
	assertLines(t, exprFindings(l, `rate(app_requests_total[20s])`),
		"error: range-too-short: range [20s] over app_requests_total is shorter than twice the scrape interval (15s): it holds at most one sample, so rate() and friends return nothing; use at least [30s] ($__rate_interval in Grafana)")
	assertLines(t, exprFindings(l, `rate(app_requests_total[30s])`))
}

// TestGenericCatalog: for anybody's files the catalog gives types, not
// every label (their scrape adds others), and no house rule applies.
func TestGenericCatalog(t *testing.T) {
	l := genericLinter(t)
	assertLines(t, exprFindings(l, `sum by (region) (cost_usd{service_name="x"})`))
	assertLines(t, exprFindings(l, `sum(rate(cost_usd[5m]))`),
		"error: rate-over-non-counter: rate(cost_usd[5m]): cost_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [the metric catalog]")
	rules := "groups:\n- name: g\n  rules:\n  - alert: cost_high\n    expr: cost_usd > 100\n"
	assertLines(t, render(l.RuleFile("rules.yaml", []byte(rules))))
}

// TestGenericTemplates: legends and alert templates that use a label the
// query's aggregation drops, without any knowledge of the metric.
func TestGenericTemplates(t *testing.T) {
	l := genericLinter(t)
	dash := `{"uid": "d", "panels": [{"type": "timeseries", "title": "Spend", "targets": [
  {"expr": "sum by (hashed_api_key) (rate(app_spend_total[$__rate_interval]))", "legendFormat": "{{team}}"},
  {"expr": "sum by (team) (rate(app_spend_total[$__rate_interval]))", "legendFormat": "{{team}}"},
  {"expr": "rate(app_spend_total[$__rate_interval])", "legendFormat": "{{team}} {{pod}}"}
]}]}`
	assertLines(t, render(withoutNotes(l.Dashboard("d.json", []byte(dash)))),
		`d.json:2: error: template-label: dashboard d panel "Spend": legend "{{team}}" uses label team, which the query's result never carries (sum by (hashed_api_key) keeps only: hashed_api_key); add team to sum by (hashed_api_key), or take it out of the legend`)
	rules := `groups:
- name: g
  rules:
  - alert: SpendHigh
    expr: sum by (model) (rate(app_spend_total[5m])) > 1
    annotations:
      summary: "{{ $labels.model }} on {{ $labels.pod }}"
  - alert: SpendHighToo
    expr: rate(app_spend_total[5m]) > 1
    annotations:
      summary: "{{ $labels.model }} on {{ $labels.pod }}"
`
	assertLines(t, render(withoutNotes(l.RuleFile("rules.yaml", []byte(rules)))),
		`rules.yaml:4: error: template-label: alert SpendHigh: annotation summary uses $labels.pod, which the expression's result never carries (sum by (model) keeps only: model); add pod to sum by (model), or take it out of the template`)
}

// TestRangePerPoint: $__range as the range of a query a time series draws;
// not in a stat, nor in an instant query.
func TestRangePerPoint(t *testing.T) {
	l := genericLinter(t)
	dash := `{"uid": "d", "panels": [
  {"type": "timeseries", "title": "Spend", "targets": [{"expr": "sum(increase(app_spend_total[$__range]))"}]},
  {"type": "timeseries", "title": "Spend, instant", "targets": [{"expr": "sum(increase(app_spend_total[${__range}]))", "instant": true, "range": false}]},
  {"type": "stat", "title": "Spend today", "targets": [{"expr": "sum(increase(app_spend_total[$__range]))"}]},
  {"type": "timeseries", "title": "Spend per step", "targets": [{"expr": "sum(rate(app_spend_total[$__rate_interval])) * $__range_s"}]}
]}`
	assertLines(t, render(withoutNotes(l.Dashboard("d.json", []byte(dash)))),
		`d.json:2: error: range-per-point: dashboard d panel "Spend": timeseries panel runs the query over the dashboard's range, and [$__range] makes every point cover that whole range before it: the line is a moving window as wide as the dashboard, not a value per step; use [$__rate_interval] (rate) or [$__interval] (increase per step), or make the query instant (a stat or table panel)`)
}

// TestUnknownMetricsNote: metrics no source knows are one note per file,
// never an error.
func TestUnknownMetricsNote(t *testing.T) {
	l := genericLinter(t)
	dash := `{"uid": "d", "panels": [{"title": "P", "targets": [
  {"expr": "sum(rate(app_b_total[5m])) / sum(rate(app_a_total[5m]))"},
  {"expr": "max(app_a_total)"}
]}]}`
	fs := l.Files([]File{{Path: "d.json", Data: []byte(dash)}})
	assertLines(t, render(fs),
		`d.json:3: error: counter-without-rate: dashboard d panel "P": max(app_a_total): app_a_total is a counter, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(app_a_total[$__rate_interval]) for a rate, increase(app_a_total[$__range]) for the total over the dashboard's range`,
		`d.json: note: unknown-metric: 2 metric(s) not in the metric catalog or the OTel GenAI semantic conventions, checked by naming conventions only (give --metrics a scrape of your targets, or Prometheus' /api/v1/metadata and /api/v1/series, for exact checks): app_a_total, app_b_total`)
}

// TestMetricsSources: --metrics files make the lint exact: a scrape's
// types, the metadata API's types, the series API's labels, and the names
// a scrape has.
func TestMetricsSources(t *testing.T) {
	l := genericLinter(t, "metrics.txt", "metrics-openmetrics.txt", "series.json", "metadata.json")
	for _, tt := range []struct {
		query string
		want  []string
	}{
		// A gauge by its TYPE line, not by a naming convention.
		{`rate(llm_gateway_cache_hit_ratio[5m])`, []string{"error: rate-over-non-counter: rate(llm_gateway_cache_hit_ratio[5m]): llm_gateway_cache_hit_ratio is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [metrics.txt]"}},
		// A gauge by the metadata API.
		{`rate(llm_gateway_queue_depth[5m])`, []string{"error: rate-over-non-counter: rate(llm_gateway_queue_depth[5m]): llm_gateway_queue_depth is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [metadata.json]"}},
		// The labels Prometheus stores, by the series API.
		{`sum by (region) (rate(llm_gateway_requests_total[5m]))`, []string{"error: unknown-label: sum by (region): llm_gateway_requests_total has no label region (it has: hashed_api_key, instance, job, model) [series.json]"}},
		{`sum by (model, hashed_api_key, job) (rate(llm_gateway_requests_total[5m]))`, nil},
		// A scrape's labels are the exporter's: the scrape adds others.
		{`sum by (namespace, team) (rate(llm_gateway_spend_usd_total[5m]))`, nil},
		// An OpenMetrics counter's family name selects nothing.
		{`rate(llm_gateway_errors[5m])`, []string{"error: unknown-metric: llm_gateway_errors is the name of a counter family in metrics-openmetrics.txt, which has no series of that name: select llm_gateway_errors_total [metrics-openmetrics.txt]"}},
		{`rate(llm_gateway_errors_total[5m])`, nil},
		// A name near one of the scrape's.
		{`rate(llm_gateway_request_total[5m])`, []string{"warning: unknown-metric: unknown metric llm_gateway_request_total: it is not among the metrics of metrics.txt, metrics-openmetrics.txt, series.json, metadata.json (did you mean llm_gateway_requests_total?) [metrics.txt, metrics-openmetrics.txt, series.json, metadata.json]"}},
		// A counter without its _total, in a text exposition: one finding.
		{`rate(llm_gateway_requests[5m]) / rate(llm_gateway_requests[5m] offset 1d)`, []string{"warning: unknown-metric: unknown metric llm_gateway_requests: it is not among the metrics of metrics.txt, metrics-openmetrics.txt, series.json, metadata.json (did you mean llm_gateway_requests_total?) [metrics.txt, metrics-openmetrics.txt, series.json, metadata.json]"}},
		// Histogram parts by their family's TYPE.
		{`sum(llm_gateway_request_duration_seconds_sum)`, []string{"error: counter-without-rate: sum(llm_gateway_request_duration_seconds_sum): llm_gateway_request_duration_seconds_sum is the _sum series of histogram llm_gateway_request_duration_seconds (a counter), aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(llm_gateway_request_duration_seconds_sum[$__rate_interval]) for a rate, increase(llm_gateway_request_duration_seconds_sum[$__range]) for the total over the dashboard's range [metrics.txt]"}},
	} {
		assertLines(t, exprFindings(l, tt.query), tt.want...)
	}
}

// TestMetricsErrors: a file that is none of the formats is an error naming
// it.
func TestMetricsErrors(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{"x", `m.txt: not a Prometheus or OpenMetrics exposition: `},
		{"# HELP only\n", "m.txt: holds no metrics"},
		{`{"status": "error", "error": "bad query"}`, `m.txt: the API response has status "error", not success: bad query`},
		{`{"status": "success", "data": "x"}`, "m.txt: data is neither /api/v1/metadata (an object) nor /api/v1/series (an array of label sets): "},
		{`{"status": `, "m.txt: not a Prometheus API response: "},
	} {
		err := NewMetrics().Add("m.txt", []byte(tt.data))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %s...", tt.data, err, tt.want)
		}
	}
}

// TestGenericFixtures lints the self-written fixtures of testdata/generic
// (a team's gateway dashboard and rules, one defect of each class) without
// and with their metrics, and expects exactly these errors.
func TestGenericFixtures(t *testing.T) {
	var files []File
	for _, name := range []string{"gateway-dashboard.json", "gateway-rules.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "generic", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Path: name, Data: data})
	}
	errorsOf := func(l *Linter) []string {
		var out []string
		for _, f := range l.Files(files) {
			if f.Severity == finding.Error {
				out = append(out, f.Artifact+":"+strconv.Itoa(f.Line)+": "+f.Check+": "+f.Object)
			}
		}
		slices.Sort(out)
		return out
	}
	without := []string{
		`gateway-dashboard.json:15: template-label: dashboard acme-llm-gateway panel "Spend by team"`,
		`gateway-dashboard.json:17: counter-without-rate: dashboard acme-llm-gateway panel "Total requests"`,
		`gateway-dashboard.json:21: counter-without-rate: dashboard acme-llm-gateway panel "Requests answered"`,
		`gateway-dashboard.json:23: bucket-aggregation: dashboard acme-llm-gateway panel "Mean bucket"`,
		`gateway-dashboard.json:25: histogram-quantile: dashboard acme-llm-gateway panel "p95 latency by model"`,
		`gateway-dashboard.json:31: rate-over-non-counter: dashboard acme-llm-gateway panel "Deploys"`,
		`gateway-dashboard.json:35: unknown-label: dashboard acme-llm-gateway panel "Requests by team"`,
		`gateway-dashboard.json:37: unknown-label: dashboard acme-llm-gateway panel "Spend per request by team"`,
		`gateway-dashboard.json:41: range-per-point: dashboard acme-llm-gateway panel "Spend over the range"`,
		`gateway-rules.yaml:8: template-label: alert RequestRateSwing`,
		`gateway-rules.yaml:9: rate-over-non-counter: alert RequestRateSwing`,
	}
	assertLines(t, errorsOf(genericLinter(t)), without...)
	// With the metrics: the gauges by their TYPE, the labels by the series
	// API, the OpenMetrics family.
	with := append(without,
		`gateway-dashboard.json:33: rate-over-non-counter: dashboard acme-llm-gateway panel "Cache hit ratio change"`,
		`gateway-dashboard.json:37: unknown-label: dashboard acme-llm-gateway panel "Spend per request by team"`,
		`gateway-dashboard.json:43: rate-over-non-counter: dashboard acme-llm-gateway panel "Queue growth"`,
		`gateway-dashboard.json:45: unknown-label: dashboard acme-llm-gateway panel "Requests by region"`,
		`gateway-rules.yaml:14: unknown-metric: alert GatewayFailing`,
	)
	assertLines(t, errorsOf(genericLinter(t, "metrics.txt", "metrics-openmetrics.txt", "series.json", "metadata.json")), with...)
}

// TestProfiles: the same rule file as the stack's own gets the house rules
// and the catalog's labels as all of a series' labels.
func TestProfiles(t *testing.T) {
	rules := []byte("groups:\n- name: g\n  rules:\n  - alert: cost_high\n    expr: sum by (region) (cost_usd) > 100\n")
	generic := New(testCatalog(t), Options{}).Files([]File{{Path: "r.yaml", Data: rules, Profile: ProfileGeneric}})
	assertLines(t, render(generic))
	genops := New(testCatalog(t), Options{Profile: ProfileGeneric}).Files([]File{{Path: "r.yaml", Data: rules, Profile: ProfileGenOps}})
	var checks []string
	for _, f := range genops {
		checks = append(checks, f.Check)
	}
	want := "alert-annotations alert-annotations alert-category alert-for alert-name alert-runbook alert-severity unknown-label"
	if got := strings.Join(slices.Sorted(slices.Values(checks)), " "); got != want {
		t.Errorf("genops checks: %s\nwant %s", got, want)
	}
}

// withoutNotes are the findings but notes.
func withoutNotes(fs finding.List) finding.List {
	var out finding.List
	for _, f := range fs {
		if f.Severity != finding.Note {
			out = append(out, f)
		}
	}
	return out
}

// TestSemconvNames: the GenAI metrics' Prometheus names, as the translator
// writes them, with and without unit suffixes.
func TestSemconvNames(t *testing.T) {
	for _, name := range []string{"gen_ai_client_token_usage_bucket", "gen_ai_client_operation_duration_seconds_sum",
		"gen_ai_server_request_duration_seconds_count", "gen_ai_server_time_per_output_token_seconds_bucket",
		"gen_ai_server_time_to_first_token_bucket", "gen_ai_client_operation_time_per_output_chunk_seconds_bucket"} {
		if _, ok := semconvSeries[name]; !ok {
			t.Errorf("%s is not a GenAI series", name)
		}
	}
	if k := semconvSeries["gen_ai_client_token_usage_bucket"]; !k.bucket || k.typ != catalog.Counter || k.strength != exact {
		t.Errorf("gen_ai_client_token_usage_bucket: %+v", k)
	}
}
