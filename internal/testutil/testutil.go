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

// The build tags the Makefile builds promtool and the Prometheus server
// (TOOLS_TAGS) and otelcol-check (OTELCOL_TAGS) with: without Prometheus'
// service discovery mechanisms, which nothing here uses. `go tool` takes no
// build flags (it ignores -tags in GOFLAGS), so promtool is built with go
// build, as make does, and shares its packages with the Prometheus server.
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

// GoTool runs a tool pinned in tools/go.mod (promtool, amtool, kustomize):
// promtool as ToolPath builds it, the others with `go tool`, which builds
// them on first use. It runs in the tools module, so paths in args must be
// absolute.
func GoTool(t testing.TB, name string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", name}, args...)...)
	if name == "promtool" {
		cmd = exec.Command(ToolPath(t, name), args...)
	}
	cmd.Dir = filepath.Join(RepoRoot(t), "tools")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// ToolPath returns the binary of a tool pinned in tools/go.mod, for tests
// that run it many times: promtool is $GENOPS_PROMTOOL (set by make) or one
// built with the Makefile's tags for this test run; the others are what
// `go tool -n` prints, after building them.
func ToolPath(t testing.TB, name string) string {
	t.Helper()
	if name == "promtool" {
		if p := os.Getenv("GENOPS_PROMTOOL"); p != "" {
			return p
		}
		return built(t, &promtool, "promtool", "tools", "github.com/prometheus/prometheus/cmd/promtool", toolsTags)
	}
	cmd := exec.Command("go", "tool", "-n", name)
	cmd.Dir = filepath.Join(RepoRoot(t), "tools")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool -n %s: %v", name, err)
	}
	return string(bytes.TrimSpace(out))
}

// binary is a program built once per test run.
type binary struct {
	once sync.Once
	path string
	err  error
}

var promtool, otelcolCheck binary

// built builds pkg of the module in dir (relative to the repository) with
// tags into a temporary directory as name, once per test run, and returns
// its path.
func built(t testing.TB, b *binary, name, dir, pkg, tags string) string {
	t.Helper()
	b.once.Do(func() {
		tmp, err := os.MkdirTemp("", "genops-tool-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(tmp, name)
		cmd := exec.Command("go", "build", "-tags", tags, "-o", b.path, pkg)
		cmd.Dir = filepath.Join(RepoRoot(t), dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = &buildError{out: out, err: err}
		}
	})
	if b.err != nil {
		t.Fatalf("building %s: %v", pkg, b.err)
	}
	return b.path
}

// OtelcolCheck returns the otelcol-check binary: $GENOPS_OTELCOL_CHECK (set
// by make), or one built from tools/otelcol-check for this test run.
func OtelcolCheck(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GENOPS_OTELCOL_CHECK"); p != "" {
		return p
	}
	return built(t, &otelcolCheck, "otelcol-check", "tools/otelcol-check", ".", otelcolTags)
}

type buildError struct {
	out []byte
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }
