package netpol_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// A source of traffic: a pod in a namespace (its labels as the cluster
// would see them) or an address outside every pod network.
type source struct {
	ns       string
	nsLabels map[string]string
	pod      map[string]string
	ip       string
	extern   bool
}

// features are what decides which cases apply to an environment.
type features struct {
	sampler, agent, tempo, promtail, datadog bool
}

// flow is one case of the table: from a source to a port of a component,
// allowed or not, where when holds.
type flow struct {
	from, to, port string
	allowed        bool
	when           func(features) bool
}

func always(features) bool    { return true }
func sampler(f features) bool { return f.sampler }
func noSampler(f features) bool {
	return !f.sampler
}
func agent(f features) bool     { return f.agent }
func tempo(f features) bool     { return f.tempo }
func jaeger(f features) bool    { return !f.tempo }
func promtail(f features) bool  { return f.promtail }
func datadog(f features) bool   { return f.datadog }
func noDatadog(f features) bool { return !f.datadog }
func tempoTail(f features) bool { return f.tempo && f.sampler }

// flows is the table. It is written by hand from the trust
// boundaries, not derived from the rules the policies are compiled from:
// OTLP into the gateway only from GenOps workload namespaces and the node
// agent; the sampler only from the gateway; the trace and log stores only
// from the Collectors and Grafana; scrape ports only from Prometheus (and
// the Datadog Agent, on the gateway's exporter, where Datadog is on).
var flows = []flow{
	// The gateway.
	{"workload", "otel-collector", "otlp-grpc", true, always},
	{"workload", "otel-collector", "otlp-http", true, always},
	{"team-pod", "otel-collector", "otlp-grpc", true, always},
	{"team-pod", "otel-collector", "otlp-http", true, always},
	{"stranger", "otel-collector", "otlp-grpc", false, always},
	{"stranger", "otel-collector", "otlp-http", false, always},
	{"monitoring-pod", "otel-collector", "otlp-http", false, always},
	{"ingress", "otel-collector", "otlp-http", false, always},
	{"external", "otel-collector", "otlp-grpc", false, always},
	{"otel-collector-agent", "otel-collector", "otlp-grpc", true, agent},
	{"otel-collector-agent", "otel-collector", "otlp-http", false, agent},
	{"prometheus", "otel-collector", "otlp-grpc", false, always},
	{"prometheus", "otel-collector", "metrics", true, always},
	{"workload", "otel-collector", "metrics", false, always},
	{"grafana", "otel-collector", "metrics", false, always},
	{"prometheus", "otel-collector", "prometheus", true, always},
	{"workload", "otel-collector", "prometheus", false, always},
	{"stranger", "otel-collector", "prometheus", false, always},
	{"datadog-agent", "otel-collector", "prometheus", true, datadog},
	{"datadog-agent", "otel-collector", "prometheus", false, noDatadog},
	{"datadog-agent", "otel-collector", "metrics", false, always},
	{"stranger", "otel-collector", "health", false, always},
	{"prometheus", "otel-collector", "health", false, always},
	// The cluster collector.
	{"prometheus", "otel-collector-cluster", "metrics", true, always},
	{"workload", "otel-collector-cluster", "metrics", false, always},
	{"otel-collector", "otel-collector-cluster", "metrics", false, always},
	// The sampling tier.
	{"otel-collector", "otel-collector-sampler", "otlp-grpc", true, sampler},
	{"workload", "otel-collector-sampler", "otlp-grpc", false, sampler},
	{"team-pod", "otel-collector-sampler", "otlp-grpc", false, sampler},
	{"otel-collector-agent", "otel-collector-sampler", "otlp-grpc", false, func(f features) bool { return f.sampler && f.agent }},
	{"prometheus", "otel-collector-sampler", "metrics", true, sampler},
	{"otel-collector", "otel-collector-sampler", "metrics", false, sampler},
	// The node agent.
	{"prometheus", "otel-collector-agent", "metrics", true, agent},
	{"workload", "otel-collector-agent", "metrics", false, agent},
	// Tempo.
	{"otel-collector-sampler", "tempo", "otlp-grpc", true, tempoTail},
	{"otel-collector-sampler", "tempo", "otlp-http", true, tempoTail},
	{"otel-collector", "tempo", "otlp-grpc", false, tempoTail},
	{"otel-collector", "tempo", "otlp-grpc", true, func(f features) bool { return f.tempo && !f.sampler }},
	{"workload", "tempo", "otlp-grpc", false, tempo},
	{"workload", "tempo", "otlp-http", false, tempo},
	{"stranger", "tempo", "otlp-grpc", false, tempo},
	{"grafana", "tempo", "http", true, tempo},
	{"prometheus", "tempo", "http", false, tempo},
	{"workload", "tempo", "http", false, tempo},
	{"alertmanager", "tempo", "http", false, tempo},
	{"stranger", "tempo", "http", false, tempo},
	// Jaeger.
	{"otel-collector", "jaeger", "otlp-grpc", true, func(f features) bool { return !f.tempo && noSampler(f) }},
	{"otel-collector", "jaeger", "otlp-http", true, func(f features) bool { return !f.tempo && noSampler(f) }},
	{"workload", "jaeger", "otlp-grpc", false, jaeger},
	{"workload", "jaeger", "otlp-http", false, jaeger},
	{"grafana", "jaeger", "query", true, jaeger},
	{"stranger", "jaeger", "query", false, jaeger},
	{"prometheus", "jaeger", "query", false, jaeger},
	// Loki.
	{"otel-collector", "loki", "http-metrics", true, always},
	{"grafana", "loki", "http-metrics", true, always},
	{"promtail", "loki", "http-metrics", true, promtail},
	{"otel-collector-agent", "loki", "http-metrics", false, agent},
	{"otel-collector-sampler", "loki", "http-metrics", false, sampler},
	{"workload", "loki", "http-metrics", false, always},
	{"stranger", "loki", "http-metrics", false, always},
	{"loki", "loki", "grpc", true, always},
	{"loki", "loki", "http-memberlist", true, always},
	{"otel-collector", "loki", "grpc", false, always},
	{"workload", "loki", "http-memberlist", false, always},
	// Prometheus.
	{"grafana", "prometheus", "http-web", true, always},
	{"otel-collector-cluster", "prometheus", "http-web", true, always},
	{"prometheus", "prometheus", "http-web", true, always},
	{"prometheus", "prometheus", "reloader-web", true, always},
	{"otel-collector", "prometheus", "http-web", false, always},
	{"workload", "prometheus", "http-web", false, always},
	{"stranger", "prometheus", "http-web", false, always},
	{"grafana", "prometheus", "reloader-web", false, always},
	// Alertmanager.
	{"prometheus", "alertmanager", "http-web", true, always},
	{"grafana", "alertmanager", "http-web", true, always},
	{"prometheus", "alertmanager", "reloader-web", true, always},
	{"alertmanager", "alertmanager", "mesh-tcp", true, always},
	{"alertmanager", "alertmanager", "mesh-udp", true, always},
	{"workload", "alertmanager", "http-web", false, always},
	{"otel-collector", "alertmanager", "http-web", false, always},
	{"prometheus", "alertmanager", "mesh-tcp", false, always},
	{"grafana", "alertmanager", "mesh-udp", false, always},
	{"grafana", "alertmanager", "reloader-web", false, always},
	// Grafana: its login checks people; any source reaches the port.
	{"ingress", "grafana", "grafana", true, always},
	{"stranger", "grafana", "grafana", true, always},
	{"prometheus", "grafana", "grafana", true, always},
	// kube-state-metrics.
	{"prometheus", "kube-state-metrics", "http", true, always},
	{"workload", "kube-state-metrics", "http", false, always},
	{"grafana", "kube-state-metrics", "http", false, always},
	// The operator's admission webhook: the API server is no pod.
	{"external", "prometheus-operator", "https", true, always},
	{"stranger", "prometheus-operator", "https", true, always},
	// Promtail serves nothing anyone needs.
	{"prometheus", "promtail", "http-metrics", false, promtail},
	{"stranger", "promtail", "http-metrics", false, promtail},
}

// TestPoliciesWithEngine evaluates, with cyclonus' NetworkPolicy engine
// (github.com/mattfenwick/cyclonus/pkg/matcher), the policies each
// environment deploys (the NetworkPolicy objects of its kustomize overlay,
// which TestOverlaysBuildToEnvironment in internal/pipeline proves equal to these, and
// those kube-prometheus-stack renders from its values) over the table of
// flows, and requires every flow's expected verdict. Every port of every
// endpoint, and so every Service port the stack renders, must be covered
// by an allowed and a denied case.
func TestPoliciesWithEngine(t *testing.T) {
	total, allowed := 0, 0
	def := stack.Default()
	for _, env := range def.Environments {
		t.Run(env.Name, func(t *testing.T) {
			r := evaluate(t, env)
			total += r.total
			allowed += r.allowed
			for _, m := range r.mismatches {
				t.Error(m)
			}
			for _, m := range r.uncovered {
				t.Error(m)
			}
		})
	}
	t.Logf("%d flows evaluated over %d environments, %d allowed, %d denied", total, len(def.Environments), allowed, total-allowed)
}

// TestEngineCatchesWideningAllow widens one environment's rules (Network.Allow
// admitting every pod of namespace default to Tempo's query port) and
// requires the table to fail on exactly that flow.
func TestEngineCatchesWideningAllow(t *testing.T) {
	env := stack.Production()
	env.Network.Allow = append(env.Network.Allow, netpol.Allow{To: "tempo", Ports: []string{"http"}, From: netpol.Peer{Namespace: "default"}})
	r := evaluate(t, env)
	if len(r.mismatches) != 1 || !strings.HasPrefix(r.mismatches[0], "stranger -> tempo http (3200/TCP): allowed=true, want false") {
		t.Fatalf("mismatches: %q", r.mismatches)
	}
}

type result struct {
	total, allowed        int
	mismatches, uncovered []string
}

// evaluate runs the table over the policies of env.
func evaluate(t *testing.T, env stack.Environment) result {
	t.Helper()
	var r result
	s, err := pipeline.Build(env)
	if err != nil {
		t.Fatal(err)
	}
	engine := matcher.BuildNetworkPolicies(false, policies(s))
	sources := sources(s)
	f := features{
		sampler:  env.Sampling.Tail != nil,
		agent:    env.Logging.Agent == logging.Filelog,
		tempo:    env.Tracing == tracing.Tempo,
		promtail: env.Logging.Agent == logging.Promtail,
		datadog:  env.Integrations.Datadog.Enabled,
	}
	covered := map[string][2]bool{}
	for _, c := range flows {
		if !c.when(f) {
			continue
		}
		src, ok := sources[c.from]
		if !ok {
			t.Fatalf("no source %s", c.from)
		}
		dst, ok := sources[c.to]
		if !ok {
			t.Fatalf("no pod of %s", c.to)
		}
		port, ok := portOf(s.Network, c.to, c.port)
		if !ok {
			t.Fatalf("%s has no port %s", c.to, c.port)
		}
		res := engine.IsTrafficAllowed(&matcher.Traffic{
			Source: peer(src), Destination: peer(dst),
			ResolvedPort: int(port.Port), ResolvedPortName: port.Name, Protocol: protocol(port),
		})
		r.total++
		if res.IsAllowed() {
			r.allowed++
		}
		if res.IsAllowed() != c.allowed {
			r.mismatches = append(r.mismatches, fmt.Sprintf("%s -> %s %s (%d/%s): allowed=%v, want %v\n%s", c.from, c.to, c.port, port.Port, protocol(port), res.IsAllowed(), c.allowed, res.Table()))
		}
		k := c.to + "/" + c.port
		v := covered[k]
		if c.allowed {
			v[0] = true
		} else {
			v[1] = true
		}
		covered[k] = v
	}
	for _, e := range s.Network.Endpoints {
		for _, p := range e.Ports {
			k := e.Component + "/" + p.Name
			// A port open to anywhere has no denied case, one nothing is
			// admitted to no allowed case.
			open, closed := false, true
			for _, a := range s.Network.Rules(e.Component) {
				if slices.Contains(a.Ports, p.Name) {
					closed = false
					open = open || a.From.Anywhere
				}
			}
			if v := covered[k]; (!v[0] && !closed) || (!v[1] && !open) {
				r.uncovered = append(r.uncovered, fmt.Sprintf("port %s: the table needs an allowed and a denied case (has allowed=%v denied=%v)", k, v[0], v[1]))
			}
		}
	}
	for _, o := range s.Objects() {
		svc, ok := o.(*corev1.Service)
		if !ok {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			if _, ok := covered[svc.Name+"/"+sp.TargetPort.String()]; !ok {
				r.uncovered = append(r.uncovered, fmt.Sprintf("Service %s port %s is in no case of the table", svc.Name, sp.Name))
			}
		}
	}
	return r
}

// policies are the NetworkPolicies of the environment: its objects' and
// those the kube-prometheus-stack chart renders from the values.
func policies(s *pipeline.Stack) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	for _, o := range s.Objects() {
		if np, ok := o.(*networkingv1.NetworkPolicy); ok {
			out = append(out, np)
		}
	}
	return append(out, kubeprometheus.ChartPolicies(s.KubePrometheus, s.Env.Monitoring, s.Env.Namespaces.Monitoring, stack.CommonLabels)...)
}

// sources are the pods of the table: each endpoint's pods (the labels of
// the pod template where the stack renders the workload, the chart's
// selector labels otherwise), GenOps workloads in the workload namespace
// and in a team namespace, and pods with no business with the stack. Every
// namespace carries the labels the stack renders for it, and the name
// label Kubernetes adds.
func sources(s *pipeline.Stack) map[string]source {
	ns := s.Env.Namespaces.Monitoring
	nsLabels := map[string]map[string]string{}
	templates := map[string]map[string]string{}
	for _, o := range s.Objects() {
		switch w := o.(type) {
		case *corev1.Namespace:
			l := maps.Clone(w.Labels)
			l[netpol.NamespaceNameLabel] = w.Name
			nsLabels[w.Name] = l
		case *appsv1.Deployment:
			templates[w.Name] = w.Spec.Template.Labels
		case *appsv1.StatefulSet:
			templates[w.Name] = w.Spec.Template.Labels
		case *appsv1.DaemonSet:
			templates[w.Name] = w.Spec.Template.Labels
		}
	}
	out := map[string]source{}
	ip := 10
	mk := func(namespace string, labels map[string]string) source {
		ip++
		l, ok := nsLabels[namespace]
		if !ok {
			l = map[string]string{netpol.NamespaceNameLabel: namespace}
		}
		return source{ns: namespace, nsLabels: l, pod: labels, ip: fmt.Sprintf("10.244.0.%d", ip)}
	}
	for _, e := range s.Network.Endpoints {
		labels := e.Pods
		if t, ok := templates[e.Component]; ok {
			labels = t
		}
		out[e.Component] = mk(ns, labels)
	}
	team := ""
	for _, t := range s.Teams {
		if len(t.Namespaces) > 0 {
			team = t.Namespaces[0]
			break
		}
	}
	out["workload"] = mk(s.Env.Namespaces.Workloads, map[string]string{"app": "rag-bot"})
	out["team-pod"] = mk(team, map[string]string{"app": "summarizer"})
	out["stranger"] = mk("default", map[string]string{"app": "curious"})
	out["monitoring-pod"] = mk(ns, map[string]string{"app": "debug-shell"})
	out["ingress"] = mk("ingress-nginx", map[string]string{"app.kubernetes.io/name": "ingress-nginx"})
	out["datadog-agent"] = mk("datadog", map[string]string{"app": "datadog-agent"})
	out["external"] = source{ip: "172.20.0.1", extern: true}
	return out
}

func peer(s source) *matcher.TrafficPeer {
	if s.extern {
		return &matcher.TrafficPeer{IP: s.ip}
	}
	return &matcher.TrafficPeer{IP: s.ip, Internal: &matcher.InternalPeer{Namespace: s.ns, PodLabels: s.pod, NamespaceLabels: s.nsLabels}}
}

func portOf(p netpol.Plan, component, name string) (netpol.Port, bool) {
	if name == "health" {
		return netpol.Port{Name: "health", Port: 13133}, true
	}
	e, ok := p.Endpoint(component)
	if !ok {
		return netpol.Port{}, false
	}
	for _, port := range e.Ports {
		if port.Name == name {
			return port, true
		}
	}
	return netpol.Port{}, false
}

func protocol(p netpol.Port) corev1.Protocol {
	if p.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return p.Protocol
}
