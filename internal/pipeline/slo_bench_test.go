package pipeline

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/differ"
	"github.com/koshihq/genops-stack/internal/writer"
)

// syntheticSLOs are n SLOs over 25 providers, alternating availability
// (99.5% over 30d) and latency (95% under 10s over 28d), owned by the first
// teams of syntheticTeams.
func syntheticSLOs(n int) []alerts.SLO {
	slos := make([]alerts.SLO, n)
	for i := range slos {
		s := alerts.SLO{Name: fmt.Sprintf("slo-%03d", i+1), Team: fmt.Sprintf("team-%04d", i%40+1), Provider: fmt.Sprintf("provider-%02d", i%25),
			SLI: alerts.Availability, Objective: 99.5, Window: "30d"}
		if i%2 == 1 {
			s.SLI, s.Objective, s.Window, s.ThresholdSeconds = alerts.Latency, 95, "28d", 10
		}
		slos[i] = s
	}
	return slos
}

// BenchmarkSLOsAndBudgets is `genops-stack generate` (in memory) and
// `check` (generate, then compare with the tree on disk) of the stack with
// 50 SLOs and 1,000 teams, each with the four default budget thresholds
// (4,000 TeamBudgetThreshold rules, 1,000 forecasts).
func BenchmarkSLOsAndBudgets(b *testing.B) {
	def := scaled(1000)
	def.Content.SLOs = syntheticSLOs(50)
	res, err := Generate(def, Options{})
	if err != nil || res.Findings.Errors() > 0 {
		b.Fatal(err, res.Findings)
	}
	out := filepath.Join(b.TempDir(), "out")
	if _, err := writer.Replace(out, res.Files); err != nil {
		b.Fatal(err)
	}
	b.Run("generate", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			res, err := Generate(def, Options{})
			if err != nil || res.Findings.Errors() > 0 {
				b.Fatal(err, res.Findings)
			}
		}
		cpu.report(b)
	})
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			res, err := Generate(def, Options{})
			if err != nil || res.Findings.Errors() > 0 {
				b.Fatal(err, res.Findings)
			}
			tree, err := writer.ReadTree(out)
			if err != nil {
				b.Fatal(err)
			}
			if r := differ.Compare(res.Files, tree); !r.Clean() {
				b.Fatal(r)
			}
		}
		cpu.report(b)
		if rss, ok := peakRSS(); ok {
			b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
		}
		b.ReportMetric(float64(res.Files.Len()), "files")
	})
}
