package alerts

import (
	"bytes"
	"fmt"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/names"
)

// RunbookURL is where the alert's rendered runbook is read.
func (a Alert) RunbookURL(l names.Links) string { return l.RunbookURL(a.Alert) }

// RunbookFile is the file name of the alert's runbook.
func (a Alert) RunbookFile() string { return names.RunbookFile(a.Alert) }

// DashboardURL opens the alert's dashboard.
func (a Alert) DashboardURL(l names.Links) string { return l.DashboardURL(a.Dashboard) }

// RuleGroup is the group as Prometheus reads it: recording rules first (an
// alert of the group may use them), then alerts with their static labels
// and annotations (summary, description, runbook_url, dashboard_url).
func (g Group) RuleGroup(l names.Links) (rulefmt.RuleGroup, error) {
	interval, err := model.ParseDuration(g.Interval)
	if err != nil {
		return rulefmt.RuleGroup{}, fmt.Errorf("group %s: interval: %w", g.Name, err)
	}
	rg := rulefmt.RuleGroup{Name: g.Name, Interval: interval}
	for _, r := range g.Records {
		rg.Rules = append(rg.Rules, rulefmt.Rule{Record: r.Record, Expr: r.Expr, Labels: r.Labels})
	}
	for _, a := range g.Alerts {
		forDuration, err := model.ParseDuration(a.For)
		if err != nil {
			return rulefmt.RuleGroup{}, fmt.Errorf("alert %s: for: %w", a.Alert, err)
		}
		rg.Rules = append(rg.Rules, rulefmt.Rule{
			Alert:  a.Alert,
			Expr:   a.Expr,
			For:    forDuration,
			Labels: a.Labels(),
			Annotations: map[string]string{
				"summary":       a.Summary,
				"description":   a.Description,
				"runbook_url":   a.RunbookURL(l),
				"dashboard_url": a.DashboardURL(l),
			},
		})
	}
	return rg, nil
}

// RuleFile renders the group as a plain Prometheus rule file, the form
// promtool, mimirtool and Prometheus without the operator read.
func (g Group) RuleFile(l names.Links) ([]byte, error) {
	rg, err := g.RuleGroup(l)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(rulefmt.RuleGroups{Groups: []rulefmt.RuleGroup{rg}}); err != nil {
		return nil, fmt.Errorf("group %s: %w", g.Name, err)
	}
	return files.WithHashHeader(b.Bytes()), nil
}
