package sampling

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// TailSamplingProcessor is the Collector's tail_sampling processor
// configuration, as it renders.
type TailSamplingProcessor struct {
	DecisionWait            string         `json:"decision_wait"`
	NumTraces               uint64         `json:"num_traces"`
	ExpectedNewTracesPerSec uint64         `json:"expected_new_traces_per_sec"`
	Policies                []PolicyConfig `json:"policies"`
}

// PolicyConfig is one rendered policy; exactly one rule block is set, the one
// Type names.
type PolicyConfig struct {
	Name             string                  `json:"name"`
	Type             string                  `json:"type"`
	StatusCode       *StatusCodeConfig       `json:"status_code,omitempty"`
	Latency          *LatencyConfig          `json:"latency,omitempty"`
	StringAttribute  *StringAttributeConfig  `json:"string_attribute,omitempty"`
	NumericAttribute *NumericAttributeConfig `json:"numeric_attribute,omitempty"`
	Probabilistic    *ProbabilisticConfig    `json:"probabilistic,omitempty"`
	OTTLCondition    *OTTLConditionConfig    `json:"ottl_condition,omitempty"`
	And              *AndConfig              `json:"and,omitempty"`
}

// StatusCodeConfig is the status_code rule.
type StatusCodeConfig struct {
	StatusCodes []string `json:"status_codes"`
}

// LatencyConfig is the latency rule.
type LatencyConfig struct {
	ThresholdMs int64 `json:"threshold_ms"`
}

// StringAttributeConfig is the string_attribute rule.
type StringAttributeConfig struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// NumericAttributeConfig is the numeric_attribute rule (integer attributes).
type NumericAttributeConfig struct {
	Key      string `json:"key"`
	MinValue int64  `json:"min_value,omitempty"`
	MaxValue int64  `json:"max_value,omitempty"`
}

// ProbabilisticConfig is the probabilistic rule.
type ProbabilisticConfig struct {
	SamplingPercentage float64 `json:"sampling_percentage"`
}

// OTTLConditionConfig is the ottl_condition rule.
type OTTLConditionConfig struct {
	ErrorMode string   `json:"error_mode"`
	Span      []string `json:"span"`
}

// AndConfig is the and rule.
type AndConfig struct {
	SubPolicies []PolicyConfig `json:"and_sub_policy"`
}

// ProbabilisticSamplerProcessor is the Collector's probabilistic_sampler
// processor configuration: the head sampler.
type ProbabilisticSamplerProcessor struct {
	SamplingPercentage float64 `json:"sampling_percentage"`
}

// Processor compiles the tail policies into the tail_sampling processor.
func (t Tail) Processor() *TailSamplingProcessor {
	p := &TailSamplingProcessor{
		DecisionWait:            t.DecisionWait.String(),
		NumTraces:               t.NumTraces,
		ExpectedNewTracesPerSec: t.ExpectedNewTracesPerSec,
	}
	for _, pol := range t.Policies {
		p.Policies = append(p.Policies, pol.config())
	}
	return p
}

// Processor compiles the head sampler into the probabilistic_sampler processor.
func (h Head) Processor() *ProbabilisticSamplerProcessor {
	return &ProbabilisticSamplerProcessor{SamplingPercentage: h.Percentage}
}

// config compiles one policy. A policy Check rejects (unknown type, missing
// rule) compiles to its name and type only; Check reports it before anything
// is written.
func (p Policy) config() PolicyConfig {
	c := PolicyConfig{Name: p.Name, Type: string(p.Type)}
	switch {
	case p.Type == StatusCodeType:
		c.StatusCode = &StatusCodeConfig{StatusCodes: p.StatusCodes}
	case p.Type == LatencyType && p.Latency != nil:
		c.Latency = &LatencyConfig{ThresholdMs: p.Latency.Threshold.Milliseconds()}
	case p.Type == StringAttributeType && p.StringAttribute != nil:
		c.StringAttribute = &StringAttributeConfig{Key: p.StringAttribute.Key, Values: p.StringAttribute.Values}
	case p.Type == NumericAttributeType && p.NumericAttribute != nil && p.NumericAttribute.Type == Double:
		c.Type = "ottl_condition"
		c.OTTLCondition = &OTTLConditionConfig{ErrorMode: "ignore", Span: []string{p.NumericAttribute.ottl()}}
	case p.Type == NumericAttributeType && p.NumericAttribute != nil:
		n := p.NumericAttribute
		c.NumericAttribute = &NumericAttributeConfig{Key: n.Key}
		if n.Min != nil {
			c.NumericAttribute.MinValue = int64(*n.Min)
		}
		if n.Max != nil {
			c.NumericAttribute.MaxValue = int64(*n.Max)
		}
	case p.Type == ProbabilisticType && p.Probabilistic != nil:
		c.Probabilistic = &ProbabilisticConfig{SamplingPercentage: p.Probabilistic.Percentage}
	case p.Type == AndType:
		c.And = &AndConfig{}
		for _, sub := range p.And {
			c.And.SubPolicies = append(c.And.SubPolicies, sub.config())
		}
	}
	return c
}

// ottl is the span condition for a double attribute range, e.g.
// attributes["genops.cost_usd"] >= 1.0.
func (n NumericAttributeRule) ottl() string {
	attr := fmt.Sprintf("attributes[%q]", n.Key)
	var conds []string
	if n.Min != nil {
		conds = append(conds, attr+" >= "+floatLiteral(*n.Min))
	}
	if n.Max != nil {
		conds = append(conds, attr+" <= "+floatLiteral(*n.Max))
	}
	return strings.Join(conds, " and ")
}

// floatLiteral renders v as an OTTL float literal: always with a decimal
// point, never in exponent form.
func floatLiteral(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func isWhole(v float64) bool { return v == math.Trunc(v) && math.Abs(v) < 1<<62 }
