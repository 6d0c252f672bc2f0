package pipeline

import (
	"regexp"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack"
)

// teamsArtifact names the teams in findings.
const teamsArtifact = "teams"

var (
	teamName     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	slackChannel = regexp.MustCompile(`^#[a-z0-9][a-z0-9._-]{0,79}$`)
)

// checkTeams checks the teams once for every environment: names that can
// be a label value, a receiver and a dashboard row, unique; a positive
// budget, budget thresholds above 0 and at most 100 % and each once, a cost
// center and a Slack channel.
func checkTeams(teams []stack.Team) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	owner := map[string]string{}
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
		seenThreshold := map[float64]bool{}
		for _, th := range t.Thresholds() {
			if !(th > 0 && th <= 100) {
				fs.Errorf(teamsArtifact, obj, "team", "budget threshold %v%% must be above 0 and at most 100", th)
			}
			if seenThreshold[th] {
				fs.Errorf(teamsArtifact, obj, "team", "budget threshold %v%% is listed twice: it would notify twice", th)
			}
			seenThreshold[th] = true
		}
		if t.CostCenter == "" {
			fs.Errorf(teamsArtifact, obj, "team", "has no CostCenter: the team's spend is charged to it")
		}
		if !slackChannel.MatchString(t.Channel) {
			fs.Errorf(teamsArtifact, obj, "team", "Channel %q is not a Slack channel like #%s-budget (lower-case letters, digits, '-', '_', '.')", t.Channel, t.Name)
		}
		for _, ns := range t.Namespaces {
			switch {
			case !teamName.MatchString(ns) || len(ns) > 63:
				fs.Errorf(teamsArtifact, obj, "team-namespace", "namespace %q is not a namespace name (lower-case letters, digits and '-', at most 63)", ns)
			case owner[ns] == t.Name:
				fs.Errorf(teamsArtifact, obj, "team-namespace", "namespace %s is listed twice", ns)
			case owner[ns] != "":
				fs.Errorf(teamsArtifact, obj, "team-namespace", "namespace %s is claimed by team %s too: a namespace has one owner, who is charged for every span sent from it", ns, owner[ns])
			default:
				owner[ns] = t.Name
			}
		}
	}
	return fs
}
