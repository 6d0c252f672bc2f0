package integrations

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/stack/catalog"
)

func TestDatadogMetricsFromTheCatalog(t *testing.T) {
	spans := &catalog.Source{Kind: catalog.FromSpans, Derivation: &catalog.Derivation{Instrument: "x", Parts: []catalog.Part{{Value: catalog.Value{Count: true}}}}}
	scraped := &catalog.Source{Kind: catalog.Scraped, Exporter: "an exporter"}
	cat, err := catalog.New(catalog.Contract{},
		[]catalog.Job{{Name: catalog.JobGenOpsOTelMetrics, TargetLabels: []string{"job", "instance"}}, {Name: catalog.JobKubelet, TargetLabels: []string{"job"}}},
		[]catalog.Metric{
			{Name: "genops_requests_total", Type: catalog.Counter, Help: "h", Jobs: []string{catalog.JobGenOpsOTelMetrics}, Source: spans},
			{Name: "genops_budget_remaining_usd", Type: catalog.Gauge, Help: "h", Jobs: []string{catalog.JobGenOpsOTelMetrics}, Source: spans},
			{Name: "genops_request_duration_seconds", Type: catalog.Histogram, Help: "h", Jobs: []string{catalog.JobGenOpsOTelMetrics}, Source: &catalog.Source{Kind: catalog.FromSpans, Derivation: &catalog.Derivation{Instrument: "x", Parts: []catalog.Part{{Value: catalog.Value{Duration: true}}}, Buckets: []float64{1}}}},
			// Not derived from spans: not on the gateway's exporter.
			{Name: "genops_opt_in_total", Type: catalog.Counter, Help: "h", Jobs: []string{catalog.JobGenOpsOTelMetrics}, Source: scraped},
			{Name: "container_memory_working_set_bytes", Type: catalog.Gauge, Help: "h", Jobs: []string{catalog.JobKubelet}, Source: scraped},
			{Name: "up", Type: catalog.Gauge, Help: "h", Jobs: []string{catalog.JobGenOpsOTelMetrics, catalog.JobKubelet}, Source: scraped},
		})
	if err != nil {
		t.Fatal(err)
	}
	got := DatadogMetrics(cat)
	want := []map[string]string{
		{"genops_budget_remaining_usd": "budget_remaining_usd"},
		{"genops_request_duration_seconds": "request_duration_seconds"},
		{"genops_requests": "requests"}, // a counter is named without _total
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DatadogMetrics = %v, want %v", got, want)
	}
}

// TestDatadogListsEveryGenOpsMetric: every metric the gateway derives is
// collected, so adding one to the catalog is enough.
func TestDatadogListsEveryGenOpsMetric(t *testing.T) {
	cat := catalog.Default()
	listed := map[string]bool{}
	for _, m := range DatadogMetrics(cat) {
		for raw := range m {
			listed[raw] = true
		}
	}
	for _, m := range cat.Metrics() {
		if !strings.HasPrefix(m.Name, "genops_") {
			continue
		}
		raw := m.Name
		if m.Type == catalog.Counter {
			raw = strings.TrimSuffix(raw, "_total")
		}
		if !listed[raw] {
			t.Errorf("%s is in the catalog but not in the Datadog check", m.Name)
		}
	}
	c, err := DatadogComponent(cat, "monitoring", "http://otel-collector.monitoring.svc:8889/metrics", "c1", "production", nil)
	if err != nil {
		t.Fatal(err)
	}
	var check DatadogCheck
	if err := yaml.UnmarshalStrict(c.Kube.Generators[0].Files[0].Data, &check); err != nil {
		t.Fatal(err)
	}
	if inst := check.Instances[0]; inst.Namespace != "genops" || inst.OpenMetricsEndpoint != "http://otel-collector.monitoring.svc:8889/metrics" ||
		!reflect.DeepEqual(inst.Tags, []string{"cluster:c1", "environment:production"}) || len(inst.Metrics) != len(listed) {
		t.Errorf("check = %+v", inst)
	}
}
