package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/catalog"
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
func Generate(def stack.Definition, opts Options) (*Result, error) {
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
	if missing := def.Content.Missing(); len(missing) > 0 {
		res.Findings.Errorf("definition", "content", "content", "has no %s function: start from stack.DefaultContent() and change what differs", strings.Join(missing, " and no "))
		return res, nil
	}
	// The teams feed every environment: a mistake in them would come back
	// from every check of every environment.
	teams := checkTeams(def.Content.Teams)
	res.Findings.Add(teams...)
	if teams.Errors() > 0 {
		res.Findings.Sort()
		return res, nil
	}
	// So does the catalog: every query and the gateway's derivation read it.
	cat, err := def.Content.Catalog.Build()
	if err != nil {
		var ce *catalog.Errors
		if !errors.As(err, &ce) {
			return nil, err
		}
		for _, p := range ce.Problems {
			object, msg, _ := strings.Cut(p, ": ")
			res.Findings.Errorf("catalog", object, "catalog", "%s", msg)
		}
		res.Findings.Sort()
		return res, nil
	}
	base, envs, found := buildAndCheck(def, cat)
	res.Findings.Add(found...)
	if res.Findings.Errors() > 0 {
		res.Findings.Sort()
		return res, nil
	}
	maps := &kube.Maps{}
	res.Files, err = render(base, envs, maps)
	if err != nil {
		return nil, err
	}
	found, err = checkRendered(res.Files, base, envs, maps, opts)
	if err != nil {
		return nil, err
	}
	res.Findings.Add(found...)
	res.Findings.Sort()
	return res, nil
}

// buildAndCheck builds and checks the base and every environment with the
// definition's content, each on a goroutine of its own. They share the
// content and the rendered dashboards, which they only read.
func buildAndCheck(def stack.Definition, cat *catalog.Catalog) (base *Stack, envs []*Stack, fs finding.List) {
	all := append([]stack.Environment{def.Base}, def.Environments...)
	stacks := make([]*Stack, len(all))
	found := make([]finding.List, len(all))
	dashboards := newSharedDashboards()
	var wg sync.WaitGroup
	for i, e := range all {
		wg.Go(func() {
			s, err := build(def.Content, e, cat, dashboards)
			if err != nil {
				found[i].Errorf(e.Artifact(), "", "build", "%v", err)
				return
			}
			stacks[i] = s
			found[i] = Check(s)
			if i == 0 {
				found[i].Add(checkDashboards(s)...)
			}
		})
	}
	wg.Wait()
	for i, s := range stacks {
		fs.Add(found[i]...)
		if s != nil && i > 0 {
			envs = append(envs, s)
		}
	}
	return stacks[0], envs, fs
}

// checkRendered runs the checks of the rendered files, which only read
// them, at the same time: the validators, the links, the CUE policies and,
// when set, the real Collector components.
func checkRendered(set *files.Set, base *Stack, envs []*Stack, maps *kube.Maps, opts Options) (finding.List, error) {
	links := []stack.Links{base.Env.Links}
	for _, s := range envs {
		links = append(links, s.Env.Links)
	}
	var validated, linked, policies, otelcol finding.List
	var policyErr, otelcolErr error
	var wg sync.WaitGroup
	wg.Go(func() { validated = Validate(set, base.Catalog) })
	wg.Go(func() { linked = checkLinks(set, links) })
	wg.Go(func() {
		pol, err := loadPolicies(opts.PolicyDirs)
		if err != nil {
			policies.Errorf("policy", "", "policy-load", "%v", err)
			return
		}
		policies, policyErr = checkPolicies(pol, set, base, envs, maps)
	})
	if opts.OtelcolCheck != "" {
		wg.Go(func() { otelcol, otelcolErr = otelcolCheck(opts.OtelcolCheck, set) })
	}
	wg.Wait()
	if err := errors.Join(policyErr, otelcolErr); err != nil {
		return nil, err
	}
	var fs finding.List
	for _, l := range []finding.List{validated, linked, policies, otelcol} {
		fs.Add(l...)
	}
	return fs, nil
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
func Validate(set *files.Set, cat *catalog.Catalog) finding.List {
	// The validators only read the set: they run at the same time, each
	// Kubernetes file on its own, and their findings are put together in
	// this order.
	parts := []func() finding.List{
		func() finding.List { return validateGrafana(set) },
		func() finding.List { return validateAlerting(set) },
		func() finding.List {
			var fs finding.List
			for _, f := range set.OfKind(files.ScrapeConfigs) {
				if err := scrape.ValidateFile(f.Data); err != nil {
					fs.Errorf(f.Path, "", "scrape-config", "%v", err)
				}
			}
			return fs
		},
	}
	for _, f := range set.OfKind(files.KubeObjects) {
		parts = append(parts, func() finding.List {
			var fs finding.List
			if _, err := kube.DecodeStrict(f.Data); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					fs.Errorf(f.Path, "", "kubernetes-strict", "%s", line)
				}
			}
			return fs
		})
	}
	parts = append(parts,
		func() finding.List { return lintRendered(set, cat) },
		func() finding.List { return checkAlertLinks(set) },
	)
	found := make([]finding.List, len(parts))
	var wg sync.WaitGroup
	for i, check := range parts {
		wg.Go(func() { found[i] = check() })
	}
	wg.Wait()
	var fs finding.List
	for _, l := range found {
		fs.Add(l...)
	}
	return fs
}

// otelcolCheck runs the otelcol-check binary over every distinct rendered
// Collector config (the base's, which only its ConfigMaps hold, included)
// and turns its report into findings.
func otelcolCheck(bin string, set *files.Set) (finding.List, error) {
	tmp, err := os.MkdirTemp("", "genops-otelcol-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var args []string
	for _, f := range set.Distinct(files.CollectorConfig) {
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
