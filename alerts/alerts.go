// Package alerts holds the stack's Prometheus rules: the alert groups, one
// file each (cost.go, policy.go, performance.go, infrastructure.go), the
// recording rules (recording.go), a runbook for every alert next to it, and
// their promtool unit tests (testdata/*.test.yaml). The alert names,
// severities, categories, thresholds and for durations are the seed's: they
// are the contract with on-call.
package alerts

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Severity says how urgent an alert is; Alertmanager routes on it.
type Severity string

// The severities.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Categories group alerts for routing and inhibition.
const (
	Cost           = "cost"
	Policy         = "policy"
	Performance    = "performance"
	Quality        = "quality"
	Infrastructure = "infrastructure"
	Observability  = "observability"
)

// Group is a rule group: its rules are evaluated in order, every Interval.
type Group struct {
	Name     string
	Interval string
	Records  []Record
	Alerts   []Alert
}

// Record is a recording rule.
type Record struct {
	Record string
	Expr   string
	Labels map[string]string
}

// Alert is an alerting rule with what on-call needs: its severity and
// category (the static labels every alert carries), its summary and
// description (templates over the expression's labels), the dashboard to
// open and the runbook to follow.
type Alert struct {
	Alert       string
	Expr        string
	For         string
	Severity    Severity
	Category    string
	Summary     string
	Description string
	// Dashboard is the uid of the dashboard the alert links to (names.Dashboard*).
	// The stack checks that the rendered link points at a rendered
	// dashboard.
	Dashboard string
	Runbook   Runbook
	// Team, when set, is the team a per-team alert is for: a static team
	// label. Alerts of one name differ by it and share one runbook.
	Team string
	// SLO, when set, is the SLO an SLO alert is for: a static slo label.
	SLO string
	// Threshold, when set, is the budget threshold (percent) of a team's
	// budget threshold alert: a static threshold label.
	Threshold string
}

// Config is what the rules need from the environment.
type Config struct {
	// Namespace is where the GenOps workloads run; the Kubernetes alerts
	// select it. Runbook commands call it $NS.
	Namespace string
	// Monitoring is where the Collector and Prometheus run. Runbook
	// commands call it $MON.
	Monitoring string
	// Teams each get a budget forecast alert of their own, linking to the
	// dashboard that holds the team's row (names.TeamDashboard).
	Teams []names.Team
	// SLOs compile into the group genops-slos (slo.go).
	SLOs []SLO
}

// Groups returns every rule group of the stack.
func Groups(c Config) []Group {
	groups := []Group{recording(), cost(), policy(), performance(), infrastructure(c)}
	if len(c.Teams) > 0 {
		groups = append(groups, teamBudgets(c.Teams), budgetThresholds(c.Teams))
	}
	if len(c.SLOs) > 0 {
		groups = append(groups, sloGroup(c.SLOs))
	}
	return groups
}

// Labels are the alert's static labels.
func (a Alert) Labels() map[string]string {
	ls := map[string]string{"severity": string(a.Severity), "category": a.Category}
	if a.Team != "" {
		ls["team"] = a.Team
	}
	if a.SLO != "" {
		ls["slo"] = a.SLO
	}
	if a.Threshold != "" {
		ls["threshold"] = a.Threshold
	}
	return ls
}

var groupName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Check runs the typed checks of the rule groups: names unique and valid
// (a group name is a file and object name), durations that parse, the house
// rules (promlint.HouseRules: severity, category, summary, description,
// CamelCase alert names, level:metric:operations records), every alert with
// a runbook;
// alerts of one name (one per team) differ in their team and share their
// runbook.
// The rendered rules go through promtool's validation and the PromQL lint.
func Check(artifact string, groups []Group) finding.List {
	var fs finding.List
	groupsSeen, alertsSeen := map[string]bool{}, map[string]bool{}
	runbooks := map[string]Runbook{}
	for _, g := range groups {
		obj := "group " + g.Name
		if !groupName.MatchString(g.Name) {
			fs.Errorf(artifact, obj, "rule-group", "name %q must be lower-case letters, digits and '-': it names the rule file and the PrometheusRule", g.Name)
		}
		if groupsSeen[g.Name] {
			fs.Errorf(artifact, obj, "rule-group", "group %s is defined twice", g.Name)
		}
		groupsSeen[g.Name] = true
		if _, err := model.ParseDuration(g.Interval); err != nil {
			fs.Errorf(artifact, obj, "rule-group", "interval %q is not a Prometheus duration", g.Interval)
		}
		for _, r := range g.Records {
			if !model.LegacyValidation.IsValidMetricName(r.Record) {
				fs.Errorf(artifact, "record "+r.Record, "record", "%q is not a valid metric name", r.Record)
				continue
			}
			fs.Add(houseRules(artifact, "record "+r.Record, rulefmt.Rule{Record: r.Record, Expr: r.Expr, Labels: r.Labels})...)
		}
		for _, a := range g.Alerts {
			obj := "alert " + a.Alert
			key := a.Alert + "/" + a.Team + "/" + a.SLO + "/" + a.Threshold
			duplicate := alertsSeen[key]
			if duplicate {
				fs.Errorf(artifact, obj, "alert", "alert %s is defined twice: its runbook and routing would be ambiguous", a.Alert)
			}
			alertsSeen[key] = true
			if rb, ok := runbooks[a.Alert]; !ok {
				runbooks[a.Alert] = a.Runbook
			} else if !reflect.DeepEqual(rb, a.Runbook) && !duplicate {
				fs.Errorf(artifact, obj, "alert", "alerts named %s have different runbooks, but they share one file (%s): give them one Runbook", a.Alert, a.RunbookFile())
			}
			forDuration, err := model.ParseDuration(a.For)
			if err != nil {
				fs.Errorf(artifact, obj, "alert", "for %q is not a Prometheus duration", a.For)
			}
			fs.Add(houseRules(artifact, obj, rulefmt.Rule{Alert: a.Alert, Expr: a.Expr, For: forDuration, Labels: a.Labels(),
				Annotations: map[string]string{"summary": a.Summary, "description": a.Description}})...)
			if a.Runbook.Meaning == "" || len(a.Runbook.Investigation) == 0 || len(a.Runbook.Remediation) == 0 {
				fs.Errorf(artifact, obj, "alert", "runbook needs what the alert means, investigation steps and remediation steps")
			}
		}
	}
	return fs
}

// houseRules are the errors of the house rules (promlint.HouseRules, their
// one definition) in a rule before it is rendered: a bad severity or
// category must be reported here, for the routing checks fail on it too and
// stop the run before anything is rendered. The runbook_url is left to the
// lint of the rendered files: the stack writes it from the environment's
// links, which the content does not know. So are warnings (an alert without
// for): they do not stop the run, and the rendered files' lint says them.
func houseRules(artifact, object string, r rulefmt.Rule) finding.List {
	var fs finding.List
	for _, v := range promlint.HouseRules(r) {
		if v.Severity == finding.Error && v.Check != promlint.CheckAlertRunbook {
			fs.Add(finding.Finding{Artifact: artifact, Object: object, Check: v.Check, Severity: v.Severity, Message: v.Message})
		}
	}
	return fs
}

// Notification is what Alertmanager can route an alert on.
type Notification struct {
	Alert string
	Group string
	// Static are the alert's static labels (severity, category).
	Static map[string]string
	// Labels are the names of the other labels its notifications carry,
	// whose values vary, sorted: the labels of the expression's result and
	// the external labels Prometheus adds. alertname and the static labels
	// come on top.
	Labels []string
}

// Notifications computes, for every alert, the labels its notifications can
// carry, from the catalog and the recording rules of groups. external are the
// names of Prometheus' external labels.
func Notifications(groups []Group, cat *catalog.Catalog, external ...string) ([]Notification, error) {
	l := promlint.New(cat, promlint.Options{})
	for _, g := range groups {
		for _, r := range g.Records {
			l.Learn(r.Record, r.Expr, r.Labels)
		}
	}
	var out []Notification
	for _, g := range groups {
		for _, a := range g.Alerts {
			labels, err := l.OutputLabels(a.Expr)
			if err != nil {
				return nil, fmt.Errorf("alert %s: %w", a.Alert, err)
			}
			static := a.Labels()
			set := map[string]bool{}
			for _, n := range append(labels, external...) {
				if _, ok := static[n]; !ok && n != "alertname" {
					set[n] = true
				}
			}
			names := make([]string, 0, len(set))
			for n := range set {
				names = append(names, n)
			}
			sort.Strings(names)
			out = append(out, Notification{Alert: a.Alert, Group: g.Name, Static: static, Labels: names})
		}
	}
	return out, nil
}
