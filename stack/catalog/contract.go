package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// The telemetry contract: what the workloads really send, and where every
// metric of the catalog comes from. GenOps AI sends spans only, with genops.*
// attributes (GENOPS_TELEMETRY.md); the gateway Collector derives the genops_*
// metrics from them. Every other metric is scraped from a named exporter or
// is a standard OpenTelemetry GenAI metric that other instrumentations push.

// ValueType is the type of a span attribute's value.
type ValueType string

// The attribute value types.
const (
	String ValueType = "string"
	Int    ValueType = "int"
	Double ValueType = "double"
	Bool   ValueType = "bool"
)

// Attribute is a span attribute the stack accepts.
type Attribute struct {
	Name string
	Type ValueType
	// SetBy says which producer call sets it (GenOps AI's trace_operation,
	// record_cost, ..., or the seed's example application).
	SetBy string
	// Bounded attributes take few distinct values (teams, providers,
	// models, policy names) and may become metric labels. Ids, free text,
	// customer ids and request parameters are unbounded: they stay on spans.
	Bounded bool
	// Values are the values the producer sets, when it sets a fixed set.
	Values []string
	// Fallback is an attribute of the same meaning read when this one is
	// unset (record_cost's genops.cost.provider for genops.provider).
	Fallback string
	// OnResource attributes may come as resource attributes instead (the
	// seed's example application sets its team on the SDK's Resource); the
	// gateway copies them onto spans that lack them.
	OnResource bool
}

// Alias is another producer's name for a canonical attribute. The gateway
// normalizes it before anything reads the span: where the canonical
// attribute is unset, it is set from the alias.
type Alias struct {
	Name      string
	Canonical string
	SetBy     string
	// When is the alias' value that stands for Value of the canonical
	// attribute (genops.policy_violation "true" is a policy result of
	// "violation"); empty when the value is copied as it is.
	When, Value string
	// Also sets other canonical attributes to fixed values with it
	// (genops.cost_usd is a cost in USD).
	Also map[string]string
}

// SourceKind says how a metric reaches Prometheus.
type SourceKind string

// The source kinds.
const (
	// FromSpans metrics are derived in the gateway Collector from span
	// attributes (the signal_to_metrics connector), before any sampling.
	FromSpans SourceKind = "spans"
	// Scraped metrics are served by a named exporter that Prometheus or a
	// Collector scrapes.
	Scraped SourceKind = "scraped"
	// GenAI metrics are the OpenTelemetry GenAI semantic-convention metrics
	// that other instrumentations (OpenLIT, OpenLLMetry, the OTel GenAI
	// instrumentations) push by OTLP to the gateway.
	GenAI SourceKind = "genai"
)

// Source is where a metric comes from. A metric without one is declared
// but nothing sends it: a query over it is an error.
type Source struct {
	Kind SourceKind
	// Exporter names what serves a scraped metric (kube-state-metrics,
	// cAdvisor, ...), or the instrumentations that push a GenAI metric.
	Exporter string
	// Derivation is how the gateway derives a FromSpans metric.
	Derivation *Derivation
}

// String describes the source in a few words, for the generated README.
func (s *Source) String() string {
	if s == nil {
		return "none"
	}
	switch s.Kind {
	case FromSpans:
		return "derived from spans: " + s.Derivation.String()
	case Scraped:
		return "scraped from " + s.Exporter
	case GenAI:
		return "OTel GenAI semantic conventions, pushed by " + s.Exporter
	}
	return string(s.Kind)
}

// Value is what a span contributes to a derived metric.
type Value struct {
	// Count adds one per matching span.
	Count bool
	// Duration records the span's duration in seconds.
	Duration bool
	// Attribute records (gauge, histogram) or adds (counter) the value of
	// this span attribute.
	Attribute string
}

func (v Value) String() string {
	switch {
	case v.Count:
		return "1 per span"
	case v.Duration:
		return "span duration"
	}
	return v.Attribute
}

// ConditionKind is a test on span attributes.
type ConditionKind string

// The condition kinds.
const (
	// AnySet holds when any of the attributes is set.
	AnySet ConditionKind = "any set"
	// SetAndNot holds when the attribute is set to a value other than Value.
	SetAndNot ConditionKind = "set and not"
	// UnsetOr holds when the attribute is unset or equals Value.
	UnsetOr ConditionKind = "unset or"
)

// Condition selects the spans a derived metric reads. A derivation's
// conditions must all hold.
type Condition struct {
	Kind       ConditionKind
	Attributes []string
	Value      string
}

func (c Condition) String() string {
	switch c.Kind {
	case AnySet:
		return strings.Join(c.Attributes, " or ") + " set"
	case SetAndNot:
		return fmt.Sprintf("%s set and not %q", c.Attributes[0], c.Value)
	case UnsetOr:
		return fmt.Sprintf("%s unset or %q", c.Attributes[0], c.Value)
	}
	return string(c.Kind)
}

// SpanStatus is the Label.Attribute of a label holding the span's status:
// "error" when the status is ERROR, "ok" otherwise.
const SpanStatus = "(span status)"

// Label is one label of a derived metric and the span attribute it comes
// from. A label whose attribute is unset on a span is absent from the
// series (Fixed and SpanStatus labels are always present).
type Label struct {
	Name      string
	Attribute string
	// Fixed is a constant value, for a metric with several parts.
	Fixed string
}

// Part is one way spans feed a derived metric; most metrics have one. A
// metric fed by several attributes of the same span (input and output
// tokens) has a part per attribute, told apart by a Fixed label.
type Part struct {
	Value Value
	// Fixed are labels with a constant value for this part.
	Fixed []Label
}

// Derivation is how the gateway derives a metric from spans.
type Derivation struct {
	// Instrument is the OpenTelemetry metric the connector emits and Unit
	// its unit; the Collector's prometheus exporter turns them into the
	// catalog's name (tested with the real exporter).
	Instrument, Unit string
	Parts            []Part
	When             []Condition
	// Labels come from span attributes (or the span status).
	Labels []Label
	// Buckets are a histogram's bucket boundaries, in the metric's unit.
	Buckets []float64
}

func (d *Derivation) String() string {
	var parts []string
	for _, p := range d.Parts {
		s := p.Value.String()
		for _, f := range p.Fixed {
			s += fmt.Sprintf(" (%s=%q)", f.Name, f.Fixed)
		}
		parts = append(parts, s)
	}
	out := strings.Join(parts, ", ")
	var when []string
	for _, c := range d.When {
		when = append(when, c.String())
	}
	if len(when) > 0 {
		out += ", when " + strings.Join(when, " and ")
	}
	return out
}

// Attributes returns every span attribute the derivation reads, sorted.
func (d *Derivation) Attributes() []string {
	var out []string
	for _, p := range d.Parts {
		if p.Value.Attribute != "" {
			out = append(out, p.Value.Attribute)
		}
	}
	for _, c := range d.When {
		out = append(out, c.Attributes...)
	}
	for _, l := range d.Labels {
		if l.Attribute != "" && l.Attribute != SpanStatus {
			out = append(out, l.Attribute)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Contract is the span attributes the stack accepts and their aliases.
type Contract struct {
	Attributes []Attribute
	Aliases    []Alias
}

// Attribute returns the canonical attribute called name.
func (c Contract) Attribute(name string) (Attribute, bool) {
	for _, a := range c.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Check reports what makes the contract unusable: duplicate names, an alias
// that is also a canonical name or points at no canonical attribute, a
// fallback that is not an attribute.
func (c Contract) Check() []string {
	var errs []string
	seen := map[string]bool{}
	for _, a := range c.Attributes {
		if seen[a.Name] {
			errs = append(errs, fmt.Sprintf("span attribute %s is defined twice", a.Name))
		}
		seen[a.Name] = true
		switch a.Type {
		case String, Int, Double, Bool:
		default:
			errs = append(errs, fmt.Sprintf("span attribute %s: type %q is not string, int, double or bool", a.Name, a.Type))
		}
	}
	for _, a := range c.Attributes {
		if a.Fallback != "" && !seen[a.Fallback] {
			errs = append(errs, fmt.Sprintf("span attribute %s: fallback %s is not a span attribute of the contract", a.Name, a.Fallback))
		}
	}
	aliases := map[string]bool{}
	for _, al := range c.Aliases {
		switch {
		case seen[al.Name]:
			errs = append(errs, fmt.Sprintf("alias %s of %s collides with the canonical attribute %s: a producer setting it could not be told apart", al.Name, al.Canonical, al.Name))
		case aliases[al.Name]:
			errs = append(errs, fmt.Sprintf("alias %s is defined twice", al.Name))
		}
		aliases[al.Name] = true
		if !seen[al.Canonical] {
			errs = append(errs, fmt.Sprintf("alias %s: canonical attribute %s is not in the contract", al.Name, al.Canonical))
		}
		for k := range al.Also {
			if !seen[k] {
				errs = append(errs, fmt.Sprintf("alias %s: also sets %s, which is not in the contract", al.Name, k))
			}
		}
	}
	return errs
}

// checkSource reports what is wrong with a metric's source against the
// contract: an attribute the contract does not define, an unbounded
// attribute as a label, labels that do not match the metric's.
func (c Contract) checkSource(m Metric) []string {
	s := m.Source
	if s == nil {
		return nil // a query over it is an error (the lint reports it)
	}
	var errs []string
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Sprintf("metric %s: ", m.Name)+fmt.Sprintf(format, args...))
	}
	switch s.Kind {
	case Scraped, GenAI:
		if s.Exporter == "" {
			bad("source %s names no exporter", s.Kind)
		}
		return errs
	case FromSpans:
	default:
		bad("source kind %q is not spans, scraped or genai", s.Kind)
		return errs
	}
	d := s.Derivation
	if d == nil {
		bad("is derived from spans but has no derivation")
		return errs
	}
	if d.Instrument == "" {
		bad("derivation names no instrument")
	}
	if len(d.Parts) == 0 {
		bad("derivation has no part")
	}
	for _, name := range d.Attributes() {
		if _, ok := c.Attribute(name); !ok {
			bad("derived from span attribute %s, which the telemetry contract does not define (no producer sends it)", name)
		}
	}
	labels := map[string]bool{}
	for _, l := range d.Labels {
		labels[l.Name] = true
		if a, ok := c.Attribute(l.Attribute); ok && !a.Bounded {
			bad("label %s comes from span attribute %s, which is unbounded: one series per value; keep it on spans", l.Name, l.Attribute)
		}
	}
	for i, p := range d.Parts {
		for _, f := range p.Fixed {
			labels[f.Name] = true
			if f.Fixed == "" {
				bad("part %d: fixed label %s has no value", i+1, f.Name)
			}
		}
		if p.Value.Attribute != "" {
			if a, ok := c.Attribute(p.Value.Attribute); ok && a.Type != Int && a.Type != Double {
				bad("value attribute %s is a %s, not a number", a.Name, a.Type)
			}
		}
	}
	for _, l := range m.Labels {
		if !labels[l] {
			bad("label %s is not derived from any span attribute", l)
		}
	}
	for l := range labels {
		if !slices.Contains(m.Labels, l) {
			bad("derivation sets label %s, which the metric does not declare", l)
		}
	}
	if m.Type == Histogram && len(d.Buckets) == 0 {
		bad("histogram derivation has no buckets")
	}
	if m.Type == Summary {
		bad("a summary cannot be derived from spans")
	}
	return errs
}
