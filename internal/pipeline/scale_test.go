package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/internal/dashjson"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack"
)

// syntheticTeams are n generated teams, with budgets from 500 to 5,250 USD,
// 25 cost centers and a channel each.
func syntheticTeams(n int) []stack.Team {
	teams := make([]stack.Team, n)
	for i := range teams {
		name := fmt.Sprintf("team-%04d", i+1)
		teams[i] = stack.Team{
			Name:             name,
			MonthlyBudgetUSD: float64(500 + 250*(i%20)),
			CostCenter:       fmt.Sprintf("cc-%02d", i%25),
			Channel:          "#" + name + "-budget",
		}
	}
	return teams
}

// scaled is the default stack with n synthetic teams.
func scaled(n int) stack.Definition {
	def := stack.Default()
	def.Content.Teams = syntheticTeams(n)
	return def
}

// TestScaledTeams generates the stack with 85 teams: no errors, the same
// warnings as the default stack, FinOps and two pages of team rows, each
// under the size kubectl apply can store, and every team's alert linking
// to the page holding its row.
func TestScaledTeams(t *testing.T) {
	res := generate(t, scaled(85))
	var got []string
	for _, f := range res.Findings {
		if f.Severity == finding.Error || !strings.Contains(f.Message, "by declared exception") {
			got = append(got, f.String())
		}
	}
	if len(got) > 0 {
		t.Fatalf("findings:\n%s", strings.Join(got, "\n"))
	}
	for uid, rows := range map[string]int{"genops-finops": 40, "genops-finops-teams-2": 40, "genops-finops-teams-3": 5} {
		data, ok := res.Files.Get("grafana/dashboards/" + uid + ".json")
		if !ok {
			t.Fatalf("%s not rendered", uid)
		}
		if len(data) > dashjson.WarnBytes {
			t.Errorf("%s is %d bytes, over %d", uid, len(data), dashjson.WarnBytes)
		}
		if n := strings.Count(string(data), `"type": "row"`); n != rows {
			t.Errorf("%s has %d team rows, want %d", uid, n, rows)
		}
	}
	data, _ := res.Files.Get("prometheus/rules/genops-team-budget-alerts.yaml")
	var rgs rulefmt.RuleGroups
	if err := yaml.Unmarshal(data, &rgs); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, r := range rgs.Groups[0].Rules {
		if r.Alert != "" {
			links[r.Labels["team"]] = r.Annotations["dashboard_url"]
		}
	}
	for team, uid := range map[string]string{"team-0040": "genops-finops", "team-0041": "genops-finops-teams-2", "team-0085": "genops-finops-teams-3"} {
		if want := "http://grafana.monitoring.svc/d/" + uid; links[team] != want {
			t.Errorf("%s links %q, want %q", team, links[team], want)
		}
	}
	if len(links) != 85 {
		t.Errorf("%d team alerts, want 85", len(links))
	}
}
