package pipeline

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/koshihq/genops-stack/internal/differ"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/stack"
)

// BenchmarkGenerate is one full run: build, check, render and validate the
// base and the three environments (the real-Collector check excluded, it is
// a separate process).
func BenchmarkGenerate(b *testing.B) { benchGenerate(b, stack.Default()) }

// benchGenerate times Generate of def, in memory.
func benchGenerate(b *testing.B, def stack.Definition) {
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		mustGenerateDef(b, def)
	}
	cpu.Report(b)
}

// benchCheck times `genops-stack check` of def: Generate, then compare with
// the tree on disk, which is the same run written once before the loop. It
// reports the processor time, the peak RSS and the files.
func benchCheck(b *testing.B, def stack.Definition) {
	res := mustGenerateDef(b, def)
	out := filepath.Join(b.TempDir(), "out")
	if _, err := writer.Replace(out, res.Files); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		res := mustGenerateDef(b, def)
		tree, err := writer.ReadTree(out)
		if err != nil {
			b.Fatal(err)
		}
		if r := differ.Compare(res.Files, tree); !r.Clean() {
			b.Fatal(r)
		}
	}
	cpu.Report(b)
	testutil.ReportPeakRSS(b)
	b.ReportMetric(float64(res.Files.Len()), "files")
}

// BenchmarkScale is `genops-stack check` of the stack with 10, 100 and
// 1,000 teams (a budget alert, a route, a receiver and a dashboard row
// each): generate in memory, then compare with the tree on disk, which is
// the same run written once. cpu-ms/op is the processor time of a run, on
// every core (getrusage): the figure to compare on a machine others use.
// peak-RSS-MiB is the process's maximum resident set size, the memory the
// machine must have: a high-water mark of the whole process, so it is exact
// for the largest size run so far; run one size per process (-bench
// 'BenchmarkScale/teams=100$') for each figure on its own.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", n), func(b *testing.B) { benchCheck(b, scaled(n)) })
	}
}
