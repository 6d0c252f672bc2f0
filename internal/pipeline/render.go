package pipeline

import (
	"fmt"
	"path"
	"strings"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// Output layout, relative to the output directory.
const (
	kubeBaseDir     = "kubernetes/base"
	kubeOverlaysDir = "kubernetes/overlays"
)

// Render turns the assembled base and environments into the files of out/.
func Render(base *Stack, envs []*Stack) (*files.Set, error) {
	set := files.NewSet()
	if err := kube.RenderBase(set, kubeBaseDir, base.Components, nil); err != nil {
		return nil, fmt.Errorf("kubernetes base: %w", err)
	}
	if err := renderRules(set, base); err != nil {
		return nil, fmt.Errorf("prometheus rules: %w", err)
	}
	for _, s := range envs {
		if err := renderEnvironment(set, base, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Env.Artifact(), err)
		}
	}
	if err := renderGrafana(set, base, envs); err != nil {
		return nil, fmt.Errorf("grafana: %w", err)
	}
	readme, err := index(set, base, envs)
	if err != nil {
		return nil, err
	}
	if err := set.Add(indexFile, readme); err != nil {
		return nil, err
	}
	return set, nil
}

func renderEnvironment(set *files.Set, base, s *Stack) error {
	name := s.Env.Name
	overlay := path.Join(kubeOverlaysDir, name)
	if err := kube.RenderOverlay(set, overlay, "../../base", base.Components, s.Components, nil); err != nil {
		return fmt.Errorf("kubernetes overlay: %w", err)
	}
	for _, in := range s.Collectors {
		// The config as rendered once, for the instance's ConfigMap.
		cfg, ok := generatedFile(s.Components, in.ConfigMapName(), collector.ConfigKey)
		if !ok {
			return fmt.Errorf("collector %s: no generated ConfigMap %s", in.Name, in.ConfigMapName())
		}
		if err := set.Add(path.Join("otel", name, strings.TrimPrefix(in.Name, "otel-")+".yaml"), cfg); err != nil {
			return err
		}
	}
	if err := renderAlerting(set, s); err != nil {
		return err
	}
	values, err := s.KubePrometheus.YAML()
	if err != nil {
		return fmt.Errorf("kube-prometheus-stack values: %w", err)
	}
	if err := set.Add(path.Join("helm", name, kubeprometheus.ChartName+".values.yaml"), values); err != nil {
		return err
	}
	return renderBackends(set, s)
}

// renderBackends adds the environment's raw scrape jobs, the Loki values and,
// when chosen, the Jaeger values and the Promtail configuration.
func renderBackends(set *files.Set, s *Stack) error {
	name := s.Env.Name
	jobs, err := scrape.YAML(s.Scrape.PrometheusJobs)
	if err != nil {
		return fmt.Errorf("scrape configs: %w", err)
	}
	loki, err := s.Loki.YAML()
	if err != nil {
		return fmt.Errorf("loki values: %w", err)
	}
	out := map[string][]byte{
		scrapeConfigsPath(name): jobs,
		path.Join("helm", name, logging.LokiChartName+".values.yaml"): loki,
	}
	if s.Jaeger != nil {
		if out[path.Join("helm", name, tracing.JaegerChartName+".values.yaml")], err = s.Jaeger.YAML(); err != nil {
			return fmt.Errorf("jaeger values: %w", err)
		}
	}
	if s.Promtail != nil {
		if out[path.Join("logging", name, "promtail.yaml")], err = s.Promtail.YAML(); err != nil {
			return fmt.Errorf("promtail config: %w", err)
		}
	}
	for p, data := range out {
		if err := set.Add(p, data); err != nil {
			return err
		}
	}
	return nil
}

// generatedFile returns the file key of the generated object named name.
func generatedFile(comps []kube.Component, name, key string) ([]byte, bool) {
	for _, c := range comps {
		for _, g := range c.Generators {
			if g.Name != name {
				continue
			}
			for _, f := range g.Files {
				if f.Key == key {
					return f.Data, true
				}
			}
		}
	}
	return nil, false
}

// scrapeConfigsPath is where an environment's raw scrape jobs go.
func scrapeConfigsPath(env string) string {
	return path.Join("prometheus", env, "scrape-configs.yaml")
}
