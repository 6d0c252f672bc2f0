package collector

import (
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/netpol"
)

// Network returns the endpoints of the Collector's instances and who may
// reach each port:
//
//   - the gateway's OTLP ports: pods of the namespaces labelled as GenOps
//     workloads (Wiring.Workloads) and, where it runs, the node agent;
//   - the sampling tier's OTLP port: the gateway;
//   - every instance's telemetry port and the gateway's prometheus
//     exporter: the scraper (Wiring.Scraper, Prometheus).
//
// The health port is no endpoint port anyone may reach: only the kubelet
// on the pod's own node calls it, which NetworkPolicy never blocks.
func Network(w Wiring, instances []Instance) ([]netpol.Endpoint, []netpol.Allow) {
	var eps []netpol.Endpoint
	var allows []netpol.Allow
	has := map[string]bool{}
	for _, in := range instances {
		has[in.Name] = true
	}
	for _, in := range instances {
		eps = append(eps, netpol.Endpoint{
			Component: in.Name, Namespace: w.Namespace, Pods: Selector(in.Name), Ports: endpointPorts(in.Ports),
		})
		allows = append(allows, netpol.Allow{
			To: in.Name, Ports: []string{TelemetryPortName}, From: netpol.Peer{Component: w.Scraper},
			Why: "Prometheus scrapes the Collector's own metrics (job otel-collector)",
		})
		switch in.Name {
		case GatewayName:
			allows = append(allows,
				netpol.Allow{
					To: in.Name, Ports: []string{PrometheusPortName}, From: netpol.Peer{Component: w.Scraper},
					Why: "Prometheus scrapes the metrics the gateway derives (job genops-otel-metrics)",
				},
				netpol.Allow{
					To: in.Name, Ports: []string{otlpGRPCPortName, otlpHTTPPortName}, From: netpol.Peer{Namespaces: &w.Workloads},
					Why: "GenOps workloads send OTLP from namespaces labelled " + w.Workloads.String(),
				})
			if has[AgentName] {
				allows = append(allows, netpol.Allow{
					To: in.Name, Ports: []string{otlpGRPCPortName}, From: netpol.Peer{Component: AgentName},
					Why: "the node agent forwards container logs",
				})
			}
		case SamplerName:
			allows = append(allows, netpol.Allow{
				To: in.Name, Ports: []string{otlpGRPCPortName}, From: netpol.Peer{Component: GatewayName},
				Why: "the gateway sends every trace to the sampling tier",
			})
		}
	}
	return eps, allows
}

// TraceExporter is the instance whose traces leave the Collector: the
// sampling tier where there is one, the gateway otherwise.
func TraceExporter(instances []Instance) string {
	for _, in := range instances {
		if in.Name == SamplerName {
			return SamplerName
		}
	}
	return GatewayName
}

// LogExporter is the instance that pushes logs to Loki.
func LogExporter() string { return GatewayName }

// endpointPorts are the ports other pods may be admitted to: all but the
// health port.
func endpointPorts(ps []kube.Port) []netpol.Port {
	var out []netpol.Port
	for _, p := range ps {
		if p.Name != healthPortName {
			out = append(out, netpol.Port{Name: p.Name, Port: p.Port})
		}
	}
	return out
}
