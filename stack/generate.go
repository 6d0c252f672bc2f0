package stack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/internal/policy"
	"github.com/koshihq/genops-stack/schemas"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Options tune a Generate run.
type Options struct {
	// OtelcolCheck is the path of the otelcol-check binary built from
	// tools/otelcol-check. When set, every rendered Collector config is
	// loaded and validated by the real Collector components before Generate
	// returns; when empty that check is skipped (make generate always sets it).
	OtelcolCheck string
	// PolicyDirs are folders of user .cue policies evaluated with the
	// built-in ones (schemas/).
	PolicyDirs []string
}

// Result is the output of a run: the files of out/ and every finding. The
// files must not be written when Findings holds an error.
type Result struct {
	Files    *files.Set
	Findings finding.List
}

// Generate assembles, checks and renders every environment, then validates
// the rendered artifacts. It returns an error only for failures of the
// machinery (a renderer bug, an I/O error); problems with the definitions
// are findings.
func Generate(def Definition, opts Options) (*Result, error) {
	res := &Result{}
	seen := map[string]bool{}
	for _, e := range def.Environments {
		if seen[e.Name] {
			res.Findings.Errorf(e.Artifact(), "environment", "environment-name", "environment %q is defined twice", e.Name)
		}
		seen[e.Name] = true
	}
	if seen[def.Base.Name] {
		res.Findings.Errorf(def.Base.Artifact(), "environment", "environment-name", "an environment may not be named %q like the base", def.Base.Name)
	}
	if missing := def.Content.missing(); len(missing) > 0 {
		res.Findings.Errorf("definition", "content", "content", "has no %s function: start from stack.DefaultContent() and change what differs", strings.Join(missing, " and no "))
		return res, nil
	}
	base, err := def.Content.Build(def.Base)
	if err != nil {
		res.Findings.Errorf(def.Base.Artifact(), "", "build", "%v", err)
	}
	var envs []*Stack
	for _, e := range def.Environments {
		s, err := def.Content.Build(e)
		if err != nil {
			res.Findings.Errorf(e.Artifact(), "", "build", "%v", err)
			continue
		}
		envs = append(envs, s)
	}
	if base != nil {
		res.Findings.Add(Check(base)...)
		res.Findings.Add(checkDashboards(base)...)
	}
	for _, s := range envs {
		res.Findings.Add(Check(s)...)
	}
	if res.Findings.Errors() > 0 {
		res.Findings.Sort()
		return res, nil
	}
	res.Files, err = Render(base, envs)
	if err != nil {
		return nil, err
	}
	res.Findings.Add(Validate(res.Files)...)
	links := []Links{base.Env.Links}
	for _, s := range envs {
		links = append(links, s.Env.Links)
	}
	res.Findings.Add(checkLinks(res.Files, links)...)
	pol, err := policy.Load(schemas.FS, opts.PolicyDirs...)
	if err != nil {
		res.Findings.Errorf("policy", "", "policy-load", "%v", err)
	} else {
		fs, err := checkPolicies(pol, res.Files, base, envs)
		if err != nil {
			return nil, err
		}
		res.Findings.Add(fs...)
	}
	if opts.OtelcolCheck != "" {
		fs, err := otelcolCheck(opts.OtelcolCheck, res.Files)
		if err != nil {
			return nil, err
		}
		res.Findings.Add(fs...)
	}
	res.Findings.Sort()
	return res, nil
}

// Validate checks the rendered files with the libraries that own their
// formats: every Kubernetes manifest decodes strictly into its type, every
// Alertmanager configuration loads and holds no literal secret, every raw
// scrape job's relabel rules load in Prometheus' relabel loader, every
// dashboard decodes strictly with the Grafana Foundation SDK and refers only
// to data sources and variables that exist, the Terraform parses and refers
// only to files and variables that exist, every rule file, dashboard and
// runbook passes the PromQL lint against the metric catalog, and alerts link
// to rendered runbooks and dashboards.
func Validate(set *files.Set) finding.List {
	var fs finding.List
	fs.Add(validateGrafana(set)...)
	for _, f := range set.Files() {
		fs.Add(validateAlerting(f)...)
		if isScrapeConfigs(f.Path) {
			if err := scrape.ValidateFile(f.Data); err != nil {
				fs.Errorf(f.Path, "", "scrape-config", "%v", err)
			}
		}
		if isManifest(f.Path) {
			if _, err := kube.DecodeStrict(f.Data); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					fs.Errorf(f.Path, "", "kubernetes-strict", "%s", line)
				}
			}
		}
	}
	fs.Add(lintRendered(set)...)
	fs.Add(checkAlertLinks(set)...)
	return fs
}

// isScrapeConfigs reports whether p is an environment's raw scrape jobs.
func isScrapeConfigs(p string) bool {
	env := strings.TrimSuffix(strings.TrimPrefix(p, "prometheus/"), "/scrape-configs.yaml")
	return p == scrapeConfigsPath(env)
}

// isManifest reports whether p is a file of Kubernetes objects: a file
// directly inside the base or an overlay, other than the kustomization.
func isManifest(p string) bool {
	dir, name := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if name == "kustomization.yaml" || !strings.HasSuffix(name, ".yaml") {
		return false
	}
	return dir == kubeBaseDir || path.Dir(dir) == kubeOverlaysDir
}

// otelcolCheck runs the otelcol-check binary over every rendered Collector
// config and turns its report into findings.
func otelcolCheck(bin string, set *files.Set) (finding.List, error) {
	tmp, err := os.MkdirTemp("", "genops-otelcol-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var args []string
	for _, f := range set.Files() {
		if !strings.HasPrefix(f.Path, "otel/") {
			continue
		}
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, err
		}
		args = append(args, p)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
	default:
		return nil, fmt.Errorf("running %s: %v\n%s", bin, err, out.String())
	}
	var fs finding.List
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		file, msg, ok := strings.Cut(line, ": ")
		if !ok {
			fs.Errorf("otel", "", "otelcol", "%s", line)
			continue
		}
		rel, err := filepath.Rel(tmp, file)
		if err != nil {
			rel = file
		}
		fs.Errorf(filepath.ToSlash(rel), "collector config", "otelcol", "%s", msg)
	}
	return fs, nil
}
