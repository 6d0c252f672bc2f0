package logging

import (
	"fmt"
	"path"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
)

// Components are the log path of environment env: the Loki release (which
// carries the checks of s) and, where Promtail still ships logs, its
// release and configuration (logging/<env>/promtail.yaml). The Collector's
// filelog agent is part of the Collector component.
func Components(s Spec, env, workloadNamespace, monitoringNamespace string) ([]component.Component, error) {
	values, err := s.Loki.Values().YAML()
	if err != nil {
		return nil, fmt.Errorf("loki values: %w", err)
	}
	out := []component.Component{{
		Name:    "loki",
		Release: &component.Release{Name: "loki", Chart: LokiChartName, Repo: LokiChartRepo, Version: LokiChartVersion, Values: values},
		Check:   func(artifact string) finding.List { return Check(artifact, s) },
	}}
	if s.Agent != Promtail {
		return out, nil
	}
	cfg, err := PromtailConfigFor(workloadNamespace, monitoringNamespace).YAML()
	if err != nil {
		return nil, fmt.Errorf("promtail config: %w", err)
	}
	p := path.Join("logging", env, "promtail.yaml")
	return append(out, component.Component{
		Name: "promtail",
		// Promtail's chart lives in Grafana's repository, with Loki's; it
		// takes the whole configuration as a file.
		Release: &component.Release{Name: "promtail", Chart: "promtail", Repo: LokiChartRepo, Flags: "--set-file config.file=" + p},
		Files:   []files.File{{Path: p, Kind: files.PromtailConfig, Data: cfg}},
	}), nil
}
