// Package e2e runs the rendered production stack for real, on loopback:
// the gateway and sampling-tier Collectors, a trace sink, Prometheus with
// the rule files and Alertmanager with alertmanager.yaml. A workload sends
// what GenOps AI really sends, in scenarios; the test asserts that the
// alerts fire and reach exactly the receivers the routing names, that an
// inhibition holds, that resolved notifications follow recovery, that the
// sampler keeps the traces that matter and that the panels have data.
//
// Only addresses, file paths and one uniform time scale change
// (live.Loopback, live.AlertmanagerLoopback, live.TimeScale), on copies:
// out/ is read, never written.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/internal/live"
	"github.com/koshihq/genops-stack/internal/workload"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
)

const out = "../out"

// scale divides every duration of the rules and of Alertmanager (and the
// scrape and evaluation intervals): `for: 5m` holds for 15 s.
var scale = live.TimeScale{Factor: 20}

// renderedScrape is the scrape interval of the gateway's job in a cluster.
const renderedScrape = 30 * time.Second

func read(t *testing.T, dir, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// stackUnderTest is every process of the harness, started.
type stackUnderTest struct {
	prom     *live.Prometheus
	am       *live.Alertmanager
	rec      *live.Recorder
	otlpHTTP string // the gateway's OTLP/HTTP receiver
	token    string // the bearer token the gateway accepts
	traces   string // the sink's file of received spans
	routes   *alertmanager.Loaded
	external map[string]string
	// samplePercent is the sampler's probabilistic share of the rest.
	samplePercent float64
	// sendsResolved are the receivers with a Slack, PagerDuty or webhook
	// integration that has send_resolved on.
	sendsResolved map[string]bool
	// amExpected is out/'s alertmanager.yaml, rewritten as the harness
	// rewrites what it deploys: what Alertmanager runs when nothing broke
	// the deployed copy. amFiles holds the credentials files it points at.
	amExpected []byte
	amFiles    string
	// sink is the trace sink, and gwTelemetry and samplerPolicy the
	// gateway's telemetry address and the sampler's probabilistic policy.
	sink          *live.Collector
	gwTelemetry   string
	samplerPolicy string
}

// start runs the stack of the rendered files in dir. What the alerts must
// reach is always the routing of out/'s alertmanager.yaml: what
// `genops-stack routes test` names from the definitions.
func start(t *testing.T, dir string) *stackUnderTest {
	otel, promBin, amBin := live.Binary(t), live.PrometheusBinary(t), live.AlertmanagerBinary(t)
	s := &stackUnderTest{rec: live.StartRecorder(t)}
	tmp := t.TempDir()

	// Alertmanager, with the production configuration.
	amRendered := read(t, dir, "alertmanager/production/alertmanager.yaml")
	loaded, err := alertmanager.Load(read(t, out, "alertmanager/production/alertmanager.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s.routes = loaded
	s.external = externalLabels(t, dir)
	s.sendsResolved = sendsResolved(t, read(t, out, "alertmanager/production/alertmanager.yaml"))
	deadSMTP := live.FreeAddr(t)
	amCfg, amRewrites, err := live.AlertmanagerLoopback(amRendered, s.rec, deadSMTP, tmp, scale)
	if err != nil {
		t.Fatal(err)
	}
	s.amFiles = tmp
	if s.amExpected, _, err = live.AlertmanagerLoopback(read(t, out, "alertmanager/production/alertmanager.yaml"), s.rec, deadSMTP, tmp, scale); err != nil {
		t.Fatal(err)
	}
	logRewrites(t, "alertmanager.yaml", amRewrites)
	s.am = live.StartAlertmanager(t, amBin, amCfg)

	// The trace sink: a Collector writing every span it receives to a file.
	s.traces = filepath.Join(tmp, "traces.jsonl")
	sinkGRPC, sinkHealth := live.FreeAddr(t), live.FreeAddr(t)
	sink := fmt.Sprintf(`receivers:
  otlp: {protocols: {grpc: {endpoint: %q}}}
exporters:
  file: {path: %q}
extensions:
  health_check: {endpoint: %q}
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], exporters: [file]}
`, sinkGRPC, s.traces, sinkHealth)
	s.sink = live.StartCollector(t, otel, []byte(sink), sinkHealth)

	// The sampling tier, sending what it keeps to the sink.
	samplerGRPC := live.FreeAddr(t)
	samplerAddrs := live.Addresses{
		Listen: map[string]string{"receivers.otlp.protocols.grpc": samplerGRPC, "extensions.health_check": live.FreeAddr(t), "service.telemetry": live.FreeAddr(t)},
		Send:   map[string]string{"otlp_grpc/traces": sinkGRPC, "otlp_grpc/honeycomb": sinkGRPC},
	}
	samplerRendered := read(t, dir, "otel/production/collector-sampler.yaml")
	s.samplePercent, s.samplerPolicy = probabilisticPolicy(t, samplerRendered)
	samplerCfg, rws, err := live.Loopback(samplerRendered, samplerAddrs)
	if err != nil {
		t.Fatal(err)
	}
	logRewrites(t, "collector-sampler.yaml", rws)
	live.StartCollector(t, otel, samplerCfg, samplerAddrs.Listen["extensions.health_check"])

	// The gateway, sending traces to the sampling tier.
	gw := live.Addresses{
		Listen: map[string]string{
			"receivers.otlp.protocols.grpc": live.FreeAddr(t), "receivers.otlp.protocols.http": live.FreeAddr(t),
			"exporters.prometheus": live.FreeAddr(t), "extensions.health_check": live.FreeAddr(t), "service.telemetry": live.FreeAddr(t),
		},
		Send: map[string]string{"otlp_grpc/sampler": samplerGRPC, "otlp_http/loki": "http://" + live.FreeAddr(t)},
		// The workload is a pod of the shared workload namespace, which no
		// team owns: its spans are charged to the teams they claim, as the
		// scenarios need (internal/live's TestGatewayTrustBoundaries runs a
		// team's namespace).
		Sender: &live.Sender{Namespace: stack.Defaults().Namespaces.Workloads, Pod: "rag-bot-7f9c4-q2w8e"},
	}
	gwCfg, rws, err := live.Loopback(read(t, dir, "otel/production/collector.yaml"), gw)
	if err != nil {
		t.Fatal(err)
	}
	logRewrites(t, "collector.yaml", rws)
	s.token = live.Token(t)
	live.StartCollectorEnv(t, otel, gwCfg, gw.Listen["extensions.health_check"], collector.TokenEnv+"="+s.token)
	s.otlpHTTP = gw.Listen["receivers.otlp.protocols.http"]
	s.gwTelemetry = gw.Listen["service.telemetry"]
	telemetry := []map[string]any{
		{"targets": []string{gw.Listen["service.telemetry"]}, "labels": map[string]string{"namespace": "monitoring", "pod": "otel-collector-6b7c9-x2x4q", "cluster": s.clusterLabel()}},
		{"targets": []string{samplerAddrs.Listen["service.telemetry"]}, "labels": map[string]string{"namespace": "monitoring", "pod": "otel-collector-sampler-5d8f7-k9q2w", "cluster": s.clusterLabel()}},
	}

	// Prometheus: the rendered rule files (scaled), the gateway's exporter
	// scraped with the target labels the operator adds, alerts to
	// Alertmanager, the external labels of the production values.
	files := map[string][]byte{}
	var ruleFiles []string
	paths, _ := filepath.Glob(filepath.Join(dir, "prometheus/rules/*.yaml"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		scaled, err := scale.Rules(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		files[filepath.Base(p)] = scaled
		ruleFiles = append(ruleFiles, filepath.Base(p))
	}
	interval := model.Duration(scale.Duration(renderedScrape)).String()
	promCfg := map[string]any{
		"global":     map[string]any{"scrape_interval": interval, "evaluation_interval": interval, "external_labels": s.external},
		"rule_files": ruleFiles,
		"alerting": map[string]any{"alertmanagers": []any{map[string]any{
			"static_configs": []any{map[string]any{"targets": []string{s.am.Addr}}}, "api_version": "v2"}}},
		"scrape_configs": []any{
			map[string]any{
				"job_name": catalog.JobGenOpsOTelMetrics,
				"static_configs": []any{map[string]any{"targets": []string{gw.Listen["exporters.prometheus"]},
					"labels": map[string]string{"namespace": "monitoring", "pod": "otel-collector-6b7c9-x2x4q"}}},
			},
			// The Collectors' own telemetry, as the otel-collector PodMonitor
			// scrapes it (its relabeling adds the cluster label).
			map[string]any{"job_name": catalog.JobOTelCollector, "static_configs": telemetry},
		},
	}
	promYAML, err := yaml.Marshal(promCfg)
	if err != nil {
		t.Fatal(err)
	}
	s.prom = live.StartPrometheus(t, promBin, promYAML, files)
	return s
}

// clusterLabel is the production cluster's name, the cluster label.
func (s *stackUnderTest) clusterLabel() string { return s.external["cluster"] }

func logRewrites(t *testing.T, file string, rws []live.Rewrite) {
	for _, r := range rws {
		t.Logf("%s: %s", file, r)
	}
}

// externalLabels are the external labels of the production Prometheus.
func externalLabels(t *testing.T, dir string) map[string]string {
	var v struct {
		Prometheus struct {
			PrometheusSpec struct {
				ExternalLabels map[string]string `json:"externalLabels"`
			} `json:"prometheusSpec"`
		} `json:"prometheus"`
	}
	if err := yaml.Unmarshal(read(t, dir, "helm/production/kube-prometheus-stack.values.yaml"), &v); err != nil {
		t.Fatal(err)
	}
	return v.Prometheus.PrometheusSpec.ExternalLabels
}

// scenario is what one lane of the workload sends at second i of the run.
type scenario struct {
	name string
	// calls returns the provider calls of second i.
	calls func(i int) []workload.Call
	// alerts must fire and be delivered; quiet must never be delivered.
	alerts []alertKey
	quiet  []alertKey
	// recovers is the second from which the scenario sends healthy traffic
	// (0: never): its alerts must resolve.
	recovers int
}

// alertKey names an alert by its name and one identifying label.
type alertKey struct{ name, label, value string }

func (k alertKey) String() string { return fmt.Sprintf("%s{%s=%q}", k.name, k.label, k.value) }

// call is a healthy GenOps AI provider call.
func call(team, provider, model string) workload.Call {
	return workload.Call{Service: "chat-api", Team: team, Project: "assistant", CostCenter: "cc-" + team, Customer: "cust-42",
		Provider: provider, Model: model, CostUSD: 0.02, InputTokens: 300, OutputTokens: 120, Duration: 800 * time.Millisecond,
		Policy: &workload.Policy{Name: "content-safety", Result: "allowed"}, Eval: &workload.Eval{Metric: "relevance", Score: 0.92, Threshold: 0.7}}
}

func budget(team string, allocated, consumed float64) *workload.Budget {
	return &workload.Budget{Name: team + "-monthly", Allocated: allocated, Consumed: consumed}
}

func scenarios() []scenario {
	return []scenario{
		{name: "a team crosses 80% and then 95% of its budget",
			calls: func(i int) []workload.Call {
				c := call("ml-platform", "openai", "gpt-4o")
				c.Budget = budget("ml-platform", 1000, 850)
				if i >= 20 {
					c.Budget = budget("ml-platform", 1000, 970)
				}
				return []workload.Call{c}
			},
			alerts: []alertKey{{"BudgetThreshold80Percent", "team", "ml-platform"}, {"BudgetThreshold95Percent", "team", "ml-platform"}}},
		{name: "a budget exhausted: critical, its threshold warnings inhibited",
			calls: func(i int) []workload.Call {
				c := call("research", "openai", "gpt-4o")
				c.Budget = budget("research", 750, 760)
				return []workload.Call{c}
			},
			alerts: []alertKey{{"BudgetExhausted", "team", "research"}},
			quiet:  []alertKey{{"BudgetThreshold80Percent", "team", "research"}, {"BudgetThreshold95Percent", "team", "research"}}},
		{name: "an error burst on one provider, then recovery",
			calls: func(i int) []workload.Call {
				cs := []workload.Call{call("research", "cohere", "command-r"), call("research", "cohere", "command-r")}
				if i < 35 {
					cs[1].Err = true
				}
				return cs
			},
			alerts:   []alertKey{{"HighErrorRate", "provider", "cohere"}},
			recovers: 35},
		{name: "a latency regression",
			calls: func(i int) []workload.Call {
				c := call("ml-platform", "mistral", "mistral-large")
				c.Duration = 12 * time.Second
				return []workload.Call{c}
			},
			alerts: []alertKey{{"HighLatency", "provider", "mistral"}}},
		{name: "a quality drop",
			calls: func(i int) []workload.Call {
				c := call("ml-platform", "openai", "gpt-4o-mini")
				c.Eval = &workload.Eval{Metric: "coherence", Score: 0.55, Threshold: 0.7}
				return []workload.Call{c}
			},
			alerts: []alertKey{{"LowQualityScore", "model", "gpt-4o-mini"}}},
		{name: "a policy-violation spike, then recovery",
			calls: func(i int) []workload.Call {
				c := call("ml-platform", "anthropic", "claude-sonnet-4")
				if i < 45 {
					c.Policy = &workload.Policy{Name: "pii", Result: "blocked", Reason: "an e-mail address in the prompt"}
				}
				return []workload.Call{c}
			},
			alerts:   []alertKey{{"PolicyViolationsDetected", "policy", "pii"}, {"HighPolicyViolationRate", "policy", "pii"}},
			recovers: 45},
	}
}

// sent records the traces of each class the workload sent.
type sent struct {
	mu      sync.Mutex
	byClass map[string][]string // trace id (hex) by class
}

func (s *sent) add(class string, c workload.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byClass[class] = append(s.byClass[class], fmt.Sprintf("%x", c.TraceID))
}

func classOf(c workload.Call) string {
	switch {
	case c.Err:
		return "error"
	case c.Duration >= 5*time.Second:
		return "slow"
	case c.CostUSD >= 1:
		return "high-cost"
	case c.Policy != nil && c.Policy.Result != "allowed":
		return "policy"
	}
	return "plain"
}

// run is what one run of the scenarios produced.
type run struct {
	s        *stackUnderTest
	sc       []scenario
	begin    time.Time
	traces   *sent
	active   []live.AMAlert // every alert Alertmanager held during the run
	fired    []live.PromAlert
	notes    []live.Notification
	timeline []string
}

// runScenarios sends the scenarios' traffic for seconds, then healthy
// traffic for recovery seconds while the last alerts resolve and the
// sampler decides. At second i it starts during[i], if any, while the
// traffic goes on, and waits for it before returning.
func runScenarios(t *testing.T, ctx context.Context, s *stackUnderTest, sc []scenario, seconds, recovery int, during map[int]func()) *run {
	gen := workload.New(7)
	r := &run{s: s, sc: sc, begin: time.Now(), traces: &sent{byClass: map[string][]string{}}}
	seen := map[string]live.AMAlert{} // by fingerprint
	watch := func() {
		as, err := s.am.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			seen[a.Fingerprint] = a
		}
	}
	var hooks sync.WaitGroup
	defer hooks.Wait()
	send := func(i int, calls []workload.Call, class func(workload.Call) string) {
		if f := during[i]; f != nil {
			hooks.Go(f)
		}
		for j := range calls {
			gen.IDs(&calls[j])
			r.traces.add(class(calls[j]), calls[j])
		}
		body, err := gen.Traces(calls, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := live.Post(ctx, s.otlpHTTP, "traces", body, s.token); err != nil {
			t.Fatalf("second %d: %v", i, err)
		}
		watch()
		if i%15 == 0 {
			r.timeline = append(r.timeline, fmt.Sprintf("  +%2ds sent %d spans; firing: %s", int(time.Since(r.begin).Seconds()), len(calls), strings.Join(firing(ctx, s), ", ")))
		}
		time.Sleep(time.Until(r.begin.Add(time.Duration(i+1) * time.Second)))
	}
	var genai []workload.GenAICall
	for i := range seconds {
		var calls []workload.Call
		for _, x := range sc {
			calls = append(calls, x.calls(i)...)
		}
		// Steady traffic (enough that the sampler's 1% of it is a measurable
		// share: about 2,000 traces a run) and, every fifth second, an
		// expensive call.
		for _, team := range []string{"ml-platform", "research"} {
			calls = append(calls, call(team, "openai", "gpt-4o"), call(team, "anthropic", "claude-sonnet-4"))
			for range 10 {
				c := call(team, "openai", "text-embedding-3-small")
				c.CostUSD, c.OutputTokens, c.Duration = 0.0001, 0, 150*time.Millisecond
				calls = append(calls, c)
			}
		}
		if i%5 == 0 {
			c := call("research", "openai", "o1")
			c.CostUSD = 25
			calls = append(calls, c)
			// An OpenLIT-instrumented service: cumulative GenAI metrics.
			for range 5 {
				genai = append(genai, workload.GenAICall{Provider: "openai", Model: "gpt-4o-mini", InputTokens: 200, OutputTokens: 90,
					Duration: 1200 * time.Millisecond, FirstChunk: 300 * time.Millisecond})
			}
			m, err := workload.GenAIMetrics("rag-bot", genai, r.begin, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := live.Post(ctx, s.otlpHTTP, "metrics", m, s.token); err != nil {
				t.Fatal(err)
			}
		}
		send(i, calls, classOf)
	}
	fired, err := s.prom.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.fired = fired
	for i := seconds; i < seconds+recovery; i++ {
		send(i, []workload.Call{call("research", "cohere", "command-r"), call("ml-platform", "openai", "gpt-4o")}, classOf)
	}
	hooks.Wait()
	r.active = slices.Collect(maps.Values(seen))
	r.notes = s.rec.Notifications()
	r.timeline = append(r.timeline, fmt.Sprintf("  +%2ds end; firing: %s", int(time.Since(r.begin).Seconds()), strings.Join(firing(ctx, s), ", ")))
	return r
}

// report is the run's timeline and every notification, for a failure.
func (r *run) report() string {
	var b strings.Builder
	b.WriteString("timeline:\n" + strings.Join(r.timeline, "\n") + "\ndelivered:\n")
	for _, n := range r.notes {
		fmt.Fprintf(&b, "  +%2ds %s/%s resolved=%v %q\n", int(n.At.Sub(r.begin).Seconds()), n.Receiver, n.Integration, n.Resolved, n.Title)
	}
	return b.String()
}

// deliveryProblems: each scenario's alert fired and reached exactly the
// receivers the routing of the rendered alertmanager.yaml names for its
// labels (what `genops-stack routes test` prints); an inhibited one never
// reached any.
func (r *run) deliveryProblems(t *testing.T) []string {
	var ps []string
	for _, x := range r.sc {
		for _, k := range x.alerts {
			labels := alertLabels(r.active, k)
			if labels == nil {
				ps = append(ps, fmt.Sprintf("%s: %s never fired", x.name, k))
				continue
			}
			want := r.s.routes.Receivers(labels)
			sort.Strings(want)
			notes := notesFor(r.notes, k)
			got := deliveredTo(notes, false)
			if len(notes) > 0 {
				t.Logf("%s: %s delivered %.0fs after the scenario's first span (rules and Alertmanager at 1/%d time)", x.name, k, notes[0].At.Sub(r.begin).Seconds(), scale.Factor)
			}
			if !slices.Equal(got, want) {
				ps = append(ps, fmt.Sprintf("%s: %s delivered to %v, want %v (routes test of %v)", x.name, k, got, want, labels))
			}
		}
		for _, k := range x.quiet {
			if got := deliveredTo(notesFor(r.notes, k), false); len(got) > 0 {
				ps = append(ps, fmt.Sprintf("%s: %s is inhibited, but reached %v", x.name, k, got))
			}
			labels := alertLabels(r.active, k)
			if labels == nil {
				ps = append(ps, fmt.Sprintf("%s: %s never reached Alertmanager: nothing was inhibited", x.name, k))
			}
			for _, a := range r.active {
				if a.Labels["alertname"] == k.name && a.Labels[k.label] == k.value && len(a.Status.InhibitedBy) == 0 {
					ps = append(ps, fmt.Sprintf("%s: %s is %s in Alertmanager, want inhibited", x.name, k, a.Status.State))
				}
			}
		}
	}
	return ps
}

// resolvedProblems: after recovery, resolved notifications reach the
// receivers that send them.
func (r *run) resolvedProblems(t *testing.T) []string {
	var ps []string
	for _, x := range r.sc {
		if x.recovers == 0 {
			continue
		}
		for _, k := range x.alerts {
			labels := alertLabels(r.active, k)
			if labels == nil {
				continue // a delivery problem
			}
			want := r.s.resolvedReceivers(labels)
			got := deliveredTo(notesFor(r.notes, k), true)
			t.Logf("%s: %s resolved at %v", x.name, k, got)
			if !slices.Equal(got, want) {
				ps = append(ps, fmt.Sprintf("%s: %s resolved at %v, want %v (the receivers that send resolved notifications)", x.name, k, got, want))
			}
		}
	}
	return ps
}

// messageProblems: every firing alert's summary, description and
// runbook_url render to something, and every Slack message has text.
func (r *run) messageProblems() []string {
	var ps []string
	for _, a := range r.fired {
		if a.State != "firing" {
			continue
		}
		for _, key := range []string{"summary", "description", "runbook_url"} {
			v := a.Annotations[key]
			if v == "" || strings.Contains(v, "<no value>") || strings.Contains(v, "%!") {
				ps = append(ps, fmt.Sprintf("alert %s: annotation %s is %q", a.Labels["alertname"], key, v))
			}
		}
	}
	for _, n := range r.notes {
		if n.Integration == "slack" && (strings.TrimSpace(n.Text) == "" || strings.Contains(n.Text+n.Title, "<no value>")) {
			ps = append(ps, fmt.Sprintf("%s: Slack message %q: %q", n.Receiver, n.Title, n.Text))
		}
	}
	return ps
}

// samplerProblems: the sink received every error, slow, high-cost and
// policy trace, and not much more than the configured share of the rest.
func (r *run) samplerProblems(t *testing.T) []string {
	var ps []string
	kept := keptTraces(t, r.s.traces)
	for _, class := range []string{"error", "slow", "high-cost", "policy"} {
		var missing []string
		for _, id := range r.traces.byClass[class] {
			if !kept[id] {
				missing = append(missing, id)
			}
		}
		if n := len(r.traces.byClass[class]); len(missing) > 0 || n == 0 {
			ps = append(ps, fmt.Sprintf("%s traces: %d sent, %d not kept by the sampler (first: %v)", class, n, len(missing), missing[:min(3, len(missing))]))
		}
	}
	plain, keptPlain := len(r.traces.byClass["plain"]), 0
	for _, id := range r.traces.byClass["plain"] {
		if kept[id] {
			keptPlain++
		}
	}
	// The probabilistic policy's share, within four binomial standard
	// deviations.
	p := r.s.samplePercent / 100
	mean := p * float64(plain)
	tol := 4 * math.Sqrt(float64(plain)*p*(1-p))
	t.Logf("plain traces kept: %d of %d (want %.1f ± %.1f)", keptPlain, plain, mean, tol)
	if math.Abs(float64(keptPlain)-mean) > tol {
		ps = append(ps, fmt.Sprintf("kept %d of %d plain traces, want %.1f ± %.1f (%v%%)", keptPlain, plain, mean, tol, r.s.samplePercent))
	}
	return ps
}

// probabilisticPolicy is the sampling_percentage and the name of the
// sampler config's probabilistic policy.
func probabilisticPolicy(t *testing.T, config []byte) (float64, string) {
	var cfg struct {
		Processors struct {
			TailSampling struct {
				Policies []struct {
					Name          string `json:"name"`
					Type          string `json:"type"`
					Probabilistic struct {
						Percentage float64 `json:"sampling_percentage"`
					} `json:"probabilistic"`
				} `json:"policies"`
			} `json:"tail_sampling"`
		} `json:"processors"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Processors.TailSampling.Policies {
		if p.Type == "probabilistic" {
			return p.Probabilistic.Percentage, p.Name
		}
	}
	t.Fatal("the sampler has no probabilistic policy")
	return 0, ""
}

// panelProblems: every rule and panel query of dir has data in the live
// Prometheus, but those over sources the harness does not run.
func (r *run) panelProblems(t *testing.T, ctx context.Context, dir string) []string {
	if p := r.groupsChanged(ctx, dir); p != "" {
		return []string{p}
	}
	qs, err := live.Queries(dir, renderedScrape)
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.Default()
	var ps []string
	checked := 0
	for _, q := range qs {
		if why := notRunHere(cat, q.Expr, time.Since(r.begin)); why != "" {
			t.Logf("not checked (%s): %s", why, q.Object)
			continue
		}
		checked++
		v, err := r.s.prom.Query(ctx, q.Expr)
		if err != nil {
			ps = append(ps, fmt.Sprintf("%s: %v", q.Object, err))
			continue
		}
		if len(v) == 0 {
			ps = append(ps, fmt.Sprintf("%s: no data in the live Prometheus\n    %s", q.Object, q.Expr))
		}
	}
	t.Logf("%d queries checked", checked)
	return ps
}

// groupsChanged says whether the rule groups of dir are no longer those
// the live Prometheus loaded at the start: dir changed under the run (a
// generate, a checkout), and every series of a group it gained would be
// reported as missing.
func (r *run) groupsChanged(ctx context.Context, dir string) string {
	files, err := live.RuleFiles(dir)
	if err != nil {
		return err.Error()
	}
	var want []string
	for _, f := range files {
		for _, g := range f.Groups {
			want = append(want, g.Name)
		}
	}
	loaded, err := r.s.prom.Rules(ctx)
	if err != nil {
		return "listing Prometheus' rule groups: " + err.Error()
	}
	var got []string
	for _, g := range loaded {
		got = append(got, g.Name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("the rule files changed during the run: Prometheus loaded the groups %s at the start, %s holds %s now; run again without changing it",
			strings.Join(got, ", "), dir, strings.Join(want, ", "))
	}
	return ""
}

func expectNone(t *testing.T, r *run, ps []string) {
	t.Helper()
	for _, p := range ps {
		t.Error(p)
	}
	if len(ps) > 0 {
		t.Log(r.report())
	}
}

func TestEndToEnd(t *testing.T) {
	s := start(t, out)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var healthy *doctor.Report
	var healthyAt time.Time
	plan := s.doctorPlan(t, nil)
	r := runScenarios(t, ctx, s, scenarios(), 75, 25, map[int]func(){
		// Doctor, during the steady traffic of the recovery, once its
		// window holds nothing but it.
		75 + doctorPhase: func() {
			healthyAt = time.Now()
			healthy = s.runDoctor(t, ctx, plan, "healthy", "TestEndToEnd, steady traffic")
		},
	})
	t.Run("alerts reach exactly their receivers", func(t *testing.T) { expectNone(t, r, r.deliveryProblems(t)) })
	t.Run("resolved notifications follow recovery", func(t *testing.T) { expectNone(t, r, r.resolvedProblems(t)) })
	t.Run("messages are rendered", func(t *testing.T) { expectNone(t, r, r.messageProblems()) })
	t.Run("the sampler keeps what matters", func(t *testing.T) { expectNone(t, r, r.samplerProblems(t)) })
	t.Run("panels and rules have data", func(t *testing.T) { expectNone(t, r, r.panelProblems(t, ctx, out)) })
	t.Run("doctor finds the stack healthy", func(t *testing.T) { expectDoctor(t, healthy, healthyAt, healthyProblems) })
	r.logGatewayCost(t, ctx)
}

// logGatewayCost logs what the gateway used under the run's traffic, from
// its own telemetry (docs/benchmarks.md records it).
func (r *run) logGatewayCost(t *testing.T, ctx context.Context) {
	spans := 0
	for _, ids := range r.traces.byClass {
		spans += len(ids)
	}
	elapsed := time.Since(r.begin)
	for _, q := range []struct{ what, expr string }{
		{"CPU (cores, last minute)", `rate(otelcol_process_cpu_seconds_total{job="otel-collector", pod=~"otel-collector-6b7c9.*"}[1m])`},
		{"resident memory (MiB)", `otelcol_process_memory_rss_bytes{job="otel-collector", pod=~"otel-collector-6b7c9.*"} / 2^20`},
	} {
		v, err := r.s.prom.Query(ctx, q.expr)
		if err != nil || len(v) == 0 {
			t.Logf("gateway %s: no data (%v)", q.what, err)
			continue
		}
		t.Logf("gateway %s: %.3f at %.1f spans/s (%d spans in %s)", q.what, float64(v[0].Value), float64(spans)/elapsed.Seconds(), spans, elapsed.Truncate(time.Second))
	}
}

// resolvedReceivers are the receivers of labels whose configuration sends
// resolved notifications to an integration the recorder sees.
func (s *stackUnderTest) resolvedReceivers(labels model.LabelSet) []string {
	var out []string
	for _, r := range s.routes.Receivers(labels) {
		if s.sendsResolved[r] {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// firing lists the alerts firing in Prometheus.
func firing(ctx context.Context, s *stackUnderTest) []string {
	as, err := s.prom.Alerts(ctx)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, a := range as {
		if a.State == "firing" {
			out = append(out, a.Labels["alertname"])
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// alertLabels returns the labels Alertmanager got for the alert k (the
// external labels included), nil when it never got it.
func alertLabels(as []live.AMAlert, k alertKey) model.LabelSet {
	for _, a := range as {
		if a.Labels["alertname"] == k.name && a.Labels[k.label] == k.value {
			ls := model.LabelSet{}
			for n, v := range a.Labels {
				ls[model.LabelName(n)] = model.LabelValue(v)
			}
			return ls
		}
	}
	return nil
}

func sendsResolved(t *testing.T, config []byte) map[string]bool {
	var cfg struct {
		Receivers []map[string]any `json:"receivers"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range cfg.Receivers {
		for _, key := range []string{"slack_configs", "pagerduty_configs", "webhook_configs"} {
			cs, _ := r[key].([]any)
			for _, c := range cs {
				if m, _ := c.(map[string]any); m["send_resolved"] == true {
					out[fmt.Sprint(r["name"])] = true
				}
			}
		}
	}
	return out
}

// scrapedHere are the jobs the harness's Prometheus runs.
var scrapedHere = []string{catalog.JobGenOpsOTelMetrics, catalog.JobOTelCollector}

// notRunHere says why a query cannot have data in this harness: it reads a
// metric only jobs the harness does not run deliver (kube-state-metrics,
// cAdvisor), looks further back than the harness has run (offset 24h),
// steps a subquery less often than that (the month's spend: every hour), or
// counts attribution conflicts, which a sender no team owns cannot cause.
// Empty when it must have data.
func notRunHere(cat *catalog.Catalog, expr string, ran time.Duration) string {
	names, err := live.SelectorNames(expr)
	if err != nil {
		return ""
	}
	for _, n := range names {
		sr, ok := cat.Lookup(n)
		if ok && !slices.ContainsFunc(sr.Metric.Jobs, func(j string) bool { return slices.Contains(scrapedHere, j) }) {
			return sr.Metric.Source.String() + ", not run here"
		}
	}
	if strings.Contains(expr, "offset") {
		return "it looks back further than the harness has run (" + ran.Truncate(time.Second).String() + ")"
	}
	// The query's own subquery steps at whole multiples of its step of real
	// time (out/'s expressions are not time-scaled here).
	if step, err := live.SubqueryStep(expr); err == nil && step > ran {
		return "a subquery steps every " + model.Duration(step).String() + " of the clock, longer than the harness has run (" + ran.Truncate(time.Second).String() + "): its promtool tests in alerts/testdata evaluate it step by step"
	}
	if slices.Contains(names, "genops_attribution_conflicts_total") {
		return "no span conflicts here: the workload is a pod of a namespace no team owns (internal/live's TestGatewayTrustBoundaries checks it)"
	}
	if now := time.Now(); slices.Contains(names, monthToDateRecord) && monthToDateGap(now) {
		return "the month's spend counts an hour from 5 minutes into it, and this check ran at " + now.UTC().Format("15:04:05") + " UTC, " + ran.Truncate(time.Second).String() + " after the data began (alerts/testdata/team-budget-month-to-date.test.yaml evaluates it step by step)"
	}
	return ""
}

// monthToDateRecord is the month's spend per team, which the budget
// thresholds read.
const monthToDateRecord = "genops:cost:team_month_to_date_usd"

// monthToDateGap says whether at falls where the month's spend may rightly
// have no value here. Its hour under way counts 5-minute steps of the clock
// whose first ends 5 minutes into the hour (the rule's 300 s is a number,
// which the harness does not scale), and its ended hours need one of the
// scaled hourly steps to fall after the data began, which a run this short
// may not have. Production, whose data began hours before, has the ended
// hours at every minute of an hour.
func monthToDateGap(at time.Time) bool {
	return at.Sub(at.Truncate(time.Hour)) < 5*time.Minute+30*time.Second
}

// notesFor are the notifications of alert k: its name in the title, its
// identifying label value in the title or text (a Slack message carries
// the descriptions, which name it) or in the common labels.
func notesFor(notes []live.Notification, k alertKey) []live.Notification {
	var out []live.Notification
	for _, n := range notes {
		if !strings.Contains(n.Title, k.name) && n.Labels["alertname"] != k.name {
			continue
		}
		if strings.Contains(n.Title+n.Text, k.value) || n.Labels[k.label] == k.value {
			out = append(out, n)
		}
	}
	return out
}

// deliveredTo are the receivers notes reached, sorted, once each.
func deliveredTo(notes []live.Notification, resolved bool) []string {
	var out []string
	for _, n := range notes {
		if n.Resolved == resolved {
			out = append(out, n.Receiver)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// keptTraces are the trace ids the sink received.
func keptTraces(t *testing.T, path string) map[string]bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kept := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var req struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []struct {
						TraceID string `json:"traceId"`
					} `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		}
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					kept[strings.ToLower(sp.TraceID)] = true
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kept
}

// breakage is one class of defect planted in a copy of the rendered files,
// and the problem the harness must report for it.
type breakage struct {
	class, file, from, to string
	problems              func(r *run, t *testing.T, ctx context.Context, dir string) []string
	want                  string
}

// TestEndToEndCatchesBreakage plants one defect of each class in a copy of
// out/ (a rule that cannot fire, a route to the wrong receiver, a panel
// query over a label value nothing has, a sampling policy on an attribute
// nothing sends), runs the stack on it, and requires each defect's precise
// problem.
func TestEndToEndCatchesBreakage(t *testing.T) {
	breaks := []breakage{
		{class: "a rule", file: "prometheus/rules/genops-performance-alerts.yaml", from: "> 0.05", to: "> 5",
			problems: func(r *run, t *testing.T, _ context.Context, _ string) []string { return r.deliveryProblems(t) },
			want:     `an error burst on one provider, then recovery: HighErrorRate{provider="cohere"} never fired`},
		{class: "a route", file: "alertmanager/production/alertmanager.yaml", from: "receiver: policy-violations", to: "receiver: performance-alerts",
			problems: func(r *run, t *testing.T, _ context.Context, _ string) []string { return r.deliveryProblems(t) },
			want:     `a policy-violation spike, then recovery: PolicyViolationsDetected{policy="pii"} delivered to [performance-alerts], want [policy-violations]`},
		{class: "a panel query", file: "grafana/dashboards/genops-performance.json",
			from: `genops_eval_quality_score{model=~\"$model\"}`, to: `genops_eval_quality_score{model=~\"$model\", metric=\"relevancy\"}`,
			problems: func(r *run, t *testing.T, ctx context.Context, dir string) []string {
				return r.panelProblems(t, ctx, dir)
			},
			want: `dashboard "GenOps AI - Performance Metrics" panel "Quality Scores" target A: no data in the live Prometheus`},
		{class: "rule files changed during the run",
			problems: func(r *run, t *testing.T, ctx context.Context, dir string) []string {
				changed := t.TempDir()
				if err := os.MkdirAll(filepath.Join(changed, "prometheus/rules"), 0o755); err != nil {
					t.Fatal(err)
				}
				paths, _ := filepath.Glob(filepath.Join(dir, "prometheus/rules/*.yaml"))
				for _, p := range paths {
					if err := os.WriteFile(filepath.Join(changed, "prometheus/rules", filepath.Base(p)), read(t, dir, filepath.Join("prometheus/rules", filepath.Base(p))), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				extra := "groups:\n  - name: genops-extra\n    rules:\n      - record: genops:extra:one\n        expr: vector(1)\n"
				if err := os.WriteFile(filepath.Join(changed, "prometheus/rules/genops-extra.yaml"), []byte(extra), 0o644); err != nil {
					t.Fatal(err)
				}
				return r.panelProblems(t, ctx, changed)
			},
			want: `the rule files changed during the run: Prometheus loaded the groups genops-cost-alerts, `},
		{class: "a sampling policy", file: "otel/production/collector-sampler.yaml", from: "key: genops.policy.result", to: "key: genops.policy.outcome",
			problems: func(r *run, t *testing.T, _ context.Context, _ string) []string { return r.samplerProblems(t) },
			want:     `policy traces: `},
	}
	dir := t.TempDir()
	for _, sub := range []string{"alertmanager/production", "otel/production", "prometheus/rules", "grafana/dashboards", "helm/production"} {
		paths, _ := filepath.Glob(filepath.Join(out, sub, "*"))
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data := read(t, out, filepath.Join(sub, filepath.Base(p)))
			for _, b := range breaks {
				if b.file == filepath.Join(sub, filepath.Base(p)) {
					if !strings.Contains(string(data), b.from) {
						t.Fatalf("%s: %q is not in %s any more: update the breakage", b.class, b.from, b.file)
					}
					data = []byte(strings.Replace(string(data), b.from, b.to, 1))
				}
			}
			if err := os.WriteFile(filepath.Join(dir, sub, filepath.Base(p)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := start(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var sc []scenario
	for _, x := range scenarios() {
		if x.recovers > 0 || strings.Contains(x.name, "quality") {
			sc = append(sc, x)
		}
	}
	// Doctor's broken receiver: the Slack webhook of cost-critical answers
	// nothing from the start (no scenario of this run notifies it before
	// the doctor phase).
	s.breakReceiver(t, "cost-critical")
	r := runScenarios(t, ctx, s, sc, 50, 20, s.keptStream(ctx, t, 50, 70))
	for _, b := range breaks {
		t.Run(b.class, func(t *testing.T) {
			ps := b.problems(r, t, ctx, dir)
			if !slices.ContainsFunc(ps, func(p string) bool { return strings.HasPrefix(p, b.want) }) {
				t.Errorf("a broken %s in %s: no problem starting %q; got:\n  %s\n%s", b.class, b.file, b.want, strings.Join(ps, "\n  "), r.report())
			}
		})
	}
	t.Run("doctor diagnoses what the harness breaks", func(t *testing.T) { s.doctorBreaks(t, ctx) })
}
