package pipeline

import (
	"slices"
	"testing"

	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// TestCatalogFollowsTheScrapeJobs: every job the stack runs is in the metric
// catalog with every target label the job adds, so the lint knows every
// label a series of that job carries.
func TestCatalogFollowsTheScrapeJobs(t *testing.T) {
	jobs := map[string]catalog.Job{}
	for _, j := range catalog.Default().Jobs() {
		jobs[j.Name] = j
	}
	for name, labels := range scrape.TargetLabels {
		j, ok := jobs[name]
		if !ok {
			t.Errorf("job %s is scraped but not in the catalog", name)
			continue
		}
		have := append(slices.Clone(j.TargetLabels), j.ExporterLabels...)
		for _, l := range labels {
			if !slices.Contains(have, l) {
				t.Errorf("job %s adds the target label %s, which the catalog does not list (it lists %v)", name, l, have)
			}
		}
	}
}

// TestTargetLabelsNeverCollide: none of the stack's jobs adds a label a
// metric it delivers has itself; without honor_labels Prometheus would rename
// the metric's label to exported_<name> and every query by it would go
// blank. (kube-prometheus-stack's own monitors honor the exporters' labels on
// purpose: their namespace and pod are the subject's.)
func TestTargetLabelsNeverCollide(t *testing.T) {
	for _, m := range catalog.Default().Metrics() {
		for _, jn := range m.Jobs {
			for _, l := range m.Labels {
				if slices.Contains(scrape.TargetLabels[jn], l) {
					t.Errorf("metric %s has the label %s, which job %s also adds", m.Name, l, jn)
				}
			}
		}
	}
}
