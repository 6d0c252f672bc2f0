package alerts

// policy are the governance alerts.
//
// genops_policy_violations_total has labels policy_type and severity (the
// policy's). The seed alerted on rate() of it per series, keeping that
// severity label, which the alert's own severity then overwrote: series of
// one policy type with different policy severities collided, and the rule
// failed to evaluate ("vector contains metrics with the same labelset after
// applying alert labels"). The alerts aggregate it away and keep
// policy_type, the label their templates and Alertmanager's inhibition (a
// high rate of a policy type mutes its warning) use.
func policy() Group {
	return Group{
		Name:     "genops-policy-alerts",
		Interval: "30s",
		Alerts: []Alert{
			{
				Alert:       "PolicyViolationsDetected",
				Expr:        `sum by (policy_type) (rate(genops_policy_violations_total[5m])) > 0`,
				For:         "5m",
				Severity:    Warning,
				Category:    Policy,
				Summary:     "Policy violations detected ({{ $labels.policy_type }})",
				Description: "{{ $value }} violations/sec of policy type {{ $labels.policy_type }}",
				Dashboard:   DashboardPolicy,
				Runbook:     policyViolationsRunbook,
			},
			{
				Alert:       "HighPolicyViolationRate",
				Expr:        `sum by (policy_type) (rate(genops_policy_violations_total[5m])) > 0.1`,
				For:         "10m",
				Severity:    Critical,
				Category:    Policy,
				Summary:     "High rate of policy violations",
				Description: "Policy violation rate is {{ $value }} violations/sec - investigate immediately",
				Dashboard:   DashboardPolicy,
				Runbook:     highPolicyViolationRateRunbook,
			},
		},
	}
}

var policyInvestigation = []Step{
	{Text: "See which policy types are violated, and how severe the violations are:", Query: `sum by (policy_type, severity) (rate(genops_policy_violations_total[5m]))`},
	{Text: "See what the policy engine does about them (block, throttle, warn):", Query: `sum by (action) (rate(genops_policy_enforcements_total[5m]))`},
	{Text: "Find the requests behind them in the GenOps audit log:", Shell: `kubectl logs -n "$NS" deployment/genops-ai --since=30m | grep -i violation`},
}

var policyViolationsRunbook = Runbook{
	Meaning:       "GenOps policies are being violated: requests break a budget, content or usage policy.",
	Impact:        []string{"Depends on the policy's action: violating requests are blocked, throttled or only logged"},
	Investigation: policyInvestigation,
	Remediation: []Step{
		{Text: "If one team or caller causes the violations, contact its owner with the audit log entries."},
		{Text: "If the policy is wrong (a new model, a changed budget), fix the policy rather than silencing the alert."},
	},
	Escalation: []string{"Notify: the policy owner", "Slack: #genops-policy"},
}

var highPolicyViolationRateRunbook = Runbook{
	Meaning: "More than 0.1 violations per second of one policy type, for 10 minutes: a misbehaving caller, an attack or a broken policy.",
	Impact: []string{
		"Many requests are blocked or throttled, or, for policies that only log, many non-compliant requests go through",
	},
	Investigation: policyInvestigation,
	Remediation: []Step{
		{Text: "If a single caller floods the system, throttle or block it at the gateway."},
		{Text: "If a policy change caused it, roll the policy back."},
	},
	Escalation: []string{"Notify: the policy owner and the on-call engineer", "PagerDuty: yes", "Slack: #genops-policy"},
}
