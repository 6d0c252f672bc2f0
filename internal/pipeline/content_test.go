package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/stack"
)

// Helpers for tests that follow the content: their expectations come from
// stack.Default() (which environments there are, which of them page, which
// receivers and alerts a rendered file holds) or from golden files that
// -update rewrites, never from lists written out by hand, so that adding an
// environment, a receiver or an alert breaks no test.

// environment returns the environment of def called name; the test fails
// without one.
func environment(t testing.TB, def *stack.Definition, name string) *stack.Environment {
	t.Helper()
	for i := range def.Environments {
		if def.Environments[i].Name == name {
			return &def.Environments[i]
		}
	}
	t.Fatalf("the definition has no environment %s", name)
	return nil
}

// stackNames are the names of the stacks a run of def assembles, the base
// and every environment, in the order findings are printed (by artifact).
func stackNames(def stack.Definition) []string {
	out := []string{def.Base.Name}
	for _, e := range def.Environments {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}

// everyStack is finding, as each stack of def reports it: content is shared,
// so a mistake in it is found in each.
func everyStack(def stack.Definition, finding string) []string {
	var out []string
	for _, n := range stackNames(def) {
		out = append(out, "environment "+n+": "+finding)
	}
	return out
}

// assertBadEnvironment generates the default definition with the
// environment called name mutated, and asserts exactly the error findings
// want and that nothing is rendered.
func assertBadEnvironment(t *testing.T, name string, mutate func(*stack.Environment), want []string) {
	t.Helper()
	def := stack.Default()
	mutate(environment(t, &def, name))
	res := generate(t, def)
	assertErrors(t, res.Findings, want)
	if res.Files != nil {
		t.Error("files rendered despite errors")
	}
}

// assertGolden compares got, one finding a line, with the golden file
// testdata/<name>.golden; -update rewrites the file. A golden file holds
// findings whose text follows from the whole content (every alert an
// inhibit rule selects, ...): after a change of the content, -update
// rewrites it and the diff is reviewed with the change.
func assertGolden(t *testing.T, name string, got []string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	text := strings.Join(got, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if text != string(want) {
		t.Errorf("findings:\n%s\nwant (%s; -update rewrites it):\n%s", text, p, want)
	}
}
