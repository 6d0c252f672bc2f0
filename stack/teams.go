package stack

import (
	"regexp"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/routing"
)

// Team is a team that runs AI workloads on the stack and owns a monthly
// budget. Each team gets a budget forecast alert of its own, a route that
// brings it to the team's channel, and a row on the FinOps dashboard.
type Team struct {
	// Name is the team label the GenOps SDK sets (genops.team) and the
	// metrics carry.
	Name string
	// MonthlyBudgetUSD is what the team may spend in a calendar month.
	MonthlyBudgetUSD float64
	// CostCenter is what the team's spend is charged to.
	CostCenter string
	// Channel is the Slack channel the team's budget notifications go to.
	// Its incoming webhook is the key slack-<channel> of the credentials
	// Secret (Slack binds a webhook to one channel).
	Channel string
}

// Teams are the teams of this repository's stack (DefaultContent): the two
// of the seed's sample data (ml-platform has spent 125.50 USD of 1,000).
func Teams() []Team {
	return []Team{
		{Name: "ml-platform", MonthlyBudgetUSD: 1000, CostCenter: "engineering", Channel: "#ml-platform-budget"},
		{Name: "research", MonthlyBudgetUSD: 750, CostCenter: "research", Channel: "#research-budget"},
	}
}

// teamsArtifact names the teams in findings.
const teamsArtifact = "teams"

var (
	teamName     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	slackChannel = regexp.MustCompile(`^#[a-z0-9][a-z0-9._-]{0,79}$`)
)

// checkTeams checks the teams once for every environment: names that can
// be a label value, a receiver and a dashboard row, unique; a positive
// budget, a cost center and a Slack channel.
func checkTeams(teams []Team) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	for _, t := range teams {
		obj := "team " + t.Name
		if !teamName.MatchString(t.Name) {
			fs.Errorf(teamsArtifact, obj, "team", "name %q must be lower-case letters, digits and '-': it is the team label of the metrics and names the team's receiver", t.Name)
		}
		if seen[t.Name] {
			fs.Errorf(teamsArtifact, obj, "team", "team %s is defined twice", t.Name)
		}
		seen[t.Name] = true
		if !(t.MonthlyBudgetUSD > 0) {
			fs.Errorf(teamsArtifact, obj, "team", "MonthlyBudgetUSD must be positive, got %v", t.MonthlyBudgetUSD)
		}
		if t.CostCenter == "" {
			fs.Errorf(teamsArtifact, obj, "team", "has no CostCenter: the team's spend is charged to it")
		}
		if !slackChannel.MatchString(t.Channel) {
			fs.Errorf(teamsArtifact, obj, "team", "Channel %q is not a Slack channel like #%s-budget (lower-case letters, digits, '-', '_', '.')", t.Channel, t.Name)
		}
	}
	return fs
}

// alertTeams, routingTeams and dashboardTeams are the teams as the content
// packages take them.
func alertTeams(teams []Team) []alerts.Team {
	out := make([]alerts.Team, len(teams))
	for i, t := range teams {
		out[i] = alerts.Team{Name: t.Name, MonthlyBudgetUSD: t.MonthlyBudgetUSD, CostCenter: t.CostCenter, Dashboard: dashboards.TeamDashboard(i)}
	}
	return out
}

func routingTeams(teams []Team) []routing.Team {
	out := make([]routing.Team, len(teams))
	for i, t := range teams {
		out[i] = routing.Team{Name: t.Name, Channel: t.Channel}
	}
	return out
}

func dashboardTeams(teams []Team) []dashboards.Team {
	out := make([]dashboards.Team, len(teams))
	for i, t := range teams {
		out[i] = dashboards.Team{Name: t.Name, MonthlyBudgetUSD: t.MonthlyBudgetUSD, CostCenter: t.CostCenter}
	}
	return out
}
