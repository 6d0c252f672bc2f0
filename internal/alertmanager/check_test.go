package alertmanager

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
)

const artifact = "environment test"

func spec() routing.Spec {
	return routing.Spec{
		Page:              true,
		SMTP:              routing.SMTP{Smarthost: "smtp.example.org:587", From: "alertmanager@example.org", Username: "alertmanager"},
		EmailTo:           "oncall@example.org",
		CredentialsSecret: "credentials",
	}
}

var wiring = routing.Wiring{
	Links:         names.Links{Grafana: "https://grafana.example.org", Runbooks: "https://runbooks.example.org"},
	PolicyWebhook: "http://genops-ai.genops-system.svc/api/policy/alert",
}

// fixtures are a few of the stack's alerts, with the labels their
// expressions keep (see alerts.Notifications): enough for every route and
// inhibit rule of routing.Build to select some.
func fixtures() []routing.Alert {
	alert := func(name, severity, category string, labels ...string) routing.Alert {
		return routing.Alert{Name: name, Labels: routing.Labels{"severity": severity, "category": category}, LabelNames: append(labels, "cluster")}
	}
	return []routing.Alert{
		alert("BudgetThreshold80Percent", "warning", "cost", "team", "budget"),
		alert("BudgetExhausted", "critical", "cost", "team", "project", "budget"),
		alert("PolicyViolationsDetected", "warning", "policy", "policy"),
		alert("HighPolicyViolationRate", "critical", "policy", "policy"),
		alert("LowQualityScore", "warning", "quality", "team", "model", "metric"),
		alert("OTelCollectorDown", "critical", "observability", "job", "instance", "namespace", "pod"),
		// An SLO's burn-rate alerts carry the SLO and its team as static
		// labels (alerts/slo.go).
		slo("SLOBurnRatePage", "critical"),
		slo("SLOBurnRateTicket", "warning"),
	}
}

// slo is a burn-rate alert of the SLO openai-availability, team ml-platform.
func slo(name, severity string) routing.Alert {
	return routing.Alert{Name: name, LabelNames: []string{"cluster"}, Labels: routing.Labels{
		"severity": severity, "category": "slo", "team": "ml-platform", "slo": "openai-availability",
	}}
}

// check renders cfg and checks it.
func check(t testing.TB, cfg routing.Config, alerts []routing.Alert, tests Tests) finding.List {
	t.Helper()
	data, err := Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return Check(artifact, cfg, data, alerts, tests)
}

func tables() Tests {
	return Tests{Routes: routing.RouteTests(), Inhibitions: routing.InhibitionTests()}
}

func assertFindings(t *testing.T, fs finding.List, want ...string) {
	t.Helper()
	got := fs.Strings()
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckPassesTheRoutingOfEveryKindOfEnvironment(t *testing.T) {
	paging := spec()
	oneChannel := spec()
	oneChannel.Page, oneChannel.Channel = false, "#genops-development"
	for _, s := range []routing.Spec{paging, oneChannel} {
		assertFindings(t, check(t, routing.Build(s, wiring), fixtures(), tables()))
	}
}

// TestCheckFindings breaks one thing at a time and asserts the exact findings.
func TestCheckFindings(t *testing.T) {
	// What the findings name of the default routing, read from it: a
	// receiver or a route added to it changes none of the cases.
	def := routing.Build(spec(), wiring)
	var defined []string
	for _, r := range def.Receivers {
		defined = append(defined, r.Name)
	}
	slices.Sort(defined)
	last := len(def.Route.Routes) - 1
	lastRoute := fmt.Sprintf("{%s}", strings.Join(def.Route.Routes[last].Matchers, ", "))
	tests := []struct {
		name   string
		mutate func(*routing.Config, *[]routing.Alert)
		want   []string
	}{
		{"unknown receiver", func(c *routing.Config, _ *[]routing.Alert) { c.Route.Routes[2].Receiver = "policy" }, []string{
			`environment test: route routes[2] {category="policy"}: receiver "policy" is not defined; define it or use one of: ` + strings.Join(defined, ", "),
			`warning: environment test: receiver policy-violations: is defined but no route sends to it`,
		}},
		{"duplicate receiver", func(c *routing.Config, _ *[]routing.Alert) {
			c.Receivers = append(c.Receivers, routing.Receiver{Name: names.ReceiverDefault})
		}, []string{
			`environment test: receiver default: is defined twice: receiver names must be unique`,
		}},
		{"root route without receiver", func(c *routing.Config, _ *[]routing.Alert) { c.Route.Receiver = "" }, []string{
			`environment test: root route: has no receiver: the root route's receiver gets every alert no other route takes`,
			`warning: environment test: receiver default: is defined but no route sends to it`,
		}},
		{"matcher that does not parse", func(c *routing.Config, _ *[]routing.Alert) {
			c.Route.Routes[2].Matchers = []string{`category=~"(policy"`}
		}, []string{
			`environment test: route routes[2] {category=~"(policy"}: matcher "category=~\"(policy\"" does not parse: error parsing regexp: missing closing ): ` + "`^(?:(policy)$`",
		}},
		{"route after a catch-all", func(c *routing.Config, _ *[]routing.Alert) {
			c.Route.Routes = slices.Insert(c.Route.Routes, last, routing.Route{Receiver: names.ReceiverDefault})
		}, []string{
			fmt.Sprintf(`environment test: route routes[%d] %s: is unreachable: the earlier sibling route routes[%d] {} takes every alert it matches and does not continue; move this route above it, or set Continue on it`, last+1, lastRoute, last),
		}},
		{"route shadowed by a regex", func(c *routing.Config, _ *[]routing.Alert) {
			c.Route.Routes[3].Continue = false
			c.Route.Routes = append(c.Route.Routes, routing.Route{Matchers: []string{`category="quality"`, `severity="critical"`}, Receiver: names.ReceiverCostCritical})
		}, []string{
			fmt.Sprintf(`environment test: route routes[%d] {category="quality", severity="critical"}: is unreachable: the earlier sibling route routes[3] {category=~"performance|quality"} takes every alert it matches and does not continue; move this route above it, or set Continue on it`, last+1),
		}},
		{"route contradicting its parent", func(c *routing.Config, _ *[]routing.Alert) {
			c.Route.Routes[0].Routes = []routing.Route{{Matchers: []string{`severity="warning"`}, Receiver: names.ReceiverCostWarning}}
		}, []string{
			`environment test: route routes[0].routes[0] {severity="warning"}: can never match: severity="critical" (from route routes[0] {severity="critical", category="cost"}) and severity="warning" cannot both hold`,
		}},
		{"template that does not render", func(c *routing.Config, _ *[]routing.Alert) {
			c.Receivers[2].Slack[0].Title = "{{ .GroupLabel.alertname }}"
		}, []string{
			`environment test: receiver cost-warning: slack_configs[0].title does not render: template: :1:14: executing "" at <.GroupLabel.alertname>: can't evaluate field GroupLabel in type *template.Data`,
		}},
		{"link that is not absolute", func(c *routing.Config, _ *[]routing.Alert) { c.Receivers[1].Slack[0].Actions[0].URL = "/d/genops-cost" }, []string{
			`environment test: receiver cost-critical: slack_configs[0].actions[0].url renders to "/d/genops-cost", which is not an absolute http(s) URL`,
		}},
		{"runbook fallback that is not absolute", func(c *routing.Config, _ *[]routing.Alert) {
			c.Receivers[0].Slack[0].Actions[0].URL = "{{ .CommonAnnotations.runbook_url }}"
		}, []string{
			`environment test: receiver default: slack_configs[0].actions[0].url renders to "" for an alert without annotations, which is not an absolute http(s) URL`,
		}},
		{"alert no route takes", func(c *routing.Config, _ *[]routing.Alert) {
			c.Route.Routes[3].Matchers = []string{`category="performance"`}
		}, []string{
			`environment test: alert LowQualityScore: reaches only the default receiver "default" with its labels {alertname="LowQualityScore", category="quality", severity="warning"}: add a route for it in routing/routes.go, or mark it ForDefault`,
			`environment test: routing test {alertname="LowQualityScore", category="quality", metric="relevance", model="gpt-4", severity="warning"}: reaches default, want performance-alerts`,
		}},
		{"alert for the default receiver that is routed", func(_ *routing.Config, as *[]routing.Alert) { (*as)[4].ForDefault = true }, []string{
			`environment test: alert LowQualityScore: is marked ForDefault but routes to performance-alerts: remove the mark or the route`,
		}},
		{"inhibition whose equal label the targets lack", func(c *routing.Config, _ *[]routing.Alert) {
			c.InhibitRules[2].Equal = []string{"team", "project"}
		}, []string{
			`environment test: inhibit_rules[2]: equal label "project" is missing on target alerts BudgetThreshold80Percent: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop "project" from equal or narrow the matchers to alerts that carry it`,
			`environment test: inhibit_rules[2]: can never mute: no target alert (BudgetThreshold80Percent) agrees with a source alert (BudgetExhausted) on the equal labels team, project`,
			`environment test: inhibition test "an exhausted budget mutes its team's thresholds": {alertname="BudgetThreshold95Percent", category="cost", severity="critical", team="ml-platform"} is not muted, want muted`,
		}},
		{"inhibition equal on a label of one side only", func(c *routing.Config, _ *[]routing.Alert) {
			c.InhibitRules[0].Equal = []string{"alertname"}
		}, []string{
			`environment test: inhibit_rules[0]: can never mute: no target alert (BudgetThreshold80Percent) agrees with a source alert (BudgetExhausted) on the equal labels alertname`,
			`environment test: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="BudgetThreshold80Percent", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment test: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="CostAnomaly", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
			`environment test: inhibition test "a critical budget alert mutes its team's cost warnings, not other teams'": {alertname="TeamBudgetForecast", category="cost", severity="warning", team="ml-platform"} is not muted, want muted`,
		}},
		{"inhibition that selects no alert", func(c *routing.Config, _ *[]routing.Alert) {
			c.InhibitRules[2].SourceMatchers = []string{`alertname="BudgetDepleted"`}
		}, []string{
			`environment test: inhibit_rules[2]: source matchers {alertname="BudgetDepleted"} select no alert: the rule never mutes anything`,
			`environment test: inhibition test "an exhausted budget mutes its team's thresholds": {alertname="BudgetThreshold95Percent", category="cost", severity="critical", team="ml-platform"} is not muted, want muted`,
		}},
		{"configuration Alertmanager rejects", func(c *routing.Config, _ *[]routing.Alert) { c.Route.GroupWait = "soon" }, []string{
			`environment test: alertmanager config: does not load in Alertmanager: not a valid duration string: "soon"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, alerts := routing.Build(spec(), wiring), fixtures()
			tt.mutate(&cfg, &alerts)
			assertFindings(t, check(t, cfg, alerts, tables()), tt.want...)
		})
	}
}

func TestRoutingTableMismatch(t *testing.T) {
	tests := Tests{
		Routes: []routing.RouteTest{{Labels: routing.Labels{"alertname": "BudgetExhausted", "severity": "critical", "category": "cost"}, Receivers: []string{names.ReceiverCostWarning}}},
		Inhibitions: []routing.InhibitionTest{{Name: "policy", Firing: []routing.Firing{
			{Labels: routing.Labels{"alertname": "HighPolicyViolationRate", "severity": "critical", "category": "policy", "policy": "pii"}, Muted: true},
			{Labels: routing.Labels{"alertname": "PolicyViolationsDetected", "severity": "warning", "category": "policy", "policy": "pii"}, Muted: false},
		}}},
	}
	assertFindings(t, check(t, routing.Build(spec(), wiring), fixtures(), tests),
		`environment test: routing test {alertname="BudgetExhausted", category="cost", severity="critical"}: reaches cost-critical, want cost-warning`,
		`environment test: inhibition test "policy": {alertname="HighPolicyViolationRate", category="policy", policy="pii", severity="critical"} is not muted, want muted`,
		`environment test: inhibition test "policy": {alertname="PolicyViolationsDetected", category="policy", policy="pii", severity="warning"} is muted, want not muted`,
	)
}

// TestCheckTeamRouting: each team's budget alert, a static team label on
// it, reaches the cost warnings and its team's receiver; the team routing
// tests catch a team route that is gone and a cost route that stops the
// alert before it reaches the team routes.
func TestCheckTeamRouting(t *testing.T) {
	teams := []names.Team{{Name: "ml-platform", Channel: "#ml-platform-budget"}, {Name: "research", Channel: "#research-budget"}}
	w := wiring
	w.Teams = teams
	alerts := fixtures()
	for _, team := range teams {
		alerts = append(alerts, routing.Alert{Name: names.TeamBudgetForecast,
			Labels: routing.Labels{"severity": "warning", "category": "cost", "team": team.Name}, LabelNames: []string{"cluster"}})
	}
	tests := []struct {
		name   string
		mutate func(*routing.Config)
		want   []string
	}{
		{"as built", func(*routing.Config) {}, nil},
		{"a team's route is gone", func(c *routing.Config) {
			teamRoutes := &c.Route.Routes[len(c.Route.Routes)-1]
			teamRoutes.Routes = teamRoutes.Routes[:1]
		}, []string{
			// team-research still has routes: the SLO and budget threshold
			// routes send the team's alerts to it too.
			`environment test: routing test {alertname="TeamBudgetForecast", category="cost", severity="warning", team="research"}: reaches cost-warning, default, want cost-warning, team-research`,
		}},
		{"the cost warnings stop there", func(c *routing.Config) { c.Route.Routes[1].Continue = false }, []string{
			`environment test: routing test {alertname="TeamBudgetForecast", category="cost", severity="warning", team="ml-platform"}: reaches cost-warning, want cost-warning, team-ml-platform`,
			`environment test: routing test {alertname="TeamBudgetForecast", category="cost", severity="warning", team="research"}: reaches cost-warning, want cost-warning, team-research`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := routing.Build(spec(), w)
			tt.mutate(&cfg)
			tables := Tests{Routes: append(routing.RouteTests(), routing.TeamRouteTests(spec(), teams)...), Inhibitions: routing.InhibitionTests()}
			assertFindings(t, check(t, cfg, alerts, tables), tt.want...)
		})
	}
}
