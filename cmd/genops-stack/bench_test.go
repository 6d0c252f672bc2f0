package main

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/koshihq/genops-stack/internal/testutil"
)

// BenchmarkCheckProcess is `genops-stack check` of the committed out/ as
// scripts/check-vs-chain.sh times it: the built CLI in a new process each
// time, without the real-Collector check. Unlike BenchmarkGenerate
// (internal/pipeline), which times a run in a process that has run before,
// it includes the package initializers, the first run's one-time set-ups
// and the page faults of a new heap. cpu-ms/op is the process's user and
// system time, minflt/op its page faults (minor: memory touched the first
// time), maxRSS-MiB its largest resident set.
func BenchmarkCheckProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "genops-stack")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(testutil.RepoRoot(b), "out")
	var cpu time.Duration
	var minflt, maxRSS int64
	for b.Loop() {
		cmd := exec.Command(bin, "check", "--out", out, "--otelcol-check=")
		if stdout, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("check: %v\n%s", err, stdout)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		minflt += ru.Minflt
		maxRSS = max(maxRSS, ru.Maxrss)
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(minflt)/float64(b.N), "minflt/op")
	b.ReportMetric(float64(maxRSS)/1024, "maxRSS-MiB")
}
