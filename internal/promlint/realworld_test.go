package promlint

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// realWorldFiles are four GenAI dashboards and rule files other projects
// publish (docs/lint.md names their sources). They are not in the
// repository: GENOPS_REALWORLD_DIR names a folder holding them.
var realWorldFiles = []string{
	"agentgateway-dashboard.json",
	"envoy-ai-gateway-grafana-dashboard.json",
	"litellm-dashboard-genai-otel.json",
	"llm-d-prometheus-alerting-rules.yaml",
}

// TestRealWorld lints the four files as a team would (profile generic, no
// --metrics) and requires exactly the errors docs/lint.md lists as true
// defects, none of them about a metric merely unknown, and the one warning.
// It skips without GENOPS_REALWORLD_DIR (CI has no copy of the files).
func TestRealWorld(t *testing.T) {
	dir := os.Getenv("GENOPS_REALWORLD_DIR")
	if dir == "" {
		t.Skip("GENOPS_REALWORLD_DIR is not set")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("GENOPS_REALWORLD_DIR: %v", err)
	}
	var files []File
	for _, name := range realWorldFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Path: name, Data: data})
	}
	fs := New(catalog.Default(), Options{Profile: ProfileGeneric}).Files(files)
	var got []string
	for _, f := range fs {
		if f.Severity == finding.Error && f.Check == CheckUnknownMetric {
			t.Errorf("an error for an unknown metric: %s", f)
		}
		if f.Severity != finding.Note {
			got = append(got, f.Severity.String()+" "+f.Artifact+":"+strconv.Itoa(f.Line)+" "+f.Check+" "+f.Object)
		}
	}
	slices.Sort(got)
	const envoy = "envoy-ai-gateway-grafana-dashboard.json"
	want := []string{
		// Histogram _count and _sum series summed raw (docs/lint.md).
		"error " + envoy + `:34 counter-without-rate dashboard envoy-ai-gateway-overview panel "Total Requests"`,
		"error " + envoy + `:73 counter-without-rate dashboard envoy-ai-gateway-overview panel "Total Tokens (input + output)"`,
		"error " + envoy + `:187 counter-without-rate dashboard envoy-ai-gateway-overview panel "Token Usage by Type (input / output / cached / reasoning)"`,
		"error " + envoy + `:306 counter-without-rate dashboard envoy-ai-gateway-overview panel "Requests by Original Model vs Response Model"`,
		"error " + envoy + `:434 counter-without-rate dashboard envoy-ai-gateway-overview panel "Error Rate"`,
		"error " + envoy + `:464 counter-without-rate dashboard envoy-ai-gateway-overview panel "Success Rate by Model"`,
		// rate() over vllm:num_preemptions, whose series is _total.
		"warning llm-d-prometheus-alerting-rules.yaml:171 rate-over-non-counter alert LLMDHighPreemptions",
	}
	slices.Sort(want)
	assertLines(t, got, want...)
}
