//go:build unix

package testutil

import (
	"runtime"
	"syscall"
	"time"
)

// processCPU is the processor time the process has used, on every core.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// peakRSS is the process's maximum resident set size, in bytes.
func peakRSS() (int64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss, true // bytes
	}
	return ru.Maxrss << 10, true // KiB
}
