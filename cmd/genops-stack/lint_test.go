package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/finding"
)

const seedDir = "../../internal/promlint/testdata/seed"

// TestLintSeed: the seed's own rules and dashboards exit 1, one finding a
// line naming each defective rule and panel.
func TestLintSeed(t *testing.T) {
	code, stdout, stderr := runCLI(t, "lint", seedDir)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	// The seed queries metrics its own exporter cannot send (GenOps AI sends
	// spans; the gateway derives genops_cost_usd_total, not the seed's
	// gauge) and labels the derived metrics do not carry.
	for _, want := range []string{
		seedDir + "/genops-alerts.yaml:40: error: unknown-metric: alert CostAnomaly: unknown metric genops_cost_total_usd: it is neither in the metric catalog nor a recording rule (did you mean genops_cost_usd_total?)",
		seedDir + "/genops-alerts.yaml:58: error: template-label: alert PolicyViolationsDetected: annotation summary uses $labels.policy_type, which the expression's result never carries",
		seedDir + "/genops-cost-tracking.json:13: error: unknown-metric: dashboard \"GenOps AI - Cost Tracking\" panel \"Total Cost (Last 24h)\": ",
		seedDir + "/genops-cost-tracking.json:74: error: unknown-metric: dashboard \"GenOps AI - Cost Tracking\" panel \"Cost by Model\": unknown metric genops_cost_by_model_usd",
		seedDir + "/genops-policy-compliance.json:33: error: unknown-label: dashboard \"GenOps AI - Policy Compliance\" panel \"Violations by Policy Type\": sum by (policy_type): ",
		seedDir + "/genops-policy-compliance.json:43: warning: counter-without-rate: dashboard \"GenOps AI - Policy Compliance\" panel \"Policy Enforcement Actions\": ",
		seedDir + "/genops-policy-compliance.json:43: error: unknown-label: dashboard \"GenOps AI - Policy Compliance\" panel \"Policy Enforcement Actions\": sum by (action): ",
	} {
		if !strings.Contains(stdout, "\n"+want) && !strings.HasPrefix(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 11 {
		t.Errorf("%d findings, want 11:\n%s", n, stdout)
	}
	if stderr != "4 file(s): 10 error(s), 1 warning(s)\n" {
		t.Errorf("stderr %q", stderr)
	}
}

// TestLintOwnOutput: the committed out/ (rule files, PrometheusRules,
// runbooks, dashboards) passes the lint; the other YAML files are skipped.
func TestLintOwnOutput(t *testing.T) {
	code, stdout, stderr := runCLI(t, "lint", "../../out")
	if code != exitOK || stdout != "" || !strings.HasSuffix(stderr, " file(s): 0 error(s), 0 warning(s)\n") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestLintJSON(t *testing.T) {
	code, stdout, _ := runCLI(t, "lint", "--format", "json", seedDir+"/genops-policy-compliance.json")
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
		"message": "sum by (policy_type): genops_policy_violations_total has no label policy_type (it has: cluster, exported_instance, exported_job, instance, job, namespace, otel_scope_name, otel_scope_schema_url, otel_scope_version, pod, policy, result, team)"}
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
		{[]string{"lint", "--help"}, exitOK, "Usage: genops-stack lint [--format text|json] PATH..."},
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
	f.Line, f.Object = 0, ""
	if got := lintLine(f); got != "a.yaml: warning: c: m" {
		t.Error(got)
	}
}
