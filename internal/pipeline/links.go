package pipeline

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack"
)

// relativeDashboard is a dashboard link Grafana resolves against its own
// address, as the dashboards' drill-downs write it.
var relativeDashboard = regexp.MustCompile(`"(/d/([A-Za-z0-9_-]+))`)

// checkLinks reports every link in a rendered file that points at a
// dashboard or a runbook the stack does not render: a Slack button, a panel
// link, a drill-down, a runbook's pointer to its dashboard. Links are
// recognised by the environments' Grafana and runbook URLs (and, in
// dashboards, relative /d/<uid> links). Alert annotations are checked by
// checkAlertLinks, with messages that name the alert.
func checkLinks(set *files.Set, links []stack.Links) finding.List {
	dashboards := renderedDashboards(set)
	var grafana, runbooks []*regexp.Regexp
	seen := map[string]bool{}
	for _, l := range links {
		if l.Grafana != "" && !seen["g"+l.Grafana] {
			seen["g"+l.Grafana] = true
			grafana = append(grafana, regexp.MustCompile(regexp.QuoteMeta(l.Grafana)+`(/d/([A-Za-z0-9_-]+))`))
		}
		if l.Runbooks != "" && !seen["r"+l.Runbooks] {
			seen["r"+l.Runbooks] = true
			runbooks = append(runbooks, regexp.MustCompile(regexp.QuoteMeta(l.Runbooks)+`/([A-Za-z0-9_.-]+\.md)`))
		}
	}
	var fs finding.List
	for _, f := range set.Distinct() { // a ConfigMap's copy of a file has its links
		if f.Kind == files.RuleFile || f.Kind == files.Index {
			continue
		}
		text := string(f.Data)
		dashRes := grafana
		if f.Kind == files.Dashboard {
			dashRes = append(append([]*regexp.Regexp{}, grafana...), relativeDashboard)
		}
		for _, uid := range matches(dashRes, text) {
			if !dashboards[uid] {
				fs.Errorf(f.Path, "link /d/"+uid, "link", "points at dashboard %s, which the stack does not render (%s)", uid, strings.Join(slices.Sorted(maps.Keys(dashboards)), ", "))
			}
		}
		for _, name := range matches(runbooks, text) {
			if _, ok := set.Get(path.Join(runbooksDir, name)); !ok {
				fs.Errorf(f.Path, "link "+name, "link", "points at runbook %s, which the stack does not render (runbooks are rendered for alerts: out/%s/<alert>.md)", name, runbooksDir)
			}
		}
	}
	return fs
}

// renderedDashboards are the uids of the dashboards in set: the names of
// their files (grafana/dashboards/<uid>.json, and <uid>.json in their
// ConfigMaps).
func renderedDashboards(set *files.Set) map[string]bool {
	uids := map[string]bool{}
	for _, f := range set.OfKind(files.Dashboard) {
		uids[strings.TrimSuffix(path.Base(f.Path), ".json")] = true
	}
	return uids
}

// linkedDashboard is the uid a dashboard URL (<Grafana>/d/<uid>, maybe
// with a query or a fragment) opens: "" when it names none.
func linkedDashboard(url string) string {
	i := strings.LastIndex(url, "/d/")
	if i < 0 {
		return ""
	}
	uid, _, _ := strings.Cut(url[i+len("/d/"):], "?")
	uid, _, _ = strings.Cut(uid, "#")
	return strings.TrimSuffix(uid, "/")
}

// matches returns the last submatch of every match of res in text, sorted
// and without duplicates.
func matches(res []*regexp.Regexp, text string) []string {
	set := map[string]bool{}
	for _, re := range res {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			set[m[len(m)-1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
