package dashboards

import (
	"fmt"
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Team is a team with a monthly budget, as the dashboards show it.
type Team struct {
	Name             string
	MonthlyBudgetUSD float64
	CostCenter       string
}

// TeamsPerDashboard is how many team rows one dashboard holds. A row is
// about 5 KiB of JSON: 40 keep FinOps, and each page of further teams,
// under the 256 KiB that `kubectl apply` can store for its ConfigMap, with
// room for long team names.
const TeamsPerDashboard = 40

// TeamDashboard is the uid of the dashboard holding the row of the i-th
// team (from 0): FinOps for the first TeamsPerDashboard, then one page of
// FinOpsTeams per TeamsPerDashboard more.
func TeamDashboard(i int) string {
	if page := i/TeamsPerDashboard + 1; page > 1 {
		return FinOpsUID + "-teams-" + strconv.Itoa(page)
	}
	return FinOpsUID
}

// FinOpsTeams are the pages continuing FinOps' team rows, one per
// TeamsPerDashboard teams after the first: none when every team fits on
// FinOps.
func FinOpsTeams(in Inputs) []*dashboard.DashboardBuilder {
	var pages []*dashboard.DashboardBuilder
	for first := TeamsPerDashboard; first < len(in.Teams); first += TeamsPerDashboard {
		last := min(first+TeamsPerDashboard, len(in.Teams))
		d := newDashboard(in, fmt.Sprintf("GenOps AI - FinOps Daily, Teams %d to %d", first+1, last), TeamDashboard(first), "now-7d", "5m", "cost", "finops").
			Description("Each team's month against its budget, continuing GenOps AI - FinOps Daily.")
		pages = append(pages, withTeamRows(d, in, in.Teams[first:last], 0, 1))
	}
	return pages
}

// withTeamRows adds a collapsed row per team to d, stacked from grid row y
// (a collapsed row is one unit high), three panel ids per row from id.
func withTeamRows(d *dashboard.DashboardBuilder, in Inputs, teams []Team, y, id uint32) *dashboard.DashboardBuilder {
	for i, t := range teams {
		d.WithRow(teamRow(in, t, y+uint32(i), id+3*uint32(i)))
	}
	return d
}

// teamRow is the collapsed row of a team at grid row y, with panel ids id
// to id+2: the share of its budget spent so far and forecast for the
// month's end, and its spend against the budget in USD (from the recording
// rules of the team budget alerts).
func teamRow(in Inputs, t Team, y, id uint32) *dashboard.RowBuilder {
	budget := strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', -1, 64)
	team := `{team="` + t.Name + `"}`
	return dashboard.NewRowBuilder("Team " + t.Name + " (budget " + budget + " USD a month, cost center " + t.CostCenter + ")").
		Id(id).
		GridPos(grid(0, y, 24, 1)).
		Collapsed(true).
		WithPanel(stat.NewPanelBuilder().
			Id(id + 1).
			Title("Budget Burned and Forecast").
			Description("Share of the month's budget spent so far, and spent by the month's end at the last 24 hours' pace.").
			GridPos(grid(0, y+1, 8, 6)).
			Datasource(datasource).
			WithTarget(query(`100 * sum(genops:cost:team_total`+team+`) / `+budget, "Burned")).
			WithTarget(query(`100 * sum(genops:cost:team_month_forecast`+team+`) / `+budget, "Forecast").RefId("B")).
			Unit("percent").
			Thresholds(thresholds("green", at(80, "yellow"), at(100, "red"))).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(lastValue()).
			Links(runbooks(in, "TeamBudgetForecast"))).
		WithPanel(timeseries.NewPanelBuilder().
			Id(id + 2).
			Title("Spend This Month vs Budget").
			Description("Spent so far and forecast for the month's end, in USD; the line is the budget.").
			GridPos(grid(8, y+1, 16, 6)).
			Datasource(datasource).
			WithTarget(query(`sum(genops:cost:team_total`+team+`)`, "Spent")).
			WithTarget(query(`sum(genops:cost:team_month_forecast`+team+`)`, "Forecast").RefId("B")).
			Unit("currencyUSD").
			Legend(common.NewVizLegendOptionsBuilder().ShowLegend(true).DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom)).
			Thresholds(thresholds("green", at(t.MonthlyBudgetUSD, "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)))
}
