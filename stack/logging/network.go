package logging

import (
	"github.com/koshihq/genops-stack/stack/netpol"
)

// Loki's single binary, as the grafana/loki chart labels it.
var lokiPods = map[string]string{
	"app.kubernetes.io/name":      "loki",
	"app.kubernetes.io/instance":  "loki",
	"app.kubernetes.io/component": "single-binary",
}

// Network returns Loki's endpoint (and Promtail's, where it runs) in
// namespace ns. Allows says who may reach Loki: the Collector instance pushing logs
// by OTLP (pusher), Promtail where it ships logs, Grafana (reader), and
// Loki's own replicas on their gRPC and memberlist ports.
//
// The Loki chart's own policies (networkPolicy.enabled) are not used: they
// are written for a namespace of Loki's own. Its "namespace-only" policy
// selects every pod of the release's namespace (monitoring, here) for
// ingress and egress and lets them reach only pods of that namespace, which
// would cut Prometheus, Alertmanager and the Collector off from everything
// outside it (DNS included) and admit every pod of the namespace to every
// other; and in single-binary mode its one ingress rule (port http-metrics)
// admits everyone unless networkPolicy.metrics.cidrs lists the kubelet's
// networks. genops-stack renders Loki's policy instead, and the chart's
// stays off.
func Network(s Spec, ns string) []netpol.Endpoint {
	eps := []netpol.Endpoint{{Component: lokiService, Namespace: ns, Pods: lokiPods,
		Ports: []netpol.Port{{Name: "http-metrics", Port: lokiPort}, {Name: "grpc", Port: 9095}, {Name: "http-memberlist", Port: 7946}}}}
	if s.Agent == Promtail {
		eps = append(eps, netpol.Endpoint{Component: "promtail", Namespace: ns,
			Pods:  map[string]string{"app.kubernetes.io/name": "promtail", "app.kubernetes.io/instance": "promtail"},
			Ports: []netpol.Port{{Name: "http-metrics", Port: 3101}}, Chart: "promtail"})
	}
	return eps
}

// Allows are who may reach Loki (see Network).
func Allows(s Spec, pusher, reader string) []netpol.Allow {
	allows := []netpol.Allow{
		{To: lokiService, Ports: []string{"http-metrics"}, From: netpol.Peer{Component: pusher}, Why: "the gateway pushes logs to Loki's OTLP endpoint"},
		{To: lokiService, Ports: []string{"http-metrics"}, From: netpol.Peer{Component: reader}, Why: "Grafana queries logs (data source genops-loki)"},
		{To: lokiService, Ports: []string{"grpc", "http-memberlist"}, From: netpol.Peer{Component: lokiService}, Why: "Loki's replicas talk to each other (ring, queries) when there are several"},
	}
	if s.Agent == Promtail {
		allows = append(allows, netpol.Allow{To: lokiService, Ports: []string{"http-metrics"}, From: netpol.Peer{Component: "promtail"}, Why: "Promtail pushes container logs"})
	}
	return allows
}
