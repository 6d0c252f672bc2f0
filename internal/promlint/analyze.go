package promlint

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// shape is what the analysis knows about the result of an expression: the
// labels its series can carry and whether they are counters, gauges or
// histogram buckets, each with where the knowledge comes from.
type shape struct {
	// labels are the label names the lint knows the result can carry; when
	// closed they are all of them (the catalog says so, or an aggregation
	// kept only these), otherwise the series may carry others.
	labels labelSet
	closed bool
	// absent are labels the result lacks for sure though it is not closed
	// (without, ignoring), absentBy says which clause dropped them.
	absent   labelSet
	absentBy string
	// closer is the clause of the query that closed the labels ("sum by
	// (team)"); empty when the metric's source did.
	closer string
	// labelsFrom names the source of the label knowledge.
	labelsFrom string

	// typ is Counter or Gauge for vectors; empty for scalars and unknowns.
	typ catalog.Type
	// bucket: the series are a histogram's buckets (rated and aggregated or
	// not); lePinned: one bucket bound only (an le="..." matcher).
	bucket, lePinned bool
	strength         strength
	typeFrom         string
	// what the series are, for messages ("a counter", "the _count series of
	// histogram x").
	what   string
	scalar bool
	// source names the metric the series come from, for messages.
	source string
	// raw are the counters used without rate() or increase() so far: the
	// consumer that aggregates them, or the end of the query, reports them.
	raw []rawUse
}

// rawUse is a counter selected and not yet rated.
type rawUse struct {
	name, what, from string
	strength         strength
	bucket           bool
}

// has reports whether the result may carry label l; lacks whether it
// certainly does not.
func (s shape) has(l string) bool { return s.labels[l] || (!s.closed && !s.absent[l]) }
func (s shape) lacks(l string) bool {
	return !s.labels[l] && (s.closed || s.absent[l])
}

// lackSource is the source of the knowledge that the result lacks l.
func (s shape) lackSource(l string) string {
	if !s.closed && s.absent[l] {
		return sourceQuery
	}
	return s.labelsFrom
}

// reason says, for a message, why the result lacks a label: "it has: a,
// b", "sum by (a) keeps only: a", "sum without (b) drops it".
func (s shape) reason() string {
	switch {
	case !s.closed:
		return s.absentBy + " drops it"
	case s.closer == "":
		return s.labels.describe()
	case len(s.labels) == 0:
		return s.closer + " keeps no labels"
	}
	return s.closer + " keeps only: " + strings.Join(s.labels.sorted(), ", ")
}

// lacksLabel is a message's "x has no label l (it has: ...)".
func (s shape) lacksLabel(l string) string {
	if s.closer == "" && s.closed {
		return fmt.Sprintf("%s has no label %s (%s)", s.source, l, s.labels.describe())
	}
	return fmt.Sprintf("the result has no label %s (%s)", l, s.reason())
}

type labelSet map[string]bool

func setOf(names ...string) labelSet {
	s := make(labelSet, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}

func (s labelSet) sorted() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// describe lists the labels for a message: "it has: a, b" or "it has no labels".
func (s labelSet) describe() string {
	if len(s) == 0 {
		return "it has no labels"
	}
	return "it has: " + strings.Join(s.sorted(), ", ")
}

// Rate-like functions need a counter; gauge functions need a gauge.
var (
	counterFuncs = map[string]bool{"rate": true, "irate": true, "increase": true, "resets": true}
	gaugeFuncs   = map[string]bool{"delta": true, "idelta": true, "deriv": true, "predict_linear": true, "double_exponential_smoothing": true}
	// rawCounterOK are the functions and aggregations that use a counter's
	// samples without caring about its value.
	rawCounterOK = map[string]bool{"absent": true, "absent_over_time": true, "present_over_time": true, "count_over_time": true,
		"timestamp": true, "changes": true, "count": true, "group": true, "count_values": true}
	// passThrough functions and aggregations return their input's series
	// unchanged in kind: their consumer decides.
	passThrough = map[string]bool{"sort": true, "sort_desc": true, "sort_by_label": true, "sort_by_label_desc": true,
		"label_replace": true, "label_join": true, "topk": true, "bottomk": true, "limitk": true, "limit_ratio": true}
	// keepKind aggregations keep a counter a counter and buckets buckets.
	keepKind = map[string]bool{"sum": true, "min": true, "max": true, "avg": true, "topk": true, "bottomk": true, "limitk": true, "limit_ratio": true}
)

// reporter adds findings about one object at one place; with a nil list it
// reports nothing (resolving a recording rule, computing output labels).
type reporter struct {
	fs       *finding.List
	artifact string
	line     int
	object   string
}

func (r reporter) report(sev finding.Severity, check, source, format string, args ...any) {
	if r.fs != nil {
		r.fs.Add(finding.Finding{Artifact: r.artifact, Line: r.line, Severity: sev, Check: check, Object: r.object,
			Message: fmt.Sprintf(format, args...), Source: source})
	}
}

func (r reporter) errorf(check, format string, args ...any) {
	r.report(finding.Error, check, "", format, args...)
}

// severity is the severity of a finding resting on knowledge of this
// strength: a weak naming convention gives warnings.
func severity(s strength) finding.Severity {
	if s >= strong {
		return finding.Error
	}
	return finding.Warning
}

// fileKind is what the query is part of: the advice of some findings
// depends on it.
type fileKind int

const (
	kindRule fileKind = iota
	kindDashboard
	kindRunbook
)

// analysis walks one expression and reports what it finds.
type analysis struct {
	reporter
	l       *Linter
	query   string // the text parsed, to quote it
	generic bool   // anybody's file: correctness checks, the catalog's labels are not all
	kind    fileKind
	// reported are the metrics already reported: once per check and
	// metric per query.
	reported map[string]bool
}

// text is the source text of n, as written.
func (a *analysis) text(n parser.Node) string {
	r := n.PositionRange()
	if r.Start < 0 || int(r.End) > len(a.query) || r.Start >= r.End {
		return n.String()
	}
	return a.query[r.Start:r.End]
}

// once reports whether key is reported for the first time in this query.
func (a *analysis) once(key string) bool {
	if a.reported[key] {
		return false
	}
	if a.reported == nil {
		a.reported = map[string]bool{}
	}
	a.reported[key] = true
	return true
}

// top analyses a whole query: what is left of its counters used raw is
// reported at the end (a result of raw counters), unless the result is
// read for its labels only.
func (a *analysis) top(e parser.Expr, labelsOnly bool) shape {
	s := a.eval(e, false)
	if !labelsOnly {
		for _, r := range s.raw {
			a.rawCounter(r, "")
		}
	}
	s.raw = nil
	return s
}

// eval returns the shape of n. q is true when n feeds histogram_quantile(),
// which reports the le label its aggregations drop.
func (a *analysis) eval(n parser.Node, q bool) shape {
	switch e := n.(type) {
	case *parser.NumberLiteral, *parser.StringLiteral:
		return shape{labels: labelSet{}, closed: true, scalar: true}
	case *parser.ParenExpr:
		return a.eval(e.Expr, q)
	case *parser.UnaryExpr:
		s := a.eval(e.Expr, false)
		if s.typ == catalog.Counter {
			s.typ, s.what = catalog.Gauge, a.text(e)
		}
		return s
	case *parser.StepInvariantExpr:
		return a.eval(e.Expr, q)
	case *parser.VectorSelector:
		return a.selector(e)
	case *parser.MatrixSelector:
		s := a.eval(e.VectorSelector, q)
		a.checkRange(e)
		return s
	case *parser.SubqueryExpr:
		return a.eval(e.Expr, q)
	case *parser.Call:
		return a.call(e, q)
	case *parser.AggregateExpr:
		return a.aggregate(e, q)
	case *parser.BinaryExpr:
		return a.binary(e)
	}
	return shape{labels: labelSet{}}
}

func selectorName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	return equalityMatch(vs, labels.MetricName)
}

// equalityMatch is the value the selector requires of a label, or "".
func equalityMatch(vs *parser.VectorSelector, label string) string {
	for _, m := range vs.LabelMatchers {
		if m.Name == label && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// lePinned says whether vs selects one bucket bound: le="10", or a regular
// expression whose alternatives are spellings of one number (le=~"10|10\\.0",
// for exporters that write the bound either way).
func lePinned(vs *parser.VectorSelector) bool {
	if equalityMatch(vs, "le") != "" {
		return true
	}
	for _, m := range vs.LabelMatchers {
		if m.Name != "le" || m.Type != labels.MatchRegexp {
			continue
		}
		set := m.SetMatches()
		if len(set) == 0 {
			return false
		}
		first, err := strconv.ParseFloat(set[0], 64)
		if err != nil {
			return false
		}
		for _, v := range set[1:] {
			if f, err := strconv.ParseFloat(v, 64); err != nil || f != first {
				return false
			}
		}
		return true
	}
	return false
}

func (a *analysis) selector(vs *parser.VectorSelector) shape {
	name := selectorName(vs)
	if name == "" {
		return shape{labels: labelSet{}} // a regular expression over names: nothing to check
	}
	s := a.series(name, vs)
	for _, m := range vs.LabelMatchers {
		if m.Name != labels.MetricName && s.lacks(m.Name) {
			a.report(finding.Error, CheckUnknownLabel, s.lackSource(m.Name), "matcher %s: %s", m, s.lacksLabel(m.Name))
		}
	}
	s.lePinned = lePinned(vs)
	if s.typ == catalog.Counter {
		s.raw = []rawUse{{name: name, what: s.what, from: s.typeFrom, strength: s.strength, bucket: s.bucket}}
	}
	return s
}

// series is the shape of the series called name: from the catalog, a
// recording rule, or (for anybody's files) the user's metrics, the OTel
// GenAI semantic conventions and naming conventions.
func (a *analysis) series(name string, vs *parser.VectorSelector) shape {
	if s, ok := a.l.catalogShapes[name]; ok {
		cs, _ := a.l.cat.Lookup(name)
		if a.generic {
			s.closed = false // other deployments add other labels
			return s
		}
		if m := cs.Metric; m.Source == nil && a.once("no-source:"+m.Name) {
			a.report(finding.Error, CheckNoSource, sourceCatalog, "%s", noSource(m))
		}
		if job := equalityMatch(vs, "job"); job != "" {
			if via, ok := a.l.cat.Via(cs, job); ok {
				s.labels = setOf(via.Labels...) // only the labels this job's path adds
			} else {
				a.report(finding.Error, CheckUnknownJob, sourceCatalog, "job %q does not deliver %s (it comes from: %s)", job, name, strings.Join(cs.Metric.Jobs, ", "))
			}
		}
		return s
	}
	if s, ok := a.l.recorded(name); ok {
		return s
	}
	if !a.generic {
		if a.once("unknown:" + name) {
			a.report(finding.Error, CheckUnknownMetric, sourceCatalog, "%s", a.l.unknownMetric(name))
		}
		return shape{labels: labelSet{}, source: name}
	}
	if m, ok := a.l.cat.Metric(name); ok {
		// A histogram or summary by its family name: a native
		// histogram elsewhere, perhaps.
		return shape{labels: setOf(m.Labels...), source: name}
	}
	k := a.l.lookupGeneric(name)
	switch {
	case k.noSeries != "":
		if a.once("unknown:" + name) {
			a.report(finding.Error, CheckUnknownMetric, k.typeFrom, "%s", k.noSeries)
		}
		return shape{labels: labelSet{}} // selects nothing: said once
	case !k.known:
		if near := a.l.nearMetric(name); near != "" {
			if a.once("unknown:" + name) {
				files := strings.Join(a.l.opts.Metrics.Files(), ", ")
				a.report(finding.Warning, CheckUnknownMetric, files, "unknown metric %s: it is not among the metrics of %s (did you mean %s?)", name, files, near)
			}
			return shape{labels: labelSet{}} // a misspelling, said once
		}
		if a.once("unknown:" + name) {
			a.report(finding.Note, CheckUnknownMetric, "", "%s", name)
		}
	}
	return shape{labels: k.labels, closed: k.closed, labelsFrom: k.labelsFrom, typ: k.typ, bucket: k.bucket,
		strength: k.strength, typeFrom: k.typeFrom, what: k.what, source: name}
}

// seriesShape is a catalog series' shape: its labels are all of them.
func seriesShape(s catalog.Series) shape {
	what := "a " + string(s.Type)
	if s.Name != s.Metric.Name {
		what = fmt.Sprintf("the %s series of %s %s", strings.TrimPrefix(s.Name, s.Metric.Name), s.Metric.Type, s.Metric.Name)
	} else if s.Metric.Type == catalog.Summary {
		what = "a summary's quantiles"
	}
	return shape{labels: setOf(s.Labels...), closed: true, labelsFrom: sourceCatalog, typ: s.Type, bucket: s.Bucket,
		strength: exact, typeFrom: sourceCatalog, what: what, source: s.Name}
}

// checkRange reports a range too short for two samples at the scrape
// interval: an error when the interval was given, a warning when assumed.
func (a *analysis) checkRange(m *parser.MatrixSelector) {
	shortest := 2 * a.l.opts.ScrapeInterval
	if m.RangeExpr != nil || m.Range >= shortest {
		return
	}
	name := selectorName(m.VectorSelector.(*parser.VectorSelector))
	sev, basis := finding.Warning, "the assumed scrape interval"
	if a.l.opts.ScrapeIntervalGiven {
		sev, basis = finding.Error, "the scrape interval"
	}
	a.report(sev, CheckRangeTooShort, "", "range [%s] over %s is shorter than twice %s (%s): it holds at most one sample, so rate() and friends return nothing; use at least [%s] ($__rate_interval in Grafana)",
		durationString(m.Range), name, basis, durationString(a.l.opts.ScrapeInterval), durationString(shortest))
}

func stringArg(e parser.Expr) string {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	if s, ok := e.(*parser.StringLiteral); ok {
		return s.Val
	}
	return ""
}

func (a *analysis) call(e *parser.Call, q bool) shape {
	name := e.Func.Name
	args := make([]shape, len(e.Args))
	for i, arg := range e.Args {
		args[i] = a.eval(arg, (q && counterFuncs[name]) || (name == "histogram_quantile" && i == 1))
	}
	var in shape
	found := false
	for i, arg := range e.Args {
		if t := arg.Type(); t == parser.ValueTypeVector || t == parser.ValueTypeMatrix {
			in, found = args[i], true
			break
		}
	}
	var raw []rawUse
	for _, s := range args {
		raw = append(raw, s.raw...)
	}
	switch {
	case counterFuncs[name], rawCounterOK[name]:
		raw = nil
	case gaugeFuncs[name]:
		if in.typ == catalog.Counter {
			a.report(finding.Warning, CheckGaugeFuncOverCounter, in.typeFrom, "%s: %s is %s, and %s() ignores counter resets; use rate() or increase()", a.text(e), in.source, in.what, name)
		}
		raw = nil
	}
	if e.Func.ReturnType == parser.ValueTypeScalar || !found {
		out := shape{labels: labelSet{}, closed: true, scalar: e.Func.ReturnType == parser.ValueTypeScalar, raw: raw}
		if name == "vector" {
			out.closer, out.labelsFrom, out.typ, out.strength = "vector()", sourceQuery, catalog.Gauge, exact
		}
		return out
	}
	out := in
	out.typ, out.bucket, out.strength, out.typeFrom, out.what, out.raw = catalog.Gauge, false, exact, "", a.text(e), raw
	switch {
	case counterFuncs[name]:
		a.checkRate(e, name, in, q)
		out.bucket, out.lePinned = in.bucket, in.lePinned
		if in.bucket { // what says they are buckets
			out.typeFrom, out.strength = in.typeFrom, in.strength
		}
		if in.typ == "" {
			out.typ, out.strength = "", unknown // a native histogram, perhaps
		}
	case name == "histogram_quantile":
		return a.histogramQuantile(e, args[1])
	case name == "absent" || name == "absent_over_time":
		out.labels, out.closed, out.closer, out.labelsFrom = absentLabels(e.Args[0]), true, name+"()", sourceQuery
		out.absent = nil
	case name == "label_replace":
		a.relabel(name, &out, in, stringArg(e.Args[1]), stringArg(e.Args[3]))
		out.typ, out.bucket, out.strength, out.typeFrom, out.what = in.typ, in.bucket, in.strength, in.typeFrom, in.what
	case name == "label_join":
		var srcs []string
		for _, s := range e.Args[3:] {
			srcs = append(srcs, stringArg(s))
		}
		a.relabel(name, &out, in, stringArg(e.Args[1]), srcs...)
		out.typ, out.bucket, out.strength, out.typeFrom, out.what = in.typ, in.bucket, in.strength, in.typeFrom, in.what
	case name == "info":
		out.closed = false // adds the labels of info metrics
	case passThrough[name]:
		out.typ, out.bucket, out.strength, out.typeFrom, out.what = in.typ, in.bucket, in.strength, in.typeFrom, in.what
	}
	return out
}

// checkRate reports rate(), irate(), increase() and resets() over what is
// not a counter: a gauge (known, or named like one), or a name without a
// counter's suffix. q says the rate feeds histogram_quantile().
func (a *analysis) checkRate(e *parser.Call, name string, in shape, q bool) {
	switch {
	case in.typ == catalog.Gauge:
		a.report(severity(in.strength), CheckRateNonCounter, in.typeFrom, "%s: %s is %s, and %s() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge",
			a.text(e), in.source, gaugeWhat(in), name)
	case in.typ == "" && a.generic && !q && in.source != "" && !counterSuffix(in.source):
		// (Under histogram_quantile() a name without suffix is a native
		// histogram.)
		if _, ok := e.Args[0].(*parser.MatrixSelector); ok && a.once("suffix:"+in.source) {
			a.report(finding.Warning, CheckRateNonCounter, "naming convention: counters end in _total",
				"%s: %s has no counter suffix (_total, _count, _sum, _bucket): if it is a gauge, %s() reads every decrease as a reset (use delta() or deriv()); if it is a counter, its series is probably %s_total (client libraries add _total)",
				a.text(e), in.source, name, in.source)
		}
	}
}

// gaugeWhat is "a gauge", or what the gauge is when that says more.
func gaugeWhat(s shape) string {
	if s.what == "" || s.what == "a gauge" {
		return "a gauge"
	}
	if strings.HasPrefix(s.what, "a ") || strings.HasPrefix(s.what, "an ") || strings.HasPrefix(s.what, "the ") {
		return s.what + ", a gauge"
	}
	return "a gauge"
}

// rawCounter reports a counter used without rate() or increase(): agg is
// the aggregation that sums it raw, or "" when the result shows it raw.
func (a *analysis) rawCounter(r rawUse, agg string) {
	if !a.once("raw:" + r.name) {
		return
	}
	fix := "rate(" + r.name + "[5m])"
	switch a.kind {
	case kindDashboard:
		fix = "rate(" + r.name + "[$__rate_interval]) for a rate, increase(" + r.name + "[$__range]) for the total over the dashboard's range"
	case kindRunbook:
		fix = "rate(" + r.name + "[5m]) or increase(" + r.name + "[1h])"
	}
	if agg != "" {
		a.report(severity(r.strength), CheckCounterNoRate, r.from, "%s: %s is %s, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: %s",
			agg, r.name, counterWhat(r.what), fix)
		return
	}
	a.report(finding.Warning, CheckCounterNoRate, r.from, "%s is %s used without rate() or increase(): its raw value only grows and drops on every restart; use %s",
		r.name, counterWhat(r.what), fix)
}

// counterWhat is "a counter", or what the counter is when that says more.
func counterWhat(what string) string {
	if what == "" || what == "a counter" {
		return "a counter"
	}
	return what + " (a counter)"
}

func (a *analysis) histogramQuantile(e *parser.Call, in shape) shape {
	for _, r := range in.raw {
		if a.once("raw:" + r.name) {
			a.report(severity(r.strength), CheckCounterNoRate, r.from, "%s: the buckets %s are raw counters: the quantile is of every observation since each process started; use histogram_quantile(%s, sum by (le) (rate(%s[5m])))",
				"histogram_quantile()", r.name, a.text(e.Args[0]), r.name)
		}
	}
	switch {
	case in.typ != "" && !in.bucket:
		a.report(finding.Error, CheckHistogramQuantile, in.typeFrom, "histogram_quantile() over %s, which is not a histogram's _bucket series: it needs the rate of the buckets, e.g. sum by (le) (rate(x_bucket[5m]))", in.source)
	case in.bucket && in.lacks("le"): // a native histogram has no le
		a.report(finding.Error, CheckHistogramQuantile, sourceQuery, "histogram_quantile() over %s without the le label: %s; keep le, e.g. sum by (..., le)", in.source, leDropped(in))
	}
	out := in
	out.labels = labelSet{}
	for l := range in.labels {
		if l != "le" {
			out.labels[l] = true
		}
	}
	if !out.closed {
		out.absent, out.absentBy = union(in.absent, setOf("le")), "histogram_quantile()"
	}
	out.typ, out.bucket, out.strength, out.typeFrom, out.what, out.raw = catalog.Gauge, false, exact, "", "a quantile", nil
	return out
}

// leDropped says which clause dropped le.
func leDropped(s shape) string {
	switch {
	case !s.closed:
		return s.absentBy + " drops it"
	case s.closer != "":
		return s.closer + " drops it"
	}
	return "the aggregation drops it"
}

// absentLabels are the labels absent() gives its one series: those of the
// selector's equality matchers.
func absentLabels(arg parser.Expr) labelSet {
	if m, ok := arg.(*parser.MatrixSelector); ok {
		arg = m.VectorSelector
	}
	out := labelSet{}
	if vs, ok := arg.(*parser.VectorSelector); ok {
		for _, m := range vs.LabelMatchers {
			if m.Type == labels.MatchEqual && m.Name != labels.MetricName {
				out[m.Name] = true
			}
		}
	}
	return out
}

// relabel sets out's labels to in's with dst, after checking that in has
// the source labels.
func (a *analysis) relabel(fn string, out *shape, in shape, dst string, srcs ...string) {
	for _, s := range srcs {
		if s != "" && in.lacks(s) {
			a.report(finding.Error, CheckUnknownLabel, in.lackSource(s), "%s() reads label %s, which %s", fn, s, lacksPhrase(in, s))
		}
	}
	out.labels = union(in.labels, nil)
	if dst != "" {
		out.labels[dst] = true
		if in.absent[dst] {
			out.absent = union(in.absent, nil)
			delete(out.absent, dst)
		}
	}
}

// lacksPhrase is "cost_usd does not have (it has: ...)" for a message.
func lacksPhrase(s shape, l string) string {
	if s.closer == "" && s.closed {
		return fmt.Sprintf("%s does not have (%s)", s.source, s.labels.describe())
	}
	return fmt.Sprintf("the result does not have (%s)", s.reason())
}

func (a *analysis) aggregate(e *parser.AggregateExpr, q bool) shape {
	op := e.Op.String()
	in := a.eval(e.Expr, q)
	if e.Param != nil {
		p := a.eval(e.Param, false)
		in.raw = append(in.raw, p.raw...)
	}
	clause := "by"
	if e.Without {
		clause = "without"
	}
	head := fmt.Sprintf("%s %s (%s)", op, clause, strings.Join(e.Grouping, ", "))
	for _, g := range e.Grouping {
		if in.lacks(g) {
			a.report(finding.Error, CheckUnknownLabel, in.lackSource(g), "%s: %s", head, in.lacksLabel(g))
		}
	}
	if !e.Without && len(e.Grouping) == 0 {
		head = op
	}
	dropsLe := slices.Contains(e.Grouping, "le") == e.Without
	if in.bucket && !in.lePinned && dropsLe && !q && !rawCounterOK[op] && !passThrough[op] {
		a.report(severity(in.strength), CheckBucketAggregation, in.typeFrom, "%s: aggregates the buckets of histogram %s across their bounds (le): each observation counts once per bucket it falls in, so the result is no quantity of the histogram; use histogram_quantile(0.95, sum by (le) (rate(%s[5m]))), or keep le (sum by (le)) for a heatmap",
			a.text(e), strings.TrimSuffix(in.source, "_bucket"), in.source)
		in.raw = slices.DeleteFunc(in.raw, func(r rawUse) bool { return r.bucket })
	}
	switch {
	case rawCounterOK[op]:
		in.raw = nil
	case passThrough[op]:
	default:
		var left []rawUse
		for _, r := range in.raw {
			if q && r.bucket {
				left = append(left, r) // histogram_quantile() says it
				continue
			}
			a.rawCounter(r, a.text(e))
		}
		in.raw = left
	}
	out := shape{typ: catalog.Gauge, strength: exact, what: a.text(e), source: in.source, raw: in.raw}
	if keepKind[op] {
		out.typ, out.bucket, out.lePinned, out.strength, out.typeFrom, out.what = in.typ, in.bucket, in.lePinned, in.strength, in.typeFrom, in.what
	}
	switch {
	case e.Without:
		out.labels, out.closed, out.closer, out.labelsFrom = labelSet{}, in.closed, in.closer, in.labelsFrom
		for l := range in.labels {
			if !slices.Contains(e.Grouping, l) {
				out.labels[l] = true
			}
		}
		if !in.closed {
			out.absent, out.absentBy = union(in.absent, setOf(e.Grouping...)), head
		}
		out.closer = ""
	case passThrough[op]:
		out.labels, out.closed, out.absent, out.absentBy, out.closer, out.labelsFrom = in.labels, in.closed, in.absent, in.absentBy, in.closer, in.labelsFrom
	default:
		// Grouping labels the input lacks were reported above; keeping them
		// avoids a second finding for the same mistake.
		out.labels, out.closed, out.closer, out.labelsFrom = setOf(e.Grouping...), true, head, sourceQuery
	}
	if op == "count_values" {
		out.labels = union(out.labels, setOf(stringArg(e.Param)))
	}
	return out
}

func (a *analysis) binary(e *parser.BinaryExpr) shape {
	lhs, rhs := a.eval(e.LHS, false), a.eval(e.RHS, false)
	raw := append(slices.Clone(lhs.raw), rhs.raw...)
	if e.Op == parser.LAND || e.Op == parser.LUNLESS {
		raw = lhs.raw // the right-hand side is read for its labels
	}
	switch {
	case lhs.scalar && rhs.scalar:
		return shape{labels: labelSet{}, closed: true, scalar: true, raw: raw}
	case rhs.scalar:
		s := a.scaled(lhs, e)
		s.raw = raw
		return s
	case lhs.scalar:
		s := a.scaled(rhs, e)
		s.raw = raw
		return s
	}
	vm := e.VectorMatching
	if vm == nil {
		return shape{labels: labelSet{}, raw: raw}
	}
	a.checkMatching(e.Op, vm, lhs, rhs)
	out := shape{typ: catalog.Gauge, strength: exact, what: a.text(e), source: lhs.source, raw: raw}
	if e.Op.IsComparisonOperator() && !e.ReturnBool || e.Op.IsSetOperator() {
		out.typ, out.bucket, out.lePinned, out.strength, out.typeFrom, out.what = lhs.typ, lhs.bucket, lhs.lePinned, lhs.strength, lhs.typeFrom, lhs.what
	}
	on := fmt.Sprintf("%s on (%s)", e.Op, strings.Join(vm.MatchingLabels, ", "))
	switch {
	case e.Op == parser.LOR:
		out.labels, out.closed = union(lhs.labels, rhs.labels), lhs.closed && rhs.closed
		out.closer, out.labelsFrom = "either side of or", sourceQuery
		if lhs.closer == "" && rhs.closer == "" && lhs.labelsFrom == rhs.labelsFrom {
			out.closer, out.labelsFrom = "", lhs.labelsFrom
		}
		out.absent = intersect(lhs.absentOrMissing(), rhs.absentOrMissing())
		out.absentBy = "or"
	case e.Op.IsSetOperator(): // and, unless: the left-hand side's series
		out.labels, out.closed, out.absent, out.absentBy, out.closer, out.labelsFrom = lhs.labels, lhs.closed, lhs.absent, lhs.absentBy, lhs.closer, lhs.labelsFrom
	case vm.Card == parser.CardOneToOne && vm.On:
		out.labels, out.closed, out.closer, out.labelsFrom = labelSet{}, true, on, sourceQuery
		for _, l := range vm.MatchingLabels {
			if lhs.has(l) {
				out.labels[l] = true
			}
		}
	case vm.Card == parser.CardOneToOne:
		out.labels, out.closed, out.closer, out.labelsFrom = labelSet{}, lhs.closed, lhs.closer, lhs.labelsFrom
		for l := range lhs.labels {
			if !slices.Contains(vm.MatchingLabels, l) {
				out.labels[l] = true
			}
		}
		if !lhs.closed {
			out.absent, out.absentBy = union(lhs.absent, setOf(vm.MatchingLabels...)), fmt.Sprintf("%s ignoring (%s)", e.Op, strings.Join(vm.MatchingLabels, ", "))
		}
	case vm.Card == parser.CardManyToOne:
		out = withIncluded(out, lhs, vm.Include)
	case vm.Card == parser.CardOneToMany:
		out = withIncluded(out, rhs, vm.Include)
		out.source = rhs.source
	}
	return out
}

// named is ", metric," when the labels are the metric's own, for messages
// about a side of a binary operation.
func named(s shape) string {
	if s.closed && s.closer == "" && s.source != "" {
		return ", " + s.source + ","
	}
	return ""
}

// absentOrMissing are the labels s lacks for sure, when it is open.
func (s shape) absentOrMissing() labelSet {
	if s.closed {
		return nil
	}
	return s.absent
}

// scaled is a vector combined with a scalar: same series; arithmetic turns
// a counter into a plain value.
func (a *analysis) scaled(v shape, e *parser.BinaryExpr) shape {
	if !e.Op.IsComparisonOperator() && v.typ == catalog.Counter {
		v.typ, v.bucket, v.strength, v.typeFrom, v.what = catalog.Gauge, false, exact, "", a.text(e)
	}
	return v
}

func union(a, b labelSet) labelSet {
	out := make(labelSet, len(a)+len(b))
	for l := range a {
		out[l] = true
	}
	for l := range b {
		out[l] = true
	}
	return out
}

func intersect(a, b labelSet) labelSet {
	var out labelSet
	for l := range a {
		if b[l] {
			if out == nil {
				out = labelSet{}
			}
			out[l] = true
		}
	}
	return out
}

// withIncluded is the many side's labels with the included ones.
func withIncluded(out, many shape, include []string) shape {
	out.labels, out.closed, out.absent, out.absentBy, out.closer, out.labelsFrom = union(many.labels, setOf(include...)), many.closed, many.absent, many.absentBy, many.closer, many.labelsFrom
	return out
}

func (a *analysis) checkMatching(op parser.ItemType, vm *parser.VectorMatching, lhs, rhs shape) {
	sides := []struct {
		name string
		s    shape
	}{{"left", lhs}, {"right", rhs}}
	if vm.On {
		for _, l := range vm.MatchingLabels {
			for _, side := range sides {
				if side.s.lacks(l) {
					a.report(finding.Error, CheckUnknownLabel, side.s.lackSource(l), "%s on (%s): the %s-hand side%s has no label %s (%s)",
						op, strings.Join(vm.MatchingLabels, ", "), side.name, named(side.s), l, side.s.reason())
				}
			}
		}
	} else {
		for _, l := range vm.MatchingLabels {
			if lhs.lacks(l) && rhs.lacks(l) {
				a.report(finding.Error, CheckUnknownLabel, lhs.lackSource(l), "%s ignoring (%s): neither side has label %s", op, strings.Join(vm.MatchingLabels, ", "), l)
			}
		}
	}
	if len(vm.Include) == 0 {
		return
	}
	one, group := sides[1], "group_left"
	if vm.Card == parser.CardOneToMany {
		one, group = sides[0], "group_right"
	}
	for _, l := range vm.Include {
		if one.s.lacks(l) {
			a.report(finding.Error, CheckUnknownLabel, one.s.lackSource(l), "%s (%s) copies label %s from the %s-hand side%s, which has no label %s (%s)",
				group, strings.Join(vm.Include, ", "), l, one.name, named(one.s), l, one.s.reason())
		}
	}
}
