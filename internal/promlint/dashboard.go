package promlint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
)

// The parts of a Grafana dashboard the lint reads.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

// dashboardFile is a dashboard, bare or wrapped as {"dashboard": ...}
// (the API's form), decoded in one pass.
type dashboardFile struct {
	Wrapped *dashboard `json:"dashboard"`
	dashboard
}

type panel struct {
	Title      string          `json:"title"`
	Type       string          `json:"type"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []target        `json:"targets"`
	Panels     []panel         `json:"panels"` // a collapsed row's panels
}

type target struct {
	Expr         string          `json:"expr"`
	LegendFormat string          `json:"legendFormat"`
	Datasource   json.RawMessage `json:"datasource"`
	Instant      bool            `json:"instant"`
	Range        *bool           `json:"range"`
}

// rangeQuery reports whether Grafana runs the target as a range query:
// unless it is instant and not also range.
func (t target) rangeQuery() bool {
	return !t.Instant || (t.Range != nil && *t.Range)
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource json.RawMessage `json:"datasource"`
}

// timeSeriesPanels draw one point per step of the dashboard's range.
var timeSeriesPanels = map[string]bool{"timeseries": true, "graph": true, "heatmap": true, "state-timeline": true,
	"status-history": true, "trend": true, "candlestick": true}

// Dashboard lints the PromQL of a Grafana dashboard, bare or wrapped as
// {"dashboard": ...}: every Prometheus target (and its legend), and the
// label_values() and query_result() queries of its variables.
func (l *Linter) Dashboard(path string, data []byte) finding.List {
	return l.collapseNotes(l.dashboard(path, data, l.opts.Profile == ProfileGeneric))
}

func (l *Linter) dashboard(path string, data []byte, generic bool) finding.List {
	data = editorLines(data)
	var fs finding.List
	var f dashboardFile
	if err := json.Unmarshal(data, &f); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || !json.Valid(data) {
			fs.Errorf(path, "", CheckFile, "not valid JSON: %v", err)
		} else {
			fs.Errorf(path, "", CheckFile, "not a Grafana dashboard: %v", err)
		}
		return fs
	}
	d := f.dashboard
	if f.Wrapped != nil {
		d = *f.Wrapped
	}
	name := d.UID
	if name == "" {
		name = fmt.Sprintf("%q", d.Title)
	}
	lines := stringLines(data, "expr", "query")
	for _, v := range d.Templating.List {
		if v.Type == "query" && isPrometheus(v.Datasource, nil) {
			l.variable(&fs, generic, path, lines, "dashboard "+name+" variable "+v.Name, v.Query)
		}
	}
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			object := fmt.Sprintf("dashboard %s panel %q", name, p.Title)
			for _, t := range p.Targets {
				if t.Expr == "" || !isPrometheus(t.Datasource, p.Datasource) {
					continue
				}
				line := lines.next("expr", t.Expr)
				rep := reporter{&fs, path, line, object}
				if timeSeriesPanels[p.Type] && t.rangeQuery() {
					checkRangePerPoint(rep, p.Type, t.Expr)
				}
				out, ok := l.query(&fs, generic, path, line, object, t.Expr, false)
				if !ok {
					continue
				}
				for _, lbl := range templateLabels(legendLabel, t.LegendFormat) {
					if lbl != "__name__" && out.lacks(lbl) {
						rep.report(finding.Error, CheckTemplateLabel, out.labelsFrom, "legend %q uses label %s, which the query's result never carries (%s)%s",
							t.LegendFormat, lbl, out.reason(), addLabelFix(out, lbl, "legend"))
					}
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return fs
}

// checkRangePerPoint reports Grafana's dashboard-range variables used as a
// range in a query a time series draws: each point then covers the whole
// dashboard range before it.
func checkRangePerPoint(rep reporter, panelType, expr string) {
	for _, m := range grafanaVar.FindAllStringSubmatchIndex(expr, -1) {
		name := ""
		for g := 1; g <= 2; g++ {
			if m[2*g] >= 0 {
				name = expr[m[2*g]:m[2*g+1]]
			}
		}
		if quoted, inRange := context(expr[:m[0]]); name == "__range" && inRange && !quoted {
			rep.report(finding.Error, CheckRangePerPoint, "", "%s panel runs the query over the dashboard's range, and [$__range] makes every point cover that whole range before it: the line is a moving window as wide as the dashboard, not a value per step; use [$__rate_interval] (rate) or [$__interval] (increase per step), or make the query instant (a stat or table panel)",
				panelType)
			return
		}
	}
}

// isPrometheus reports whether a target queries Prometheus: its datasource,
// or else its panel's, is unset, a reference by name or variable, or typed
// prometheus.
func isPrometheus(ds, panelDS json.RawMessage) bool {
	if len(ds) == 0 || string(ds) == "null" {
		ds = panelDS
	}
	var ref struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(ds, &ref) != nil {
		return true // a name or "$datasource"
	}
	return ref.Type == "" || ref.Type == "prometheus"
}

var (
	labelValues = regexp.MustCompile(`^\s*label_values\(\s*(?:(.*?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)
	queryResult = regexp.MustCompile(`(?s)^\s*query_result\((.*)\)\s*$`)
)

// variable lints a query variable: label_values(selector, label), the
// selector like any query and the label against its result, and
// query_result(query), the query; both are read for their labels.
func (l *Linter) variable(fs *finding.List, generic bool, path string, lines *lineIndex, object string, raw json.RawMessage) {
	var q string
	if json.Unmarshal(raw, &q) != nil {
		var obj struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		q = obj.Query
	}
	if m := queryResult.FindStringSubmatch(q); m != nil {
		l.query(fs, generic, path, lines.next("query", q), object, m[1], true)
		return
	}
	m := labelValues.FindStringSubmatch(q)
	if m == nil || m[1] == "" {
		return
	}
	line := lines.next("query", q)
	out, ok := l.query(fs, generic, path, line, object, m[1], true)
	if ok && out.lacks(m[2]) {
		reporter{fs, path, line, object}.report(finding.Error, CheckUnknownLabel, out.labelsFrom, "label_values() asks for label %s, which %s", m[2], lacksPhrase(out, m[2]))
	}
}

// lineIndex knows the line of every string value of a JSON document, by
// key and value, in document order, so findings can point at the line of
// the query they are about.
type lineIndex struct {
	lines map[[2]string][]int
}

// next returns the line of the next unclaimed value of key equal to value,
// or 0 when there is none.
func (x *lineIndex) next(key, value string) int {
	k := [2]string{key, value}
	ls := x.lines[k]
	if len(ls) == 0 {
		return 0
	}
	x.lines[k] = ls[1:]
	return ls[0]
}

// stringLines indexes the string values of the given object keys in a JSON
// document (which json.Unmarshal has accepted). It scans the document once,
// tracking, per open object, whether the next string is a key, and counting
// lines as it goes.
func stringLines(data []byte, keys ...string) *lineIndex {
	x := &lineIndex{lines: map[[2]string][]int{}}
	type frame struct{ object, wantKey bool }
	var stack []frame
	key := ""
	line := 1
	for i := 0; i < len(data); i++ {
		inObject := len(stack) > 0 && stack[len(stack)-1].object
		switch c := data[i]; c {
		case '\n':
			line++
		case ' ', '\t', '\r', ':', ',':
		case '{', '[':
			if inObject {
				stack[len(stack)-1].wantKey = true
			}
			stack = append(stack, frame{object: c == '{', wantKey: c == '{'})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '"':
			start := i
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i >= len(data) {
				return x // not JSON: json.Unmarshal has reported it
			}
			raw := data[start : i+1]
			switch {
			case inObject && stack[len(stack)-1].wantKey:
				key = unquote(raw)
				stack[len(stack)-1].wantKey = false
			case inObject:
				if slices.Contains(keys, key) {
					k := [2]string{key, unquote(raw)}
					x.lines[k] = append(x.lines[k], line)
				}
				stack[len(stack)-1].wantKey = true
			}
		default: // a number, true, false or null
			for i+1 < len(data) && !strings.ContainsRune(",]} \t\r\n", rune(data[i+1])) {
				i++
			}
			if inObject {
				stack[len(stack)-1].wantKey = true
			}
		}
	}
	return x
}

// unquote decodes a JSON string literal.
func unquote(raw []byte) string {
	if !bytes.ContainsRune(raw, '\\') {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // the document is valid JSON
	return s
}
