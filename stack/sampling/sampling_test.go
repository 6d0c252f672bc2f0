package sampling

import (
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/stack/catalog"
)

func tail(policies ...Policy) *Tail {
	return &Tail{DecisionWait: 10 * time.Second, NumTraces: 10000, ExpectedNewTracesPerSec: 100, Policies: policies}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"the GenOps policies", Spec{Tail: tail(GenOps(1)...)}, nil},
		{"head sampler alone", Spec{Head: &Head{Percentage: 10}}, nil},
		{"head sampler at 100 before tail sampling", Spec{Head: &Head{Percentage: 100}, Tail: tail(GenOps(1)...)}, nil},
		{"latency threshold 0", Spec{Tail: tail(Latency("slow", 0))},
			[]string{`env: sampling policy slow: latency threshold must be at least 1ms, got "0s": a zero threshold keeps every trace`}},
		{"percentage over 100", Spec{Tail: tail(Probabilistic("rest", 150))},
			[]string{"env: sampling policy rest: sampling percentage 150 must be above 0 and at most 100"}},
		{"head percentage 0", Spec{Head: &Head{}},
			[]string{"env: head sampler: sampling percentage 0 must be above 0 and at most 100"}},
		{"unknown policy attribute type", Spec{Tail: tail(NumericAttribute("cost", "genops.cost_usd", "float", AtLeast(1)))},
			[]string{`env: sampling policy cost: attribute genops.cost_usd has unknown type "float": want "int" or "double" (the value type the instrumentation sets)`}},
		{"unknown policy type", Spec{Tail: tail(Policy{Name: "x", Type: "span_count"})},
			[]string{`env: sampling policy x: unknown policy type "span_count": want one of and, latency, numeric_attribute, probabilistic, status_code, string_attribute`}},
		{"unknown status code", Spec{Tail: tail(StatusCode("errors", "FAILED"))},
			[]string{`env: sampling policy errors: unknown status code "FAILED": want OK, ERROR or UNSET`}},
		{"fractional bound on an int attribute", Spec{Tail: tail(NumericAttribute("tokens", "genops.tokens", Int, AtLeast(0.5)))},
			[]string{`env: sampling policy tokens: bound 0.5 is not a whole number but attribute genops.tokens is an int; declare it "double" if it holds fractions`}},
		{"inverted range", Spec{Tail: tail(NumericAttribute("tokens", "genops.tokens", Int, Between(10, 5)))},
			[]string{"env: sampling policy tokens: minimum 10 is above maximum 5"}},
		{"duplicate policy", Spec{Tail: tail(Probabilistic("rest", 1), Probabilistic("rest", 2))},
			[]string{"env: sampling policy rest: is defined twice: policy names must be unique"}},
		{"and of one", Spec{Tail: tail(And("both", Probabilistic("half", 50)))},
			[]string{"env: sampling policy both: an and policy needs at least two sub-policies, got 1"}},
		{"no decision wait", Spec{Tail: &Tail{NumTraces: 1, Policies: []Policy{Probabilistic("rest", 1)}}},
			[]string{"env: tail sampling: decision_wait must be above 0, got 0s: it is how long spans of a trace are collected before the policies decide"}},
		{"head sampler in front of tail policies", Spec{Head: &Head{Percentage: 10}, Tail: tail(GenOps(1)...)},
			[]string{"env: head sampler: keeps 10% of traces before tail sampling sees them, so error-policy, latency-policy, governance-policy, high-cost-policy, premium-customer-policy keep only 10% of the traces they exist to keep; drop the head sampler (a probabilistic tail policy samples the rest) or set it to 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check("env", tt.spec).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestProcessor pins how each policy kind compiles, the double attribute
// becoming an OTTL condition in particular.
func TestProcessor(t *testing.T) {
	tl := tail(GenOps(1)...)
	tl.Policies = append(tl.Policies,
		NumericAttribute("many-tokens", "genops.tokens.total", Int, Between(1000, 100000)),
		And("slow-premium", Latency("slow", 2*time.Second), StringAttribute("premium", "genops.customer_tier", "premium")),
	)
	got, err := yaml.Marshal(tl.Processor())
	if err != nil {
		t.Fatal(err)
	}
	want := `decision_wait: 10s
expected_new_traces_per_sec: 100
num_traces: 10000
policies:
- name: error-policy
  status_code:
    status_codes:
    - ERROR
  type: status_code
- latency:
    threshold_ms: 5000
  name: latency-policy
  type: latency
- name: governance-policy
  string_attribute:
    key: genops.policy.result
    values:
    - blocked
    - warning
    - rate_limited
    - violation
  type: string_attribute
- name: high-cost-policy
  ottl_condition:
    error_mode: ignore
    span:
    - attributes["genops.cost.total"] >= 1.0
  type: ottl_condition
- name: premium-customer-policy
  string_attribute:
    key: genops.customer_tier
    values:
    - premium
    - enterprise
  type: string_attribute
- name: probabilistic-policy
  probabilistic:
    sampling_percentage: 1
  type: probabilistic
- name: many-tokens
  numeric_attribute:
    key: genops.tokens.total
    max_value: 100000
    min_value: 1000
  type: numeric_attribute
- and:
    and_sub_policy:
    - latency:
        threshold_ms: 2000
      name: slow
      type: latency
    - name: premium
      string_attribute:
        key: genops.customer_tier
        values:
        - premium
      type: string_attribute
  name: slow-premium
  type: and
`
	if string(got) != want {
		t.Errorf("tail_sampling:\n%s\nwant:\n%s", got, want)
	}
}

func TestCheckAttributes(t *testing.T) {
	contract := catalog.DefaultContract()
	spec := func(ps ...Policy) Spec { return Spec{Tail: tail(ps...)} }
	if fs := CheckAttributes("a", spec(GenOps(1)...), contract); len(fs) > 0 {
		t.Fatalf("GenOps policies: %v", fs.Strings())
	}
	fs := CheckAttributes("environment staging", spec(
		StringAttribute("seed-governance", "genops.policy_violation", "true"),
		NumericAttribute("seed-cost", "genops.cost_usd", Double, AtLeast(1)),
		StringAttribute("team", "team", "ml"),
		StringAttribute("results", "genops.policy.result", "blocked", "denied"),
		And("both", NumericAttribute("tokens", "genops.tokens.total", Double, AtLeast(1000)), Probabilistic("p", 10)),
	), contract)
	want := []string{
		"environment staging: sampling policy seed-governance: keys on genops.policy_violation, an alias of genops.policy.result: the gateway normalizes aliases before spans reach the sampler, key on genops.policy.result",
		"environment staging: sampling policy seed-cost: keys on genops.cost_usd, an alias of genops.cost.total: the gateway normalizes aliases before spans reach the sampler, key on genops.cost.total",
		"environment staging: sampling policy team: keys on span attribute team, which the telemetry contract does not define: no producer sends it, so the policy never matches",
		`environment staging: sampling policy results: value "denied" of genops.policy.result is not one its producer sets (allowed, blocked, warning, rate_limited, violation): the policy never matches it`,
		"environment staging: sampling policy tokens: attribute genops.tokens.total is a int, not double: the policy would never match",
	}
	if got := fs.Strings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
