package promlint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
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
	generic := l.opts.Profile == ProfileGeneric
	bucketBases(data, l.bucketBases)
	docs, fs := l.ruleDocs(path, data)
	if len(docs) == 0 && len(fs) == 0 {
		fs.Add(noRuleGroups(path))
	}
	l.learn(docs, generic)
	fs.Add(l.lintDocs(path, docs, generic)...)
	return l.collapseNotes(fs)
}

func (l *Linter) learn(docs []ruleDoc, generic bool) {
	for _, d := range docs {
		for _, g := range d.groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					l.learnAs(r.Record, r.Expr, r.Labels, generic)
				}
			}
		}
	}
}

// resolveRecords analyses every learnt recording rule, so that linting
// only reads them and can run in parallel.
func (l *Linter) resolveRecords() {
	for name := range l.records {
		l.recorded(name)
	}
}

// ruleDocs reads the rule groups of a file. Unknown fields are errors in a
// plain file, as promtool check rules has them; in a manifest they are the
// custom resource schema's business (it has fields rulefmt lacks, like
// Thanos' partial_response_strategy). promtool reads the first document of
// a plain file only, and so does the lint.
func (l *Linter) ruleDocs(path string, data []byte) ([]ruleDoc, finding.List) {
	data = editorLines(data)
	if plainStart.Match(data) {
		if d, ok := plainDoc(data); ok {
			return []ruleDoc{d}, nil
		}
	}
	var fs finding.List
	var docs []ruleDoc
	strict := strictDecode(data)
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
		groups, kind := mapValue(doc, "groups"), mapValue(doc, "kind")
		plain := groups != nil && first
		switch {
		case plain:
			var rgs rulefmt.RuleGroups
			rgs, err = strict()
			d.groups = rgs.Groups
		case kind != nil && kind.Value == "PrometheusRule":
			groups = mapValue(mapValue(doc, "spec"), "groups")
			if groups == nil {
				continue
			}
			if err = groups.Decode(&d.nodes); err == nil {
				var ok bool
				if d.groups, ok = groupsOf(d.nodes); !ok {
					err = groups.Decode(&d.groups) // its error, as rulefmt's types give it
				}
			}
		default:
			continue
		}
		if err == nil && plain {
			err = groups.Decode(&d.nodes)
		}
		if err != nil {
			fs.Add(decodeFindings(path, err, groups.Line)...)
		} else {
			for _, g := range groups.Content {
				d.groupLines = append(d.groupLines, g.Line)
			}
			docs = append(docs, d)
		}
		if plain {
			break
		}
	}
	return docs, fs
}

// groupNode is rulefmt.RuleGroupNode without its embedded yaml.Node, which
// a strict decoder would fill from a key "node" that rulefmt.RuleGroup
// does not have: its fields are rulefmt.RuleGroup's (a test compares them).
type groupNode struct {
	Name        string             `yaml:"name"`
	Interval    model.Duration     `yaml:"interval,omitempty"`
	QueryOffset *model.Duration    `yaml:"query_offset,omitempty"`
	Limit       int                `yaml:"limit,omitempty"`
	Rules       []rulefmt.RuleNode `yaml:"rules"`
	Labels      map[string]string  `yaml:"labels,omitempty"`
}

// plainDoc reads a plain rule file in one strict decode into the groups'
// nodes, whose rules hold both the values and their lines: what
// strictDecode and a decode into nodes give together, at half the cost. ok
// is false when that is not enough to say the same as promtool: a decoding
// error (rulefmt's types word it), a record, alert or expr that is no plain
// string, or a group finding, which needs the group's line. The caller then
// takes the long way.
func plainDoc(data []byte) (ruleDoc, bool) {
	groups, ok := decodeGroups(groupChunks(data, runtime.GOMAXPROCS(0)))
	if !ok {
		return ruleDoc{}, false
	}
	var d ruleDoc
	seen := map[string]bool{}
	for _, g := range groups {
		if g.Name == "" || seen[g.Name] || !validLabels(g.Labels) {
			return ruleDoc{}, false
		}
		seen[g.Name] = true
		d.nodes = append(d.nodes, rulefmt.RuleGroupNode{Name: g.Name, Interval: g.Interval, QueryOffset: g.QueryOffset, Limit: g.Limit, Rules: g.Rules, Labels: g.Labels})
		d.groupLines = append(d.groupLines, 0)
	}
	d.groups, ok = groupsOf(d.nodes)
	return d, ok
}

// decodeGroups decodes the groups of documents strictly, each on a
// processor, in order; ok is false if one does not decode.
func decodeGroups(docs [][]byte) ([]groupNode, bool) {
	decoded := make([][]groupNode, len(docs))
	failed := make([]bool, len(docs))
	parallel(len(docs), func(i int) {
		var v struct {
			Groups []groupNode `yaml:"groups"`
		}
		dec := yaml.NewDecoder(bytes.NewReader(docs[i]))
		dec.KnownFields(true)
		failed[i] = dec.Decode(&v) != nil
		decoded[i] = v.Groups
	})
	if slices.Contains(failed, true) {
		return nil, false
	}
	return slices.Concat(decoded...), true
}

// chunkSize is the size of a plain rule file worth decoding on several
// processors.
const chunkSize = 64 << 10

// groupChunks splits a plain rule file (one that starts with groups:) into
// up to n documents of whole groups, each "groups:" and its groups at their
// lines in the file, so that they decode on n processors with the file's
// line numbers. A group starts at a line "- " at the indentation of the
// first: no line of a group's content can (block scalars and continuation
// lines are indented deeper). Anything else at that indentation or less
// (another key, a document marker, a flow sequence) leaves the file whole,
// and a decoding error on a part sends the caller the long way anyway.
func groupChunks(data []byte, n int) [][]byte {
	if n < 2 || len(data) < 2*chunkSize {
		return [][]byte{data}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	groupsAt, indent := -1, -1
	var starts []int // the lines where groups start, 0-based
	for i, line := range lines {
		trimmed := bytes.TrimLeft(line, " ")
		content := bytes.TrimSpace(trimmed)
		if len(content) == 0 || content[0] == '#' {
			continue
		}
		depth := len(line) - len(trimmed)
		switch {
		case groupsAt < 0:
			if string(content) != "groups:" {
				return [][]byte{data}
			}
			groupsAt = i
		case indent < 0:
			if !bytes.HasPrefix(trimmed, []byte("- ")) {
				return [][]byte{data}
			}
			indent = depth
			starts = append(starts, i)
		case depth < indent || depth == indent && !bytes.HasPrefix(trimmed, []byte("- ")):
			return [][]byte{data}
		case depth == indent:
			starts = append(starts, i)
		}
	}
	if len(starts) < 2 {
		return [][]byte{data}
	}
	// Cut at the group starts nearest to equal shares of the bytes.
	offset := make([]int, len(lines)+1)
	for i, line := range lines {
		offset[i+1] = offset[i] + len(line)
	}
	var cuts []int
	for k := 1; k < n; k++ {
		target := len(data) * k / n
		j, _ := slices.BinarySearchFunc(starts, target, func(line, t int) int { return offset[line] - t })
		if j < len(starts) && (len(cuts) == 0 || starts[j] > cuts[len(cuts)-1]) {
			cuts = append(cuts, starts[j])
		}
	}
	cuts = append(cuts, len(lines))
	var chunks [][]byte
	from := 0 // the first chunk is the file's head, groups: included
	for _, to := range cuts {
		var b bytes.Buffer
		b.Grow(len("groups:") + from + offset[to] - offset[from])
		if from > 0 {
			b.WriteString("groups:")
			b.Write(bytes.Repeat([]byte("\n"), from)) // the part's first line at its line in the file
		}
		b.Write(data[offset[from]:offset[to]])
		chunks = append(chunks, b.Bytes())
		from = to
	}
	return chunks
}

// validLabels reports whether a group's labels pass rulefmt's checks.
func validLabels(ls map[string]string) bool {
	for k, v := range ls {
		if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel || !model.LabelValue(v).IsValid() {
			return false
		}
	}
	return true
}

// groupsOf are the rule groups the nodes hold; ok is false when a record,
// alert or expr is not a plain string (decoding into a string would fail,
// or turn null into "").
func groupsOf(nodes []rulefmt.RuleGroupNode) ([]rulefmt.RuleGroup, bool) {
	groups := make([]rulefmt.RuleGroup, len(nodes))
	for i, g := range nodes {
		groups[i] = rulefmt.RuleGroup{Name: g.Name, Interval: g.Interval, QueryOffset: g.QueryOffset, Limit: g.Limit, Labels: g.Labels,
			Rules: make([]rulefmt.Rule, len(g.Rules))}
		for j, n := range g.Rules {
			for _, x := range []*yaml.Node{&n.Record, &n.Alert, &n.Expr} {
				if x.Kind != 0 && (x.Kind != yaml.ScalarNode || x.Tag == "!!null") {
					return nil, false
				}
			}
			groups[i].Rules[j] = rulefmt.Rule{Record: n.Record.Value, Alert: n.Alert.Value, Expr: n.Expr.Value, For: n.For,
				KeepFiringFor: n.KeepFiringFor, Labels: n.Labels, Annotations: n.Annotations}
		}
	}
	return groups, true
}

// strictDecode decodes a plain rule file as promtool does, unknown fields
// being errors, and returns a func that gives the result. A plain file is
// decoded twice (into nodes for the rules' lines, and strictly); when the
// file starts with groups: the strict decode runs alongside the other.
func strictDecode(data []byte) func() (rulefmt.RuleGroups, error) {
	decode := func() (rulefmt.RuleGroups, error) {
		var rgs rulefmt.RuleGroups
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err := dec.Decode(&rgs)
		return rgs, err
	}
	if !plainStart.Match(data) {
		return decode
	}
	type result struct {
		rgs rulefmt.RuleGroups
		err error
	}
	ch := make(chan result, 1)
	go func() {
		rgs, err := decode()
		ch <- result{rgs, err}
	}()
	return sync.OnceValues(func() (rulefmt.RuleGroups, error) {
		r := <-ch
		return r.rgs, r.err
	})
}

// plainStart matches a file whose first line of content is groups:.
var plainStart = regexp.MustCompile(`^(?:\s*(?:#[^\n]*)?\n)*groups:`)

func noRuleGroups(path string) finding.Finding {
	return finding.Finding{Artifact: path, Severity: finding.Error, Check: CheckFile,
		Message: "no rule groups: expected a Prometheus rule file (groups:) or PrometheusRule manifests"}
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

// decodeFindings reports why rule groups do not decode, at the line the
// decoder names (nodes keep their line in the whole stream).
func decodeFindings(path string, err error, groupsLine int) finding.List {
	var fs finding.List
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, msg := range msgs {
		line := groupsLine
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		fs.Add(finding.Finding{Artifact: path, Line: line, Severity: finding.Error, Check: CheckRulefmt, Message: msg})
	}
	return fs
}

// lintDocs validates the rule groups as rulefmt.Parse does for promtool
// (its group checks, then rulefmt.Rule.Validate on every rule: expression,
// templates, names), then lints every rule. rulefmt.RuleGroups.Validate
// cannot be called from outside its package (it takes an unexported type),
// so its three group checks are repeated here. Rules are checked in
// parallel: parsing every template and expression dominates the cost.
func (l *Linter) lintDocs(path string, docs []ruleDoc, generic bool) finding.List {
	var fs finding.List
	type ref struct {
		doc        *ruleDoc
		group, idx int
	}
	var refs []ref
	for di := range docs {
		d := &docs[di]
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
			for _, k := range slices.Sorted(maps.Keys(g.Labels)) {
				if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel {
					rep.errorf(CheckRulefmt, "invalid label name: %s", k)
				}
				if !model.LabelValue(g.Labels[k]).IsValid() {
					rep.errorf(CheckRulefmt, "invalid label value: %s", g.Labels[k])
				}
			}
			for ri := range g.Rules {
				refs = append(refs, ref{d, i, ri})
			}
		}
	}
	l.resolveRecords()
	results := make([]finding.List, len(refs))
	parallel(len(refs), func(i int) {
		d, gi, ri := refs[i].doc, refs[i].group, refs[i].idx
		r, n := d.groups[gi].Rules[ri], d.nodes[gi].Rules[ri]
		object, line := ruleObject(r, n)
		rep := reporter{&results[i], path, line, object}
		p := &onceParser{Parser: l.parser}
		if rec := l.records[r.Record]; r.Record != "" && rec != nil && rec.expr == r.Expr && rec.ast != nil {
			p.done, p.expr, p.e = true, r.Expr, rec.ast // parsed when the record was resolved
		}
		for _, msg := range l.validateRule(r, n, p) {
			rep.errorf(CheckRulefmt, "%s", msg)
		}
		l.lintRule(rep, r, n, p, generic)
	})
	for _, r := range results {
		fs.Add(r...)
	}
	return fs
}

// validateRule is rulefmt.Rule.Validate, without two costs. For an alert,
// Validate builds a template expander for every label and annotation, yet
// a value without "{{" has no action and always parses, and a template that
// parsed once parses again (rules of one name per team share theirs): such
// entries get the other checks Validate makes of them (valid names and
// values) here and are left out of the call, which does everything else.
// Validate parses the expression with p, which keeps the result for the
// lint.
func (l *Linter) validateRule(r rulefmt.Rule, n rulefmt.RuleNode, p parser.Parser) []string {
	var msgs []string
	var parsing []string // the templates Validate parses, as "label k" and "annotation k"
	if r.Alert != "" && r.Record == "" {
		// Validate gets only the entries it must parse, in maps of their
		// own (the rule's are shared with the lint).
		labels, annotations := r.Labels, r.Annotations
		r.Labels, r.Annotations = nil, nil
		for _, k := range sortedKeys(labels) {
			if v := labels[k]; !l.needsParse(v) {
				if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel {
					msgs = append(msgs, "invalid label name: "+k)
				}
				if !model.LabelValue(v).IsValid() {
					msgs = append(msgs, "invalid label value: "+v)
				}
			} else {
				if r.Labels == nil {
					r.Labels = map[string]string{}
				}
				r.Labels[k] = v
				parsing = append(parsing, "label", k)
			}
		}
		for _, k := range sortedKeys(annotations) {
			if v := annotations[k]; !l.needsParse(v) {
				if !model.UTF8Validation.IsValidLabelName(k) {
					msgs = append(msgs, "invalid annotation name: "+k)
				}
			} else {
				if r.Annotations == nil {
					r.Annotations = map[string]string{}
				}
				r.Annotations[k] = v
				parsing = append(parsing, "annotation", k)
			}
		}
	}
	var failed []string
	for _, err := range r.Validate(n, model.UTF8Validation, p) {
		msg := positionPrefix.ReplaceAllString(err.Error(), "")
		msgs = append(msgs, msg)
		failed = append(failed, msg)
	}
	// The templates without an error parse: remember them.
	for i := 0; i < len(parsing); i += 2 {
		kind, k := parsing[i], parsing[i+1]
		prefix := fmt.Sprintf("%s %q: ", kind, k)
		if !slices.ContainsFunc(failed, func(m string) bool { return strings.HasPrefix(m, prefix) }) {
			text := r.Labels[k]
			if kind == "annotation" {
				text = r.Annotations[k]
			}
			l.templates.Store(text, true)
		}
	}
	return msgs
}

// sortedKeys are a map's keys in order; a map of one key or none needs no
// sorting.
func sortedKeys(m map[string]string) []string {
	if len(m) < 2 {
		for k := range m {
			return []string{k}
		}
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

// needsParse reports whether an alert's label or annotation value is a
// template rulefmt must parse: it has an action, and has not parsed before.
func (l *Linter) needsParse(v string) bool {
	if !strings.Contains(v, "{{") {
		return false
	}
	_, ok := l.templates.Load(v)
	return !ok
}

// onceParser is the lint's parser, remembering the first expression it
// parses: rulefmt's validation parses a rule's expression, and the lint
// reads the same tree.
type onceParser struct {
	parser.Parser
	done bool
	expr string
	e    parser.Expr
	err  error
}

func (p *onceParser) ParseExpr(input string) (parser.Expr, error) {
	if p.done && input == p.expr {
		return p.e, p.err
	}
	e, err := p.Parser.ParseExpr(input)
	if !p.done {
		p.done, p.expr, p.e, p.err = true, input, e, err
	}
	return e, err
}

// parallel calls f(0) ... f(n-1) on every processor.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// ruleObject names a rule and gives its line.
func ruleObject(r rulefmt.Rule, n rulefmt.RuleNode) (string, int) {
	if r.Alert != "" {
		return "alert " + r.Alert, n.Alert.Line
	}
	return "record " + r.Record, n.Record.Line
}

// lintRule runs the house rules (profile genops) and PromQL checks of one
// rule whose expression parses (rulefmt reports those that do not).
func (l *Linter) lintRule(rep reporter, r rulefmt.Rule, n rulefmt.RuleNode, p parser.Parser, generic bool) {
	if !generic {
		for _, v := range HouseRules(r) {
			rep.report(v.Severity, v.Check, "", "%s", v.Message)
		}
	}
	e, err := p.ParseExpr(r.Expr)
	if err != nil {
		return
	}
	a := &analysis{reporter: reporter{fs: rep.fs, artifact: rep.artifact, line: n.Expr.Line, object: rep.object}, l: l, query: r.Expr, generic: generic, kind: kindRule}
	out := a.top(e, false)
	for _, k := range sortedKeys(r.Labels) {
		if out.labels[k] {
			rep.report(finding.Error, CheckLabelOverride, out.labelsFrom, "static label %s=%q replaces the %s label of the expression's result: series that differ only in %s collide and the rule fails with \"vector contains metrics with the same labelset after applying rule labels\"; aggregate %s away or rename it with label_replace()",
				k, r.Labels[k], k, k, k)
		}
	}
	if r.Alert == "" {
		return
	}
	for _, where := range []struct {
		kind string
		m    map[string]string
	}{{"label", r.Labels}, {"annotation", r.Annotations}} {
		for _, k := range sortedKeys(where.m) {
			for _, name := range l.alertTemplateLabels(where.m[k]) {
				if out.lacks(name) {
					rep.report(finding.Error, CheckTemplateLabel, out.labelsFrom, "%s %s uses $labels.%s, which the expression's result never carries (%s)%s",
						where.kind, k, name, out.reason(), addLabelFix(out, name, "template"))
				}
			}
		}
	}
}

// alertTemplateLabels are the labels an alert's label or annotation refers
// to, found once per text: rules of one name per team, or of one author,
// repeat theirs.
func (l *Linter) alertTemplateLabels(text string) []string {
	if !strings.Contains(text, "{{") {
		return nil
	}
	if v, ok := l.templateRefs.Load(text); ok {
		return v.([]string)
	}
	refs := templateLabels(alertTemplateLabel, text)
	l.templateRefs.Store(text, refs)
	return refs
}

// addLabelFix is the fix for a template or legend that uses a label the
// query's own clause drops.
func addLabelFix(s shape, label, where string) string {
	if s.closed && s.closer != "" && !strings.HasPrefix(s.closer, "either side") {
		return fmt.Sprintf("; add %s to %s, or take it out of the %s", label, s.closer, where)
	}
	return ""
}
