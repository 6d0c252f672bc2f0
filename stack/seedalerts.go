package stack

import "github.com/koshihq/genops-stack/routing"

// genopsTargetLabels are the labels the GenOps pods scrape job puts on
// every series it scrapes.
var genopsTargetLabels = []string{
	"job", "instance", "namespace", "pod", "cluster",
	"genops_team", "genops_project", "genops_environment", "genops_cost_center",
}

// seedAlerts are the seed's alert rules as routing sees them: name, static
// labels, and the labels of their expressions' results. They stand in for
// the rules of alerts/ until those are wired into Build; the wiring
// replaces this function with a conversion of every alert rule.
func seedAlerts() []routing.Alert {
	alert := func(name, severity, category string, labels ...string) routing.Alert {
		return routing.Alert{
			Name:       name,
			Labels:     routing.Labels{"severity": severity, "category": category},
			LabelNames: labels,
		}
	}
	withTarget := func(labels ...string) []string { return append(labels, genopsTargetLabels...) }
	return []routing.Alert{
		// genops_budget_utilization_percent > 80, > 95
		alert("BudgetThreshold80Percent", "warning", "cost", withTarget("team")...),
		alert("BudgetThreshold95Percent", "critical", "cost", withTarget("team")...),
		// genops_budget_remaining_usd <= 0
		alert("BudgetExhausted", "critical", "cost", withTarget("team", "project")...),
		// sum by (team) (rate(genops_cost_total_usd[1h])) > ... * 1.5
		alert("CostAnomaly", "warning", "cost", "team"),
		// rate(genops_policy_violations_total[5m]) > 0, > 0.1
		alert("PolicyViolationsDetected", "warning", "policy", withTarget("policy_type")...),
		alert("HighPolicyViolationRate", "critical", "policy", withTarget("policy_type")...),
		// histogram_quantile(0.95, sum by (provider, le) (...)) > 10
		alert("HighLatency", "warning", "performance", "provider"),
		// sum by (provider) (errors) / sum by (provider) (requests) > 0.05
		alert("HighErrorRate", "critical", "performance", "provider"),
		// genops_eval_quality_score < 0.7
		alert("LowQualityScore", "warning", "quality", withTarget("model", "metric")...),
		// kube_pod_status_phase{namespace="genops-system", phase!="Running"} > 0
		alert("GenOpsPodDown", "critical", "infrastructure",
			"namespace", "pod", "uid", "phase", "job", "instance", "container", "endpoint", "service"),
		// container_memory_working_set_bytes / container_spec_memory_limit_bytes > 0.9
		alert("HighMemoryUsage", "warning", "infrastructure",
			"namespace", "pod", "container", "id", "image", "name", "job", "instance", "node", "endpoint", "service", "metrics_path"),
		// up{job="otel-collector"} == 0
		alert("OTelCollectorDown", "critical", "observability", "job", "instance", "namespace", "pod"),
	}
}
