package promlint

import (
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/koshihq/genops-stack/internal/finding"
)

// The house rules: the conventions of the stack's own alerting and
// recording rules. They are defined here and only here: alerts.Check
// applies them to the stack's rules before rendering, the lint (profile
// genops) to rendered and hand-written rule files. Anybody else's files
// (profile generic) do not get them.
const (
	CheckAlertName        = "alert-name"
	CheckAlertSeverity    = "alert-severity"
	CheckAlertCategory    = "alert-category"
	CheckAlertAnnotations = "alert-annotations"
	CheckAlertRunbook     = "alert-runbook"
	CheckAlertFor         = "alert-for"
	CheckRecordName       = "record-name"
)

// Violation is a house rule a rule breaks.
type Violation struct {
	Check    string
	Severity finding.Severity
	Message  string
}

var (
	camelCase  = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)
	category   = regexp.MustCompile(`^[a-z][a-z-]*$`)
	recordName = regexp.MustCompile(`^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$`)
)

// Severities are the values of an alert's severity label, which
// Alertmanager routes on.
var Severities = []string{"info", "warning", "critical"}

// HouseRules returns the house rules r breaks, in a fixed order.
func HouseRules(r rulefmt.Rule) []Violation {
	var vs []Violation
	add := func(check string, sev finding.Severity, msg string) {
		vs = append(vs, Violation{Check: check, Severity: sev, Message: msg})
	}
	if r.Alert == "" {
		if r.Record != "" && !recordName.MatchString(r.Record) {
			add(CheckRecordName, finding.Error, `recording rule name "`+r.Record+`" is not level:metric:operations (job:genops_requests:rate5m, team:genops_cost_usd:increase1h): the name says what the series aggregates and how`)
		}
		return vs
	}
	if !camelCase.MatchString(r.Alert) {
		add(CheckAlertName, finding.Error, `alert name "`+r.Alert+`" is not CamelCase, like HighErrorRate`)
	}
	switch sev, ok := r.Labels["severity"]; {
	case !ok:
		add(CheckAlertSeverity, finding.Error, "has no severity label: set it to "+strings.Join(Severities[:len(Severities)-1], ", ")+" or "+Severities[len(Severities)-1])
	case !isSeverity(sev):
		add(CheckAlertSeverity, finding.Error, `severity "`+sev+`" is not `+strings.Join(Severities[:len(Severities)-1], ", ")+" or "+Severities[len(Severities)-1])
	}
	switch c := r.Labels["category"]; {
	case c == "":
		add(CheckAlertCategory, finding.Error, "has no category label: routing keys on it (cost, policy, performance, ...)")
	case !category.MatchString(c):
		add(CheckAlertCategory, finding.Error, `category "`+c+`" is not lower-case letters and '-': routes match it exactly`)
	}
	for _, a := range []string{"summary", "description"} {
		if r.Annotations[a] == "" {
			add(CheckAlertAnnotations, finding.Error, "has no "+a+" annotation")
		}
	}
	switch u := r.Annotations["runbook_url"]; {
	case u == "":
		add(CheckAlertRunbook, finding.Error, "has no runbook_url annotation: on-call follows it from the notification")
	case !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://"):
		add(CheckAlertRunbook, finding.Error, `runbook_url "`+u+`" is not an http(s) URL: notifications cannot link it`)
	}
	if r.For == 0 {
		add(CheckAlertFor, finding.Warning, "has no for duration: it fires on a single evaluation; set for to ride out one bad scrape")
	}
	return vs
}

func isSeverity(s string) bool {
	for _, x := range Severities {
		if s == x {
			return true
		}
	}
	return false
}
