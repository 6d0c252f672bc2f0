package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Report is the diagnosis: one section per problem of the seed's
// troubleshooting guide, and one for the rules and alerts.
type Report struct {
	Environment string            `json:"environment"`
	Window      string            `json:"window"`
	Servers     map[string]string `json:"servers"`
	// PortForward are the commands that reach the servers from a
	// person's machine.
	PortForward []string  `json:"portForward"`
	Sections    []Section `json:"sections"`
}

// Section keys, in the order of the report.
const (
	SectionMetrics     = "metrics"
	SectionRules       = "rules"
	SectionTraces      = "traces"
	SectionCardinality = "cardinality"
)

// Section is the checks of one problem.
type Section struct {
	Key    string  `json:"key"`
	Title  string  `json:"title"`
	Checks []Check `json:"checks"`
}

// Check outcomes.
const (
	OK      = "ok"
	Problem = "problem"
	Skipped = "skipped"
)

// Check is one check's outcome, with its evidence and, for a problem, the
// next step.
type Check struct {
	// Check names what was checked (series-present, gateway-receives-spans).
	Check  string `json:"check"`
	Status string `json:"status"`
	// Object is what the outcome is about: a metric, an attribute, a rule,
	// a receiver, an exporter.
	Object   string     `json:"object,omitempty"`
	Summary  string     `json:"summary"`
	Evidence []Evidence `json:"evidence,omitempty"`
	Next     string     `json:"next,omitempty"`
}

// Problems returns every check that found a problem.
func (r *Report) Problems() []Check {
	var out []Check
	for _, s := range r.Sections {
		for _, c := range s.Checks {
			if c.Status == Problem {
				out = append(out, c)
			}
		}
	}
	return out
}

// ID names a check's outcome: section, check and object.
func ID(section string, c Check) string {
	id := section + "/" + c.Check
	if c.Object != "" {
		id += ": " + c.Object
	}
	return id
}

// ProblemIDs names every problem, in report order.
func (r *Report) ProblemIDs() []string {
	var out []string
	for _, s := range r.Sections {
		for _, c := range s.Checks {
			if c.Status == Problem {
				out = append(out, ID(s.Key, c))
			}
		}
	}
	return out
}

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// okEvidence is how many evidence lines a passing check prints in text.
const okEvidence = 2

// Text writes the report for a person: per section, each check's outcome,
// its evidence (the query and its result) and, for a problem, the next step.
func (r *Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "genops-stack doctor: environment %s, looking back %s\n", r.Environment, r.Window)
	for _, k := range []string{"prometheus", "alertmanager", "collector"} {
		if u, ok := r.Servers[k]; ok {
			fmt.Fprintf(&b, "  %-13s %s\n", k, u)
		}
	}
	if len(r.PortForward) > 0 {
		b.WriteString("  reached in the cluster with:\n")
		for _, pf := range r.PortForward {
			fmt.Fprintf(&b, "    %s\n", pf)
		}
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n== %s ==\n", s.Title)
		for _, c := range s.Checks {
			status := map[string]string{OK: "ok", Problem: "PROBLEM", Skipped: "skipped"}[c.Status]
			obj := ""
			if c.Object != "" {
				obj = " [" + c.Object + "]"
			}
			fmt.Fprintf(&b, "%-8s %s%s: %s\n", status, c.Check, obj, c.Summary)
			ev := c.Evidence
			more := 0
			if c.Status != Problem && len(ev) > okEvidence {
				more, ev = len(ev)-okEvidence, ev[:okEvidence]
			}
			for _, e := range ev {
				fmt.Fprintf(&b, "           %s %s\n             -> %s\n", e.Server+":", e.Request, e.Result)
			}
			if more > 0 {
				fmt.Fprintf(&b, "           (%d more in --format json)\n", more)
			}
			if c.Next != "" {
				fmt.Fprintf(&b, "         next: %s\n", c.Next)
			}
		}
	}
	n := len(r.Problems())
	switch n {
	case 0:
		b.WriteString("\nhealthy: no problem found\n")
	case 1:
		b.WriteString("\n1 problem found\n")
	default:
		fmt.Fprintf(&b, "\n%d problems found\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
