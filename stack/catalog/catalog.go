// Package catalog is the metric catalog: one typed definition of every
// metric any query of the stack may use (alerts, recording rules, dashboards,
// runbooks), and of the scrape jobs that bring them into Prometheus with the
// labels each job adds. The PromQL lint checks queries against it; other
// generators (the Datadog metric list) derive from it.
package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
)

// Type is a Prometheus metric type.
type Type string

// The metric types.
const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
	Summary   Type = "summary"
)

// Job is one way series reach Prometheus: the value of their job label and
// every label the path adds to each series of the job's targets (the target
// labels of the scrape, relabelled pod labels, remote-write external labels).
type Job struct {
	Name string
	// Via says who scrapes the targets and how the samples reach Prometheus.
	Via string
	// TargetLabels are added to every series of the job, up included.
	TargetLabels []string
	// ExporterLabels are added by the exporter the job scrapes to every
	// series it serves (not to up, which Prometheus writes itself).
	ExporterLabels []string
}

// Metric is one metric family as its exporter defines it.
type Metric struct {
	Name string
	Type Type
	// Unit is the unit of the values, in words ("USD", "seconds", "bytes").
	Unit string
	Help string
	// Labels are the metric's own labels, as the exporter defines them.
	Labels []string
	// Jobs are the scrape jobs that deliver the metric.
	Jobs []string
	// Source is where the metric comes from (contract.go); nil when
	// nothing sends it, which makes every query over it an error.
	Source *Source
	// SeriesBudget is the most series of the metric one environment's
	// Prometheus should hold, every gateway replica's counted (a histogram's
	// or summary's label sets: its _count series). genops-stack doctor
	// reports a metric over it and the labels that drive it. Zero states no
	// budget (metrics of exporters the stack does not define).
	SeriesBudget int
}

// Errors are every problem New found, each naming its object.
type Errors struct {
	Problems []string
}

func (e *Errors) Error() string { return "catalog: " + strings.Join(e.Problems, "; ") }

// Definition is what a catalog is made of: the telemetry contract, the
// scrape jobs and the metrics. Content carries one, so a run checks queries
// against the catalog it is given.
type Definition struct {
	Contract Contract
	Jobs     []Job
	Metrics  []Metric
}

// Build validates the definition into a catalog.
func (d Definition) Build() (*Catalog, error) { return New(d.Contract, d.Jobs, d.Metrics) }

// Catalog is a validated set of jobs and metrics, and the telemetry
// contract the derived metrics are checked against.
type Catalog struct {
	contract Contract
	jobs     map[string]Job
	metrics  map[string]Metric
	series   map[string]Series
	names    []string // every series name, sorted
}

// Series is one series name a query can select: a metric's own name, or one
// of the _bucket, _sum and _count series of a histogram or summary.
type Series struct {
	Name   string
	Metric Metric
	// Type is how the values behave: Counter for counters and for the
	// _bucket, _sum and _count series, Gauge for gauges and a summary's
	// quantiles.
	Type Type
	// Labels are every label the series can carry, sorted: the metric's own,
	// le or quantile, and the labels of every job that delivers it.
	Labels []string
	// Bucket is true for a histogram's _bucket series.
	Bucket bool
}

// New validates the contract, jobs and metrics and returns the catalog:
// names unique and valid, types known, every job a metric names defined, no
// label reserved for histograms and summaries, every derived metric read
// from attributes of the contract with bounded labels only.
func New(contract Contract, jobs []Job, metrics []Metric) (*Catalog, error) {
	c := &Catalog{contract: contract, jobs: map[string]Job{}, metrics: map[string]Metric{}, series: map[string]Series{}}
	errs := contract.Check()
	for _, j := range jobs {
		if _, dup := c.jobs[j.Name]; dup {
			errs = append(errs, fmt.Sprintf("job %s is defined twice", j.Name))
		}
		for _, l := range append(slices.Clone(j.TargetLabels), j.ExporterLabels...) {
			if !model.LegacyValidation.IsValidLabelName(l) {
				errs = append(errs, fmt.Sprintf("job %s: label %q is not a valid label name", j.Name, l))
			}
		}
		c.jobs[j.Name] = j
	}
	for _, m := range metrics {
		errs = append(errs, c.add(m)...)
		errs = append(errs, contract.checkSource(m)...)
	}
	if len(errs) > 0 {
		return nil, &Errors{Problems: errs}
	}
	for n := range c.series {
		c.names = append(c.names, n)
	}
	sort.Strings(c.names)
	return c, nil
}

func (c *Catalog) add(m Metric) []string {
	var errs []string
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Sprintf("metric %s: ", m.Name)+fmt.Sprintf(format, args...))
	}
	if !model.LegacyValidation.IsValidMetricName(m.Name) {
		bad("not a valid metric name")
	}
	if _, dup := c.metrics[m.Name]; dup {
		bad("defined twice")
	}
	if m.Help == "" {
		bad("has no help text")
	}
	if len(m.Jobs) == 0 {
		bad("names no job that delivers it")
	}
	if m.SeriesBudget < 0 {
		bad("series budget %d is negative", m.SeriesBudget)
	}
	for _, j := range m.Jobs {
		if _, ok := c.jobs[j]; !ok {
			bad("job %s is not defined", j)
		}
	}
	for _, l := range m.Labels {
		if !model.LegacyValidation.IsValidLabelName(l) {
			bad("label %q is not a valid label name", l)
		}
		if l == "le" || l == "quantile" {
			bad("label %s is reserved for histogram and summary series", l)
		}
	}
	c.metrics[m.Name] = m
	labels := c.labels(m)
	with := func(extra string) []string {
		ls := append(slices.Clone(labels), extra)
		sort.Strings(ls)
		return ls
	}
	var ss []Series
	switch m.Type {
	case Counter, Gauge:
		ss = []Series{{Name: m.Name, Type: m.Type, Labels: labels}}
	case Histogram:
		ss = []Series{
			{Name: m.Name + "_bucket", Type: Counter, Labels: with("le"), Bucket: true},
			{Name: m.Name + "_sum", Type: Counter, Labels: labels},
			{Name: m.Name + "_count", Type: Counter, Labels: labels},
		}
	case Summary:
		ss = []Series{
			{Name: m.Name, Type: Gauge, Labels: with("quantile")},
			{Name: m.Name + "_sum", Type: Counter, Labels: labels},
			{Name: m.Name + "_count", Type: Counter, Labels: labels},
		}
	default:
		bad("type %q is not counter, gauge, histogram or summary", m.Type)
	}
	for _, s := range ss {
		if other, dup := c.series[s.Name]; dup {
			bad("series %s is also a series of %s", s.Name, other.Metric.Name)
		}
		s.Metric = m
		c.series[s.Name] = s
	}
	return errs
}

// scrapeSeries are written by Prometheus itself for every target: they carry
// the target labels only.
var scrapeSeries = map[string]bool{"up": true}

// labels is every label a metric's series carry, le and quantile aside.
func (c *Catalog) labels(m Metric) []string { return c.labelsVia(m, m.Jobs) }

// labelsVia is every label a metric's series carry when they come from jobs.
func (c *Catalog) labelsVia(m Metric, jobs []string) []string {
	set := map[string]bool{}
	for _, l := range m.Labels {
		set[l] = true
	}
	for _, name := range jobs {
		j := c.jobs[name]
		for _, l := range j.TargetLabels {
			set[l] = true
		}
		if !scrapeSeries[m.Name] {
			for _, l := range j.ExporterLabels {
				set[l] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Metrics returns every metric, sorted by name.
func (c *Catalog) Metrics() []Metric {
	out := make([]Metric, 0, len(c.metrics))
	for _, m := range c.metrics {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Metric returns the metric family called name.
func (c *Catalog) Metric(name string) (Metric, bool) {
	m, ok := c.metrics[name]
	return m, ok
}

// Jobs returns every job, sorted by name.
func (c *Catalog) Jobs() []Job {
	out := make([]Job, 0, len(c.jobs))
	for _, j := range c.jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LabelNames returns every label a metric's series can carry, sorted: its
// own labels and those its jobs add (le and quantile excluded: Lookup the
// _bucket or quantile series for those).
func (c *Catalog) LabelNames(m Metric) []string { return c.labels(m) }

// Lookup resolves a series name: a counter or gauge, a histogram's _bucket,
// _sum or _count, a summary's quantiles (its own name), _sum or _count. A
// histogram's bare name is not a series.
func (c *Catalog) Lookup(name string) (Series, bool) {
	s, ok := c.series[name]
	return s, ok
}

// Via narrows a series to the one job that delivers it: its labels are
// then those that job's path adds, not every job's. ok is false when the
// job does not deliver the series.
func (c *Catalog) Via(s Series, job string) (Series, bool) {
	if !slices.Contains(s.Metric.Jobs, job) {
		return Series{}, false
	}
	labels := c.labelsVia(s.Metric, []string{job})
	if extra := setDiff(s.Labels, c.labels(s.Metric)); len(extra) > 0 { // le or quantile
		labels = append(labels, extra...)
		sort.Strings(labels)
	}
	s.Labels = labels
	return s, true
}

func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Contract returns the telemetry contract.
func (c *Catalog) Contract() Contract { return c.contract }

// Derived returns the metrics derived from spans, sorted by name.
func (c *Catalog) Derived() []Metric {
	var out []Metric
	for _, m := range c.Metrics() {
		if m.Source != nil && m.Source.Kind == FromSpans {
			out = append(out, m)
		}
	}
	return out
}

// SeriesNames returns every series name a query can select, sorted.
func (c *Catalog) SeriesNames() []string { return slices.Clone(c.names) }
