package alertmanager

import (
	"os"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/routing"
)

func TestValidateFileAcceptsTheRenderedConfig(t *testing.T) {
	data, err := Render(routing.Build(spec(), wiring))
	if err != nil {
		t.Fatal(err)
	}
	assertFindings(t, ValidateFile("alertmanager/test/alertmanager.yaml", data))
}

// TestValidateFileRejectsTheSeed: the seed's configuration does not load
// (email has no subject field); with that fixed and a smarthost set, its
// inline Slack URL and PagerDuty keys are reported, the global Slack URL
// once although every Slack receiver inherits it.
func TestValidateFileRejectsTheSeed(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed-alertmanager.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const path = "seed/alertmanager.yaml"
	assertFindings(t, ValidateFile(path, seed),
		"seed/alertmanager.yaml: does not load in Alertmanager: yaml: unmarshal errors:\n  line 69: field subject not found in type email.plain")

	fixed := strings.Replace(string(seed), "    subject: 'CRITICAL: GenOps Budget Alert'\n", "", 1)
	fixed = strings.Replace(fixed, "  resolve_timeout: 5m\n", "  resolve_timeout: 5m\n  smtp_smarthost: smtp.example.org:587\n  smtp_from: alertmanager@example.org\n", 1)
	assertFindings(t, ValidateFile(path, []byte(fixed)),
		"seed/alertmanager.yaml: global: slack_api_url holds a literal secret: use slack_api_url_file with a key of the mounted credentials Secret",
		"seed/alertmanager.yaml: receiver cost-critical: pagerduty_configs[0].service_key holds a literal secret: use service_key_file with a key of the mounted credentials Secret",
		"seed/alertmanager.yaml: receiver infrastructure-alerts: pagerduty_configs[0].service_key holds a literal secret: use service_key_file with a key of the mounted credentials Secret",
	)
}

func TestValidateFileFindsLiteralSecrets(t *testing.T) {
	const cfg = `
global:
  smtp_smarthost: smtp.example.org:587
  smtp_from: alertmanager@example.org
  smtp_auth_password: not-a-real-password
route:
  receiver: r
receivers:
- name: r
  slack_configs:
  - channel: '#x'
    api_url_file: /etc/alertmanager/secrets/c/slack-x
    http_config:
      authorization:
        credentials: not-a-real-token
  pagerduty_configs:
  - service_key: not-a-real-key
  - routing_key: not-a-real-key
  email_configs:
  - to: oncall@example.org
    auth_password: not-a-real-password-either
  webhook_configs:
  - url: http://genops-ai.genops-system.svc/api/policy/alert
    http_config:
      http_headers:
        X-Api-Key:
          secrets: [not-a-real-key-either]
  - url: https://alerts.example.org/hook?Token=not-a-real-token
  - url: https://user:not-a-real-password@alerts.example.org/hook
  - url: https://hooks.slack.com/services/T0/B0/not-a-real-token
`
	const path = "alertmanager/test/alertmanager.yaml"
	fs := ValidateFile(path, []byte(cfg))
	assertFindings(t, fs,
		path+": global: smtp_auth_password holds a literal secret: use smtp_auth_password_file with a key of the mounted credentials Secret",
		path+": receiver r: email_configs[0].auth_password holds a literal secret: use auth_password_file with a key of the mounted credentials Secret",
		path+": receiver r: pagerduty_configs[0].service_key holds a literal secret: use service_key_file with a key of the mounted credentials Secret",
		path+": receiver r: pagerduty_configs[1].routing_key holds a literal secret: use routing_key_file with a key of the mounted credentials Secret",
		path+": receiver r: slack_configs[0].http_config.authorization.credentials holds a literal secret: use credentials_file with a key of the mounted credentials Secret",
		path+": receiver r: webhook_configs[0].http_config.http_headers.X-Api-Key.secrets[0] holds a literal secret: move it into the credentials Secret and reference the mounted file instead",
		path+": receiver r: webhook_configs[1].url carries a credential (query parameter \"Token\"): put the URL in the credentials Secret and use url_file",
		path+": receiver r: webhook_configs[2].url carries a credential (user info): put the URL in the credentials Secret and use url_file",
		path+": receiver r: webhook_configs[3].url carries a credential (the URL of a hooks.slack.com webhook is its credential): put the URL in the credentials Secret and use url_file",
	)
	for _, f := range fs {
		if strings.Contains(f.Message, "not-a-real") {
			t.Errorf("finding repeats the secret: %s", f)
		}
	}
}
