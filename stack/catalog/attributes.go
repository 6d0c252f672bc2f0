package catalog

// The producers whose spans the contract describes.
const (
	traceOperation   = "GenOps AI trace_operation"
	adapters         = "GenOps AI provider adapters"
	recordCost       = "GenOps AI record_cost"
	recordPolicy     = "GenOps AI record_policy"
	recordEvaluation = "GenOps AI record_evaluation"
	recordBudget     = "GenOps AI record_budget"
	seedExample      = "the seed's example application"
	gateway          = "the gateway (attribution), never the workload"
)

// TeamAttribute is the team a span is charged to, and ClaimedTeamAttribute
// the team it claimed when the gateway charged it to the team owning its
// namespace instead (stack/collector: attribution.go). The gateway deletes
// a ClaimedTeamAttribute the workload sent before it sets its own.
const (
	TeamAttribute        = "genops.team"
	ClaimedTeamAttribute = "genops.attribution.claimed_team"
)

// PolicyResults are the values GenOps AI's record_policy sets, and
// "violation", which the gateway sets for the seed example's
// genops.policy_violation=true (a violation whose action is not known).
var PolicyResults = []string{"allowed", "blocked", "warning", "rate_limited", "violation"}

// DefaultContract is what the workloads really send: GenOps AI's span
// attributes, read from its source (src/genops/core/telemetry.py and the
// provider adapters), with its names canonical, and the seed's example
// application's names as aliases.
func DefaultContract() Contract {
	return Contract{
		Attributes: []Attribute{
			{Name: "genops.operation.type", Type: String, SetBy: traceOperation, Bounded: true},
			{Name: "genops.operation.name", Type: String, SetBy: traceOperation, Bounded: true},
			{Name: "genops.timestamp", Type: Int, SetBy: traceOperation},
			{Name: "genops.team", Type: String, SetBy: traceOperation, Bounded: true, OnResource: true},
			{Name: "genops.project", Type: String, SetBy: traceOperation, Bounded: true, OnResource: true},
			{Name: "genops.environment", Type: String, SetBy: traceOperation, Bounded: true},
			{Name: "genops.cost_center", Type: String, SetBy: traceOperation, Bounded: true, OnResource: true},
			{Name: "genops.feature", Type: String, SetBy: traceOperation, Bounded: true},
			{Name: "genops.tenant", Type: String, SetBy: traceOperation},
			{Name: "genops.customer_id", Type: String, SetBy: traceOperation},
			{Name: "genops.customer_tier", Type: String, SetBy: seedExample, Bounded: true, Values: []string{"free", "standard", "premium", "enterprise"}},
			{Name: "genops.provider", Type: String, SetBy: adapters, Bounded: true, Fallback: "genops.cost.provider"},
			{Name: "genops.model", Type: String, SetBy: adapters, Bounded: true, Fallback: "genops.cost.model"},
			{Name: "genops.cost.total", Type: Double, SetBy: recordCost},
			{Name: "genops.cost.currency", Type: String, SetBy: recordCost, Bounded: true, Values: []string{"USD"}},
			{Name: "genops.cost.provider", Type: String, SetBy: recordCost, Bounded: true},
			{Name: "genops.cost.model", Type: String, SetBy: recordCost, Bounded: true},
			{Name: "genops.tokens.input", Type: Int, SetBy: recordCost},
			{Name: "genops.tokens.output", Type: Int, SetBy: recordCost},
			{Name: "genops.tokens.total", Type: Int, SetBy: recordCost},
			{Name: "genops.policy.name", Type: String, SetBy: recordPolicy, Bounded: true},
			{Name: "genops.policy.result", Type: String, SetBy: recordPolicy, Bounded: true, Values: PolicyResults},
			{Name: "genops.policy.reason", Type: String, SetBy: recordPolicy},
			{Name: "genops.eval.metric", Type: String, SetBy: recordEvaluation, Bounded: true},
			{Name: "genops.eval.score", Type: Double, SetBy: recordEvaluation},
			{Name: "genops.eval.threshold", Type: Double, SetBy: recordEvaluation},
			{Name: "genops.eval.passed", Type: Bool, SetBy: recordEvaluation, Bounded: true},
			{Name: "genops.eval.evaluator", Type: String, SetBy: recordEvaluation, Bounded: true},
			{Name: "genops.budget.name", Type: String, SetBy: recordBudget, Bounded: true},
			{Name: "genops.budget.allocated", Type: Double, SetBy: recordBudget},
			{Name: "genops.budget.consumed", Type: Double, SetBy: recordBudget},
			{Name: "genops.budget.remaining", Type: Double, SetBy: recordBudget},
			{Name: "genops.budget.utilization_percent", Type: Double, SetBy: recordBudget},
			// Bounded: the gateway sets a team's name or "unknown".
			{Name: ClaimedTeamAttribute, Type: String, SetBy: gateway, Bounded: true},
		},
		Aliases: []Alias{
			{Name: "genops.cost_usd", Canonical: "genops.cost.total", SetBy: seedExample, Also: map[string]string{"genops.cost.currency": "USD"}},
			{Name: "genops.tokens_input", Canonical: "genops.tokens.input", SetBy: seedExample},
			{Name: "genops.tokens_output", Canonical: "genops.tokens.output", SetBy: seedExample},
			{Name: "genops.policy_violation", Canonical: "genops.policy.result", SetBy: seedExample, When: "true", Value: "violation"},
		},
	}
}
