package alerts

import "github.com/koshihq/genops-stack/names"

// policy are the governance alerts.
//
// genops_policy_violations_total counts the policy decisions other than
// "allowed" that GenOps AI records on spans, with labels team, policy (the
// policy's name) and result (blocked, warning, rate_limited, or violation
// for the seed example's flag). The seed alerted per series and per policy
// type; the policy's name takes the place of its type. The alerts sum every
// series of a policy (teams, results and gateway replicas) and keep policy,
// the label their templates and Alertmanager's inhibition (a high rate of a
// policy mutes its warning) use. The seed's per-series rule also failed on
// the policy severity label its own severity overwrote; no label of the
// result collides with the static ones now.
func policy() Group {
	return Group{
		Name:     "genops-policy-alerts",
		Interval: "30s",
		Alerts: []Alert{
			{
				Alert:       names.PolicyViolationsDetected,
				Expr:        `sum by (policy) (rate(genops_policy_violations_total[5m])) > 0`,
				For:         "5m",
				Severity:    Warning,
				Category:    Policy,
				Summary:     "Policy violations detected ({{ $labels.policy }})",
				Description: "{{ $value }} violations/sec of policy {{ $labels.policy }}",
				Dashboard:   names.DashboardPolicy,
				Runbook:     policyViolationsRunbook,
			},
			{
				Alert:       names.HighPolicyViolationRate,
				Expr:        `sum by (policy) (rate(genops_policy_violations_total[5m])) > 0.1`,
				For:         "10m",
				Severity:    Critical,
				Category:    Policy,
				Summary:     "High rate of policy violations",
				Description: "Policy violation rate is {{ $value }} violations/sec - investigate immediately",
				Dashboard:   names.DashboardPolicy,
				Runbook:     highPolicyViolationRateRunbook,
			},
		},
	}
}

var policyInvestigation = []Step{
	{Text: "See which policies are violated, by which teams, and what the policy engine decided (blocked, rate_limited, warning, or violation):", Query: `sum by (team, policy, result) (rate(genops_policy_violations_total[5m]))`},
	{Text: "See every decision of the policies, allowed included, to tell a flood of requests from a policy that started refusing them:", Query: `sum by (policy, result) (rate(genops_policy_enforcements_total[5m]))`},
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
	Meaning: "More than 0.1 violations per second of one policy, for 10 minutes: a misbehaving caller, an attack or a broken policy.",
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
