package pipeline

import (
	"testing"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/stack"
)

func TestCheckLinks(t *testing.T) {
	links := []stack.Links{{Grafana: "http://grafana.monitoring.svc", Runbooks: "https://git.example.org/out/runbooks"}}
	set := files.NewSet()
	for _, f := range []files.File{
		{Path: "grafana/dashboards/genops-cost.json", Kind: files.Dashboard, Data: []byte(`{"links": [{"url": "https://git.example.org/out/runbooks/CostAnomaly.md"}, {"url": "/d/genops-finops?var-team=x"}]}`)},
		{Path: "runbooks/CostAnomaly.md", Kind: files.Runbook, Data: []byte("Open http://grafana.monitoring.svc/d/genops-cost first.\n")},
		{Path: "alertmanager/production/alertmanager.yaml", Kind: files.AlertmanagerConfig, Data: []byte("url: http://grafana.monitoring.svc/d/genops-policy\n" +
			"url: '{{ or .CommonAnnotations.runbook_url \"https://git.example.org/out/runbooks\" }}'\n" +
			"url: https://git.example.org/out/runbooks/BudgetExhausted.md\n")},
		{Path: "prometheus/rules/x.yaml", Kind: files.RuleFile, Data: []byte("dashboard_url: http://grafana.monitoring.svc/d/nothing\n")},
	} {
		if err := set.AddFile(f); err != nil {
			t.Fatal(err)
		}
	}
	got := checkLinks(set, links).Strings()
	want := []string{
		"alertmanager/production/alertmanager.yaml: link /d/genops-policy: points at dashboard genops-policy, which the stack does not render (genops-cost)",
		"alertmanager/production/alertmanager.yaml: link BudgetExhausted.md: points at runbook BudgetExhausted.md, which the stack does not render (runbooks are rendered for alerts: out/runbooks/<alert>.md)",
		"grafana/dashboards/genops-cost.json: link /d/genops-finops: points at dashboard genops-finops, which the stack does not render (genops-cost)",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings:\n%q", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}
