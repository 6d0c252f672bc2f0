package promlint

import (
	"bytes"
	"path"

	"github.com/koshihq/genops-stack/internal/finding"
)

// File is one input of Files: a path (as findings name it) and its bytes.
type File struct {
	Path string
	Data []byte
	// Walked is true for a file found by walking a directory: a YAML file
	// without rules (a values file, a Deployment) is skipped, not an error.
	Walked bool
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
// record defined in another file.
func (l *Linter) Files(files []File) finding.List {
	var fs finding.List
	docs := make([][]ruleDoc, len(files))
	for i, f := range files {
		if isRuleFile(f.Path) {
			var errs finding.List
			docs[i], errs = l.ruleDocs(f.Path, f.Data)
			if len(docs[i]) == 0 && len(errs) == 0 && !f.Walked {
				errs.Add(noRuleGroups(f.Path))
			}
			fs.Add(errs...)
			l.learn(docs[i])
		}
	}
	for i, f := range files {
		switch {
		case isRuleFile(f.Path):
			fs.Add(l.lintDocs(f.Path, docs[i])...)
		case path.Ext(f.Path) == ".json":
			fs.Add(l.Dashboard(f.Path, f.Data)...)
		case path.Ext(f.Path) == ".md":
			fs.Add(l.Runbook(f.Path, f.Data)...)
		default:
			fs.Errorf(f.Path, "", CheckFile, "not a rule file (.yaml, .yml), dashboard (.json) or runbook (.md)")
		}
	}
	return fs
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
