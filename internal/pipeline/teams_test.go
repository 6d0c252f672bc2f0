package pipeline

import (
	"math"
	"testing"

	"github.com/koshihq/genops-stack/stack"
)

// TestBadTeams feeds one mistake in the teams at a time: the run stops
// before building any environment, with exactly that finding.
func TestBadTeams(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ts []stack.Team) []stack.Team
		want   []string
	}{
		{"name with spaces and capitals", func(ts []stack.Team) []stack.Team { ts[0].Name = "ML Platform"; return ts },
			[]string{`teams: team ML Platform: name "ML Platform" must be lower-case letters, digits and '-': it is the team label of the metrics and names the team's receiver`}},
		{"duplicate", func(ts []stack.Team) []stack.Team { ts[1].Name = ts[0].Name; return ts },
			[]string{"teams: team ml-platform: team ml-platform is defined twice"}},
		{"no budget", func(ts []stack.Team) []stack.Team { ts[0].MonthlyBudgetUSD = 0; return ts },
			[]string{"teams: team ml-platform: MonthlyBudgetUSD must be positive, got 0"}},
		{"budget not a number", func(ts []stack.Team) []stack.Team { ts[1].MonthlyBudgetUSD = math.NaN(); return ts },
			[]string{"teams: team research: MonthlyBudgetUSD must be positive, got NaN"}},
		{"budget threshold above 100", func(ts []stack.Team) []stack.Team { ts[0].BudgetThresholds = []float64{50, 120}; return ts },
			[]string{"teams: team ml-platform: budget threshold 120% must be above 0 and at most 100"}},
		{"budget threshold listed twice", func(ts []stack.Team) []stack.Team { ts[1].BudgetThresholds = []float64{50, 80, 80}; return ts },
			[]string{"teams: team research: budget threshold 80% is listed twice: it would notify twice"}},
		{"no cost center", func(ts []stack.Team) []stack.Team { ts[0].CostCenter = ""; return ts },
			[]string{"teams: team ml-platform: has no CostCenter: the team's spend is charged to it"}},
		{"channel without #", func(ts []stack.Team) []stack.Team { ts[1].Channel = "research-budget"; return ts },
			[]string{`teams: team research: Channel "research-budget" is not a Slack channel like #research-budget (lower-case letters, digits, '-', '_', '.')`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := stack.Default()
			def.Content.Teams = tt.mutate(def.Content.Teams)
			res := generate(t, def)
			assertErrors(t, res.Findings, tt.want)
			if res.Files != nil {
				t.Error("files rendered despite errors")
			}
		})
	}
}

// TestNoTeams: a stack without teams has no team budget group, no team
// routes and no team rows.
func TestNoTeams(t *testing.T) {
	def := stack.Default()
	def.Content.Teams = nil
	res := generate(t, def)
	if res.Findings.Errors() > 0 {
		t.Fatal(res.Findings)
	}
	for _, p := range []string{"prometheus/rules/genops-team-budget-alerts.yaml", "runbooks/TeamBudgetForecast.md"} {
		if _, ok := res.Files.Get(p); ok {
			t.Errorf("%s rendered without teams", p)
		}
	}
}
