package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/koshihq/genops-stack/internal/differ"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/stack"
)

// definition is what the commands render; tests replace it with bad input.
var definition = stack.Default

// runFlags are the flags of every command that renders.
type runFlags struct {
	out     string
	otelcol string
	policy  dirList
}

func generateFlags(fs *flag.FlagSet, withOut bool) *runFlags {
	f := &runFlags{}
	if withOut {
		fs.StringVar(&f.out, "out", "out", "output `directory`")
	}
	fs.StringVar(&f.otelcol, "otelcol-check", os.Getenv("GENOPS_OTELCOL_CHECK"),
		"path of the otelcol-check `binary` (tools/otelcol-check) that validates Collector configs with the real components; defaults to $GENOPS_OTELCOL_CHECK, skipped when empty")
	fs.Var(&f.policy, "policy", "a `directory` of .cue policies to evaluate with the built-in ones (repeatable)")
	return f
}

// dirList is a repeatable string flag.
type dirList []string

func (d *dirList) String() string     { return strings.Join(*d, ",") }
func (d *dirList) Set(v string) error { *d = append(*d, v); return nil }

// render runs Generate and prints its findings. ok is false when the run
// must stop with code.
func render(f *runFlags, stderr io.Writer) (res *pipeline.Result, code int, ok bool) {
	otelcol := f.otelcol
	res, err := pipeline.Generate(definition(), pipeline.Options{OtelcolCheck: otelcol, PolicyDirs: f.policy})
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack: %v\n", err)
		return nil, exitUsage, false
	}
	printFindings(stderr, res.Findings)
	if n := res.Findings.Errors(); n > 0 {
		fmt.Fprintf(stderr, "%d error(s): nothing written\n", n)
		return res, exitFindings, false
	}
	if otelcol == "" {
		fmt.Fprintln(stderr, "note: Collector configs were not validated by the real components (no --otelcol-check): make validate builds tools/otelcol-check and runs them through it")
	}
	return res, exitOK, true
}

// parseAndRender parses a rendering command's flags, which take no
// arguments, and renders. ok is false when the command must stop with code.
func parseAndRender(fs *flag.FlagSet, f *runFlags, args []string, stdout, stderr io.Writer) (res *pipeline.Result, code int, ok bool) {
	if code, ok := parse(fs, args, stdout); !ok {
		return nil, code, false
	}
	if !noArgs(fs, stderr) {
		return nil, exitUsage, false
	}
	return render(f, stderr)
}

func printFindings(w io.Writer, fs finding.List) {
	for _, f := range fs {
		fmt.Fprintln(w, f.String())
	}
}

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate [--out DIR]", "Renders every environment into DIR. Everything is rendered and checked in memory\nfirst; on any error nothing in DIR changes. Files no longer generated are removed.", stdout, stderr)
	f := generateFlags(fs, true)
	res, code, ok := parseAndRender(fs, f, args, stdout, stderr)
	if !ok {
		return code
	}
	stats, err := writer.Replace(f.out, res.Files)
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: %s\n", f.out, stats)
	return exitOK
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check [--out DIR]", "Renders in memory and compares with DIR: exit 0 when identical, 1 with a unified\ndiff per changed file and the lists of missing and unexpected files.", stdout, stderr)
	f := generateFlags(fs, true)
	if code, ok := parse(fs, args, stdout); !ok {
		return code
	}
	if !noArgs(fs, stderr) {
		return exitUsage
	}
	// The directory is read while the stack renders.
	type read struct {
		tree map[string][]byte
		err  error
	}
	onDisk := make(chan read, 1)
	go func() {
		tree, err := writer.ReadTree(f.out)
		onDisk <- read{tree, err}
	}()
	res, code, ok := render(f, stderr)
	if !ok {
		return code
	}
	r := <-onDisk
	tree, err := r.tree, r.err
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack: %v\n", err)
		return exitUsage
	}
	report := differ.Compare(res.Files, tree)
	if !report.Clean() {
		fmt.Fprint(stdout, report.String())
		fmt.Fprintf(stderr, "%s is out of date: run 'make generate' and commit the result\n", f.out)
		return exitFindings
	}
	fmt.Fprintf(stdout, "%s: up to date (%d files)\n", f.out, res.Files.Len())
	return exitOK
}

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", "Runs every check over every environment and writes nothing.", stdout, stderr)
	f := generateFlags(fs, false)
	res, code, ok := parseAndRender(fs, f, args, stdout, stderr)
	if !ok {
		return code
	}
	fmt.Fprintf(stdout, "valid: %d files, %d warning(s)\n", res.Files.Len(), len(res.Findings))
	return exitOK
}
