package pipeline

import (
	"fmt"
	"path"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Output layout, relative to the output directory.
const (
	kubeBaseDir     = "kubernetes/base"
	kubeOverlaysDir = "kubernetes/overlays"
)

// Render turns the assembled base and environments into the files of out/.
func Render(base *Stack, envs []*Stack) (*files.Set, error) {
	set := files.NewSet()
	if err := kube.RenderBase(set, kubeBaseDir, component.Kube(base.Components), nil); err != nil {
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
	if err := set.Add(indexFile, files.Index, readme); err != nil {
		return nil, err
	}
	return set, nil
}

// renderEnvironment adds an environment's overlay over the base, and each
// component's values file and further files.
func renderEnvironment(set *files.Set, base, s *Stack) error {
	overlay := path.Join(kubeOverlaysDir, s.Env.Name)
	if err := kube.RenderOverlay(set, overlay, "../../base", component.Kube(base.Components), component.Kube(s.Components), nil); err != nil {
		return fmt.Errorf("kubernetes overlay: %w", err)
	}
	for _, c := range s.Components {
		if r := c.Release; r != nil && r.Values != nil {
			if err := set.Add(r.ValuesPath(s.Env.Name), files.ChartValues, r.Values); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
		}
		for _, f := range c.Files {
			if err := set.AddFile(f); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
		}
	}
	return nil
}

// scrapeConfigsPath is where an environment's raw scrape jobs go.
func scrapeConfigsPath(env string) string {
	return path.Join("prometheus", env, "scrape-configs.yaml")
}
