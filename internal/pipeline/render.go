package pipeline

import (
	"fmt"
	"path"
	"sync"

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
// The base, the rule files, each environment's overlay and the Grafana files
// are rendered at the same time, each into a set of its own; the sets are
// merged in that order, and out/README.md, which reads them, comes last. The
// error is the first in that order.
func Render(base *Stack, envs []*Stack) (*files.Set, error) {
	return render(base, envs, &kube.Maps{})
}

// render is Render converting each object to its map form once, through
// maps, which the policies of the run read after it.
func render(base *Stack, envs []*Stack, maps *kube.Maps) (*files.Set, error) {
	parts := []func(*files.Set) error{
		func(set *files.Set) error {
			if err := kube.RenderBase(set, kubeBaseDir, component.Kube(base.Components), nil, maps); err != nil {
				return fmt.Errorf("kubernetes base: %w", err)
			}
			return nil
		},
		func(set *files.Set) error {
			if err := renderRules(set, base); err != nil {
				return fmt.Errorf("prometheus rules: %w", err)
			}
			return nil
		},
	}
	for _, s := range envs {
		parts = append(parts, func(set *files.Set) error {
			if err := renderEnvironment(set, base, s, maps); err != nil {
				return fmt.Errorf("%s: %w", s.Env.Artifact(), err)
			}
			return nil
		})
	}
	parts = append(parts, func(set *files.Set) error {
		if err := renderGrafana(set, base, envs); err != nil {
			return fmt.Errorf("grafana: %w", err)
		}
		return nil
	})
	sets := make([]*files.Set, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, render := range parts {
		sets[i] = files.NewSet()
		wg.Go(func() { errs[i] = render(sets[i]) })
	}
	wg.Wait()
	set := files.NewSet()
	for i := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if err := set.Merge(sets[i]); err != nil {
			return nil, err
		}
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
func renderEnvironment(set *files.Set, base, s *Stack, maps *kube.Maps) error {
	overlay := path.Join(kubeOverlaysDir, s.Env.Name)
	if err := kube.RenderOverlay(set, overlay, "../../base", component.Kube(base.Components), component.Kube(s.Components), nil, maps); err != nil {
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
