// Package files holds the unit of output: a rendered file, its path relative
// to the output directory and its bytes, and the set of them a run produces.
package files

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// Kind says what a file is: which validators read it and how it is
// decoded. Every file carries its kind from the renderer that makes it;
// nothing guesses a kind from a path.
type Kind string

// The kinds of file genops-stack renders.
const (
	Index              Kind = "index"               // out/README.md
	KubeObjects        Kind = "kubernetes"          // Kubernetes objects, one YAML document each
	Kustomization      Kind = "kustomization"       // a kustomization.yaml
	KustomizePatch     Kind = "kustomize-patch"     // an overlay's JSON or strategic-merge patch
	CollectorConfig    Kind = "collector-config"    // an OpenTelemetry Collector configuration
	AlertmanagerConfig Kind = "alertmanager-config" // an alertmanager.yaml
	RuleFile           Kind = "prometheus-rules"    // a Prometheus rule file
	ScrapeConfigs      Kind = "scrape-configs"      // raw Prometheus scrape jobs
	Dashboard          Kind = "grafana-dashboard"   // a Grafana dashboard's JSON
	Runbook            Kind = "runbook"             // an alert's runbook, Markdown
	ChartValues        Kind = "helm-values"         // a chart's values file
	PromtailConfig     Kind = "promtail-config"     // Promtail's configuration
	TempoConfig        Kind = "tempo-config"        // Tempo's configuration
	DatadogCheck       Kind = "datadog-check"       // a Datadog Agent check configuration
	Terraform          Kind = "terraform"           // a .tf file
	TerraformVars      Kind = "terraform-vars"      // a .tfvars file
)

// Format is how a file's bytes are decoded.
type Format int

// The formats of the kinds.
const (
	YAML Format = iota
	JSON
	Markdown
	HCL
)

// Format returns the kind's format.
func (k Kind) Format() Format {
	switch k {
	case Dashboard:
		return JSON
	case Index, Runbook:
		return Markdown
	case Terraform, TerraformVars:
		return HCL
	}
	return YAML
}

// File is one generated file.
type File struct {
	// Path is slash-separated and relative to the output directory.
	Path string
	Kind Kind
	Data []byte
	// GeneratorInput marks a file a kustomize generator reads: what a
	// generated ConfigMap or Secret holds. Its bytes are usually those of
	// another file of the run (a dashboard, a runbook, an environment's
	// alertmanager.yaml), checked there; the base's are its only copy.
	GeneratorInput bool
}

// Set is the whole output of a run, keyed by path.
type Set struct {
	byPath map[string]File
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byPath: map[string]File{}} }

// Add records a file of kind k. Adding the same path twice is a programming
// error in the renderers and is reported, never silently overwritten.
func (s *Set) Add(p string, k Kind, data []byte) error {
	return s.AddFile(File{Path: p, Kind: k, Data: data})
}

// AddFile records f.
func (s *Set) AddFile(f File) error {
	p := f.Path
	clean := path.Clean(p)
	if clean != p || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") || p == "." {
		return fmt.Errorf("files: %q is not a clean relative path", p)
	}
	if f.Kind == "" {
		return fmt.Errorf("files: %s has no kind", p)
	}
	if _, dup := s.byPath[p]; dup {
		return fmt.Errorf("files: %s rendered twice", p)
	}
	s.byPath[p] = f
	return nil
}

// Merge adds every file of other to s, refusing a path s already holds as
// Add does. Renderers that run at the same time each fill a set of their own
// and merge them, in a fixed order, when all are done.
func (s *Set) Merge(other *Set) error {
	for _, p := range other.Paths() {
		if err := s.AddFile(other.byPath[p]); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the bytes of a path.
func (s *Set) Get(p string) ([]byte, bool) {
	f, ok := s.byPath[p]
	return f.Data, ok
}

// Len is the number of files.
func (s *Set) Len() int { return len(s.byPath) }

// Paths returns every path, sorted.
func (s *Set) Paths() []string {
	ps := make([]string, 0, len(s.byPath))
	for p := range s.byPath {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// Files returns every file, sorted by path.
func (s *Set) Files() []File {
	out := make([]File, 0, len(s.byPath))
	for _, p := range s.Paths() {
		out = append(out, s.byPath[p])
	}
	return out
}

// OfKind returns the files of the kinds ks (of every kind when ks is
// empty), sorted by path.
func (s *Set) OfKind(ks ...Kind) []File {
	var out []File
	for _, f := range s.Files() {
		if len(ks) == 0 || slices.Contains(ks, f.Kind) {
			out = append(out, f)
		}
	}
	return out
}

// Distinct returns the files of the kinds ks (of every kind when ks is
// empty), one per distinct content:
// the file that is not a generator input when there is one, else the
// first by path. Checks of a file's content read these, so a copy never
// doubles a finding.
func (s *Set) Distinct(ks ...Kind) []File {
	var out []File
	at := map[string]int{}
	for _, f := range s.OfKind(ks...) {
		key := string(f.Kind) + "\x00" + string(f.Data)
		i, seen := at[key]
		switch {
		case !seen:
			at[key] = len(out)
			out = append(out, f)
		case out[i].GeneratorInput && !f.GeneratorInput:
			out[i] = f
		}
	}
	return out
}

// Header is the generated-file marker put at the top of every file whose
// format allows comments.
const Header = "Code generated by genops-stack; DO NOT EDIT."

// WithHashHeader prefixes data with "# " + Header and guarantees a trailing newline.
func WithHashHeader(data []byte) []byte { return terminated("# "+Header+"\n", data) }

// HelmValues renders a chart's values file, its header naming the chart,
// the version and the repository the values are for.
func HelmValues(chart, version, repo string, values any) ([]byte, error) {
	data, err := MarshalYAML(values)
	if err != nil {
		return nil, err
	}
	head := fmt.Sprintf("# Helm values for %s %s (%s)\n", chart, version, repo)
	return WithHashHeader(append([]byte(head), data...)), nil
}

// Terminate guarantees a single trailing newline.
func Terminate(data []byte) []byte { return terminated("", data) }

// terminated returns head, then data without its trailing newlines, then
// one newline, in a new slice: one allocation, where converting to a
// string and back made three copies of every rendered file.
func terminated(head string, data []byte) []byte {
	body := bytes.TrimRight(data, "\n")
	out := make([]byte, 0, len(head)+len(body)+1)
	out = append(out, head...)
	out = append(out, body...)
	return append(out, '\n')
}
