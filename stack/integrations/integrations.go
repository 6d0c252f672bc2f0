// Package integrations owns the vendor integrations an environment may turn
// on: Honeycomb, which receives the kept traces from the Collector over
// OTLP with an API key read from a Secret, and Datadog, whose Agent scrapes
// the GenOps metrics listed in the metric catalog. Every integration is off
// unless an environment enables it.
package integrations

import (
	"github.com/koshihq/genops-stack/internal/finding"
)

// Spec is what an environment decides about vendor integrations.
type Spec struct {
	Honeycomb Honeycomb
	Datadog   Datadog
}

// Honeycomb sends traces to Honeycomb. The API key stays in an existing
// Secret: the Collector container reads it into HONEYCOMB_API_KEY and the
// exporter header refers to ${env:HONEYCOMB_API_KEY}.
type Honeycomb struct {
	Enabled bool
	// Endpoint is Honeycomb's OTLP gRPC host:port: api.honeycomb.io:443, or
	// api.eu1.honeycomb.io:443 for the EU region.
	Endpoint string
	// Secret and Key name the Secret key holding the API key.
	Secret, Key string
}

// Check reports an enabled integration that cannot work.
func Check(artifact string, s Spec) finding.List {
	var fs finding.List
	if h := s.Honeycomb; h.Enabled && (h.Endpoint == "" || h.Secret == "" || h.Key == "") {
		fs.Errorf(artifact, "honeycomb", "honeycomb", "is enabled but needs Endpoint, Secret and Key: the API key is read from that Secret, never written in the config")
	}
	if d := s.Datadog; d.Enabled && d.AgentNamespace == "" {
		fs.Errorf(artifact, "datadog", "datadog", "is enabled but names no AgentNamespace: the gateway's NetworkPolicy admits the Agent's pods by their namespace")
	}
	return fs
}
