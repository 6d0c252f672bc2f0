package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/promlint"
)

const seedDir = "../../internal/promlint/testdata/seed"

// TestLintSeed: the seed's own rules and dashboards, linted as the stack's
// own (--profile genops), exit 1, one finding a line naming each defective
// rule and panel, and a summary line per file.
func TestLintSeed(t *testing.T) {
	code, stdout, stderr := runCLI(t, "lint", "--profile", "genops", seedDir)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	// The seed queries metrics its own exporter cannot send (GenOps AI sends
	// spans; the gateway derives genops_cost_usd_total, not the seed's
	// gauge) and labels the derived metrics do not carry; its alerts have
	// no runbook_url.
	for _, want := range []string{
		seedDir + "/genops-alerts.yaml:6: error: alert-runbook: alert BudgetThreshold80Percent: has no runbook_url annotation: on-call follows it from the notification",
		seedDir + "/genops-alerts.yaml:40: error: unknown-metric: alert CostAnomaly: unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?) [source: the metric catalog]",
		seedDir + "/genops-alerts.yaml:58: error: template-label: alert PolicyViolationsDetected: annotation summary uses $labels.policy_type, which the expression's result never carries",
		seedDir + "/genops-cost-tracking.json:13: error: unknown-metric: dashboard \"GenOps AI - Cost Tracking\" panel \"Total Cost (Last 24h)\": ",
		seedDir + "/genops-cost-tracking.json:74: error: unknown-metric: dashboard \"GenOps AI - Cost Tracking\" panel \"Cost by Model\": unknown metric genops_cost_by_model_usd",
		seedDir + "/genops-policy-compliance.json:33: error: unknown-label: dashboard \"GenOps AI - Policy Compliance\" panel \"Violations by Policy Type\": sum by (policy_type): ",
		seedDir + "/genops-policy-compliance.json:43: error: counter-without-rate: dashboard \"GenOps AI - Policy Compliance\" panel \"Policy Enforcement Actions\": sum by (action) (genops_policy_enforcements_total): ",
		seedDir + "/genops-policy-compliance.json:43: error: unknown-label: dashboard \"GenOps AI - Policy Compliance\" panel \"Policy Enforcement Actions\": sum by (action): ",
	} {
		if !strings.Contains(stdout, "\n"+want) && !strings.HasPrefix(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 23 {
		t.Errorf("%d findings, want 23:\n%s", n, stdout)
	}
	want := seedDir + "/genops-ai-performance.json: 0 error(s), 0 warning(s), 0 note(s)\n" +
		seedDir + "/genops-alerts.yaml: 15 error(s), 0 warning(s), 0 note(s)\n" +
		seedDir + "/genops-cost-tracking.json: 5 error(s), 0 warning(s), 0 note(s)\n" +
		seedDir + "/genops-policy-compliance.json: 3 error(s), 0 warning(s), 0 note(s)\n" +
		"4 file(s): 23 error(s), 0 warning(s), 0 note(s)\n"
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// TestLintGeneric: the same files as anybody's (the default outside out/):
// no house rules, the catalog's labels are not all a series has, and a
// metric known to no source is a note; what is left are the defects.
func TestLintGeneric(t *testing.T) {
	code, stdout, stderr := runCLI(t, "lint", seedDir)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	want := seedDir + "/genops-alerts.yaml: note: unknown-metric: 1 metric(s) not in the metric catalog or the OTel GenAI semantic conventions, checked by naming conventions only (give --metrics a scrape of your targets, or Prometheus' /api/v1/metadata and /api/v1/series, for exact checks): genops_cost_total_usd [source: naming conventions]\n" +
		seedDir + "/genops-alerts.yaml:40: warning: rate-over-non-counter: alert CostAnomaly: rate(genops_cost_total_usd[1h]): genops_cost_total_usd has no counter suffix (_total, _count, _sum, _bucket): if it is a gauge, rate() reads every decrease as a reset (use delta() or deriv()); if it is a counter, its series is probably genops_cost_total_usd_total (client libraries add _total) [source: naming convention: counters end in _total]\n"
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("output:\n%s\nwant it to start with:\n%s", stdout, want)
	}
	if !strings.HasSuffix(stderr, "4 file(s): 1 error(s), 3 warning(s), 2 note(s)\n") {
		t.Errorf("stderr %q", stderr)
	}
}

// TestLintOwnOutput: the committed out/ (rule files, PrometheusRules,
// runbooks, dashboards) passes the lint; the other YAML files are skipped.
func TestLintOwnOutput(t *testing.T) {
	code, stdout, stderr := runCLI(t, "lint", "../../out")
	if code != exitOK || stdout != "" || !strings.HasSuffix(stderr, " file(s): 0 error(s), 0 warning(s), 0 note(s)\n") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestLintJSON(t *testing.T) {
	code, stdout, _ := runCLI(t, "lint", "--format", "json", "--profile", "genops", seedDir+"/genops-policy-compliance.json")
	if code != exitFindings {
		t.Errorf("exit %d", code)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d findings: %s", len(got), stdout)
	}
	want := map[string]any{"file": seedDir + "/genops-policy-compliance.json", "line": 33.0, "severity": "error",
		"check": "unknown-label", "object": `dashboard "GenOps AI - Policy Compliance" panel "Violations by Policy Type"`,
		"message": "sum by (policy_type): genops_policy_violations_total has no label policy_type (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)",
		"source":  "the metric catalog"}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s: %v, want %v", k, got[0][k], v)
		}
	}
	code, stdout, _ = runCLI(t, "lint", "--format=json", seedDir+"/genops-ai-performance.json")
	if code != exitOK || stdout != "[]\n" {
		t.Errorf("clean file: exit %d, %q", code, stdout)
	}
}

func TestLintUsage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rules.txt"), []byte("x"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"lint"}, exitUsage, "no PATH to lint"},
		{[]string{"lint", "--format", "xml", "x"}, exitUsage, `--format must be text or json, not "xml"`},
		{[]string{"lint", filepath.Join(dir, "missing.yaml")}, exitUsage, "no such file or directory"},
		{[]string{"lint", filepath.Join(dir, "rules.txt")}, exitFindings, "rules.txt: error: file: not a rule file (.yaml, .yml), dashboard (.json) or runbook (.md)"},
		{[]string{"lint", "--profile", "mine", "x"}, exitUsage, `--profile must be auto, generic or genops, not "mine"`},
		{[]string{"lint", "--metrics", filepath.Join(dir, "rules.txt"), "x"}, exitUsage, "--metrics: " + filepath.ToSlash(filepath.Join(dir, "rules.txt")) + ": not a Prometheus or OpenMetrics exposition: "},
		{[]string{"lint", "--help"}, exitOK, "Usage: genops-stack lint [--format text|json] [--profile auto|generic|genops] [--metrics FILE]... PATH..."},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.out) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s%s", tt.args, code, tt.code, tt.out, stdout, stderr)
		}
	}
}

// lintLine is the documented text form.
func TestLintLine(t *testing.T) {
	f := finding.Finding{Artifact: "a.yaml", Line: 3, Severity: finding.Warning, Check: "c", Object: "alert X", Message: "m"}
	if got := lintLine(f); got != "a.yaml:3: warning: c: alert X: m" {
		t.Error(got)
	}
	f.Source = "the metric catalog"
	if got := lintLine(f); got != "a.yaml:3: warning: c: alert X: m [source: the metric catalog]" {
		t.Error(got)
	}
	f.Source = ""
	f.Line, f.Object = 0, ""
	if got := lintLine(f); got != "a.yaml: warning: c: m" {
		t.Error(got)
	}
}

// TestLintProfile: auto makes files under a directory named out the
// stack's own; the flag decides otherwise.
func TestLintProfile(t *testing.T) {
	for _, tt := range []struct {
		flag, path string
		want       promlint.Profile
	}{
		{"auto", "out/prometheus/rules/genops-cost-alerts.yaml", promlint.ProfileGenOps},
		{"auto", "../../out/grafana/dashboards/genops-cost.json", promlint.ProfileGenOps},
		{"auto", "dashboards/out.json", promlint.ProfileGeneric},
		{"auto", "team/dashboards/gateway.json", promlint.ProfileGeneric},
		{"genops", "team/dashboards/gateway.json", promlint.ProfileGenOps},
		{"generic", "out/prometheus/rules/genops-cost-alerts.yaml", promlint.ProfileGeneric},
	} {
		if got := lintProfile(tt.flag, tt.path); got != tt.want {
			t.Errorf("--profile %s %s: %v, want %v", tt.flag, tt.path, got, tt.want)
		}
	}
}
