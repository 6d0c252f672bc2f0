// Package logging owns the log path of an environment: Loki, installed from
// the maintained grafana/loki chart (single-binary mode, a persistent volume,
// retention), and how container logs reach it. The supported path is the
// Collector's filelog agent (stack/collector runs it); Promtail, which
// reached end of life, gets its typed configuration here for teams still
// running it.
package logging

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Agent is what ships container logs to Loki.
type Agent string

// The log agents.
const (
	// Filelog is the Collector's filelog receiver on every node: the
	// supported path.
	Filelog Agent = "filelog"
	// Promtail is end-of-life; genops-stack renders its configuration only.
	Promtail Agent = "promtail"
)

// Spec is what an environment decides about logs.
type Spec struct {
	Agent Agent
	Loki  LokiSpec
}

// LokiSpec sizes Loki.
type LokiSpec struct {
	// Retention is how long logs are kept (a multiple of 24h: Loki's index
	// period).
	Retention time.Duration
	// Storage is the persistent volume of the single binary.
	Storage   resource.Quantity
	Resources kube.Resources
}

// lokiService is the Service of the single binary; it follows from the
// chart's fullnameOverride in Values.
const (
	lokiService = "loki"
	lokiPort    = 3100
)

// QueryURL is Loki's URL in namespace ns, for Grafana's data source.
func QueryURL(ns string) string { return fmt.Sprintf("http://%s.%s.svc:%d", lokiService, ns, lokiPort) }

// OTLPEndpoint is Loki's OTLP endpoint; the Collector's otlphttp exporter
// appends /v1/logs.
func OTLPEndpoint(ns string) string { return QueryURL(ns) + "/otlp" }

// PushURL is Loki's push API, where Promtail sends.
func PushURL(ns string) string { return QueryURL(ns) + "/loki/api/v1/push" }

// Check reports a log setup that would not run: an unknown agent, a
// retention Loki's compactor cannot apply, no volume.
func Check(artifact string, s Spec) finding.List {
	var fs finding.List
	switch s.Agent {
	case Filelog, Promtail:
	default:
		fs.Errorf(artifact, "logging", "log-agent", "unknown log agent %q: want %q (supported) or %q (end-of-life)", s.Agent, Filelog, Promtail)
	}
	if r := s.Loki.Retention; r <= 0 || r%(24*time.Hour) != 0 {
		fs.Errorf(artifact, "loki", "loki-retention", "retention %s must be a positive multiple of 24h, Loki's index period", r)
	}
	if s.Loki.Storage.IsZero() {
		fs.Errorf(artifact, "loki", "loki-storage", "has no persistent volume size: logs would not survive a restart")
	}
	return fs
}
