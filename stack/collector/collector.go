// Package collector owns the OpenTelemetry Collector: its configuration as
// typed Go and the Kubernetes objects that run it.
//
// The Collector runs as two workloads. The gateway (otel-collector) receives
// OTLP from GenOps workloads and scales horizontally. The cluster collector
// (otel-collector-cluster) runs the pull receivers, prometheus and
// k8s_cluster, as a single replica: every replica of a pull receiver scrapes
// every target, so two replicas would write every series twice.
package collector

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Well-known ports and names.
const (
	PortOTLPGRPC      = 4317
	PortOTLPHTTP      = 4318
	PortTelemetry     = 8888 // the Collector's own metrics
	PortPrometheus    = 8889 // the prometheus exporter
	PortHealth        = 13133
	GatewayName       = "otel-collector"
	ClusterName       = "otel-collector-cluster"
	ConfigKey         = "collector.yaml"
	configMountPath   = "/conf"
	collectorUID      = 10001 // the user the collector-contrib image runs as
	MetricsNamespace  = "genops"
	healthPortName    = "health"
	QuickStartName    = "genops-observability"
	ComponentsVersion = "0.149.0" // the collector-contrib release the configs are validated against
)

// Spec is what an environment decides about the Collector.
type Spec struct {
	// Image is the collector-contrib image, pinned.
	Image string
	// Gateway is the OTLP-receiving tier.
	Gateway Workload
	// Cluster is the singleton running the pull receivers.
	Cluster Workload
	// Batch tunes the batch processor of both workloads.
	Batch BatchProcessor
	// LogLevel is the Collector's own log level.
	LogLevel string
	// Debug, when set, adds the debug exporter at this verbosity to every
	// pipeline. The logs pipeline always has it until a log backend exists.
	Debug string
	// K8sClusterInterval is how often k8s_cluster reports.
	K8sClusterInterval string
	// ScrapeInterval is how often the cluster collector scrapes GenOps pods.
	ScrapeInterval string
}

// Workload sizes one Collector workload.
type Workload struct {
	Replicas      int32
	Resources     kube.Resources
	MemoryLimiter MemoryLimiterProcessor
}

// Wiring is what the Collector connects to, decided by the rest of the stack.
type Wiring struct {
	Namespace         string // where the Collector runs (monitoring)
	WorkloadNamespace string // where GenOps workloads run (genops-system)
	ClusterName       string // cluster.name resource attribute and cluster label
	Environment       string // deployment.environment.name resource attribute
	TracesEndpoint    string // host:port of the tracing backend's OTLP gRPC receiver
	RemoteWriteURL    string // Prometheus' remote-write endpoint
	Labels            map[string]string
}

// Instance is one Collector workload with its configuration.
type Instance struct {
	Name     string
	Workload Workload
	Config   Config
	Ports    []kube.Port
	// ClusterRead is true when the instance reads the Kubernetes API.
	ClusterRead bool
}

// Build returns the gateway and the cluster collector.
func Build(s Spec, w Wiring) []Instance {
	return []Instance{gateway(s, w), cluster(s, w)}
}

func commonProcessors(s Spec, wl Workload, w Wiring) Processors {
	ml := wl.MemoryLimiter
	b := s.Batch
	return Processors{
		MemoryLimiter: &ml,
		Batch:         &b,
		Resource: &ResourceProcessor{Attributes: []AttributeAction{
			{Key: "cluster.name", Value: w.ClusterName, Action: "upsert"},
			{Key: "deployment.environment.name", Value: w.Environment, Action: "upsert"},
		}},
	}
}

// governanceAttributes enriches spans and log records. Metrics do not get
// it: a constant genops_governance_enabled label on every series adds
// nothing, and the metrics carry their team label already.
func governanceAttributes() *AttributesProcessor {
	return &AttributesProcessor{Actions: []AttributeAction{
		{Key: "genops.cost_center", FromAttribute: "team", Action: "insert"},
		{Key: "genops.governance_enabled", Value: true, Action: "insert"},
	}}
}

func withDebug(s Spec, exporters ...string) []string {
	if s.Debug != "" {
		exporters = append(exporters, "debug")
	}
	return exporters
}

func telemetry(s Spec) Telemetry {
	return Telemetry{
		Logs: TelemetryLogs{Level: s.LogLevel},
		Metrics: TelemetryMetrics{Level: "normal", Readers: []Reader{{Pull: PullReader{Exporter: PullExporter{
			Prometheus: HostPort{Host: "0.0.0.0", Port: PortTelemetry},
		}}}}},
	}
}

func gatewayProcessors(s Spec, w Wiring) Processors {
	p := commonProcessors(s, s.Gateway, w)
	p.Attributes = governanceAttributes()
	return p
}

func gateway(s Spec, w Wiring) Instance {
	debug := s.Debug
	if debug == "" {
		debug = "basic"
	}
	cfg := Config{
		Receivers: Receivers{OTLP: &OTLPReceiver{Protocols: OTLPProtocols{
			GRPC: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortOTLPGRPC)},
			HTTP: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortOTLPHTTP)},
		}}},
		Processors: gatewayProcessors(s, w),
		Exporters: Exporters{
			Prometheus: &PrometheusExporter{
				Endpoint:    fmt.Sprintf("0.0.0.0:%d", PortPrometheus),
				Namespace:   MetricsNamespace,
				ConstLabels: map[string]string{"cluster": w.ClusterName},
			},
			OTLPTraces: &OTLPExporter{Endpoint: w.TracesEndpoint, TLS: &TLS{Insecure: true}},
			Debug:      &DebugExporter{Verbosity: debug},
		},
		Extensions: Extensions{HealthCheck: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortHealth)}},
		Service: Service{
			Extensions: []string{"health_check"},
			Telemetry:  telemetry(s),
			Pipelines: map[string]Pipeline{
				"metrics": {
					Receivers:  []string{"otlp"},
					Processors: []string{"memory_limiter", "resource", "batch"},
					Exporters:  withDebug(s, "prometheus"),
				},
				"traces": {
					Receivers:  []string{"otlp"},
					Processors: []string{"memory_limiter", "resource", "attributes", "batch"},
					Exporters:  withDebug(s, "otlp/traces"),
				},
				"logs": {
					Receivers:  []string{"otlp"},
					Processors: []string{"memory_limiter", "resource", "attributes", "batch"},
					Exporters:  []string{"debug"},
				},
			},
		},
	}
	return Instance{
		Name:     GatewayName,
		Workload: s.Gateway,
		Config:   cfg,
		Ports: []kube.Port{
			{Name: "otlp-grpc", Port: PortOTLPGRPC},
			{Name: "otlp-http", Port: PortOTLPHTTP},
			{Name: "metrics", Port: PortTelemetry},
			{Name: "prometheus", Port: PortPrometheus},
			{Name: healthPortName, Port: PortHealth},
		},
	}
}

func cluster(s Spec, w Wiring) Instance {
	cfg := Config{
		Receivers: Receivers{
			Prometheus: &PrometheusReceiver{Config: PrometheusScrape{ScrapeConfigs: []scrape.Job{
				scrape.AnnotatedPods("genops-pods", w.WorkloadNamespace, s.ScrapeInterval),
			}}},
			K8sCluster: &K8sClusterReceiver{
				AuthType:                 "serviceAccount",
				CollectionInterval:       s.K8sClusterInterval,
				NodeConditionsToReport:   []string{"Ready", "MemoryPressure", "DiskPressure"},
				AllocatableTypesToReport: []string{"cpu", "memory", "storage", "ephemeral-storage"},
			},
		},
		Processors: commonProcessors(s, s.Cluster, w),
		Exporters: Exporters{
			PrometheusRemoteWrite: &RemoteWriteExporter{
				Endpoint:                      w.RemoteWriteURL,
				ExternalLabels:                map[string]string{"cluster": w.ClusterName},
				ResourceToTelemetryConversion: &Enabled{Enabled: false},
			},
		},
		Extensions: Extensions{HealthCheck: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortHealth)}},
		Service: Service{
			Extensions: []string{"health_check"},
			Telemetry:  telemetry(s),
			Pipelines: map[string]Pipeline{
				"metrics": {
					Receivers:  []string{"prometheus", "k8s_cluster"},
					Processors: []string{"memory_limiter", "resource", "batch"},
					Exporters:  withDebug(s, "prometheusremotewrite"),
				},
			},
		},
	}
	if s.Debug != "" {
		cfg.Exporters.Debug = &DebugExporter{Verbosity: s.Debug}
	}
	return Instance{
		Name:     ClusterName,
		Workload: s.Cluster,
		Config:   cfg,
		Ports: []kube.Port{
			{Name: "metrics", Port: PortTelemetry},
			{Name: healthPortName, Port: PortHealth},
		},
		ClusterRead: true,
	}
}

// YAML renders the configuration as the Collector reads it.
func (c Config) YAML() ([]byte, error) {
	data, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	return files.WithHashHeader(data), nil
}

// ConfigMapName is the name of the generated ConfigMap holding an instance's config.
func (in Instance) ConfigMapName() string { return in.Name + "-config" }

// Component returns the Kubernetes objects of every instance, and the
// quick-start ConfigMap that points GenOps workloads at the gateway.
func Component(s Spec, w Wiring, instances []Instance) (kube.Component, error) {
	c := kube.Component{Name: "otel-collector"}
	for _, in := range instances {
		cfg, err := in.Config.YAML()
		if err != nil {
			return c, fmt.Errorf("collector %s: %w", in.Name, err)
		}
		c.Generators = append(c.Generators, kube.Generator{
			Kind: "ConfigMap", Name: in.ConfigMapName(), Namespace: w.Namespace,
			Files: []kube.GeneratedFile{{Key: ConfigKey, Data: cfg}},
		})
		c.Objects = append(c.Objects, objects(s, w, in)...)
	}
	c.Objects = append(c.Objects, QuickStart(w))
	for _, o := range c.Objects {
		if err := kube.SetTypeMeta(o); err != nil {
			return c, err
		}
	}
	kube.SortObjects(c.Objects)
	return c, nil
}

func labelsFor(w Wiring, name string) (all, selector map[string]string) {
	selector = map[string]string{"app.kubernetes.io/name": name}
	all = map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/component": "opentelemetry-collector"}
	for k, v := range w.Labels {
		all[k] = v
	}
	return all, selector
}

func objects(s Spec, w Wiring, in Instance) []kube.Object {
	lbl, sel := labelsFor(w, in.Name)
	meta := kube.Meta(in.Name, w.Namespace, lbl)
	strategy := appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
	if in.ClusterRead {
		// Never two pull collectors at once, not even during a rollout.
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	dep := &appsv1.Deployment{
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: kube.Ptr(in.Workload.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{
					ServiceAccountName:           in.Name,
					AutomountServiceAccountToken: kube.Ptr(in.ClusterRead),
					SecurityContext:              kube.RestrictedPodSecurity(collectorUID),
					Containers: []corev1.Container{{
						Name:            "otel-collector",
						Image:           s.Image,
						Args:            []string{"--config=" + configMountPath + "/" + ConfigKey},
						Ports:           kube.ContainerPorts(in.Ports),
						Resources:       in.Workload.Resources.Requirements(),
						SecurityContext: kube.RestrictedContainerSecurity(),
						LivenessProbe:   kube.HTTPProbe("/", healthPortName, 10, 15),
						ReadinessProbe:  kube.HTTPProbe("/", healthPortName, 5, 10),
						VolumeMounts:    []corev1.VolumeMount{{Name: "config", MountPath: configMountPath, ReadOnly: true}},
					}},
					Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
						ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: in.ConfigMapName()}},
					}}},
				},
			},
		},
	}
	svc := &corev1.Service{
		ObjectMeta: meta,
		Spec:       corev1.ServiceSpec{Selector: sel, Ports: kube.ServicePorts(servicePorts(in.Ports))},
	}
	sa := &corev1.ServiceAccount{ObjectMeta: meta, AutomountServiceAccountToken: kube.Ptr(in.ClusterRead)}
	objs := []kube.Object{dep, svc, sa}
	if in.ClusterRead {
		clusterMeta := kube.Meta(in.Name, "", lbl)
		objs = append(objs,
			&rbacv1.ClusterRole{ObjectMeta: clusterMeta, Rules: readOnlyRules()},
			&rbacv1.ClusterRoleBinding{
				ObjectMeta: clusterMeta,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: in.Name},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: in.Name, Namespace: w.Namespace}},
			})
	}
	if in.Workload.Replicas > 1 {
		objs = append(objs, &policyv1.PodDisruptionBudget{
			ObjectMeta: meta,
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: kube.Ptr(intstr.FromInt32(1)),
				Selector:       &metav1.LabelSelector{MatchLabels: sel},
			},
		})
	}
	return objs
}

// servicePorts are the ports a Service exposes: every port but the health
// port, which only the kubelet needs.
func servicePorts(ps []kube.Port) []kube.Port {
	var out []kube.Port
	for _, p := range ps {
		if p.Name != healthPortName {
			out = append(out, p)
		}
	}
	return out
}

// readOnlyRules are what the prometheus receiver's pod discovery and the
// k8s_cluster receiver read: get, list and watch, nothing else.
func readOnlyRules() []rbacv1.PolicyRule {
	read := []string{"get", "list", "watch"}
	rules := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"events", "namespaces", "namespaces/status", "nodes", "nodes/spec", "pods", "pods/status", "replicationcontrollers", "replicationcontrollers/status", "resourcequotas", "services", "endpoints"}, Verbs: read},
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, Verbs: read},
		{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}, Verbs: read},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: read},
		{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: read},
	}
	for i := range rules {
		sort.Strings(rules[i].Resources)
	}
	return rules
}

// QuickStart is the ConfigMap GenOps workloads load with envFrom to send
// OTLP to the gateway.
func QuickStart(w Wiring) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: kube.Meta(QuickStartName, w.WorkloadNamespace, w.Labels),
		Data: map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": fmt.Sprintf("http://%s.%s.svc:%d", GatewayName, w.Namespace, PortOTLPHTTP),
			"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
			"OTEL_METRICS_EXPORTER":       "otlp",
			"OTEL_TRACES_EXPORTER":        "otlp",
			"OTEL_LOGS_EXPORTER":          "otlp",
		},
	}
}
