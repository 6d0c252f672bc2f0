package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/otlptranslator"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if n := len(c.Metrics()); n < 12 {
		t.Fatalf("%d metrics, want at least the exporter's 12", n)
	}
	for _, m := range c.Metrics() {
		if m.Unit == "" {
			t.Errorf("metric %s has no unit", m.Name)
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
		{"genops_cost_total_usd", Gauge, false, []string{"team", "project", "provider", "job", "genops_team", "cluster", "exported_job"}, []string{"le", "model"}},
		{"genops_request_duration_seconds_bucket", Counter, true, []string{"provider", "model", "le"}, []string{"quantile"}},
		{"genops_request_duration_seconds_sum", Counter, false, []string{"provider"}, []string{"le"}},
		{"genops_request_duration_seconds_count", Counter, false, []string{"model"}, []string{"le"}},
		{"genops_eval_latency_seconds", Gauge, false, []string{"model", "quantile", "genops_team"}, []string{"le", "exported_job"}},
		{"genops_eval_latency_seconds_count", Counter, false, []string{"model"}, []string{"quantile"}},
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
	for _, name := range []string{"genops_request_duration_seconds", "genops_cost_total", "genops_eval_latency_seconds_bucket"} {
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
		{"duplicate job", []Job{{Name: "a"}, {Name: "a", ExporterLabels: []string{"0x"}}}, nil,
			`catalog: job a is defined twice; job a: label "0x" is not a valid label name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.jobs, tt.metrics)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant  %s", err, tt.want)
			}
		})
	}
}

// otelNamers are how the exporters that serve OpenTelemetry data name it:
// the gateway's prometheus exporter (namespace genops, suffixes, escaped:
// the exporter's defaults) and the Collector's own telemetry (suffixes, the
// otelconf default when without_units and without_type_suffix are unset).
var otelNamers = map[string]otlptranslator.MetricNamer{
	JobGenOpsOTelMetrics: {Namespace: "genops", WithMetricSuffixes: true},
	JobOTelCollector:     otlptranslator.NewMetricNamer("", otlptranslator.NoUTF8EscapingWithSuffixes),
}

var otelTypes = map[Type]otlptranslator.MetricType{
	Counter:   otlptranslator.MetricTypeMonotonicCounter,
	Gauge:     otlptranslator.MetricTypeGauge,
	Histogram: otlptranslator.MetricTypeHistogram,
}

// TestOTelNamesTranslate runs every recorded OpenTelemetry name through the
// translator the Collector's exporters use (prometheus/otlptranslator, the
// version collector-contrib v0.149.0 pins) and expects the catalog's name:
// no double genops_ prefix, no missing _total or unit suffix.
func TestOTelNamesTranslate(t *testing.T) {
	for _, m := range Default().Metrics() {
		if scrapeSeries[m.Name] {
			continue
		}
		served := false
		for _, j := range m.Jobs {
			namer, ok := otelNamers[j]
			if !ok {
				continue
			}
			served = true
			if m.OTel == nil {
				t.Errorf("metric %s is served by %s but has no OpenTelemetry name", m.Name, j)
				continue
			}
			got, err := namer.Build(otlptranslator.Metric{Name: m.OTel.Name, Unit: m.OTel.Unit, Type: otelTypes[m.Type]})
			if err != nil || got != m.Name {
				t.Errorf("metric %s: OpenTelemetry %q (unit %q) translates to %q (%v) in job %s", m.Name, m.OTel.Name, m.OTel.Unit, got, err, j)
			}
		}
		if m.OTel != nil && !served {
			t.Errorf("metric %s has an OpenTelemetry name but no job serves OpenTelemetry data", m.Name)
		}
	}
	// The trap the gateway's namespace sets: an instrument already named
	// genops.* gets the prefix twice.
	namer := otelNamers[JobGenOpsOTelMetrics]
	got, _ := namer.Build(otlptranslator.Metric{Name: "genops.requests", Unit: "{request}", Type: otlptranslator.MetricTypeMonotonicCounter})
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
	summary, _ := c.Lookup("genops_eval_latency_seconds")
	if _, ok := c.Via(summary, JobGenOpsOTelMetrics); ok {
		t.Error("the summary is not served by the gateway")
	}
}

func TestSeriesNamesSorted(t *testing.T) {
	names := Default().SeriesNames()
	if !slices.IsSorted(names) || !slices.Contains(names, "genops_request_duration_seconds_bucket") {
		t.Errorf("series names: %s", strings.Join(names, " "))
	}
}
