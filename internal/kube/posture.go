package kube

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/internal/finding"
)

// Workload is an object that runs pods.
type workload struct {
	id       ID
	template *corev1.PodTemplateSpec
}

func workloads(objs []Object) []workload {
	var ws []workload
	for _, o := range objs {
		if t := PodTemplate(o); t != nil {
			ws = append(ws, workload{IDOf(o), t})
		}
	}
	return ws
}

// PodTemplate returns the pod template of a Deployment, StatefulSet or
// DaemonSet, and nil for any other object.
func PodTemplate(o Object) *corev1.PodTemplateSpec {
	switch w := o.(type) {
	case *appsv1.Deployment:
		return &w.Spec.Template
	case *appsv1.StatefulSet:
		return &w.Spec.Template
	case *appsv1.DaemonSet:
		return &w.Spec.Template
	}
	return nil
}

// Exception lets one container break one posture rule for a stated reason.
// CheckPosture reports an excused finding as a warning that carries the
// reason, on every run, and an exception that excuses nothing as an error, so
// exceptions are visible and never outlive their need.
type Exception struct {
	// Workload is the object running the container (Kind, Namespace, Name).
	Workload  ID
	Container string
	// Check is the posture check it excuses, e.g. "run-as-non-root".
	Check  string
	Reason string
}

func (e Exception) object() string {
	return fmt.Sprintf("%s: container %s", e.Workload, e.Container)
}

// CheckPosture reports every container that breaks the house rules (pinned
// image, requests and limits, non-root, read-only root filesystem, no
// privilege escalation, all capabilities dropped, liveness and readiness
// probes on a declared port) and every Service whose selector or target
// ports match no workload. A finding an exception excuses becomes a warning.
func CheckPosture(artifact string, objs []Object, exceptions ...Exception) finding.List {
	fs := checkPosture(artifact, objs)
	used := make([]bool, len(exceptions))
	for i, f := range fs {
		for j, e := range exceptions {
			if f.Severity == finding.Error && f.Check == e.Check && f.Object == e.object() {
				fs[i].Severity = finding.Warning
				fs[i].Message = fmt.Sprintf("breaks %s by declared exception: %s", e.Check, e.Reason)
				used[j] = true
			}
		}
	}
	for j, e := range exceptions {
		if !used[j] {
			fs.Errorf(artifact, e.object(), "posture-exception", "declares an exception to %s but does not break it: remove the exception", e.Check)
		}
	}
	return fs
}

func checkPosture(artifact string, objs []Object) finding.List {
	var fs finding.List
	ws := workloads(objs)
	for _, w := range ws {
		spec := &w.template.Spec
		podNonRoot := spec.SecurityContext != nil && isTrue(spec.SecurityContext.RunAsNonRoot)
		declared := declaredPorts(spec)
		for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
			obj := fmt.Sprintf("%s: container %s", w.id, c.Name)
			checkContainer(&fs, artifact, obj, c, podNonRoot)
			isInit := false
			for _, ic := range spec.InitContainers {
				isInit = isInit || ic.Name == c.Name
			}
			if isInit {
				continue
			}
			for _, p := range []struct {
				kind  string
				probe *corev1.Probe
			}{{"liveness", c.LivenessProbe}, {"readiness", c.ReadinessProbe}} {
				if p.probe == nil {
					fs.Errorf(artifact, obj, "probe-missing", "has no %s probe; add one on a port the container declares", p.kind)
					continue
				}
				port, ok := probePort(p.probe)
				if !ok {
					continue
				}
				if !declared.has(port) {
					fs.Errorf(artifact, obj, "probe-port", "%s probe uses port %s, which no container of the pod declares", p.kind, port.String())
				}
			}
		}
	}
	for _, o := range objs {
		svc, ok := o.(*corev1.Service)
		if !ok || len(svc.Spec.Selector) == 0 {
			continue
		}
		checkService(&fs, artifact, svc, ws)
	}
	return fs
}

func checkContainer(fs *finding.List, artifact, obj string, c corev1.Container, podNonRoot bool) {
	if msg := imageProblem(c.Image); msg != "" {
		fs.Errorf(artifact, obj, "image-pinned", "image %q %s", c.Image, msg)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		// A zero quantity is no request or limit: a limit of 0 means none.
		req, hasReq := c.Resources.Requests[r]
		lim, hasLim := c.Resources.Limits[r]
		if !hasReq || req.IsZero() {
			fs.Errorf(artifact, obj, "resources", "has no %s request", r)
		}
		if !hasLim || lim.IsZero() {
			fs.Errorf(artifact, obj, "resources", "has no %s limit", r)
		} else if hasReq && req.Cmp(lim) > 0 {
			fs.Errorf(artifact, obj, "resources", "%s request %s is above its limit %s: the API server rejects the pod", r, req.String(), lim.String())
		}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if !podNonRoot && !isTrue(sc.RunAsNonRoot) {
		fs.Errorf(artifact, obj, "run-as-non-root", "must set securityContext.runAsNonRoot: true")
	}
	if !isTrue(sc.ReadOnlyRootFilesystem) {
		fs.Errorf(artifact, obj, "read-only-root-filesystem", "must set securityContext.readOnlyRootFilesystem: true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		fs.Errorf(artifact, obj, "privilege-escalation", "must set securityContext.allowPrivilegeEscalation: false")
	}
	if sc.Capabilities == nil || !dropsAll(sc.Capabilities.Drop) {
		fs.Errorf(artifact, obj, "capabilities", "must drop all capabilities (securityContext.capabilities.drop: [ALL])")
	}
}

// imageProblem says what is wrong with an image reference, or "" when it is
// pinned to a tag other than latest or to a digest.
func imageProblem(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	switch {
	case i < 0:
		return "is not pinned: give it a version tag or a digest"
	case last[i+1:] == "latest":
		return "uses the latest tag: pin a version"
	}
	return ""
}

// ImagePinned reports whether an image reference is pinned to a version tag or a digest.
func ImagePinned(image string) bool { return imageProblem(image) == "" }

func dropsAll(caps []corev1.Capability) bool {
	for _, c := range caps {
		if strings.EqualFold(string(c), "ALL") {
			return true
		}
	}
	return false
}

func isTrue(b *bool) bool { return b != nil && *b }

type portSet struct {
	numbers map[int32]bool
	names   map[string]bool
}

func declaredPorts(spec *corev1.PodSpec) portSet {
	ps := portSet{numbers: map[int32]bool{}, names: map[string]bool{}}
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			ps.numbers[p.ContainerPort] = true
			if p.Name != "" {
				ps.names[p.Name] = true
			}
		}
	}
	return ps
}

func (ps portSet) has(p intstr.IntOrString) bool {
	if p.Type == intstr.String {
		return ps.names[p.StrVal]
	}
	return ps.numbers[p.IntVal]
}

func probePort(p *corev1.Probe) (intstr.IntOrString, bool) {
	switch {
	case p.HTTPGet != nil:
		return p.HTTPGet.Port, true
	case p.TCPSocket != nil:
		return p.TCPSocket.Port, true
	case p.GRPC != nil:
		return intstr.FromInt32(p.GRPC.Port), true
	}
	return intstr.IntOrString{}, false
}

func checkService(fs *finding.List, artifact string, svc *corev1.Service, ws []workload) {
	id := IDOf(svc)
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	var matched []workload
	for _, w := range ws {
		if w.id.Namespace == svc.Namespace && sel.Matches(labels.Set(w.template.Labels)) {
			matched = append(matched, w)
		}
	}
	if len(matched) == 0 {
		fs.Errorf(artifact, id.String(), "service-selector", "selector %s matches no workload in namespace %s", sel, svc.Namespace)
		return
	}
	for _, p := range svc.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		for _, w := range matched {
			if !declaredPorts(&w.template.Spec).has(target) {
				fs.Errorf(artifact, id.String(), "service-port", "port %s targets %s, which %s does not declare", p.Name, target.String(), w.id)
			}
		}
	}
}
