package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestHugePagesWanted(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                          true,
		"gctrace=1":                 true,
		"disablethp=1":              false,
		"gctrace=1, disablethp=1":   false,
		"disablethp=1,disablethp=0": true,
		"disablethp=0":              true,
	} {
		if got := hugePagesWanted(godebug); got != want {
			t.Errorf("hugePagesWanted(%q) = %v, want %v", godebug, got, want)
		}
	}
	if lo, hi := heapInHugePages("disablethp=1"); lo != 0 || hi != 0 {
		t.Errorf("with disablethp=1 it advised %#x-%#x", lo, hi)
	}
}

// TestHeapInHugePages reads the kernel's own account of the process's
// memory (/proc/self/smaps): the range heapInHugePages advised carries the
// huge-page flag ("hg"), and heap it did not advise does not.
func TestHeapInHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	other := make([]byte, 16<<20)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(other)))
	if ok, desc := advised(t, p, p+uintptr(len(other))); ok {
		t.Fatalf("heap nothing advised has the huge-page flag: %s", desc)
	}
	runtime.KeepAlive(other)

	defer debug.SetGCPercent(debug.SetGCPercent(200))
	lo, hi := heapInHugePages("")
	if lo == 0 || hi-lo < hugeHeapBytes-2<<20 {
		t.Fatalf("advised %#x-%#x (%d bytes), want at least %d bytes", lo, hi, hi-lo, hugeHeapBytes-2<<20)
	}
	if ok, desc := advised(t, lo, hi); !ok {
		t.Errorf("the advised range has no huge-page flag: %s", desc)
	}
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("GOGC after heapInHugePages: %d, want 200 as before", got)
	}
}

// advised reports whether every mapping overlapping [lo, hi) has the
// huge-page flag in /proc/self/smaps, and describes those mappings.
func advised(t *testing.T, lo, hi uintptr) (bool, string) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var desc []string
	all, overlap := true, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if from, to, ok := mappingRange(line); ok {
			overlap = from < hi && lo < to
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && overlap {
			hg := strings.Contains(" "+flags+" ", " hg ")
			all = all && hg
			desc = append(desc, "VmFlags:"+flags)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(desc) == 0 {
		t.Fatalf("no mapping of /proc/self/smaps overlaps %#x-%#x", lo, hi)
	}
	return all, strings.Join(desc, "; ")
}

// mappingRange parses the first line of a mapping in smaps, "from-to perms ...".
func mappingRange(line string) (from, to uintptr, ok bool) {
	r, _, found := strings.Cut(line, " ")
	a, b, dash := strings.Cut(r, "-")
	if !found || !dash {
		return 0, 0, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(x), uintptr(y), true
}
