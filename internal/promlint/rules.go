package promlint

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/internal/finding"
)

// ruleDoc is one set of rule groups: a plain rule file, or the spec of one
// PrometheusRule.
type ruleDoc struct {
	groups     []rulefmt.RuleGroup
	nodes      []rulefmt.RuleGroupNode // the same groups, with the rules' positions
	groupLines []int
}

// RuleFile lints a Prometheus rule file: plain groups (promtool's format) or
// a YAML stream of PrometheusRule manifests, whose other documents are
// skipped. Its recording rules are learnt first.
func (l *Linter) RuleFile(path string, data []byte) finding.List {
	docs, fs := l.ruleDocs(path, data)
	l.learn(docs)
	for _, d := range docs {
		fs.Add(l.lintRules(path, d)...)
	}
	return fs
}

func (l *Linter) learn(docs []ruleDoc) {
	for _, d := range docs {
		for _, g := range d.groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					l.Learn(r.Record, r.Expr, r.Labels)
				}
			}
		}
	}
}

// ruleDocs reads the rule groups of a file and validates them as promtool
// check rules does. Unknown fields are errors in a plain file; in a
// manifest they are the custom resource schema's business (it has fields
// rulefmt lacks, like Thanos' partial_response_strategy).
func (l *Linter) ruleDocs(path string, data []byte) ([]ruleDoc, finding.List) {
	var fs finding.List
	var docs []ruleDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for first := true; ; first = false {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fs.Errorf(path, "", CheckFile, "not valid YAML: %v", err)
			return nil, fs
		}
		if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
			continue
		}
		doc := root.Content[0]
		var d ruleDoc
		groups := mapValue(doc, "groups")
		plain := groups != nil && first
		switch {
		case plain:
			var strict rulefmt.RuleGroups
			sd := yaml.NewDecoder(bytes.NewReader(data))
			sd.KnownFields(true)
			err = sd.Decode(&strict)
			d.groups = strict.Groups
		case mapValue(doc, "kind") != nil && mapValue(doc, "kind").Value == "PrometheusRule":
			groups = mapValue(mapValue(doc, "spec"), "groups")
			if groups == nil {
				continue
			}
			err = groups.Decode(&d.groups)
		default:
			continue
		}
		if err == nil {
			err = groups.Decode(&d.nodes)
		}
		if err != nil {
			fs.Add(decodeFindings(path, err, plain, groups.Line)...)
			continue
		}
		for _, g := range groups.Content {
			d.groupLines = append(d.groupLines, g.Line)
		}
		fs.Add(l.validate(path, d)...)
		docs = append(docs, d)
		if plain {
			break // promtool reads the first document only
		}
	}
	if len(docs) == 0 && len(fs) == 0 {
		fs.Errorf(path, "", CheckFile, "no rule groups: expected a Prometheus rule file (groups:) or PrometheusRule manifests")
	}
	return docs, fs
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

var (
	positionPrefix = regexp.MustCompile(`^\d+:\d+: (?:\d+:\d+: )?`)
	yamlLine       = regexp.MustCompile(`^line (\d+): `)
)

// decodeFindings reports why rule groups do not decode: in a plain file, at
// the line the decoder names.
func decodeFindings(path string, err error, plain bool, groupsLine int) finding.List {
	var fs finding.List
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, msg := range msgs {
		line := groupsLine
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			if plain {
				line, _ = strconv.Atoi(m[1])
			}
			msg = msg[len(m[0]):]
		}
		fs.Add(finding.Finding{Artifact: path, Line: line, Severity: finding.Error, Check: CheckRulefmt, Message: msg})
	}
	return fs
}

// validate applies rulefmt's validation, as rulefmt.Parse does for
// promtool: its group checks (rulefmt.RuleGroups.Validate cannot be called
// from outside its package, it takes an unexported type), then
// rulefmt.Rule.Validate on every rule: the expression parses, the
// templates parse, names are valid. Rules are validated in parallel:
// parsing every template dominates the cost.
func (l *Linter) validate(path string, d ruleDoc) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	for i, g := range d.groups {
		rep := reporter{&fs, path, d.groupLines[i], "group " + g.Name}
		if g.Name == "" {
			rep.errorf(CheckRulefmt, "Groupname must not be empty")
		}
		if seen[g.Name] {
			rep.errorf(CheckRulefmt, "groupname: %q is repeated in the same file", g.Name)
		}
		seen[g.Name] = true
		for _, k := range sortedKeys(g.Labels) {
			if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel {
				rep.errorf(CheckRulefmt, "invalid label name: %s", k)
			}
			if !model.LabelValue(g.Labels[k]).IsValid() {
				rep.errorf(CheckRulefmt, "invalid label value: %s", g.Labels[k])
			}
		}
	}
	type ref struct{ group, rule int }
	var refs []ref
	for gi, g := range d.groups {
		for ri := range g.Rules {
			refs = append(refs, ref{gi, ri})
		}
	}
	results := make([]finding.List, len(refs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(refs); i = int(next.Add(1) - 1) {
				r, n := d.groups[refs[i].group].Rules[refs[i].rule], d.nodes[refs[i].group].Rules[refs[i].rule]
				object, line := ruleObject(r, n)
				for _, err := range r.Validate(n, model.UTF8Validation, l.parser) {
					reporter{&results[i], path, line, object}.errorf(CheckRulefmt, "%s", positionPrefix.ReplaceAllString(err.Error(), ""))
				}
			}
		})
	}
	wg.Wait()
	for _, r := range results {
		fs.Add(r...)
	}
	return fs
}

// ruleObject names a rule and gives its line.
func ruleObject(r rulefmt.Rule, n rulefmt.RuleNode) (string, int) {
	if r.Alert != "" {
		return "alert " + r.Alert, n.Alert.Line
	}
	return "record " + r.Record, n.Record.Line
}

// lintRules runs the PromQL and style checks over every rule that parses
// (rulefmt reported those that do not).
func (l *Linter) lintRules(path string, d ruleDoc) finding.List {
	var fs finding.List
	for gi, g := range d.groups {
		for ri, r := range g.Rules {
			n := d.nodes[gi].Rules[ri]
			object, line := ruleObject(r, n)
			rep := reporter{&fs, path, line, object}
			if r.Alert != "" {
				alertStyle(rep, r)
			}
			e, err := l.parser.ParseExpr(r.Expr)
			if err != nil {
				continue
			}
			out := l.analyze(&fs, path, n.Expr.Line, object, r.Expr, e)
			if out.labels == nil {
				continue
			}
			for _, k := range sortedKeys(r.Labels) {
				if out.labels[k] {
					rep.errorf(CheckLabelOverride, "static label %s=%q replaces the %s label of the expression's result: series that differ only in %s collide and the rule fails with \"vector contains metrics with the same labelset after applying rule labels\"; aggregate %s away or rename it with label_replace()",
						k, r.Labels[k], k, k, k)
				}
			}
			if r.Alert == "" {
				continue
			}
			for _, where := range []struct {
				kind string
				m    map[string]string
			}{{"label", r.Labels}, {"annotation", r.Annotations}} {
				for _, k := range sortedKeys(where.m) {
					for _, name := range templateLabels(alertTemplateLabel, where.m[k]) {
						if !out.labels[name] {
							rep.errorf(CheckTemplateLabel, "%s %s uses $labels.%s, which the expression's result never carries (%s)", where.kind, k, name, out.labels.describe())
						}
					}
				}
			}
		}
	}
	return fs
}

var camelCase = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)

// alertStyle are the style checks mixtool's lint applies to alerts.
func alertStyle(rep reporter, r rulefmt.Rule) {
	if !camelCase.MatchString(r.Alert) {
		rep.errorf(CheckAlertName, "alert name %q is not CamelCase, like HighErrorRate", r.Alert)
	}
	switch sev, ok := r.Labels["severity"]; {
	case !ok:
		rep.errorf(CheckAlertSeverity, "has no severity label: set it to info, warning or critical")
	case sev != "info" && sev != "warning" && sev != "critical":
		rep.errorf(CheckAlertSeverity, "severity %q is not info, warning or critical", sev)
	}
	if r.Labels["category"] == "" {
		rep.errorf(CheckAlertCategory, "has no category label: routing keys on it (cost, policy, performance, ...)")
	}
	for _, a := range []string{"summary", "description"} {
		if r.Annotations[a] == "" {
			rep.errorf(CheckAlertAnnotations, "has no %s annotation", a)
		}
	}
	if r.For == 0 {
		rep.warnf(CheckAlertFor, "has no for duration: it fires on a single evaluation; set for to ride out one bad scrape")
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
