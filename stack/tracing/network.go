package tracing

import (
	"github.com/koshihq/genops-stack/stack/netpol"
)

// Network returns the trace backend's endpoint in namespace ns and who may
// reach it: the Collector instances that export traces (senders), on the
// OTLP ports, and Grafana (reader), on the query port. Tempo's pods are the
// stack's own; Jaeger's are the chart's (app.kubernetes.io/name and
// instance, the chart's selector labels), whose chart (4.4.0) has a
// networkPolicy value but no template that reads it, so genops-stack
// renders the policy for both.
func Network(b Backend, ns string, senders []string, reader string) ([]netpol.Endpoint, []netpol.Allow, error) {
	var e netpol.Endpoint
	query := "http"
	switch b {
	case Tempo:
		e = netpol.Endpoint{Component: tempoService, Namespace: ns, Pods: map[string]string{"app.kubernetes.io/name": tempoService},
			Ports: []netpol.Port{{Name: "http", Port: portTempoHTTP}, {Name: "otlp-grpc", Port: portOTLPGRPC}, {Name: "otlp-http", Port: portOTLPHTTP}}}
	case Jaeger:
		query = "query"
		e = netpol.Endpoint{Component: jaegerService, Namespace: ns,
			Pods:  map[string]string{"app.kubernetes.io/name": jaegerService, "app.kubernetes.io/instance": "jaeger"},
			Ports: []netpol.Port{{Name: "query", Port: portJaegerUI}, {Name: "otlp-grpc", Port: portOTLPGRPC}, {Name: "otlp-http", Port: portOTLPHTTP}}}
	default:
		return nil, nil, b.unknown()
	}
	var allows []netpol.Allow
	for _, s := range senders {
		allows = append(allows, netpol.Allow{To: e.Component, Ports: []string{"otlp-grpc", "otlp-http"}, From: netpol.Peer{Component: s},
			Why: "the Collector tier that exports traces sends them by OTLP"})
	}
	allows = append(allows, netpol.Allow{To: e.Component, Ports: []string{query}, From: netpol.Peer{Component: reader},
		Why: "Grafana queries traces (data source genops-traces)"})
	return []netpol.Endpoint{e}, allows, nil
}
