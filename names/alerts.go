package names

// The alerts, by name (the alertname label and the runbook's file name).
// Package alerts defines them; dashboards link to their runbooks, and the
// routing and inhibition tables of package routing name them.
const (
	// The cost alerts (alerts/cost.go).
	BudgetThreshold80Percent = "BudgetThreshold80Percent"
	BudgetThreshold95Percent = "BudgetThreshold95Percent"
	BudgetExhausted          = "BudgetExhausted"
	CostAnomaly              = "CostAnomaly"
	// The governance alerts (alerts/policy.go).
	PolicyViolationsDetected = "PolicyViolationsDetected"
	HighPolicyViolationRate  = "HighPolicyViolationRate"
	// The performance and quality alerts (alerts/performance.go).
	HighLatency     = "HighLatency"
	HighErrorRate   = "HighErrorRate"
	LowQualityScore = "LowQualityScore"
	// The infrastructure alerts (alerts/infrastructure.go).
	GenOpsPodDown     = "GenOpsPodDown"
	HighMemoryUsage   = "HighMemoryUsage"
	OTelCollectorDown = "OTelCollectorDown"
	// TeamBudgetForecast is the per-team budget alert (alerts/budgets.go):
	// one rule per team, carrying the team as a static label.
	TeamBudgetForecast = "TeamBudgetForecast"
	// TeamBudgetThreshold is the per-team, per-threshold budget alert
	// (alerts/thresholds.go), from the cost counter.
	TeamBudgetThreshold = "TeamBudgetThreshold"
	// The SLO burn-rate alerts (alerts/slo.go): one of each per SLO,
	// carrying the SLO and its team as static labels.
	SLOBurnRatePage   = "SLOBurnRatePage"
	SLOBurnRateTicket = "SLOBurnRateTicket"
)
