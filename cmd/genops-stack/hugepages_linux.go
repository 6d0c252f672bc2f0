package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"
)

// hugeHeapBytes is how much heap heapInHugePages prepares: a check of the
// default stack peaks at about 30 MB of heap (GODEBUG=gctrace=1). Memory
// it prepares but a run never touches costs address space only; a larger
// run's heap beyond it gets 4 KiB pages, as without it.
const hugeHeapBytes = 64 << 20

// heapInHugePages asks Linux to back the heap this process is about to grow
// into with transparent huge pages: memory is then faulted in 2 MiB at a
// time instead of 4 KiB.
//
// Why: a check touches about 30 MB of new heap, and every 4 KiB page costs
// a page fault the first time. On the 2-core virtual machine of
// docs/benchmarks.md a fault costs about 14 µs, and a check's 9,000 faults
// were a third of its processor time. Linux's default mode for huge pages
// ("madvise") gives them only to memory a program advises, and the Go
// runtime advises none of its heap (only some of its metadata, in heaps
// over 1 GiB; GODEBUG=disablethp=1 is its switch against huge pages).
//
// How: allocate hugeHeapBytes (new memory from the OS, which the runtime
// maps and does not clear), advise the whole 2 MiB pages inside it with
// MADV_HUGEPAGE, and free it with a collection. The runtime keeps the
// memory mapped with the advice, and the allocations that follow reuse it.
// The advice is a hint: where the kernel gives no huge pages (mode "never",
// or none built in) nothing changes. It returns the advised range, for the
// test.
func heapInHugePages(godebug string) (lo, hi uintptr) {
	if !hugePagesWanted(godebug) {
		return 0, 0
	}
	// No collection while the block is live: it would only mark it.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b := make([]byte, hugeHeapBytes)
	const huge = 2 << 20
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	from := int((base+huge-1)&^(huge-1) - base)
	to := int((base+hugeHeapBytes)&^(huge-1) - base)
	if from < to && syscall.Madvise(b[from:to], syscall.MADV_HUGEPAGE) == nil {
		lo, hi = base+uintptr(from), base+uintptr(to)
	}
	runtime.GC() // b is unreachable: its memory returns to the heap, mapped and advised
	return lo, hi
}

// hugePagesWanted reports whether $GODEBUG leaves huge pages on: the
// runtime's disablethp=1 turns them off here too.
func hugePagesWanted(godebug string) bool {
	want := true
	for _, kv := range strings.Split(godebug, ",") {
		switch strings.TrimSpace(kv) {
		case "disablethp=1":
			want = false
		case "disablethp=0":
			want = true
		}
	}
	return want
}
