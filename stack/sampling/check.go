package sampling

import (
	"fmt"
	"slices"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Check reports sampling settings the Collector would reject or that would
// not do what they say: thresholds and percentages out of range, unknown
// policy or attribute types, empty rules, and a head sampler in front of
// policies that must see every trace.
func Check(artifact string, s Spec) finding.List {
	var fs finding.List
	if h := s.Head; h != nil && !validPercentage(h.Percentage) {
		fs.Errorf(artifact, "head sampler", "sampling-percentage", "sampling percentage %v must be above 0 and at most 100", h.Percentage)
	}
	t := s.Tail
	if t == nil {
		return fs
	}
	const obj = "tail sampling"
	if t.DecisionWait <= 0 {
		fs.Errorf(artifact, obj, "sampling-decision-wait", "decision_wait must be above 0, got %s: it is how long spans of a trace are collected before the policies decide", t.DecisionWait)
	}
	if t.NumTraces == 0 {
		fs.Errorf(artifact, obj, "sampling-num-traces", "num_traces must be above 0: it is how many traces are held while waiting for a decision")
	}
	if len(t.Policies) == 0 {
		fs.Errorf(artifact, obj, "sampling-policy", "has no policies: every trace would be dropped")
	}
	seen := map[string]bool{}
	for _, p := range t.Policies {
		if seen[p.Name] {
			fs.Errorf(artifact, "sampling policy "+p.Name, "sampling-policy", "is defined twice: policy names must be unique")
		}
		seen[p.Name] = true
		checkPolicy(&fs, artifact, p, false)
	}
	if h := s.Head; h != nil && h.Percentage < 100 {
		var targeted []string
		for _, p := range t.Policies {
			if p.targeted() {
				targeted = append(targeted, p.Name)
			}
		}
		if len(targeted) > 0 {
			fs.Errorf(artifact, "head sampler", "head-before-tail", "keeps %v%% of traces before tail sampling sees them, so %s keep only %v%% of the traces they exist to keep; drop the head sampler (a probabilistic tail policy samples the rest) or set it to 100",
				h.Percentage, strings.Join(targeted, ", "), h.Percentage)
		}
	}
	return fs
}

func checkPolicy(fs *finding.List, artifact string, p Policy, inAnd bool) {
	obj := "sampling policy " + p.Name
	if p.Name == "" {
		obj = fmt.Sprintf("sampling policy of type %s", p.Type)
		fs.Errorf(artifact, obj, "sampling-policy", "has no name: the Collector reports decisions per policy name")
	}
	switch p.Type {
	case StatusCodeType:
		if len(p.StatusCodes) == 0 {
			fs.Errorf(artifact, obj, "sampling-policy", "names no status code: give one of %s, %s, %s", StatusOK, StatusError, StatusUnset)
		}
		for _, c := range p.StatusCodes {
			if c != StatusOK && c != StatusError && c != StatusUnset {
				fs.Errorf(artifact, obj, "sampling-policy", "unknown status code %q: want %s, %s or %s", c, StatusOK, StatusError, StatusUnset)
			}
		}
	case LatencyType:
		if p.Latency == nil || p.Latency.Threshold.Milliseconds() <= 0 {
			var got string
			if p.Latency != nil {
				got = p.Latency.Threshold.String()
			}
			fs.Errorf(artifact, obj, "sampling-latency", "latency threshold must be at least 1ms, got %q: a zero threshold keeps every trace", got)
		}
	case StringAttributeType:
		a := p.StringAttribute
		if a == nil || a.Key == "" || len(a.Values) == 0 {
			fs.Errorf(artifact, obj, "sampling-policy", "needs an attribute key and at least one value")
		}
	case NumericAttributeType:
		checkNumeric(fs, artifact, obj, p.NumericAttribute)
	case ProbabilisticType:
		if p.Probabilistic == nil || !validPercentage(p.Probabilistic.Percentage) {
			var got float64
			if p.Probabilistic != nil {
				got = p.Probabilistic.Percentage
			}
			fs.Errorf(artifact, obj, "sampling-percentage", "sampling percentage %v must be above 0 and at most 100", got)
		}
	case AndType:
		if inAnd {
			fs.Errorf(artifact, obj, "sampling-policy", "an and policy cannot contain another and policy")
		}
		if len(p.And) < 2 {
			fs.Errorf(artifact, obj, "sampling-policy", "an and policy needs at least two sub-policies, got %d", len(p.And))
		}
		for _, sub := range p.And {
			checkPolicy(fs, artifact, sub, true)
		}
	default:
		fs.Errorf(artifact, obj, "sampling-policy-type", "unknown policy type %q: want one of %s", p.Type, joinTypes(policyTypes))
	}
}

func checkNumeric(fs *finding.List, artifact, obj string, n *NumericAttributeRule) {
	if n == nil || n.Key == "" {
		fs.Errorf(artifact, obj, "sampling-policy", "needs an attribute key")
		return
	}
	if strings.ContainsAny(n.Key, `"\`) {
		fs.Errorf(artifact, obj, "sampling-policy", "attribute key %q may not contain quotes or backslashes", n.Key)
	}
	switch n.Type {
	case Int, Double:
	default:
		fs.Errorf(artifact, obj, "sampling-attribute-type", "attribute %s has unknown type %q: want %q or %q (the value type the instrumentation sets)", n.Key, n.Type, Int, Double)
		return
	}
	if n.Min == nil && n.Max == nil {
		fs.Errorf(artifact, obj, "sampling-policy", "needs a minimum, a maximum or both")
		return
	}
	if n.Min != nil && n.Max != nil && *n.Min > *n.Max {
		fs.Errorf(artifact, obj, "sampling-policy", "minimum %v is above maximum %v", *n.Min, *n.Max)
	}
	if n.Type == Int {
		for _, b := range []*float64{n.Min, n.Max} {
			switch {
			case b == nil:
			case !isWhole(*b):
				fs.Errorf(artifact, obj, "sampling-policy", "bound %v is not a whole number but attribute %s is an int; declare it %q if it holds fractions", *b, n.Key, Double)
			case *b == 0:
				fs.Errorf(artifact, obj, "sampling-policy", "bound 0 on an int attribute is read as no bound by the Collector's numeric_attribute; omit it or use another value")
			}
		}
	}
}

func validPercentage(p float64) bool { return p > 0 && p <= 100 }

func joinTypes(ts []PolicyType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

// CheckAttributes reports policies that key on span attributes no producer
// sends: not in the telemetry contract, an alias (the gateway normalizes
// aliases before spans reach the sampler), a value the attribute never
// takes, or a numeric policy whose type is not the attribute's.
func CheckAttributes(artifact string, s Spec, c catalog.Contract) finding.List {
	var fs finding.List
	if s.Tail == nil {
		return fs
	}
	var walk func(p Policy)
	walk = func(p Policy) {
		obj := "sampling policy " + p.Name
		switch {
		case p.Type == StringAttributeType && p.StringAttribute != nil:
			a, ok := contractAttribute(&fs, artifact, obj, c, p.StringAttribute.Key)
			if ok && len(a.Values) > 0 {
				for _, v := range p.StringAttribute.Values {
					if !slices.Contains(a.Values, v) {
						fs.Errorf(artifact, obj, "sampling-attribute", "value %q of %s is not one its producer sets (%s): the policy never matches it", v, a.Name, strings.Join(a.Values, ", "))
					}
				}
			}
		case p.Type == NumericAttributeType && p.NumericAttribute != nil:
			n := p.NumericAttribute
			a, ok := contractAttribute(&fs, artifact, obj, c, n.Key)
			// An unknown policy type is Check's finding already.
			known := n.Type == Int || n.Type == Double
			if ok && known && string(a.Type) != string(n.Type) {
				fs.Errorf(artifact, obj, "sampling-attribute-type", "attribute %s is a %s, not %s: the policy would never match", a.Name, a.Type, n.Type)
			}
		case p.Type == AndType:
			for _, sub := range p.And {
				walk(sub)
			}
		}
	}
	for _, p := range s.Tail.Policies {
		walk(p)
	}
	return fs
}

func contractAttribute(fs *finding.List, artifact, obj string, c catalog.Contract, key string) (catalog.Attribute, bool) {
	if a, ok := c.Attribute(key); ok {
		return a, true
	}
	for _, al := range c.Aliases {
		if al.Name == key {
			fs.Errorf(artifact, obj, "sampling-attribute", "keys on %s, an alias of %s: the gateway normalizes aliases before spans reach the sampler, key on %s", key, al.Canonical, al.Canonical)
			return catalog.Attribute{}, false
		}
	}
	fs.Errorf(artifact, obj, "sampling-attribute", "keys on span attribute %s, which the telemetry contract does not define: no producer sends it, so the policy never matches", key)
	return catalog.Attribute{}, false
}
