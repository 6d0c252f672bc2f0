package pipeline

import (
	"fmt"
	"github.com/koshihq/genops-stack/stack"
	"path"
	"sort"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
)

// AlertmanagerConfigSecret is the Secret kube-prometheus-stack's
// Alertmanager reads alertmanager.yaml from. Kustomize generates it from the
// rendered file; it holds no secret value (credentials are files of the
// environment's credentials Secret, which the operator mounts under
// routing.SecretsDir). Its name carries no hash so the Helm values can name
// it; Alertmanager's config reloader picks up every change.
const AlertmanagerConfigSecret = "alertmanager-genops-config"

// alertmanagerDir is the folder of out/ holding each environment's alertmanager.yaml.
const alertmanagerDir = "alertmanager"

// buildAlerting assembles the Alertmanager configuration of env and the
// teams with build, renders it (once: the checks, out/ and the generated
// Secret use these bytes), and the kustomize component generating its
// Secret.
func buildAlerting(env stack.Environment, build func(routing.Spec, routing.Wiring) routing.Config, teams []stack.Team) (routing.Config, []byte, kube.Component, error) {
	cfg := build(env.Alerting, routing.Wiring{
		Links:         env.Links,
		PolicyWebhook: fmt.Sprintf("http://genops-ai.%s.svc/api/policy/alert", env.Namespaces.Workloads),
		Teams:         teams,
	})
	data, err := alertmanager.Render(cfg)
	if err != nil {
		return cfg, nil, kube.Component{}, fmt.Errorf("alertmanager config: %w", err)
	}
	comp := kube.Component{Name: "alertmanager", Generators: []kube.Generator{{
		Kind: "Secret", Name: AlertmanagerConfigSecret, Namespace: env.Namespaces.Monitoring, NoHash: true,
		Files: []kube.GeneratedFile{{Key: alertmanager.ConfigKey, Data: data}},
	}}}
	return cfg, data, comp, nil
}

// alertmanagerValues point the chart's Alertmanager at the generated config
// Secret and mount the credentials Secret.
func alertmanagerValues(s routing.Spec) *kubeprometheus.AlertmanagerSpec {
	return &kubeprometheus.AlertmanagerSpec{
		UseExistingSecret: true,
		ConfigSecret:      AlertmanagerConfigSecret,
		Secrets:           []string{s.CredentialsSecret},
	}
}

// routedAlerts are the alerts Alertmanager routes: every alert rule of
// groups, with the labels of its expression's result (from the metric
// catalog) and the external labels Prometheus adds to every alert it sends.
func routedAlerts(groups []alerts.Group, cat *catalog.Catalog, external map[string]string) ([]routing.Alert, error) {
	names := make([]string, 0, len(external))
	for n := range external {
		names = append(names, n)
	}
	sort.Strings(names)
	ns, err := alerts.Notifications(groups, cat, names...)
	if err != nil {
		return nil, err
	}
	out := make([]routing.Alert, len(ns))
	for i, n := range ns {
		out[i] = routing.Alert{Name: n.Alert, Labels: routing.Labels(n.Static), LabelNames: n.Labels}
	}
	return out, nil
}

// checkAlerting checks the environment's notification settings and its
// Alertmanager configuration (routes, receivers, templates, coverage of
// every alert, inhibitions, the routing test tables).
func checkAlerting(s *Stack) finding.List {
	var fs finding.List
	a, sp := s.Env.Artifact(), s.Env.Alerting
	if sp.CredentialsSecret == "" {
		fs.Errorf(a, "alerting", "credentials-secret", "CredentialsSecret must name the existing Secret holding the notification credentials")
	}
	if sp.Page && (sp.SMTP.Smarthost == "" || sp.SMTP.From == "" || sp.EmailTo == "") {
		fs.Errorf(a, "alerting", "smtp", "Page sends email: set SMTP.Smarthost, SMTP.From and EmailTo")
	}
	if fs.Errors() > 0 {
		return fs
	}
	fs.Add(alertmanager.Check(a, s.Alerting, s.AlertingYAML, s.Alerts, alertmanager.Tests{
		Routes:      append(routing.RouteTests(), routing.TeamRouteTests(sp, s.Teams)...),
		Inhibitions: routing.InhibitionTests(),
	})...)
	return fs
}

// renderAlerting adds out/alertmanager/<env>/alertmanager.yaml.
func renderAlerting(set *files.Set, s *Stack) error {
	return set.Add(path.Join(alertmanagerDir, s.Env.Name, alertmanager.ConfigKey), s.AlertingYAML)
}

// validateAlerting loads every rendered Alertmanager configuration (the
// files of out/alertmanager and the copies kustomize generates Secrets
// from) with config.Load and reports literal secrets. Copies with the same
// bytes are loaded once: byContent holds the findings of each, without the
// artifact.
func validateAlerting(f files.File, byContent map[string]finding.List) finding.List {
	if path.Base(f.Path) != alertmanager.ConfigKey {
		return nil
	}
	found, ok := byContent[string(f.Data)]
	if !ok {
		found = alertmanager.ValidateFile("", f.Data)
		byContent[string(f.Data)] = found
	}
	fs := make(finding.List, len(found))
	for i, x := range found {
		x.Artifact = f.Path
		fs[i] = x
	}
	return fs
}
