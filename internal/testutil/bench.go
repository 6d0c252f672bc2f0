package testutil

import (
	"testing"
	"time"
)

// CPUClock measures the processor time of a benchmark's loop: on a machine
// others use, a steadier figure than the wall time.
type CPUClock struct {
	start time.Duration
	ok    bool
}

// StartCPU starts a CPUClock.
func StartCPU() CPUClock {
	t, ok := processCPU()
	return CPUClock{t, ok}
}

// Report adds cpu-ms/op, the processor time per op on every core, where
// getrusage is available.
func (c CPUClock) Report(b *testing.B) {
	if end, ok := processCPU(); ok && c.ok {
		b.ReportMetric(float64(end-c.start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// ReportPeakRSS adds peak-RSS-MiB, the process's maximum resident set size
// (a high-water mark of the whole process), where getrusage is available.
func ReportPeakRSS(b *testing.B) {
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
}
