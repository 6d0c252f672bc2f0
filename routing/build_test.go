package routing

import (
	"slices"
	"testing"
)

// TestCredentialFiles: the files a configuration reads are keys of the one
// credentials Secret: a Slack webhook per channel, and the PagerDuty key and
// SMTP password only where the environment pages.
func TestCredentialFiles(t *testing.T) {
	const dir = "/etc/alertmanager/secrets/creds/"
	paging := Spec{Page: true, SMTP: SMTP{Smarthost: "smtp.example.org:587", From: "am@example.org"}, EmailTo: "oncall@example.org", CredentialsSecret: "creds"}
	oneChannel := Spec{Channel: "#genops-development", CredentialsSecret: "creds"}
	for _, tt := range []struct {
		spec Spec
		want []string
	}{
		{paging, []string{
			dir + "pagerduty-routing-key", dir + "slack-genops-alerts", dir + "slack-genops-cost", dir + "slack-genops-cost-critical",
			dir + "slack-genops-infrastructure", dir + "slack-genops-performance", dir + "slack-genops-policy", dir + "smtp-password",
		}},
		{oneChannel, []string{dir + "slack-genops-development"}},
	} {
		if got := Build(tt.spec, Wiring{}).CredentialFiles(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: credential files\n%v\nwant\n%v", tt.spec, got, tt.want)
		}
	}
}
