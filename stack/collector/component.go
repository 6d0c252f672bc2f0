package collector

import (
	"path"
	"strings"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
)

// ConfigPath is where the instance's config of environment env goes in out/:
// otel/<env>/<tier>.yaml.
func (in Instance) ConfigPath(env string) string {
	return path.Join("otel", env, strings.TrimPrefix(in.Name, "otel-")+".yaml")
}

// Component is the Collector of an environment: every instance's workload
// and generated config, each config also as otel/<env>/<tier>.yaml, the
// Honeycomb key's Secret when traces go there, and the checks of the
// instances and of the gateway's derivation.
func Component(s Spec, w Wiring, instances []Instance) (component.Component, error) {
	k, err := kubeComponent(s, w, instances)
	if err != nil {
		return component.Component{}, err
	}
	c := component.Component{Name: k.Name, Kube: k}
	for _, in := range instances {
		for _, g := range k.Generators {
			if g.Name != in.ConfigMapName() {
				continue
			}
			c.Files = append(c.Files, files.File{
				Path: in.ConfigPath(w.Environment),
				Kind: files.CollectorConfig, Data: g.Files[0].Data,
			})
		}
	}
	if h := w.Honeycomb; h != nil {
		c.Secrets = append(c.Secrets, component.Secret{
			Name: w.Namespace + "/" + h.Secret.Name, Keys: []string{h.Secret.Key},
			UsedBy: "the Collector tier that exports traces to Honeycomb (`HONEYCOMB_API_KEY`)",
		})
	}
	if a := s.Auth; a.Enabled {
		c.Secrets = append(c.Secrets, component.Secret{
			Name: w.Namespace + "/" + a.Secret, Keys: []string{a.Key},
			UsedBy: "the gateway's OTLP receivers (bearer token every sender presents) and the node agent (`" + TokenEnv + "`)",
		})
	}
	c.Check = func(artifact string) finding.List {
		fs := CheckSecurity(artifact, s)
		fs.Add(Check(artifact, instances)...)
		fs.Add(CheckDerivation(artifact, w.Catalog.Derived())...)
		return fs
	}
	return c, nil
}
