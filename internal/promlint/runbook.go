package promlint

import (
	"path"
	"regexp"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
)

// runbookFence opens a fenced PromQL block in Markdown.
var runbookFence = regexp.MustCompile("^\\s*```promql\\s*$")

// Runbook lints every ```promql block of a Markdown runbook.
func (l *Linter) Runbook(file string, data []byte) finding.List {
	return l.collapseNotes(l.runbook(file, data, l.opts.Profile == ProfileGeneric))
}

func (l *Linter) runbook(file string, data []byte, generic bool) finding.List {
	data = editorLines(data)
	var fs finding.List
	object := "runbook " + strings.TrimSuffix(path.Base(file), ".md")
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if !runbookFence.MatchString(lines[i]) {
			continue
		}
		start := i + 2 // the query's first line, 1-based
		var q []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			q = append(q, lines[i])
		}
		if len(q) == 0 {
			start-- // an empty block, maybe the file's last line: point at the fence
		}
		query := strings.Join(q, "\n")
		e, err := l.parser.ParseExpr(query)
		rep := reporter{&fs, file, start, object}
		if err != nil {
			rep.errorf(CheckParse, "query does not parse: %v", err)
			continue
		}
		a := &analysis{reporter: rep, l: l, query: query, generic: generic, kind: kindRunbook}
		a.top(e, false)
	}
	return fs
}
