package pipeline

import (
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/dashjson"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/terraform"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/grafana"
)

// Output layout of Grafana, relative to the output directory.
const (
	dashboardsDir = "grafana/dashboards"
	terraformDir  = "terraform"
	// dashboardsArtifact names the dashboard definitions in findings.
	dashboardsArtifact = "dashboards"
)

// buildGrafana sets the environment's Grafana data sources and dashboards
// (built and rendered, or taken from another environment of the run with
// the same runbook URL) and returns the component of their ConfigMaps.
func (s *Stack) buildGrafana(list []func(dashboards.Inputs) *dashboard.DashboardBuilder, shared *sharedDashboards) (component.Component, error) {
	ns := s.Env.Namespaces.Monitoring
	ds, err := grafana.DataSources(ns, s.Env.Tracing)
	if err != nil {
		return component.Component{}, fmt.Errorf("grafana: %w", err)
	}
	in := dashboards.Inputs{Prometheus: grafana.PrometheusUID, Runbooks: strings.TrimSuffix(s.Env.Links.Runbooks, "/"), Teams: s.Teams}
	if s.Dashboards, err = shared.get(list, in); err != nil {
		return component.Component{}, err
	}
	s.DataSources = ds
	k := grafana.Component(ns, stack.CommonLabels, s.Dashboards)
	return component.Component{Name: k.Name, Kube: k}, nil
}

// sharedDashboards are the dashboards built for the environments of one
// run, by runbook URL: the only input of the dashboards that environments
// can set (the list and the teams are the run's content). The rendered
// dashboards are read-only.
type sharedDashboards struct {
	mu    sync.Mutex
	built map[string]*builtDashboards
}

type builtDashboards struct {
	once sync.Once
	ds   []grafana.Dashboard
	err  error
}

func newSharedDashboards() *sharedDashboards {
	return &sharedDashboards{built: map[string]*builtDashboards{}}
}

// get returns the dashboards of list for in, building them the first time.
func (c *sharedDashboards) get(list []func(dashboards.Inputs) *dashboard.DashboardBuilder, in dashboards.Inputs) ([]grafana.Dashboard, error) {
	c.mu.Lock()
	b, ok := c.built[in.Runbooks]
	if !ok {
		b = &builtDashboards{}
		c.built[in.Runbooks] = b
	}
	c.mu.Unlock()
	b.once.Do(func() { b.ds, b.err = buildDashboards(list, in) })
	return b.ds, b.err
}

// buildDashboards builds and renders every dashboard of list, and the
// pages of team rows that do not fit on FinOps.
func buildDashboards(list []func(dashboards.Inputs) *dashboard.DashboardBuilder, in dashboards.Inputs) ([]grafana.Dashboard, error) {
	builders := make([]*dashboard.DashboardBuilder, 0, len(list))
	for _, build := range list {
		builders = append(builders, build(in))
	}
	builders = append(builders, dashboards.FinOpsTeams(in)...)
	out := make([]grafana.Dashboard, 0, len(builders))
	for i, b := range builders {
		d, err := b.Build()
		if err != nil {
			return nil, fmt.Errorf("dashboard %d of the list: %w", i+1, err)
		}
		data, err := dashjson.Render(d)
		if err != nil {
			return nil, fmt.Errorf("dashboard %d of the list: %w", i+1, err)
		}
		out = append(out, grafana.Dashboard{UID: deref(d.Uid), Title: deref(d.Title), Panels: panels(d), JSON: data})
	}
	return out, nil
}

// checkDashboards runs the checks of the dashboard definitions. Every
// environment has the same dashboards, so they are checked once, in the base.
func checkDashboards(base *Stack) finding.List {
	return grafana.Check(dashboardsArtifact, base.Dashboards)
}

// renderGrafana writes the dashboards of the base, which every environment
// shares, and the Terraform that provisions Grafana in each environment.
func renderGrafana(set *files.Set, base *Stack, envs []*Stack) error {
	for _, d := range base.Dashboards {
		if err := set.Add(path.Join(dashboardsDir, d.FileName()), files.Dashboard, d.JSON); err != nil {
			return err
		}
	}
	tf := make([]grafana.Environment, len(envs))
	for i, s := range envs {
		tf[i] = grafana.Environment{Name: s.Env.Name, GrafanaURL: s.Env.Links.Grafana, DataSources: s.DataSources}
	}
	return grafana.Terraform(set, terraformDir, dashboardsDir, base.Dashboards, tf)
}

// validateGrafana checks the rendered dashboards JSON (each once, not again
// in its ConfigMap's copy), one dashboard per core at a time (strict decoding is the costly part), and the Terraform.
func validateGrafana(set *files.Set) finding.List {
	dash := set.Distinct(files.Dashboard)
	known := dashjson.Known(grafana.Known())
	results := make([]finding.List, len(dash))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range dash {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = dashjson.Check(f.Path, f.Data, known)
		})
	}
	wg.Wait()
	var fs finding.List
	for _, r := range results {
		fs.Add(r...)
	}
	fs.Add(terraform.Check(set, terraformDir)...)
	return fs
}

// panels counts the panels of d, those inside rows included.
func panels(d dashboard.Dashboard) int {
	n := 0
	for _, p := range d.Panels {
		if p.RowPanel != nil {
			n += len(p.RowPanel.Panels)
		} else {
			n++
		}
	}
	return n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
