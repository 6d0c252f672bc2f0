package routing

import "github.com/koshihq/genops-stack/names"

// RouteTests are the routing table every environment must pass: each
// alert's labels as Prometheus sends them, and the receivers they reach.
func RouteTests() []RouteTest {
	return []RouteTest{
		{Labels{"alertname": names.BudgetThreshold80Percent, "severity": "warning", "category": "cost", "team": "ml-platform"}, []string{names.ReceiverCostWarning}},
		{Labels{"alertname": names.BudgetThreshold95Percent, "severity": "critical", "category": "cost", "team": "ml-platform"}, []string{names.ReceiverCostCritical}},
		{Labels{"alertname": names.BudgetExhausted, "severity": "critical", "category": "cost", "team": "ml-platform", "project": "inference"}, []string{names.ReceiverCostCritical}},
		{Labels{"alertname": names.CostAnomaly, "severity": "warning", "category": "cost", "team": "research"}, []string{names.ReceiverCostWarning}},
		{Labels{"alertname": names.PolicyViolationsDetected, "severity": "warning", "category": "policy", "policy": "content-safety"}, []string{names.ReceiverPolicyViolations}},
		{Labels{"alertname": names.HighPolicyViolationRate, "severity": "critical", "category": "policy", "policy": "content-safety"}, []string{names.ReceiverPolicyViolations}},
		{Labels{"alertname": names.HighLatency, "severity": "warning", "category": "performance", "provider": "openai"}, []string{names.ReceiverPerformanceAlerts}},
		{Labels{"alertname": names.HighErrorRate, "severity": "critical", "category": "performance", "provider": "anthropic"}, []string{names.ReceiverPerformanceAlerts}},
		{Labels{"alertname": names.LowQualityScore, "severity": "warning", "category": "quality", "model": "gpt-4", "metric": "relevance"}, []string{names.ReceiverPerformanceAlerts}},
		{Labels{"alertname": names.GenOpsPodDown, "severity": "critical", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0", "phase": "Pending"}, []string{names.ReceiverInfrastructureAlerts}},
		{Labels{"alertname": names.HighMemoryUsage, "severity": "warning", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0"}, []string{names.ReceiverInfrastructureAlerts}},
		{Labels{"alertname": names.OTelCollectorDown, "severity": "critical", "category": "observability", "job": "otel-collector"}, []string{names.ReceiverInfrastructureAlerts}},
		// An informational cost alert is not a cost warning.
		{Labels{"alertname": "BudgetForecast", "severity": "info", "category": "cost", "team": "research"}, []string{names.ReceiverDefault}},
		{Labels{"alertname": "Unclassified"}, []string{names.ReceiverDefault}},
	}
}

// InhibitionTests are the inhibition table every environment must pass.
func InhibitionTests() []InhibitionTest {
	return []InhibitionTest{
		{"a critical budget alert mutes its team's cost warnings, not other teams'", []Firing{
			{Labels{"alertname": names.BudgetThreshold95Percent, "severity": "critical", "category": "cost", "team": "ml-platform"}, false},
			{Labels{"alertname": names.BudgetThreshold80Percent, "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": names.CostAnomaly, "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": names.BudgetThreshold80Percent, "severity": "warning", "category": "cost", "team": "research"}, false},
			{Labels{"alertname": names.TeamBudgetForecast, "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": names.TeamBudgetForecast, "severity": "warning", "category": "cost", "team": "research"}, false},
		}},
		{"an exhausted budget mutes its team's thresholds", []Firing{
			{Labels{"alertname": names.BudgetExhausted, "severity": "critical", "category": "cost", "team": "ml-platform", "project": "inference"}, false},
			{Labels{"alertname": names.BudgetThreshold95Percent, "severity": "critical", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": names.BudgetThreshold80Percent, "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": names.BudgetThreshold95Percent, "severity": "critical", "category": "cost", "team": "research"}, false},
		}},
		{"a high violation rate mutes the warning of its policy", []Firing{
			{Labels{"alertname": names.HighPolicyViolationRate, "severity": "critical", "category": "policy", "policy": "content-safety"}, false},
			{Labels{"alertname": names.PolicyViolationsDetected, "severity": "warning", "category": "policy", "policy": "content-safety"}, true},
			{Labels{"alertname": names.PolicyViolationsDetected, "severity": "warning", "category": "policy", "policy": "pii"}, false},
		}},
		{"an SLO's page mutes its ticket, not another SLO's", []Firing{
			{Labels{"alertname": names.SLOBurnRatePage, "severity": "critical", "category": "slo", "team": "ml-platform", "slo": "openai-availability"}, false},
			{Labels{"alertname": names.SLOBurnRateTicket, "severity": "warning", "category": "slo", "team": "ml-platform", "slo": "openai-availability"}, true},
			{Labels{"alertname": names.SLOBurnRateTicket, "severity": "warning", "category": "slo", "team": "ml-platform", "slo": "openai-latency"}, false},
		}},
		{"critical alerts of other categories mute nothing", []Firing{
			{Labels{"alertname": names.HighErrorRate, "severity": "critical", "category": "performance", "provider": "openai"}, false},
			{Labels{"alertname": names.HighLatency, "severity": "warning", "category": "performance", "provider": "openai"}, false},
			{Labels{"alertname": names.GenOpsPodDown, "severity": "critical", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0", "phase": "Failed"}, false},
			{Labels{"alertname": names.HighMemoryUsage, "severity": "warning", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0"}, false},
		}},
	}
}
