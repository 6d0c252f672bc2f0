package pipeline

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/integrations"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Check runs the typed checks of one assembled environment: those of the
// environment itself, each component's own, and those across components
// (container posture, scrape coverage, sampling on the telemetry contract).
func Check(s *Stack) finding.List {
	var fs finding.List
	env := s.Env
	a := env.Artifact()
	if len(validation.IsDNS1123Label(env.Name)) > 0 {
		fs.Errorf(a, "environment", "environment-name", "name %q must be a DNS label (lower-case letters, digits, '-')", env.Name)
	}
	if env.Cluster == "" {
		fs.Errorf(a, "environment", "cluster-name", "has no cluster name: set Cluster, it becomes the cluster label of every series")
	}
	for what, ns := range map[string]string{"Monitoring": env.Namespaces.Monitoring, "Workloads": env.Namespaces.Workloads} {
		if len(validation.IsDNS1123Label(ns)) > 0 {
			fs.Errorf(a, "namespaces", "namespace-name", "Namespaces.%s %q must be a DNS label", what, ns)
		}
	}
	for _, t := range s.Teams {
		if slices.Contains(t.Namespaces, env.Namespaces.Monitoring) {
			fs.Errorf(a, "team "+t.Name, "team-namespace", "claims namespace %s, where the stack runs: its pods would be admitted to the gateway as GenOps workloads and charged to the team", env.Namespaces.Monitoring)
		}
	}
	for _, c := range s.Components {
		if c.Check != nil {
			fs.Add(c.Check(a)...)
		}
	}
	fs.Add(kube.CheckPosture(a, s.Objects(), s.Exceptions()...)...)
	fs.Add(sampling.Check(a, env.Sampling)...)
	fs.Add(sampling.CheckAttributes(a, env.Sampling, s.Catalog.Contract())...)
	fs.Add(scrape.CheckSpec(a, env.Scrape, env.Collector.ScrapeInterval)...)
	fs.Add(scrape.Check(a, s.Scrape, s.Objects(), env.Monitoring.SelectorLabels())...)
	fs.Add(integrations.Check(a, env.Integrations)...)
	fs.Add(s.Network.Check(a)...)
	fs.Add(netpol.CheckServices(a, s.Network, s.Objects())...)
	return fs
}
