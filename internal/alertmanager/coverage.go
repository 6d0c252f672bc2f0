package alertmanager

import (
	"fmt"
	"strings"

	amcommon "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/routing"
)

// checkCoverage routes every alert with its static labels (alertname,
// severity, category, ...) through Alertmanager's route matching: an alert
// must reach a receiver other than the default one, unless it is marked for
// the default receiver.
func checkCoverage(artifact string, l *Loaded, alerts []routing.Alert) finding.List {
	var fs finding.List
	def := l.DefaultReceiver()
	for _, a := range alerts {
		ls := staticLabels(a)
		got := l.Receivers(ls)
		onlyDefault := true
		for _, r := range got {
			onlyDefault = onlyDefault && r == def
		}
		switch {
		case onlyDefault && !a.ForDefault:
			fs.Errorf(artifact, "alert "+a.Name, "route-coverage",
				"reaches only the default receiver %q with its labels %s: add a route for it in routing/routes.go, or mark it ForDefault", def, ls)
		case !onlyDefault && a.ForDefault:
			fs.Errorf(artifact, "alert "+a.Name, "route-coverage",
				"is marked ForDefault but routes to %s: remove the mark or the route", receiverList(got))
		}
	}
	return fs
}

// checkInhibitions checks each inhibit rule against the alerts its matchers
// select (matched on their static labels): it must select sources and
// targets; every equal label must be carried by every one of them, because
// Alertmanager compares a missing label as empty, so an alert without it
// never agrees with one that has it; and Alertmanager's inhibitor must mute
// at least one target while all sources fire, each label an alert carries
// having the same value on every alert.
func checkInhibitions(artifact string, l *Loaded, alerts []routing.Alert) finding.List {
	var fs finding.List
	for i, rule := range l.Config.InhibitRules {
		obj := fmt.Sprintf("inhibit_rules[%d]", i)
		r := inhibit.NewInhibitRule(rule)
		var sources, targets []routing.Alert
		for _, a := range alerts {
			ls := representative(a)
			if r.SourceMatchers.Matches(ls) {
				sources = append(sources, a)
			}
			if r.TargetMatchers.Matches(ls) {
				targets = append(targets, a)
			}
		}
		if len(sources) == 0 {
			fs.Errorf(artifact, obj, "inhibit-unused", "source matchers %s select no alert: the rule never mutes anything", r.SourceMatchers)
		}
		if len(targets) == 0 {
			fs.Errorf(artifact, obj, "inhibit-unused", "target matchers %s select no alert: the rule mutes nothing", r.TargetMatchers)
		}
		if len(sources) == 0 || len(targets) == 0 {
			continue
		}
		for _, label := range rule.Equal {
			var missing []string
			if names := lacking(sources, label); names != "" {
				missing = append(missing, "source alerts "+names)
			}
			if names := lacking(targets, label); names != "" {
				missing = append(missing, "target alerts "+names)
			}
			if len(missing) > 0 {
				fs.Errorf(artifact, obj, "inhibit-equal",
					"equal label %q is missing on %s: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop %q from equal or narrow the matchers to alerts that carry it",
					label, strings.Join(missing, " and "), label)
			}
		}
		if !mutesAny(rule, sources, targets) {
			fs.Errorf(artifact, obj, "inhibit-never",
				"can never mute: no target alert (%s) agrees with a source alert (%s) on the equal labels %s",
				alertNames(targets), alertNames(sources), strings.Join(rule.Equal, ", "))
		}
	}
	return fs
}

// mutesAny reports whether the inhibitor, with rule alone, mutes a target
// while every source and target fires.
func mutesAny(rule amcommon.InhibitRule, sources, targets []routing.Alert) bool {
	var firing []model.LabelSet
	for _, a := range sources {
		firing = append(firing, representative(a))
	}
	for _, a := range targets {
		firing = append(firing, representative(a))
	}
	for _, m := range muted([]amcommon.InhibitRule{rule}, firing)[len(sources):] {
		if m {
			return true
		}
	}
	return false
}

// staticLabels are the labels of an alert known before it fires.
func staticLabels(a routing.Alert) model.LabelSet {
	ls := labelSet(a.Labels)
	ls[model.AlertNameLabel] = model.LabelValue(a.Name)
	return ls
}

// representativeValue stands for the value of every label whose value
// varies, so that two alerts carrying a label agree on it.
const representativeValue = "any"

// representative is a label set the alert can fire with: its static labels
// and every other label it carries.
func representative(a routing.Alert) model.LabelSet {
	ls := model.LabelSet{}
	for _, n := range a.LabelNames {
		ls[model.LabelName(n)] = representativeValue
	}
	for k, v := range staticLabels(a) {
		ls[k] = v
	}
	return ls
}

// lacking lists the alerts that do not carry label.
func lacking(alerts []routing.Alert, label string) string {
	var out []routing.Alert
	for _, a := range alerts {
		if _, ok := representative(a)[model.LabelName(label)]; !ok {
			out = append(out, a)
		}
	}
	return alertNames(out)
}

// alertNames lists the names of alerts, each once (alerts of one name, one
// per team, differ only in their team).
func alertNames(alerts []routing.Alert) string {
	var names []string
	seen := map[string]bool{}
	for _, a := range alerts {
		if !seen[a.Name] {
			seen[a.Name] = true
			names = append(names, a.Name)
		}
	}
	return strings.Join(names, ", ")
}
