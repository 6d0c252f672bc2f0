package pipeline

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Output layout of the rules and runbooks (dashboardsDir is in grafana.go).
const (
	rulesDir          = "prometheus/rules"
	runbooksDir       = "runbooks"
	runbooksConfigMap = "genops-runbooks"
)

func alertsConfig(env stack.Environment) alerts.Config {
	return alerts.Config{Namespace: env.Namespaces.Workloads, Monitoring: env.Namespaces.Monitoring}
}

// rulesComponent is one PrometheusRule per rule group, labelled so that
// kube-prometheus-stack's Prometheus selects it, and the genops-runbooks
// ConfigMap holding every runbook (a stable name: nothing mounts it, people
// read it).
func rulesComponent(env stack.Environment, groups []alerts.Group) (component.Component, error) {
	c := kube.Component{Name: "prometheus-rules"}
	labels := maps.Clone(stack.CommonLabels)
	maps.Copy(labels, env.Monitoring.SelectorLabels())
	links, cfg := env.Links, alertsConfig(env)
	runbooks := kube.Generator{Kind: "ConfigMap", Name: runbooksConfigMap, Namespace: env.Namespaces.Monitoring, NoHash: true}
	for _, g := range groups {
		rg, err := g.RuleGroup(links)
		if err != nil {
			return component.Component{}, err
		}
		pr := &monitoringv1.PrometheusRule{
			ObjectMeta: kube.Meta(g.Name, env.Namespaces.Monitoring, labels),
			Spec:       monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{operatorGroup(rg)}},
		}
		if err := kube.SetTypeMeta(pr); err != nil {
			return component.Component{}, err
		}
		c.Objects = append(c.Objects, pr)
	}
	for _, a := range runbookAlerts(groups) {
		runbooks.Files = append(runbooks.Files, kube.GeneratedFile{Key: a.RunbookFile(), Kind: files.Runbook, Data: a.Markdown(links, cfg)})
	}
	sort.Slice(runbooks.Files, func(i, j int) bool { return runbooks.Files[i].Key < runbooks.Files[j].Key })
	c.Generators = []kube.Generator{runbooks}
	return component.Component{
		Name:  c.Name,
		Kube:  c,
		Check: func(artifact string) finding.List { return alerts.Check(artifact, groups) },
	}, nil
}

// operatorGroup is a rule group as the PrometheusRule resource holds it.
func operatorGroup(g rulefmt.RuleGroup) monitoringv1.RuleGroup {
	interval := monitoringv1.Duration(g.Interval.String())
	out := monitoringv1.RuleGroup{Name: g.Name, Interval: &interval}
	for _, r := range g.Rules {
		rule := monitoringv1.Rule{Record: r.Record, Alert: r.Alert, Expr: intstr.FromString(r.Expr), Labels: r.Labels, Annotations: r.Annotations}
		if r.For != 0 {
			rule.For = kube.Ptr(monitoringv1.Duration(r.For.String()))
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}

// renderRules adds the plain rule files, one per group, and the runbooks,
// one per alert, rendered from the base.
func renderRules(set *files.Set, base *Stack) error {
	links, cfg := base.Env.Links, alertsConfig(base.Env)
	for _, g := range base.RuleGroups {
		data, err := g.RuleFile(links)
		if err != nil {
			return err
		}
		if err := set.Add(path.Join(rulesDir, g.Name+".yaml"), files.RuleFile, data); err != nil {
			return err
		}
	}
	for _, a := range runbookAlerts(base.RuleGroups) {
		if err := set.Add(path.Join(runbooksDir, a.RunbookFile()), files.Runbook, a.Markdown(links, cfg)); err != nil {
			return err
		}
	}
	return nil
}

// runbookAlerts are the alerts whose runbooks are rendered: the first of
// each name (alerts of one name, one per team, share their runbook).
func runbookAlerts(groups []alerts.Group) []alerts.Alert {
	var out []alerts.Alert
	seen := map[string]bool{}
	for _, g := range groups {
		for _, a := range g.Alerts {
			if !seen[a.Alert] {
				seen[a.Alert] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// lintRendered runs the PromQL lint over every rendered rule file,
// dashboard and runbook (each once, not again in a ConfigMap's copy): a
// new dashboard is linted as soon as it is rendered.
func lintRendered(set *files.Set, cat *catalog.Catalog) finding.List {
	var in []promlint.File
	for _, f := range set.Distinct(files.RuleFile, files.Dashboard, files.Runbook) {
		in = append(in, promlint.File{Path: f.Path, Data: f.Data})
	}
	return promlint.New(cat, promlint.Options{}).Files(in)
}

// checkAlertLinks checks that every alert's runbook_url names a rendered
// runbook and its dashboard_url a rendered dashboard (once dashboards are
// rendered at all: grafana/dashboards/<uid>.json).
func checkAlertLinks(set *files.Set) finding.List {
	var fs finding.List
	dashboards := renderedDashboards(set)
	for _, f := range set.OfKind(files.RuleFile) {
		var rgs rulefmt.RuleGroups
		if err := yaml.Unmarshal(f.Data, &rgs); err != nil {
			continue // the lint reports it
		}
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				obj := "alert " + r.Alert
				runbook := path.Join(runbooksDir, path.Base(r.Annotations["runbook_url"]))
				if _, ok := set.Get(runbook); !ok {
					fs.Errorf(f.Path, obj, "alert-link", "runbook_url %q does not end in a rendered runbook (want .../%s.md)", r.Annotations["runbook_url"], r.Alert)
				}
				uid := linkedDashboard(r.Annotations["dashboard_url"])
				if uid == "" {
					fs.Errorf(f.Path, obj, "alert-link", "dashboard_url %q names no dashboard (want .../d/<uid>): give the alert the uid of a dashboard the stack renders", r.Annotations["dashboard_url"])
				} else if len(dashboards) > 0 && !dashboards[uid] {
					fs.Errorf(f.Path, obj, "alert-link", "dashboard_url %q names dashboard %s, which is not rendered (%s)", r.Annotations["dashboard_url"], uid, strings.Join(slices.Sorted(maps.Keys(dashboards)), ", "))
				}
			}
		}
	}
	return fs
}
