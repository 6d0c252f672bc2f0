package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// fileList is a repeatable flag of file names.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func runLint(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("lint [--format text|json] [--profile auto|generic|genops] [--metrics FILE]... PATH...",
		"Lints PromQL: Prometheus rule files (plain groups or PrometheusRule manifests,\n"+
			".yaml/.yml), Grafana dashboards (bare or {\"dashboard\": ...}, .json) and the ```promql\n"+
			"blocks of runbooks (.md). A directory is linted recursively. Recording rules of every\n"+
			"rule file are known to every query.\n\n"+
			"Profiles: genops (the stack's own files: every check against its metric catalog, and\n"+
			"the house rules) and generic (anybody's files: the correctness checks, with what is\n"+
			"known of each metric from the catalog, the OTel GenAI semantic conventions, --metrics\n"+
			"and naming conventions; an unknown metric is a note). auto: genops for files under a\n"+
			"directory named out, generic for the others.\n\n"+
			"Text output is one finding a line: file:line: severity: check: object: message\n"+
			"[source: what it relied on], then a summary line per file on stderr.\n"+
			"Exit status 1 when any finding is an error.", stdout, stderr)
	format := flags.String("format", "text", "output `format`: text or json")
	scrape := flags.Duration("scrape-interval", promlint.DefaultScrapeInterval, "the longest scrape `interval` of the queried jobs; shorter ranges than twice it are reported (errors when the flag is given)")
	profile := flags.String("profile", "auto", "the checks: `auto`, generic or genops")
	var metrics fileList
	flags.Var(&metrics, "metrics", "a `FILE` of your own metrics: a Prometheus or OpenMetrics scrape saved to a file, or the JSON of /api/v1/metadata or /api/v1/series (repeatable)")
	if code, ok := parse(flags, args, stdout); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "%s: --format must be text or json, not %q\n", flags.Name(), *format)
		return exitUsage
	}
	if !slices.Contains([]string{"auto", "generic", "genops"}, *profile) {
		fmt.Fprintf(stderr, "%s: --profile must be auto, generic or genops, not %q\n", flags.Name(), *profile)
		return exitUsage
	}
	if flags.NArg() == 0 {
		fmt.Fprintf(stderr, "%s: no PATH to lint\n", flags.Name())
		return exitUsage
	}
	opts := promlint.Options{ScrapeInterval: *scrape, Profile: promlint.ProfileGeneric}
	flags.Visit(func(f *flag.Flag) { opts.ScrapeIntervalGiven = opts.ScrapeIntervalGiven || f.Name == "scrape-interval" })
	if len(metrics) > 0 {
		opts.Metrics = promlint.NewMetrics()
		for _, m := range metrics {
			data, err := os.ReadFile(m)
			if err == nil {
				err = opts.Metrics.Add(filepath.ToSlash(m), data)
			}
			if err != nil {
				fmt.Fprintf(stderr, "genops-stack: --metrics: %v\n", err)
				return exitUsage
			}
		}
	}
	files, err := lintInputs(flags.Args())
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack: %v\n", err)
		return exitUsage
	}
	for i := range files {
		files[i].Profile = lintProfile(*profile, files[i].Path)
	}
	findings := promlint.New(catalog.Default(), opts).Files(files)
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
	fmt.Fprint(stderr, lintSummary(files, findings))
	if findings.Errors() > 0 {
		return exitFindings
	}
	return exitOK
}

// lintProfile is the profile of a file: the flag's, or for auto genops when
// its path names a directory out (the stack's output) and generic
// otherwise.
func lintProfile(flag, path string) promlint.Profile {
	switch flag {
	case "genops":
		return promlint.ProfileGenOps
	case "generic":
		return promlint.ProfileGeneric
	}
	// The path as given: a checkout that itself lies under a folder named
	// out does not make every file the stack's.
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(filepath.Clean(filepath.FromSlash(path)))), "/")
	if slices.Contains(dirs, "out") {
		return promlint.ProfileGenOps
	}
	return promlint.ProfileGeneric
}

// lintSummary is a line per file (its errors, warnings and notes) and one
// for all of them.
func lintSummary(files []promlint.File, findings finding.List) string {
	type counts [3]int // errors, warnings, notes
	per := map[string]*counts{}
	var total counts
	for _, f := range files {
		per[f.Path] = &counts{}
	}
	for _, f := range findings {
		c := per[f.Artifact]
		if c == nil {
			c = &counts{}
			per[f.Artifact] = c
		}
		c[f.Severity]++
		total[f.Severity]++
	}
	line := func(c counts) string {
		return fmt.Sprintf("%d error(s), %d warning(s), %d note(s)", c[finding.Error], c[finding.Warning], c[finding.Note])
	}
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "%s: %s\n", f.Path, line(*per[f.Path]))
	}
	fmt.Fprintf(&b, "%d file(s): %s\n", len(files), line(total))
	return b.String()
}

// lintLine is file:line: severity: check: object: message [source: ...]
// (no line when it is unknown, no object when the finding is about the
// whole file, no source when the check relied on nothing but the query).
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
	if f.Source != "" {
		fmt.Fprintf(&b, " [source: %s]", f.Source)
	}
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
