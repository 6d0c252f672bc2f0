package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/stack"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func generated(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI(t, "generate", "--out", dir, "--otelcol-check="); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	return dir
}

func TestGenerateThenCheckIsClean(t *testing.T) {
	dir := generated(t)
	code, stdout, stderr := runCLI(t, "check", "--out", dir, "--otelcol-check=")
	if code != exitOK || !strings.Contains(stdout, "up to date") {
		t.Fatalf("check after generate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "generate", "--out", dir, "--otelcol-check=")
	if code != exitOK || !strings.HasSuffix(stdout, " written, 0 changed, 0 removed\n") {
		t.Errorf("second generate: exit %d, %q", code, stdout)
	}
}

func TestCheckReportsDrift(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  []string
	}{
		{"changed file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "otel/production/collector.yaml")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(data, []byte("limit_percentage: 80"), []byte("limit_percentage: 90"), 1), 0o644)
		}, []string{"--- a/otel/production/collector.yaml\n+++ b/otel/production/collector.yaml\n", "-    limit_percentage: 90\n+    limit_percentage: 80\n", "drift: 1 changed, 0 missing, 0 unexpected"}},
		{"missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "otel/staging/collector.yaml"))
		}, []string{"missing files (generated, not on disk):\n  otel/staging/collector.yaml\n", "drift: 0 changed, 1 missing, 0 unexpected"}},
		{"unexpected file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "otel/staging/old.yaml"), []byte("x"), 0o644)
		}, []string{"unexpected files (on disk, no longer generated):\n  otel/staging/old.yaml\n", "drift: 0 changed, 0 missing, 1 unexpected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := generated(t)
			tt.spoil(t, dir)
			code, stdout, stderr := runCLI(t, "check", "--out", dir, "--otelcol-check=")
			if code != exitFindings {
				t.Errorf("exit %d, want %d", code, exitFindings)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("report lacks %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, "is out of date: run 'make generate'") {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}
}

// TestBadInputLeavesOutUntouched: findings exit 1 and write nothing.
func TestBadInputLeavesOutUntouched(t *testing.T) {
	dir := generated(t)
	before, err := writer.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	definition = func() stack.Definition {
		d := stack.Default()
		production(func(e *stack.Environment) { e.Collector.Gateway.Resources.MemoryLimit = resource.Quantity{} })(&d)
		return d
	}
	defer func() { definition = stack.Default }()
	code, stdout, stderr := runCLI(t, "generate", "--out", dir, "--otelcol-check=")
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	// The error, and the warning of the declared posture exception of
	// every stack that runs the node agent.
	want := inStacks(stacks(filelogAgent), "DaemonSet monitoring/otel-collector-agent: container otel-collector: breaks run-as-non-root by declared exception: runs as root to read /var/log/pods, whose files the kubelet makes readable by root only")
	for i := range want {
		want[i] = "warning: " + want[i]
	}
	want = append(want, "environment production: Deployment monitoring/otel-collector: container otel-collector: has no memory limit")
	sort.Strings(want)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	got := lines[:len(lines)-1]
	sort.Strings(got)
	if !slices.Equal(got, want) || last != "1 error(s): nothing written" || stdout != "" {
		t.Errorf("stdout %q\nstderr %s\nwant, in some order:\n%s\n1 error(s): nothing written", stdout, stderr, strings.Join(want, "\n"))
	}
	after, _ := writer.ReadTree(dir)
	if !reflect.DeepEqual(before, after) {
		t.Error("out/ changed despite errors")
	}
	if code, _, _ := runCLI(t, "validate", "--otelcol-check="); code != exitFindings {
		t.Errorf("validate: exit %d, want %d", code, exitFindings)
	}
}

func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{nil, exitUsage, "Usage:"},
		{[]string{"--help"}, exitOK, "Commands:"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"generate", "--help"}, exitOK, "Usage: genops-stack generate [--out DIR]"},
		{[]string{"check", "--help"}, exitOK, "Usage: genops-stack check [--out DIR]"},
		{[]string{"validate", "--help"}, exitOK, "Usage: genops-stack validate"},
		{[]string{"generate", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"validate", "extra"}, exitUsage, "unexpected arguments: extra"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		text := stderr
		if code == exitOK {
			text = stdout
		}
		if code != tt.code || !strings.Contains(text, tt.out) {
			t.Errorf("%v: exit %d, want %d; output lacks %q:\n%s%s", tt.args, code, tt.code, tt.out, stdout, stderr)
		}
	}
}

func TestGenerateIOErrorExits2(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("x"), 0o644)
	code, _, stderr := runCLI(t, "generate", "--out", dir, "--otelcol-check=")
	if code != exitUsage || !strings.Contains(stderr, "refusing to replace it") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestUserPolicyFailsCheck: a .cue file dropped into a policy folder makes
// check fail with a finding naming the file, the object and the CUE path.
func TestUserPolicyFailsCheck(t *testing.T) {
	dir := generated(t)
	pol := t.TempDir()
	rule := "package genops\n\n// Containers state their user themselves, not only through the pod.\ncontainer: securityContext: runAsUser: >=1000\n"
	if err := os.WriteFile(filepath.Join(pol, "nonroot.cue"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "check", "--out", dir, "--otelcol-check=", "--policy", pol)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	want := "kubernetes/base/otel-collector.yaml: Deployment monitoring/otel-collector: container otel-collector: policy securityContext.runAsUser: is required (>=1000)\n"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if code, _, stderr := runCLI(t, "check", "--out", dir, "--otelcol-check=", "--policy", t.TempDir()); code != exitFindings || !strings.Contains(stderr, "holds no .cue files") {
		t.Errorf("empty policy dir: exit %d, %s", code, stderr)
	}
}
