package doctor

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The recordings of testdata/ are diagnoses of the live end-to-end harness
// (e2e/doctor_test.go, run with GENOPS_DOCTOR_RECORD=internal/doctor/testdata):
// every request doctor made and the servers' answers. The tests replay them
// on local servers: as recorded, and with answers changed to show each
// finding the harness does not produce.

func loadRecording(t *testing.T, name string) Recording {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var r Recording
	if err := json.NewDecoder(z).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// answer replaces the recorded answer to every request of server whose
// request (unescaped) contains match; a status of 0 is 200.
type answer struct {
	server, match string
	status        int
	body          string
}

// replay serves a recording's answers, with some replaced.
type replay struct {
	t       *testing.T
	byKey   map[string]map[string]Exchange
	answers []answer
	mu      sync.Mutex
	missed  []string
}

func newReplay(t *testing.T, r Recording, answers ...answer) *replay {
	rp := &replay{t: t, byKey: map[string]map[string]Exchange{}, answers: answers}
	for _, e := range r.Exchanges {
		if rp.byKey[e.Server] == nil {
			rp.byKey[e.Server] = map[string]Exchange{}
		}
		rp.byKey[e.Server][e.Request] = e
	}
	return rp
}

func (rp *replay) handler(server string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		key, err := RequestKey(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		plain, _ := url.QueryUnescape(key)
		for _, a := range rp.answers {
			if a.server == server && strings.Contains(plain, a.match) {
				w.Header().Set("Content-Type", "application/json")
				if a.status != 0 {
					w.WriteHeader(a.status)
				}
				w.Write([]byte(a.body))
				return
			}
		}
		e, ok := rp.byKey[server][key]
		if !ok {
			rp.mu.Lock()
			rp.missed = append(rp.missed, server+": "+plain)
			rp.mu.Unlock()
			http.Error(w, "not recorded", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", e.ContentType)
		w.WriteHeader(e.Status)
		w.Write([]byte(e.Body))
	}
}

// servers starts a server per recorded server and returns their URLs as
// doctor takes them.
func (rp *replay) servers(names ...string) Servers {
	var s Servers
	for _, n := range names {
		srv := httptest.NewServer(rp.handler(n))
		rp.t.Cleanup(srv.Close)
		switch n {
		case "prometheus":
			s.Prometheus = srv.URL
		case "alertmanager":
			s.Alertmanager = srv.URL
		case "collector":
			s.CollectorMetrics = srv.URL + "/metrics"
		}
	}
	return s
}

// run replays the recording with the answers replaced and returns the
// report; a request the recording lacks fails the test.
func run(t *testing.T, r Recording, servers []string, answers ...answer) *Report {
	t.Helper()
	rp := newReplay(t, r, answers...)
	rep, err := Run(context.Background(), r.Plan, rp.servers(servers...))
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.missed) > 0 {
		t.Fatalf("requests the recording lacks:\n  %s", strings.Join(rp.missed, "\n  "))
	}
	return rep
}

var allServers = []string{"prometheus", "alertmanager", "collector"}

// The recordings replay to the diagnosis the live test asserted.
func TestRecordings(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"healthy", []string{"rules/notifications: email", "traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb"}},
		{"broken", []string{
			"metrics/series-carry-labels: genops.team",
			"rules/alertmanager-config",
			"rules/notifications: email",
			"rules/notifications: slack",
			"traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb",
			"traces/exporter-sends: otel-collector-sampler otlp_grpc/traces",
			"cardinality/series-budget: genops_requests_total",
		}},
		{"stopped", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadRecording(t, tt.name)
			rep := run(t, r, allServers)
			got := rep.ProblemIDs()
			if !slices.Equal(got, r.Problems) {
				t.Errorf("replayed to\n  %s\nrecorded\n  %s", strings.Join(got, "\n  "), strings.Join(r.Problems, "\n  "))
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("found\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// vector is a Prometheus instant-query answer.
func vector(samples ...string) string {
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(samples, ",") + `]}}`
}

// sample is one sample of a vector: labels as name, value pairs.
func sample(value string, labels ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		m[labels[i]] = labels[i+1]
	}
	b, _ := json.Marshal(m)
	return fmt.Sprintf(`{"metric":%s,"value":[1796160000,%q]}`, b, value)
}

// recorded returns the recorded answer to the request containing match.
func recorded(t *testing.T, r Recording, server, match string) string {
	t.Helper()
	for _, e := range r.Exchanges {
		plain, _ := url.QueryUnescape(e.Request)
		if e.Server == server && strings.Contains(plain, match) {
			return e.Body
		}
	}
	t.Fatalf("no recorded %s request contains %q", server, match)
	return ""
}

// edit decodes a recorded JSON answer, changes it and encodes it again.
func edit(t *testing.T, body string, change func(v map[string]any)) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	change(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withoutSeries is the recorded presence answer without some names.
func withoutSeries(t *testing.T, r Recording, names ...string) answer {
	body := edit(t, recorded(t, r, "prometheus", "count by (__name__) ({__name__=~\"gen_ai_client_operation_duration_seconds_bucket|"), func(v map[string]any) {
		data := v["data"].(map[string]any)
		data["result"] = slices.DeleteFunc(data["result"].([]any), func(s any) bool {
			return slices.Contains(names, s.(map[string]any)["metric"].(map[string]any)["__name__"].(string))
		})
	})
	return answer{server: "prometheus", match: "count by (__name__) ({__name__=~\"gen_ai_client_operation_duration_seconds_bucket|", body: body}
}

// targets is the recorded targets answer, each target changed.
func targets(t *testing.T, r Recording, change func(target map[string]any) bool) answer {
	body := edit(t, recorded(t, r, "prometheus", "GET /api/v1/targets"), func(v map[string]any) {
		data := v["data"].(map[string]any)
		data["activeTargets"] = slices.DeleteFunc(data["activeTargets"].([]any), func(a any) bool { return !change(a.(map[string]any)) })
	})
	return answer{server: "prometheus", match: "GET /api/v1/targets", body: body}
}

func job(target map[string]any) string { return target["labels"].(map[string]any)["job"].(string) }

// rules is the recorded rules answer, changed.
func rules(t *testing.T, r Recording, change func(groups []any) []any) answer {
	body := edit(t, recorded(t, r, "prometheus", "GET /api/v1/rules"), func(v map[string]any) {
		data := v["data"].(map[string]any)
		data["groups"] = change(data["groups"].([]any))
	})
	return answer{server: "prometheus", match: "GET /api/v1/rules", body: body}
}

const (
	gatewaySel = `pod=~"otel-collector-[`
	samplerSel = `pod=~"otel-collector-sampler-[`
)

// finding is a check a case must add to the healthy diagnosis, with its
// summary and, when set, text its evidence must hold.
type finding struct{ id, summary, evidence string }

// harnessProblems are what the healthy recording holds: the two links the
// harness leaves broken (e2e/doctor_test.go).
var harnessProblems = []string{"rules/notifications: email", "traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb"}

// TestFindings replays the healthy recording with answers changed, as the
// servers give them when one link of the stack breaks, and requires exactly
// the healthy diagnosis (less what the break hides) plus the case's
// findings.
func TestFindings(t *testing.T) {
	healthy := loadRecording(t, "healthy")
	gw := `job="otel-collector", namespace="monitoring", ` + gatewaySel
	sp := `job="otel-collector", namespace="monitoring", ` + samplerSel
	amMetrics := func(r Recording, change func(string) string) answer {
		return answer{server: "alertmanager", match: "GET /metrics", body: change(recorded(t, r, "alertmanager", "GET /metrics"))}
	}
	tests := []struct {
		name    string
		servers []string
		plan    func(p *Plan)
		answers func(r Recording) []answer
		hidden  []string // healthy problems the break hides
		want    []finding
	}{
		// A counter of events (an attribution conflict, a policy violation)
		// has no series until the first event: no problem while the
		// gateway's other derived series arrive.
		{"an event counter before its first event", allServers, func(p *Plan) {
			for i := range p.Needs {
				if p.Needs[i].Series == "genops_policy_violations_total" {
					p.Needs[i].OnEvent = true
				}
			}
		}, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "genops_policy_violations_total")}
		}, nil, nil},
		{"no scrape target", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "genops_cost_usd_total"), targets(t, r, func(a map[string]any) bool { return job(a) != "genops-otel-metrics" })}
		}, nil, []finding{
			{"metrics/series-present", "1 of 17 series the rules and panels select have none: genops_cost_usd_total (the checks below say where each chain breaks)", ""},
			{"metrics/series-source: genops_cost_usd_total", "Prometheus has no target of job genops-otel-metrics: ServiceMonitor monitoring/genops-otel-metrics is missing, not selected (label release=monitoring) or selects no running pod", "job genops-otel-metrics: no active target"},
		}},
		{"scrape target down", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "genops_cost_usd_total"), targets(t, r, func(a map[string]any) bool {
				if job(a) == "genops-otel-metrics" {
					a["health"], a["lastError"] = "down", "Get \"http://10.0.3.7:8889/metrics\": dial tcp 10.0.3.7:8889: connect: connection refused"
				}
				return true
			})}
		}, nil, []finding{
			{"metrics/series-present", "1 of 17 series the rules and panels select have none: genops_cost_usd_total (the checks below say where each chain breaks)", ""},
			{"metrics/series-source: genops_cost_usd_total", "every target of job genops-otel-metrics is down", "down (Get \"http://10.0.3.7:8889/metrics\": dial tcp 10.0.3.7:8889: connect: connection refused)"},
		}},
		{"spans without what a metric is derived from", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "genops_budget_utilization_percent"), targets(t, r, func(map[string]any) bool { return true })}
		}, nil, []finding{
			{"metrics/series-present", "1 of 17 series the rules and panels select have none: genops_budget_utilization_percent (the checks below say where each chain breaks)", ""},
			{"metrics/series-source: genops_budget_utilization_percent", "the target is up and the gateway receives spans, but none of them carries what genops_budget_utilization_percent is derived from: genops.budget.utilization_percent", ""},
		}},
		{"a GenAI metric missing beside its alternative", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "gen_ai_client_token_usage_sum")}
		}, nil, nil},
		{"no GenAI instrumentation and no token counts", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "gen_ai_client_token_usage_sum", "genops_tokens_total"), targets(t, r, func(map[string]any) bool { return true }),
				{server: "prometheus", match: "otelcol_receiver_accepted_metric_points_total{" + gw, body: vector(sample("0"))}}
		}, nil, []finding{
			{"metrics/series-present", "2 of 17 series the rules and panels select have none: gen_ai_client_token_usage_sum, genops_tokens_total (the checks below say where each chain breaks)", ""},
			{"metrics/series-source: gen_ai_client_token_usage_sum", "the gateway received no metric points in the last 15s: no GenAI instrumentation (OTel GenAI semantic conventions, pushed by OpenLIT, OpenLLMetry, the OTel GenAI instrumentations and LiteLLM's OTel callback) pushes metrics to it", ""},
			{"metrics/series-source: genops_tokens_total", "the target is up and the gateway receives spans, but none of them carries what genops_tokens_total is derived from: genops.tokens.input (or genops.tokens_input); genops.tokens.output (or genops.tokens_output)", ""},
		}},
		{"a recording rule with no result", allServers, nil, func(r Recording) []answer {
			return []answer{withoutSeries(t, r, "genops:cost:team_month_forecast")}
		}, nil, []finding{
			{"metrics/series-present", "1 of 17 series the rules and panels select have none: genops:cost:team_month_forecast (the checks below say where each chain breaks)", ""},
			{"metrics/series-source: genops:cost:team_month_forecast", "recording rule genops:cost:team_month_forecast evaluates without error, and its inputs genops_cost_usd_total have series, but its expression selects nothing", ""},
		}},
		{"the gateway's telemetry not scraped", allServers, nil, func(r Recording) []answer {
			return []answer{
				{server: "prometheus", match: "otelcol_receiver_accepted_spans_total{" + gw, body: vector()},
				{server: "prometheus", match: "up{" + gw, body: vector()},
			}
		}, nil, []finding{
			{"metrics/gateway-receives-spans: otel-collector", "Prometheus has no scrape of the gateway's own telemetry (job otel-collector, PodMonitor monitoring/otel-collector); read directly, the gateway has accepted 2382 spans since it started (96.072s ago)", "2382 accepted, 0 refused, up 96.072s"},
			{"traces/gateway-receives-spans: otel-collector", "Prometheus has no scrape of the gateway's own telemetry (job otel-collector, PodMonitor monitoring/otel-collector); read directly, the gateway has accepted 2382 spans since it started (96.072s ago)", ""},
		}},
		{"the gateway's telemetry not scraped, nor given", []string{"prometheus", "alertmanager"}, nil, func(r Recording) []answer {
			return []answer{
				{server: "prometheus", match: "otelcol_receiver_accepted_spans_total{" + gw, body: vector()},
				{server: "prometheus", match: "up{" + gw, body: vector()},
			}
		}, []string{"traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb"}, []finding{
			{"metrics/gateway-receives-spans: otel-collector", "Prometheus has no scrape of the gateway's own telemetry (job otel-collector, PodMonitor monitoring/otel-collector): what the gateway receives is not known", ""},
			{"traces/gateway-receives-spans: otel-collector", "Prometheus has no scrape of the gateway's own telemetry (job otel-collector, PodMonitor monitoring/otel-collector): what the gateway receives is not known", ""},
		}},
		{"the gateway refuses spans", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "otelcol_receiver_refused_spans_total{" + gw, body: vector(sample("420"))}}
		}, nil, []finding{
			{"metrics/gateway-receives-spans: otel-collector", "the gateway refused 420 spans in the last 15s (and accepted 29): its memory_limiter refuses data when the gateway nears its memory limit", ""},
			{"traces/gateway-receives-spans: otel-collector", "the gateway refused 420 spans in the last 15s (and accepted 29): its memory_limiter refuses data when the gateway nears its memory limit", ""},
		}},
		{"a rule group not loaded", allServers, nil, func(r Recording) []answer {
			return []answer{rules(t, r, func(gs []any) []any {
				return slices.DeleteFunc(gs, func(g any) bool { return g.(map[string]any)["name"] == "genops-policy-alerts" })
			})}
		}, nil, []finding{{"rules/rule-groups-loaded: genops-policy-alerts", "Prometheus has not loaded 1 of the 6 rendered rule groups", ""}}},
		{"a rule that fails", allServers, nil, func(r Recording) []answer {
			return []answer{rules(t, r, func(gs []any) []any {
				for _, g := range gs {
					for _, rule := range g.(map[string]any)["rules"].([]any) {
						if rm := rule.(map[string]any); rm["name"] == "HighErrorRate" {
							rm["health"], rm["lastError"] = "err", "found duplicate series for the match group {provider=\"openai\"} on the right hand-side of the operation"
						}
					}
				}
				return gs
			})}
		}, nil, []finding{{"rules/rule-health: alert HighErrorRate in group genops-performance-alerts",
			"fails to evaluate: found duplicate series for the match group {provider=\"openai\"} on the right hand-side of the operation", ""}}},
		{"no Alertmanager", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "GET /api/v1/alertmanagers", body: `{"status":"success","data":{"activeAlertmanagers":[],"droppedAlertmanagers":[]}}`}}
		}, nil, []finding{{"rules/alertmanager-discovered", "Prometheus sends its alerts to no Alertmanager: every alert stays in Prometheus", ""}}},
		{"an alert only the default receiver gets", allServers, nil, func(r Recording) []answer {
			var as []map[string]any
			if err := json.Unmarshal([]byte(recorded(t, r, "alertmanager", "GET /api/v2/alerts")), &as); err != nil {
				t.Fatal(err)
			}
			as[0]["receivers"] = []map[string]string{{"name": "default"}}
			b, _ := json.Marshal(as)
			return []answer{{server: "alertmanager", match: "GET /api/v2/alerts", body: string(b)}}
		}, nil, []finding{{"rules/alert-routes: BudgetThreshold95Percent{budget=\"ml-platform-monthly\", team=\"ml-platform\"}", "fires and reaches only the default receiver default: nobody who owns it is told", ""}}},
		{"an alert the rendered routing sends only to the default receiver", []string{"prometheus", "collector"}, nil, func(r Recording) []answer {
			return []answer{
				{server: "prometheus", match: "GET /api/v1/alerts", body: edit(t, recorded(t, r, "prometheus", "GET /api/v1/alerts"), func(v map[string]any) {
					data := v["data"].(map[string]any)
					data["alerts"] = append(data["alerts"].([]any), map[string]any{"labels": map[string]any{"alertname": "GenOpsUnrouted", "severity": "warning", "category": "misc"},
						"annotations": map[string]any{}, "state": "firing", "activeAt": "2026-12-01T21:38:00Z", "value": "1e+00"})
				})},
				{server: "prometheus", match: "alertmanager_notification_requests_failed_total", body: vector()},
			}
		}, []string{"rules/notifications: email"}, []finding{{"rules/alert-routes: GenOpsUnrouted{}", "fires and the rendered routing sends it only to the default receiver default: nobody who owns it is told", "routed through alertmanager/production/alertmanager.yaml: [default]"}}},
		{"Alertmanager runs another configuration", allServers, nil, func(r Recording) []answer {
			body := edit(t, recorded(t, r, "alertmanager", "GET /api/v2/status"), func(v map[string]any) {
				cfg := v["config"].(map[string]any)
				cfg["original"] = strings.Replace(cfg["original"].(string), "receiver: policy-violations", "receiver: performance-alerts", 1)
			})
			return []answer{{server: "alertmanager", match: "GET /api/v2/status", body: body}}
		}, nil, []finding{{"rules/alertmanager-config", "Alertmanager runs a configuration that differs from the rendered alertmanager/production/alertmanager.yaml in 1 place(s)",
			`route.routes[2].receiver: rendered "policy-violations", running "performance-alerts"`}}},
		{"a receiver failing, named in Alertmanager's metrics", allServers, nil, func(r Recording) []answer {
			return []answer{amMetrics(r, func(b string) string {
				return strings.Replace(b, `alertmanager_notification_requests_failed_total{integration="slack"} 0`, `alertmanager_notification_requests_failed_total{integration="slack",receiver_name="team-research"} 3`, 1)
			})}
		}, nil, []finding{{"rules/notifications: slack/team-research", "3 attempts to notify through slack failed since Alertmanager started at 2026-12-01T21:53:21Z (receiver team-research)", ""}}},
		{"the sampling tier receives nothing", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "otelcol_receiver_accepted_spans_total{" + sp, body: vector(sample("0"))}}
		}, []string{"traces/exporter-sends: otel-collector-sampler otlp_grpc/honeycomb"}, []finding{
			{"traces/tier-receives-spans: otel-collector-sampler", "otel-collector-sampler received no spans in the last 15s, while the gateway did", ""}}},
		{"the sampler drops everything", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "sum by (sampled) (increase(otelcol_processor_tail_sampling_global_count_traces_sampled_total{" + sp, body: vector(sample("5000", "sampled", "false"), sample("0", "sampled", "true"))}}
		}, nil, []finding{{"traces/sampler-decisions: otel-collector-sampler", "the tail sampler dropped every one of the 5000 traces it decided on in the last 15s, which its probabilistic share of 1% alone rules out", ""}}},
		{"the sampler decides nothing", allServers, nil, func(r Recording) []answer {
			return []answer{
				{server: "prometheus", match: "sum by (sampled) (increase(otelcol_processor_tail_sampling_global_count_traces_sampled_total{" + sp, body: vector(sample("0", "sampled", "false"), sample("0", "sampled", "true"))},
				{server: "prometheus", match: "new_trace_id_received_total{" + sp, body: vector(sample("300"))},
			}
		}, nil, []finding{{"traces/sampler-decisions: otel-collector-sampler", "the tail sampler decided on no trace in the last 15s, although 300 new traces arrived decision_wait (10s) before", ""}}},
		{"the sampler drops traces before deciding", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "dropped_too_early_total{" + sp, body: vector(sample("40"))}}
		}, nil, []finding{{"traces/sampler-capacity: otel-collector-sampler", "the tail sampler dropped 40 traces before deciding on them: more traces arrive within decision_wait than num_traces holds", ""}}},
		{"a sampling policy that fails", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "policy_evaluation_error_total{" + sp, body: vector(sample("3"))}}
		}, nil, []finding{{"traces/sampler-policies: otel-collector-sampler", "3 sampling policy evaluations failed in the last 15s", ""}}},
		{"another sampling share in force", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: `policy="probabilistic-policy"}[15s]`, body: vector(sample("4500", "sampled", "false"), sample("500", "sampled", "true"))}}
		}, nil, []finding{{"traces/tail-sampling-share: otel-collector-sampler", "policy probabilistic-policy kept 500 of 5000 traces (10%) in the last 15s: the environment's setting is 1%, which that count rules out", ""}}},
		{"a head sampler's share", allServers, func(p *Plan) { p.Tiers[0].HeadSampling, p.Env.Sampling.HeadPercent = true, 25 }, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "probabilistic_sampler_count_traces_sampled_total{" + gw, body: vector(sample("900", "sampled", "false"), sample("100", "sampled", "true"))}}
		}, nil, []finding{{"traces/head-sampling-share: otel-collector", "the gateway's probabilistic sampler kept 100 of 1000 traces (10%) in the last 15s: the environment's setting is 25%, which that count rules out", ""}}},
		{"an exporter failing", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "send_failed_spans_total{" + gw, body: vector(sample("120", "exporter", "otlp_grpc/sampler"))}}
		}, nil, []finding{{"traces/exporter-sends: otel-collector otlp_grpc/sampler", "otlp_grpc/sampler failed to send 120 spans in the last 15s, after its retries", ""}}},
		{"an exporter's queue filling", allServers, nil, func(r Recording) []answer {
			return []answer{{server: "prometheus", match: "otelcol_exporter_queue_size{" + gw, body: vector(sample("0.92", "exporter", "otlp_grpc/sampler"))}}
		}, nil, []finding{{"traces/exporter-sends: otel-collector otlp_grpc/sampler", "otlp_grpc/sampler's sending queue reached 92% of its capacity in the last 15s: the destination is slower than the traffic, and a full queue drops spans", ""}}},
		{"the harness's broken links mended", allServers, nil, func(r Recording) []answer {
			return []answer{
				amMetrics(r, func(b string) string {
					return regexp.MustCompile(`(alertmanager_notification(s|_requests)_failed_total\{integration="email"[^}]*\}) \d+`).ReplaceAllString(b, "$1 0")
				}),
				{server: "prometheus", match: "otelcol_exporter_sent_spans_total{" + sp, body: vector(sample("53", "exporter", "otlp_grpc/traces"), sample("53", "exporter", "otlp_grpc/honeycomb"))},
			}
		}, harnessProblems, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadRecording(t, "healthy")
			if tt.plan != nil {
				tt.plan(r.Plan)
			}
			rep := run(t, r, tt.servers, tt.answers(healthy)...)
			want := map[string]finding{}
			for _, id := range harnessProblems {
				if !slices.Contains(tt.hidden, id) {
					want[id] = finding{id: id}
				}
			}
			for _, f := range tt.want {
				want[f.id] = f
			}
			got := map[string]Check{}
			for _, s := range rep.Sections {
				for _, c := range s.Checks {
					if c.Status == Problem {
						got[ID(s.Key, c)] = c
					}
				}
			}
			for id, f := range want {
				c, ok := got[id]
				switch {
				case !ok:
					t.Errorf("no problem %s", id)
				case f.summary != "" && c.Summary != f.summary:
					t.Errorf("%s:\n  %s\nwant\n  %s", id, c.Summary, f.summary)
				case f.evidence != "" && !slices.ContainsFunc(c.Evidence, func(e Evidence) bool { return strings.Contains(e.Result, f.evidence) }):
					t.Errorf("%s: no evidence holds %q: %+v", id, f.evidence, c.Evidence)
				}
				if ok && c.Next == "" {
					t.Errorf("%s: no next step", id)
				}
			}
			for id, c := range got {
				if _, ok := want[id]; !ok {
					t.Errorf("unexpected problem %s: %s", id, c.Summary)
				}
			}
		})
	}
}

// TestServerErrors: a server that does not answer as the one named is an
// error naming it, which the CLI prints on one line with exit status 2.
func TestServerErrors(t *testing.T) {
	healthy := loadRecording(t, "healthy")
	tests := []struct {
		name    string
		answers []answer
		want    string // with URL for the server's URL
	}{
		{"an Alertmanager without a version", []answer{{server: "alertmanager", match: "GET /api/v2/status", body: `{"config":{"original":"route: {}"},"versionInfo":{}}`}},
			"alertmanager at URL: not an Alertmanager v2 API answer: /api/v2/status has no config or version"},
		{"an Alertmanager that is not one", []answer{{server: "alertmanager", match: "GET /api/v2/status", status: http.StatusNotFound, body: "404 page not found"}},
			"alertmanager at URL/api/v2/status: answers 404 Not Found"},
		{"telemetry that is not a Collector's", []answer{{server: "collector", match: "GET /metrics", body: "up 1\n"}},
			"collector at URL/metrics: not a Collector's own telemetry: it serves no otelcol_ metric"},
		{"a query Prometheus refuses", []answer{{server: "prometheus", match: "count by (__name__)", status: http.StatusServiceUnavailable,
			body: `{"status":"error","errorType":"unavailable","error":"too many queries"}`}},
			"prometheus at URL: query count by (__name__) ({__name__=~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp := newReplay(t, healthy, tt.answers...)
			srv := rp.servers(allServers...)
			_, err := Run(context.Background(), healthy.Plan, srv)
			var se *ServerError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a ServerError", err)
			}
			base := map[string]string{"prometheus": srv.Prometheus, "alertmanager": srv.Alertmanager, "collector": strings.TrimSuffix(srv.CollectorMetrics, "/metrics")}[se.Server]
			if got := strings.ReplaceAll(err.Error(), base, "URL"); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error %s\nwant  %s...", got, tt.want)
			}
		})
	}
}
