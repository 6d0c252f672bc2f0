package sampling

import (
	"slices"
	"time"

	"github.com/koshihq/genops-stack/stack/catalog"
)

// GenOps are the tail policies of the GenOps stack: keep every error, every
// trace slower than 5 s, every policy decision other than allowed, every
// request costing $1.00 or more, every premium or enterprise customer, and
// rest percent of everything else.
//
// They read GenOps AI's canonical attributes: the gateway normalizes the
// seed example's aliases (genops.cost_usd, genops.policy_violation) before
// spans reach the sampling tier. genops.cost.total is a double attribute
// (dollars): the policy compiles to an OTTL condition, because the
// Collector's numeric_attribute policy reads integer attributes only and
// would never match a cost.
func GenOps(rest float64) []Policy {
	violations := slices.DeleteFunc(slices.Clone(catalog.PolicyResults), func(r string) bool { return r == "allowed" })
	return []Policy{
		StatusCode("error-policy", StatusError),
		Latency("latency-policy", 5*time.Second),
		StringAttribute("governance-policy", "genops.policy.result", violations...),
		NumericAttribute("high-cost-policy", "genops.cost.total", Double, AtLeast(1.00)),
		StringAttribute("premium-customer-policy", "genops.customer_tier", "premium", "enterprise"),
		Probabilistic("probabilistic-policy", rest),
	}
}
