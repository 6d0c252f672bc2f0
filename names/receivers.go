package names

// The Alertmanager receivers. Production keeps these names: people search
// for them.
const (
	ReceiverDefault              = "default"
	ReceiverCostCritical         = "cost-critical"
	ReceiverCostWarning          = "cost-warning"
	ReceiverPolicyViolations     = "policy-violations"
	ReceiverPerformanceAlerts    = "performance-alerts"
	ReceiverInfrastructureAlerts = "infrastructure-alerts"
)

// TeamReceiver names the receiver of a team's budget notifications.
func TeamReceiver(team string) string { return "team-" + team }
