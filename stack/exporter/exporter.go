// Package exporter owns the GenOps metrics exporter (genops-metrics-exporter):
// the Deployment and Service that serve the GenOps governance metrics on
// /metrics for the genops-pods scrape job, found through the seed's
// prometheus.io annotations, and send OTLP to the Collector gateway.
package exporter

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/koshihq/genops-stack/internal/kube"
)

// Name is the exporter's Deployment, Service and container name.
const Name = "genops-metrics-exporter"

const (
	metricsPath = "/metrics"
	portName    = "metrics"
	// nobodyUID runs the exporter as an unprivileged user.
	nobodyUID = 65534
)

// Spec is what an environment decides about the exporter.
type Spec struct {
	// Image is the exporter image, pinned to a release.
	Image     string
	Port      int32
	Resources kube.Resources
}

// MetricsURL is where the exporter in namespace ns serves its metrics, in
// the cluster.
func (s Spec) MetricsURL(ns string) string {
	return fmt.Sprintf("http://%s.%s.svc:%d%s", Name, ns, s.Port, metricsPath)
}

// Component returns the exporter's objects in namespace ns. otlpEndpoint is
// the gateway's OTLP gRPC URL the exporter pushes to.
func Component(s Spec, ns, otlpEndpoint string, labels map[string]string) (kube.Component, error) {
	sel := map[string]string{"app.kubernetes.io/name": Name}
	lbl := map[string]string{"app.kubernetes.io/name": Name, "app.kubernetes.io/component": "metrics-exporter"}
	for k, v := range labels {
		lbl[k] = v
	}
	meta := kube.Meta(Name, ns, lbl)
	ports := []kube.Port{{Name: portName, Port: s.Port}}
	port := strconv.Itoa(int(s.Port))
	dep := &appsv1.Deployment{
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: kube.Ptr(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: lbl,
					// The genops-pods job scrapes pods that opt in with these.
					Annotations: map[string]string{
						"prometheus.io/scrape": "true",
						"prometheus.io/port":   port,
						"prometheus.io/path":   metricsPath,
					},
				},
				Spec: corev1.PodSpec{
					ServiceAccountName:           Name,
					AutomountServiceAccountToken: kube.Ptr(false),
					SecurityContext:              kube.RestrictedPodSecurity(nobodyUID),
					Containers: []corev1.Container{{
						Name:  "exporter",
						Image: s.Image,
						Env: []corev1.EnvVar{
							{Name: "METRICS_PORT", Value: port},
							{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: otlpEndpoint},
						},
						Ports:           kube.ContainerPorts(ports),
						Resources:       s.Resources.Requirements(),
						SecurityContext: kube.RestrictedContainerSecurity(),
						LivenessProbe:   kube.HTTPProbe(metricsPath, portName, 10, 30),
						ReadinessProbe:  kube.HTTPProbe(metricsPath, portName, 5, 10),
						VolumeMounts:    []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
					}},
					// A writable /tmp for the runtime; the root filesystem stays read-only.
					Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				},
			},
		},
	}
	c := kube.Component{Name: Name, Objects: []kube.Object{
		dep,
		&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Selector: sel, Ports: kube.ServicePorts(ports)}},
		&corev1.ServiceAccount{ObjectMeta: meta, AutomountServiceAccountToken: kube.Ptr(false)},
	}}
	for _, o := range c.Objects {
		if err := kube.SetTypeMeta(o); err != nil {
			return c, fmt.Errorf("%s: %w", Name, err)
		}
	}
	kube.SortObjects(c.Objects)
	return c, nil
}
