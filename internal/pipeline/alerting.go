package pipeline

import (
	"fmt"
	"path"
	"slices"
	"sort"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/component"
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

// buildAlerting assembles the Alertmanager configuration of the
// environment and its teams with build and renders it once (the checks,
// out/alertmanager/<env>/alertmanager.yaml and the generated Secret use
// these bytes). The component generates the Secret, reads the credentials
// Secret, and checks the configuration against the alerts s routes.
func (s *Stack) buildAlerting(build func(routing.Spec, routing.Wiring) routing.Config) (component.Component, error) {
	env := s.Env
	s.Alerting = build(env.Alerting, routing.Wiring{
		Links:         env.Links,
		PolicyWebhook: fmt.Sprintf("http://genops-ai.%s.svc/api/policy/alert", env.Namespaces.Workloads),
		Teams:         s.Teams,
	})
	data, err := alertmanager.Render(s.Alerting)
	if err != nil {
		return component.Component{}, fmt.Errorf("alertmanager config: %w", err)
	}
	s.AlertingYAML = data
	var keys []string
	for _, f := range s.Alerting.CredentialFiles() {
		keys = append(keys, path.Base(f))
	}
	return component.Component{
		Name: "alertmanager",
		Kube: kube.Component{Name: "alertmanager", Generators: []kube.Generator{{
			Kind: "Secret", Name: AlertmanagerConfigSecret, Namespace: env.Namespaces.Monitoring, NoHash: true,
			Files: []kube.GeneratedFile{{Key: alertmanager.ConfigKey, Kind: files.AlertmanagerConfig, Data: data}},
		}}},
		Files: []files.File{{Path: path.Join(alertmanagerDir, env.Name, alertmanager.ConfigKey), Kind: files.AlertmanagerConfig, Data: data}},
		Secrets: []component.Secret{{
			Name: env.Namespaces.Monitoring + "/" + env.Alerting.CredentialsSecret, Keys: keys,
			UsedBy: "Alertmanager's receivers (`*_file` fields; each `slack-<channel>` key is that channel's incoming-webhook URL)",
		}},
		Check: func(string) finding.List { return checkAlerting(s) },
	}, nil
}

// alertmanagerValues point the chart's Alertmanager at the generated config
// Secret and mount the credentials Secret.
func alertmanagerValues(s routing.Spec) *kubeprometheus.AlertmanagerSpec {
	return &kubeprometheus.AlertmanagerSpec{
		UseExistingSecret: true,
		ConfigSecret:      AlertmanagerConfigSecret,
		Secrets:           []string{s.CredentialsSecret},
		Retention:         routing.NotificationLogRetention,
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
		Routes:      slices.Concat(routing.RouteTests(), routing.TeamRouteTests(sp, s.Teams), routing.SLORouteTests(sp, s.Teams), routing.BudgetRouteTests(sp, s.Teams)),
		Inhibitions: routing.InhibitionTests(),
	})...)
	return fs
}

// validateAlerting loads every rendered Alertmanager configuration (each
// environment's, and the copies kustomize generates Secrets from: the
// base's is only there) with config.Load and reports literal secrets. Copies
// with the same bytes are loaded once and reported at each path, since each
// is deployed.
func validateAlerting(set *files.Set) finding.List {
	var fs finding.List
	byContent := map[string]finding.List{} // findings without the artifact
	for _, f := range set.OfKind(files.AlertmanagerConfig) {
		found, ok := byContent[string(f.Data)]
		if !ok {
			found = alertmanager.ValidateFile("", f.Data)
			byContent[string(f.Data)] = found
		}
		for _, x := range found {
			x.Artifact = f.Path
			fs.Add(x)
		}
	}
	return fs
}
