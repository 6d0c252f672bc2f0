package stack

import (
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/dashboards"
	"github.com/koshihq/genops-stack/internal/dashjson"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/terraform"
	"github.com/koshihq/genops-stack/stack/grafana"
)

// Output layout of Grafana, relative to the output directory.
const (
	dashboardsDir = "grafana/dashboards"
	terraformDir  = "terraform"
	// dashboardsArtifact names the dashboard definitions in findings.
	dashboardsArtifact = "dashboards"
)

// addGrafana adds Grafana to an assembled environment: its data sources
// (in the Helm values too), the dashboards of list built and rendered, and
// their ConfigMaps.
func (s *Stack) addGrafana(list []func(dashboards.Inputs) *dashboard.DashboardBuilder) error {
	ns := s.Env.Namespaces.Monitoring
	ds, err := grafana.DataSources(ns, s.Env.Tracing)
	if err != nil {
		return fmt.Errorf("grafana: %w", err)
	}
	in := dashboards.Inputs{Prometheus: grafana.PrometheusUID, Runbooks: strings.TrimSuffix(s.Env.Links.Runbooks, "/")}
	for i, build := range list {
		d, err := build(in).Build()
		if err != nil {
			return fmt.Errorf("dashboard %d of the list: %w", i+1, err)
		}
		data, err := dashjson.Render(d)
		if err != nil {
			return fmt.Errorf("dashboard %d of the list: %w", i+1, err)
		}
		s.Dashboards = append(s.Dashboards, grafana.Dashboard{UID: deref(d.Uid), Title: deref(d.Title), Panels: panels(d), JSON: data})
	}
	s.DataSources = ds
	s.Components = append(s.Components, grafana.Component(ns, CommonLabels, s.Dashboards))
	s.KubePrometheus.Grafana.AdditionalDataSources = grafana.HelmDataSources(ds)
	return nil
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
		if err := set.Add(path.Join(dashboardsDir, d.FileName()), d.JSON); err != nil {
			return err
		}
	}
	tf := make([]grafana.Environment, len(envs))
	for i, s := range envs {
		tf[i] = grafana.Environment{Name: s.Env.Name, GrafanaURL: s.Env.Links.Grafana, DataSources: s.DataSources}
	}
	return grafana.Terraform(set, terraformDir, dashboardsDir, base.Dashboards, tf)
}

// validateGrafana checks the rendered dashboards JSON, one dashboard per
// core at a time (strict decoding is the costly part), and the Terraform.
func validateGrafana(set *files.Set) finding.List {
	var dash []files.File
	for _, f := range set.Files() {
		if path.Dir(f.Path) == dashboardsDir && path.Ext(f.Path) == ".json" {
			dash = append(dash, f)
		}
	}
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
