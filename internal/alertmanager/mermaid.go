package alertmanager

import (
	"fmt"
	"strings"

	"github.com/prometheus/alertmanager/dispatch"
)

// Mermaid renders the routing tree as a Mermaid flowchart: one node per
// route (its matchers, its receiver, whether it continues), one edge per
// child, labelled with the order Alertmanager tries the children in.
func (l *Loaded) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	mermaidRoute(&b, l.route, "r")
	return b.String()
}

func mermaidRoute(b *strings.Builder, r *dispatch.Route, id string) {
	match := "default route"
	if r.Matchers.Len() > 0 {
		match = r.Matchers.String()
	}
	label := []string{mermaidEscape(match), "receiver: " + mermaidEscape(r.RouteOpts.Receiver)}
	if r.Continue {
		label = append(label, "continue")
	}
	fmt.Fprintf(b, "  %s[\"%s\"]\n", id, strings.Join(label, "<br/>"))
	for i, c := range r.Routes {
		child := fmt.Sprintf("%s_%d", id, i+1)
		fmt.Fprintf(b, "  %s -->|\"%d\"| %s\n", id, i+1, child)
		mermaidRoute(b, c, child)
	}
}

// mermaidEscape writes the characters Mermaid reads as syntax inside a
// quoted label (quotes, the HTML and entity markers, and the pipe that
// delimits edge labels) as entity codes.
func mermaidEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '#', '&', '<', '>', '|':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
