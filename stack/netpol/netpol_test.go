package netpol

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/internal/kube"
)

func plan() Plan {
	return Plan{
		Namespace: "monitoring",
		Endpoints: []Endpoint{
			{Component: "store", Namespace: "monitoring", Pods: map[string]string{"app": "store"},
				Ports: []Port{{Name: "http", Port: 8080}, {Name: "grpc", Port: 9095}}},
			{Component: "reader", Namespace: "monitoring", Pods: map[string]string{"app": "reader"}},
		},
		Allows: []Allow{{To: "store", Ports: []string{"http"}, From: Peer{Component: "reader"}}},
	}
}

func service(ports ...corev1.ServicePort) kube.Object {
	return &corev1.Service{
		ObjectMeta: kube.Meta("store", "monitoring", nil),
		Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": "store", "tier": "db"}, Ports: ports},
	}
}

func TestCheckServices(t *testing.T) {
	http := corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}
	if fs := CheckServices("environment e", plan(), []kube.Object{service(http)}); len(fs) != 0 {
		t.Fatalf("a port some rule admits: %v", fs.Strings())
	}
	grpc := corev1.ServicePort{Name: "grpc", Port: 9095, TargetPort: intstr.FromInt32(9095)}
	other := corev1.ServicePort{Name: "admin", Port: 9000, TargetPort: intstr.FromInt32(9000)}
	stray := &corev1.Service{ObjectMeta: kube.Meta("stray", "monitoring", nil), Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "stray"}, Ports: []corev1.ServicePort{http}}}
	elsewhere := &corev1.Service{ObjectMeta: kube.Meta("app", "genops-system", nil), Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "stray"}, Ports: []corev1.ServicePort{http}}}
	got := CheckServices("environment e", plan(), []kube.Object{service(http, grpc, other), stray, elsewhere}).Strings()
	want := []string{
		"environment e: Service monitoring/store: port grpc (9095) admits nobody: no rule names store port grpc, and the namespace denies all ingress; add an Allow naming its clients, or drop the port",
		"environment e: Service monitoring/store: port admin targets 9000, which endpoint store does not declare (ports: http, grpc)",
		"environment e: Service monitoring/stray: selects pods (app=stray) of no network endpoint: the namespace denies all ingress, so nothing reaches it; declare the component's endpoint and who may connect",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%q\nwant:\n%q", got, want)
	}
}

func TestCheck(t *testing.T) {
	if fs := plan().Check("environment e"); len(fs) != 0 {
		t.Fatalf("a good plan: %v", fs.Strings())
	}
	p := plan()
	p.Endpoints = append(p.Endpoints, Endpoint{Component: "store", Namespace: "monitoring"})
	p.Allows = append(p.Allows,
		Allow{To: "stor", Ports: []string{"http"}, From: Peer{Anywhere: true}, Origin: "Network.Allow[0]"},
		Allow{To: "store", From: Peer{Component: "writer"}},
		Allow{To: "store", Ports: []string{"https"}, From: Peer{Namespace: "x", Anywhere: true}},
		Allow{To: "store", Ports: []string{"http"}, From: Peer{Namespaces: &Label{Key: "team"}}},
		Allow{To: "store", Ports: []string{"http"}, From: Peer{Namespaces: &Label{Key: "a", Value: "b"}, Pods: map[string]string{"app": "x"}}},
	)
	got := p.Check("environment e").Strings()
	want := []string{
		"environment e: network endpoint store: two endpoints are named store: a rule could not tell them apart",
		"environment e: network endpoint store: selects no pod labels: its policy would select every pod of namespace monitoring",
		"environment e: Network.Allow[0] (to stor from anywhere): no component stor in this environment (components: reader, store, store)",
		"environment e: network allow to store from component writer: names no port of store",
		"environment e: network allow to store from component writer: no component writer in this environment (components: reader, store, store)",
		"environment e: network allow to store from namespace x: store has no port https (ports: http, grpc)",
		"environment e: network allow to store from namespace x: a peer is exactly one of a component, labelled namespaces, a namespace or anywhere",
		"environment e: network allow to store from namespaces labelled team=: the namespace label needs a key and a value: an empty one would select every namespace",
		"environment e: network allow to store from namespaces labelled a=b: pod labels narrow a namespace: name the namespace",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%q\nwant:\n%q", got, want)
	}
}

// TestCompile checks the one compilation rule the engine test cannot see
// by itself: a peer in another namespace is selected with its namespace.
func TestCompile(t *testing.T) {
	p := plan()
	p.Endpoints = append(p.Endpoints, Endpoint{Component: "agent", Namespace: "agents", Pods: map[string]string{"app": "agent"}})
	p.Allows = append(p.Allows, Allow{To: "store", Ports: []string{"grpc"}, From: Peer{Component: "agent"}})
	in := p.Ingress("store")
	if len(in) != 2 || in[1].From[0].NamespaceSelector == nil || in[1].From[0].NamespaceSelector.MatchLabels[NamespaceNameLabel] != "agents" {
		t.Fatalf("ingress: %+v", in)
	}
	if in[0].From[0].NamespaceSelector != nil {
		t.Errorf("a peer of the policy's own namespace needs no namespace selector: %+v", in[0])
	}
	if got := p.Policies("store", "reader"); len(got) != 1 {
		t.Errorf("policies: %d, want 1 (reader admits nothing: the default deny covers it)", len(got))
	}
}
