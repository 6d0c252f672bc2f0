package scrape

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	yamlv2 "go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8slabels "k8s.io/apimachinery/pkg/labels"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Pod is what Kubernetes service discovery sees of one pod of a workload
// the stack deploys: enough to compute the targets a job finds.
type Pod struct {
	Workload    kube.ID
	Namespace   string
	Name        string
	IP          string
	Labels      map[string]string
	Annotations map[string]string
	Containers  []corev1.Container
}

// Pods returns one pod per workload among objs, each with its own address.
func Pods(objs []kube.Object) []Pod {
	var pods []Pod
	for _, o := range objs {
		t := kube.PodTemplate(o)
		if t == nil {
			continue
		}
		pods = append(pods, Pod{
			Workload:    kube.IDOf(o),
			Namespace:   o.GetNamespace(),
			Name:        o.GetName() + "-0",
			IP:          fmt.Sprintf("10.0.%d.%d", len(pods)/250, len(pods)%250+1),
			Labels:      t.Labels,
			Annotations: t.Annotations,
			Containers:  t.Spec.Containers,
		})
	}
	return pods
}

// Target is one scrape target after relabeling: the pod behind it, its
// address and path, and its final target labels.
type Target struct {
	Pod     kube.ID
	Address string
	Path    string
	Labels  labels.Labels
}

// key identifies what is scraped, whoever scrapes it.
func (t Target) key() string { return t.Pod.String() + " " + t.Address + t.Path }

// describe names the target in findings: the workload, its port and path.
func (t Target) describe() string {
	_, port, _ := net.SplitHostPort(t.Address)
	return fmt.Sprintf("%s port %s %s", t.Pod, port, t.Path)
}

// Targets are the targets a pod-role job finds among pods, relabeled with
// Prometheus' own relabel engine.
func (j Job) Targets(pods []Pod) ([]Target, error) {
	relabels, err := prometheusRelabels(j.RelabelConfigs)
	if err != nil {
		return nil, err
	}
	path := j.MetricsPath
	if path == "" {
		path = "/metrics"
	}
	var out []Target
	for _, sd := range j.KubernetesSDConfigs {
		if sd.Role != "pod" {
			return nil, fmt.Errorf("kubernetes_sd_configs role %q: only the pod role is modelled", sd.Role)
		}
		for _, p := range pods {
			if sd.Namespaces != nil && !contains(sd.Namespaces.Names, p.Namespace) {
				continue
			}
			for _, meta := range p.podRole() {
				lb := labels.NewBuilder(meta)
				lb.Set("job", j.Name)
				lb.Set("__metrics_path__", path)
				out = appendTarget(out, p, lb, relabels)
			}
		}
	}
	return dedupe(out), nil
}

// podRole is the target set Prometheus' pod role discovers for p: one target
// per container port (one per container without ports), each with the pod's
// meta labels.
func (p Pod) podRole() []labels.Labels {
	base := map[string]string{
		"__meta_kubernetes_namespace": p.Namespace,
		"__meta_kubernetes_pod_name":  p.Name,
		"__meta_kubernetes_pod_ip":    p.IP,
	}
	for k, v := range p.Labels {
		base["__meta_kubernetes_pod_label_"+sanitize(k)] = v
		base["__meta_kubernetes_pod_labelpresent_"+sanitize(k)] = "true"
	}
	for k, v := range p.Annotations {
		base["__meta_kubernetes_pod_annotation_"+sanitize(k)] = v
		base["__meta_kubernetes_pod_annotationpresent_"+sanitize(k)] = "true"
	}
	var out []labels.Labels
	for _, c := range p.Containers {
		if len(c.Ports) == 0 {
			m := clone(base)
			m["__address__"] = p.IP
			m["__meta_kubernetes_pod_container_name"] = c.Name
			out = append(out, labels.FromMap(m))
			continue
		}
		for _, port := range c.Ports {
			m := clone(base)
			m["__address__"] = net.JoinHostPort(p.IP, strconv.Itoa(int(port.ContainerPort)))
			m["__meta_kubernetes_pod_container_name"] = c.Name
			m["__meta_kubernetes_pod_container_port_name"] = port.Name
			m["__meta_kubernetes_pod_container_port_number"] = strconv.Itoa(int(port.ContainerPort))
			out = append(out, labels.FromMap(m))
		}
	}
	return out
}

// MonitorTargets are the targets a PodMonitor or ServiceMonitor finds among
// pods and services: selected as the Operator selects (label selector,
// namespaces, port name), labeled as the Operator labels them, then
// relabeled by the monitor's own relabelings with Prometheus' engine.
func MonitorTargets(o kube.Object, pods []Pod, svcs []*corev1.Service) ([]Target, error) {
	switch m := o.(type) {
	case *monitoringv1.PodMonitor:
		return podMonitorTargets(m, pods)
	case *monitoringv1.ServiceMonitor:
		return serviceMonitorTargets(m, pods, svcs)
	}
	return nil, nil
}

func podMonitorTargets(m *monitoringv1.PodMonitor, pods []Pod) ([]Target, error) {
	sel, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, ep := range m.Spec.PodMetricsEndpoints {
		relabels, err := prometheusRelabels(fromOperator(ep.RelabelConfigs))
		if err != nil {
			return nil, err
		}
		for _, p := range pods {
			if !namespaceSelected(m.Spec.NamespaceSelector, m.Namespace, p.Namespace) || !sel.Matches(k8slabels.Set(p.Labels)) {
				continue
			}
			for _, meta := range p.podRole() {
				port := meta.Get("__meta_kubernetes_pod_container_port_name")
				if ep.Port != nil && port != *ep.Port {
					continue
				}
				lb := seedOperatorLabels(meta, m.Namespace+"/"+m.Name, ep.Path, port)
				out = appendTarget(out, p, lb, relabels)
			}
		}
	}
	return dedupe(out), nil
}

// selectedServices are the Services a ServiceMonitor selects.
func selectedServices(m *monitoringv1.ServiceMonitor, svcs []*corev1.Service) ([]*corev1.Service, error) {
	sel, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil {
		return nil, err
	}
	var out []*corev1.Service
	for _, svc := range svcs {
		if namespaceSelected(m.Spec.NamespaceSelector, m.Namespace, svc.Namespace) && sel.Matches(k8slabels.Set(svc.Labels)) {
			out = append(out, svc)
		}
	}
	return out, nil
}

func serviceMonitorTargets(m *monitoringv1.ServiceMonitor, pods []Pod, svcs []*corev1.Service) ([]Target, error) {
	selected, err := selectedServices(m, svcs)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, ep := range m.Spec.Endpoints {
		relabels, err := prometheusRelabels(fromOperator(ep.RelabelConfigs))
		if err != nil {
			return nil, err
		}
		for _, svc := range selected {
			sp, ok := servicePort(svc, ep.Port)
			if !ok {
				continue
			}
			behind := k8slabels.SelectorFromSet(svc.Spec.Selector)
			for _, p := range pods {
				if p.Namespace != svc.Namespace || len(svc.Spec.Selector) == 0 || !behind.Matches(k8slabels.Set(p.Labels)) {
					continue
				}
				for _, meta := range p.podRole() {
					if !targetsPort(sp, meta) {
						continue
					}
					lb := seedOperatorLabels(meta, svc.Name, ep.Path, sp.Name)
					lb.Set("service", svc.Name)
					lb.Set("__meta_kubernetes_service_name", svc.Name)
					lb.Set("__meta_kubernetes_endpoint_port_name", sp.Name)
					out = appendTarget(out, p, lb, relabels)
				}
			}
		}
	}
	return dedupe(out), nil
}

// seedOperatorLabels are the labels the Operator sets before a monitor's own
// relabelings: namespace, pod, container, endpoint (the port name) and job.
func seedOperatorLabels(meta labels.Labels, job, path, port string) *labels.Builder {
	if path == "" {
		path = "/metrics"
	}
	lb := labels.NewBuilder(meta)
	lb.Set("namespace", meta.Get("__meta_kubernetes_namespace"))
	lb.Set("pod", meta.Get("__meta_kubernetes_pod_name"))
	lb.Set("container", meta.Get("__meta_kubernetes_pod_container_name"))
	lb.Set("endpoint", port)
	lb.Set("job", job)
	lb.Set("__metrics_path__", path)
	return lb
}

func servicePort(svc *corev1.Service, name string) (corev1.ServicePort, bool) {
	for _, p := range svc.Spec.Ports {
		if p.Name == name {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// targetsPort reports whether a pod-role target is the container port a
// Service port forwards to.
func targetsPort(sp corev1.ServicePort, meta labels.Labels) bool {
	t := sp.TargetPort
	switch {
	case t.StrVal != "":
		return meta.Get("__meta_kubernetes_pod_container_port_name") == t.StrVal
	case t.IntVal != 0:
		return meta.Get("__meta_kubernetes_pod_container_port_number") == strconv.Itoa(int(t.IntVal))
	}
	return meta.Get("__meta_kubernetes_pod_container_port_number") == strconv.Itoa(int(sp.Port))
}

func namespaceSelected(ns monitoringv1.NamespaceSelector, own, namespace string) bool {
	switch {
	case ns.Any:
		return true
	case len(ns.MatchNames) > 0:
		return contains(ns.MatchNames, namespace)
	}
	return namespace == own
}

// appendTarget relabels lb and, when the target survives, adds it with its
// final labels: meta labels dropped, instance defaulting to the address.
func appendTarget(out []Target, p Pod, lb *labels.Builder, relabels []*relabel.Config) []Target {
	if !relabel.ProcessBuilder(lb, relabels...) {
		return out
	}
	addr, path := lb.Get("__address__"), lb.Get("__metrics_path__")
	if lb.Get("instance") == "" {
		lb.Set("instance", addr)
	}
	final := labels.NewBuilder(labels.EmptyLabels())
	lb.Labels().Range(func(l labels.Label) {
		if !strings.HasPrefix(l.Name, "__") && l.Value != "" {
			final.Set(l.Name, l.Value)
		}
	})
	return append(out, Target{Pod: p.Workload, Address: addr, Path: path, Labels: final.Labels()})
}

// dedupe drops targets with identical labels, as a scrape pool does.
func dedupe(ts []Target) []Target {
	seen := map[string]bool{}
	var out []Target
	for _, t := range ts {
		k := t.key() + " " + t.Labels.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// prometheusRelabels loads relabel rules the way Prometheus loads them (its
// YAML unmarshaler fills the defaults) and validates them.
func prometheusRelabels(rs []Relabel) ([]*relabel.Config, error) {
	data, err := files.MarshalYAML(rs)
	if err != nil {
		return nil, err
	}
	var cfgs []*relabel.Config
	if err := yamlv2.UnmarshalStrict(data, &cfgs); err != nil {
		return nil, fmt.Errorf("relabel configs: %w", err)
	}
	for i, c := range cfgs {
		if err := c.Validate(model.UTF8Validation); err != nil {
			return nil, fmt.Errorf("relabel config %d: %w", i+1, err)
		}
	}
	return cfgs, nil
}

// fromOperator converts a monitor's relabelings back to scrape-config form.
func fromOperator(rs []monitoringv1.RelabelConfig) []Relabel {
	out := make([]Relabel, len(rs))
	for i, r := range rs {
		out[i] = Relabel{TargetLabel: r.TargetLabel, Regex: r.Regex, Action: strings.ToLower(r.Action)}
		for _, l := range r.SourceLabels {
			out[i].SourceLabels = append(out[i].SourceLabels, string(l))
		}
		if r.Separator != nil {
			out[i].Separator = *r.Separator
		}
		if r.Replacement != nil {
			out[i].Replacement = *r.Replacement
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}
