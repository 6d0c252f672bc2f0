package dashboards

import (
	"fmt"
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/koshihq/genops-stack/names"
)

// FinOpsTeams are the pages continuing FinOps' team rows, one per
// names.TeamsPerDashboard teams after the first (names.TeamDashboard gives
// their uids): none when every team fits on FinOps.
func FinOpsTeams(in Inputs) []*dashboard.DashboardBuilder {
	var pages []*dashboard.DashboardBuilder
	for first := names.TeamsPerDashboard; first < len(in.Teams); first += names.TeamsPerDashboard {
		last := min(first+names.TeamsPerDashboard, len(in.Teams))
		d := newDashboard(in, fmt.Sprintf("GenOps AI - FinOps Daily, Teams %d to %d", first+1, last), names.TeamDashboard(first), "now-7d", "5m", "cost", "finops").
			Description("Each team's month against its budget, continuing GenOps AI - FinOps Daily.")
		pages = append(pages, withTeamRows(d, in, in.Teams[first:last], 0, 1))
	}
	return pages
}

// withTeamRows adds a collapsed row per team to d, stacked from grid row y
// (a collapsed row is one unit high), three panel ids per row from id.
func withTeamRows(d *dashboard.DashboardBuilder, in Inputs, teams []names.Team, y, id uint32) *dashboard.DashboardBuilder {
	for i, t := range teams {
		d.WithRow(teamRow(in, t, y+uint32(i), id+3*uint32(i)))
	}
	return d
}

// teamRow is the collapsed row of a team at grid row y, with panel ids id
// to id+2: the share of its budget spent this month so far and forecast for
// the month, and what the month costs at the last 24 hours' and the last 30
// days' pace against the budget, in USD.
//
// The month so far is spend over a range as long as the elapsed part of the
// month, which no rule can compute (a range is a constant) but a panel can:
// its relative time "now/M" (this month so far, in the dashboard's time
// zone) makes $__range that long, and an instant increase() over it is the
// month's spend. The forecast is the team budget alerts' recording rule
// (the month at the last 24 hours' pace, see package alerts), so the row
// shows what TeamBudgetForecast compares with the budget.
func teamRow(in Inputs, t names.Team, y, id uint32) *dashboard.RowBuilder {
	budget := strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', -1, 64)
	team := `{team="` + t.Name + `"}`
	return dashboard.NewRowBuilder("Team " + t.Name + " (budget " + budget + " USD a month, cost center " + t.CostCenter + ")").
		Id(id).
		GridPos(grid(0, y, 24, 1)).
		Collapsed(true).
		WithPanel(stat.NewPanelBuilder().
			Id(id + 1).
			Title("Budget Burned and Forecast").
			Description("Share of the month's budget spent this month so far, and the month's spend at the last 24 hours' pace.").
			GridPos(grid(0, y+1, 8, 6)).
			Datasource(datasource).
			TimeFrom("now/M").
			WithTarget(query(`100 * sum(increase(genops_cost_usd_total`+team+`[$__range])) / `+budget, "Burned").Instant()).
			WithTarget(query(`100 * sum(genops:cost:team_month_forecast`+team+`) / `+budget, "Forecast").RefId("B").Instant()).
			Unit("percent").
			Thresholds(thresholds("green", at(80, "yellow"), at(100, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, names.TeamBudgetForecast))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(id + 2).
			Title("Monthly Pace vs Budget").
			// What a month costs at two paces, comparable with the monthly
			// budget at every point of the range (the month's running total,
			// which this panel showed, no counter gives; the month so far is on
			// the left): the last 24 hours' (the forecast), and the average day
			// of the last 30 days', from the 24-hour spend the recording rules
			// keep. One point an hour: it reads 30 days of one recorded series.
			Description("What the month costs at the pace of the last 24 hours (the forecast TeamBudgetForecast compares with the budget) and at the average pace of the last 30 days, in USD; the line is the budget.").
			GridPos(grid(8, y+1, 16, 6)).
			Datasource(datasource).
			Interval("1h").
			WithTarget(query(`sum(genops:cost:team_month_forecast`+team+`)`, "Last 24 hours' pace (forecast)")).
			WithTarget(query(`sum(avg_over_time(genops:cost:team_increase24h`+team+`[30d])) * scalar(days_in_month())`, "Last 30 days' pace").RefId("B")).
			Unit("currencyUSD").
			Legend(common.NewVizLegendOptionsBuilder().ShowLegend(true).DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom)).
			Thresholds(thresholds("green", at(t.MonthlyBudgetUSD, "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)))
}
