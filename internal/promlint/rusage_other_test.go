//go:build !unix

package promlint

import "time"

// processCPU needs getrusage.
func processCPU() (time.Duration, bool) { return 0, false }
