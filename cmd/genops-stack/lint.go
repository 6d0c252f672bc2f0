package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/stack/catalog"
)

func runLint(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("lint [--format text|json] PATH...",
		"Lints PromQL against the metric catalog: Prometheus rule files (plain groups or\n"+
			"PrometheusRule manifests, .yaml/.yml), Grafana dashboards (bare or {\"dashboard\": ...}, .json)\n"+
			"and the ```promql blocks of runbooks (.md). A directory is linted recursively.\n"+
			"Recording rules of every rule file are known to every query.\n"+
			"Text output is one finding a line: file:line: severity: check: object: message.\n"+
			"Exit status 1 when any finding is an error.", stdout, stderr)
	format := flags.String("format", "text", "output `format`: text or json")
	scrape := flags.Duration("scrape-interval", promlint.DefaultScrapeInterval, "the longest scrape `interval` of the queried jobs; shorter ranges than twice it are reported")
	if code, ok := parse(flags, args, stdout); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "%s: --format must be text or json, not %q\n", flags.Name(), *format)
		return exitUsage
	}
	if flags.NArg() == 0 {
		fmt.Fprintf(stderr, "%s: no PATH to lint\n", flags.Name())
		return exitUsage
	}
	files, err := lintInputs(flags.Args())
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack: %v\n", err)
		return exitUsage
	}
	findings := promlint.New(catalog.Default(), promlint.Options{ScrapeInterval: *scrape}).Files(files)
	findings.Sort()
	if *format == "json" {
		if findings == nil {
			findings = finding.List{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(findings); err != nil {
			fmt.Fprintf(stderr, "genops-stack: %v\n", err)
			return exitUsage
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(stdout, lintLine(f))
		}
	}
	errs := findings.Errors()
	fmt.Fprintf(stderr, "%d file(s): %d error(s), %d warning(s)\n", len(files), errs, len(findings)-errs)
	if errs > 0 {
		return exitFindings
	}
	return exitOK
}

// lintLine is file:line: severity: check: object: message (no line when it is
// unknown, no object when the finding is about the whole file).
func lintLine(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Artifact)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	fmt.Fprintf(&b, ": %s: %s: ", f.Severity, f.Check)
	if f.Object != "" {
		b.WriteString(f.Object + ": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// lintInputs reads every path: a file as given, a directory recursively
// (the files the lint knows, in lexical order).
func lintInputs(paths []string) ([]promlint.File, error) {
	var files []promlint.File
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			files = append(files, promlint.File{Path: filepath.ToSlash(p), Data: data})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !promlint.Lintable(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				files = append(files, promlint.File{Path: filepath.ToSlash(path), Data: data, Walked: true})
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}
