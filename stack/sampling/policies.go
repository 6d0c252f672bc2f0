package sampling

import "time"

// GenOps are the tail policies of the GenOps stack: keep every error, every
// trace slower than 5 s, every governance violation, every request costing
// $1.00 or more, every premium or enterprise customer, and rest percent of
// everything else.
//
// genops.cost_usd is a double attribute (dollars): the policy compiles to an
// OTTL condition, because the Collector's numeric_attribute policy reads
// integer attributes only and would never match a cost.
func GenOps(rest float64) []Policy {
	return []Policy{
		StatusCode("error-policy", StatusError),
		Latency("latency-policy", 5*time.Second),
		StringAttribute("governance-policy", "genops.policy_violation", "true"),
		NumericAttribute("high-cost-policy", "genops.cost_usd", Double, AtLeast(1.00)),
		StringAttribute("premium-customer-policy", "genops.customer_tier", "premium", "enterprise"),
		Probabilistic("probabilistic-policy", rest),
	}
}
