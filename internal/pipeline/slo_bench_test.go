package pipeline

import (
	"fmt"
	"testing"

	"github.com/koshihq/genops-stack/alerts"
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
	b.Run("generate", func(b *testing.B) { benchGenerate(b, def) })
	b.Run("check", func(b *testing.B) { benchCheck(b, def) })
}
