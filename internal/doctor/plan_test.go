package doctor

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// out is the committed output, which the drift check keeps equal to the
// definitions.
const out = "../../out"

// production are the production environment's settings as the CLI's
// adapter builds them (cmd/genops-stack/doctor_test.go checks that it
// does).
func production() Settings {
	return Settings{
		Name: "production", Cluster: "genops-production", Namespace: "monitoring", WorkloadNamespace: "genops-system", QuickStart: "genops-observability",
		Prometheus: Server{Name: "Prometheus", Service: "kube-prometheus-stack-prometheus", Port: 9090,
			Pod: "prometheus-kube-prometheus-stack-prometheus-0", Container: "prometheus"},
		Alertmanager: Server{Name: "Alertmanager", Service: "kube-prometheus-stack-alertmanager", Port: 9093,
			Pod: "alertmanager-kube-prometheus-stack-alertmanager-0", Container: "alertmanager"},
		Collectors: []Collector{
			{Name: "otel-collector", Role: Gateway, Config: "otel/production/collector.yaml", TelemetryPort: 8888},
			{Name: "otel-collector-cluster", Role: Cluster, Config: "otel/production/collector-cluster.yaml", TelemetryPort: 8888},
			{Name: "otel-collector-sampler", Role: Sampler, Config: "otel/production/collector-sampler.yaml", TelemetryPort: 8888},
			{Name: "otel-collector-agent", Role: Agent, DaemonSet: true, Config: "otel/production/collector-agent.yaml", TelemetryPort: 8888},
		},
		TraceBackend:   Server{Name: "tempo", Service: "tempo"},
		Sampling:       Sampling{TailPercent: 1, TailPolicy: "probabilistic-policy"},
		ScrapeInterval: model.Duration(30 * time.Second),
		Jobs: []Job{
			{Name: "otel-collector", Monitor: "PodMonitor monitoring/otel-collector"},
			{Name: "genops-otel-metrics", Monitor: "ServiceMonitor monitoring/genops-otel-metrics"},
			{Name: "genops-pods", Monitor: "the prometheus receiver of otel-collector-cluster", RemoteWrite: true},
			{Name: "kube-state-metrics", Monitor: "ServiceMonitor monitoring/kube-prometheus-stack-kube-state-metrics"},
			{Name: "kubelet", Monitor: "ServiceMonitor monitoring/kube-prometheus-stack-kubelet"},
		},
		ExternalLabels:     map[string]string{"cluster": "genops-production", "environment": "production"},
		Selector:           "release=monitoring",
		AlertmanagerSecret: "alertmanager-genops-config",
		CredentialsSecret:  "alertmanager-genops-credentials",
	}
}

// outFiles reads the files of out/ the diagnosis reads for production.
func outFiles(t *testing.T) *files.Set {
	t.Helper()
	set := files.NewSet()
	kinds := map[string]files.Kind{"prometheus/rules": files.RuleFile, "grafana/dashboards": files.Dashboard,
		"otel/production": files.CollectorConfig, "alertmanager/production": files.AlertmanagerConfig}
	for _, sub := range []string{"prometheus/rules", "grafana/dashboards", "otel/production", "alertmanager/production"} {
		paths, err := filepath.Glob(filepath.Join(out, sub, "*"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no files (%v)", sub, err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := set.Add(sub+"/"+filepath.Base(p), kinds[sub], data); err != nil {
				t.Fatal(err)
			}
		}
	}
	return set
}

func need(t *testing.T, p *Plan, series string) Need {
	t.Helper()
	for _, n := range p.Needs {
		if n.Series == series {
			return n
		}
	}
	t.Fatalf("the plan does not need %s", series)
	return Need{}
}

func TestPlanOfProduction(t *testing.T) {
	p, err := NewPlan(Inputs{Env: production(), Catalog: catalog.Default(), Files: outFiles(t)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Window != model.Duration(DefaultWindow) || p.DefaultReceiver != "default" {
		t.Errorf("window %s, default receiver %q", p.Window, p.DefaultReceiver)
	}
	// A derived metric: where it comes from, the labels queries use.
	cost := need(t, p, "genops_cost_usd_total")
	if cost.Kind != KindSpans || !slices.Equal(cost.Jobs, []string{"genops-otel-metrics"}) || !cost.Alone {
		t.Errorf("genops_cost_usd_total: %+v", cost)
	}
	if want := []string{`genops.cost.total (or genops.cost_usd)`, `genops.cost.currency unset or "USD"`}; !slices.Equal(cost.Reads, want) {
		t.Errorf("genops_cost_usd_total reads %q, want %q", cost.Reads, want)
	}
	var labels []string
	for _, l := range cost.Labels {
		labels = append(labels, l.Name+"<-"+l.Attribute)
		if l.Name == "team" && (!l.OnResource || !slices.Contains(l.UsedBy, "alert CostAnomaly")) {
			t.Errorf("team of genops_cost_usd_total: %+v", l)
		}
	}
	if want := "model<-genops.model project<-genops.project provider<-genops.provider team<-genops.team"; strings.Join(labels, " ") != want {
		t.Errorf("genops_cost_usd_total: labels used %s, want %s", strings.Join(labels, " "), want)
	}
	// The status label comes from the span status, not an attribute: it is
	// not checked.
	for _, l := range need(t, p, "genops_requests_total").Labels {
		if l.Name == "status" {
			t.Errorf("genops_requests_total: status is checked as %+v", l)
		}
	}
	// A series selected only beside an alternative.
	if ttft := need(t, p, "gen_ai_server_time_to_first_token_seconds_bucket"); ttft.Alone || !slices.Equal(ttft.Either, []string{"gen_ai_client_operation_time_to_first_chunk_seconds_bucket"}) {
		t.Errorf("the server's time to first token: alone %v, either %v", ttft.Alone, ttft.Either)
	}
	// A recording rule and what it reads.
	if f := need(t, p, "genops:cost:team_month_forecast"); f.Kind != KindRecord || f.Group != "genops-team-budget-alerts" || !slices.Equal(f.Inputs, []string{"genops_cost_usd_total"}) {
		t.Errorf("the forecast: %+v", f)
	}
	// Scraped metrics.
	if up := need(t, p, "up"); up.Kind != KindScraped || len(up.Labels) != 0 {
		t.Errorf("up: %+v", up)
	}
	// Every group of the rendered rule files, once.
	var groups []string
	for _, f := range outFiles(t).OfKind(files.RuleFile) {
		groups = append(groups, strings.TrimSuffix(path.Base(f.Path), ".yaml"))
	}
	slices.Sort(groups)
	if got, want := strings.Join(p.Groups, " "), strings.Join(groups, " "); got != want || len(groups) < 6 {
		t.Errorf("groups %s, want %s", got, want)
	}
	// The trace tiers, read from the rendered Collector configs.
	want := []Tier{
		{Collector: "otel-collector", Role: Gateway, Pods: "otel-collector-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}", Exporters: []string{"otlp_grpc/sampler"}, Handoff: "attributes", Batch: model.Duration(10 * time.Second)},
		{Collector: "otel-collector-sampler", Role: Sampler, Pods: "otel-collector-sampler-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}",
			Exporters: []string{"otlp_grpc/honeycomb", "otlp_grpc/traces"}, Batch: model.Duration(10 * time.Second), TailSampling: true, DecisionWait: model.Duration(10 * time.Second)},
	}
	if len(p.Tiers) != 2 {
		t.Fatalf("tiers %+v", p.Tiers)
	}
	for i := range want {
		g, w := p.Tiers[i], want[i]
		if g.Collector != w.Collector || g.Role != w.Role || g.Pods != w.Pods || !slices.Equal(g.Exporters, w.Exporters) || g.Handoff != w.Handoff || g.Batch != w.Batch || g.TailSampling != w.TailSampling || g.DecisionWait != w.DecisionWait {
			t.Errorf("tier %d: %+v\nwant %+v", i, g, w)
		}
	}
	// The budgets, and where each label comes from.
	// Every metric the gateway serves has one: those derived from spans and
	// the GenAI metrics.
	served := 0
	for _, m := range catalog.Default().Metrics() {
		if m.Source != nil && (m.Source.Kind == catalog.FromSpans || m.Source.Kind == catalog.GenAI) {
			served++
		}
	}
	if len(p.Budgets) != served || served < 13 {
		t.Errorf("%d budgets, want one for each of the %d metrics derived from spans or GenAI", len(p.Budgets), served)
	}
	for _, b := range p.Budgets {
		if b.Metric == "genops_request_duration_seconds" {
			if b.Series != "genops_request_duration_seconds_count" || b.Budget != 10000 || b.Labels["model"] != "attribute genops.model" || b.Labels["pod"] != "job genops-otel-metrics" {
				t.Errorf("budget %+v", b)
			}
		}
	}
}

func TestPodsMatchGeneratedNames(t *testing.T) {
	gw := Collector{Name: "otel-collector"}
	agent := Collector{Name: "otel-collector-agent", DaemonSet: true}
	tests := []struct {
		c    Collector
		pod  string
		want bool
	}{
		{gw, "otel-collector-6b7c9-x2x4q", true},
		{gw, "otel-collector-sampler-5d8f7-k9q2w", false},
		{gw, "otel-collector-cluster-5d8f7-k9q2w", false},
		{gw, "otel-collector-agent-k9q2w", false}, // "agent" has vowels: no generated suffix spells it
		{gw, "otel-collector-6b7c9", false},
		{agent, "otel-collector-agent-k9q2w", true},
		{agent, "otel-collector-agent-6b7c9-x2x4q", false},
	}
	for _, tt := range tests {
		// Anchored, as PromQL's =~ is.
		if got := regexp.MustCompile("^(?:" + tt.c.Pods() + ")$").MatchString(tt.pod); got != tt.want {
			t.Errorf("%s matches %s: %v, want %v", tt.c.Pods(), tt.pod, got, tt.want)
		}
	}
}

func TestPlanRejects(t *testing.T) {
	without := func(prefix string) *files.Set {
		set := files.NewSet()
		for _, f := range outFiles(t).Files() {
			if !strings.HasPrefix(f.Path, prefix) {
				set.AddFile(f)
			}
		}
		return set
	}
	noGateway := production()
	noGateway.Collectors = noGateway.Collectors[1:]
	staging := production()
	staging.Name = "staging"
	tests := []struct {
		name string
		in   Inputs
		want string
	}{
		{"no alertmanager.yaml", Inputs{Env: staging, Catalog: catalog.Default(), Files: outFiles(t)},
			"doctor: environment staging: alertmanager/staging/alertmanager.yaml is not among the rendered files"},
		{"no rule files", Inputs{Env: production(), Catalog: catalog.Default(), Files: without("prometheus/rules/")},
			"doctor: no rule files among the rendered files"},
		{"no dashboards", Inputs{Env: production(), Catalog: catalog.Default(), Files: without("grafana/")},
			"doctor: no dashboards among the rendered files"},
		{"no gateway", Inputs{Env: noGateway, Catalog: catalog.Default(), Files: outFiles(t)},
			"doctor: environment production has no gateway Collector"},
		{"no sampler config", Inputs{Env: production(), Catalog: catalog.Default(), Files: without("otel/production/collector-sampler")},
			"doctor: collector otel-collector-sampler: otel/production/collector-sampler.yaml is not among the rendered files"},
		{"no catalog", Inputs{Env: production(), Files: outFiles(t)}, "doctor: the plan needs the catalog and the rendered files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPlan(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant  %s", err, tt.want)
			}
		})
	}
}
