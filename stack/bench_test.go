package stack

import "testing"

// BenchmarkGenerate is one full run: build, check, render and validate the
// base and the three environments (the real-Collector check excluded, it is
// a separate process).
func BenchmarkGenerate(b *testing.B) {
	def := Default()
	b.ReportAllocs()
	for b.Loop() {
		res, err := Generate(def, Options{})
		if err != nil || res.Findings.Errors() > 0 {
			b.Fatal(err, res.Findings)
		}
	}
}
