package alerts

import (
	"fmt"
	"strings"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/names"
)

// Runbook is what on-call does when an alert fires. Its PromQL is linted
// against the catalog like every other query of the stack.
type Runbook struct {
	// Meaning says what the alert means.
	Meaning string
	// Impact is what users and the business feel.
	Impact []string
	// Investigation and Remediation are ordered steps.
	Investigation []Step
	Remediation   []Step
	// LongTerm are follow-ups once the incident is over.
	LongTerm []string
	// Escalation says whom to involve, and when.
	Escalation []string
}

// Step is one thing to do: a sentence, optionally a PromQL query to run in
// Grafana's Explore or the Prometheus UI, or shell commands.
type Step struct {
	Text  string
	Query string
	Shell string
}

// Markdown renders the alert's runbook: its facts (severity, category, for,
// expression, dashboard), then the runbook's sections. Shell commands use
// $NS for the namespace of the GenOps workloads and $MON for monitoring.
func (a Alert) Markdown(l names.Links, c Config) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n", files.Header)
	fmt.Fprintf(&b, "# Runbook: %s\n\n", a.Alert)
	fmt.Fprintf(&b, "%s\n\n", a.Runbook.Meaning)
	b.WriteString("| | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| Severity | %s |\n| Category | %s |\n| Fires after | %s |\n", a.Severity, a.Category, a.For)
	fmt.Fprintf(&b, "| Dashboard | [%s](%s) |\n", a.Dashboard, a.DashboardURL(l))
	fmt.Fprintf(&b, "| Namespaces | run `NS=%s MON=%s` (workloads, monitoring) before the commands below |\n\n", c.Namespace, c.Monitoring)
	b.WriteString("## Expression\n\n")
	fence(&b, "", "promql", a.Expr)
	list(&b, "Impact", a.Runbook.Impact)
	steps(&b, "Investigation Steps", a.Runbook.Investigation)
	steps(&b, "Remediation Steps", a.Runbook.Remediation)
	list(&b, "Long-term Actions", a.Runbook.LongTerm)
	list(&b, "Escalation", a.Runbook.Escalation)
	return files.Terminate([]byte(b.String()))
}

func list(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}

func steps(b *strings.Builder, title string, ss []Step) {
	fmt.Fprintf(b, "## %s\n\n", title)
	for i, s := range ss {
		fmt.Fprintf(b, "%d. %s\n", i+1, s.Text)
		if s.Query != "" {
			b.WriteString("\n")
			fence(b, "   ", "promql", s.Query)
		}
		if s.Shell != "" {
			b.WriteString("\n")
			fence(b, "   ", "bash", s.Shell)
		}
		if s.Query == "" && s.Shell == "" {
			b.WriteString("\n")
		}
	}
}

func fence(b *strings.Builder, indent, lang, body string) {
	fmt.Fprintf(b, "%s```%s\n", indent, lang)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if line != "" {
			line = indent + line
		}
		fmt.Fprintf(b, "%s\n", line)
	}
	fmt.Fprintf(b, "%s```\n\n", indent)
}
