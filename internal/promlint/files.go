package promlint

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
)

// File is one input of Files: a path (as findings name it) and its bytes.
type File struct {
	Path string
	Data []byte
	// Walked is true for a file found by walking a directory: a YAML file
	// without rules (a values file, a Deployment) is skipped, not an error.
	Walked bool
	// Profile is the file's profile; ProfileDefault is the linter's.
	Profile Profile
}

// editorLines ends every line with LF, as an editor numbers them: CRLF
// and a bare CR are one line break each (YAML breaks lines at both, and a
// file saved on an old Mac has nothing else). Line breaks inside YAML
// scalars become LF anyway, and a raw CR is not valid inside a JSON string,
// so nothing the lint reads changes but the line numbers its own counters
// find.
func editorLines(data []byte) []byte {
	if !bytes.ContainsRune(data, '\r') {
		return data
	}
	return bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
}

// Files lints a set of files by kind: .yaml and .yml are rule files, .json
// dashboards, .md runbooks. The recording rules of every rule file are
// learnt before anything is linted, so a dashboard or a rule may use a
// record defined in another file. Files are linted on every processor;
// the findings come in the order of the files.
func (l *Linter) Files(files []File) finding.List {
	generic := make([]bool, len(files))
	for i, f := range files {
		generic[i] = f.Profile == ProfileGeneric || f.Profile == ProfileDefault && l.opts.Profile == ProfileGeneric
		bucketBases(f.Data, l.bucketBases)
	}
	found := make([]finding.List, len(files))
	docs := make([][]ruleDoc, len(files))
	for i, f := range files {
		if isRuleFile(f.Path) {
			docs[i], found[i] = l.ruleDocs(f.Path, f.Data)
			if len(docs[i]) == 0 && len(found[i]) == 0 && !f.Walked {
				found[i].Add(noRuleGroups(f.Path))
			}
			l.learn(docs[i], generic[i])
		}
	}
	l.resolveRecords()
	parallel(len(files), func(i int) {
		f := files[i]
		switch {
		case isRuleFile(f.Path):
			found[i].Add(l.lintDocs(f.Path, docs[i], generic[i])...)
		case path.Ext(f.Path) == ".json":
			found[i] = l.dashboard(f.Path, f.Data, generic[i])
		case path.Ext(f.Path) == ".md":
			found[i] = l.runbook(f.Path, f.Data, generic[i])
		default:
			found[i].Errorf(f.Path, "", CheckFile, "not a rule file (.yaml, .yml), dashboard (.json) or runbook (.md)")
		}
		found[i] = l.collapseNotes(found[i])
	})
	var fs finding.List
	for _, f := range found {
		fs.Add(f...)
	}
	return fs
}

// collapseNotes turns the notes about unknown metrics of one file into
// one, listing them: a metric known to no source is worth saying once,
// not at every query.
func (l *Linter) collapseNotes(fs finding.List) finding.List {
	var names []string
	seen := map[string]bool{}
	out := fs[:0:0]
	artifact := ""
	for _, f := range fs {
		if f.Severity == finding.Note && f.Check == CheckUnknownMetric {
			artifact = f.Artifact
			if !seen[f.Message] {
				seen[f.Message] = true
				names = append(names, f.Message)
			}
			continue
		}
		out = append(out, f)
	}
	if len(names) == 0 {
		return fs
	}
	sort.Strings(names)
	sources := "the metric catalog or the OTel GenAI semantic conventions"
	if files := l.opts.Metrics.Files(); len(files) > 0 {
		sources = "the metric catalog, the OTel GenAI semantic conventions or " + strings.Join(files, ", ")
	}
	out = append(out, finding.Finding{Artifact: artifact, Severity: finding.Note, Check: CheckUnknownMetric, Source: "naming conventions",
		Message: fmt.Sprintf("%d metric(s) not in %s, checked by naming conventions only (give --metrics a scrape of your targets, or Prometheus' /api/v1/metadata and /api/v1/series, for exact checks): %s",
			len(names), sources, strings.Join(names, ", "))})
	return out
}

// Lintable reports whether Files lints a file of this name.
func Lintable(name string) bool {
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json", ".md":
		return true
	}
	return false
}

func isRuleFile(name string) bool {
	ext := path.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}
