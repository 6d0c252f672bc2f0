// Package testutil finds the repository and runs the pinned tools for tests.
package testutil

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The build tags the Makefile builds the pinned tools (TOOLS_TAGS) and
// otelcol-check (OTELCOL_TAGS) with: without Prometheus' service discovery
// mechanisms, which nothing here uses, and so one build for tests and make.
const (
	toolsTags   = "remove_all_sd"
	otelcolTags = "remove_all_sd,enable_kubernetes_sd"
)

// RepoRoot returns the directory holding the main go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(data, []byte("module github.com/koshihq/genops-stack\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testutil: repository root not found")
		}
		dir = parent
	}
}

// GoTool runs a tool pinned in tools/go.mod (promtool, amtool, kustomize)
// with `go tool`, which builds it on first use. It runs in the tools module,
// so paths in args must be absolute.
func GoTool(t testing.TB, name string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", name}, args...)...)
	cmd.Dir = filepath.Join(RepoRoot(t), "tools")
	cmd.Env = append(os.Environ(), "GOFLAGS="+os.Getenv("GOFLAGS")+" -tags="+toolsTags)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// ToolPath builds a tool pinned in tools/go.mod and returns the path of
// its binary (what `go tool -n` prints), for tests that run it many times.
func ToolPath(t testing.TB, name string) string {
	t.Helper()
	stdout, stderr, err := GoTool(t, "-n", name)
	if err != nil {
		t.Fatalf("go tool -n %s: %v\n%s", name, err, stderr)
	}
	return string(bytes.TrimSpace(stdout))
}

var (
	otelOnce sync.Once
	otelPath string
	otelErr  error
)

// OtelcolCheck returns the otelcol-check binary: $GENOPS_OTELCOL_CHECK (set
// by make), or one built from tools/otelcol-check for this test run.
func OtelcolCheck(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GENOPS_OTELCOL_CHECK"); p != "" {
		return p
	}
	otelOnce.Do(func() {
		dir, err := os.MkdirTemp("", "otelcol-check-")
		if err != nil {
			otelErr = err
			return
		}
		otelPath = filepath.Join(dir, "otelcol-check")
		cmd := exec.Command("go", "build", "-tags", otelcolTags, "-o", otelPath, ".")
		cmd.Dir = filepath.Join(RepoRoot(t), "tools", "otelcol-check")
		if out, err := cmd.CombinedOutput(); err != nil {
			otelErr = &buildError{out: out, err: err}
		}
	})
	if otelErr != nil {
		t.Fatalf("building otelcol-check: %v", otelErr)
	}
	return otelPath
}

type buildError struct {
	out []byte
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }
