package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/internal/finding"
)

func goodWorkload(t *testing.T) (*appsv1.Deployment, *corev1.Service) {
	t.Helper()
	lbl := map[string]string{"app": "x"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "ns"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:            "c",
					Image:           "example/x:1.2.3",
					Ports:           ContainerPorts([]Port{{Name: "http", Port: 8080}, {Name: "health", Port: 13133}}),
					Resources:       Resources{Q("100m"), Q("200m"), Q("64Mi"), Q("128Mi")}.Requirements(),
					SecurityContext: RestrictedContainerSecurity(),
					LivenessProbe:   HTTPProbe("/", "health", 1, 1),
					ReadinessProbe:  HTTPProbe("/", "health", 1, 1),
				}}},
			},
		},
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "ns"},
		Spec:       corev1.ServiceSpec{Selector: lbl, Ports: ServicePorts([]Port{{Name: "http", Port: 8080}})},
	}
	for _, o := range []Object{dep, svc} {
		if err := SetTypeMeta(o); err != nil {
			t.Fatal(err)
		}
	}
	return dep, svc
}

func TestCheckPosture(t *testing.T) {
	const obj = "Deployment ns/x: container c"
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment, *corev1.Service)
		want   []finding.Finding // nil: no findings
	}{
		{"good", func(*appsv1.Deployment, *corev1.Service) {}, nil},
		{"latest tag", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].Image = "example/x:latest"
		},
			[]finding.Finding{{Object: obj, Check: "image-pinned", Message: `image "example/x:latest" uses the latest tag: pin a version`}}},
		{"no tag", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].Image = "registry:5000/example/x"
		}, []finding.Finding{{Object: obj, Check: "image-pinned", Message: `image "registry:5000/example/x" is not pinned: give it a version tag or a digest`}}},
		{"digest is pinned", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].Image = "example/x@sha256:0123"
		}, nil},
		{"no memory limit", func(d *appsv1.Deployment, _ *corev1.Service) {
			delete(d.Spec.Template.Spec.Containers[0].Resources.Limits, corev1.ResourceMemory)
		}, []finding.Finding{{Object: obj, Check: "resources", Message: "has no memory limit"}}},
		{"zero memory limit", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory] = resource.Quantity{}
		}, []finding.Finding{{Object: obj, Check: "resources", Message: "has no memory limit"}}},
		{"cpu request above its limit", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = Q("1")
		}, []finding.Finding{{Object: obj, Check: "resources", Message: "cpu request 1 is above its limit 200m: the API server rejects the pod"}}},
		{"root allowed", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = nil
		}, []finding.Finding{{Object: obj, Check: "run-as-non-root", Message: "must set securityContext.runAsNonRoot: true"}}},
		{"pod-level non-root suffices", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = nil
			d.Spec.Template.Spec.SecurityContext = RestrictedPodSecurity(1000)
		}, nil},
		{"writable root", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem = Ptr(false)
		}, []finding.Finding{{Object: obj, Check: "read-only-root-filesystem", Message: "must set securityContext.readOnlyRootFilesystem: true"}}},
		{"escalation", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
		}, []finding.Finding{{Object: obj, Check: "privilege-escalation", Message: "must set securityContext.allowPrivilegeEscalation: false"}}},
		{"capabilities kept", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].SecurityContext.Capabilities = nil
		}, []finding.Finding{{Object: obj, Check: "capabilities", Message: "must drop all capabilities (securityContext.capabilities.drop: [ALL])"}}},
		{"probe on undeclared port", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].LivenessProbe.HTTPGet.Port = intstr.FromInt32(9999)
		}, []finding.Finding{{Object: obj, Check: "probe-port", Message: "liveness probe uses port 9999, which no container of the pod declares"}}},
		{"probe on undeclared port name", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].ReadinessProbe.HTTPGet.Port = intstr.FromString("healthz")
		}, []finding.Finding{{Object: obj, Check: "probe-port", Message: "readiness probe uses port healthz, which no container of the pod declares"}}},
		{"no readiness probe", func(d *appsv1.Deployment, _ *corev1.Service) {
			d.Spec.Template.Spec.Containers[0].ReadinessProbe = nil
		}, []finding.Finding{{Object: obj, Check: "probe-missing", Message: "has no readiness probe; add one on a port the container declares"}}},
		{"service selects nothing", func(_ *appsv1.Deployment, s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "y"} },
			[]finding.Finding{{Object: "Service ns/x", Check: "service-selector", Message: "selector app=y matches no workload in namespace ns"}}},
		{"service port not declared", func(_ *appsv1.Deployment, s *corev1.Service) {
			s.Spec.Ports[0].TargetPort = intstr.FromString("grpc")
		}, []finding.Finding{{Object: "Service ns/x", Check: "service-port", Message: "port http targets grpc, which Deployment ns/x does not declare"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dep, svc := goodWorkload(t)
			tt.mutate(dep, svc)
			got := CheckPosture("test", []Object{dep, svc})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d: %v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Object != w.Object || g.Check != w.Check || g.Message != w.Message || g.Severity != finding.Error || g.Artifact != "test" {
					t.Errorf("finding %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestPostureExceptions(t *testing.T) {
	rootAllowed := Exception{Workload: ID{Kind: "Deployment", Namespace: "ns", Name: "x"}, Container: "c", Check: "run-as-non-root", Reason: "reads root-only files"}
	tests := []struct {
		name       string
		root       bool
		exceptions []Exception
		want       []string
	}{
		{"root without exception", true, nil,
			[]string{"test: Deployment ns/x: container c: must set securityContext.runAsNonRoot: true"}},
		{"root with exception", true, []Exception{rootAllowed},
			[]string{"warning: test: Deployment ns/x: container c: breaks run-as-non-root by declared exception: reads root-only files"}},
		{"exception that excuses nothing", false, []Exception{rootAllowed},
			[]string{"test: Deployment ns/x: container c: declares an exception to run-as-non-root but does not break it: remove the exception"}},
		{"exception for another container", true, []Exception{{Workload: rootAllowed.Workload, Container: "d", Check: "run-as-non-root", Reason: "r"}},
			[]string{
				"test: Deployment ns/x: container c: must set securityContext.runAsNonRoot: true",
				"test: Deployment ns/x: container d: declares an exception to run-as-non-root but does not break it: remove the exception",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dep, svc := goodWorkload(t)
			dep.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = Ptr(!tt.root)
			got := CheckPosture("test", []Object{dep, svc}, tt.exceptions...).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDecodeStrict(t *testing.T) {
	good := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\n# comment only\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n"
	objs, err := DecodeStrict([]byte(good))
	if err != nil || len(objs) != 2 {
		t.Fatalf("good stream: %d objects, err %v", len(objs), err)
	}
	bad := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatas:\n  k: v\n"
	_, err = DecodeStrict([]byte(bad))
	if err == nil {
		t.Fatal("unknown field decoded without error")
	}
	want := `document 1 (ConfigMap): strict decoding error: unknown field "datas"`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	unknown := "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n"
	if _, err := DecodeStrict([]byte(unknown)); err == nil {
		t.Error("unknown kind decoded without error")
	}
	// Scheme knows the kinds genops-stack renders, not every kind of their
	// groups: a Secret (core/v1, which the stack leaves to kustomize's
	// generators) is unknown.
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n"
	want = `document 1: no kind "Secret" is registered for version "v1" in scheme "pkg/runtime/scheme.go:111"`
	if _, err := DecodeStrict([]byte(secret)); err == nil || err.Error() != want {
		t.Errorf("a Secret: error %v, want %q", err, want)
	}
}

func TestSchemeKinds(t *testing.T) {
	for _, g := range renderedKinds {
		for _, o := range g.kinds {
			gvks, _, err := Scheme.ObjectKinds(o)
			if err != nil || len(gvks) != 1 || gvks[0].GroupVersion() != g.gv {
				t.Errorf("%T: kinds %v, %v; want one in %v", o, gvks, err, g.gv)
			}
		}
	}
	if err := SetTypeMeta(&corev1.Secret{}); err == nil || err.Error() != `no kind is registered for the type v1.Secret in scheme "pkg/runtime/scheme.go:111"` {
		t.Errorf("SetTypeMeta of a Secret: %v", err)
	}
}
