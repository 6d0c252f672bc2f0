package routing

import (
	"reflect"
	"slices"
	"testing"

	"github.com/koshihq/genops-stack/names"
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

// TestTeamRoutes: where the environment has channels of its own, each team
// gets a receiver posting to its channel (its own webhook key) and a route
// under the last route of the tree; where one channel takes everything,
// neither.
func TestTeamRoutes(t *testing.T) {
	teams := []names.Team{{Name: "ml-platform", Channel: "#ml-platform-budget"}, {Name: "research", Channel: "#research-budget"}}
	paging := Spec{Page: true, SMTP: SMTP{Smarthost: "smtp.example.org:587", From: "am@example.org"}, EmailTo: "oncall@example.org", CredentialsSecret: "creds"}
	c := Build(paging, Wiring{Links: names.Links{Grafana: "https://grafana.example.org"}, Teams: teams})
	last := c.Route.Routes[len(c.Route.Routes)-1]
	want := Route{Matchers: []string{`alertname="TeamBudgetForecast"`}, Routes: []Route{
		{Matchers: []string{`team="ml-platform"`}, Receiver: "team-ml-platform"},
		{Matchers: []string{`team="research"`}, Receiver: "team-research"},
	}}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("last route %+v\nwant %+v", last, want)
	}
	r := c.Receivers[len(c.Receivers)-1]
	if r.Name != "team-research" || len(r.Slack) != 1 || r.Slack[0].Channel != "#research-budget" ||
		r.Slack[0].APIURLFile != "/etc/alertmanager/secrets/creds/slack-research-budget" ||
		r.Slack[0].Actions[0].URL != "https://grafana.example.org/d/genops-finops" {
		t.Errorf("team receiver %+v", r)
	}
	if files := c.CredentialFiles(); !slices.Contains(files, "/etc/alertmanager/secrets/creds/slack-ml-platform-budget") {
		t.Errorf("credential files %v lack the team channel's key", files)
	}
	oneChannel := Build(Spec{Channel: "#genops-development", CredentialsSecret: "creds"}, Wiring{Teams: teams})
	if n, m := len(oneChannel.Route.Routes), len(oneChannel.Receivers); n != len(routes().Routes) || m != 6 {
		t.Errorf("one channel: %d routes and %d receivers, want the seed's %d and 6", n, m, len(routes().Routes))
	}
}
