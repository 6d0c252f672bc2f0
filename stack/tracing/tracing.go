// Package tracing owns the trace backend of an environment: Tempo, run by
// genops-stack, or Jaeger, installed from its Helm chart.
package tracing

import "fmt"

// Backend names a trace store.
type Backend string

// The supported backends.
const (
	Tempo  Backend = "tempo"
	Jaeger Backend = "jaeger"
)

// OTLPEndpoint is the host:port of the backend's OTLP gRPC receiver in namespace ns.
func (b Backend) OTLPEndpoint(ns string) (string, error) {
	switch b {
	case Tempo:
		return fmt.Sprintf("tempo.%s.svc:4317", ns), nil
	case Jaeger:
		return fmt.Sprintf("jaeger-collector.%s.svc:4317", ns), nil
	}
	return "", fmt.Errorf("unknown tracing backend %q (want %q or %q)", b, Tempo, Jaeger)
}
