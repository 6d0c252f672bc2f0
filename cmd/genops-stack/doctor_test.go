package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/stack"
)

// settingsOf builds every environment and returns its doctor settings.
func settingsOf(t *testing.T) []doctor.Settings {
	t.Helper()
	def := stack.Default()
	var out []doctor.Settings
	for _, e := range def.Environments {
		s, err := pipeline.BuildWith(def.Content, e)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := pipeline.DoctorSettings(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ds)
	}
	return out
}

func TestDoctorSettings(t *testing.T) {
	all := settingsOf(t)
	byName := map[string]doctor.Settings{}
	for _, s := range all {
		byName[s.Name] = s
	}
	prod := byName["production"]
	if prod.Prometheus.Service != "kube-prometheus-stack-prometheus" || prod.Prometheus.Port != 9090 ||
		prod.Alertmanager.Pod != "alertmanager-kube-prometheus-stack-alertmanager-0" || prod.TraceBackend.Service != "tempo" {
		t.Errorf("production servers: %+v %+v %+v", prod.Prometheus, prod.Alertmanager, prod.TraceBackend)
	}
	if prod.Sampling != (doctor.Sampling{TailPercent: 1, TailPolicy: "probabilistic-policy"}) || byName["staging"].Sampling.TailPercent != 10 ||
		byName["development"].Sampling != (doctor.Sampling{}) {
		t.Errorf("sampling: production %+v, staging %+v, development %+v", prod.Sampling, byName["staging"].Sampling, byName["development"].Sampling)
	}
	var jobs []string
	for _, j := range prod.Jobs {
		jobs = append(jobs, j.Name+" "+j.Monitor)
		if j.Name == "genops-pods" && !j.RemoteWrite {
			t.Error("production's cluster collector scrapes genops-pods: its series are remote-written")
		}
	}
	slices.Sort(jobs)
	want := []string{
		"genops-otel-metrics ServiceMonitor monitoring/genops-otel-metrics",
		"genops-pods the prometheus receiver of otel-collector-cluster",
		"kube-state-metrics ServiceMonitor monitoring/kube-prometheus-stack-kube-state-metrics",
		"kubelet ServiceMonitor monitoring/kube-prometheus-stack-kubelet",
		"otel-collector PodMonitor monitoring/otel-collector",
	}
	if !slices.Equal(jobs, want) {
		t.Errorf("production jobs:\n  %s\nwant\n  %s", strings.Join(jobs, "\n  "), strings.Join(want, "\n  "))
	}
	for _, j := range byName["development"].Jobs {
		if j.Name == "genops-pods" && (j.RemoteWrite || j.Monitor != "PodMonitor monitoring/genops-pods") {
			t.Errorf("development's Prometheus scrapes genops-pods itself: %+v", j)
		}
	}
	// Every environment plans against its own rendered files.
	for _, s := range all {
		if _, err := doctorPlan(s.Name, doctor.DefaultWindow); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// TestTroubleshootingSection: out/README.md has the troubleshooting
// section of every environment, with the environments' own names.
func TestTroubleshootingSection(t *testing.T) {
	want := doctor.Troubleshooting(settingsOf(t))
	res, err := pipeline.Generate(stack.Default(), pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	readme, _ := res.Files.Get("README.md")
	if !strings.Contains(string(readme), want) {
		t.Errorf("out/README.md lacks the troubleshooting section:\n%s", want)
	}
	for _, line := range []string{
		"kubectl -n monitoring port-forward svc/kube-prometheus-stack-prometheus 9090:9090",
		"genops-stack doctor --env staging --prometheus http://localhost:9090 --alertmanager http://localhost:9093 --collector-metrics http://localhost:8888/metrics",
		"kubectl -n genops-system get configmap genops-observability -o yaml",
	} {
		if !strings.Contains(want, line+"\n") && !strings.Contains(want, line+"  #") {
			t.Errorf("the section lacks %q", line)
		}
	}
}

// TestDoctorBadInput: each bad input is one line naming the problem, exit 2.
func TestDoctorBadInput(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Grafana</body></html>"))
	}))
	defer html.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown environment", []string{"--env", "prod", "--prometheus", html.URL},
			`genops-stack doctor: unknown environment "prod" (want ` + strings.Join(envNames(), ", ") + `)`},
		{"no Prometheus", []string{"--env", "production"},
			"genops-stack doctor: --prometheus URL is required (kubectl port-forward makes it reachable: see out/README.md, Troubleshooting)"},
		{"unreachable Prometheus", []string{"--prometheus", closed.URL},
			"genops-stack doctor: prometheus at " + closed.URL + ": cannot reach it: connection refused"},
		{"not a Prometheus", []string{"--prometheus", html.URL},
			"genops-stack doctor: prometheus at " + html.URL + ": not a Prometheus HTTP API answer (GET /api/v1/status/buildinfo): bad_response: invalid character '<' looking for beginning of value"},
		{"unknown format", []string{"--prometheus", html.URL, "--format", "yaml"}, `genops-stack doctor: --format "yaml": want text or json`},
		{"bad window", []string{"--prometheus", html.URL, "--window", "-5m"}, "genops-stack doctor: --window -5m0s: want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"doctor"}, tt.args...)...)
			if code != exitUsage || stdout != "" || stderr != tt.want+"\n" {
				t.Errorf("exit %d, stdout %q\nstderr %q\nwant   %q", code, stdout, stderr, tt.want+"\n")
			}
		})
	}
}

// prometheusWithNothing answers every query of the API with nothing, as a
// Prometheus that scrapes nothing of the stack does.
func prometheusWithNothing() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		data := map[string]string{
			"/api/v1/status/buildinfo": `{"version":"3.16.0"}`,
			"/api/v1/query":            `{"resultType":"vector","result":[]}`,
			"/api/v1/targets":          `{"activeTargets":[],"droppedTargets":[]}`,
			"/api/v1/rules":            `{"groups":[]}`,
			"/api/v1/alertmanagers":    `{"activeAlertmanagers":[],"droppedAlertmanagers":[]}`,
			"/api/v1/alerts":           `{"alerts":[]}`,
		}[r.URL.Path]
		if data == "" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"status":"success","data":` + data + `}`))
	}))
}

// TestDoctorFindsAnEmptyPrometheus runs the CLI against a Prometheus with
// nothing of the stack: exit 1, and the chain broken at the first link.
func TestDoctorFindsAnEmptyPrometheus(t *testing.T) {
	srv := prometheusWithNothing()
	defer srv.Close()
	code, stdout, stderr := runCLI(t, "doctor", "--env", "staging", "--prometheus", srv.URL, "--format", "json")
	if code != exitFindings || stderr != "" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var rep doctor.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--format json: %v\n%s", err, stdout)
	}
	want := []string{
		"metrics/series-present",
		"metrics/gateway-receives-spans: otel-collector",
		"metrics/series-source: container_memory_working_set_bytes, container_spec_memory_limit_bytes",
		"metrics/series-source: gen_ai_client_operation_duration_seconds_bucket, gen_ai_client_operation_duration_seconds_count, gen_ai_client_operation_time_to_first_chunk_seconds_bucket, gen_ai_client_operation_time_to_first_chunk_seconds_count, gen_ai_client_token_usage_sum, gen_ai_server_time_to_first_token_seconds_bucket, genops_attribution_conflicts_total, genops_budget_remaining_usd, genops_budget_utilization_percent, genops_cost_usd_total, genops_eval_quality_score, genops_policy_enforcements_total, genops_policy_violations_total, genops_request_duration_seconds_bucket, genops_request_duration_seconds_count, genops_requests_total, genops_tokens_total",
		"metrics/series-source: genops:calendar:hour",
		"metrics/series-source: genops:calendar:month",
		"metrics/series-source: genops:cost:team_increase1h",
		"metrics/series-source: genops:cost:team_increase24h",
		"metrics/series-source: genops:cost:team_month_forecast",
		"metrics/series-source: genops:cost:team_month_to_date_usd",
		"metrics/series-source: genops:slo_error_budget:remaining_ratio",
		"metrics/series-source: genops:slo_errors:ratio_rate1d",
		"metrics/series-source: genops:slo_errors:ratio_rate1h",
		"metrics/series-source: genops:slo_errors:ratio_rate28d",
		"metrics/series-source: genops:slo_errors:ratio_rate2h",
		"metrics/series-source: genops:slo_errors:ratio_rate30d",
		"metrics/series-source: genops:slo_errors:ratio_rate30m",
		"metrics/series-source: genops:slo_errors:ratio_rate3d",
		"metrics/series-source: genops:slo_errors:ratio_rate5m",
		"metrics/series-source: genops:slo_errors:ratio_rate6h",
		"metrics/series-source: genops:slo_errors:ratio_rate7d",
		"metrics/series-source: genops:slo_objective:ratio",
		"metrics/series-source: genops:slo_window:seconds",
		"metrics/series-source: kube_pod_status_phase",
		"metrics/series-source: up",
		"rules/rule-groups-loaded: genops-cost-alerts, genops-infrastructure-alerts, genops-performance-alerts, genops-policy-alerts, genops-recording-rules, genops-slos, genops-team-budget-alerts, genops-team-budget-thresholds",
		"rules/alertmanager-discovered",
		"traces/gateway-receives-spans: otel-collector",
	}
	if got := rep.ProblemIDs(); !slices.Equal(got, want) {
		t.Errorf("found\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(rep.PortForward) != 3 || rep.PortForward[0] != "kubectl -n monitoring port-forward svc/kube-prometheus-stack-prometheus 9090:9090" {
		t.Errorf("port-forward commands: %q", rep.PortForward)
	}
}

// envNames are the default definition's environments, in order.
func envNames() []string {
	var out []string
	for _, e := range stack.Default().Environments {
		out = append(out, e.Name)
	}
	return out
}
