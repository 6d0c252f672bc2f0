// Package sampling owns trace sampling: typed tail-sampling policies, the
// probabilistic head sampler, their checks, and their compilation into the
// Collector's tail_sampling and probabilistic_sampler processors.
//
// Tail sampling decides once a trace is complete, so it can keep every error,
// every slow trace and every policy violation. A head sampler decides on the
// first span and cannot know any of that: in front of tail sampling it throws
// those traces away before the policies see them. Check rejects that
// combination; the tail policies' own probabilistic policy samples the rest.
package sampling

import (
	"time"
)

// Spec is what an environment decides about trace sampling. Both parts are
// optional: with neither, every trace is kept.
type Spec struct {
	// Head samples a share of traces on arrival at the gateway, before they
	// are complete: a cheap volume cut for environments without tail sampling.
	Head *Head
	// Tail samples complete traces by policy, in the Collector's sampling tier.
	Tail *Tail
}

// Head is the probabilistic head sampler.
type Head struct {
	// Percentage of traces kept, above 0 and at most 100.
	Percentage float64
}

// Tail configures the tail_sampling processor.
type Tail struct {
	// DecisionWait is how long a trace's spans are collected before deciding.
	DecisionWait time.Duration
	// NumTraces is how many traces are held in memory while waiting.
	NumTraces uint64
	// ExpectedNewTracesPerSec sizes the processor's data structures.
	ExpectedNewTracesPerSec uint64
	// Policies keep a trace when any of them matches.
	Policies []Policy
}

// PolicyType names a tail-sampling policy kind.
type PolicyType string

// The policy kinds genops-stack supports.
const (
	StatusCodeType       PolicyType = "status_code"
	LatencyType          PolicyType = "latency"
	StringAttributeType  PolicyType = "string_attribute"
	NumericAttributeType PolicyType = "numeric_attribute"
	ProbabilisticType    PolicyType = "probabilistic"
	AndType              PolicyType = "and"
)

var policyTypes = []PolicyType{AndType, LatencyType, NumericAttributeType, ProbabilisticType, StatusCodeType, StringAttributeType}

// AttributeType is the value type of a span attribute a numeric policy reads.
// It decides the compiled policy: the Collector's numeric_attribute reads
// integer attributes only, so a double attribute compiles to an OTTL condition.
type AttributeType string

// The numeric attribute types.
const (
	Int    AttributeType = "int"
	Double AttributeType = "double"
)

// Span status codes a status_code policy may match.
const (
	StatusOK    = "OK"
	StatusError = "ERROR"
	StatusUnset = "UNSET"
)

// Policy is one tail-sampling policy: a name, a type, and the rule of that
// type. Build policies with the constructors below.
type Policy struct {
	Name             string
	Type             PolicyType
	StatusCodes      []string
	Latency          *LatencyRule
	StringAttribute  *StringAttributeRule
	NumericAttribute *NumericAttributeRule
	Probabilistic    *ProbabilisticRule
	// And keeps a trace when every sub-policy matches.
	And []Policy
}

// LatencyRule keeps traces lasting at least Threshold.
type LatencyRule struct {
	Threshold time.Duration
}

// StringAttributeRule keeps traces with a span or resource attribute Key
// equal to one of Values.
type StringAttributeRule struct {
	Key    string
	Values []string
}

// NumericAttributeRule keeps traces with a span attribute Key, of value type
// Type, within [Min, Max]; a nil bound is open.
type NumericAttributeRule struct {
	Key      string
	Type     AttributeType
	Min, Max *float64
}

// ProbabilisticRule keeps Percentage of traces, chosen by trace ID.
type ProbabilisticRule struct {
	Percentage float64
}

// StatusCode keeps traces with a span whose status is one of codes.
func StatusCode(name string, codes ...string) Policy {
	return Policy{Name: name, Type: StatusCodeType, StatusCodes: codes}
}

// Latency keeps traces lasting at least threshold.
func Latency(name string, threshold time.Duration) Policy {
	return Policy{Name: name, Type: LatencyType, Latency: &LatencyRule{Threshold: threshold}}
}

// StringAttribute keeps traces whose attribute key is one of values.
func StringAttribute(name, key string, values ...string) Policy {
	return Policy{Name: name, Type: StringAttributeType, StringAttribute: &StringAttributeRule{Key: key, Values: values}}
}

// NumericAttribute keeps traces whose attribute key, of value type typ, lies in r.
func NumericAttribute(name, key string, typ AttributeType, r Range) Policy {
	return Policy{Name: name, Type: NumericAttributeType, NumericAttribute: &NumericAttributeRule{Key: key, Type: typ, Min: r.Min, Max: r.Max}}
}

// Probabilistic keeps percentage of traces.
func Probabilistic(name string, percentage float64) Policy {
	return Policy{Name: name, Type: ProbabilisticType, Probabilistic: &ProbabilisticRule{Percentage: percentage}}
}

// And keeps traces every one of policies keeps.
func And(name string, policies ...Policy) Policy {
	return Policy{Name: name, Type: AndType, And: policies}
}

// Range bounds a numeric attribute; a nil bound is open.
type Range struct {
	Min, Max *float64
}

// AtLeast is the range [min, +inf).
func AtLeast(min float64) Range { return Range{Min: &min} }

// Between is the range [min, max].
func Between(min, max float64) Range { return Range{Min: &min, Max: &max} }

// targeted reports whether a policy keeps traces for what they contain
// (errors, latency, attributes) rather than by chance.
func (p Policy) targeted() bool {
	switch p.Type {
	case ProbabilisticType:
		return false
	case AndType:
		for _, sub := range p.And {
			if sub.targeted() {
				return true
			}
		}
		return false
	}
	return true
}
