package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/koshihq/genops-stack/alerts"
	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// badInput is one class of bad input. Each goes through the CLI (run, with
// the definition hook for the model and its content, --policy for policy
// files, lint for files on disk) and must give exactly its findings, exit
// 1, and leave a generated output directory byte-identical.
type badInput struct {
	// class says what is wrong; artifact is what it breaks.
	class, artifact string
	// mutate turns the default definition into the bad one.
	mutate func(*stack.Definition)
	// policy is a user .cue file, passed with --policy.
	policy string
	// files are written to a scratch folder for lint (path: content).
	files map[string]string
	// args is the command; the default is generate into the output
	// directory, or lint for files. OUT stands for that directory.
	args []string
	// want are the exact error findings, in the order printed.
	want []string
	// wantFrom, when set, gives want from the output of a good generate
	// (path: content): findings on every alert, runbook or Alertmanager
	// configuration the content renders follow the content.
	wantFrom func(golden map[string][]byte) []string
}

// The artifacts the classes break.
const (
	artModel      = "model"
	artCollector  = "collector"
	artSampling   = "sampling"
	artBackends   = "traces and logs"
	artScrape     = "scrape"
	artRules      = "rules"
	artRoutes     = "routes"
	artDashboards = "dashboards"
	artTerraform  = "terraform"
	artSecrets    = "secrets"
	artPolicies   = "policies"
	artLint       = "lint inputs"
	artContract   = "telemetry contract"
	artSLOs       = "SLOs and budgets"
	artNetwork    = "trust boundaries"
)

// withSLO changes the SLO called name.
func withSLO(name string, f func(*alerts.SLO)) func(*stack.Definition) {
	return func(d *stack.Definition) {
		d.Content.SLOs = slices.Clone(d.Content.SLOs)
		for i := range d.Content.SLOs {
			if d.Content.SLOs[i].Name == name {
				f(&d.Content.SLOs[i])
				return
			}
		}
		panic("the definition has no SLO " + name)
	}
}

// withMetric changes the catalog metric called name.
func withMetric(name string, f func(*catalog.Metric)) func(*stack.Definition) {
	return func(d *stack.Definition) {
		for i := range d.Content.Catalog.Metrics {
			if d.Content.Catalog.Metrics[i].Name == name {
				f(&d.Content.Catalog.Metrics[i])
			}
		}
	}
}

// production mutates the production environment of the definition.
func production(f func(*stack.Environment)) func(*stack.Definition) {
	return inEnvironment("production", f)
}

// inEnvironment mutates the environment of the definition called name.
func inEnvironment(name string, f func(*stack.Environment)) func(*stack.Definition) {
	return func(d *stack.Definition) {
		for i := range d.Environments {
			if d.Environments[i].Name == name {
				f(&d.Environments[i])
				return
			}
		}
		panic("the definition has no environment " + name)
	}
}

// stacks are the stacks of the default definition (the base and every
// environment) for which keep says true, by name, in the order findings
// are printed.
func stacks(keep func(stack.Environment) bool) []string {
	d := stack.Default()
	var out []string
	for _, e := range append([]stack.Environment{d.Base}, d.Environments...) {
		if keep(e) {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}

// every is true for every stack; paging for those whose Alertmanager pages.
func every(stack.Environment) bool          { return true }
func paging(e stack.Environment) bool       { return e.Alerting.Page }
func filelogAgent(e stack.Environment) bool { return e.Logging.Agent == logging.Filelog }

// inStacks are findings each stack of names reports, in the order printed.
func inStacks(names []string, findings ...string) []string {
	var out []string
	for _, n := range names {
		for _, f := range findings {
			out = append(out, "environment "+n+": "+f)
		}
	}
	return out
}

// everyStack are findings each assembled stack (the base and every
// environment) reports: content is shared, so a mistake in it is found in
// each.
func everyStack(findings ...string) []string { return inStacks(stacks(every), findings...) }

// alertmanagerConfigs are the paths of the rendered alertmanager.yaml of
// each paging stack (the base's is its Secret's; an environment's overlay
// holds one only where it differs from the base's), by stack.
func alertmanagerConfigs(golden map[string][]byte) map[string][]string {
	out := map[string][]string{}
	for _, n := range stacks(paging) {
		if n == stack.Defaults().Name {
			out[n] = []string{"kubernetes/base/alertmanager-genops-config/alertmanager.yaml"}
			continue
		}
		out[n] = []string{"alertmanager/" + n + "/alertmanager.yaml"}
		if p := "kubernetes/overlays/" + n + "/alertmanager-genops-config/alertmanager.yaml"; golden[p] != nil {
			out[n] = append(out[n], p)
		}
	}
	return out
}

// onAlertmanagerConfigs are findings on every rendered alertmanager.yaml of
// the paging stacks, by path.
func onAlertmanagerConfigs(golden map[string][]byte, findings ...string) []string {
	var out []string
	for _, paths := range alertmanagerConfigs(golden) {
		for _, p := range paths {
			for _, f := range findings {
				out = append(out, p+": "+f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// renderedAlert is an alerting rule of a rendered rule file.
type renderedAlert struct {
	file, group, name string
	labels            map[string]string
}

// renderedAlerts are the alerting rules of the rendered rule files, by file.
func renderedAlerts(golden map[string][]byte) []renderedAlert {
	var paths []string
	for p := range golden {
		if ok, _ := filepath.Match("prometheus/rules/*.yaml", p); ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []renderedAlert
	for _, p := range paths {
		var rgs rulefmt.RuleGroups
		if err := yaml.Unmarshal(golden[p], &rgs); err != nil {
			panic(p + ": " + err.Error())
		}
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					out = append(out, renderedAlert{p, g.Name, r.Alert, r.Labels})
				}
			}
		}
	}
	return out
}

// alertLine is the line of the rendered rule file at path where the rule
// of alert begins.
func alertLine(golden map[string][]byte, path, alert string) int {
	for i, line := range strings.Split(string(golden[path]), "\n") {
		if strings.TrimSpace(line) == "- alert: "+alert {
			return i + 1
		}
	}
	panic(path + " has no alert " + alert)
}

// linesWith are the lines of the rendered file at path that hold s.
func linesWith(golden map[string][]byte, path, s string) []int {
	var out []int
	for i, line := range strings.Split(string(golden[path]), "\n") {
		if strings.Contains(line, s) {
			out = append(out, i+1)
		}
	}
	if len(out) == 0 {
		panic(path + " never holds " + s)
	}
	return out
}

// receiversOf are the receivers the rendered Alertmanager configuration at
// path defines, sorted.
func receiversOf(golden map[string][]byte, path string) string {
	var cfg struct {
		Receivers []struct{ Name string } `yaml:"receivers"`
	}
	if err := yaml.Unmarshal(golden[path], &cfg); err != nil || len(cfg.Receivers) == 0 {
		panic(fmt.Sprintf("%s: no receivers: %v", path, err))
	}
	var out []string
	for _, r := range cfg.Receivers {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// withRules changes the rule groups of the content.
func withRules(f func([]alerts.Group) []alerts.Group) func(*stack.Definition) {
	return func(d *stack.Definition) {
		rules := d.Content.Rules
		d.Content.Rules = func(c alerts.Config) []alerts.Group { return f(rules(c)) }
	}
}

// withAlert changes the alert called name (the first, where alerts of one
// name differ by team).
func withAlert(name string, f func(*alerts.Alert)) func(*stack.Definition) {
	return withGroup(func(g *alerts.Group) bool {
		for i := range g.Alerts {
			if g.Alerts[i].Alert == name {
				f(&g.Alerts[i])
				return true
			}
		}
		return false
	})
}

// withGroup changes the first rule group for which f says true.
func withGroup(f func(*alerts.Group) bool) func(*stack.Definition) {
	return withRules(func(gs []alerts.Group) []alerts.Group {
		for i := range gs {
			if f(&gs[i]) {
				return gs
			}
		}
		panic("no rule group to change")
	})
}

// named selects the rule group called name.
func named(name string, f func(*alerts.Group)) func(*alerts.Group) bool {
	return func(g *alerts.Group) bool {
		if g.Name != name {
			return false
		}
		f(g)
		return true
	}
}

// withRouting changes the Alertmanager configuration of every environment
// that pages (the base and production).
func withRouting(f func(*routing.Config)) func(*stack.Definition) {
	return func(d *stack.Definition) {
		build := d.Content.Routing
		d.Content.Routing = func(s routing.Spec, w routing.Wiring) routing.Config {
			c := build(s, w)
			if s.Page {
				f(&c)
			}
			return c
		}
	}
}

// withDashboard adds a dashboard to the content.
func withDashboard(b func(dashboards.Inputs) *dashboard.DashboardBuilder) func(*stack.Definition) {
	return func(d *stack.Definition) { d.Content.Dashboards = append(d.Content.Dashboards, b) }
}

var promVar = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// panel is a time series panel of one query at a grid position.
func panel(id uint32, title, expr string, x, y uint32) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().Id(id).Title(title).Datasource(promVar).
		GridPos(dashboard.GridPos{X: x, Y: y, W: 12, H: 8}).
		WithTarget(prometheus.NewDataqueryBuilder().RefId("A").Expr(expr))
}

// extraDashboard is a dashboard that follows the house rules, with panels.
func extraDashboard(uid string, panels ...*timeseries.PanelBuilder) func(dashboards.Inputs) *dashboard.DashboardBuilder {
	return func(dashboards.Inputs) *dashboard.DashboardBuilder {
		d := dashboard.NewDashboardBuilder("Extra " + uid).Uid(uid).Tags([]string{dashboards.Tag}).
			WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Type("prometheus"))
		for _, p := range panels {
			d.WithPanel(p)
		}
		return d
	}
}

// Secret-looking values are assembled at run time: no file of the
// repository holds one.
var (
	slackWebhook = "https://hooks.slack.com/services/" + "T0000000/B0000000/" + strings.Repeat("x", 24)
	honeycombKey = "hc" + "aik_" + strings.Repeat("0", 26)
	bearerToken  = "Bear" + "er " + strings.Repeat("0a", 16)
)

func badInputs() []badInput {
	return []badInput{
		// The model: environments and their settings.
		{class: "environment defined twice", artifact: artModel,
			mutate: func(d *stack.Definition) { d.Environments = append(d.Environments, stack.Staging()) },
			want: []string{
				`environment staging: environment: environment "staging" is defined twice`,
			}},
		{class: "environment named like the base", artifact: artModel,
			mutate: func(d *stack.Definition) { d.Environments[0].Name = d.Base.Name },
			want: []string{
				`environment base: environment: an environment may not be named "base" like the base`,
			}},
		{class: "environment name not a DNS label", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Name = "Prod_1" }),
			want: []string{
				`environment Prod_1: environment: name "Prod_1" must be a DNS label (lower-case letters, digits, '-')`,
			}},
		{class: "no cluster name", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Cluster = "" }),
			want: []string{
				`environment production: environment: has no cluster name: set Cluster, it becomes the cluster label of every series`,
			}},
		{class: "namespace not a DNS label", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Namespaces.Workloads = "GenOps" }),
			want: []string{
				`environment production: namespaces: Namespaces.Workloads "GenOps" must be a DNS label`,
			}},
		{class: "unknown tracing backend", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Tracing = "zipkin" }),
			want: []string{
				`environment production: tracing: unknown tracing backend "zipkin" (want "tempo" or "jaeger")`,
			}},
		{class: "Prometheus retention not a duration", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Monitoring.Retention = "30 days" }),
			want: []string{
				`environment production: kube-prometheus-stack: retention "30 days" is not a Prometheus duration: unknown unit " days" in duration "30 days"`,
			}},
		{class: "Prometheus without replicas", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Monitoring.Replicas = 0 }),
			want: []string{
				`environment production: kube-prometheus-stack: Prometheus replicas must be at least 1, got 0`,
			}},
		{class: "no Grafana admin Secret", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Monitoring.GrafanaAdminSecret = "" }),
			want: []string{
				`environment production: kube-prometheus-stack: GrafanaAdminSecret must name the existing Secret holding Grafana's admin credentials`,
			}},
		{class: "no Helm release", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Monitoring.Release = "" }),
			want: []string{
				`environment production: kube-prometheus-stack: Release must name the Helm release: Prometheus selects rules and monitors by it`,
			}},
		{class: "no notification credentials Secret", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Alerting.CredentialsSecret = "" }),
			want: []string{
				`environment production: alerting: CredentialsSecret must name the existing Secret holding the notification credentials`,
			}},
		{class: "paging without a mail relay", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Alerting.SMTP.Smarthost = "" }),
			want: []string{
				`environment production: alerting: Page sends email: set SMTP.Smarthost, SMTP.From and EmailTo`,
			}},
		{class: "content without rules", artifact: artModel,
			mutate: func(d *stack.Definition) { d.Content.Rules = nil },
			want: []string{
				`definition: content: has no Rules function: start from stack.DefaultContent() and change what differs`,
			}},
		{class: "container without a memory limit", artifact: artModel,
			mutate: production(func(e *stack.Environment) { e.Tempo.Resources.MemoryLimit = resource.Quantity{} }),
			want: []string{
				`environment production: StatefulSet monitoring/tempo: container tempo: has no memory limit`,
			}},

		// The Collector.
		// memory_limiter's limits are percentages of the container's memory
		// limit: without one they would be percentages of the node's memory.
		{class: "Collector without a memory limit", artifact: artCollector,
			mutate: production(func(e *stack.Environment) { e.Collector.Gateway.Resources.MemoryLimit = resource.Quantity{} }),
			want: []string{
				`environment production: Deployment monitoring/otel-collector: container otel-collector: has no memory limit`,
			}},
		{class: "pull receivers replicated", artifact: artCollector,
			mutate: production(func(e *stack.Environment) { e.Collector.Cluster.Replicas = 3 }),
			want: []string{
				`environment production: collector otel-collector-cluster: pipeline metrics runs the pull receiver k8s_cluster with 3 replicas: every replica scrapes every target and each series is written 3 times; run pull receivers in a single-replica collector`,
				`environment production: collector otel-collector-cluster: pipeline metrics runs the pull receiver prometheus with 3 replicas: every replica scrapes every target and each series is written 3 times; run pull receivers in a single-replica collector`,
			}},
		{class: "tail sampling replicated", artifact: artCollector,
			mutate: production(func(e *stack.Environment) { e.Collector.Sampler.Replicas = 2 }),
			want: []string{
				`environment production: collector otel-collector-sampler: pipeline traces runs tail_sampling with 2 replicas, not fed by trace-ID load balancing: spans of one trace reach different replicas and each decides on part of the trace; run the sampling tier with one replica`,
			}},
		{class: "Collector without replicas", artifact: artCollector,
			mutate: production(func(e *stack.Environment) { e.Collector.Gateway.Replicas = 0 }),
			want: []string{
				`environment production: collector otel-collector: replicas must be at least 1, got 0`,
			}},
		{class: "Collector image on latest", artifact: artCollector,
			mutate: production(func(e *stack.Environment) { e.Collector.Image = "otel/opentelemetry-collector-contrib:latest" }),
			want: []string{
				`environment production: DaemonSet monitoring/otel-collector-agent: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector-cluster: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector-sampler: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
			}},

		// Trace sampling.
		{class: "latency threshold of zero", artifact: artSampling,
			mutate: production(func(e *stack.Environment) { e.Sampling.Tail.Policies[1].Latency.Threshold = 0 }),
			want: []string{
				`environment production: sampling policy latency-policy: latency threshold must be at least 1ms, got "0s": a zero threshold keeps every trace`,
			}},
		{class: "sampling percentage over 100", artifact: artSampling,
			mutate: production(func(e *stack.Environment) { e.Sampling.Tail.Policies[5].Probabilistic.Percentage = 150 }),
			want: []string{
				`environment production: sampling policy probabilistic-policy: sampling percentage 150 must be above 0 and at most 100`,
			}},
		{class: "unknown numeric attribute type", artifact: artSampling,
			mutate: production(func(e *stack.Environment) { e.Sampling.Tail.Policies[3].NumericAttribute.Type = "float" }),
			want: []string{
				`environment production: sampling policy high-cost-policy: attribute genops.cost.total has unknown type "float": want "int" or "double" (the value type the instrumentation sets)`,
			}},
		{class: "head sampler in front of tail sampling", artifact: artSampling,
			mutate: production(func(e *stack.Environment) { e.Sampling.Head = &sampling.Head{Percentage: 10} }),
			want: []string{
				`environment production: head sampler: keeps 10% of traces before tail sampling sees them, so error-policy, latency-policy, governance-policy, high-cost-policy, premium-customer-policy keep only 10% of the traces they exist to keep; drop the head sampler (a probabilistic tail policy samples the rest) or set it to 100`,
			}},
		{class: "tail sampling without policies", artifact: artSampling,
			mutate: production(func(e *stack.Environment) { e.Sampling.Tail.Policies = nil }),
			want: []string{
				`environment production: tail sampling: has no policies: every trace would be dropped`,
			}},

		// Trace and log backends.
		{class: "Tempo without retention", artifact: artBackends,
			mutate: production(func(e *stack.Environment) { e.Tempo.Retention = 0 }),
			want: []string{
				`environment production: tempo: retention must be above 0, got 0s`,
			}},
		{class: "Jaeger on Elasticsearch without a password Secret", artifact: artBackends,
			mutate: production(func(e *stack.Environment) {
				e.Tracing = tracing.Jaeger
				e.Jaeger.Memory = nil
				e.Jaeger.Elasticsearch = &tracing.JaegerElasticsearch{URL: "https://elasticsearch.monitoring.svc:9200", Username: "jaeger", IndexPrefix: "genops"}
			}),
			want: []string{
				`environment production: jaeger: the Elasticsearch store needs PasswordSecret and PasswordKey: the password is read from a Secret, never written in the values`,
			}},
		{class: "Jaeger image not pinned", artifact: artBackends,
			mutate: inEnvironment("development", func(e *stack.Environment) { e.Jaeger.Tag = "latest" }),
			want: []string{
				`environment development: jaeger: image tag "latest" is not a pinned version`,
			}},
		{class: "unknown log agent", artifact: artBackends,
			mutate: production(func(e *stack.Environment) { e.Logging.Agent = "fluentd" }),
			want: []string{
				`environment production: logging: unknown log agent "fluentd": want "filelog" (supported) or "promtail" (end-of-life)`,
			}},
		{class: "Loki retention not whole days", artifact: artBackends,
			mutate: production(func(e *stack.Environment) { e.Logging.Loki.Retention = 36 * time.Hour }),
			want: []string{
				`environment production: loki: retention 36h0m0s must be a positive multiple of 24h, Loki's index period`,
			}},

		// Scraping.
		{class: "unknown scraper of the GenOps pods", artifact: artScrape,
			mutate: production(func(e *stack.Environment) { e.Scrape.GenOpsPods = "both" }),
			want: []string{
				`environment production: scrape: GenOpsPods "both" is neither "collector" nor "prometheus": say who scrapes the GenOps pods`,
			}},
		{class: "scrape interval not a duration", artifact: artScrape,
			mutate: production(func(e *stack.Environment) { e.Collector.ScrapeInterval = "30 seconds" }),
			want: []string{
				`environment production: scrape: scrape interval "30 seconds" is not a positive Prometheus duration such as "30s"`,
			}},

		// Rules: alerts and recording rules.
		{class: "alert defined twice", artifact: artRules,
			mutate: withGroup(func(g *alerts.Group) bool {
				i := slices.IndexFunc(g.Alerts, func(a alerts.Alert) bool { return a.Alert == names.BudgetThreshold80Percent })
				if i >= 0 {
					g.Alerts = append(g.Alerts, g.Alerts[i])
				}
				return i >= 0
			}),
			want: everyStack(
				`alert BudgetThreshold80Percent: alert BudgetThreshold80Percent is defined twice: its runbook and routing would be ambiguous`,
			)},
		{class: "for not a duration", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.For = "5 minutes" }),
			want: everyStack(
				`alert BudgetThreshold80Percent: for: unknown unit " minutes" in duration "5 minutes"`,
			)},
		{class: "unknown severity", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Severity = "page" }),
			want: everyStack(
				`alert BudgetThreshold80Percent: reaches only the default receiver "default" with its labels {alertname="BudgetThreshold80Percent", category="cost", severity="page"}: add a route for it in routing/routes.go, or mark it ForDefault`,
				`alert BudgetThreshold80Percent: severity "page" is not info, warning or critical`,
			)},
		{class: "alert without a category", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Category = "" }),
			want: everyStack(
				`alert BudgetThreshold80Percent: has no category label: routing keys on it (cost, policy, performance, ...)`,
				`alert BudgetThreshold80Percent: reaches only the default receiver "default" with its labels {alertname="BudgetThreshold80Percent", category="", severity="warning"}: add a route for it in routing/routes.go, or mark it ForDefault`,
			)},
		{class: "alert linking a dashboard that is not rendered", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Dashboard = "genops-costs" }),
			// The findings list the dashboards that are rendered.
			wantFrom: func(golden map[string][]byte) []string {
				var uids []string
				for p := range golden {
					if path.Dir(p) == "grafana/dashboards" {
						uids = append(uids, strings.TrimSuffix(path.Base(p), ".json"))
					}
				}
				slices.Sort(uids)
				rendered := "(" + strings.Join(uids, ", ") + ")"
				return []string{
					`kubernetes/base/prometheus-rules.yaml: link /d/genops-costs: points at dashboard genops-costs, which the stack does not render ` + rendered,
					`prometheus/rules/genops-cost-alerts.yaml: alert BudgetThreshold80Percent: dashboard_url "http://grafana.monitoring.svc/d/genops-costs" names dashboard genops-costs, which is not rendered ` + rendered,
					`runbooks/BudgetThreshold80Percent.md: link /d/genops-costs: points at dashboard genops-costs, which the stack does not render ` + rendered,
				}
			}},
		{class: "alert without a runbook", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Runbook = alerts.Runbook{} }),
			want: everyStack(
				`alert BudgetThreshold80Percent: runbook needs what the alert means, investigation steps and remediation steps`,
			)},
		{class: "rule group name not a file name", artifact: artRules,
			mutate: withGroup(named("genops-cost-alerts", func(g *alerts.Group) { g.Name = "GenOps Cost" })),
			want: everyStack(
				`group GenOps Cost: name "GenOps Cost" must be lower-case letters, digits and '-': it names the rule file and the PrometheusRule`,
			)},
		{class: "rate() over a gauge", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Expr = `rate(genops_budget_remaining_usd[5m]) > 1` }),
			// On the alert's expression (the line after its name) and in its
			// runbook.
			wantFrom: func(golden map[string][]byte) []string {
				const msg = `rate(genops_budget_remaining_usd[5m]): genops_budget_remaining_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`
				return []string{
					fmt.Sprintf("prometheus/rules/genops-cost-alerts.yaml:%d: alert BudgetThreshold80Percent: %s", alertLine(golden, "prometheus/rules/genops-cost-alerts.yaml", names.BudgetThreshold80Percent)+1, msg),
					"runbooks/BudgetThreshold80Percent.md:17: runbook BudgetThreshold80Percent: " + msg,
				}
			}},
		{class: "unknown metric", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Expr = `genops_budget_utilisation_percent > 80` }),
			want: everyStack(
				`alert BudgetThreshold80Percent: promlint: the result's labels are unknown: unknown metric genops_budget_utilisation_percent: it is neither in the metric catalog nor a recording rule (did you mean genops_budget_utilization_percent?)`,
			)},
		{class: "template label the expression never carries", artifact: artRules,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) { a.Summary = "Budget threshold exceeded ({{ $labels.model }})" }),
			wantFrom: func(golden map[string][]byte) []string {
				return []string{fmt.Sprintf("prometheus/rules/genops-cost-alerts.yaml:%d: alert BudgetThreshold80Percent: annotation summary uses $labels.model, which the expression's result never carries (max by (team, budget) keeps only: budget, team); add model to max by (team, budget), or take it out of the template",
					alertLine(golden, "prometheus/rules/genops-cost-alerts.yaml", names.BudgetThreshold80Percent))}
			}},
		{class: "recording rule not named level:metric:operations", artifact: artRules,
			mutate: withGroup(named("genops-recording-rules", func(g *alerts.Group) {
				g.Records = append(g.Records, alerts.Record{Record: "team_cost_usd", Expr: `sum by (team) (increase(genops_cost_usd_total[1h]))`})
			})),
			want: everyStack(
				`record team_cost_usd: recording rule name "team_cost_usd" is not level:metric:operations (job:genops_requests:rate5m, team:genops_cost_usd:increase1h): the name says what the series aggregates and how`,
			)},

		// SLOs.
		{class: "SLO objective of 100%", artifact: artSLOs,
			mutate: withSLO("openai-availability", func(s *alerts.SLO) { s.Objective = 100 }),
			want:   everyStack(`slo openai-availability: objective 100% must be above 0 and below 100: at 100% there is no error budget to burn`)},
		{class: "SLO objective of 0%", artifact: artSLOs,
			mutate: withSLO("anthropic-availability", func(s *alerts.SLO) { s.Objective = 0 }),
			want:   everyStack(`slo anthropic-availability: objective 0% must be above 0 and below 100: at 100% there is no error budget to burn`)},
		{class: "SLO window not a whole number of evaluation intervals", artifact: artSLOs,
			mutate: withSLO("openai-availability", func(s *alerts.SLO) { s.Window = "30d30s" }),
			want:   everyStack(`slo openai-availability: window 30d30s is not a whole number of the rule evaluation interval 1m`)},
		{class: "SLO latency threshold not a bucket boundary", artifact: artSLOs,
			mutate: withSLO("openai-latency", func(s *alerts.SLO) { s.ThresholdSeconds = 3 }),
			want:   everyStack(`slo openai-latency: latency threshold 3s is not a bucket boundary of genops_request_duration_seconds (0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)`)},
		{class: "SLO time-to-first-token threshold not a bucket boundary", artifact: artSLOs,
			mutate: withSLO("openai-time-to-first-token", func(s *alerts.SLO) { s.ThresholdSeconds = 1 }),
			want:   everyStack(`slo openai-time-to-first-token: time-to-first-token threshold 1s is not a bucket boundary of gen_ai_client_operation_time_to_first_chunk_seconds (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)`)},

		{class: "budget threshold above 100%", artifact: artSLOs,
			mutate: func(d *stack.Definition) {
				d.Content.Teams = slices.Clone(d.Content.Teams)
				d.Content.Teams[0].BudgetThresholds = []float64{50, 80, 150}
			},
			want: []string{`teams: team ml-platform: budget threshold 150% must be above 0 and at most 100`}},
		{class: "budget threshold listed twice", artifact: artSLOs,
			mutate: func(d *stack.Definition) {
				d.Content.Teams = slices.Clone(d.Content.Teams)
				d.Content.Teams[1].BudgetThresholds = []float64{50, 95, 95, 100}
			},
			want: []string{`teams: team research: budget threshold 95% is listed twice: it would notify twice`}},

		// Alertmanager routing.
		{class: "route to an undefined receiver", artifact: artRoutes,
			mutate: withRouting(func(c *routing.Config) { c.Route.Routes[1].Receiver = "cost" }),
			wantFrom: func(golden map[string][]byte) []string {
				var out []string
				configs := alertmanagerConfigs(golden)
				for _, n := range stacks(paging) {
					out = append(out, "environment "+n+`: route routes[1] {severity="warning", category="cost"}: receiver "cost" is not defined; define it or use one of: `+receiversOf(golden, configs[n][0]))
				}
				return out
			}},
		{class: "alerts that reach only the default receiver", artifact: artRoutes,
			mutate: withRouting(func(c *routing.Config) { c.Route.Routes[3].Matchers = []string{`category="performance"`} }),
			// Every quality alert the rules render and every quality alert of
			// the routing table now reaches the default receiver only.
			wantFrom: func(golden map[string][]byte) []string {
				var quality []string
				for _, a := range renderedAlerts(golden) {
					if a.labels["category"] == "quality" {
						ls := model.LabelSet{"alertname": model.LabelValue(a.name)}
						for k, v := range a.labels {
							ls[model.LabelName(k)] = model.LabelValue(v)
						}
						quality = append(quality, "alert "+a.name+`: reaches only the default receiver "default" with its labels `+ls.String()+": add a route for it in routing/routes.go, or mark it ForDefault")
					}
				}
				for _, rt := range routing.RouteTests() {
					if rt.Labels["category"] == "quality" {
						ls := model.LabelSet{}
						for k, v := range rt.Labels {
							ls[model.LabelName(k)] = model.LabelValue(v)
						}
						quality = append(quality, "routing test "+ls.String()+": reaches default, want "+strings.Join(rt.Receivers, ", "))
					}
				}
				sort.Strings(quality)
				return inStacks(stacks(paging), quality...)
			}},
		{class: "inhibition on a label the alerts lack", artifact: artRoutes,
			mutate: withRouting(func(c *routing.Config) {
				c.InhibitRules = append(c.InhibitRules, routing.InhibitRule{
					SourceMatchers: []string{`alertname="HighErrorRate"`}, TargetMatchers: []string{`alertname="HighLatency"`}, Equal: []string{"team"},
				})
			}),
			want: inStacks(stacks(paging),
				`inhibit_rules[4]: equal label "team" is missing on source alerts HighErrorRate and target alerts HighLatency: a missing label compares as empty, so these alerts never agree with the ones that carry it; drop "team" from equal or narrow the matchers to alerts that carry it`,
				`inhibition test "critical alerts of other categories mute nothing": {alertname="HighLatency", category="performance", provider="openai", severity="warning"} is muted, want not muted`,
			)},
		{class: "matcher that does not parse", artifact: artRoutes,
			mutate: withRouting(func(c *routing.Config) { c.Route.Routes[2].Matchers = []string{`category=policy"`} }),
			want: inStacks(stacks(paging),
				`route routes[2] {category=policy"}: matcher "category=policy\"" does not parse: matcher value contains unescaped double quote: policy"`,
			)},
		{class: "routes test over a tree that does not load", artifact: artRoutes,
			mutate: withRouting(func(c *routing.Config) { c.Route.Routes[1].Receiver = "cost" }),
			args:   []string{"routes", "test", "--env", "production", "severity=warning", "category=cost"},
			want: []string{
				`genops-stack: environment production: alertmanager config does not load: undefined receiver "cost" used in route`,
			}},

		// Literal secrets.
		{class: "Slack webhook URL in a receiver", artifact: artSecrets,
			mutate: withRouting(func(c *routing.Config) {
				i := slices.IndexFunc(c.Receivers, func(r routing.Receiver) bool { return r.Name == names.ReceiverDefault })
				c.Receivers[i].Webhook = append(c.Receivers[i].Webhook, routing.Webhook{URL: slackWebhook})
			}),
			wantFrom: func(golden map[string][]byte) []string {
				return onAlertmanagerConfigs(golden,
					`key url: holds a literal that looks like a secret (slack_webhook): reference it instead (a *_file field, a secretKeyRef, ${env:...})`,
					`receiver default: webhook_configs[0].url carries a credential (the URL of a hooks.slack.com webhook is its credential): put the URL in the credentials Secret and use url_file`,
				)
			}},
		{class: "credential in a webhook's query", artifact: artSecrets,
			mutate: withRouting(func(c *routing.Config) {
				for i := range c.Receivers {
					for j := range c.Receivers[i].Webhook {
						c.Receivers[i].Webhook[j].URL += "?token=" + strings.Repeat("0", 16)
					}
				}
			}),
			wantFrom: func(golden map[string][]byte) []string {
				return onAlertmanagerConfigs(golden,
					`receiver policy-violations: webhook_configs[0].url carries a credential (query parameter "token"): put the URL in the credentials Secret and use url_file`,
				)
			}},
		{class: "Honeycomb API key where its Secret's name goes", artifact: artSecrets,
			mutate: production(func(e *stack.Environment) { e.Integrations.Honeycomb.Secret = honeycombKey }),
			want: []string{
				`README.md: text: holds a literal that looks like a secret (honeycomb_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})`,
				`kubernetes/overlays/production/patches/deployment-monitoring-otel-collector-sampler.yaml: key name: holds a literal that looks like a secret (honeycomb_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})`,
			}},
		{class: "bearer token in a runbook command", artifact: artSecrets,
			mutate: withAlert(names.BudgetThreshold80Percent, func(a *alerts.Alert) {
				a.Runbook.Investigation = append(a.Runbook.Investigation, alerts.Step{
					Text:  "Ask the budget API:",
					Shell: `curl -H "Authorization: ` + bearerToken + `" http://genops-ai.genops-system.svc/api/budgets`,
				})
			}),
			want: []string{
				`kubernetes/base/genops-runbooks/BudgetThreshold80Percent.md: text: holds a literal that looks like a secret (bearer_token): reference it instead (a *_file field, a secretKeyRef, ${env:...})`,
				`runbooks/BudgetThreshold80Percent.md: text: holds a literal that looks like a secret (bearer_token): reference it instead (a *_file field, a secretKeyRef, ${env:...})`,
			}},
		{class: "password in the Grafana URL Terraform uses", artifact: artTerraform,
			mutate: production(func(e *stack.Environment) {
				e.Links.Grafana = "https://admin:" + strings.Repeat("0", 12) + "@grafana.example.com"
			}),
			// Production's Alertmanager configuration, every runbook (each
			// links its dashboard) and every group of alerts (their
			// dashboard_url) get the URL, in production's overlay.
			wantFrom: func(golden map[string][]byte) []string {
				const secret = ": holds a literal that looks like a secret (basic_auth_url): reference it instead (a *_file field, a secretKeyRef, ${env:...})"
				out := []string{
					"alertmanager/production/alertmanager.yaml: key url" + secret,
					"kubernetes/overlays/production/alertmanager-genops-config/alertmanager.yaml: key url" + secret,
					"terraform/production.tfvars: key grafana_url" + secret,
				}
				for p := range golden {
					if ok, _ := filepath.Match("runbooks/*.md", p); ok {
						out = append(out, "kubernetes/overlays/production/genops-runbooks/"+filepath.Base(p)+": text"+secret)
					}
				}
				groups := map[string]bool{}
				for _, a := range renderedAlerts(golden) {
					groups[a.group] = true
				}
				for g := range groups {
					out = append(out, "kubernetes/overlays/production/patches/prometheusrule-monitoring-"+g+".yaml: key value"+secret)
				}
				sort.Strings(out)
				return out
			}},

		// Dashboards.
		{class: "dashboard uid used twice", artifact: artDashboards,
			mutate: withDashboard(dashboards.Cost),
			want: []string{
				`dashboards: dashboard "GenOps AI - Cost Tracking": has the same title as dashboard genops-cost: Grafana refuses two dashboards with one title in folder "GenOps AI"; rename one`,
				`dashboards: dashboard "GenOps AI - Cost Tracking": uid "genops-cost" is also the uid of dashboard "GenOps AI - Cost Tracking": every dashboard needs its own uid`,
			}},
		{class: "dashboard uid not a Grafana uid", artifact: artDashboards,
			mutate: withDashboard(extraDashboard("genops cost!")),
			want: []string{
				`dashboards: dashboard "Extra genops cost!": uid "genops cost!" is not a Grafana uid: use 1 to 40 letters, digits, '-' or '_'`,
			}},
		{class: "panel on an unknown data source", artifact: artDashboards,
			mutate: withDashboard(extraDashboard("genops-extra", panel(1, "Spend", `sum(genops_budget_remaining_usd)`, 0, 0).
				Datasource(common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("mimir")}))),
			want: []string{
				`grafana/dashboards/genops-extra.json: panel 1 "Spend": references data source uid "mimir", which the stack does not define (genops-alertmanager, genops-loki, genops-prometheus, genops-traces): use the $datasource variable or one of these uids`,
			}},
		{class: "panel over an undefined variable", artifact: artDashboards,
			mutate: withDashboard(extraDashboard("genops-extra", panel(1, "Spend", `sum(genops_budget_remaining_usd{team=~"$team"})`, 0, 0))),
			want: []string{
				`grafana/dashboards/genops-extra.json: panel 1 "Spend": uses $team, which the dashboard does not define (defined: $datasource): add the template variable or fix the name`,
			}},
		{class: "overlapping panels", artifact: artDashboards,
			mutate: withDashboard(extraDashboard("genops-extra",
				panel(1, "Remaining", `sum(genops_budget_remaining_usd)`, 0, 0),
				panel(2, "Utilization", `max(genops_budget_utilization_percent)`, 6, 4))),
			want: []string{
				`grafana/dashboards/genops-extra.json: panel 2 "Utilization": overlaps panel 1 "Remaining": move it (gridPos x 6 y 4 w 12 h 8)`,
			}},
		{class: "dashboard the SDK refuses to build", artifact: artDashboards,
			mutate: withDashboard(func(dashboards.Inputs) *dashboard.DashboardBuilder {
				return dashboard.NewDashboardBuilder("Bad").Uid("genops-bad").FiscalYearStartMonth(12)
			}),
			want: everyStack(
				fmt.Sprintf("dashboard %d of the list: fiscalYearStartMonth: must be < 12", len(stack.DefaultContent().Dashboards)+1),
			)},
		{class: "increase() over a gauge in a panel", artifact: artDashboards,
			mutate: withDashboard(extraDashboard("genops-extra", panel(1, "Spend", `sum(increase(genops_budget_remaining_usd[1h]))`, 0, 0))),
			want: []string{
				`grafana/dashboards/genops-extra.json:18: dashboard genops-extra panel "Spend": increase(genops_budget_remaining_usd[1h]): genops_budget_remaining_usd is a gauge, and increase() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge`,
			}},
		{class: "dashboard without the genops tag", artifact: artDashboards,
			mutate: withDashboard(func(in dashboards.Inputs) *dashboard.DashboardBuilder {
				return extraDashboard("genops-extra", panel(1, "Remaining", `sum(genops_budget_remaining_usd)`, 0, 0))(in).Tags([]string{"finops"})
			}),
			want: []string{
				`grafana/dashboards/genops-extra.json: dashboard genops-extra: policy tags: invalid value ["finops"] (does not satisfy list.MatchN)`,
			}},

		// Policies.
		{class: "user policy an alert breaks", artifact: artPolicies,
			policy: "package genops\n\n// Every alert names the team that owns it.\nalert: labels: team: string\n",
			// Every alert the rules render without a static team label.
			wantFrom: func(golden map[string][]byte) []string {
				var out []string
				for _, a := range renderedAlerts(golden) {
					if _, ok := a.labels["team"]; !ok {
						out = append(out, a.file+": alert "+a.name+" in group "+a.group+": policy labels.team: is required (string)")
					}
				}
				sort.Strings(out)
				return out
			}},
		{class: "policy that does not compile", artifact: artPolicies,
			policy: "package genops\n\nalert: labels: {\n",
			want: []string{
				`policy: policy policies/house.cue: expected '}', found 'EOF': policies/house.cue:3:18`,
			}},
		{class: "policy contradicting a built-in one", artifact: artPolicies,
			policy: "package genops\n\ndashboard: uid: \"costs\"\n",
			want: []string{
				`policy: policies conflict: dashboard.uid: invalid value "costs" (out of bound =~"^genops-[a-z0-9-]+$"): schemas/dashboards.cue:7:9 policies/house.cue:3:17`,
			}},
		{class: "secret pattern that is not a regular expression", artifact: artPolicies,
			policy: "package genops\n\nsecrets: patterns: vault_token: \"hvs\\\\.[A-Za-z0-9\"\n",
			want: []string{
				"policy: policy secrets.patterns.vault_token: error parsing regexp: missing closing ]: `[A-Za-z0-9`",
			}},

		// Files given to lint.
		{class: "rule file that is not YAML", artifact: artLint,
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules: [\n"},
			want: []string{
				`rules.yaml: error: file: not valid YAML: yaml: line 3: did not find expected node content`,
			}},
		{class: "unknown field in a rule", artifact: artLint,
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n    labelz: {a: b}\n"},
			want: []string{
				`rules.yaml:6: error: rulefmt: field labelz not found in type rulefmt.Rule`,
			}},
		{class: "PromQL that does not parse", artifact: artLint,
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up\n"},
			want: []string{
				`rules.yaml:4: error: rulefmt: record job:up:sum: could not parse expression: 1:17: parse error: unclosed left parenthesis`,
			}},
		{class: "dashboard that is not JSON", artifact: artLint,
			files: map[string]string{"dashboard.json": `{"uid": "x", "panels": [`},
			want: []string{
				`dashboard.json: error: file: not valid JSON: unexpected end of JSON input`,
			}},
		{class: "rate() over a gauge in a PrometheusRule", artifact: artLint,
			files: map[string]string{"rule.yaml": `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: cost
spec:
  groups:
  - name: cost
    rules:
    - record: team:genops_budget_remaining_usd:rate5m
      expr: sum by (team) (rate(genops_budget_remaining_usd[5m]))
`},
			want: []string{
				`rule.yaml:10: error: rate-over-non-counter: record team:genops_budget_remaining_usd:rate5m: rate(genops_budget_remaining_usd[5m]): genops_budget_remaining_usd is a gauge, and rate() assumes a counter (it reads every decrease as a reset); use delta() or deriv() over a gauge [source: the metric catalog]`,
			}},
		{class: "histogram_quantile without le", artifact: artLint,
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules:\n  - record: model:genops_request_duration_seconds:p95\n    expr: histogram_quantile(0.95, sum by (model) (rate(genops_request_duration_seconds_bucket[5m])))\n"},
			want: []string{
				`rules.yaml:5: error: histogram-quantile: record model:genops_request_duration_seconds:p95: histogram_quantile() over genops_request_duration_seconds_bucket without the le label: sum by (model) drops it; keep le, e.g. sum by (..., le) [source: the query]`,
			}},
		{class: "unknown metric in a runbook of the stack's", artifact: artLint,
			args:  []string{"lint", "--profile", "genops"},
			files: map[string]string{"Runbook.md": "# Runbook\n\n```promql\nsum(genops_cost_usd)\n```\n"},
			want: []string{
				`Runbook.md:4: error: unknown-metric: runbook Runbook: unknown metric genops_cost_usd: it is neither in the metric catalog nor a recording rule [source: the metric catalog]`,
			}},
		{class: "alert breaking one house rule, linted as the stack's", artifact: artLint,
			args: []string{"lint", "--profile", "genops"},
			files: map[string]string{"rules.yaml": `groups:
- name: g
  rules:
  - alert: BudgetBurn
    expr: sum by (team) (rate(genops_cost_usd_total[1h])) > 10
    for: 10m
    labels: {severity: page, category: cost}
    annotations: {summary: "{{ $labels.team }} burns its budget", description: d, runbook_url: "https://example.com/BudgetBurn.md"}
`},
			want: []string{
				`rules.yaml:4: error: alert-severity: alert BudgetBurn: severity "page" is not info, warning or critical`,
			}},
		{class: "legend label the query's aggregation drops", artifact: artLint,
			files: map[string]string{"dashboard.json": `{"uid": "spend", "panels": [{"type": "timeseries", "title": "Spend",
"targets": [{"expr": "sum by (hashed_api_key) (rate(llm_spend_usd_total[$__rate_interval]))", "legendFormat": "{{team}}"}]}]}`},
			want: []string{
				`dashboard.json:2: error: template-label: dashboard spend panel "Spend": legend "{{team}}" uses label team, which the query's result never carries (sum by (hashed_api_key) keeps only: hashed_api_key); add team to sum by (hashed_api_key), or take it out of the legend [source: the query]`,
			}},
		{class: "counter aggregated raw", artifact: artLint,
			files: map[string]string{"dashboard.json": `{"uid": "req", "panels": [{"type": "stat", "title": "Requests",
"targets": [{"expr": "sum(llm_requests_total)"}]}]}`},
			want: []string{
				`dashboard.json:2: error: counter-without-rate: dashboard req panel "Requests": sum(llm_requests_total): llm_requests_total is a counter, aggregated raw: each series holds its total since its process started and drops to zero when the process restarts, so the result ignores the time range and falls whenever an instance restarts; aggregate its rate instead: rate(llm_requests_total[$__rate_interval]) for a rate, increase(llm_requests_total[$__range]) for the total over the dashboard's range [source: naming convention: the _total suffix]`,
			}},
		{class: "histogram buckets aggregated across le", artifact: artLint,
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules:\n  - record: job:llm_latency_seconds_bucket:avg\n    expr: avg(rate(llm_latency_seconds_bucket[5m]))\n"},
			want: []string{
				`rules.yaml:5: error: bucket-aggregation: record job:llm_latency_seconds_bucket:avg: avg(rate(llm_latency_seconds_bucket[5m])): aggregates the buckets of histogram llm_latency_seconds across their bounds (le): each observation counts once per bucket it falls in, so the result is no quantity of the histogram; use histogram_quantile(0.95, sum by (le) (rate(llm_latency_seconds_bucket[5m]))), or keep le (sum by (le)) for a heatmap [source: naming convention: the _bucket suffix]`,
			}},
		{class: "dashboard range as each point's range", artifact: artLint,
			files: map[string]string{"dashboard.json": `{"uid": "spend", "panels": [{"type": "timeseries", "title": "Spend",
"targets": [{"expr": "sum(increase(llm_spend_usd_total[$__range]))"}]}]}`},
			want: []string{
				`dashboard.json:2: error: range-per-point: dashboard spend panel "Spend": timeseries panel runs the query over the dashboard's range, and [$__range] makes every point cover that whole range before it: the line is a moving window as wide as the dashboard, not a value per step; use [$__rate_interval] (rate) or [$__interval] (increase per step), or make the query instant (a stat or table panel)`,
			}},
		// The telemetry contract: what workloads send, where metrics come from.
		{class: "metric derived from an attribute nothing sends", artifact: artContract,
			mutate: withMetric("genops_cost_usd_total", func(m *catalog.Metric) {
				m.Source.Derivation.Parts[0].Value.Attribute = "genops.cost.amount"
			}),
			want: []string{
				`catalog: metric genops_cost_usd_total: derived from span attribute genops.cost.amount, which the telemetry contract does not define (no producer sends it)`,
			}},
		{class: "unbounded attribute as a label", artifact: artContract,
			mutate: withMetric("genops_requests_total", func(m *catalog.Metric) {
				m.Labels = append(m.Labels, "customer")
				m.Source.Derivation.Labels = append(m.Source.Derivation.Labels, catalog.Label{Name: "customer", Attribute: "genops.customer_id"})
			}),
			want: []string{
				`catalog: metric genops_requests_total: label customer comes from span attribute genops.customer_id, which is unbounded: one series per value; keep it on spans`,
			}},
		{class: "team namespace another team also claims", artifact: artNetwork,
			mutate: func(d *stack.Definition) {
				d.Content.Teams[1].Namespaces = []string{"research", d.Content.Teams[0].Namespaces[0]}
			},
			want: []string{
				`teams: team research: namespace ml-platform is claimed by team ml-platform too: a namespace has one owner, who is charged for every span sent from it`,
			}},
		{class: "team claiming the monitoring namespace", artifact: artNetwork,
			mutate: func(d *stack.Definition) { d.Content.Teams[1].Namespaces = []string{"monitoring"} },
			want: everyStack(
				`team research: claims namespace monitoring, where the stack runs: its pods would be admitted to the gateway as GenOps workloads and charged to the team`,
			)},
		{class: "allow rule naming a component that does not exist", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) {
				e.Network.Allow = []netpol.Allow{{To: "tempoo", Ports: []string{"http"}, From: netpol.Peer{Component: "grafana"}}}
			}),
			want: []string{
				`environment production: Network.Allow[0] (to tempoo from component grafana): no component tempoo in this environment (components: alertmanager, grafana, kube-state-metrics, loki, otel-collector, otel-collector-agent, otel-collector-cluster, otel-collector-sampler, prometheus, prometheus-operator, tempo)`,
			}},
		{class: "allow rule from a component that does not exist", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) {
				e.Network.Allow = []netpol.Allow{{To: "tempo", Ports: []string{"http"}, From: netpol.Peer{Component: "jaeger"}}}
			}),
			want: []string{
				`environment production: Network.Allow[0] (to tempo from component jaeger): no component jaeger in this environment (components: alertmanager, grafana, kube-state-metrics, loki, otel-collector, otel-collector-agent, otel-collector-cluster, otel-collector-sampler, prometheus, prometheus-operator, tempo)`,
			}},
		{class: "allow rule naming a port the component does not have", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) {
				e.Network.Allow = []netpol.Allow{{To: "tempo", Ports: []string{"grpc"}, From: netpol.Peer{Namespace: "tools"}}}
			}),
			want: []string{
				`environment production: Network.Allow[0] (to tempo from namespace tools): tempo has no port grpc (ports: http, otlp-grpc, otlp-http)`,
			}},
		{class: "authentication on without a Secret name", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) { e.Collector.Auth.Secret = "" }),
			want: []string{
				`environment production: collector otel-collector: authentication is on but names no Secret holding the token (Auth.Secret "", Auth.Key "token"): name the Secret and key you create in the Collector's namespace; genops-stack never generates the token`,
			}},
		{class: "attribution without the team label", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) { e.Collector.Attribution.TeamLabel = "" }),
			want: []string{
				`environment production: collector otel-collector: Attribution.TeamLabel names no namespace label: the gateway could not tell which team owns a span's namespace`,
			}},
		{class: "Datadog without the Agent's namespace", artifact: artNetwork,
			mutate: production(func(e *stack.Environment) { e.Integrations.Datadog.AgentNamespace = "" }),
			want: []string{
				`environment production: datadog: is enabled but names no AgentNamespace: the gateway's NetworkPolicy admits the Agent's pods by their namespace`,
			}},
		{class: "alias that collides with a canonical name", artifact: artContract,
			mutate: func(d *stack.Definition) {
				d.Content.Catalog.Contract.Aliases = append(d.Content.Catalog.Contract.Aliases, catalog.Alias{Name: "genops.team", Canonical: "genops.project"})
			},
			want: []string{
				`catalog: alias genops.team of genops.project collides with the canonical attribute genops.team: a producer setting it could not be told apart`,
			}},
		{class: "sampling policy on an attribute nothing sends", artifact: artContract,
			mutate: production(func(e *stack.Environment) {
				e.Sampling.Tail.Policies[2] = sampling.StringAttribute("governance-policy", "genops.policy_violation", "true")
			}),
			want: []string{
				`environment production: sampling policy governance-policy: keys on genops.policy_violation, an alias of genops.policy.result: the gateway normalizes aliases before spans reach the sampler, key on genops.policy.result`,
			}},
		{class: "query over a metric without a source", artifact: artContract,
			mutate: withMetric("genops_eval_quality_score", func(m *catalog.Metric) { m.Source = nil }),
			// Wherever a rendered query reads the metric: the panel, the
			// alert's expression (the line after its name), the runbook.
			wantFrom: func(golden map[string][]byte) []string {
				const msg = `metric genops_eval_quality_score has no source: nothing sends it (give it a Source in stack/catalog: derived from span attributes, scraped from a named exporter, or an OTel GenAI metric)`
				const dash, rules, runbook = "grafana/dashboards/genops-performance.json", "prometheus/rules/genops-performance-alerts.yaml", "runbooks/LowQualityScore.md"
				var out []string
				for _, n := range linesWith(golden, dash, "genops_eval_quality_score") {
					out = append(out, fmt.Sprintf(`%s:%d: dashboard genops-performance panel "Quality Scores": %s`, dash, n, msg))
				}
				out = append(out, fmt.Sprintf("%s:%d: alert LowQualityScore: %s", rules, alertLine(golden, rules, names.LowQualityScore)+1, msg))
				for _, n := range linesWith(golden, runbook, "genops_eval_quality_score") {
					out = append(out, fmt.Sprintf("%s:%d: runbook LowQualityScore: %s", runbook, n, msg))
				}
				return out
			}},
		{class: "label the metric does not have", artifact: artLint,
			args:  []string{"lint", "--profile", "genops"},
			files: map[string]string{"rules.yaml": "groups:\n- name: g\n  rules:\n  - record: policy_type:genops_policy_violations:rate5m\n    expr: sum by (policy_type) (rate(genops_policy_violations_total[5m]))\n"},
			want: []string{
				`rules.yaml:5: error: unknown-label: record policy_type:genops_policy_violations:rate5m: sum by (policy_type): genops_policy_violations_total has no label policy_type (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team) [source: the metric catalog]`,
			}},
	}
}

// TestBadInput runs every class of bad input through the CLI: its exact
// findings, exit status 1, and the output directory untouched.
func TestBadInput(t *testing.T) {
	inputs := badInputs()
	classes := map[string]bool{}
	perArtifact := map[string]int{}
	for _, in := range inputs {
		if classes[in.class] {
			t.Errorf("class %q is listed twice", in.class)
		}
		classes[in.class] = true
		perArtifact[in.artifact]++
	}
	if len(classes) < 40 {
		t.Errorf("%d classes of bad input, want at least 40", len(classes))
	}
	var counts []string
	for a, n := range perArtifact {
		counts = append(counts, fmt.Sprintf("%s %d", a, n))
	}
	sort.Strings(counts)
	t.Logf("%d classes: %s", len(classes), strings.Join(counts, ", "))

	golden := generatedTree(t)
	for _, in := range inputs {
		t.Run(in.class, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			writeTree(t, out, golden)
			if in.mutate != nil {
				definition = func() stack.Definition {
					d := stack.Default()
					in.mutate(&d)
					return d
				}
				defer func() { definition = stack.Default }()
			}
			want := in.want
			if in.wantFrom != nil {
				want = in.wantFrom(golden)
			}
			if len(want) == 0 {
				t.Fatal("no finding expected")
			}
			args := in.args
			if args == nil {
				args = []string{"generate", "--out", "OUT"}
			}
			args = slices.Clone(args)
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			if args[0] != "lint" && args[0] != "routes" {
				args = append(args, "--otelcol-check=")
			}
			if in.policy != "" {
				dir := t.TempDir()
				if err := os.Mkdir(filepath.Join(dir, "policies"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "policies", "house.cue"), []byte(in.policy), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Chdir(dir)
				args = append(args, "--policy", "policies")
			}
			if in.files != nil {
				dir := t.TempDir()
				var names []string
				for name, data := range in.files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
					names = append(names, name)
				}
				sort.Strings(names)
				t.Chdir(dir)
				lint := []string{"lint"}
				if in.args != nil {
					lint = in.args // lint with flags
				}
				args = append(slices.Clone(lint), names...)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != exitFindings {
				t.Errorf("exit %d, want %d", code, exitFindings)
			}
			got := errorLines(args[0], stdout, stderr)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n%s\nwant:\n%s\nas Go:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), goLiterals(got))
			}
			after, err := writer.ReadTree(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(after, golden) {
				t.Error("the output directory changed")
			}
		})
	}
}

// errorLines are the error findings a command printed: generate, check and
// validate print findings on stderr, with a count of errors last; lint
// prints them on stdout (warnings and notes aside); routes prints its one
// error on stderr.
func errorLines(cmd, stdout, stderr string) []string {
	text := stderr
	if cmd == "lint" {
		text = stdout
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "warning: "), strings.Contains(line, ": warning: "), strings.Contains(line, ": note: "),
			strings.HasSuffix(line, " error(s): nothing written"):
			continue
		}
		out = append(out, line)
	}
	return out
}

func goLiterals(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if strings.Contains(l, "`") {
			fmt.Fprintf(&b, "\t%q,\n", l)
		} else {
			fmt.Fprintf(&b, "\t`%s`,\n", l)
		}
	}
	return b.String()
}

var (
	goldenOnce sync.Once
	goldenTree map[string][]byte
	goldenErr  error
)

// generatedTree is the output of a good generate, made once per test run.
func generatedTree(t *testing.T) map[string][]byte {
	t.Helper()
	goldenOnce.Do(func() {
		dir, err := os.MkdirTemp("", "genops-golden-")
		if err != nil {
			goldenErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "out")
		if code, _, stderr := runCLI(t, "generate", "--out", out, "--otelcol-check="); code != exitOK {
			goldenErr = fmt.Errorf("generate: exit %d\n%s", code, stderr)
			return
		}
		goldenTree, goldenErr = writer.ReadTree(out)
	})
	if goldenErr != nil {
		t.Fatal(goldenErr)
	}
	return goldenTree
}

func writeTree(t *testing.T, dir string, tree map[string][]byte) {
	t.Helper()
	for p, data := range tree {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
