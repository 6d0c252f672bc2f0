package names

import "strings"

// Links are the URLs that alerts, notifications and dashboards point
// people at. Both must be reachable by whoever reads a notification.
type Links struct {
	// Grafana is Grafana's URL; a dashboard is <Grafana>/d/<uid>.
	Grafana string
	// Runbooks is where the rendered out/runbooks/ folder is browsable
	// (for example the Git host's view of it); a runbook is
	// <Runbooks>/<alert>.md.
	Runbooks string
}

// DashboardURL opens the dashboard with this uid.
func (l Links) DashboardURL(uid string) string {
	return strings.TrimSuffix(l.Grafana, "/") + "/d/" + uid
}

// RunbookURL is where the runbook of the alert is read.
func (l Links) RunbookURL(alert string) string {
	return strings.TrimSuffix(l.Runbooks, "/") + "/" + RunbookFile(alert)
}

// RunbookFile is the file name of the alert's runbook.
func RunbookFile(alert string) string { return alert + ".md" }
