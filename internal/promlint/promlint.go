// Package promlint lints PromQL offline: one expression, a Prometheus rule
// file (plain groups or PrometheusRule manifests), a Grafana dashboard, the
// PromQL blocks of a runbook. It finds what promtool cannot: queries that
// parse, yet cannot work (rate() over a gauge, a counter summed raw,
// histogram buckets aggregated across le, by a label the metric does not
// have, a legend or template label the aggregation drops, a metric nothing
// sends).
//
// The stack's own files (ProfileGenOps) are checked against the metric
// catalog and the house rules (HouseRules); anybody's files
// (ProfileGeneric) get the correctness checks, with what is known of each
// metric from the catalog, recording rules, the user's metrics (Metrics),
// the OTel GenAI semantic conventions and naming conventions, each finding
// naming its source.
//
// Expressions are parsed by the Prometheus parser and rule files validated by
// rulefmt, exactly as promtool does; the checks of this package come on top.
package promlint

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
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
	CheckBucketAggregation    = "bucket-aggregation"
	CheckCounterNoRate        = "counter-without-rate"
	CheckRangeTooShort        = "range-too-short"
	CheckRangePerPoint        = "range-per-point"
	CheckLabelOverride        = "label-override"
	CheckRulefmt              = "rulefmt"
	CheckFile                 = "file"
)

// DefaultScrapeInterval is the scrape interval assumed when Options leave it
// unset: kube-prometheus-stack's default and the stack's.
const DefaultScrapeInterval = 30 * time.Second

// Profile says which checks a file gets.
type Profile int

const (
	// ProfileDefault is the linter's profile (Options.Profile), or
	// ProfileGenOps for the linter itself.
	ProfileDefault Profile = iota
	// ProfileGenOps is for the stack's own files: every check, against the
	// stack's catalog (a metric it does not define is an error, its labels
	// are all a series carries), and the house rules.
	ProfileGenOps
	// ProfileGeneric is for anybody's files: the correctness checks, with
	// what is known of each metric from the catalog, the OTel GenAI
	// semantic conventions, the user's --metrics and naming conventions.
	// An unknown metric is a note.
	ProfileGeneric
)

// Options tune the lint.
type Options struct {
	// ScrapeInterval is the longest scrape interval of the queried jobs: a
	// range shorter than twice it holds at most one sample.
	ScrapeInterval time.Duration
	// ScrapeIntervalGiven says the interval is the user's, not assumed: a
	// range too short for it is then an error, not a warning.
	ScrapeIntervalGiven bool
	// Profile is the profile of files that do not name theirs.
	Profile Profile
	// Metrics are the user's own metrics, for anybody's files.
	Metrics *Metrics
}

// Linter lints PromQL against a catalog and the recording rules it has
// learnt. It is not safe for concurrent use (it checks the rules of a file
// in parallel itself).
type Linter struct {
	cat     *catalog.Catalog
	opts    Options
	parser  parser.Parser
	records map[string]*record
	// bucketBases are the x whose x_bucket the linted files select.
	bucketBases map[string]bool
	// templates are the alert templates known to parse (rulefmt's check);
	// templateRefs the labels each template refers to.
	templates, templateRefs sync.Map
	// catalogShapes are the shapes of the catalog's series, read-only.
	catalogShapes map[string]shape
	// near are the names of Options.Metrics nearest to unknown ones.
	near sync.Map
}

// nearMetric is the name of the user's metrics nearest to name, when one
// is near enough to be a misspelling; "" otherwise. Each name is looked up
// once: a scrape may hold thousands.
func (l *Linter) nearMetric(name string) string {
	if l.opts.Metrics == nil {
		return ""
	}
	if v, ok := l.near.Load(name); ok {
		return v.(string)
	}
	near := closest(name, l.opts.Metrics.names())
	l.near.Store(name, near)
	return near
}

// record is a recording rule: its series become selectable by name.
type record struct {
	expr    string
	ast     parser.Expr // the parsed expression, shared by the rule's lint
	labels  map[string]string
	generic bool
	state   recordState
	shape   shape
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
	if opts.Profile == ProfileDefault {
		opts.Profile = ProfileGenOps
	}
	l := &Linter{cat: cat, opts: opts, parser: parser.NewParser(parser.Options{}), records: map[string]*record{}, bucketBases: map[string]bool{},
		catalogShapes: map[string]shape{}}
	for _, name := range cat.SeriesNames() {
		s, _ := cat.Lookup(name)
		l.catalogShapes[name] = seriesShape(s)
	}
	return l
}

// Learn makes a recording rule's series known to every later lint.
func (l *Linter) Learn(name, expr string, labels map[string]string) {
	l.learnAs(name, expr, labels, false)
}

func (l *Linter) learnAs(name, expr string, labels map[string]string, generic bool) {
	if _, ok := l.records[name]; !ok {
		l.records[name] = &record{expr: expr, labels: labels, generic: generic}
	}
}

// recorded resolves a recording rule's series: the shape of its
// expression's result with its static labels.
func (l *Linter) recorded(name string) (shape, bool) {
	r, ok := l.records[name]
	if !ok {
		return shape{}, false
	}
	switch r.state {
	case resolving: // a cycle of recording rules: rulefmt and Prometheus report it
		return shape{labels: labelSet{}, source: name}, true
	case unresolved:
		r.state = resolving
		r.shape = shape{labels: labelSet{}}
		if expr, err := l.parser.ParseExpr(r.expr); err == nil {
			r.ast = expr
			a := &analysis{l: l, query: r.expr, generic: r.generic}
			r.shape = a.top(expr, true)
			r.shape.labels = union(r.shape.labels, nil)
			for k := range r.labels {
				r.shape.labels[k] = true
			}
		}
		from := "recording rule " + name
		r.shape.source, r.shape.scalar = name, false
		if r.shape.closer != "" || r.shape.labelsFrom == sourceQuery {
			r.shape.closer, r.shape.labelsFrom = "", from
		}
		if r.shape.typeFrom == "" {
			r.shape.typeFrom = from
		}
		r.shape.what = "a recording rule's result"
		r.state = resolved
	}
	return r.shape, true
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

// Expr lints one query as Grafana sends it: template variables
// ($__rate_interval, $var, ${var:regex}, ...) are substituted first.
func (l *Linter) Expr(artifact string, line int, object, expr string) finding.List {
	var fs finding.List
	bucketBases([]byte(expr), l.bucketBases)
	l.query(&fs, l.opts.Profile == ProfileGeneric, artifact, line, object, expr, false)
	return l.collapseNotes(fs)
}

// query lints a Grafana query and returns the shape of its result; ok is
// false when it does not parse. labelsOnly says the result is read for its
// labels only (a variable's label_values() or query_result()), so a raw
// counter there is fine.
func (l *Linter) query(fs *finding.List, generic bool, artifact string, line int, object, expr string, labelsOnly bool) (shape, bool) {
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
	a := &analysis{reporter: reporter{fs: fs, artifact: artifact, line: line, object: object}, l: l, query: q, generic: generic, kind: kindDashboard}
	return a.top(e, labelsOnly), true
}

// ErrUnknownLabels is returned by OutputLabels when the expression selects
// a metric the catalog does not know; the error says which.
var ErrUnknownLabels = errors.New("promlint: the result's labels are unknown")

// OutputLabels returns the names of the labels the result of a PromQL
// expression can carry, sorted: what an alert's notifications and templates
// can use. It fails unless every label is known: the expression selects
// only metrics of the catalog or recording rules.
func (l *Linter) OutputLabels(expr string) ([]string, error) {
	e, err := l.parser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var fs finding.List
	a := &analysis{reporter: reporter{fs: &fs}, l: l, query: expr}
	s := a.top(e, false)
	var why []string
	unknown := false
	for _, f := range fs {
		if f.Severity == finding.Error {
			why = append(why, f.Message)
			unknown = unknown || f.Check == CheckUnknownMetric
		}
	}
	if unknown || !s.closed {
		if len(why) == 0 {
			why = append(why, "the expression selects series whose labels the catalog does not list")
		}
		return nil, fmt.Errorf("%w: %s", ErrUnknownLabels, strings.Join(why, "; "))
	}
	return s.labels.sorted(), nil
}

// durationString writes a duration as PromQL does (1m, 90s).
func durationString(d time.Duration) string { return model.Duration(d).String() }
