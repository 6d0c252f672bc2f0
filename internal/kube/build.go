package kube

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Resources are a container's requests and limits.
type Resources struct {
	CPURequest, CPULimit       resource.Quantity
	MemoryRequest, MemoryLimit resource.Quantity
}

// Requirements converts to the Kubernetes type.
func (r Resources) Requirements() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: r.CPURequest, corev1.ResourceMemory: r.MemoryRequest},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: r.CPULimit, corev1.ResourceMemory: r.MemoryLimit},
	}
}

// Q parses a quantity literal; it panics on a malformed literal, which is a
// programming error in the definitions and fails every test.
func Q(s string) resource.Quantity { return resource.MustParse(s) }

// Meta returns object metadata with the standard labels.
func Meta(name, namespace string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels}
}

// RestrictedContainerSecurity is the container security context every
// generated container runs with (the "restricted" Pod Security Standard).
func RestrictedContainerSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             Ptr(true),
		ReadOnlyRootFilesystem:   Ptr(true),
		AllowPrivilegeEscalation: Ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// RestrictedPodSecurity is the pod security context for a non-root user.
func RestrictedPodSecurity(uid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   Ptr(true),
		RunAsUser:      Ptr(uid),
		RunAsGroup:     Ptr(uid),
		FSGroup:        Ptr(uid),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// HTTPProbe probes path on a named container port.
func HTTPProbe(path, port string, initialDelay, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: path, Port: intstr.FromString(port),
		}},
		InitialDelaySeconds: initialDelay,
		PeriodSeconds:       period,
	}
}

// Port is a named container port that a Service may expose.
type Port struct {
	Name string
	Port int32
}

// ContainerPorts converts ports to container ports (TCP).
func ContainerPorts(ps []Port) []corev1.ContainerPort {
	out := make([]corev1.ContainerPort, len(ps))
	for i, p := range ps {
		out[i] = corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: corev1.ProtocolTCP}
	}
	return out
}

// ServicePorts converts ports to Service ports that target the container port by name.
func ServicePorts(ps []Port) []corev1.ServicePort {
	out := make([]corev1.ServicePort, len(ps))
	for i, p := range ps {
		out[i] = corev1.ServicePort{Name: p.Name, Port: p.Port, TargetPort: intstr.FromString(p.Name), Protocol: corev1.ProtocolTCP}
	}
	return out
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
