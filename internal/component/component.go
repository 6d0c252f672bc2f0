// Package component is the shape every part of the stack takes: one value
// that says what the part deploys (Kubernetes objects, a Helm release),
// which Secrets it reads, which further files it adds to out/ and what its
// own checks find. The pipeline builds, renders, validates and lists the
// components of an environment by looping over them; nothing else needs to
// know a component by name.
package component

import (
	"path"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Component is one part of the stack in one environment.
type Component struct {
	// Name names the component: its base file (kubernetes/base/<Name>.yaml)
	// when it has Kubernetes objects, and its rows in out/README.md.
	Name string
	// Kube are the Kubernetes objects and generated configs it deploys
	// through the kustomize base and overlays (none when a chart deploys it).
	Kube kube.Component
	// Release is the Helm release that deploys it, when a chart does.
	Release *Release
	// Secrets are the Secrets it reads and never generates.
	Secrets []Secret
	// Files are the further files it adds to out/, each with its kind:
	// per-environment configs under <folder>/<env>/ (paths relative to out/).
	Files []files.File
	// Check runs its own checks; artifact names the environment.
	Check func(artifact string) finding.List
}

// Release is a Helm release of a chart, pinned.
type Release struct {
	// Name is the release's name.
	Name  string
	Chart string
	Repo  string
	// Version pins the chart; empty only for a chart installed by flags
	// alone, without a values file.
	Version string
	// Values are the rendered values file; nil when the chart takes none.
	Values []byte
	// Flags are further flags of `helm upgrade --install`.
	Flags string
}

// ValuesPath is where an environment's values for the release go.
func (r Release) ValuesPath(env string) string {
	return path.Join("helm", env, r.Chart+".values.yaml")
}

// Secret is a Secret a component reads: the stack never generates its value.
type Secret struct {
	// Name is namespace/name.
	Name string
	// Keys are the keys the component reads.
	Keys []string
	// UsedBy says who reads it and how, for out/README.md.
	UsedBy string
}

// Objects returns the Kubernetes objects of every component.
func Objects(cs []Component) []kube.Object {
	var objs []kube.Object
	for _, c := range cs {
		objs = append(objs, c.Kube.Objects...)
	}
	return objs
}

// Exceptions returns every posture exception the components declare.
func Exceptions(cs []Component) []kube.Exception {
	var es []kube.Exception
	for _, c := range cs {
		es = append(es, c.Kube.Exceptions...)
	}
	return es
}

// Kube returns the kustomize components of cs, in order.
func Kube(cs []Component) []kube.Component {
	out := make([]kube.Component, 0, len(cs))
	for _, c := range cs {
		k := c.Kube
		if k.Name == "" {
			k.Name = c.Name
		}
		out = append(out, k)
	}
	return out
}
