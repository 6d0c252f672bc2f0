package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/util/teststorage"

	"github.com/koshihq/genops-stack/internal/workload"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
)

const out = "../../out"

// scrapeInterval is the gateway job's interval: $__rate_interval is four
// of it, as in Grafana.
const scrapeInterval = 30 * time.Second

// TestGenOpsQueriesHaveData runs the rendered production gateway with the
// real Collector components, sends it what GenOps AI workloads really send
// (spans of both attribute shapes) and what OTel GenAI instrumentations
// send (metrics), scrapes its exporter as Prometheus would, and evaluates
// with Prometheus' own engine every rendered rule and every panel query
// over the derived or GenAI metrics: each must return data. Queries over
// sources this test does not run (kube-state-metrics, cAdvisor, the
// Collectors' own telemetry, up) are listed and skipped.
//
// Timeline: two rounds of traffic, scraped after each, are stored as a day
// ago and replayed as today (counters continuing, no reset), so offset 1d
// and [24h] queries have data too.
func TestGenOpsQueriesHaveData(t *testing.T) {
	bin := Binary(t)
	rendered, err := os.ReadFile(filepath.Join(out, "otel/production/collector.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := Addresses{
		Listen: map[string]string{
			"receivers.otlp.protocols.grpc": FreeAddr(t),
			"receivers.otlp.protocols.http": FreeAddr(t),
			"exporters.prometheus":          FreeAddr(t),
			"extensions.health_check":       FreeAddr(t),
			"service.telemetry":             FreeAddr(t),
		},
		// Nothing listens there: traces and logs are not this test's.
		Send: map[string]string{"otlp_grpc/sampler": FreeAddr(t), "otlp_http/loki": "http://" + FreeAddr(t)},
		// A pod of the shared workload namespace, which no team owns: every
		// span is charged to the team it claims (TestGatewayTrustBoundaries
		// runs a team's namespace).
		Sender: &Sender{Namespace: stack.Defaults().Namespaces.Workloads, Pod: "rag-bot-7f9c4-q2w8e"},
	}
	cfg, rewrites, err := Loopback(rendered, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rewrites {
		t.Logf("rewrite %s", r)
	}
	token := Token(t)
	StartCollectorEnv(t, bin, cfg, a.Listen["extensions.health_check"], collector.TokenEnv+"="+token)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	teams := stack.DefaultContent().Teams
	gen := workload.New(11)
	start := time.Now()
	target := map[string]string{"job": catalog.JobGenOpsOTelMetrics, "instance": a.Listen["exporters.prometheus"], "namespace": "monitoring", "pod": "otel-collector-6b7c9-x2x4q"}
	metricsURL := "http://" + a.Listen["exporters.prometheus"] + "/metrics"
	var rounds [][]Sample
	var genaiCalls []workload.GenAICall // cumulative: an SDK exports its totals so far
	sent := 0
	for round := 1; round <= 2; round++ {
		calls := traffic(teams, round)
		sent += len(calls)
		body, err := gen.Traces(calls, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := Post(ctx, a.Listen["receivers.otlp.protocols.http"], "traces", body, token); err != nil {
			t.Fatal(err)
		}
		genaiCalls = append(genaiCalls, genAITraffic(round)...)
		genai, err := workload.GenAIMetrics("rag-bot", genaiCalls, start, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := Post(ctx, a.Listen["receivers.otlp.protocols.http"], "metrics", genai, token); err != nil {
			t.Fatal(err)
		}
		// Wait until every provider call of the round is counted, and every
		// GenAI operation so far (the metrics pipeline batches for up to 10s).
		samples, err := waitFor(ctx, metricsURL, target, map[string]float64{
			"genops_requests_total":                          float64(len(calls) + rounds0(rounds)),
			"gen_ai_client_operation_duration_seconds_count": float64(len(genaiCalls)),
		})
		if err != nil {
			t.Fatalf("round %d (%d spans sent): %v", round, len(calls), err)
		}
		rounds = append(rounds, samples)
	}
	t.Logf("%d spans sent; the gateway exposes %s", sent, strings.Join(Names(rounds[1]), " "))

	// A whole 5 minutes, as the rules' subqueries step: the month's spend
	// steps every 5 minutes through the hour under way (alerts/thresholds.go)
	// and has its last step here. Not the first 5 minutes of a month, where
	// the month's spend has no step yet and is absent by design.
	now := time.Now().Truncate(5 * time.Minute)
	if now.Day() == 1 && now.Hour() == 0 && now.Minute() == 0 {
		now = now.Add(-5 * time.Minute)
	}
	A, B := rounds[0], rounds[1]
	stamps := []Stamp{
		{now.Add(-24*time.Hour - 90*time.Second), A}, {now.Add(-24*time.Hour - 30*time.Second), B}, {now.Add(-24 * time.Hour), B},
		{now.Add(-90 * time.Second), Continue(B, A)}, {now.Add(-30 * time.Second), Continue(B, B)}, {now, Continue(B, B)},
	}
	// Recording rules are evaluated after the raw samples of every stamp:
	// let their results land a day back.
	db := teststorage.New(t, func(o *tsdb.Options) { o.OutOfOrderTimeWindow = (25 * time.Hour).Milliseconds() })
	appendStamps(t, db, stamps)
	// As the Prometheus server runs its engine: the @ modifier and negative offsets are on.
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 10_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, EnableAtModifier: true, EnableNegativeOffset: true})
	records, err := Records(out)
	if err != nil {
		t.Fatal(err)
	}
	for pass := 0; pass < 2; pass++ { // records over records
		for _, r := range records {
			for _, s := range stamps {
				v := instant(t, engine, db, r.Expr, s.At)
				app := db.Appender(ctx)
				for _, smp := range v {
					b := labels.NewBuilder(smp.Metric)
					b.Set(labels.MetricName, r.Record)
					for k, val := range r.Labels {
						b.Set(k, val)
					}
					if _, err := app.Append(0, b.Labels(), s.At.UnixMilli(), smp.F); err != nil && !errors.Is(err, storage.ErrDuplicateSampleForTimestamp) {
						t.Fatal(err)
					}
				}
				if err := app.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	cat := catalog.Default()
	var checked, skipped int
	var empty []string
	qs, err := Queries(out, scrapeInterval)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		names, err := SelectorNames(q.Expr)
		if err != nil {
			t.Errorf("%s: %v", q.Object, err)
			continue
		}
		if src := unrunSource(cat, names); src != "" {
			skipped++
			t.Logf("skipped (%s not run here): %s", src, q.Object)
			continue
		}
		if slices.Contains(names, conflicts) {
			skipped++
			t.Logf("skipped (no span conflicts here: the sender is a pod of a namespace no team owns; TestGatewayTrustBoundaries checks it): %s", q.Object)
			continue
		}
		checked++
		if len(instant(t, engine, db, q.Expr, now)) == 0 {
			empty = append(empty, fmt.Sprintf("%s: no data\n    %s", q.Object, q.Expr))
		}
	}
	t.Logf("%d queries checked, %d skipped", checked, skipped)
	if len(empty) > 0 {
		t.Errorf("%d of %d queries over the GenOps and GenAI metrics have no data:\n  %s\ntimeline:\n%s", len(empty), checked, strings.Join(empty, "\n  "), Describe(stamps, now))
	}
	if checked < 40 {
		t.Errorf("only %d queries checked: the rule files or dashboards were not found", checked)
	}
}

// traffic is one round of what GenOps AI workloads send: every team calls
// two providers, one call fails, policies decide, evaluations score, budgets
// are recorded; one service is the seed's example application.
func traffic(teams []stack.Team, round int) []workload.Call {
	var calls []workload.Call
	for i, tm := range teams {
		for j, p := range []struct{ provider, model string }{{"openai", "gpt-4o"}, {"anthropic", "claude-sonnet-4"}} {
			c := workload.Call{
				Service: "chat-api", Team: tm.Name, Project: "assistant", CostCenter: tm.CostCenter,
				Customer: fmt.Sprintf("cust-%d-%d", i, round), Provider: p.provider, Model: p.model,
				CostUSD: 0.25 * float64(round+j), InputTokens: 400, OutputTokens: 150, Duration: time.Duration(700+300*j) * time.Millisecond,
				Policy: &workload.Policy{Name: "content-safety", Result: []string{"allowed", "blocked"}[j], Reason: "matched rule 12"},
				Eval:   &workload.Eval{Metric: "relevance", Score: 0.6 + 0.1*float64(j), Threshold: 0.7},
				Budget: &workload.Budget{Name: tm.Name + "-monthly", Allocated: tm.MonthlyBudgetUSD, Consumed: tm.MonthlyBudgetUSD * 0.4 * float64(round)},
			}
			calls = append(calls, c)
		}
		calls = append(calls, workload.Call{Service: "chat-api", Team: tm.Name, Project: "assistant", Customer: "cust-err",
			Provider: "anthropic", Model: "claude-sonnet-4", Duration: 12 * time.Second, Err: true})
	}
	calls = append(calls, workload.Call{Shape: workload.Seed, Service: "inference-service", Team: teams[0].Name, Project: "inference-service",
		CostCenter: teams[0].CostCenter, Customer: "customer-123", Model: "gpt-4", CostUSD: 1.5, InputTokens: 900, OutputTokens: 300,
		Duration: 2 * time.Second, Policy: &workload.Policy{Result: "blocked"}, Tier: "premium"})
	return calls
}

func genAITraffic(round int) []workload.GenAICall {
	var calls []workload.GenAICall
	for i := 0; i < round*3; i++ {
		calls = append(calls, workload.GenAICall{Provider: "openai", Model: "gpt-4o-mini", InputTokens: 120, OutputTokens: 80,
			Duration: 900 * time.Millisecond, FirstChunk: 250 * time.Millisecond})
	}
	calls = append(calls, workload.GenAICall{Provider: "cohere", Model: "command-r", System: true, Duration: 3 * time.Second, ErrorType: "timeout"})
	return calls
}

// rounds0 is the provider calls of the rounds already scraped.
func rounds0(rounds [][]Sample) int {
	if len(rounds) == 0 {
		return 0
	}
	return int(sumOf(rounds[len(rounds)-1], "genops_requests_total"))
}

func sumOf(samples []Sample, name string) float64 {
	var s float64
	for _, x := range samples {
		if x.Labels.Get(labels.MetricName) == name {
			s += x.Value
		}
	}
	return s
}

// waitFor scrapes until each metric's series add up to what it wants.
func waitFor(ctx context.Context, url string, target map[string]string, want map[string]float64) ([]Sample, error) {
	var miss string
	for {
		samples, err := Scrape(ctx, url, target)
		if err == nil {
			miss = ""
			for name, w := range want {
				if got := sumOf(samples, name); got != w {
					miss += fmt.Sprintf("; %s adds up to %v, want %v", name, got, w)
				}
			}
			if miss == "" {
				return samples, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("timed out%s (last error: %v)", miss, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func appendStamps(t *testing.T, db storage.Appendable, stamps []Stamp) {
	t.Helper()
	for _, s := range stamps {
		app := db.Appender(context.Background())
		for _, smp := range s.Samples {
			if _, err := app.Append(0, smp.Labels, s.At.UnixMilli(), smp.Value); err != nil {
				t.Fatalf("append %s: %v", smp.Labels, err)
			}
		}
		if err := app.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func instant(t *testing.T, engine *promql.Engine, db storage.Queryable, expr string, at time.Time) promql.Vector {
	t.Helper()
	q, err := engine.NewInstantQuery(context.Background(), db, nil, expr, at)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	defer q.Close()
	res := q.Exec(context.Background())
	if res.Err != nil {
		t.Fatalf("%s: %v", expr, res.Err)
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		return v
	case promql.Scalar:
		return promql.Vector{{F: v.V}}
	}
	t.Fatalf("%s: unexpected result %T", expr, res.Value)
	return nil
}

// unrunSource names the source of the first metric a query reads that this
// test does not run: an exporter scraped in a cluster.
func unrunSource(cat *catalog.Catalog, names []string) string {
	for _, n := range names {
		s, ok := cat.Lookup(n)
		if !ok || s.Metric.Source == nil {
			continue // a recording rule's series
		}
		if s.Metric.Source.Kind == catalog.Scraped {
			return s.Metric.Source.Exporter
		}
	}
	return ""
}
