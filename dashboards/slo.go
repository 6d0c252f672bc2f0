package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/koshihq/genops-stack/names"
)

// SLO is "GenOps AI - SLOs": for the SLOs of $slo (alerts/slo.go), the
// objective, the error budget left in the SLO's window, and the burn rate
// over each window of the page and ticket alerts, with the rate at which
// each alert's window pair fires drawn as a line beside it. Those rates
// depend on the SLO's window (14.4 over 1h for 30 days, 3.36 for 7 days):
// they are queries over the recorded window (genops:slo_window:seconds), so
// every SLO shown gets its own lines.
func SLO(in Inputs) *dashboard.DashboardBuilder {
	return newDashboard(in, "GenOps AI - SLOs", names.DashboardSLO, "now-7d", "1m", "slo").
		WithVariable(labelVariable("slo", "SLO", `label_values(genops:slo_objective:ratio, slo)`)).
		WithPanel(stat.NewPanelBuilder().
			Id(1).
			Title("Objective").
			GridPos(grid(0, 0, 12, 4)).
			Datasource(datasource).
			WithTarget(query(`genops:slo_objective:ratio{slo=~"$slo"}`, "{{slo}}")).
			Unit("percentunit").
			Decimals(2).
			ReduceOptions(lastValue())).
		WithPanel(stat.NewPanelBuilder().
			Id(2).
			Title("Error Budget Remaining").
			Description("The share of the SLO window's error budget left: 100% with no bad call, 0 when spent, negative past it.").
			GridPos(grid(12, 0, 12, 4)).
			Datasource(datasource).
			WithTarget(query(`genops:slo_error_budget:remaining_ratio{slo=~"$slo"}`, "{{slo}}")).
			Unit("percentunit").
			Thresholds(thresholds("red", at(0, "orange"), at(0.25, "yellow"), at(0.5, "green"))).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.SLOBurnRatePage, names.SLOBurnRateTicket))).
		WithPanel(burnRatePanel(in, 3, 4, "Burn Rate: Page Windows", names.SLOBurnRatePage, []burnPair{{"1h", "5m", "0.02"}, {"6h", "30m", "0.05"}})).
		WithPanel(burnRatePanel(in, 4, 13, "Burn Rate: Ticket Windows", names.SLOBurnRateTicket, []burnPair{{"1d", "2h", "0.1"}, {"3d", "6h", "0.1"}})).
		WithPanel(timeseries.NewPanelBuilder().
			Id(5).
			Title("Error Budget Remaining over Time").
			GridPos(grid(0, 22, 24, 8)).
			Datasource(datasource).
			WithTarget(query(`genops:slo_error_budget:remaining_ratio{slo=~"$slo"}`, "{{slo}}")).
			Unit("percentunit"))
}

// burnPair is an alert's window pair and the share of the budget it spends
// in its long window when it fires.
type burnPair struct{ long, short, share string }

// seconds of the alert windows.
var windowSeconds = map[string]string{"1h": "3600", "6h": "21600", "1d": "86400", "3d": "259200"}

// burnRatePanel draws the burn rate (error ratio over the budget) of each
// window of the pairs, and each pair's firing rate: share × the SLO's
// window / the long window, as alerts.BurnRate computes it.
func burnRatePanel(in Inputs, id, y uint32, title, alert string, pairs []burnPair) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Id(id).
		Title(title).
		Description("Burn rate: the error ratio over the window divided by the error budget (1 spends the budget exactly in the SLO's window). Dashed: the rate at which a window pair fires (both windows above it).").
		GridPos(grid(0, y, 24, 9)).
		Datasource(datasource).
		Unit("x").
		Links(runbooks(in, alert))
	ref := 'A'
	for _, pair := range pairs {
		for _, w := range []string{pair.long, pair.short} {
			p = p.WithTarget(query(`genops:slo_errors:ratio_rate`+w+`{slo=~"$slo"} / on (slo) (1 - genops:slo_objective:ratio{slo=~"$slo"})`, "{{slo}} "+w).RefId(string(ref)))
			ref++
		}
		p = p.WithTarget(query(pair.share+` * genops:slo_window:seconds{slo=~"$slo"} / `+windowSeconds[pair.long], "{{slo}} fires over "+pair.long+" and "+pair.short).RefId(string(ref)))
		ref++
	}
	return p.OverrideByQuery(string(ref-1), []dashboard.DynamicConfigValue{{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}}}).
		OverrideByQuery("C", []dashboard.DynamicConfigValue{{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}}})
}
