//go:build !linux

package main

// heapInHugePages does nothing where the kernel is not Linux
// (hugepages_linux.go).
func heapInHugePages(string) (lo, hi uintptr) { return 0, 0 }
