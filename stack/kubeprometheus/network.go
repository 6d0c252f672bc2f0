package kubeprometheus

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/netpol"
)

// The components of the release, as network rules name them.
const (
	PrometheusComponent   = "prometheus"
	AlertmanagerComponent = "alertmanager"
	GrafanaComponent      = "grafana"
	KSMComponent          = "kube-state-metrics"
	OperatorComponent     = "prometheus-operator"
)

// The release's pods and ports, as kube-prometheus-stack 75.15.1 (and its
// grafana 9.3.0 and kube-state-metrics 6.1.0 charts) label and open them.
// Each endpoint's Pods is the pod selector of the chart's own policy
// template, so the rules the values carry apply to exactly the pods the
// chart selects. node-exporter runs on the host network, where
// NetworkPolicy does not apply.
func endpoints(s Spec, ns string) []netpol.Endpoint {
	chart := ChartName
	return []netpol.Endpoint{
		{Component: PrometheusComponent, Namespace: ns, Chart: chart,
			Pods:  map[string]string{"app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": FullName + "-prometheus"},
			Ports: []netpol.Port{{Name: "http-web", Port: 9090}, {Name: "reloader-web", Port: 8080}}},
		{Component: AlertmanagerComponent, Namespace: ns, Chart: chart,
			Pods: map[string]string{"app.kubernetes.io/name": "alertmanager"},
			Ports: []netpol.Port{{Name: "http-web", Port: 9093}, {Name: "mesh-tcp", Port: 9094}, {Name: "mesh-udp", Port: 9094, Protocol: "UDP"},
				{Name: "reloader-web", Port: 8080}}},
		{Component: GrafanaComponent, Namespace: ns, Chart: chart,
			Pods:  map[string]string{"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": s.Release},
			Ports: []netpol.Port{{Name: "grafana", Port: 3000}}},
		{Component: KSMComponent, Namespace: ns, Chart: chart,
			Pods:  map[string]string{"app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": s.Release},
			Ports: []netpol.Port{{Name: "http", Port: 8080}}},
		{Component: OperatorComponent, Namespace: ns, Chart: chart,
			Pods:  map[string]string{"app": ChartName + "-operator", "release": s.Release},
			Ports: []netpol.Port{{Name: "https", Port: 10250}}},
	}
}

// Network returns the release's endpoints in namespace ns and who may
// reach them; remoteWriters are the components that remote-write to
// Prometheus (the cluster collector).
func Network(s Spec, ns string, remoteWriters []string) ([]netpol.Endpoint, []netpol.Allow) {
	prom := netpol.Peer{Component: PrometheusComponent}
	grafana := netpol.Peer{Component: GrafanaComponent}
	allows := []netpol.Allow{
		{To: PrometheusComponent, Ports: []string{"http-web"}, From: grafana, Why: "Grafana queries Prometheus (data source genops-prometheus)"},
		{To: PrometheusComponent, Ports: []string{"http-web", "reloader-web"}, From: prom, Why: "Prometheus scrapes itself and its config reloader"},
	}
	for _, w := range remoteWriters {
		allows = append(allows, netpol.Allow{To: PrometheusComponent, Ports: []string{"http-web"}, From: netpol.Peer{Component: w}, Why: "the cluster collector remote-writes what it scrapes"})
	}
	allows = append(allows,
		netpol.Allow{To: AlertmanagerComponent, Ports: []string{"http-web", "reloader-web"}, From: prom, Why: "Prometheus sends alerts and scrapes Alertmanager"},
		netpol.Allow{To: AlertmanagerComponent, Ports: []string{"http-web"}, From: grafana, Why: "Grafana reads alerts and silences (data source genops-alertmanager)"},
		netpol.Allow{To: AlertmanagerComponent, Ports: []string{"mesh-tcp", "mesh-udp"}, From: netpol.Peer{Component: AlertmanagerComponent}, Why: "Alertmanager replicas gossip (notification log, silences)"},
		netpol.Allow{To: GrafanaComponent, Ports: []string{"grafana"}, From: netpol.Peer{Anywhere: true}, Why: "people reach Grafana through whatever ingress the cluster runs, and Prometheus scrapes it; Grafana's login checks every user"},
		netpol.Allow{To: KSMComponent, Ports: []string{"http"}, From: prom, Why: "Prometheus scrapes kube-state-metrics"},
		netpol.Allow{To: OperatorComponent, Ports: []string{"https"}, From: netpol.Peer{Anywhere: true}, Why: "the API server calls the operator's admission webhook (not a pod: its address differs per cluster), and Prometheus scrapes the operator"},
	)
	return endpoints(s, ns), allows
}

// ChartPolicy is the networkPolicy value of the chart's prometheus section
// and of the kube-state-metrics chart: both templates copy podSelector,
// ingress and egress into the NetworkPolicy as they are, with policyTypes
// Ingress and Egress (so egress must be given: everything, as before).
type ChartPolicy struct {
	Enabled     bool                                    `json:"enabled"`
	Flavor      string                                  `json:"flavor"`
	PodSelector *metav1.LabelSelector                   `json:"podSelector,omitempty"`
	Ingress     []networkingv1.NetworkPolicyIngressRule `json:"ingress"`
	Egress      []networkingv1.NetworkPolicyEgressRule  `json:"egress"`
}

// AlertmanagerPolicy is alertmanager.networkPolicy: the built-in rules are
// off and every rule comes from AdditionalIngress, which the template
// copies as it is.
type AlertmanagerPolicy struct {
	Enabled            bool                                    `json:"enabled"`
	PolicyTypes        []networkingv1.PolicyType               `json:"policyTypes"`
	EnableClusterRules bool                                    `json:"enableClusterRules"`
	MonitoringRules    AlertmanagerMonitoringRules             `json:"monitoringRules"`
	AdditionalIngress  []networkingv1.NetworkPolicyIngressRule `json:"additionalIngress"`
}

// AlertmanagerMonitoringRules switches the template's built-in rules.
type AlertmanagerMonitoringRules struct {
	Prometheus     bool `json:"prometheus"`
	ConfigReloader bool `json:"configReloader"`
}

// GrafanaPolicy is grafana.networkPolicy: ingress to Grafana's port from
// anywhere (allowExternal), egress open.
type GrafanaPolicy struct {
	Enabled       bool `json:"enabled"`
	Ingress       bool `json:"ingress"`
	AllowExternal bool `json:"allowExternal"`
}

// OperatorPolicy is prometheusOperator.networkPolicy: the template admits
// anyone to the webhook port and opens egress.
type OperatorPolicy struct {
	Enabled bool   `json:"enabled"`
	Flavor  string `json:"flavor"`
}

// KSMValues is the kube-state-metrics section.
type KSMValues struct {
	NetworkPolicy *ChartPolicy `json:"networkPolicy,omitempty"`
}

// OperatorValues is the prometheusOperator section.
type OperatorValues struct {
	NetworkPolicy *OperatorPolicy `json:"networkPolicy,omitempty"`
}

// allEgress is one egress rule admitting everything.
var allEgress = []networkingv1.NetworkPolicyEgressRule{{}}

// ApplyNetwork puts the plan's rules for the release's pods into the
// chart's networkPolicy values, so the chart renders the policies and
// genops-stack renders none beside them.
func ApplyNetwork(v *Values, p netpol.Plan) {
	v.Prometheus.NetworkPolicy = chartPolicy(p, PrometheusComponent)
	v.KubeStateMetrics = &KSMValues{NetworkPolicy: chartPolicy(p, KSMComponent)}
	v.Alertmanager.NetworkPolicy = &AlertmanagerPolicy{
		Enabled: true, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		AdditionalIngress: p.Ingress(AlertmanagerComponent),
	}
	v.Grafana.NetworkPolicy = &GrafanaPolicy{Enabled: true, Ingress: true, AllowExternal: true}
	v.PrometheusOperator = &OperatorValues{NetworkPolicy: &OperatorPolicy{Enabled: true, Flavor: "kubernetes"}}
}

func chartPolicy(p netpol.Plan, component string) *ChartPolicy {
	sel := p.PodSelector(component)
	return &ChartPolicy{Enabled: true, Flavor: "kubernetes", PodSelector: &sel, Ingress: p.Ingress(component), Egress: allEgress}
}

// ChartPolicies are the NetworkPolicies the chart renders from v's
// networkPolicy values, as its templates (kube-prometheus-stack 75.15.1:
// templates/prometheus/networkpolicy.yaml, alertmanager/networkpolicy.yaml,
// prometheus-operator/networkpolicy.yaml; grafana 9.3.0 and
// kube-state-metrics 6.1.0: templates/networkpolicy.yaml) write them: the
// tests evaluate them with the stack's own policies. No chart is rendered
// here (that needs the charts, which are not Go modules); the values are
// chosen so that each template copies them as they are or adds only a
// fixed port.
func ChartPolicies(v Values, s Spec, ns string, labels map[string]string) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	both := []networkingv1.PolicyType{networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeIngress}
	mk := func(name string, spec networkingv1.NetworkPolicySpec) {
		np := &networkingv1.NetworkPolicy{ObjectMeta: kube.Meta(name, ns, labels), Spec: spec}
		_ = kube.SetTypeMeta(np)
		out = append(out, np)
	}
	if np := v.Prometheus.NetworkPolicy; np != nil && np.Enabled {
		mk(FullName+"-prometheus", networkingv1.NetworkPolicySpec{PodSelector: *np.PodSelector, Ingress: np.Ingress, Egress: np.Egress, PolicyTypes: both})
	}
	if am := v.Alertmanager.NetworkPolicy; am != nil && am.Enabled {
		mk(FullName+"-alertmanager", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "alertmanager"}},
			PolicyTypes: am.PolicyTypes, Ingress: am.AdditionalIngress,
		})
	}
	if g := v.Grafana.NetworkPolicy; g != nil && g.Enabled && g.Ingress && g.AllowExternal {
		mk("grafana", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": s.Release}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: kube.Ptr(intstr.FromInt32(3000))}}}},
		})
	}
	if k := v.KubeStateMetrics; k != nil && k.NetworkPolicy != nil && k.NetworkPolicy.Enabled {
		np := k.NetworkPolicy
		mk(s.Release+"-kube-state-metrics", networkingv1.NetworkPolicySpec{PodSelector: *np.PodSelector, Ingress: np.Ingress, Egress: np.Egress, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}})
	}
	if o := v.PrometheusOperator; o != nil && o.NetworkPolicy != nil && o.NetworkPolicy.Enabled {
		mk(FullName+"-operator", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": ChartName + "-operator", "release": s.Release}},
			PolicyTypes: both,
			Egress:      allEgress,
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: kube.Ptr(intstr.FromInt32(10250))}}}},
		})
	}
	return out
}
