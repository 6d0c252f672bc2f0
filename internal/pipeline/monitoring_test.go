package pipeline

import (
	"path"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
)

// TestPrometheusSelectsTheMonitors reads the rendered kube-prometheus-stack
// values of every environment and checks that Prometheus' ServiceMonitor and
// PodMonitor selectors (labels and namespaces) select every monitor the
// environment deploys.
func TestPrometheusSelectsTheMonitors(t *testing.T) {
	res := mustGenerate(t)
	for _, env := range stack.Default().Environments {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := res.Files.Get(path.Join("helm", env.Name, kubeprometheus.ChartName+".values.yaml"))
		var values kubeprometheus.Values
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Fatal(err)
		}
		spec := values.Prometheus.PrometheusSpec
		n := 0
		for _, o := range s.Objects() {
			var sel, nsSel *metav1.LabelSelector
			switch o.(type) {
			case *monitoringv1.ServiceMonitor:
				sel, nsSel = spec.ServiceMonitorSelector, spec.ServiceMonitorNamespaceSelector
			case *monitoringv1.PodMonitor:
				sel, nsSel = spec.PodMonitorSelector, spec.PodMonitorNamespaceSelector
			default:
				continue
			}
			n++
			id := o.GetObjectKind().GroupVersionKind().Kind + " " + o.GetNamespace() + "/" + o.GetName()
			selector, err := metav1.LabelSelectorAsSelector(sel)
			if err != nil {
				t.Fatal(err)
			}
			if selector.Empty() || !selector.Matches(labels.Set(o.GetLabels())) {
				t.Errorf("%s: selector %q does not select %s (labels %v)", env.Name, selector, id, o.GetLabels())
			}
			// The monitors live in the monitoring namespace and point at
			// others: Prometheus must look in every namespace.
			if nsSel == nil || len(nsSel.MatchLabels) > 0 || len(nsSel.MatchExpressions) > 0 {
				t.Errorf("%s: namespace selector %v does not select every namespace, so not %s", env.Name, nsSel, id)
			}
		}
		if n < 2 {
			t.Errorf("%s: %d monitors, want the Collector's at least", env.Name, n)
		}
	}
}
