package pipeline

import (
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// TestPrometheusRulesSelected: Prometheus (kube-prometheus-stack) selects
// every PrometheusRule of every environment, and each holds one group.
func TestPrometheusRulesSelected(t *testing.T) {
	for _, env := range stack.Default().Environments {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		sel := labels.SelectorFromSet(s.KubePrometheus.Prometheus.PrometheusSpec.RuleSelector.MatchLabels)
		n := 0
		for _, o := range s.Objects() {
			pr, ok := o.(*monitoringv1.PrometheusRule)
			if !ok {
				continue
			}
			n++
			if !sel.Matches(labels.Set(pr.Labels)) {
				t.Errorf("%s: PrometheusRule %s has labels %v; Prometheus selects %s", env.Name, pr.Name, pr.Labels, sel)
			}
			if len(pr.Spec.Groups) != 1 || pr.Spec.Groups[0].Name != pr.Name {
				t.Errorf("%s: PrometheusRule %s should hold its one group", env.Name, pr.Name)
			}
		}
		if n != len(s.RuleGroups) {
			t.Errorf("%s: %d PrometheusRules for %d groups", env.Name, n, len(s.RuleGroups))
		}
	}
}

// TestValidateLintsByKind: Validate lints every rule file, dashboard and
// runbook by its kind, and checks where alerts link to.
func TestValidateLintsByKind(t *testing.T) {
	set := files.NewSet()
	add := func(p string, k files.Kind, data string) {
		if err := set.Add(p, k, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	add("prometheus/rules/genops-extra.yaml", files.RuleFile, `groups:
- name: genops-extra
  rules:
  - alert: CostRising
    expr: rate(genops_budget_remaining_usd[5m]) > 1
    for: 5m
    labels: {severity: warning, category: cost}
    annotations:
      summary: Cost rising
      description: "{{ $labels.model }}"
      runbook_url: https://example.com/runbooks/CostRising.md
      dashboard_url: https://grafana.example.com/d/genops-costs
`)
	add("runbooks/Other.md", files.Runbook, "```promql\nsum by (policy_type) (genops_policy_violations_total)\n```\n")
	add("grafana/dashboards/genops-cost.json", files.Dashboard, `{"uid": "genops-cost", "title": "Cost", "panels": [
  {"title": "Spend", "datasource": {"type": "prometheus", "uid": "genops-prometheus"}, "targets": [{"expr": "sum(increase(genops_budget_remaining_usd[1h]))"}]}
]}`)
	add("otel/x/collector.yaml", files.CollectorConfig, "not: linted\n")
	var got []string
	for _, f := range Validate(set, catalog.Default()) {
		if f.Check != "dashboard-strict" { // the fixture is no complete dashboard: only the lint is under test
			got = append(got, f.String())
		}
	}
	want := []string{
		`grafana/dashboards/genops-cost.json:2: dashboard genops-cost panel "Spend": increase(genops_budget_remaining_usd[1h]): genops_budget_remaining_usd is a gauge, and increase() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
		`prometheus/rules/genops-extra.yaml:4: alert CostRising: annotation description uses $labels.model, which the expression's result never carries (it has: budget, cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, project, team)`,
		`prometheus/rules/genops-extra.yaml:5: alert CostRising: rate(genops_budget_remaining_usd[5m]): genops_budget_remaining_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
		`runbooks/Other.md:2: runbook Other: sum by (policy_type): genops_policy_violations_total has no label policy_type (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)`,
		`runbooks/Other.md:2: runbook Other: sum by (policy_type) (genops_policy_violations_total): genops_policy_violations_total is a counter, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(genops_policy_violations_total[5m]) or increase(genops_policy_violations_total[1h])`,
		`prometheus/rules/genops-extra.yaml: alert CostRising: runbook_url "https://example.com/runbooks/CostRising.md" does not end in a rendered runbook (want .../CostRising.md)`,
		`prometheus/rules/genops-extra.yaml: alert CostRising: dashboard_url "https://grafana.example.com/d/genops-costs" names dashboard genops-costs, which is not rendered (genops-cost)`,
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
