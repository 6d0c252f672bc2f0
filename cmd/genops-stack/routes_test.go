package main

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
)

// TestRoutesAgreeWithAmtool compares, for every environment, `genops-stack
// routes` with `amtool config routes` on the rendered alertmanager.yaml, and
// `genops-stack routes test` with `amtool config routes test` for every
// label set of the routing table (each seed alert's labels).
func TestRoutesAgreeWithAmtool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds amtool")
	}
	amtool := testutil.ToolPath(t, "amtool")
	dir := generated(t)
	for _, env := range stack.Default().Environments {
		t.Run(env.Name, func(t *testing.T) {
			t.Parallel() // a hundred amtool processes: on every core
			config := "--config.file=" + filepath.Join(dir, "alertmanager", env.Name, "alertmanager.yaml")
			want := runTool(t, amtool, "config", "routes", config)
			code, got, stderr := runCLI(t, "routes", "--env", env.Name)
			if code != exitOK || got != want {
				t.Errorf("routes: exit %d\n%s%s\namtool config routes:\n%s", code, got, stderr, want)
			}
			for _, rt := range routing.RouteTests() {
				args := labelArgs(rt.Labels)
				want := runTool(t, amtool, append([]string{"config", "routes", "test", config}, args...)...)
				code, got, stderr := runCLI(t, append([]string{"routes", "test", "--env", env.Name}, args...)...)
				if code != exitOK || got != want {
					t.Errorf("routes test %s: exit %d, %q%s; amtool prints %q", strings.Join(args, " "), code, got, stderr, want)
				}
				if exp := strings.Join(rt.Receivers, ",") + "\n"; got != exp {
					t.Errorf("routes test %s: %q, the routing table wants %q", strings.Join(args, " "), got, exp)
				}
			}
		})
	}
}

func runTool(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func labelArgs(ls routing.Labels) []string {
	var args []string
	for k, v := range ls {
		args = append(args, k+"="+v)
	}
	sort.Strings(args)
	return args
}

func TestRoutesErrors(t *testing.T) {
	var envs []string
	for _, e := range stack.Default().Environments {
		envs = append(envs, e.Name)
	}
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"routes", "--env", "nowhere"}, exitUsage, "genops-stack: unknown environment \"nowhere\" (want " + strings.Join(envs, ", ") + ")\n"},
		{[]string{"routes", "test", "severity=~crit.*"}, exitUsage, "genops-stack routes test: label \"severity=~crit.*\": want label=value\n"},
		{[]string{"routes", "extra"}, exitUsage, "genops-stack routes [--env E]: unexpected arguments: extra\n"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || stderr != tt.stderr || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stderr %q", tt.args, code, stdout, stderr, tt.code, tt.stderr)
		}
	}
}

// TestRoutesOfABrokenConfig: a configuration Alertmanager rejects is
// reported with Alertmanager's error and exit status 1.
func TestRoutesOfABrokenConfig(t *testing.T) {
	definition = func() stack.Definition {
		d := stack.Default()
		production(func(e *stack.Environment) { e.Alerting.SMTP.Smarthost = "" })(&d)
		return d
	}
	defer func() { definition = stack.Default }()
	code, stdout, stderr := runCLI(t, "routes", "test", "category=cost")
	want := "genops-stack: environment production: alertmanager config does not load: no global SMTP smarthost set\n"
	if code != exitFindings || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
}

func TestRoutesHelp(t *testing.T) {
	for args, want := range map[string]string{
		"routes --help":      "Usage: genops-stack routes [--env E]\n",
		"routes test --help": "Usage: genops-stack routes test [--env E] label=value...\n",
	} {
		code, stdout, _ := runCLI(t, strings.Fields(args)...)
		if code != exitOK || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, "-env environment") {
			t.Errorf("%s: exit %d\n%s", args, code, stdout)
		}
	}
}
