// Package netpol owns who may reach what: the network endpoints of the
// stack's components (the pods others connect to, and their ports), the
// allow rules naming who may connect to each port, and their compilation
// into Kubernetes NetworkPolicies.
//
// The stack's namespace denies all ingress (DefaultDeny); every allowed
// connection is an Allow, declared by the component that serves the port
// (collector.Network, tracing.Network, ...) or added by an environment
// (Spec.Allow). Rules name components, never labels: the plan resolves a
// name to the component's pods, so a rule naming a component the
// environment does not run is a finding, not a policy that matches nothing.
//
// Where a chart renders policies of its own (kube-prometheus-stack), the
// chart's values carry the compiled rules (Endpoint.Chart names the chart)
// and genops-stack renders none beside them; everywhere else the
// NetworkPolicy is one of the component's Kubernetes objects.
package netpol

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// NamespaceNameLabel is the label Kubernetes puts on every namespace, with
// the namespace's name as its value.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// DefaultDenyName is the name of the policy that denies all ingress in the
// stack's namespace.
const DefaultDenyName = "default-deny-ingress"

// Label is one label, key and value.
type Label struct {
	Key, Value string
}

func (l Label) String() string { return l.Key + "=" + l.Value }

// Spec is what an environment decides about the network.
type Spec struct {
	// Workloads marks the namespaces whose pods may send telemetry to the
	// gateway (OTLP): only pods in namespaces labelled so reach it. The
	// stack labels its workload namespace and every team namespace with it
	// (stack.Team.Namespaces).
	Workloads Label
	// Allow are further connections this environment admits, on top of
	// those the components declare (an ingress controller in front of
	// Grafana, a second Prometheus, ...).
	Allow []Allow
}

// Port is a port of an endpoint.
type Port struct {
	Name string
	Port int32
	// Protocol is TCP unless set.
	Protocol corev1.Protocol
}

func (p Port) protocol() corev1.Protocol {
	if p.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return p.Protocol
}

// Endpoint is the pods of one component that others connect to.
type Endpoint struct {
	// Component names it in allow rules.
	Component string
	Namespace string
	// Pods are labels every pod of the component carries: the policy's
	// pod selector, and how other policies select it as a client.
	Pods map[string]string
	// Ports are the ports it listens on for other pods. A port no rule
	// admits anything to is closed (the health port, which only the
	// kubelet on the pod's node calls, and NetworkPolicy never blocks).
	Ports []Port
	// Chart names the Helm chart whose values carry the policy; empty when
	// genops-stack renders the policy itself.
	Chart string
}

// Peer is who may connect. Exactly one of Component, Namespaces,
// Namespace and Anywhere is set.
type Peer struct {
	// Component is the pods of a component of the stack.
	Component string
	// Namespaces are every pod of the namespaces carrying this label.
	Namespaces *Label
	// Namespace is the pods of the namespace with this name, narrowed to
	// those carrying Pods when Pods is set.
	Namespace string
	Pods      map[string]string
	// Anywhere admits any source: for a port whose server authenticates
	// every client itself (Grafana's login), or whose client is not a pod
	// (the API server calling an admission webhook).
	Anywhere bool
}

func (p Peer) String() string {
	switch {
	case p.Component != "":
		return "component " + p.Component
	case p.Namespaces != nil:
		return "namespaces labelled " + p.Namespaces.String()
	case p.Namespace != "" && len(p.Pods) > 0:
		return fmt.Sprintf("pods %s of namespace %s", labelString(p.Pods), p.Namespace)
	case p.Namespace != "":
		return "namespace " + p.Namespace
	case p.Anywhere:
		return "anywhere"
	}
	return "nobody"
}

// Allow admits connections from one peer to ports of a component.
type Allow struct {
	// To is the component connected to, by name.
	To string
	// Ports are port names of To.
	Ports []string
	From  Peer
	// Why says who the client is and what it does, for docs/security.md
	// and out/README.md.
	Why string
	// Origin names where the rule was written, for findings
	// (Network.Allow[0]); empty for the rules components declare.
	Origin string
}

// Plan is every endpoint of an environment's namespace and every rule.
type Plan struct {
	Namespace string
	Endpoints []Endpoint
	Allows    []Allow
	// Labels are put on every rendered policy.
	Labels map[string]string
}

// Endpoint returns the endpoint of component name.
func (p Plan) Endpoint(name string) (Endpoint, bool) {
	for _, e := range p.Endpoints {
		if e.Component == name {
			return e, true
		}
	}
	return Endpoint{}, false
}

func (p Plan) components() []string {
	var out []string
	for _, e := range p.Endpoints {
		out = append(out, e.Component)
	}
	slices.Sort(out)
	return out
}

// Check reports rules the plan cannot compile: a rule to or from a
// component the environment does not run, a port the component does not
// have, a peer that names nothing or more than one thing, and two
// endpoints of one name.
func (p Plan) Check(artifact string) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	for _, e := range p.Endpoints {
		if seen[e.Component] {
			fs.Errorf(artifact, "network endpoint "+e.Component, "netpol-endpoint", "two endpoints are named %s: a rule could not tell them apart", e.Component)
		}
		seen[e.Component] = true
		if len(e.Pods) == 0 {
			fs.Errorf(artifact, "network endpoint "+e.Component, "netpol-endpoint", "selects no pod labels: its policy would select every pod of namespace %s", e.Namespace)
		}
	}
	known := strings.Join(p.components(), ", ")
	for _, a := range p.Allows {
		obj := fmt.Sprintf("network allow to %s from %s", a.To, a.From)
		if a.Origin != "" {
			obj = fmt.Sprintf("%s (to %s from %s)", a.Origin, a.To, a.From)
		}
		e, ok := p.Endpoint(a.To)
		if !ok {
			fs.Errorf(artifact, obj, "netpol-unknown-component", "no component %s in this environment (components: %s)", a.To, known)
			continue
		}
		if len(a.Ports) == 0 {
			fs.Errorf(artifact, obj, "netpol-port", "names no port of %s", a.To)
		}
		for _, name := range a.Ports {
			if _, ok := e.port(name); !ok {
				fs.Errorf(artifact, obj, "netpol-port", "%s has no port %s (ports: %s)", a.To, name, strings.Join(e.portNames(), ", "))
			}
		}
		set := 0
		for _, b := range []bool{a.From.Component != "", a.From.Namespaces != nil, a.From.Namespace != "", a.From.Anywhere} {
			if b {
				set++
			}
		}
		switch {
		case set != 1:
			fs.Errorf(artifact, obj, "netpol-peer", "a peer is exactly one of a component, labelled namespaces, a namespace or anywhere")
		case a.From.Component != "":
			if _, ok := p.Endpoint(a.From.Component); !ok {
				fs.Errorf(artifact, obj, "netpol-unknown-component", "no component %s in this environment (components: %s)", a.From.Component, known)
			}
		case a.From.Namespaces != nil && (a.From.Namespaces.Key == "" || a.From.Namespaces.Value == ""):
			fs.Errorf(artifact, obj, "netpol-peer", "the namespace label needs a key and a value: an empty one would select every namespace")
		}
		if a.From.Component == "" && a.From.Namespace == "" && len(a.From.Pods) > 0 {
			fs.Errorf(artifact, obj, "netpol-peer", "pod labels narrow a namespace: name the namespace")
		}
	}
	return fs
}

func (e Endpoint) port(name string) (Port, bool) {
	for _, p := range e.Ports {
		if p.Name == name {
			return p, true
		}
	}
	return Port{}, false
}

func (e Endpoint) portNames() []string {
	var out []string
	for _, p := range e.Ports {
		out = append(out, p.Name)
	}
	return out
}

// Rules returns the allow rules admitting connections to component name,
// in the order they were declared.
func (p Plan) Rules(name string) []Allow {
	var out []Allow
	for _, a := range p.Allows {
		if a.To == name {
			out = append(out, a)
		}
	}
	return out
}

// peer resolves a peer to the NetworkPolicy peers selecting it, from a
// policy in namespace ns; nil for Anywhere.
func (p Plan) peer(ns string, peer Peer) []networkingv1.NetworkPolicyPeer {
	switch {
	case peer.Component != "":
		e, _ := p.Endpoint(peer.Component)
		np := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: maps.Clone(e.Pods)}}
		if e.Namespace != ns {
			np.NamespaceSelector = nameSelector(e.Namespace)
		}
		return []networkingv1.NetworkPolicyPeer{np}
	case peer.Namespaces != nil:
		return []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{peer.Namespaces.Key: peer.Namespaces.Value}}}}
	case peer.Namespace != "":
		np := networkingv1.NetworkPolicyPeer{NamespaceSelector: nameSelector(peer.Namespace)}
		if len(peer.Pods) > 0 {
			np.PodSelector = &metav1.LabelSelector{MatchLabels: maps.Clone(peer.Pods)}
		}
		return []networkingv1.NetworkPolicyPeer{np}
	}
	return nil
}

func nameSelector(ns string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceNameLabel: ns}}
}

// Ingress compiles the rules admitting connections to component name: one
// ingress rule per Allow, its ports by number and protocol (a named port
// in a policy means the pod's container port of that name, which a chart
// may name otherwise).
func (p Plan) Ingress(name string) []networkingv1.NetworkPolicyIngressRule {
	e, ok := p.Endpoint(name)
	if !ok {
		return nil
	}
	var out []networkingv1.NetworkPolicyIngressRule
	for _, a := range p.Rules(name) {
		var ports []networkingv1.NetworkPolicyPort
		for _, n := range a.Ports {
			port, ok := e.port(n)
			if !ok {
				continue
			}
			ports = append(ports, networkingv1.NetworkPolicyPort{Protocol: kube.Ptr(port.protocol()), Port: kube.Ptr(intstr.FromInt32(port.Port))})
		}
		if len(ports) == 0 {
			continue
		}
		out = append(out, networkingv1.NetworkPolicyIngressRule{Ports: ports, From: p.peer(e.Namespace, a.From)})
	}
	return out
}

// PodSelector is the selector of component name's pods.
func (p Plan) PodSelector(name string) metav1.LabelSelector {
	e, _ := p.Endpoint(name)
	return metav1.LabelSelector{MatchLabels: maps.Clone(e.Pods)}
}

// Policy is the NetworkPolicy admitting what the rules admit to component
// name: ingress only (egress stays open), named after the component.
func (p Plan) Policy(name string) *networkingv1.NetworkPolicy {
	e, _ := p.Endpoint(name)
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: kube.Meta(name, e.Namespace, p.Labels),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: p.PodSelector(name),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     p.Ingress(name),
		},
	}
	_ = kube.SetTypeMeta(np)
	return np
}

// Policies are the NetworkPolicies genops-stack renders for the named
// endpoints: each one's whose Chart is empty and that some rule admits
// anything to (one admitting nothing would repeat DefaultDeny).
func (p Plan) Policies(names ...string) []kube.Object {
	var out []kube.Object
	for _, n := range names {
		if e, ok := p.Endpoint(n); ok && e.Chart == "" && len(p.Ingress(n)) > 0 {
			out = append(out, p.Policy(n))
		}
	}
	return out
}

// CheckServices is the posture rule of the network: every port of every
// Service in the plan's namespace must belong to an endpoint whose pods
// the Service selects, and some rule must admit its clients. The
// namespace denies all ingress, so a port no rule admits anything to is a
// Service nothing can reach.
func CheckServices(artifact string, p Plan, objs []kube.Object) finding.List {
	var fs finding.List
	for _, o := range objs {
		svc, ok := o.(*corev1.Service)
		if !ok || svc.Namespace != p.Namespace {
			continue
		}
		obj := "Service " + svc.Namespace + "/" + svc.Name
		e, ok := p.serving(svc.Spec.Selector)
		if !ok {
			fs.Errorf(artifact, obj, "netpol-service", "selects pods (%s) of no network endpoint: the namespace denies all ingress, so nothing reaches it; declare the component's endpoint and who may connect", labelString(svc.Spec.Selector))
			continue
		}
		for _, sp := range svc.Spec.Ports {
			port, ok := e.target(sp)
			if !ok {
				fs.Errorf(artifact, obj, "netpol-service", "port %s targets %s, which endpoint %s does not declare (ports: %s)", sp.Name, sp.TargetPort.String(), e.Component, strings.Join(e.portNames(), ", "))
				continue
			}
			admitted := false
			for _, a := range p.Rules(e.Component) {
				admitted = admitted || slices.Contains(a.Ports, port.Name)
			}
			if !admitted {
				fs.Errorf(artifact, obj, "netpol-service", "port %s (%d) admits nobody: no rule names %s port %s, and the namespace denies all ingress; add an Allow naming its clients, or drop the port", sp.Name, port.Port, e.Component, port.Name)
			}
		}
	}
	return fs
}

// serving is the endpoint whose pods every pod a Service selector picks
// carries (its Pods are a subset of the selector).
func (p Plan) serving(selector map[string]string) (Endpoint, bool) {
	for _, e := range p.Endpoints {
		if e.Namespace != p.Namespace || len(e.Pods) == 0 {
			continue
		}
		all := true
		for k, v := range e.Pods {
			all = all && selector[k] == v
		}
		if all {
			return e, true
		}
	}
	return Endpoint{}, false
}

// target is the endpoint port a Service port sends to: by name, or by
// number when the target is a number.
func (e Endpoint) target(sp corev1.ServicePort) (Port, bool) {
	for _, p := range e.Ports {
		if sp.Protocol != "" && sp.Protocol != p.protocol() {
			continue
		}
		switch {
		case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal == p.Name,
			sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal == p.Port,
			sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal == 0 && sp.Port == p.Port:
			return p, true
		}
	}
	return Port{}, false
}

// DefaultDeny is the policy that denies all ingress to every pod of the
// namespace: what no Allow admits is refused.
func (p Plan) DefaultDeny() *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: kube.Meta(DefaultDenyName, p.Namespace, p.Labels),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
	_ = kube.SetTypeMeta(np)
	return np
}

func labelString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}
