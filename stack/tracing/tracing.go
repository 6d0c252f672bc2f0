// Package tracing owns the trace backend of an environment: Tempo, run by
// genops-stack (its config, StatefulSet and Service), or Jaeger, installed
// from its Helm chart with the values rendered here. It is the one place that
// knows the backends' in-cluster URLs: the Collector's OTLP exporter and the
// Grafana data source both take them from here.
package tracing

import "fmt"

// Backend names a trace store.
type Backend string

// The supported backends.
const (
	Tempo  Backend = "tempo"
	Jaeger Backend = "jaeger"
)

// Service names and ports of the backends. Jaeger's names follow from the
// chart's fullnameOverride in JaegerValues.
const (
	tempoService  = "tempo"
	jaegerService = "jaeger"
	portTempoHTTP = 3200
	portOTLPGRPC  = 4317
	portOTLPHTTP  = 4318
	portJaegerUI  = 16686
)

func (b Backend) unknown() error {
	return fmt.Errorf("unknown tracing backend %q (want %q or %q)", b, Tempo, Jaeger)
}

// OTLPEndpoint is the host:port of the backend's OTLP gRPC receiver in namespace ns.
func (b Backend) OTLPEndpoint(ns string) (string, error) {
	switch b {
	case Tempo:
		return fmt.Sprintf("%s.%s.svc:%d", tempoService, ns, portOTLPGRPC), nil
	case Jaeger:
		return fmt.Sprintf("%s.%s.svc:%d", jaegerService, ns, portOTLPGRPC), nil
	}
	return "", b.unknown()
}

// QueryURL is the URL Grafana's trace data source queries in namespace ns:
// Tempo's HTTP API, or Jaeger's query service.
func (b Backend) QueryURL(ns string) (string, error) {
	switch b {
	case Tempo:
		return fmt.Sprintf("http://%s.%s.svc:%d", tempoService, ns, portTempoHTTP), nil
	case Jaeger:
		return fmt.Sprintf("http://%s.%s.svc:%d", jaegerService, ns, portJaegerUI), nil
	}
	return "", b.unknown()
}

// Backends are the supported backends, in a stable order.
func Backends() []Backend { return []Backend{Tempo, Jaeger} }
