package pipeline

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// TestAlertmanagerConfigsPassAmtool runs the pinned `amtool check-config`
// over every rendered alertmanager.yaml. check-config loads the file as
// Alertmanager does (config.LoadFile) and parses its templates; it does
// not open the *_file credential paths, which Alertmanager reads only when
// it sends a notification, so the check needs no credentials.
func TestAlertmanagerConfigsPassAmtool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds amtool")
	}
	res := mustGenerate(t)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := writer.Replace(dir, res.Files); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, env := range stack.Default().Environments {
		paths = append(paths, filepath.Join(dir, alertmanagerDir, env.Name, "alertmanager.yaml"))
	}
	stdout, stderr, err := testutil.GoTool(t, "amtool", append([]string{"check-config"}, paths...)...)
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s%s", err, stdout, stderr)
	}
	if n := strings.Count(string(stdout), "  SUCCESS\n"); n != len(paths) {
		t.Errorf("amtool checked %d files successfully, want %d:\n%s", n, len(paths), stdout)
	}
}

// TestNotificationsPerEnvironment: where each environment's alerts notify,
// by Alertmanager's own route matching over the rendered configuration, for
// every alert of the stack. Where the environment pages, the critical cost
// alerts page and mail the escalation address, and the infrastructure and
// observability alerts page; elsewhere nobody is paged or mailed and every
// Slack notification posts to the environment's one channel. Policy alerts
// reach the GenOps AI webhook everywhere. Every receiver keeps its name in
// every environment; where there is no one channel, each receiver posts to
// a channel of its own and each team has a receiver posting to its channel.
func TestNotificationsPerEnvironment(t *testing.T) {
	def := stack.Default()
	teamChannels := map[string]string{}
	for _, tm := range def.Content.Teams {
		teamChannels[names.TeamReceiver(tm.Name)] = tm.Channel
	}
	var shared []string // the receivers every environment has, the teams' aside
	for i, env := range def.Environments {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := alertmanager.Load(s.AlertingYAML)
		if err != nil {
			t.Fatal(err)
		}
		receivers := map[string][]string{}
		var own []string
		channels := map[string]string{}
		for _, r := range s.Alerting.Receivers {
			receivers[r.Name] = receiverIntegrations(r)
			if _, ok := teamChannels[r.Name]; !ok {
				own = append(own, r.Name)
			}
			for _, sl := range r.Slack {
				switch {
				case env.Alerting.Channel != "" && sl.Channel != env.Alerting.Channel:
					t.Errorf("%s: receiver %s posts to %s, not the environment's one channel %s", env.Name, r.Name, sl.Channel, env.Alerting.Channel)
				case env.Alerting.Channel == "" && channels[sl.Channel] != "" && channels[sl.Channel] != r.Name:
					t.Errorf("%s: receivers %s and %s post to one channel %s", env.Name, channels[sl.Channel], r.Name, sl.Channel)
				}
				channels[sl.Channel] = r.Name
			}
			if !env.Alerting.Page && (len(r.PagerDuty) > 0 || len(r.Email) > 0) {
				t.Errorf("%s: receiver %s pages or mails (%v), but the environment pages nobody", env.Name, r.Name, receivers[r.Name])
			}
		}
		sort.Strings(own)
		if i == 0 {
			shared = own
		} else if !slices.Equal(own, shared) {
			t.Errorf("%s: receivers %v, %s has %v", env.Name, own, def.Environments[0].Name, shared)
		}
		for receiver, channel := range teamChannels {
			got, want := receivers[receiver], []string{"slack " + channel}
			if env.Alerting.Channel != "" {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: team receiver %s notifies %v, want %v", env.Name, receiver, got, want)
			}
		}
		webhook := fmt.Sprintf("webhook http://genops-ai.%s.svc/api/policy/alert", env.Namespaces.Workloads)
		for _, a := range s.Alerts {
			ls := labelSet(a.Labels)
			ls["alertname"] = model.LabelValue(a.Name)
			var got []string
			for _, r := range loaded.Receivers(ls) {
				got = append(got, receivers[r]...)
			}
			severity, category := a.Labels["severity"], a.Labels["category"]
			for _, want := range []struct {
				integration string
				when        bool
			}{
				{"pagerduty", env.Alerting.Page && (severity == "critical" && (category == "cost" || category == "slo") || category == "infrastructure" || category == "observability")},
				{"email " + env.Alerting.EmailTo, env.Alerting.Page && severity == "critical" && category == "cost"},
				{webhook, category == "policy"},
			} {
				if slices.Contains(got, want.integration) != want.when {
					t.Errorf("%s: alert %s %v notifies %v; want %q among them: %v", env.Name, a.Name, ls, got, want.integration, want.when)
				}
			}
		}
		if len(s.Alerts) == 0 {
			t.Errorf("%s: no alerts to route", env.Name)
		}
	}
}

func receiverIntegrations(r routing.Receiver) []string {
	var out []string
	for _, s := range r.Slack {
		out = append(out, "slack "+s.Channel)
	}
	for range r.PagerDuty {
		out = append(out, "pagerduty")
	}
	for _, e := range r.Email {
		out = append(out, "email "+e.To)
	}
	for _, w := range r.Webhook {
		out = append(out, "webhook "+w.URL)
	}
	return out
}

// TestBadRouting breaks the routing of the assembled production stack the
// way the seed does, and asserts what Check reports. The findings of the
// seed's inhibit rules name every alert the rules select: they are compared
// with testdata/bad-routing/<case>.golden, which -update rewrites (review
// the diff with the change of content). The others follow from the
// assembled stack: its alerts, its receivers, the routing table.
func TestBadRouting(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*routing.Config)
		// want are the errors; nil compares them with the golden file.
		want func(s *Stack) []string
	}{
		{"seed-inhibit-rules", func(c *routing.Config) {
			c.InhibitRules = []routing.InhibitRule{
				{SourceMatchers: []string{`severity="critical"`}, TargetMatchers: []string{`severity="warning"`}, Equal: []string{"alertname", "team", "project"}},
				{SourceMatchers: []string{`alertname="BudgetExhausted"`}, TargetMatchers: []string{`alertname=~"BudgetThreshold.*"`}, Equal: []string{"team", "project"}},
			}
		}, nil},
		// The seed's routes: every quality and observability alert, and
		// every such alert of the routing table, reaches the default
		// receiver only.
		{"seed-routes", func(c *routing.Config) {
			c.Route.Routes[3].Matchers = []string{`category="performance"`}
			c.Route.Routes[4].Matchers = []string{`category="infrastructure"`}
		}, func(s *Stack) []string {
			lost := func(ls routing.Labels) bool { return ls["category"] == "quality" || ls["category"] == "observability" }
			var out []string
			for _, a := range s.Alerts {
				if lost(a.Labels) {
					ls := labelSet(a.Labels)
					ls["alertname"] = model.LabelValue(a.Name)
					out = append(out, "environment production: alert "+a.Name+`: reaches only the default receiver "default" with its labels `+ls.String()+": add a route for it in routing/routes.go, or mark it ForDefault")
				}
			}
			for _, rt := range routing.RouteTests() {
				if lost(rt.Labels) {
					out = append(out, "environment production: routing test "+labelSet(rt.Labels).String()+": reaches default, want "+strings.Join(rt.Receivers, ", "))
				}
			}
			return out
		}},
		{"undefined-receiver", func(c *routing.Config) { c.Route.Routes[1].Receiver = "cost" }, func(s *Stack) []string {
			var defined []string
			for _, r := range s.Alerting.Receivers {
				defined = append(defined, r.Name)
			}
			sort.Strings(defined)
			return []string{`environment production: route routes[1] {severity="warning", category="cost"}: receiver "cost" is not defined; define it or use one of: ` + strings.Join(defined, ", ")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := stack.Default()
			s, err := Build(*environment(t, &def, "production"))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if tt.want != nil {
				if want = tt.want(s); len(want) == 0 {
					t.Fatal("no finding expected")
				}
			}
			tt.mutate(&s.Alerting)
			if s.AlertingYAML, err = alertmanager.Render(s.Alerting); err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				assertErrors(t, Check(s), want)
				return
			}
			var got []string
			for _, f := range Check(s) {
				if f.Severity == finding.Error {
					got = append(got, f.String())
				}
			}
			sort.Strings(got)
			assertGolden(t, "bad-routing/"+tt.name, got)
		})
	}
}

func labelSet(ls routing.Labels) model.LabelSet {
	out := model.LabelSet{}
	for k, v := range ls {
		out[model.LabelName(k)] = model.LabelValue(v)
	}
	return out
}

func TestBadAlertingSettings(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*stack.Environment)
		want   []string
	}{
		{"no credentials Secret", func(e *stack.Environment) { e.Alerting.CredentialsSecret = "" },
			[]string{"environment production: alerting: CredentialsSecret must name the existing Secret holding the notification credentials"}},
		{"paging without a mail relay", func(e *stack.Environment) { e.Alerting.SMTP.Smarthost = "" },
			[]string{"environment production: alerting: Page sends email: set SMTP.Smarthost, SMTP.From and EmailTo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertBadEnvironment(t, "production", tt.mutate, tt.want) })
	}
}

// TestLiteralSecretInARenderedConfig: a credential in a receiver's URL is
// reported on each rendered copy (the file and the Secret's), without its
// value.
func TestLiteralSecretInARenderedConfig(t *testing.T) {
	base, err := Build(stack.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	content := stack.DefaultContent()
	content.Routing = func(sp routing.Spec, w routing.Wiring) routing.Config {
		cfg := routing.Build(sp, w)
		i := slices.IndexFunc(cfg.Receivers, func(r routing.Receiver) bool { return r.Name == names.ReceiverPolicyViolations })
		cfg.Receivers[i].Webhook[0].URL = "https://genops.example.org/api/policy/alert?api_key=0123456789abcdef"
		return cfg
	}
	s, err := BuildWith(content, stack.Production())
	if err != nil {
		t.Fatal(err)
	}
	set, err := Render(base, []*Stack{s})
	if err != nil {
		t.Fatal(err)
	}
	assertErrors(t, Validate(set, catalog.Default()), []string{
		`alertmanager/production/alertmanager.yaml: receiver policy-violations: webhook_configs[0].url carries a credential (query parameter "api_key"): put the URL in the credentials Secret and use url_file`,
		`kubernetes/overlays/production/alertmanager-genops-config/alertmanager.yaml: receiver policy-violations: webhook_configs[0].url carries a credential (query parameter "api_key"): put the URL in the credentials Secret and use url_file`,
	})
}

// TestNoSecretValueInOut: every credential the rendered configs use is a
// file of the mounted credentials Secret.
func TestNoSecretValueInOut(t *testing.T) {
	res := mustGenerate(t)
	for _, f := range res.Files.Files() {
		if filepath.Base(f.Path) != "alertmanager.yaml" {
			continue
		}
		for _, line := range strings.Split(string(f.Data), "\n") {
			key, value, _ := strings.Cut(strings.TrimSpace(line), ": ")
			if strings.HasSuffix(key, "_file") && !strings.HasPrefix(value, routing.SecretsDir+"/alertmanager-genops-credentials/") {
				t.Errorf("%s: %s reads %s, outside the credentials Secret", f.Path, key, value)
			}
		}
	}
}
