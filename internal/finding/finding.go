// Package finding is the vocabulary every check speaks: a Finding names the
// artifact and the object it is about, says what is wrong, and carries a
// severity. Errors fail a run; warnings are printed.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a finding fails the run.
type Severity int

const (
	// Error findings fail generate, check, validate and lint.
	Error Severity = iota
	// Warning findings are printed and do not fail the run.
	Warning
	// Note findings say what a check could not know (the lint's unknown
	// metrics in anybody's files); they do not fail the run.
	Note
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// MarshalText writes the severity as "error", "warning" or "note".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem found by a check.
type Finding struct {
	// Artifact is what was checked: "environment production", a file path.
	Artifact string `json:"file"`
	// Line is the 1-based line in Artifact, when it is a file and the line is known.
	Line int `json:"line"`
	// Severity is error, warning or note.
	Severity Severity `json:"severity"`
	// Check is the short name of the check that found it, e.g. "rate-over-non-counter".
	Check string `json:"check"`
	// Object names the thing inside the artifact: "collector", "alert CostAnomaly in group genops-cost".
	Object string `json:"object"`
	// Message says what is wrong and how to fix it.
	Message string `json:"message"`
	// Source, when set, names what the check relied on: "the metric
	// catalog", a metrics file, a naming convention.
	Source string `json:"source,omitempty"`
}

// String renders "artifact: object: message", the form every command prints,
// prefixed with "warning: " for warnings.
func (f Finding) String() string {
	var b strings.Builder
	if f.Severity != Error {
		b.WriteString(f.Severity.String() + ": ")
	}
	b.WriteString(f.Artifact)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	if f.Object != "" {
		b.WriteString(": ")
		b.WriteString(f.Object)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	return b.String()
}

// List is an ordered collection of findings.
type List []Finding

// Errorf appends an error finding.
func (l *List) Errorf(artifact, object, check, format string, args ...any) {
	*l = append(*l, Finding{Artifact: artifact, Object: object, Check: check, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning finding.
func (l *List) Warnf(artifact, object, check, format string, args ...any) {
	*l = append(*l, Finding{Artifact: artifact, Object: object, Check: check, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

// Add appends findings.
func (l *List) Add(fs ...Finding) { *l = append(*l, fs...) }

// Strings returns each finding as String prints it, in order (nil when
// there are none).
func (l List) Strings() []string {
	var out []string
	for _, f := range l {
		out = append(out, f.String())
	}
	return out
}

// Errors counts the error findings.
func (l List) Errors() int {
	n := 0
	for _, f := range l {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// Sort orders findings by artifact, line, object and message so output is stable.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Artifact != b.Artifact {
			return a.Artifact < b.Artifact
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Message < b.Message
	})
}
