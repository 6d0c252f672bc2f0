package routing

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/names"
)

// TestCredentialFiles: the files a configuration reads are keys of the one
// credentials Secret: a Slack webhook per channel, and the PagerDuty key and
// SMTP password only where the environment pages. CredentialFiles lists
// exactly the *_file fields of the configuration as Alertmanager reads it
// (its YAML keys), whatever receivers there are.
func TestCredentialFiles(t *testing.T) {
	const dir = "/etc/alertmanager/secrets/creds/"
	paging := Spec{Page: true, SMTP: SMTP{Smarthost: "smtp.example.org:587", From: "am@example.org"}, EmailTo: "oncall@example.org", CredentialsSecret: "creds"}
	oneChannel := Spec{Channel: "#genops-development", CredentialsSecret: "creds"}
	for _, tt := range []struct {
		spec Spec
		// must and mustNot are among the files, or not.
		must, mustNot []string
	}{
		{paging, []string{dir + "pagerduty-routing-key", dir + "smtp-password", dir + "slack-genops-alerts"}, nil},
		{oneChannel, []string{dir + "slack-genops-development"}, []string{dir + "pagerduty-routing-key", dir + "smtp-password", dir + "slack-genops-alerts"}},
	} {
		c := Build(tt.spec, Wiring{})
		got := c.CredentialFiles()
		if want := fileFields(t, c); !slices.Equal(got, want) {
			t.Errorf("%+v: credential files\n%v\nthe configuration's *_file fields\n%v", tt.spec, got, want)
		}
		for _, f := range got {
			if !strings.HasPrefix(f, dir) {
				t.Errorf("%+v: %s is not a key of the credentials Secret", tt.spec, f)
			}
		}
		for _, f := range tt.must {
			if !slices.Contains(got, f) {
				t.Errorf("%+v: credential files %v lack %s", tt.spec, got, f)
			}
		}
		for _, f := range tt.mustNot {
			if slices.Contains(got, f) {
				t.Errorf("%+v: credential files %v hold %s", tt.spec, got, f)
			}
		}
	}
	if got := Build(oneChannel, Wiring{}).CredentialFiles(); len(got) != 1 {
		t.Errorf("one channel: credential files %v, want its one webhook", got)
	}
}

// fileFields are the values of every *_file key of c as JSON (the keys are
// alertmanager.yaml's), sorted and without duplicates.
func fileFields(t *testing.T, c Config) []string {
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && strings.HasSuffix(k, "_file") {
					seen[s] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return slices.Sorted(maps.Keys(seen))
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
	one := Spec{Channel: "#genops-development", CredentialsSecret: "creds"}
	if with, without := Build(one, Wiring{Teams: teams}), Build(one, Wiring{}); !reflect.DeepEqual(with, without) {
		t.Errorf("one channel: the teams change the configuration:\n%+v\nwithout them:\n%+v", with, without)
	}
	if with, without := Build(paging, Wiring{Teams: teams}), Build(paging, Wiring{}); len(with.Receivers) != len(without.Receivers)+len(teams) {
		t.Errorf("channels of their own: %d receivers with %d teams, %d without", len(with.Receivers), len(teams), len(without.Receivers))
	}
}
