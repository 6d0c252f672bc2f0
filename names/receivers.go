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
	// The SLO burn-rate alerts: pages to on-call, tickets of SLOs whose
	// team has no receiver.
	ReceiverSLOPage    = "slo-page"
	ReceiverSLOTickets = "slo-tickets"
)

// TeamReceiver names the receiver of a team's budget notifications.
func TeamReceiver(team string) string { return "team-" + team }
