package kube

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/koshihq/genops-stack/internal/files"
)

// Component is a named group of objects: one file of the base, e.g.
// "otel-collector.yaml", plus the ConfigMaps and Secrets kustomize generates
// from files (so a config change rolls the pods that mount it).
type Component struct {
	Name       string
	Objects    []Object
	Generators []Generator
	// Exceptions are the posture rules a container of the component is
	// allowed to break, each with its reason (see CheckPosture).
	Exceptions []Exception
}

// Generator is a ConfigMap or Secret that kustomize generates from files.
// Secrets generated this way hold configuration only, never secret values.
type Generator struct {
	Kind      string // "ConfigMap" or "Secret"
	Name      string
	Namespace string
	Files     []GeneratedFile
	// NoHash keeps the name stable for consumers outside kustomize (Helm
	// values naming the object), at the cost of no automatic rollout.
	NoHash bool
	// Labels and Annotations are put on the generated object.
	Labels, Annotations map[string]string
}

// GeneratedFile is one key of a generated ConfigMap or Secret.
type GeneratedFile struct {
	Key string
	// Kind is what the file holds: its checks read it by kind.
	Kind files.Kind
	Data []byte
}

// kustomization is the subset of kustomize's Kustomization that genops-stack writes.
type kustomization struct {
	APIVersion         string        `json:"apiVersion"`
	Kind               string        `json:"kind"`
	Resources          []string      `json:"resources,omitempty"`
	Labels             []labelSet    `json:"labels,omitempty"`
	ConfigMapGenerator []generatorKz `json:"configMapGenerator,omitempty"`
	SecretGenerator    []generatorKz `json:"secretGenerator,omitempty"`
	Patches            []patchKz     `json:"patches,omitempty"`
}

type labelSet struct {
	Pairs            map[string]string `json:"pairs"`
	IncludeSelectors bool              `json:"includeSelectors"`
	IncludeTemplates bool              `json:"includeTemplates"`
}

type generatorKz struct {
	Name      string       `json:"name"`
	Namespace string       `json:"namespace,omitempty"`
	Behavior  string       `json:"behavior,omitempty"`
	Files     []string     `json:"files"`
	Options   *genOptionKz `json:"options,omitempty"`
}

type genOptionKz struct {
	DisableNameSuffixHash bool              `json:"disableNameSuffixHash,omitempty"`
	Labels                map[string]string `json:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty"`
}

type patchKz struct {
	Path   string    `json:"path"`
	Target *targetKz `json:"target,omitempty"`
}

type targetKz struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// RenderBase adds a kustomize base to set under dir: kustomization.yaml, one
// <component>.yaml per component, and the files of its generators. Objects
// are converted through maps (nil: no memory).
func RenderBase(set *files.Set, dir string, comps []Component, labels map[string]string, maps *Maps) error {
	k := newKustomization(labels)
	for _, c := range comps {
		if len(c.Objects) > 0 {
			name := c.Name + ".yaml"
			if err := addDocs(set, path.Join(dir, name), c.Objects, maps); err != nil {
				return err
			}
			k.Resources = append(k.Resources, name)
		}
		for _, g := range c.Generators {
			if err := k.addGenerator(set, dir, g, ""); err != nil {
				return err
			}
		}
	}
	return addYAML(set, path.Join(dir, "kustomization.yaml"), files.Kustomization, k)
}

// RenderOverlay adds an overlay under dir that turns the base (rendered from
// base with RenderBase at baseRel, relative to dir) into env: objects only
// env has are added, objects that differ are patched with RFC 6902 JSON
// patches, objects env lacks (generated ones included) are deleted with a
// strategic-merge delete patch, and generated files that differ replace the
// base's. Objects are converted through maps (nil: no memory).
func RenderOverlay(set *files.Set, dir, baseRel string, base, env []Component, labels map[string]string, maps *Maps) error {
	k := newKustomization(labels)
	k.Resources = []string{baseRel}

	baseObjs, baseGens := index(base)
	envObjs, envGens := index(env)

	for _, c := range env {
		var added []Object
		for _, o := range c.Objects {
			if _, ok := baseObjs[IDOf(o)]; !ok {
				added = append(added, o)
			}
		}
		if len(added) > 0 {
			name := c.Name + ".yaml"
			if err := addDocs(set, path.Join(dir, name), added, maps); err != nil {
				return err
			}
			k.Resources = append(k.Resources, name)
		}
	}

	for _, id := range sortedIDs(baseObjs) {
		b := baseObjs[id]
		e, ok := envObjs[id]
		if !ok {
			p := patchPath(id, "delete-")
			del := map[string]any{
				"apiVersion": apiVersion(id), "kind": id.Kind,
				"metadata": metadata(id),
				"$patch":   "delete",
			}
			if err := addYAML(set, path.Join(dir, p), files.KustomizePatch, del); err != nil {
				return err
			}
			k.Patches = append(k.Patches, patchKz{Path: p})
			continue
		}
		bm, err := maps.Of(b)
		if err != nil {
			return err
		}
		em, err := maps.Of(e)
		if err != nil {
			return err
		}
		ops := Diff(bm, em)
		if len(ops) == 0 {
			continue
		}
		p := patchPath(id, "")
		if err := addYAML(set, path.Join(dir, p), files.KustomizePatch, ops); err != nil {
			return err
		}
		k.Patches = append(k.Patches, patchKz{Path: p, Target: &targetKz{
			Group: id.Group, Version: id.Version, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name,
		}})
	}

	for _, key := range sortedGenKeys(envGens) {
		g := envGens[key]
		bg, ok := baseGens[key]
		switch {
		case !ok:
			if err := k.addGenerator(set, dir, g, ""); err != nil {
				return err
			}
		case !reflect.DeepEqual(bg, g):
			if bg.NoHash != g.NoHash {
				return fmt.Errorf("%s %s/%s: an overlay cannot change whether the name is hashed", g.Kind, g.Namespace, g.Name)
			}
			if err := k.addGenerator(set, dir, g, "replace"); err != nil {
				return err
			}
		}
	}
	for _, key := range sortedGenKeys(baseGens) {
		if _, ok := envGens[key]; ok {
			continue
		}
		// A generated object the environment lacks is deleted by its
		// original name; kustomize resolves it to the hashed one.
		id := ID{Version: "v1", Kind: key.Kind, Namespace: key.Namespace, Name: key.Name}
		p := patchPath(id, "delete-")
		del := map[string]any{"apiVersion": "v1", "kind": key.Kind, "metadata": metadata(id), "$patch": "delete"}
		if err := addYAML(set, path.Join(dir, p), files.KustomizePatch, del); err != nil {
			return err
		}
		k.Patches = append(k.Patches, patchKz{Path: p})
	}
	return addYAML(set, path.Join(dir, "kustomization.yaml"), files.Kustomization, k)
}

func newKustomization(labels map[string]string) *kustomization {
	k := &kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization"}
	if len(labels) > 0 {
		k.Labels = []labelSet{{Pairs: labels}}
	}
	return k
}

func (k *kustomization) addGenerator(set *files.Set, dir string, g Generator, behavior string) error {
	gk := generatorKz{Name: g.Name, Namespace: g.Namespace, Behavior: behavior}
	if g.NoHash || len(g.Labels) > 0 || len(g.Annotations) > 0 {
		gk.Options = &genOptionKz{DisableNameSuffixHash: g.NoHash, Labels: g.Labels, Annotations: g.Annotations}
	}
	for _, f := range g.Files {
		rel := path.Join(g.Name, f.Key)
		if err := set.AddFile(files.File{Path: path.Join(dir, rel), Kind: f.Kind, Data: f.Data, GeneratorInput: true}); err != nil {
			return err
		}
		gk.Files = append(gk.Files, rel)
	}
	switch g.Kind {
	case "ConfigMap":
		k.ConfigMapGenerator = append(k.ConfigMapGenerator, gk)
	case "Secret":
		k.SecretGenerator = append(k.SecretGenerator, gk)
	default:
		return fmt.Errorf("generator %s: kind %q is neither ConfigMap nor Secret", g.Name, g.Kind)
	}
	return nil
}

type genKey struct{ Kind, Namespace, Name string }

func index(comps []Component) (map[ID]Object, map[genKey]Generator) {
	objs := map[ID]Object{}
	gens := map[genKey]Generator{}
	for _, c := range comps {
		for _, o := range c.Objects {
			objs[IDOf(o)] = o
		}
		for _, g := range c.Generators {
			gens[genKey{g.Kind, g.Namespace, g.Name}] = g
		}
	}
	return objs, gens
}

func sortedIDs(m map[ID]Object) []ID {
	ids := make([]ID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	return ids
}

func sortedGenKeys(m map[genKey]Generator) []genKey {
	ks := make([]genKey, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		return ks[i].Kind+"/"+ks[i].Namespace+"/"+ks[i].Name < ks[j].Kind+"/"+ks[j].Namespace+"/"+ks[j].Name
	})
	return ks
}

func patchPath(id ID, prefix string) string {
	parts := []string{strings.ToLower(id.Kind)}
	if id.Namespace != "" {
		parts = append(parts, id.Namespace)
	}
	parts = append(parts, id.Name)
	return "patches/" + prefix + strings.Join(parts, "-") + ".yaml"
}

func apiVersion(id ID) string {
	if id.Group == "" {
		return id.Version
	}
	return id.Group + "/" + id.Version
}

func metadata(id ID) map[string]any {
	m := map[string]any{"name": id.Name}
	if id.Namespace != "" {
		m["namespace"] = id.Namespace
	}
	return m
}

func addDocs(set *files.Set, p string, objs []Object, maps *Maps) error {
	data, err := MarshalDocs(objs, maps)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return set.Add(p, files.KubeObjects, files.WithHashHeader(data))
}

func addYAML(set *files.Set, p string, k files.Kind, v any) error {
	data, err := files.MarshalYAML(v)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return set.Add(p, k, files.WithHashHeader(data))
}
