package live

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/util/teststorage"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/koshihq/genops-stack/internal/workload"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/collector"
)

// TestGatewayTrustBoundaries runs the rendered production gateway (the real
// Collector components, as otelcol-check run) with authentication on, as a
// pod of a team's namespace would reach it, and proves on what it serves:
//
//   - an OTLP export without the bearer token, or with a wrong one, is
//     refused over HTTP (401) and gRPC (Unauthenticated), and nothing of it
//     is counted;
//   - with the token, a span claiming another team is charged to the team
//     owning the namespace and counted in genops_attribution_conflicts_total
//     by the team it claimed; a claim of a team the stack does not know is
//     counted as "unknown"; a sender that writes the namespace and its team
//     into its own resource is not believed (resource/untrusted drops them
//     before the stand-in of k8sattributes adds the real ones).
//
// What it does not prove: k8sattributes' pod lookup. On loopback there is
// no Kubernetes API, so Loopback replaces k8sattributes, in place, with a
// resource processor inserting what k8sattributes adds for a pod of the
// team's namespace (Sender); everything before and after it is the
// rendered config.
func TestGatewayTrustBoundaries(t *testing.T) {
	bin := Binary(t)
	rendered, err := os.ReadFile(filepath.Join(out, "otel/production/collector.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	teams := stack.DefaultContent().Teams
	owner, other := teams[0], teams[1]
	a := Addresses{
		Listen: map[string]string{
			"receivers.otlp.protocols.grpc": FreeAddr(t),
			"receivers.otlp.protocols.http": FreeAddr(t),
			"exporters.prometheus":          FreeAddr(t),
			"extensions.health_check":       FreeAddr(t),
			"service.telemetry":             FreeAddr(t),
		},
		Send:   map[string]string{"otlp_grpc/sampler": FreeAddr(t), "otlp_http/loki": "http://" + FreeAddr(t)},
		Sender: &Sender{Namespace: owner.Namespaces[0], Pod: "summarizer-5c8d7-h4k2p", Team: owner.Name},
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	httpAddr, grpcAddr := a.Listen["receivers.otlp.protocols.http"], a.Listen["receivers.otlp.protocols.grpc"]
	gen := workload.New(7)
	call := func(team string, cost float64) workload.Call {
		return workload.Call{Service: "summarizer", Team: team, Project: "digest", Provider: "openai", Model: "gpt-4o",
			CostUSD: cost, InputTokens: 100, OutputTokens: 20, Duration: 400 * time.Millisecond}
	}

	// Refused: no token, a wrong token; over HTTP and gRPC. Each claims
	// the other team and a cost nothing else sends (100 USD).
	bogus, err := gen.Traces([]workload.Call{call(other.Name, 100)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", Token(t)} {
		code, msg, err := PostStatus(ctx, httpAddr, "traces", bogus, tok)
		if err != nil {
			t.Fatal(err)
		}
		if code != http.StatusUnauthorized {
			t.Errorf("HTTP export with token %q: status %d (%s), want 401", redact(tok), code, msg)
		}
		if err := exportGRPC(ctx, grpcAddr, bogus, tok); status.Code(err) != codes.Unauthenticated {
			t.Errorf("gRPC export with token %q: %v, want Unauthenticated", redact(tok), err)
		}
	}

	// Accepted, in two rounds scraped after each: the owner's own claim
	// (1 USD) and a claim of the other team (2.5 USD, over gRPC); then a
	// claim of a team the stack does not know (0.5 USD), and a sender
	// forging its namespace and team on the resource while claiming the
	// other team (0.25 USD).
	own, err := gen.Traces([]workload.Call{call(owner.Name, 1)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := Post(ctx, httpAddr, "traces", own, token); err != nil {
		t.Fatal(err)
	}
	foreign, err := gen.Traces([]workload.Call{call(other.Name, 2.5)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := exportGRPC(ctx, grpcAddr, foreign, token); err != nil {
		t.Fatalf("gRPC export with the token: %v", err)
	}
	target := map[string]string{"job": catalog.JobGenOpsOTelMetrics, "instance": a.Listen["exporters.prometheus"]}
	metricsURL := "http://" + a.Listen["exporters.prometheus"] + "/metrics"
	first, err := waitFor(ctx, metricsURL, target, map[string]float64{"genops_requests_total": 2, conflicts: 1})
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := gen.Traces([]workload.Call{call("nonexistent-team", 0.5)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := Post(ctx, httpAddr, "traces", unknown, token); err != nil {
		t.Fatal(err)
	}
	forged, err := gen.Traces([]workload.Call{call(other.Name, 0.25)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	forged = withResource(t, forged, map[string]string{
		"k8s.namespace.name": other.Namespaces[0], "k8s.pod.name": "impostor", collector.NamespaceTeamAttribute: other.Name,
	})
	if err := Post(ctx, httpAddr, "traces", forged, token); err != nil {
		t.Fatal(err)
	}
	samples, err := waitFor(ctx, metricsURL, target, map[string]float64{"genops_requests_total": 4, conflicts: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range samples {
		switch s.Labels.Get(labels.MetricName) {
		case "genops_cost_usd_total":
			got["cost team="+s.Labels.Get("team")] += s.Value
		case conflicts:
			got["conflicts team="+s.Labels.Get("team")+" claimed_team="+s.Labels.Get("claimed_team")] += s.Value
		}
	}
	want := map[string]float64{
		"cost team=" + owner.Name:                                                 1 + 0.5 + 2.5 + 0.25,
		"conflicts team=" + owner.Name + " claimed_team=" + other.Name:            2,
		"conflicts team=" + owner.Name + " claimed_team=" + collector.UnknownTeam: 1,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s = %v", k, got[k])
		}
	}
	t.Logf("served: %v", got)

	// Every rule and panel query over the conflicts has data here (the
	// other live tests' sender is a pod of a namespace no team owns, where
	// no span can conflict).
	now := time.Now().Truncate(time.Second)
	db := teststorage.New(t)
	appendStamps(t, db, []Stamp{{now.Add(-30 * time.Second), first}, {now, samples}})
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, EnableAtModifier: true, EnableNegativeOffset: true})
	qs, err := Queries(out, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, q := range qs {
		names, err := SelectorNames(q.Expr)
		if err != nil || !slices.Contains(names, conflicts) {
			continue
		}
		checked++
		if len(instant(t, engine, db, q.Expr, now)) == 0 {
			t.Errorf("%s: no data\n    %s", q.Object, q.Expr)
		}
	}
	if checked == 0 {
		t.Errorf("no rule or panel query reads %s", conflicts)
	}
}

// conflicts is the metric counting spans charged to another team than the
// one they claimed.
const conflicts = "genops_attribution_conflicts_total"

// exportGRPC sends an OTLP/JSON traces request over OTLP/gRPC, with the
// bearer token as metadata when token is set.
func exportGRPC(ctx context.Context, addr string, body []byte, token string) error {
	// OTLP/JSON writes ids as hex, protobuf's JSON mapping reads bytes as
	// base64.
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	for _, rs := range asSlice(m["resourceSpans"]) {
		for _, ss := range asSlice(asMap(rs)["scopeSpans"]) {
			for _, sp := range asSlice(asMap(ss)["spans"]) {
				for _, k := range []string{"traceId", "spanId", "parentSpanId"} {
					if h, ok := asMap(sp)[k].(string); ok && h != "" {
						b, err := hex.DecodeString(h)
						if err != nil {
							return err
						}
						asMap(sp)[k] = base64.StdEncoding.EncodeToString(b)
					}
				}
			}
		}
	}
	pb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var req collectortrace.ExportTraceServiceRequest
	if err := protojson.Unmarshal(pb, &req); err != nil {
		return err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	_, err = collectortrace.NewTraceServiceClient(conn).Export(ctx, &req)
	return err
}

// withResource adds attributes to every resource of an OTLP/JSON traces
// request.
func withResource(t *testing.T, body []byte, attrs map[string]string) []byte {
	t.Helper()
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	for _, rs := range asSlice(req["resourceSpans"]) {
		res := asMap(asMap(rs)["resource"])
		as := asSlice(res["attributes"])
		for k, v := range attrs {
			as = append(as, map[string]any{"key": k, "value": map[string]any{"stringValue": v}})
		}
		res["attributes"] = as
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func redact(tok string) string {
	if tok == "" {
		return ""
	}
	return strings.Repeat("*", 8)
}

// TestTrustBoundariesCatchBreakage runs a copy of the rendered gateway
// without resource/untrusted and requires what TestGatewayTrustBoundaries
// rules out: a sender that writes another namespace's team into its
// resource is charged to that team (k8sattributes, like its stand-in, never
// overwrites an attribute that is set).
func TestTrustBoundariesCatchBreakage(t *testing.T) {
	bin := Binary(t)
	rendered, err := os.ReadFile(filepath.Join(out, "otel/production/collector.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.ReplaceAll(string(rendered), "      - "+collector.UntrustedProcessor+"\n", "")
	if broken == string(rendered) {
		t.Fatalf("the rendered gateway runs no %s", collector.UntrustedProcessor)
	}
	teams := stack.DefaultContent().Teams
	owner, other := teams[0], teams[1]
	a := Addresses{
		Listen: map[string]string{
			"receivers.otlp.protocols.grpc": FreeAddr(t), "receivers.otlp.protocols.http": FreeAddr(t),
			"exporters.prometheus": FreeAddr(t), "extensions.health_check": FreeAddr(t), "service.telemetry": FreeAddr(t),
		},
		Send:   map[string]string{"otlp_grpc/sampler": FreeAddr(t), "otlp_http/loki": "http://" + FreeAddr(t)},
		Sender: &Sender{Namespace: owner.Namespaces[0], Pod: "summarizer-5c8d7-h4k2p", Team: owner.Name},
	}
	cfg, _, err := Loopback([]byte(broken), a)
	if err != nil {
		t.Fatal(err)
	}
	token := Token(t)
	StartCollectorEnv(t, bin, cfg, a.Listen["extensions.health_check"], collector.TokenEnv+"="+token)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	forged, err := workload.New(3).Traces([]workload.Call{{Service: "summarizer", Team: other.Name, Provider: "openai", Model: "gpt-4o",
		CostUSD: 0.25, Duration: 400 * time.Millisecond}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	forged = withResource(t, forged, map[string]string{collector.NamespaceTeamAttribute: other.Name})
	if err := Post(ctx, a.Listen["receivers.otlp.protocols.http"], "traces", forged, token); err != nil {
		t.Fatal(err)
	}
	target := map[string]string{"job": catalog.JobGenOpsOTelMetrics, "instance": a.Listen["exporters.prometheus"]}
	samples, err := waitFor(ctx, "http://"+a.Listen["exporters.prometheus"]+"/metrics", target, map[string]float64{"genops_requests_total": 1})
	if err != nil {
		t.Fatal(err)
	}
	charged := ""
	for _, s := range samples {
		if s.Labels.Get(labels.MetricName) == "genops_cost_usd_total" {
			charged = s.Labels.Get("team")
		}
	}
	if charged != other.Name {
		t.Fatalf("without %s the forged span was charged to %q; the breakage went unseen", collector.UntrustedProcessor, charged)
	}
}
