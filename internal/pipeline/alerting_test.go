package pipeline

import (
	"github.com/koshihq/genops-stack/stack"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
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

// TestNotificationsPerEnvironment is where each environment's receivers
// notify: production pages for critical cost and infrastructure alerts,
// the other environments post everything to their one channel and page
// nobody. Every receiver keeps its name everywhere. Only production has a
// receiver per team: elsewhere the one channel gets the teams' alerts
// through the cost routes.
func TestNotificationsPerEnvironment(t *testing.T) {
	seed := map[string][]string{
		names.ReceiverDefault:              {"slack #genops-alerts"},
		names.ReceiverCostCritical:         {"slack #genops-cost-critical", "pagerduty", "email platform-team@example.com"},
		names.ReceiverCostWarning:          {"slack #genops-cost"},
		names.ReceiverPolicyViolations:     {"slack #genops-policy", "webhook http://genops-ai.genops-system.svc/api/policy/alert"},
		names.ReceiverPerformanceAlerts:    {"slack #genops-performance"},
		names.ReceiverInfrastructureAlerts: {"slack #genops-infrastructure", "pagerduty"},
	}
	oneChannel := func(channel string) map[string][]string {
		m := map[string][]string{}
		for r := range seed {
			m[r] = []string{"slack " + channel}
		}
		m[names.ReceiverPolicyViolations] = append(m[names.ReceiverPolicyViolations], "webhook http://genops-ai.genops-system.svc/api/policy/alert")
		return m
	}
	prod := map[string][]string{
		"team-ml-platform": {"slack #ml-platform-budget"},
		"team-research":    {"slack #research-budget"},
	}
	for r, n := range seed {
		prod[r] = n
	}
	want := map[string]map[string][]string{
		"production":  prod,
		"staging":     oneChannel("#genops-staging"),
		"development": oneChannel("#genops-development"),
	}
	for _, env := range stack.Default().Environments {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, r := range s.Alerting.Receivers {
			got[r.Name] = receiverIntegrations(r)
		}
		for name, w := range want[env.Name] {
			if !slices.Equal(got[name], w) {
				t.Errorf("%s: receiver %s notifies %v, want %v", env.Name, name, got[name], w)
			}
		}
		if len(got) != len(want[env.Name]) {
			t.Errorf("%s: %d receivers, want %d", env.Name, len(got), len(want[env.Name]))
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
// way the seed does, and asserts what Check reports.
func TestBadRouting(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*routing.Config)
		want   []string
	}{
		{"the seed's inhibit rules", func(c *routing.Config) {
			c.InhibitRules = []routing.InhibitRule{
				{SourceMatchers: []string{`severity="critical"`}, TargetMatchers: []string{`severity="warning"`}, Equal: []string{"alertname", "team", "project"}},
				{SourceMatchers: []string{`alertname="BudgetExhausted"`}, TargetMatchers: []string{`alertname=~"BudgetThreshold.*"`}, Equal: []string{"team", "project"}},
			}
		}, []string{
			`environment production: inhibit_rules[0]: equal label "team" is missing on source alerts HighPolicyViolationRate, HighErrorRate, GenOpsPodDown, OTelCollectorDown and target alerts PolicyViolationsDetected, HighLatency, HighMemoryUsage: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop "team" from equal or narrow the matchers to alerts that carry it`,
			`environment production: inhibit_rules[0]: equal label "project" is missing on source alerts BudgetThreshold95Percent, HighPolicyViolationRate, HighErrorRate, GenOpsPodDown, OTelCollectorDown and target alerts BudgetThreshold80Percent, CostAnomaly, PolicyViolationsDetected, HighLatency, LowQualityScore, HighMemoryUsage, TeamBudgetForecast: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop "project" from equal or narrow the matchers to alerts that carry it`,
			`environment production: inhibit_rules[0]: can never mute: no target alert (BudgetThreshold80Percent, CostAnomaly, PolicyViolationsDetected, HighLatency, LowQualityScore, HighMemoryUsage, TeamBudgetForecast) agrees with a source alert (BudgetThreshold95Percent, BudgetExhausted, HighPolicyViolationRate, HighErrorRate, GenOpsPodDown, OTelCollectorDown) on the equal labels alertname, team, project`,
			`environment production: inhibit_rules[1]: equal label "project" is missing on target alerts BudgetThreshold80Percent, BudgetThreshold95Percent: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop "project" from equal or narrow the matchers to alerts that carry it`,
			`environment production: inhibit_rules[1]: can never mute: no target alert (BudgetThreshold80Percent, BudgetThreshold95Percent) agrees with a source alert (BudgetExhausted) on the equal labels team, project`,
			`environment production: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="BudgetThreshold80Percent", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment production: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="CostAnomaly", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment production: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="TeamBudgetForecast", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment production: inhibition test "an exhausted budget mutes its team's thresholds": {alertname="BudgetThreshold95Percent", category="cost", severity="critical", team="ml-platform"} is not muted, want muted`,
			`environment production: inhibition test "an exhausted budget mutes its team's thresholds": {alertname="BudgetThreshold80Percent", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment production: inhibition test "a high violation rate mutes the warning of its policy": {alertname="PolicyViolationsDetected", category="policy", policy="content-safety", severity="warning"} is not muted, want muted`,
		}},
		{"the seed's routes: quality and observability alerts reach the default receiver", func(c *routing.Config) {
			c.Route.Routes[3].Matchers = []string{`category="performance"`}
			c.Route.Routes[4].Matchers = []string{`category="infrastructure"`}
		}, []string{
			`environment production: alert LowQualityScore: reaches only the default receiver "default" with its labels {alertname="LowQualityScore", category="quality", severity="warning"}: add a route for it in routing/routes.go, or mark it ForDefault`,
			`environment production: alert OTelCollectorDown: reaches only the default receiver "default" with its labels {alertname="OTelCollectorDown", category="observability", severity="critical"}: add a route for it in routing/routes.go, or mark it ForDefault`,
			`environment production: routing test {alertname="LowQualityScore", category="quality", metric="relevance", model="gpt-4", severity="warning"}: reaches default, want performance-alerts`,
			`environment production: routing test {alertname="OTelCollectorDown", category="observability", job="otel-collector", severity="critical"}: reaches default, want infrastructure-alerts`,
		}},
		{"a route to an undefined receiver", func(c *routing.Config) { c.Route.Routes[1].Receiver = "cost" }, []string{
			`environment production: route routes[1] {severity="warning", category="cost"}: receiver "cost" is not defined; define it or use one of: cost-critical, cost-warning, default, infrastructure-alerts, performance-alerts, policy-violations, team-ml-platform, team-research`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Build(stack.Production())
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(&s.Alerting)
			if s.AlertingYAML, err = alertmanager.Render(s.Alerting); err != nil {
				t.Fatal(err)
			}
			assertErrors(t, Check(s), tt.want)
		})
	}
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
		t.Run(tt.name, func(t *testing.T) { assertBadProduction(t, tt.mutate, tt.want) })
	}
}

// TestLiteralSecretInARenderedConfig: a credential in a receiver's URL is
// reported on the rendered file, without its value.
func TestLiteralSecretInARenderedConfig(t *testing.T) {
	base, err := Build(stack.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(stack.Production())
	if err != nil {
		t.Fatal(err)
	}
	s.Alerting.Receivers[3].Webhook[0].URL = "https://genops.example.org/api/policy/alert?api_key=0123456789abcdef"
	if s.AlertingYAML, err = alertmanager.Render(s.Alerting); err != nil {
		t.Fatal(err)
	}
	set, err := Render(base, []*Stack{s})
	if err != nil {
		t.Fatal(err)
	}
	assertErrors(t, Validate(set, catalog.Default()), []string{
		`alertmanager/production/alertmanager.yaml: receiver policy-violations: webhook_configs[0].url carries a credential (query parameter "api_key"): put the URL in the credentials Secret and use url_file`,
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
