// Package promlint lints PromQL offline against the metric catalog: one
// expression, a Prometheus rule file (plain groups or PrometheusRule
// manifests), a Grafana dashboard, the PromQL blocks of a runbook. It finds
// what promtool cannot: queries that parse, yet cannot work against the
// metrics the exporters define (rate() over a gauge, by a label the metric
// does not have, a template label the expression aggregates away, a metric
// nothing sends).
//
// Expressions are parsed by the Prometheus parser and rule files validated by
// rulefmt, exactly as promtool does; the checks of this package come on top.
package promlint

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Check names, as findings carry them.
const (
	CheckParse                = "promql-parse"
	CheckUnknownMetric        = "unknown-metric"
	CheckNoSource             = "no-source"
	CheckUnknownLabel         = "unknown-label"
	CheckUnknownJob           = "unknown-job"
	CheckTemplateLabel        = "template-label"
	CheckRateNonCounter       = "rate-over-non-counter"
	CheckGaugeFuncOverCounter = "gauge-function-over-counter"
	CheckHistogramQuantile    = "histogram-quantile"
	CheckCounterNoRate        = "counter-without-rate"
	CheckRangeTooShort        = "range-too-short"
	CheckLabelOverride        = "label-override"
	CheckRulefmt              = "rulefmt"
	CheckAlertName            = "alert-name"
	CheckAlertSeverity        = "alert-severity"
	CheckAlertCategory        = "alert-category"
	CheckAlertAnnotations     = "alert-annotations"
	CheckAlertFor             = "alert-for"
	CheckFile                 = "file"
)

// DefaultScrapeInterval is the scrape interval assumed when Options leave it
// unset: kube-prometheus-stack's default and the stack's.
const DefaultScrapeInterval = 30 * time.Second

// Options tune the lint.
type Options struct {
	// ScrapeInterval is the longest scrape interval of the queried jobs: a
	// range shorter than twice it holds at most one sample.
	ScrapeInterval time.Duration
}

// Linter lints PromQL against a catalog and the recording rules it has
// learnt. It is not safe for concurrent use (it checks the rules of a file
// in parallel itself).
type Linter struct {
	cat     *catalog.Catalog
	opts    Options
	parser  parser.Parser
	records map[string]*record
}

// record is a recording rule: its series become selectable by name.
type record struct {
	expr   string
	labels map[string]string
	state  recordState
	shape  shape
}

type recordState int

const (
	unresolved recordState = iota
	resolving
	resolved
)

// New returns a linter for queries against cat.
func New(cat *catalog.Catalog, opts Options) *Linter {
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = DefaultScrapeInterval
	}
	return &Linter{cat: cat, opts: opts, parser: parser.NewParser(parser.Options{}), records: map[string]*record{}}
}

// Learn makes a recording rule's series known to every later lint.
func (l *Linter) Learn(name, expr string, labels map[string]string) {
	if _, ok := l.records[name]; !ok {
		l.records[name] = &record{expr: expr, labels: labels}
	}
}

// series resolves a selectable name: a catalog series or a recording rule.
func (l *Linter) series(name string) (shape, bool) {
	if s, ok := l.cat.Lookup(name); ok {
		return seriesShape(s), true
	}
	r, ok := l.records[name]
	if !ok {
		return shape{}, false
	}
	switch r.state {
	case resolving: // a cycle of recording rules: rulefmt and Prometheus report it
		return shape{source: name}, true
	case unresolved:
		r.state = resolving
		if expr, err := l.parser.ParseExpr(r.expr); err == nil {
			a := &analysis{l: l, query: r.expr}
			r.shape = a.eval(expr, true)
			if r.shape.labels != nil {
				for k := range r.labels {
					r.shape.labels[k] = true
				}
			}
		}
		r.shape.source, r.shape.scalar = name, false
		r.state = resolved
	}
	return r.shape, true
}

func seriesShape(s catalog.Series) shape {
	return shape{labels: setOf(s.Labels...), typ: s.Type, bucket: s.Bucket, source: s.Name}
}

// unknownMetric says that name is not in the catalog, with a suggestion.
func (l *Linter) unknownMetric(name string) string {
	if m, ok := l.cat.Metric(name); ok {
		return fmt.Sprintf("%s is a %s: select its _bucket, _sum or _count series", name, m.Type)
	}
	names := l.cat.SeriesNames()
	for n := range l.records {
		names = append(names, n)
	}
	sort.Strings(names)
	msg := fmt.Sprintf("unknown metric %s: it is neither in the metric catalog nor a recording rule", name)
	if s := closest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return msg
}

// noSource says that nothing sends a catalog metric: it has no Source.
func noSource(m catalog.Metric) string {
	return fmt.Sprintf("metric %s has no source: nothing sends it (give it a Source in stack/catalog: derived from span attributes, scraped from a named exporter, or an OTel GenAI metric)", m.Name)
}

// analyze lints an expression parsed from query and returns the shape of
// its result.
func (l *Linter) analyze(fs *finding.List, artifact string, line int, object, query string, e parser.Expr) shape {
	return l.analyzeAs(fs, artifact, line, object, query, e, false)
}

// analyzeAs is analyze; labelsOnly says the result is read for its labels
// only (label_values()), so a raw counter there is fine.
func (l *Linter) analyzeAs(fs *finding.List, artifact string, line int, object, query string, e parser.Expr, labelsOnly bool) shape {
	a := &analysis{reporter: reporter{fs: fs, artifact: artifact, line: line, object: object}, l: l, query: query}
	return a.eval(e, labelsOnly)
}

// Expr lints one query as Grafana sends it: template variables
// ($__rate_interval, $var, ${var:regex}, ...) are substituted first.
func (l *Linter) Expr(artifact string, line int, object, expr string) finding.List {
	var fs finding.List
	l.query(&fs, artifact, line, object, expr)
	return fs
}

// query lints a Grafana query and returns the shape of its result; ok is
// false when it does not parse.
func (l *Linter) query(fs *finding.List, artifact string, line int, object, expr string) (shape, bool) {
	return l.queryAs(fs, artifact, line, object, expr, false)
}

// queryAs is query; labelsOnly is as for analyzeAs.
func (l *Linter) queryAs(fs *finding.List, artifact string, line int, object, expr string, labelsOnly bool) (shape, bool) {
	q := l.substitute(expr)
	e, err := l.parser.ParseExpr(q)
	if err != nil {
		msg := err.Error()
		if q != expr {
			msg += fmt.Sprintf(" (positions are in the query with Grafana's variables substituted: %s)", q)
		}
		reporter{fs, artifact, line, object}.errorf(CheckParse, "query does not parse: %s", msg)
		return shape{}, false
	}
	return l.analyzeAs(fs, artifact, line, object, q, e, labelsOnly), true
}

// ErrUnknownLabels is returned by OutputLabels when the expression selects
// a metric the catalog does not know; the error says which.
var ErrUnknownLabels = errors.New("promlint: the result's labels are unknown")

// OutputLabels returns the names of the labels the result of a PromQL
// expression can carry, sorted: what an alert's notifications and templates
// can use.
func (l *Linter) OutputLabels(expr string) ([]string, error) {
	e, err := l.parser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var fs finding.List
	s := l.analyze(&fs, "", 0, "", expr, e)
	if s.labels == nil {
		var why []string
		for _, f := range fs {
			if f.Severity == finding.Error {
				why = append(why, f.Message)
			}
		}
		return nil, fmt.Errorf("%w: %s", ErrUnknownLabels, strings.Join(why, "; "))
	}
	return s.labels.sorted(), nil
}
