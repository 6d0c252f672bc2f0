package names

import "strconv"

// The dashboard uids: package dashboards renders each as
// grafana/dashboards/<uid>.json; alerts, notifications and other dashboards
// link to them. They never change: a changed uid breaks every bookmark.
const (
	DashboardCost        = "genops-cost"
	DashboardPolicy      = "genops-policy"
	DashboardPerformance = "genops-performance"
	DashboardFinOps      = "genops-finops"
	DashboardSLO         = "genops-slo"
)

// TeamsPerDashboard is how many team rows one dashboard holds. A row is
// about 5 KiB of JSON: 40 keep FinOps, and each page of further teams,
// under the 256 KiB that `kubectl apply` can store for its ConfigMap, with
// room for long team names.
const TeamsPerDashboard = 40

// TeamDashboard is the uid of the dashboard holding the row of the i-th
// team (from 0): FinOps for the first TeamsPerDashboard, then one page
// (genops-finops-teams-2, ...) per TeamsPerDashboard more. A team's budget
// alert links to it.
func TeamDashboard(i int) string {
	if page := i/TeamsPerDashboard + 1; page > 1 {
		return DashboardFinOps + "-teams-" + strconv.Itoa(page)
	}
	return DashboardFinOps
}
