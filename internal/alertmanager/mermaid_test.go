package alertmanager

import (
	"regexp"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/routing"
)

// TestMermaid: one node per route, edges in matching order, and every
// character Mermaid reads as syntax inside a label written as an entity.
func TestMermaid(t *testing.T) {
	l := load(t, routing.Config{
		Route: routing.Route{Receiver: "default", Routes: []routing.Route{
			{Matchers: []string{`severity="critical"`}, Receiver: "pager", Continue: true},
			{Matchers: []string{`category=~"cost|budget"`, `team!="a&b"`}, Receiver: "finops", Routes: []routing.Route{
				{Matchers: []string{`channel="#<finops>"`}, Receiver: "chat"},
			}},
		}},
		Receivers: []routing.Receiver{{Name: "default"}, {Name: "pager"}, {Name: "finops"}, {Name: "chat"}},
	})
	want := `flowchart LR
  r["default route<br/>receiver: default"]
  r -->|"1"| r_1
  r_1["{severity=#34;critical#34;}<br/>receiver: pager<br/>continue"]
  r -->|"2"| r_2
  r_2["{category=~#34;cost#124;budget#34;,team!=#34;a#38;b#34;}<br/>receiver: finops"]
  r_2 -->|"1"| r_2_1
  r_2_1["{channel=#34;#35;#60;finops#62;#34;}<br/>receiver: chat"]
`
	if got := l.Mermaid(); got != want {
		t.Errorf("Mermaid:\n%s\nwant:\n%s", got, want)
	}
	assertMermaidSyntax(t, l.Mermaid())
}

var (
	mermaidNode = regexp.MustCompile(`^  (r[0-9_]*)\["([^"]*)"\]$`)
	mermaidEdge = regexp.MustCompile(`^  (r[0-9_]*) -->\|"[0-9]+"\| (r[0-9_]*)$`)
	// a label is text and entity codes, lines joined with <br/>
	mermaidLabel = regexp.MustCompile(`^([^"<>|&#]|#[0-9]+;|<br/>)*$`)
)

// assertMermaidSyntax checks the subset of Mermaid's flowchart syntax the
// renderer writes (the real parser accepts it: mermaid 11's parse, run by
// hand): a header, quoted node labels without raw syntax characters, edges
// between defined nodes.
func assertMermaidSyntax(t *testing.T, text string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Errorf("first line %q, want the flowchart header", lines[0])
	}
	defined := map[string]bool{}
	var edges [][]string
	for _, line := range lines[1:] {
		if m := mermaidNode.FindStringSubmatch(line); m != nil {
			if !mermaidLabel.MatchString(m[2]) {
				t.Errorf("label of %s holds unescaped syntax: %q", m[1], m[2])
			}
			defined[m[1]] = true
			continue
		}
		if m := mermaidEdge.FindStringSubmatch(line); m != nil {
			edges = append(edges, m[1:])
			continue
		}
		t.Errorf("line is neither a node nor an edge: %q", line)
	}
	for _, e := range edges {
		if !defined[e[0]] || !defined[e[1]] {
			t.Errorf("edge %s --> %s joins an undefined node", e[0], e[1])
		}
	}
}
