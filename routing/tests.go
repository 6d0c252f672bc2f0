package routing

// RouteTests are the routing table every environment must pass: each
// alert's labels as Prometheus sends them, and the receivers they reach.
func RouteTests() []RouteTest {
	return []RouteTest{
		{Labels{"alertname": "BudgetThreshold80Percent", "severity": "warning", "category": "cost", "team": "ml-platform"}, []string{CostWarning}},
		{Labels{"alertname": "BudgetThreshold95Percent", "severity": "critical", "category": "cost", "team": "ml-platform"}, []string{CostCritical}},
		{Labels{"alertname": "BudgetExhausted", "severity": "critical", "category": "cost", "team": "ml-platform", "project": "inference"}, []string{CostCritical}},
		{Labels{"alertname": "CostAnomaly", "severity": "warning", "category": "cost", "team": "research"}, []string{CostWarning}},
		{Labels{"alertname": "PolicyViolationsDetected", "severity": "warning", "category": "policy", "policy": "content-safety"}, []string{PolicyViolations}},
		{Labels{"alertname": "HighPolicyViolationRate", "severity": "critical", "category": "policy", "policy": "content-safety"}, []string{PolicyViolations}},
		{Labels{"alertname": "HighLatency", "severity": "warning", "category": "performance", "provider": "openai"}, []string{PerformanceAlerts}},
		{Labels{"alertname": "HighErrorRate", "severity": "critical", "category": "performance", "provider": "anthropic"}, []string{PerformanceAlerts}},
		{Labels{"alertname": "LowQualityScore", "severity": "warning", "category": "quality", "model": "gpt-4", "metric": "relevance"}, []string{PerformanceAlerts}},
		{Labels{"alertname": "GenOpsPodDown", "severity": "critical", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0", "phase": "Pending"}, []string{InfrastructureAlerts}},
		{Labels{"alertname": "HighMemoryUsage", "severity": "warning", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0"}, []string{InfrastructureAlerts}},
		{Labels{"alertname": "OTelCollectorDown", "severity": "critical", "category": "observability", "job": "otel-collector"}, []string{InfrastructureAlerts}},
		// An informational cost alert is not a cost warning.
		{Labels{"alertname": "BudgetForecast", "severity": "info", "category": "cost", "team": "research"}, []string{Default}},
		{Labels{"alertname": "Unclassified"}, []string{Default}},
	}
}

// InhibitionTests are the inhibition table every environment must pass.
func InhibitionTests() []InhibitionTest {
	return []InhibitionTest{
		{"a critical budget alert mutes its team's cost warnings, not other teams'", []Firing{
			{Labels{"alertname": "BudgetThreshold95Percent", "severity": "critical", "category": "cost", "team": "ml-platform"}, false},
			{Labels{"alertname": "BudgetThreshold80Percent", "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": "CostAnomaly", "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": "BudgetThreshold80Percent", "severity": "warning", "category": "cost", "team": "research"}, false},
			{Labels{"alertname": TeamBudgetAlert, "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": TeamBudgetAlert, "severity": "warning", "category": "cost", "team": "research"}, false},
		}},
		{"an exhausted budget mutes its team's thresholds", []Firing{
			{Labels{"alertname": "BudgetExhausted", "severity": "critical", "category": "cost", "team": "ml-platform", "project": "inference"}, false},
			{Labels{"alertname": "BudgetThreshold95Percent", "severity": "critical", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": "BudgetThreshold80Percent", "severity": "warning", "category": "cost", "team": "ml-platform"}, true},
			{Labels{"alertname": "BudgetThreshold95Percent", "severity": "critical", "category": "cost", "team": "research"}, false},
		}},
		{"a high violation rate mutes the warning of its policy", []Firing{
			{Labels{"alertname": "HighPolicyViolationRate", "severity": "critical", "category": "policy", "policy": "content-safety"}, false},
			{Labels{"alertname": "PolicyViolationsDetected", "severity": "warning", "category": "policy", "policy": "content-safety"}, true},
			{Labels{"alertname": "PolicyViolationsDetected", "severity": "warning", "category": "policy", "policy": "pii"}, false},
		}},
		{"critical alerts of other categories mute nothing", []Firing{
			{Labels{"alertname": "HighErrorRate", "severity": "critical", "category": "performance", "provider": "openai"}, false},
			{Labels{"alertname": "HighLatency", "severity": "warning", "category": "performance", "provider": "openai"}, false},
			{Labels{"alertname": "GenOpsPodDown", "severity": "critical", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0", "phase": "Failed"}, false},
			{Labels{"alertname": "HighMemoryUsage", "severity": "warning", "category": "infrastructure", "namespace": "genops-system", "pod": "genops-ai-0"}, false},
		}},
	}
}
