// Package differ compares a rendered file set with a directory on disk and
// reports drift as the lists of missing and unexpected files and a unified
// diff per changed file.
package differ

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/koshihq/genops-stack/internal/files"
)

// Report is the drift between what would be generated and what is on disk.
type Report struct {
	Missing    []string // generated, not on disk
	Unexpected []string // on disk, not generated
	Changed    []Change // on disk with other bytes
}

// Change is one file whose bytes differ.
type Change struct {
	Path string
	Diff string // unified diff, on disk (a/) to generated (b/)
}

// Clean reports whether there is no drift.
func (r Report) Clean() bool {
	return len(r.Missing) == 0 && len(r.Unexpected) == 0 && len(r.Changed) == 0
}

// Compare computes the drift of tree (as read by writer.ReadTree) against set.
func Compare(set *files.Set, tree map[string][]byte) Report {
	var r Report
	for _, f := range set.Files() {
		have, ok := tree[f.Path]
		switch {
		case !ok:
			r.Missing = append(r.Missing, f.Path)
		case !bytes.Equal(have, f.Data):
			r.Changed = append(r.Changed, Change{Path: f.Path, Diff: Unified(f.Path, have, f.Data)})
		}
	}
	for p := range tree {
		if _, ok := set.Get(p); !ok {
			r.Unexpected = append(r.Unexpected, p)
		}
	}
	sort.Strings(r.Unexpected)
	return r
}

// Unified returns a unified diff with three lines of context.
func Unified(path string, from, to []byte) string {
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        splitLines(from),
		B:        splitLines(to),
		FromFile: "a/" + path,
		ToFile:   "b/" + path,
		Context:  3,
	})
	if err != nil { // only on a failing writer, which a strings.Builder is not
		return fmt.Sprintf("--- a/%s\n+++ b/%s\n(diff failed: %v)\n", path, path, err)
	}
	if d != "" && !strings.HasSuffix(d, "\n") {
		d += "\n"
	}
	return d
}

// splitLines splits after each newline; a last line without one gets one,
// so it still prints as a line of its own.
func splitLines(data []byte) []string {
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		return lines[:len(lines)-1]
	}
	lines[len(lines)-1] += "\n"
	return lines
}

// String renders the report as check prints it.
func (r Report) String() string {
	var b strings.Builder
	for _, c := range r.Changed {
		b.WriteString(c.Diff)
	}
	if len(r.Missing) > 0 {
		b.WriteString("missing files (generated, not on disk):\n")
		for _, p := range r.Missing {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if len(r.Unexpected) > 0 {
		b.WriteString("unexpected files (on disk, no longer generated):\n")
		for _, p := range r.Unexpected {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if !r.Clean() {
		fmt.Fprintf(&b, "drift: %d changed, %d missing, %d unexpected\n", len(r.Changed), len(r.Missing), len(r.Unexpected))
	}
	return b.String()
}
