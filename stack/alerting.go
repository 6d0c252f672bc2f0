package stack

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/prometheus/common/model"

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

// buildAlerting assembles the Alertmanager configuration of env with build
// and the kustomize component generating its Secret.
func buildAlerting(env Environment, build func(routing.Spec, routing.Wiring) routing.Config) (routing.Config, kube.Component, error) {
	cfg := build(env.Alerting, routing.Wiring{
		Grafana:       env.Links.Grafana,
		Runbooks:      env.Links.Runbooks,
		PolicyWebhook: fmt.Sprintf("http://genops-ai.%s.svc/api/policy/alert", env.Namespaces.Workloads),
	})
	data, err := alertmanager.Render(cfg)
	if err != nil {
		return cfg, kube.Component{}, fmt.Errorf("alertmanager config: %w", err)
	}
	comp := kube.Component{Name: "alertmanager", Generators: []kube.Generator{{
		Kind: "Secret", Name: AlertmanagerConfigSecret, Namespace: env.Namespaces.Monitoring, NoHash: true,
		Files: []kube.GeneratedFile{{Key: alertmanager.ConfigKey, Data: data}},
	}}}
	return cfg, comp, nil
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
func routedAlerts(groups []alerts.Group, external map[string]string) ([]routing.Alert, error) {
	names := make([]string, 0, len(external))
	for n := range external {
		names = append(names, n)
	}
	sort.Strings(names)
	ns, err := alerts.Notifications(groups, catalog.Default(), names...)
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
	fs.Add(alertmanager.Check(a, s.Alerting, s.Alerts, alertmanager.Tests{
		Routes:      routing.RouteTests(),
		Inhibitions: routing.InhibitionTests(),
	})...)
	return fs
}

// renderAlerting adds out/alertmanager/<env>/alertmanager.yaml.
func renderAlerting(set *files.Set, s *Stack) error {
	data, err := alertmanager.Render(s.Alerting)
	if err != nil {
		return fmt.Errorf("alertmanager config: %w", err)
	}
	return set.Add(path.Join(alertmanagerDir, s.Env.Name, alertmanager.ConfigKey), data)
}

// validateAlerting loads every rendered Alertmanager configuration (the
// files of out/alertmanager and the copies kustomize generates Secrets
// from) with config.Load and reports literal secrets.
func validateAlerting(f files.File) finding.List {
	if path.Base(f.Path) != alertmanager.ConfigKey {
		return nil
	}
	return alertmanager.ValidateFile(f.Path, f.Data)
}

// alertingIndex is the section of out/README.md on alerting: the receivers
// each alert reaches in each environment, the routing trees, and the keys
// each environment's credentials Secret must hold.
func alertingIndex(envs []*Stack) (string, error) {
	if len(envs) == 0 {
		return "", nil
	}
	loaded := make([]*alertmanager.Loaded, len(envs))
	for i, s := range envs {
		var err error
		if loaded[i], err = alertmanager.FromConfig(s.Alerting); err != nil {
			return "", fmt.Errorf("%s: alertmanager config: %w", s.Env.Artifact(), err)
		}
	}
	var b strings.Builder
	b.WriteString("\n## Alert routing\n\nThe receivers each alert reaches (`genops-stack routes test --env E alertname=... severity=... category=...`).\n\n")
	b.WriteString("| alert | severity | category |")
	for _, s := range envs {
		b.WriteString(" " + s.Env.Name + " |")
	}
	b.WriteString("\n| --- | --- | --- |" + strings.Repeat(" --- |", len(envs)) + "\n")
	for _, a := range envs[0].Alerts {
		ls := model.LabelSet{model.AlertNameLabel: model.LabelValue(a.Name)}
		for k, v := range a.Labels {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |", a.Name, a.Labels["severity"], a.Labels["category"])
		for _, l := range loaded {
			fmt.Fprintf(&b, " %s |", strings.Join(l.Receivers(ls), ", "))
		}
		b.WriteString("\n")
	}
	// One tree per distinct tree, naming the environments that share it.
	var trees []string
	byTree := map[string][]string{}
	for i, l := range loaded {
		t := l.Tree()
		if byTree[t] == nil {
			trees = append(trees, t)
		}
		byTree[t] = append(byTree[t], envs[i].Env.Name)
	}
	for _, t := range trees {
		fmt.Fprintf(&b, "\nRouting tree of %s (`genops-stack routes`):\n\n```\n%s```\n", strings.Join(byTree[t], ", "), strings.TrimSpace(strings.TrimPrefix(t, "Routing tree:\n"))+"\n")
	}
	b.WriteString("\n## Alertmanager credentials\n\n")
	b.WriteString("Create this Secret in the monitoring namespace before deploying; genops-stack references its keys and never generates their values.\n\n")
	b.WriteString("| environment | Secret | keys |\n| --- | --- | --- |\n")
	for _, s := range envs {
		var keys []string
		for _, f := range s.Alerting.CredentialFiles() {
			keys = append(keys, "`"+path.Base(f)+"`")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Env.Name, s.Env.Alerting.CredentialsSecret, strings.Join(keys, ", "))
	}
	return b.String(), nil
}
