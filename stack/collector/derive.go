package collector

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// The gateway derives the catalog's genops_* metrics from GenOps AI's spans
// (stack/catalog: the telemetry contract). Every span the gateway receives
// goes through two pipelines: "traces", which exports it (to the sampling
// tier or the trace backend), and "traces/genops-metrics", which sees it
// before any sampling and feeds the signal_to_metrics connector. Both
// normalize the contract's aliases first (transform/normalize); the
// derivation pipeline then keeps only the attributes the metrics read and
// names them as the labels the catalog promises (transform/labels), so no
// unbounded attribute can become a label. The connector emits delta sums;
// deltatocumulative turns them into the cumulative counters the prometheus
// exporter serves.
const (
	NormalizeProcessor  = "transform/normalize"
	LabelsProcessor     = "transform/labels"
	GenAIProcessor      = "transform/genai"
	DerivationBatch     = "batch/derive"
	DerivationConnector = "signal_to_metrics"
	DerivationPipeline  = "traces/genops-metrics"
	DerivedPipeline     = "metrics/genops"
)

// TransformProcessor is the transform processor: OTTL statements per context.
type TransformProcessor struct {
	ErrorMode        string              `json:"error_mode"`
	TraceStatements  []ContextStatements `json:"trace_statements,omitempty"`
	MetricStatements []ContextStatements `json:"metric_statements,omitempty"`
}

// ContextStatements are OTTL statements run in one context (span, datapoint).
type ContextStatements struct {
	Context    string   `json:"context"`
	Statements []string `json:"statements"`
}

// SignalToMetricsConnector is the signal_to_metrics connector: the metrics it
// derives from spans.
type SignalToMetricsConnector struct {
	ErrorMode string       `json:"error_mode"`
	Spans     []MetricInfo `json:"spans"`
}

// MetricInfo is one metric the connector derives.
type MetricInfo struct {
	Name                      string            `json:"name"`
	Description               string            `json:"description"`
	Unit                      string            `json:"unit,omitempty"`
	IncludeResourceAttributes []MetricAttribute `json:"include_resource_attributes,omitempty"`
	Attributes                []MetricAttribute `json:"attributes,omitempty"`
	Conditions                []string          `json:"conditions,omitempty"`
	Sum                       *SumMetric        `json:"sum,omitempty"`
	Gauge                     *GaugeMetric      `json:"gauge,omitempty"`
	Histogram                 *HistogramMetric  `json:"histogram,omitempty"`
}

// MetricAttribute is a span attribute that becomes a data point attribute
// (a label): optional ones are left out where unset, a default_value stands
// in for an unset one.
type MetricAttribute struct {
	Key          string `json:"key"`
	Optional     bool   `json:"optional,omitempty"`
	DefaultValue string `json:"default_value,omitempty"`
}

// SumMetric adds Value per span; monotonic sums are counters.
type SumMetric struct {
	Value     string `json:"value"`
	Monotonic bool   `json:"monotonic"`
}

// GaugeMetric records the last Value.
type GaugeMetric struct {
	Value string `json:"value"`
}

// HistogramMetric records Value in explicit buckets, Count times.
type HistogramMetric struct {
	Buckets []float64 `json:"buckets"`
	Count   string    `json:"count"`
	Value   string    `json:"value"`
}

// adjustedCount counts a span as the number of spans it stands for when the
// workload's SDK sampled by probability (1 otherwise).
const adjustedCount = "Int(AdjustedCount())"

// attr is a span attribute path in OTTL: context-prefixed, as the
// transform processor asks for (the connector's conditions take it too).
func attr(name string) string { return fmt.Sprintf("span.attributes[%q]", name) }

// Normalize compiles the contract's aliases and fallbacks into the span
// statements of transform/normalize: each sets a canonical attribute only
// where it is unset.
func Normalize(c catalog.Contract) *TransformProcessor {
	var st []string
	for _, al := range c.Aliases {
		canon, alias := attr(al.Canonical), attr(al.Name)
		for _, k := range slices.Sorted(maps.Keys(al.Also)) {
			st = append(st, fmt.Sprintf("set(%s, %q) where %s == nil and %s != nil", attr(k), al.Also[k], attr(k), alias))
		}
		if al.When == "" {
			st = append(st, fmt.Sprintf("set(%s, %s) where %s == nil and %s != nil", canon, alias, canon, alias))
			continue
		}
		// The alias' value may come as a string or, from other SDKs, a bool.
		match := fmt.Sprintf("%s == %q", alias, al.When)
		if al.When == "true" || al.When == "false" {
			match = fmt.Sprintf("(%s or %s == %s)", match, alias, al.When)
		}
		st = append(st, fmt.Sprintf("set(%s, %q) where %s == nil and %s", canon, al.Value, canon, match))
	}
	for _, a := range c.Attributes {
		if a.Fallback != "" {
			st = append(st, fmt.Sprintf("set(%s, %s) where %s == nil and %s != nil", attr(a.Name), attr(a.Fallback), attr(a.Name), attr(a.Fallback)))
		}
		if a.OnResource {
			res := fmt.Sprintf("resource.attributes[%q]", a.Name)
			st = append(st, fmt.Sprintf("set(%s, %s) where %s == nil and %s != nil", attr(a.Name), res, attr(a.Name), res))
		}
	}
	return &TransformProcessor{ErrorMode: "ignore", TraceStatements: []ContextStatements{{Context: "span", Statements: st}}}
}

// derivedLabels are the labels of the derived metrics and the attribute
// each comes from, sorted by label name.
func derivedLabels(metrics []catalog.Metric) []catalog.Label {
	byName := map[string]catalog.Label{}
	for _, m := range metrics {
		for _, l := range m.Source.Derivation.Labels {
			byName[l.Name] = l
		}
	}
	var out []catalog.Label
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[n])
	}
	return out
}

// Labels compiles transform/labels: keep only the attributes the derived
// metrics read, then set each label from its attribute. Nothing else a span
// carries (ids, free text, a workload's own "team" or "type") can reach a
// label.
func Labels(metrics []catalog.Metric) *TransformProcessor {
	var read []string
	for _, m := range metrics {
		read = append(read, m.Source.Derivation.Attributes()...)
	}
	slices.Sort(read)
	read = slices.Compact(read)
	quoted := make([]string, len(read))
	for i, r := range read {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	st := []string{fmt.Sprintf("keep_keys(span.attributes, [%s])", strings.Join(quoted, ", "))}
	for _, l := range derivedLabels(metrics) {
		if l.Attribute == catalog.SpanStatus {
			st = append(st,
				fmt.Sprintf("set(%s, \"ok\")", attr(l.Name)),
				fmt.Sprintf("set(%s, \"error\") where span.status.code == STATUS_CODE_ERROR", attr(l.Name)))
			continue
		}
		st = append(st, fmt.Sprintf("set(%s, %s)", attr(l.Name), attr(l.Attribute)))
	}
	return &TransformProcessor{ErrorMode: "ignore", TraceStatements: []ContextStatements{{Context: "span", Statements: st}}}
}

// GenAI compiles transform/genai: the OTel GenAI metrics of older
// instrumentations carry gen_ai.system instead of gen_ai.provider.name.
func GenAI() *TransformProcessor {
	const provider, system = `datapoint.attributes["gen_ai.provider.name"]`, `datapoint.attributes["gen_ai.system"]`
	return &TransformProcessor{ErrorMode: "ignore", MetricStatements: []ContextStatements{{Context: "datapoint", Statements: []string{
		fmt.Sprintf("set(%s, %s) where %s == nil and %s != nil", provider, system, provider, system),
	}}}}
}

// Connectors compiles the derived metrics into signal_to_metrics connectors.
// A connector aggregates each metric name once per batch, so the n-th part
// of every metric goes to the n-th connector (input tokens to the first,
// output tokens to the second).
func Connectors(c catalog.Contract, metrics []catalog.Metric) map[string]SignalToMetricsConnector {
	out := map[string]SignalToMetricsConnector{}
	for _, m := range metrics {
		d := m.Source.Derivation
		for i, p := range d.Parts {
			id := ConnectorID(i)
			conn := out[id]
			conn.ErrorMode = "ignore"
			conn.Spans = append(conn.Spans, metricInfo(c, m, d, p))
			out[id] = conn
		}
	}
	return out
}

// ConnectorID is the ID of the connector holding the parts of index i.
func ConnectorID(i int) string {
	if i == 0 {
		return DerivationConnector
	}
	return fmt.Sprintf("%s/part-%d", DerivationConnector, i+1)
}

func metricInfo(c catalog.Contract, m catalog.Metric, d *catalog.Derivation, p catalog.Part) MetricInfo {
	mi := MetricInfo{
		Name: d.Instrument, Description: m.Help, Unit: d.Unit,
		// Only the sending service: its instance id would make one series
		// per workload pod.
		IncludeResourceAttributes: []MetricAttribute{{Key: "service.name"}},
	}
	for _, l := range d.Labels {
		mi.Attributes = append(mi.Attributes, MetricAttribute{Key: l.Name, Optional: l.Attribute != catalog.SpanStatus})
	}
	for _, f := range p.Fixed {
		mi.Attributes = append(mi.Attributes, MetricAttribute{Key: f.Name, DefaultValue: f.Fixed})
	}
	var conds []string
	if a := p.Value.Attribute; a != "" {
		conds = append(conds, attr(a)+" != nil")
	}
	for _, w := range d.When {
		conds = append(conds, condition(w))
	}
	if len(conds) > 0 {
		mi.Conditions = []string{strings.Join(conds, " and ")}
	}
	value := adjustedCount
	switch {
	case p.Value.Duration:
		value = "Seconds(span.end_time - span.start_time)"
	case p.Value.Attribute != "" && m.Type == catalog.Counter && isInt(c, p.Value.Attribute):
		value = fmt.Sprintf("Int(%s)", attr(p.Value.Attribute))
	case p.Value.Attribute != "":
		value = fmt.Sprintf("Double(%s)", attr(p.Value.Attribute))
	}
	switch m.Type {
	case catalog.Counter:
		mi.Sum = &SumMetric{Value: value, Monotonic: true}
	case catalog.Gauge:
		mi.Gauge = &GaugeMetric{Value: value}
	case catalog.Histogram:
		mi.Histogram = &HistogramMetric{Buckets: d.Buckets, Count: adjustedCount, Value: value}
	}
	return mi
}

func isInt(c catalog.Contract, attribute string) bool {
	a, _ := c.Attribute(attribute)
	return a.Type == catalog.Int
}

func condition(c catalog.Condition) string {
	switch c.Kind {
	case catalog.AnySet:
		var ors []string
		for _, a := range c.Attributes {
			ors = append(ors, attr(a)+" != nil")
		}
		if len(ors) == 1 {
			return ors[0]
		}
		return "(" + strings.Join(ors, " or ") + ")"
	case catalog.SetAndNot:
		a := attr(c.Attributes[0])
		return fmt.Sprintf("%s != nil and %s != %q", a, a, c.Value)
	case catalog.UnsetOr:
		a := attr(c.Attributes[0])
		return fmt.Sprintf("(%s == nil or %s == %q)", a, a, c.Value)
	}
	panic("collector: unknown condition kind " + string(c.Kind))
}

// CheckDerivation reports derived metrics the gateway cannot compile: two
// metrics naming one label after different attributes, a label that
// collides with an attribute the derivation keeps.
func CheckDerivation(artifact string, metrics []catalog.Metric) finding.List {
	var fs finding.List
	from := map[string]string{}
	var read []string
	for _, m := range metrics {
		read = append(read, m.Source.Derivation.Attributes()...)
	}
	for _, m := range metrics {
		for _, l := range m.Source.Derivation.Labels {
			if prev, ok := from[l.Name]; ok && prev != l.Attribute {
				fs.Errorf(artifact, "metric "+m.Name, "derived-label", "label %s comes from %s here and from %s in another derived metric: one label, one attribute", l.Name, l.Attribute, prev)
			}
			from[l.Name] = l.Attribute
			if slices.Contains(read, l.Name) {
				fs.Errorf(artifact, "metric "+m.Name, "derived-label", "label %s has the name of a span attribute the derivation reads: name the label otherwise", l.Name)
			}
		}
	}
	return fs
}
