package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/koshihq/genops-stack/names"
)

// Policy is "GenOps AI - Policy Compliance": the seed's four panels, with
// its titles, units, thresholds and layout.
//
// genops_policy_violations_total (decisions other than allowed) and
// genops_policy_enforcements_total (every decision) are derived from the
// policy decisions GenOps AI records on spans, with labels team, policy (the
// policy's name, which takes the place of the seed's policy type) and result
// (allowed, blocked, warning, rate_limited, violation: the decision, which
// takes the place of the seed's action). $team filters on team, the span's
// genops.team; policy decisions of spans without one have no team label and
// show only while $team is All.
func Policy(in Inputs) *dashboard.DashboardBuilder {
	return newDashboard(in, "GenOps AI - Policy Compliance", names.DashboardPolicy, "now-6h", "30s", "policy", "compliance").
		WithVariable(labelVariable("team", "Team", `label_values(genops_policy_enforcements_total, team)`)).
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Policy Violations (Last Hour)").
			GridPos(grid(0, 0, 6, 4)).
			Datasource(datasource).
			// As in the seed: increase() over a counter.
			WithTarget(query(`sum(increase(genops_policy_violations_total{team=~"$team"}[1h]))`, "Violations")).
			Thresholds(thresholds("green", at(1, "yellow"), at(10, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.PolicyViolationsDetected))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(2).
			Title("Violations by Policy Type").
			GridPos(grid(6, 0, 12, 8)).
			Datasource(datasource).
			// Seed: by policy_type; the policy's name takes its place.
			WithTarget(query(`sum by (policy) (rate(genops_policy_violations_total{team=~"$team"}[5m]))`, "{{policy}}")).
			Links(runbooks(in, names.PolicyViolationsDetected, names.HighPolicyViolationRate))).
		WithPanel(piechart.NewPanelBuilder().
			Id(3).
			Title("Policy Enforcement Actions").
			Description("Enforcement actions taken in the last 24 hours.").
			GridPos(grid(18, 0, 6, 8)).
			Datasource(datasource).
			// Seed: sum by (action) (genops_policy_enforcements_total), the raw
			// counter: a count since each exporter last restarted, which drops
			// to zero on every restart. Count the decisions (result, which
			// takes the place of action) of a fixed window.
			WithTarget(query(`sum by (result) (increase(genops_policy_enforcements_total{team=~"$team"}[24h]))`, "{{result}}")).
			ReduceOptions(lastValue())).
		WithPanel(bargauge.NewPanelBuilder().
			Id(4).
			Title("Compliance Score by Team").
			Description("Share of each team's policy decisions of the last hour that allowed the request (a request checked by several policies counts once per policy). Teams without a policy decision in the hour have no bar.").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// Seed: 100 - (sum by (team) (rate(genops_policy_violations_total[1h])) * 100):
			// 100 minus a per-second rate is no score. Per team, the allowed
			// decisions of the last hour over all its decisions, both from the
			// enforcements counter (every decision, allowed included), so the
			// score stays within 0 to 100%; "or 0 * all" keeps the teams
			// without a single allowed decision at 0% instead of no bar.
			WithTarget(query(`100 * (
    sum by (team) (increase(genops_policy_enforcements_total{team=~"$team", result="allowed"}[1h]))
  or
    0 * sum by (team) (increase(genops_policy_enforcements_total{team=~"$team"}[1h]))
)
/
  sum by (team) (increase(genops_policy_enforcements_total{team=~"$team"}[1h]))`, "{{team}}")).
			Unit("percent").
			Min(0).
			Max(100).
			Thresholds(thresholds("red", at(90, "yellow"), at(95, "green"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.HighPolicyViolationRate)))
}
