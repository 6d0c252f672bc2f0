package names

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLeaf: the package imports nothing of this module, so every package,
// the content packages and the stack alike, can import it.
func TestLeaf(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, p := range paths {
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "github.com/koshihq/genops-stack") {
				t.Errorf("%s imports %s: package names must import nothing of ours", p, path)
			}
		}
	}
}

// TestTeamDashboard: the first TeamsPerDashboard teams are on FinOps, then
// each page holds TeamsPerDashboard more.
func TestTeamDashboard(t *testing.T) {
	for i, want := range map[int]string{
		0:                       "genops-finops",
		TeamsPerDashboard - 1:   "genops-finops",
		TeamsPerDashboard:       "genops-finops-teams-2",
		2*TeamsPerDashboard - 1: "genops-finops-teams-2",
		2 * TeamsPerDashboard:   "genops-finops-teams-3",
	} {
		if got := TeamDashboard(i); got != want {
			t.Errorf("TeamDashboard(%d) = %s, want %s", i, got, want)
		}
	}
}

// TestLinks: one slash between the base URLs and what they link to, with or
// without a trailing slash on the base.
func TestLinks(t *testing.T) {
	for _, l := range []Links{
		{Grafana: "https://grafana.example.org", Runbooks: "https://git.example.org/out/runbooks"},
		{Grafana: "https://grafana.example.org/", Runbooks: "https://git.example.org/out/runbooks/"},
	} {
		if got := l.DashboardURL(DashboardCost); got != "https://grafana.example.org/d/genops-cost" {
			t.Errorf("%+v: dashboard URL %s", l, got)
		}
		if got := l.RunbookURL(CostAnomaly); got != "https://git.example.org/out/runbooks/CostAnomaly.md" {
			t.Errorf("%+v: runbook URL %s", l, got)
		}
	}
}
