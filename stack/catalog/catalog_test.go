package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/otlptranslator"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if n := len(c.Metrics()); n < 13 {
		t.Fatalf("%d metrics, want at least the 9 derived and 4 GenAI ones", n)
	}
	for _, m := range c.Metrics() {
		if m.Unit == "" {
			t.Errorf("metric %s has no unit", m.Name)
		}
		if m.Source == nil {
			t.Errorf("metric %s has no source", m.Name)
		}
		if m.Source != nil && (m.Source.Kind == FromSpans || m.Source.Kind == GenAI) && m.SeriesBudget == 0 {
			t.Errorf("metric %s is served by the gateway but states no series budget", m.Name)
		}
	}
}

func TestLookup(t *testing.T) {
	c := Default()
	tests := []struct {
		name   string
		typ    Type
		bucket bool
		has    []string
		lacks  []string
	}{
		{"genops_cost_usd_total", Counter, false, []string{"team", "project", "cost_center", "provider", "model", "job", "cluster", "exported_job"}, []string{"le", "genops_team", "customer_id"}},
		{"genops_tokens_total", Counter, false, []string{"type", "team", "model"}, []string{"le"}},
		{"gen_ai_client_token_usage_bucket", Counter, true, []string{"gen_ai_token_type", "gen_ai_provider_name", "le"}, []string{"error_type"}},
		{"genops_request_duration_seconds_bucket", Counter, true, []string{"provider", "model", "le"}, []string{"quantile"}},
		{"genops_request_duration_seconds_sum", Counter, false, []string{"provider"}, []string{"le"}},
		{"genops_request_duration_seconds_count", Counter, false, []string{"model"}, []string{"le"}},
		{"up", Gauge, false, []string{"job", "instance", "node", "genops_team", "otel_scope_name"}, []string{"otel_scope_schema_url", "exported_job"}},
		{"otelcol_exporter_queue_size", Gauge, false, []string{"exporter", "data_type", "otel_scope_name", "cluster", "pod"}, []string{"exported_job", "genops_team"}},
		{"container_memory_working_set_bytes", Gauge, false, []string{"container", "pod", "namespace", "node", "metrics_path"}, []string{"cluster"}},
	}
	for _, tt := range tests {
		s, ok := c.Lookup(tt.name)
		if !ok {
			t.Errorf("%s: not found", tt.name)
			continue
		}
		if s.Type != tt.typ || s.Bucket != tt.bucket {
			t.Errorf("%s: type %s bucket %v, want %s %v", tt.name, s.Type, s.Bucket, tt.typ, tt.bucket)
		}
		for _, l := range tt.has {
			if !slices.Contains(s.Labels, l) {
				t.Errorf("%s lacks label %s: %v", tt.name, l, s.Labels)
			}
		}
		for _, l := range tt.lacks {
			if slices.Contains(s.Labels, l) {
				t.Errorf("%s has label %s", tt.name, l)
			}
		}
		if !slices.IsSorted(s.Labels) {
			t.Errorf("%s: labels not sorted: %v", tt.name, s.Labels)
		}
	}
	for _, name := range []string{"genops_request_duration_seconds", "genops_cost_total_usd", "genops_eval_latency_seconds"} {
		if _, ok := c.Lookup(name); ok {
			t.Errorf("%s resolves, but is not a series", name)
		}
	}
}

func TestNewRejects(t *testing.T) {
	jobs := []Job{{Name: "a", TargetLabels: []string{"job"}}}
	tests := []struct {
		name    string
		jobs    []Job
		metrics []Metric
		want    string
	}{
		{"duplicate metric", jobs, []Metric{
			{Name: "x_total", Type: Counter, Help: "x", Jobs: []string{"a"}},
			{Name: "x_total", Type: Counter, Help: "x", Jobs: []string{"a"}},
		}, "catalog: metric x_total: defined twice; metric x_total: series x_total is also a series of x_total"},
		{"unknown job and type", jobs, []Metric{{Name: "x", Type: "meter", Help: "x", Jobs: []string{"b"}}},
			`catalog: metric x: job b is not defined; metric x: type "meter" is not counter, gauge, histogram or summary`},
		{"reserved label", jobs, []Metric{{Name: "x", Type: Gauge, Help: "x", Jobs: []string{"a"}, Labels: []string{"le", "bad-name"}}},
			`catalog: metric x: label le is reserved for histogram and summary series; metric x: label "bad-name" is not a valid label name`},
		{"series clash", jobs, []Metric{
			{Name: "d", Type: Histogram, Help: "d", Jobs: []string{"a"}},
			{Name: "d_count", Type: Gauge, Help: "d", Jobs: []string{"a"}},
		}, "catalog: metric d_count: series d_count is also a series of d"},
		{"invalid metric name", jobs, []Metric{{Name: "genops.cost", Type: Gauge, Help: "x", Jobs: []string{"a"}}},
			"catalog: metric genops.cost: not a valid metric name"},
		{"no help, no job", jobs, []Metric{{Name: "x", Type: Gauge}}, "catalog: metric x: has no help text; metric x: names no job that delivers it"},
		{"negative series budget", jobs, []Metric{{Name: "x", Type: Gauge, Help: "x", Jobs: []string{"a"}, SeriesBudget: -1}},
			"catalog: metric x: series budget -1 is negative"},
		{"duplicate job", []Job{{Name: "a"}, {Name: "a", ExporterLabels: []string{"0x"}}}, nil,
			`catalog: job a is defined twice; job a: label "0x" is not a valid label name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Contract{}, tt.jobs, tt.metrics)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant  %s", err, tt.want)
			}
		})
	}
}

// gatewayNamer is how the gateway's prometheus exporter names what it
// serves: its defaults (suffixes, underscore escaping), no namespace.
var gatewayNamer = otlptranslator.MetricNamer{WithMetricSuffixes: true}

var otelTypes = map[Type]otlptranslator.MetricType{
	Counter:   otlptranslator.MetricTypeMonotonicCounter,
	Gauge:     otlptranslator.MetricTypeGauge,
	Histogram: otlptranslator.MetricTypeHistogram,
}

// TestDerivedNamesTranslate runs every derived metric's instrument through
// the translator the gateway's prometheus exporter uses
// (prometheus/otlptranslator, the version collector-contrib v0.149.0 pins)
// and expects the catalog's name: no doubled genops_, no missing _total, no
// upper-case unit. (The otelcol-check module's derivation test reads the
// names off the real exporter.)
func TestDerivedNamesTranslate(t *testing.T) {
	derived := Default().Derived()
	if len(derived) != 10 {
		t.Fatalf("%d derived metrics, want 10", len(derived))
	}
	for _, m := range derived {
		d := m.Source.Derivation
		got, err := gatewayNamer.Build(otlptranslator.Metric{Name: d.Instrument, Unit: d.Unit, Type: otelTypes[m.Type]})
		if err != nil || got != m.Name {
			t.Errorf("metric %s: instrument %q (unit %q) translates to %q (%v)", m.Name, d.Instrument, d.Unit, got, err)
		}
	}
	// The traps: a USD unit stays upper case, and a namespace doubles the prefix.
	got, _ := gatewayNamer.Build(otlptranslator.Metric{Name: "genops.cost", Unit: "USD", Type: otlptranslator.MetricTypeMonotonicCounter})
	if got != "genops_cost_USD_total" {
		t.Errorf("translator changed: %s", got)
	}
	namespaced := otlptranslator.MetricNamer{Namespace: "genops", WithMetricSuffixes: true}
	got, _ = namespaced.Build(otlptranslator.Metric{Name: "genops.requests", Type: otlptranslator.MetricTypeMonotonicCounter})
	if got != "genops_genops_requests_total" {
		t.Errorf("translator changed: %s", got)
	}
}

func TestVia(t *testing.T) {
	c := Default()
	up, _ := c.Lookup("up")
	s, ok := c.Via(up, JobOTelCollector)
	if !ok || strings.Join(s.Labels, " ") != "cluster instance job namespace pod" {
		t.Errorf("up via otel-collector: %v %v", s.Labels, ok)
	}
	bucket, _ := c.Lookup("genops_request_duration_seconds_bucket")
	s, ok = c.Via(bucket, JobGenOpsOTelMetrics)
	if !ok || strings.Join(s.Labels, " ") != "cluster exported_instance exported_job instance job le model namespace otel_scope_name otel_scope_schema_url otel_scope_version pod provider" {
		t.Errorf("bucket via genops-otel-metrics: %v %v", s.Labels, ok)
	}
	if _, ok := c.Via(up, "no-such-job"); ok {
		t.Error("an unknown job delivers nothing")
	}
}

func TestSeriesNamesSorted(t *testing.T) {
	names := Default().SeriesNames()
	if !slices.IsSorted(names) || !slices.Contains(names, "genops_request_duration_seconds_bucket") {
		t.Errorf("series names: %s", strings.Join(names, " "))
	}
}
