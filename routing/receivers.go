package routing

import "github.com/koshihq/genops-stack/names"

// receivers are the seed's receivers (named in package names), with
// credentials read from files.
// Cost-critical and infrastructure alerts page (PagerDuty, and email for
// cost) where the environment pages; everything posts to Slack.
func receivers(n notifier) []Receiver {
	return []Receiver{
		{
			Name:  names.ReceiverDefault,
			Slack: n.slack("#genops-alerts", "{{ .GroupLabels.alertname }}", ""),
		},
		{
			Name:      names.ReceiverCostCritical,
			Slack:     n.slack("#genops-cost-critical", "🚨 CRITICAL: {{ .GroupLabels.alertname }}", names.DashboardCost),
			PagerDuty: n.pagerDuty(),
			Email:     n.email("CRITICAL: GenOps budget alert {{ .GroupLabels.alertname }} ({{ .GroupLabels.team }}, {{ .GroupLabels.cluster }})"),
		},
		{
			Name:  names.ReceiverCostWarning,
			Slack: n.slack("#genops-cost", "⚠️ WARNING: {{ .GroupLabels.alertname }}", names.DashboardCost),
		},
		{
			Name:    names.ReceiverPolicyViolations,
			Slack:   n.slack("#genops-policy", "📋 Policy: {{ .GroupLabels.alertname }}", names.DashboardPolicy),
			Webhook: []Webhook{{SendResolved: true, URL: n.wiring.PolicyWebhook}},
		},
		{
			Name:  names.ReceiverPerformanceAlerts,
			Slack: n.slack("#genops-performance", "⚡ Performance: {{ .GroupLabels.alertname }}", names.DashboardPerformance),
		},
		{
			Name:      names.ReceiverInfrastructureAlerts,
			Slack:     n.slack("#genops-infrastructure", "🔧 Infrastructure: {{ .GroupLabels.alertname }}", ""),
			PagerDuty: n.pagerDuty(),
		},
	}
}

// slackText lists the description of every alert of the notification.
const slackText = "{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}"

// notifier builds the integrations of a receiver for one environment.
type notifier struct {
	spec   Spec
	wiring Wiring
}

// slack posts to channel (or the environment's one channel) with a button to
// the runbook and, when dashboard is a uid, one to that dashboard.
func (n notifier) slack(channel, title, dashboard string) []Slack {
	if n.spec.Channel != "" {
		channel = n.spec.Channel
	}
	var actions []SlackAction
	if dashboard != "" {
		actions = append(actions, SlackAction{Type: "button", Text: "View Dashboard", URL: n.wiring.Links.DashboardURL(dashboard)})
	}
	actions = append(actions, SlackAction{
		Type: "button", Text: "Runbook",
		URL: `{{ or .CommonAnnotations.runbook_url "` + n.wiring.Links.Runbooks + `" }}`,
	})
	return []Slack{{
		APIURLFile: n.spec.credentialFile(SlackKey(channel)),
		Channel:    channel,
		Title:      title,
		Text:       slackText,
		Actions:    actions,
	}}
}

// pagerDuty raises an incident with the alerts' severity, so PagerDuty can
// decide the urgency; nothing where the environment does not page.
func (n notifier) pagerDuty() []PagerDuty {
	if !n.spec.Page {
		return nil
	}
	return []PagerDuty{{
		SendResolved:   true,
		RoutingKeyFile: n.spec.credentialFile(PagerDutyKey),
		Severity:       "{{ .CommonLabels.severity }}",
	}}
}

// email mails the escalation address; nothing where the environment does not page.
func (n notifier) email(subject string) []Email {
	if !n.spec.Page {
		return nil
	}
	return []Email{{To: n.spec.EmailTo, Headers: map[string]string{"Subject": subject}}}
}
