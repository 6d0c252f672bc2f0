// Package routing is where GenOps alerts go: the Alertmanager route tree,
// the receivers (Slack, PagerDuty, email, webhook) and the inhibition rules,
// as typed Go, plus the routing and inhibition test tables that every
// environment's configuration must pass.
//
// The types mirror alertmanager.yaml field for field (their JSON names are
// the YAML keys), with one deliberate gap: a receiver can only name its
// credentials by file (api_url_file, routing_key_file,
// smtp_auth_password_file). The files are keys of a Secret that the
// Alertmanager pods mount; genops-stack never sees their values.
package routing

// Config is an Alertmanager configuration.
type Config struct {
	Global       Global        `json:"global"`
	Route        Route         `json:"route"`
	InhibitRules []InhibitRule `json:"inhibit_rules,omitempty"`
	Receivers    []Receiver    `json:"receivers"`
}

// Global holds the defaults every receiver inherits.
type Global struct {
	ResolveTimeout string `json:"resolve_timeout,omitempty"`
	// SMTPSmarthost is host:port of the mail relay.
	SMTPSmarthost        string `json:"smtp_smarthost,omitempty"`
	SMTPFrom             string `json:"smtp_from,omitempty"`
	SMTPAuthUsername     string `json:"smtp_auth_username,omitempty"`
	SMTPAuthPasswordFile string `json:"smtp_auth_password_file,omitempty"`
}

// Route is a node of the routing tree. An alert descends into the first
// child whose matchers all match, and on into later children only while the
// matching child has Continue set; the receiver of every deepest matching
// route is notified.
type Route struct {
	Receiver string `json:"receiver,omitempty"`
	// Matchers use Alertmanager's syntax: severity="critical", category=~"a|b".
	Matchers       []string `json:"matchers,omitempty"`
	GroupBy        []string `json:"group_by,omitempty"`
	GroupWait      string   `json:"group_wait,omitempty"`
	GroupInterval  string   `json:"group_interval,omitempty"`
	RepeatInterval string   `json:"repeat_interval,omitempty"`
	Continue       bool     `json:"continue,omitempty"`
	Routes         []Route  `json:"routes,omitempty"`
}

// Receiver is a named set of notification integrations.
type Receiver struct {
	Name      string      `json:"name"`
	Slack     []Slack     `json:"slack_configs,omitempty"`
	PagerDuty []PagerDuty `json:"pagerduty_configs,omitempty"`
	Email     []Email     `json:"email_configs,omitempty"`
	Webhook   []Webhook   `json:"webhook_configs,omitempty"`
}

// Slack posts to a channel through an incoming webhook whose URL is read
// from APIURLFile. Title, Text and the actions' URLs are Alertmanager
// templates.
type Slack struct {
	SendResolved bool          `json:"send_resolved"`
	APIURLFile   string        `json:"api_url_file"`
	Channel      string        `json:"channel"`
	Title        string        `json:"title,omitempty"`
	Text         string        `json:"text,omitempty"`
	Actions      []SlackAction `json:"actions,omitempty"`
}

// SlackAction is a link button under a Slack message.
type SlackAction struct {
	Type string `json:"type"`
	Text string `json:"text"`
	URL  string `json:"url"`
}

// PagerDuty raises an incident through the Events API v2 with the
// integration key read from RoutingKeyFile.
type PagerDuty struct {
	SendResolved   bool   `json:"send_resolved"`
	RoutingKeyFile string `json:"routing_key_file"`
	// Severity is critical, error, warning or info (a template).
	Severity string `json:"severity"`
}

// Email sends through the global smarthost. The subject is a header.
type Email struct {
	SendResolved bool              `json:"send_resolved"`
	To           string            `json:"to"`
	Headers      map[string]string `json:"headers,omitempty"`
}

// Webhook posts the notification as JSON to URL, which must not carry
// credentials.
type Webhook struct {
	SendResolved bool   `json:"send_resolved"`
	URL          string `json:"url"`
}

// InhibitRule mutes the alerts matching TargetMatchers while an alert
// matching SourceMatchers fires with the same values of the Equal labels.
type InhibitRule struct {
	SourceMatchers []string `json:"source_matchers"`
	TargetMatchers []string `json:"target_matchers"`
	Equal          []string `json:"equal,omitempty"`
}
