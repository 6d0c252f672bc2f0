//go:build !unix

package testutil

import "time"

// processCPU and peakRSS need getrusage.
func processCPU() (time.Duration, bool) { return 0, false }
func peakRSS() (int64, bool)            { return 0, false }
