package tracing

import (
	"fmt"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/finding"
)

// Component is the trace backend b in namespace ns: Tempo, which the stack
// runs itself (its StatefulSet, Service and generated config), or the Jaeger
// release (and the Secret of its Elasticsearch password). It carries the
// checks of the chosen backend's settings.
func Component(b Backend, t TempoSpec, j JaegerSpec, ns string, labels map[string]string) (component.Component, error) {
	check := func(artifact string) finding.List { return Check(artifact, b, t, j) }
	switch b {
	case Tempo:
		k, err := TempoComponent(t, ns, labels)
		if err != nil {
			return component.Component{}, err
		}
		return component.Component{Name: k.Name, Kube: k, Check: check}, nil
	case Jaeger:
		values, err := j.Values().YAML()
		if err != nil {
			return component.Component{}, fmt.Errorf("jaeger values: %w", err)
		}
		c := component.Component{
			Name:    jaegerService,
			Release: &component.Release{Name: "jaeger", Chart: JaegerChartName, Repo: JaegerChartRepo, Version: JaegerChartVersion, Values: values},
			Check:   check,
		}
		if es := j.Elasticsearch; es != nil {
			c.Secrets = []component.Secret{{
				Name: ns + "/" + es.PasswordSecret, Keys: []string{es.PasswordKey},
				UsedBy: "Jaeger's Elasticsearch password (`ES_PASSWORD`)",
			}}
		}
		return c, nil
	}
	return component.Component{}, b.unknown()
}
