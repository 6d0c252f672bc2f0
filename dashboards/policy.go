package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Policy is "GenOps AI - Policy Compliance": the seed's four panels, with
// its titles, units, thresholds and layout.
//
// genops_policy_violations_total and genops_policy_enforcements_total carry
// no team label (only policy_type, severity and action). The team a
// violation belongs to is the team of the workload that reported it: the
// genops_team target label, which the scrape job copies from the pod's
// genops.ai/team label. $team filters on it.
func Policy(in Inputs) *dashboard.DashboardBuilder {
	return newDashboard(in, "GenOps AI - Policy Compliance", PolicyUID, "now-6h", "30s", "policy", "compliance").
		WithVariable(labelVariable("team", "Team", `label_values(genops_requests_total, genops_team)`)).
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Policy Violations (Last Hour)").
			GridPos(grid(0, 0, 6, 4)).
			Datasource(datasource).
			// As in the seed: increase() over a counter.
			WithTarget(query(`sum(increase(genops_policy_violations_total{genops_team=~"$team"}[1h]))`, "Violations")).
			Thresholds(thresholds("green", at(1, "yellow"), at(10, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "PolicyViolationsDetected"))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(2).
			Title("Violations by Policy Type").
			GridPos(grid(6, 0, 12, 8)).
			Datasource(datasource).
			// As in the seed: rate() over a counter.
			WithTarget(query(`sum by (policy_type) (rate(genops_policy_violations_total{genops_team=~"$team"}[5m]))`, "{{policy_type}}")).
			Links(runbooks(in, "PolicyViolationsDetected", "HighPolicyViolationRate"))).
		WithPanel(piechart.NewPanelBuilder().
			Id(3).
			Title("Policy Enforcement Actions").
			Description("Enforcement actions taken in the last 24 hours.").
			GridPos(grid(18, 0, 6, 8)).
			Datasource(datasource).
			// Seed: sum by (action) (genops_policy_enforcements_total), the raw
			// counter: a count since each exporter last restarted, which drops
			// to zero on every restart. Count the actions of a fixed window.
			WithTarget(query(`sum by (action) (increase(genops_policy_enforcements_total{genops_team=~"$team"}[24h]))`, "{{action}}")).
			ReduceOptions(lastValue())).
		WithPanel(bargauge.NewPanelBuilder().
			Id(4).
			Title("Compliance Score by Team").
			Description("Share of the last hour's requests of each team that broke no policy.").
			GridPos(grid(0, 8, 12, 8)).
			Datasource(datasource).
			// Seed: 100 - (sum by (team) (rate(genops_policy_violations_total[1h])) * 100).
			// The counter has no team label, and 100 minus a per-second rate is no
			// score. Per team (genops_team), the violations of the last hour over
			// its requests: "or 0 * requests" keeps the teams without a single
			// violation at 100%, clamp_min keeps requests with several violations
			// from going below 0%.
			WithTarget(query(`clamp_min(
  100 * (1 - (
      (
          sum by (genops_team) (increase(genops_policy_violations_total{genops_team=~"$team"}[1h]))
        or
          0 * sum by (genops_team) (increase(genops_requests_total{genops_team=~"$team"}[1h]))
      )
    /
      sum by (genops_team) (increase(genops_requests_total{genops_team=~"$team"}[1h]))
  )),
  0
)`, "{{genops_team}}")).
			Unit("percent").
			Min(0).
			Max(100).
			Thresholds(thresholds("red", at(90, "yellow"), at(95, "green"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "HighPolicyViolationRate")))
}
