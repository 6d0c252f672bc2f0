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

// QueryURL is the in-cluster URL Grafana queries the backend at in namespace ns.
func (b Backend) QueryURL(ns string) (string, error) {
	switch b {
	case Tempo:
		return fmt.Sprintf("http://tempo.%s.svc:3200", ns), nil
	case Jaeger:
		return fmt.Sprintf("http://jaeger-query.%s.svc:16686", ns), nil
	}
	return "", fmt.Errorf("unknown tracing backend %q (want %q or %q)", b, Tempo, Jaeger)
}

// Backends are the supported backends, in a stable order.
func Backends() []Backend { return []Backend{Tempo, Jaeger} }
