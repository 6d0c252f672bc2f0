package routing

import (
	"path"
	"sort"
	"strings"

	"github.com/koshihq/genops-stack/names"
)

// Spec is what an environment decides about notifications.
type Spec struct {
	// Channel, when set, receives every Slack notification in place of each
	// receiver's own channel (development: one channel for everything); the
	// teams' budget alerts then reach it once, through the cost routes.
	Channel string
	// Page adds PagerDuty and email to the receivers that escalate. Only
	// production wakes people up.
	Page bool
	// SMTP is the mail relay; used when Page is set.
	SMTP SMTP
	// EmailTo receives the critical cost emails; used when Page is set.
	EmailTo string
	// CredentialsSecret names the Secret, in Alertmanager's namespace, that
	// holds the notification credentials (see Config.CredentialFiles). The
	// Alertmanager pods mount it under SecretsDir; genops-stack references
	// it and never generates its values.
	CredentialsSecret string
}

// SMTP is the mail relay every email receiver sends through.
type SMTP struct {
	// Smarthost is host:port.
	Smarthost string
	From      string
	Username  string
}

// Wiring is what routing needs from the rest of the stack.
type Wiring struct {
	// Links are Grafana's URL (a notification's dashboard button opens
	// <Grafana>/d/<uid>) and where the runbooks are browsable
	// (notifications link an alert's runbook_url annotation and fall back
	// to the Runbooks index).
	Links names.Links
	// PolicyWebhook is the GenOps AI endpoint that receives policy alerts.
	PolicyWebhook string
	// Teams get their budget alerts in their own channels, where the
	// environment has no one Channel for everything.
	Teams []names.Team
}

// SecretsDir is where prometheus-operator mounts the Secrets listed in an
// Alertmanager's spec.secrets: <SecretsDir>/<secret>/<key>.
const SecretsDir = "/etc/alertmanager/secrets"

// Keys of the credentials Secret.
const (
	// PagerDutyKey is the PagerDuty Events API v2 integration (routing) key.
	PagerDutyKey = "pagerduty-routing-key"
	// SMTPPasswordKey is the SMTP password of SMTP.Username.
	SMTPPasswordKey = "smtp-password"
)

// SlackKey is the key holding the incoming-webhook URL of a Slack channel.
// Slack binds each incoming webhook to one channel, so every channel has its
// own key: #genops-cost becomes slack-genops-cost.
func SlackKey(channel string) string { return "slack-" + strings.TrimPrefix(channel, "#") }

// credentialFile is the path at which Alertmanager reads key of the
// credentials Secret.
func (s Spec) credentialFile(key string) string {
	return path.Join(SecretsDir, s.CredentialsSecret, key)
}

// Build returns the Alertmanager configuration of an environment.
func Build(s Spec, w Wiring) Config {
	g := Global{ResolveTimeout: "5m"}
	if s.Page {
		g.SMTPSmarthost = s.SMTP.Smarthost
		g.SMTPFrom = s.SMTP.From
		g.SMTPAuthUsername = s.SMTP.Username
		g.SMTPAuthPasswordFile = s.credentialFile(SMTPPasswordKey)
	}
	n := notifier{s, w}
	c := Config{
		Global:       g,
		Route:        routes(),
		InhibitRules: inhibitions(),
		Receivers:    receivers(n),
	}
	teams := len(w.Teams) > 0 && s.Channel == ""
	c.Route.Routes = append(c.Route.Routes, budgetRoute(w.Teams, teams), sloRoute(w.Teams, teams))
	c.Receivers = append(c.Receivers, sloReceivers(n)...)
	if teams {
		c.Route.Routes = append(c.Route.Routes, teamRoutes(w.Teams))
		c.Receivers = append(c.Receivers, teamReceivers(n, w.Teams)...)
	}
	return c
}

// CredentialFiles returns every file the configuration reads a credential
// from, sorted and without duplicates.
func (c Config) CredentialFiles() []string {
	seen := map[string]bool{}
	if c.Global.SMTPAuthPasswordFile != "" {
		seen[c.Global.SMTPAuthPasswordFile] = true
	}
	for _, r := range c.Receivers {
		for _, s := range r.Slack {
			seen[s.APIURLFile] = true
		}
		for _, p := range r.PagerDuty {
			seen[p.RoutingKeyFile] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
