package names

// Team is a team that runs AI workloads on the stack and owns a monthly
// budget. Each team gets a budget forecast alert of its own (package
// alerts), a route that brings it to the team's channel (package routing),
// and a row on the FinOps dashboard or its pages (package dashboards).
type Team struct {
	// Name is the team label the GenOps SDK sets (genops.team) and the
	// metrics carry.
	Name string
	// MonthlyBudgetUSD is what the team may spend in a calendar month.
	MonthlyBudgetUSD float64
	// CostCenter is what the team's spend is charged to.
	CostCenter string
	// Channel is the Slack channel the team's budget notifications go to.
	// Its incoming webhook is the key slack-<channel> of the credentials
	// Secret (Slack binds a webhook to one channel).
	Channel string
	// Namespaces are the namespaces the team's workloads run in; each has
	// one owner. The stack labels them as GenOps workload namespaces (their
	// pods may send to the gateway) and with the team (Collector.Attribution's
	// TeamLabel), and the gateway charges every span sent from them to the
	// team, whatever genops.team the span claims (docs/security.md).
	Namespaces []string
	// BudgetThresholds are the shares of MonthlyBudgetUSD, in percent, at
	// which the team is notified, once each per calendar month; nil is
	// DefaultBudgetThresholds.
	BudgetThresholds []float64
}

// DefaultBudgetThresholds are a team's budget thresholds unless it sets
// its own.
var DefaultBudgetThresholds = []float64{50, 80, 95, 100}

// Thresholds are the team's budget thresholds, in percent.
func (t Team) Thresholds() []float64 {
	if t.BudgetThresholds == nil {
		return DefaultBudgetThresholds
	}
	return t.BudgetThresholds
}
