package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/live"
	"github.com/koshihq/genops-stack/internal/workload"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// genops-stack doctor against the live harness: healthy during the steady
// traffic of TestEndToEnd, and the right diagnosis when
// TestEndToEndCatchesBreakage breaks one link after another: a receiver's
// webhook that answers nothing, a workload that leaves genops.team out, a
// workload that puts a value per request in genops.model, a trace backend
// that is gone, and then a workload that stops.
//
// With GENOPS_DOCTOR_RECORD=DIR each diagnosis is written to DIR as a
// recording (internal/doctor/testdata holds the ones its tests replay).

// doctorWindow is doctor's window: its default of 5 minutes at the
// harness's time scale.
var doctorWindow = scale.Duration(doctor.DefaultWindow)

// doctorPhase is how many seconds a phase of the doctor test lasts: the
// window, two scrapes and two seconds, so that the window holds the phase
// alone.
var doctorPhase = int((doctorWindow+2*scale.Duration(renderedScrape))/time.Second) + 2

// doctorSettings are the production environment as the harness runs it:
// its names, and the two scrape jobs its Prometheus runs (not
// kube-state-metrics, the kubelet or the GenOps pods').
func (s *stackUnderTest) doctorSettings() doctor.Settings {
	return doctor.Settings{
		Name: "production", Cluster: s.clusterLabel(), Namespace: "monitoring", WorkloadNamespace: "genops-system", QuickStart: "genops-observability",
		Prometheus: doctor.Server{Name: "Prometheus", Service: "kube-prometheus-stack-prometheus", Port: 9090,
			Pod: "prometheus-kube-prometheus-stack-prometheus-0", Container: "prometheus"},
		Alertmanager: doctor.Server{Name: "Alertmanager", Service: "kube-prometheus-stack-alertmanager", Port: 9093,
			Pod: "alertmanager-kube-prometheus-stack-alertmanager-0", Container: "alertmanager"},
		Collectors: []doctor.Collector{
			{Name: "otel-collector", Role: doctor.Gateway, Config: "otel/production/collector.yaml", TelemetryPort: 8888},
			{Name: "otel-collector-sampler", Role: doctor.Sampler, Config: "otel/production/collector-sampler.yaml", TelemetryPort: 8888},
		},
		TraceBackend:   doctor.Server{Name: "tempo", Service: "tempo"},
		Sampling:       doctor.Sampling{TailPercent: s.samplePercent, TailPolicy: s.samplerPolicy},
		ScrapeInterval: model.Duration(scale.Duration(renderedScrape)),
		Jobs: []doctor.Job{
			{Name: catalog.JobGenOpsOTelMetrics, Monitor: "ServiceMonitor monitoring/" + catalog.JobGenOpsOTelMetrics},
			{Name: catalog.JobOTelCollector, Monitor: "PodMonitor monitoring/" + catalog.JobOTelCollector},
		},
		ExternalLabels: s.external, Selector: "release=monitoring",
		AlertmanagerSecret: "alertmanager-genops-config", CredentialsSecret: "alertmanager-genops-credentials",
	}
}

// doctorPlan plans the diagnosis from out/'s files (alertmanager.yaml as
// the harness deploys it) and the catalog with the given series budgets.
func (s *stackUnderTest) doctorPlan(t *testing.T, budgets map[string]int) *doctor.Plan {
	def := catalog.DefaultDefinition()
	for i, m := range def.Metrics {
		if b, ok := budgets[m.Name]; ok {
			def.Metrics[i].SeriesBudget = b
		}
	}
	cat, err := def.Build()
	if err != nil {
		t.Fatal(err)
	}
	set := files.NewSet()
	kinds := map[string]files.Kind{"prometheus/rules": files.RuleFile, "grafana/dashboards": files.Dashboard, "otel/production": files.CollectorConfig}
	for _, sub := range []string{"prometheus/rules", "grafana/dashboards", "otel/production"} {
		paths, _ := filepath.Glob(filepath.Join(out, sub, "*"))
		for _, p := range paths {
			if err := set.Add(sub+"/"+filepath.Base(p), kinds[sub], read(t, out, filepath.Join(sub, filepath.Base(p)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := set.Add(doctor.AlertmanagerFile("production"), files.AlertmanagerConfig, s.amExpected); err != nil {
		t.Fatal(err)
	}
	plan, err := doctor.NewPlan(doctor.Inputs{Env: s.doctorSettings(), Catalog: cat, Files: set, Window: doctorWindow})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// runDoctor runs the diagnosis against the harness's servers, logs its
// report and, with GENOPS_DOCTOR_RECORD set, records it.
func (s *stackUnderTest) runDoctor(t *testing.T, ctx context.Context, plan *doctor.Plan, name, about string) *doctor.Report {
	servers := map[string]string{"prometheus": "http://" + s.prom.Addr, "alertmanager": "http://" + s.am.Addr, "collector": "http://" + s.gwTelemetry + "/metrics"}
	rec := doctor.NewRecorder(http.DefaultTransport, servers)
	begin := time.Now()
	rep, err := doctor.Run(ctx, plan, doctor.Servers{Prometheus: servers["prometheus"], Alertmanager: servers["alertmanager"],
		CollectorMetrics: servers["collector"], Client: &http.Client{Transport: rec, Timeout: 30 * time.Second}})
	if err != nil {
		t.Errorf("doctor (%s): %v", name, err)
		return nil
	}
	var b strings.Builder
	if err := rep.Text(&b); err != nil {
		t.Error(err)
	}
	t.Logf("doctor (%s), %d requests in %s:\n%s", name, len(rec.Exchanges()), time.Since(begin).Round(time.Millisecond), b.String())
	if dir := os.Getenv("GENOPS_DOCTOR_RECORD"); dir != "" {
		// Two answers more, for the replay tests of findings the harness
		// does not produce: the scrape targets and Prometheus' alerts.
		client := &http.Client{Transport: rec, Timeout: 30 * time.Second}
		for _, path := range []string{"/api/v1/targets", "/api/v1/alerts"} {
			resp, err := client.Get(servers["prometheus"] + path)
			if err != nil {
				t.Error(err)
				return rep
			}
			resp.Body.Close()
		}
		s.record(t, dir, name, about, plan, rec.Exchanges(), rep)
	}
	return rep
}

// record writes a diagnosis as a gzipped recording, the harness's
// temporary directory replaced by /harness.
func (s *stackUnderTest) record(t *testing.T, dir, name, about string, plan *doctor.Plan, ex []doctor.Exchange, rep *doctor.Report) {
	root := filepath.Dir(s.amFiles)
	scrub := func(v string) string { return strings.ReplaceAll(v, root, "/harness") }
	p := *plan
	p.Alertmanager = scrub(p.Alertmanager)
	for i := range ex {
		ex[i].Body = scrub(ex[i].Body)
		ex[i].Request = scrub(ex[i].Request)
	}
	data, err := json.MarshalIndent(doctor.Recording{About: about, Plan: &p, Servers: []string{"prometheus", "alertmanager", "collector"},
		Exchanges: ex, Problems: rep.ProblemIDs()}, "", "  ")
	if err != nil {
		t.Error(err)
		return
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(append(data, '\n'))
	if err := w.Close(); err != nil {
		t.Error(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json.gz"), z.Bytes(), 0o644); err != nil {
		t.Error(err)
	}
}

// healthyProblems is what doctor must find in the steady traffic of
// TestEndToEnd: the two links the harness itself leaves broken. The mail
// relay it points Alertmanager at is dead (live.AlertmanagerLoopback),
// and the sampler's Honeycomb exporter, rewired to the plaintext trace
// sink, fails its TLS handshake there and never delivers (the sink still
// gets every kept trace, through otlp_grpc/traces).
var healthyProblems = []string{"rules/notifications: email", "traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb"}

// In the first minutes of an hour (monthToDateGap) the month's spend may
// rightly be missing, and doctor rightly says so: those two problems are
// allowed then, not required.
func expectDoctor(t *testing.T, rep *doctor.Report, at time.Time, want []string) {
	t.Helper()
	if rep == nil {
		t.Fatal("doctor did not run")
	}
	got := rep.ProblemIDs()
	if monthToDateGap(at) {
		allowed := []string{"metrics/series-present", "metrics/series-source: " + monthToDateRecord}
		got = slices.DeleteFunc(got, func(id string) bool {
			if slices.Contains(allowed, id) && !slices.Contains(want, id) {
				t.Logf("doctor ran at %s UTC, in an hour's first minutes: %s allowed (the month's spend counts an hour from 5 minutes into it)", at.UTC().Format("15:04:05"), id)
				return true
			}
			return false
		})
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("doctor found\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// check returns the check of a report with the id, and fails the test
// when there is none.
func check(t *testing.T, rep *doctor.Report, id string) doctor.Check {
	t.Helper()
	for _, s := range rep.Sections {
		for _, c := range s.Checks {
			if doctor.ID(s.Key, c) == id {
				return c
			}
		}
	}
	t.Errorf("doctor has no check %s", id)
	return doctor.Check{}
}

// breakReceiver points a receiver's Slack webhook at an address where
// nothing listens: Alertmanager reads the credentials file at every
// notification.
func (s *stackUnderTest) breakReceiver(t *testing.T, receiver string) {
	f := filepath.Join(s.amFiles, "slack-"+receiver+"-0")
	if _, err := os.Stat(f); err != nil {
		t.Fatalf("receiver %s has no Slack credentials file: %v", receiver, err)
	}
	dead := "http://" + live.FreeAddr(t) + "/slack/" + receiver
	if err := os.WriteFile(f, []byte(dead), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("receiver %s: Slack webhook -> %s (nothing listens)", receiver, dead)
}

// brokenProblems is what doctor must find once the harness broke its
// links: the route the breakage test changed in the deployed
// alertmanager.yaml, the dead mail relay and Slack webhook of
// cost-critical, spans without genops.team, a model per request, and the
// trace sink (Tempo and Honeycomb here) gone.
var brokenProblems = []string{
	"metrics/series-carry-labels: genops.team",
	"rules/alertmanager-config",
	"rules/notifications: email",
	"rules/notifications: slack",
	"traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb",
	"traces/exporter-sends: otel-collector-sampler otlp_grpc/traces",
	"cardinality/series-budget: genops_requests_total",
}

// keptStream sends, at each second from begin to end of a run, one call
// the sampler keeps (an expensive one): the trace sink's failure shows in
// doctor's window only while the sampler has traces to send, and the
// sampler decides decision_wait after the gateway's batch brought them.
func (s *stackUnderTest) keptStream(ctx context.Context, t *testing.T, begin, end int) map[int]func() {
	hooks := map[int]func(){}
	for i := begin; i < end; i++ {
		hooks[i] = func() {
			c := call("research", "openai", "o1")
			c.CostUSD = 25
			body, err := workload.New(uint64(1000+i)).Traces([]workload.Call{c}, time.Now())
			if err == nil {
				err = live.Post(ctx, s.otlpHTTP, "traces", body, s.token)
			}
			if err != nil {
				t.Errorf("kept stream, second %d: %v", i, err)
			}
		}
	}
	return hooks
}

// doctorBreaks breaks the harness's links in two phases and runs doctor
// after each.
func (s *stackUnderTest) doctorBreaks(t *testing.T, ctx context.Context) {
	// The trace backend goes away; a workload leaves genops.team out of
	// its spans; another puts a fine-tuned model id per request in
	// genops.model (the catalog's budget of genops_requests_total is scaled
	// down with the harness: 100 series); a budget is exhausted, so
	// cost-critical, whose webhook is dead, is notified.
	s.sink.Stop()
	plan := s.doctorPlan(t, map[string]int{"genops_requests_total": 100})
	// The phase lasts until doctor's window, and what the sampler kept one
	// batch timeout and two scrapes before it (keptStream), fall after the
	// sink went.
	phase := doctorWindow + 2*scale.Duration(renderedScrape) + 2*time.Second
	for _, tier := range plan.Tiers {
		if tier.TailSampling {
			phase += time.Duration(tier.Batch)
		}
	}
	gen := workload.New(11)
	begin := time.Now()
	for i := range int(phase / time.Second) {
		var calls []workload.Call
		for _, team := range []string{"ml-platform", "research"} {
			c := call(team, "openai", "gpt-4o")
			c.Omit = []string{"genops.team"}
			calls = append(calls, c)
		}
		for j := range 10 {
			calls = append(calls, call("ml-platform", "openai", fmt.Sprintf("ft:gpt-4o:req-%d-%d", i, j)))
		}
		c := call("support", "anthropic", "claude-sonnet-4")
		c.Budget = budget("support", 100, 120)
		// An expensive call, which the sampler keeps, for an exporter to
		// fail to send.
		expensive := call("research", "openai", "o1")
		expensive.CostUSD = 25
		calls = append(calls, c, expensive)
		body, err := gen.Traces(calls, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := live.Post(ctx, s.otlpHTTP, "traces", body, s.token); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(begin.Add(time.Duration(i+1) * time.Second)))
	}
	brokenAt := time.Now()
	broken := s.runDoctor(t, ctx, plan, "broken", "TestEndToEndCatchesBreakage: a dead Slack webhook and mail relay, spans without genops.team, a model per request, the trace sink gone, the deployed route changed")
	expectDoctor(t, broken, brokenAt, brokenProblems)
	if broken != nil {
		if c := check(t, broken, "metrics/series-carry-labels: genops.team"); !strings.Contains(c.Summary, "spans from chat-api arrive without genops.team") {
			t.Errorf("the missing attribute does not name its sender: %s", c.Summary)
		}
		if c := check(t, broken, "cardinality/series-budget: genops_requests_total"); !strings.HasPrefix(c.Next, "Label model comes from span attribute genops.model") {
			t.Errorf("the cardinality fix does not name genops.model: %s", c.Next)
		}
		if c := check(t, broken, "rules/alertmanager-config"); len(c.Evidence) == 0 || !strings.Contains(c.Evidence[0].Result, `rendered "policy-violations", running "performance-alerts"`) {
			t.Errorf("the configuration drift does not name the changed route: %+v", c.Evidence)
		}
	}

	// The workloads stop.
	time.Sleep(time.Duration(doctorPhase) * time.Second)
	stopped := s.runDoctor(t, ctx, plan, "stopped", "TestEndToEndCatchesBreakage: the workloads stopped sending")
	if stopped == nil {
		return
	}
	for _, id := range []string{"metrics/gateway-receives-spans: otel-collector", "traces/gateway-receives-spans: otel-collector"} {
		if c := check(t, stopped, id); c.Status != doctor.Problem || !strings.HasPrefix(c.Summary, "the gateway received no spans in the last ") {
			t.Errorf("%s: %s %s, want the problem that no span arrives", id, c.Status, c.Summary)
		}
	}
}

// TestMonthToDateGap: the minutes of an hour in which the month's spend may
// be missing here, and the first in which it may not.
func TestMonthToDateGap(t *testing.T) {
	for _, c := range []struct {
		at   string
		want bool
	}{
		{"2026-12-02T02:00:00Z", true}, {"2026-12-02T02:03:10Z", true}, {"2026-12-02T02:05:29Z", true},
		{"2026-12-02T02:05:30Z", false}, {"2026-12-02T02:30:00Z", false}, {"2026-12-02T02:59:59Z", false},
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := monthToDateGap(at); got != c.want {
			t.Errorf("monthToDateGap(%s) = %v, want %v", c.at, got, c.want)
		}
	}
}
