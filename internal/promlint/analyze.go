package promlint

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// shape is what the analysis knows about the result of an expression.
type shape struct {
	// labels are the label names the result's series can carry; nil when
	// unknown (an unknown metric), which silences the checks that need them.
	labels labelSet
	// typ is Counter or Gauge for vectors; empty for scalars and unknowns.
	typ catalog.Type
	// bucket: the series are a histogram's buckets (rated and aggregated or not).
	bucket bool
	scalar bool
	// source names the metric the series come from, for messages.
	source string
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

func (r reporter) report(sev finding.Severity, check, format string, args ...any) {
	if r.fs != nil {
		r.fs.Add(finding.Finding{Artifact: r.artifact, Line: r.line, Severity: sev, Check: check, Object: r.object, Message: fmt.Sprintf(format, args...)})
	}
}

func (r reporter) errorf(check, format string, args ...any) {
	r.report(finding.Error, check, format, args...)
}
func (r reporter) warnf(check, format string, args ...any) {
	r.report(finding.Warning, check, format, args...)
}

// analysis walks one expression and reports what it finds.
type analysis struct {
	reporter
	l     *Linter
	query string // the text parsed, to quote it
	// reported are the unknown and sourceless metrics already reported:
	// once per metric per query.
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

// eval returns the shape of n. counterOK is true when the consumer of n
// uses a counter's samples correctly (rate() and friends, count()).
func (a *analysis) eval(n parser.Node, counterOK bool) shape {
	switch e := n.(type) {
	case *parser.NumberLiteral, *parser.StringLiteral:
		return shape{labels: labelSet{}, scalar: true}
	case *parser.ParenExpr:
		return a.eval(e.Expr, counterOK)
	case *parser.UnaryExpr:
		return a.eval(e.Expr, false)
	case *parser.StepInvariantExpr:
		return a.eval(e.Expr, counterOK)
	case *parser.VectorSelector:
		return a.selector(e, counterOK)
	case *parser.MatrixSelector:
		s := a.eval(e.VectorSelector, counterOK)
		a.checkRange(e)
		return s
	case *parser.SubqueryExpr:
		return a.eval(e.Expr, counterOK)
	case *parser.Call:
		return a.call(e, counterOK)
	case *parser.AggregateExpr:
		return a.aggregate(e, counterOK)
	case *parser.BinaryExpr:
		return a.binary(e)
	}
	return shape{}
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

// once reports whether the metric is reported for the first time in this
// query.
func (a *analysis) once(metric string) bool {
	if a.reported[metric] {
		return false
	}
	if a.reported == nil {
		a.reported = map[string]bool{}
	}
	a.reported[metric] = true
	return true
}

func (a *analysis) selector(vs *parser.VectorSelector, counterOK bool) shape {
	name := selectorName(vs)
	if name == "" {
		return shape{} // a regular expression over names: nothing to check
	}
	s, ok := a.l.series(name)
	if !ok {
		if a.once(name) {
			a.errorf(CheckUnknownMetric, "%s", a.l.unknownMetric(name))
		}
		return shape{}
	}
	if cs, ok := a.l.cat.Lookup(name); ok {
		if m := cs.Metric; m.Source == nil && a.once(m.Name) {
			a.errorf(CheckNoSource, "%s", noSource(m))
		}
		if job := equalityMatch(vs, "job"); job != "" {
			if via, ok := a.l.cat.Via(cs, job); ok {
				s = seriesShape(via) // only the labels this job's path adds
			} else {
				a.errorf(CheckUnknownJob, "job %q does not deliver %s (it comes from: %s)", job, name, strings.Join(cs.Metric.Jobs, ", "))
			}
		}
	}
	for _, m := range vs.LabelMatchers {
		if s.labels != nil && m.Name != labels.MetricName && !s.labels[m.Name] {
			a.errorf(CheckUnknownLabel, "matcher %s: %s has no label %s (%s)", m, name, m.Name, s.labels.describe())
		}
	}
	if s.typ == catalog.Counter && !counterOK {
		a.warnf(CheckCounterNoRate, "%s is a counter used without rate() or increase(): its raw value only grows and drops on every restart; wrap it in rate() or increase()", name)
	}
	return s
}

func (a *analysis) checkRange(m *parser.MatrixSelector) {
	shortest := 2 * a.l.opts.ScrapeInterval
	if m.RangeExpr != nil || m.Range >= shortest {
		return
	}
	name := selectorName(m.VectorSelector.(*parser.VectorSelector))
	a.warnf(CheckRangeTooShort, "range [%s] over %s is shorter than twice the scrape interval (%s): it holds at most one sample, so rate() and friends return nothing; use at least [%s] ($__rate_interval in Grafana)",
		model.Duration(m.Range), name, model.Duration(a.l.opts.ScrapeInterval), model.Duration(shortest))
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

func (a *analysis) call(e *parser.Call, counterOK bool) shape {
	name := e.Func.Name
	// A gauge function over a counter has its own finding.
	argOK := counterFuncs[name] || gaugeFuncs[name] || rawCounterOK[name] || (passThrough[name] && counterOK)
	args := make([]shape, len(e.Args))
	for i, arg := range e.Args {
		args[i] = a.eval(arg, argOK)
	}
	if e.Func.ReturnType == parser.ValueTypeScalar {
		return shape{labels: labelSet{}, scalar: true}
	}
	var in shape
	for i, arg := range e.Args {
		if t := arg.Type(); t == parser.ValueTypeVector || t == parser.ValueTypeMatrix {
			in = args[i]
			break
		}
	}
	out := shape{labels: in.labels, typ: catalog.Gauge, source: in.source}
	switch {
	case counterFuncs[name]:
		if in.typ == catalog.Gauge {
			a.errorf(CheckRateNonCounter, "%s: %s is a gauge, and %s() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge", a.text(e), in.source, name)
		}
		out.bucket = in.bucket
	case gaugeFuncs[name]:
		if in.typ == catalog.Counter {
			a.warnf(CheckGaugeFuncOverCounter, "%s: %s is a counter, and %s() ignores counter resets; use rate() or increase()", a.text(e), in.source, name)
		}
	case name == "histogram_quantile":
		return a.histogramQuantile(args[1])
	case name == "absent" || name == "absent_over_time":
		out.labels = absentLabels(e.Args[0])
	case name == "vector":
		out.labels = labelSet{}
	case name == "label_replace":
		out.labels = a.relabel(name, in, stringArg(e.Args[1]), stringArg(e.Args[3]))
	case name == "label_join":
		var srcs []string
		for _, s := range e.Args[3:] {
			srcs = append(srcs, stringArg(s))
		}
		out.labels = a.relabel(name, in, stringArg(e.Args[1]), srcs...)
	case name == "info":
		out.labels = nil // adds the labels of info metrics, which the catalog does not model
	case passThrough[name]:
		out.typ, out.bucket = in.typ, in.bucket
	}
	return out
}

func (a *analysis) histogramQuantile(in shape) shape {
	if in.labels == nil {
		return shape{typ: catalog.Gauge}
	}
	switch {
	case !in.bucket:
		a.errorf(CheckHistogramQuantile, "histogram_quantile() over %s, which is not a histogram's _bucket series: it needs the rate of the buckets, e.g. sum by (le) (rate(x_bucket[5m]))", in.source)
	case !in.labels["le"]:
		a.errorf(CheckHistogramQuantile, "histogram_quantile() over %s without the le label: the aggregation drops it; keep le, e.g. sum by (..., le)", in.source)
	}
	out := shape{labels: labelSet{}, typ: catalog.Gauge, source: in.source}
	for l := range in.labels {
		if l != "le" {
			out.labels[l] = true
		}
	}
	return out
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

func (a *analysis) relabel(fn string, in shape, dst string, srcs ...string) labelSet {
	if in.labels == nil {
		return nil
	}
	out := labelSet{}
	for l := range in.labels {
		out[l] = true
	}
	for _, s := range srcs {
		if s != "" && !in.labels[s] {
			a.errorf(CheckUnknownLabel, "%s() reads label %s, which %s does not have (%s)", fn, s, in.source, in.labels.describe())
		}
	}
	if dst != "" {
		out[dst] = true
	}
	return out
}

func (a *analysis) aggregate(e *parser.AggregateExpr, counterOK bool) shape {
	op := e.Op.String()
	inOK := rawCounterOK[op] || (passThrough[op] && counterOK)
	in := a.eval(e.Expr, inOK)
	if e.Param != nil {
		a.eval(e.Param, false)
	}
	clause := "by"
	if e.Without {
		clause = "without"
	}
	if in.labels != nil {
		for _, g := range e.Grouping {
			if !in.labels[g] {
				a.errorf(CheckUnknownLabel, "%s %s (%s): %s has no label %s (%s)", op, clause, strings.Join(e.Grouping, ", "), in.source, g, in.labels.describe())
			}
		}
	}
	out := shape{typ: catalog.Gauge, source: in.source}
	if keepKind[op] {
		out.typ, out.bucket = in.typ, in.bucket
	}
	switch {
	case in.labels == nil:
	case e.Without:
		out.labels = labelSet{}
		for l := range in.labels {
			if !slices.Contains(e.Grouping, l) {
				out.labels[l] = true
			}
		}
	case passThrough[op]:
		out.labels = in.labels
	default:
		// Grouping labels the input lacks were reported above; keeping them
		// avoids a second finding for the same mistake.
		out.labels = setOf(e.Grouping...)
	}
	if op == "count_values" && out.labels != nil {
		out.labels[stringArg(e.Param)] = true
	}
	return out
}

func (a *analysis) binary(e *parser.BinaryExpr) shape {
	lhs, rhs := a.eval(e.LHS, false), a.eval(e.RHS, false)
	switch {
	case lhs.scalar && rhs.scalar:
		return shape{labels: labelSet{}, scalar: true}
	case rhs.scalar:
		return scaled(lhs, e.Op)
	case lhs.scalar:
		return scaled(rhs, e.Op)
	}
	vm := e.VectorMatching
	if vm == nil {
		return shape{}
	}
	a.checkMatching(e.Op, vm, lhs, rhs)
	out := shape{typ: catalog.Gauge, source: lhs.source}
	if e.Op.IsComparisonOperator() && !e.ReturnBool || e.Op.IsSetOperator() {
		out.typ, out.bucket = lhs.typ, lhs.bucket
	}
	switch {
	case e.Op == parser.LOR:
		if lhs.labels != nil && rhs.labels != nil {
			out.labels = union(lhs.labels, rhs.labels)
		}
	case e.Op.IsSetOperator(): // and, unless: the left-hand side's series
		out.labels = lhs.labels
	case vm.Card == parser.CardOneToOne:
		out.labels = oneToOne(lhs.labels, vm)
	case vm.Card == parser.CardManyToOne:
		out.labels = withIncluded(lhs.labels, vm.Include)
	case vm.Card == parser.CardOneToMany:
		out.labels, out.source = withIncluded(rhs.labels, vm.Include), rhs.source
	}
	return out
}

// scaled is a vector combined with a scalar: same series; arithmetic turns
// a counter into a plain value.
func scaled(v shape, op parser.ItemType) shape {
	if !op.IsComparisonOperator() && v.typ == catalog.Counter {
		v.typ = catalog.Gauge
	}
	return v
}

func union(a, b labelSet) labelSet {
	out := labelSet{}
	for l := range a {
		out[l] = true
	}
	for l := range b {
		out[l] = true
	}
	return out
}

func oneToOne(lhs labelSet, vm *parser.VectorMatching) labelSet {
	if lhs == nil {
		return nil
	}
	out := labelSet{}
	for l := range lhs {
		if slices.Contains(vm.MatchingLabels, l) == vm.On {
			out[l] = true
		}
	}
	return out
}

func withIncluded(many labelSet, include []string) labelSet {
	if many == nil {
		return nil
	}
	out := union(many, nil)
	for _, l := range include {
		out[l] = true
	}
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
				if side.s.labels != nil && !side.s.labels[l] {
					a.errorf(CheckUnknownLabel, "%s on (%s): the %s-hand side, %s, has no label %s (%s)", op, strings.Join(vm.MatchingLabels, ", "), side.name, side.s.source, l, side.s.labels.describe())
				}
			}
		}
	} else if lhs.labels != nil && rhs.labels != nil {
		for _, l := range vm.MatchingLabels {
			if !lhs.labels[l] && !rhs.labels[l] {
				a.errorf(CheckUnknownLabel, "%s ignoring (%s): neither side has label %s", op, strings.Join(vm.MatchingLabels, ", "), l)
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
		if one.s.labels != nil && !one.s.labels[l] {
			a.errorf(CheckUnknownLabel, "%s (%s) copies label %s from the %s-hand side, %s, which has no label %s (%s)", group, strings.Join(vm.Include, ", "), l, one.name, one.s.source, l, one.s.labels.describe())
		}
	}
}
