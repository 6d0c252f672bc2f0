package alertmanager

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/routing"
)

// Tests are the routing and inhibition tables a configuration must pass.
type Tests struct {
	Routes      []routing.RouteTest
	Inhibitions []routing.InhibitionTest
}

// Check checks the routing of one environment (artifact names it): the
// receivers and routes, the notification templates, then, on the
// configuration as Alertmanager loads it (rendered is cfg as Render renders
// it), that every alert reaches a receiver, that every inhibition can mute,
// and the test tables.
func Check(artifact string, cfg routing.Config, rendered []byte, alerts []routing.Alert, tests Tests) finding.List {
	fs := checkRoutes(artifact, cfg)
	fs.Add(checkTemplates(artifact, cfg)...)
	if fs.Errors() > 0 {
		return fs
	}
	l, err := Load(rendered)
	if err != nil {
		fs.Errorf(artifact, "alertmanager config", "alertmanager-load", "does not load in Alertmanager: %v", err)
		return fs
	}
	fs.Add(checkCoverage(artifact, l, alerts)...)
	fs.Add(checkInhibitions(artifact, l, alerts)...)
	fs.Add(runTests(artifact, l, tests)...)
	return fs
}

// runTests evaluates the routing and inhibition tables.
func runTests(artifact string, l *Loaded, t Tests) finding.List {
	var fs finding.List
	for _, rt := range t.Routes {
		ls := labelSet(rt.Labels)
		if got := l.Receivers(ls); !slices.Equal(got, rt.Receivers) {
			fs.Errorf(artifact, "routing test "+ls.String(), "routing-test",
				"reaches %s, want %s", receiverList(got), receiverList(rt.Receivers))
		}
	}
	for _, it := range t.Inhibitions {
		firing := make([]model.LabelSet, len(it.Firing))
		for i, f := range it.Firing {
			firing[i] = labelSet(f.Labels)
		}
		got := l.Muted(firing)
		for i, f := range it.Firing {
			if got[i] == f.Muted {
				continue
			}
			state := map[bool]string{true: "muted", false: "not muted"}
			fs.Errorf(artifact, fmt.Sprintf("inhibition test %q", it.Name), "inhibition-test",
				"%s is %s, want %s", firing[i], state[got[i]], state[f.Muted])
		}
	}
	return fs
}

func receiverList(rs []string) string {
	if len(rs) == 0 {
		return "no receiver"
	}
	return strings.Join(rs, ", ")
}
