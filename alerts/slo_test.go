package alerts_test

import (
	"slices"
	"testing"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// TestBurnRates: the SRE workbook's rates for a 30-day window, scaled by the
// window for the others.
func TestBurnRates(t *testing.T) {
	for _, c := range []struct {
		window, long string
		percent      int
		want         float64
	}{
		{"30d", "1h", 2, 14.4}, {"30d", "6h", 5, 6}, {"30d", "1d", 10, 3}, {"30d", "3d", 10, 1},
		{"28d", "1h", 2, 13.44}, {"28d", "6h", 5, 5.6}, {"28d", "1d", 10, 2.8},
		{"7d", "1h", 2, 3.36}, {"7d", "6h", 5, 1.4}, {"7d", "1d", 10, 0.7},
	} {
		if got := alerts.BurnRate(c.window, c.long, c.percent); got != c.want {
			t.Errorf("BurnRate(%s, %s, %d%%) = %v, want %v", c.window, c.long, c.percent, got, c.want)
		}
	}
}

func TestCheckSLOs(t *testing.T) {
	cat, err := catalog.DefaultDefinition().Build()
	if err != nil {
		t.Fatal(err)
	}
	if fs := alerts.CheckSLOs("slos", alerts.SLOs(), cat); len(fs) > 0 {
		t.Fatalf("default SLOs: %v", fs)
	}
	bad := []alerts.SLO{
		{Name: "a", Team: "t", SLI: alerts.Availability, Objective: 99, Window: "30d"},
		{Name: "a", Team: "t", SLI: alerts.Availability, Objective: 99, Window: "30d"},
		{Name: "B", SLI: "freshness", Objective: 99.9, Window: "1d"},
		{Name: "c", Team: "t", SLI: alerts.Latency, Objective: 101, Window: "a month", ThresholdSeconds: 2.5},
		{Name: "d", Team: "t", SLI: alerts.Latency, Objective: 90, Window: "7d", ThresholdSeconds: 0.3},
		{Name: "e", Team: "t", SLI: alerts.TimeToFirstToken, Objective: 90, Window: "7d", ThresholdSeconds: 1},
		{Name: "f", Team: "t", SLI: alerts.TimeToFirstToken, Objective: 90, Window: "7d", ThresholdSeconds: 1, Buckets: []float64{0.5, 1, 2}},
	}
	want := []string{
		"slos: slo a: SLO a is defined twice",
		`slos: slo B: name "B" must be lower-case letters, digits and '-'`,
		"slos: slo B: has no team: its tickets go to the team's channel",
		"slos: slo B: window 1d is shorter than the longest alert window 3d",
		`slos: slo B: SLI "freshness" is not availability, latency or time-to-first-token`,
		"slos: slo c: objective 101% must be above 0 and below 100: at 100% there is no error budget to burn",
		`slos: slo c: window "a month" is not a Prometheus duration such as 30d`,
		"slos: slo d: latency threshold 0.3s is not a bucket boundary of genops_request_duration_seconds (0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)",
		"slos: slo e: time-to-first-token threshold 1s is not a bucket boundary of gen_ai_client_operation_time_to_first_chunk_seconds (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)",
	}
	if got := alerts.CheckSLOs("slos", bad, cat).Strings(); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
