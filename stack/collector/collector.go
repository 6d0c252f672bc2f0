// Package collector owns the OpenTelemetry Collector: its configuration as
// typed Go and the Kubernetes objects that run it.
//
// The Collector runs as up to four workloads. The gateway (otel-collector)
// receives OTLP from GenOps workloads and scales horizontally. The cluster
// collector (otel-collector-cluster) runs the pull receivers, prometheus and
// k8s_cluster, as a single replica: every replica of a pull receiver scrapes
// every target, so two replicas would write every series twice. When the
// environment tail-samples, the sampling tier (otel-collector-sampler) runs
// tail_sampling as a single replica fed by the gateway: tail sampling needs
// every span of a trace in one instance. When the environment collects node
// logs with the filelog receiver, the agent (otel-collector-agent) runs on
// every node and forwards them to the gateway.
package collector

import (
	"fmt"
	"maps"
	"slices"
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
	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Well-known ports and names.
const (
	PortOTLPGRPC      = 4317
	PortOTLPHTTP      = 4318
	PortTelemetry     = 8888 // the Collector's own metrics
	PortPrometheus    = 8889 // the prometheus exporter
	PortHealth        = 13133
	otlpGRPCPortName  = "otlp-grpc"
	otlpHTTPPortName  = "otlp-http"
	GatewayName       = "otel-collector"
	ClusterName       = "otel-collector-cluster"
	SamplerName       = "otel-collector-sampler"
	AgentName         = "otel-collector-agent"
	ConfigKey         = "collector.yaml"
	configMountPath   = "/conf"
	collectorUID      = 10001 // the user the collector-contrib image runs as
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
	// Sampler is the tail-sampling tier, deployed when the environment
	// tail-samples. It must run one replica (Check enforces it).
	Sampler Workload
	// Agent sizes the per-node log agent, deployed when the environment
	// collects logs with the filelog receiver (Replicas is unused).
	Agent Workload
	// Batch tunes the batch processor of both workloads.
	Batch BatchProcessor
	// LogLevel is the Collector's own log level.
	LogLevel string
	// Debug, when set, adds the debug exporter at this verbosity to every
	// pipeline.
	Debug string
	// K8sClusterInterval is how often k8s_cluster reports.
	K8sClusterInterval string
	// ScrapeInterval is how often GenOps pods are scraped, by the cluster
	// collector or by Prometheus.
	ScrapeInterval string
	// Auth puts bearer-token authentication on the gateway's OTLP receivers.
	Auth Auth
	// Attribution charges spans to the team owning their namespace.
	Attribution Attribution
}

// Workload sizes one Collector workload. Its memory_limiter follows
// Resources.MemoryLimit (memoryLimiter).
type Workload struct {
	Replicas  int32
	Resources kube.Resources
}

// memoryLimiter is every workload's memory_limiter: a hard limit of 80% of
// the container's memory limit, read by the Collector from its cgroup at
// start-up, and a soft limit 20 points below it (a quarter of the hard
// limit, as the hand-set values were). It follows whatever limit the
// container runs with, an overlay's patch included.
func memoryLimiter() *MemoryLimiterProcessor {
	return &MemoryLimiterProcessor{CheckInterval: "1s", LimitPercentage: 80, SpikeLimitPercentage: 20}
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
	// ScrapeJobs are the jobs the cluster collector's prometheus receiver
	// runs; none when Prometheus scrapes the GenOps pods itself.
	ScrapeJobs []scrape.Job
	// Sampling is the environment's trace sampling.
	Sampling sampling.Spec
	// LogsEndpoint is Loki's OTLP endpoint (the otlphttp exporter appends
	// /v1/logs).
	LogsEndpoint string
	// FileLogs deploys the node agent reading container logs.
	FileLogs bool
	// Honeycomb, when set, also sends the kept traces to Honeycomb.
	Honeycomb *Honeycomb
	// Catalog is the metric catalog: the gateway derives its FromSpans
	// metrics from spans, with its telemetry contract.
	Catalog *catalog.Catalog
	// Workloads labels the namespaces whose pods may send OTLP to the
	// gateway, and Scraper is the component that scrapes the Collectors
	// (its NetworkPolicy admits them; Network).
	Workloads netpol.Label
	Scraper   string
	// Teams are the names of the teams: a span claiming another name is
	// counted as claiming UnknownTeam.
	Teams []string
	// TeamNamespaces are the namespaces the teams' workloads run in; each
	// gets the quick-start ConfigMap.
	TeamNamespaces []string
}

// Honeycomb is where traces go in Honeycomb and the Secret holding the API key.
type Honeycomb struct {
	Endpoint string // host:port of Honeycomb's OTLP gRPC endpoint
	Secret   SecretRef
}

// SecretRef is a key of an existing Secret in the Collector's namespace.
type SecretRef struct {
	Name, Key string
}

// SecretEnv is an environment variable of the Collector container read from
// a Secret; configs refer to it as ${env:NAME} and never hold the value.
type SecretEnv struct {
	Name   string
	Secret SecretRef
}

// Instance is one Collector workload with its configuration.
type Instance struct {
	Name     string
	Workload Workload
	Config   Config
	Ports    []kube.Port
	// ClusterRead is true when the instance reads the Kubernetes API with
	// the cluster collector's read-only rules (readOnlyRules).
	ClusterRead bool
	// Rules are the API access of an instance that needs less than
	// ClusterRead (the gateway's k8sattributes: pods and namespaces).
	Rules []rbacv1.PolicyRule
	// Singleton instances never run two pods at once, not even during a
	// rollout: pull receivers and tail sampling.
	Singleton bool
	// NodeAgent instances run on every node (a DaemonSet) and read its logs.
	NodeAgent bool
	// Env are the container's environment variables read from Secrets.
	Env []SecretEnv
}

// Build returns the gateway, the cluster collector and, when the environment
// needs them, the sampling tier and the node agent.
func Build(s Spec, w Wiring) []Instance {
	ins := []Instance{gateway(s, w), cluster(s, w)}
	if w.Sampling.Tail != nil {
		ins = append(ins, sampler(s, w))
	}
	if w.FileLogs {
		ins = append(ins, agent(s, w))
	}
	return ins
}

func commonProcessors(s Spec, w Wiring) Processors {
	b := s.Batch
	return Processors{
		MemoryLimiter: memoryLimiter(),
		Batch:         &b,
		Resource: &ResourceProcessor{Attributes: []AttributeAction{
			{Key: "cluster.name", Value: w.ClusterName, Action: "upsert"},
			{Key: "deployment.environment.name", Value: w.Environment, Action: "upsert"},
		}},
	}
}

// governanceAttributes marks spans and log records as seen by the GenOps
// gateway. Metrics do not get it: a constant genops_governance_enabled
// label on every series adds nothing. (The seed also copied an attribute
// "team" into genops.cost_center; nothing sets "team": GenOps AI sends
// genops.team and genops.cost_center itself.)
func governanceAttributes() *AttributesProcessor {
	return &AttributesProcessor{Actions: []AttributeAction{
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

func gatewayProcessors(s Spec, w Wiring, derived []catalog.Metric) Processors {
	p := commonProcessors(s, w)
	p.Attributes = governanceAttributes()
	p.Normalize = Normalize(w.Catalog.Contract())
	p.Labels = Labels(derived)
	p.GenAI = GenAI()
	p.DeltaToCumulative = &Empty{}
	p.BatchDerive = &BatchProcessor{Timeout: "1s", SendBatchSize: s.Batch.SendBatchSize}
	p.Untrusted = untrusted()
	p.K8sAttributes = k8sAttributes(s.Attribution)
	p.Attribution = AttributionStatements(w.Teams)
	return p
}

// attributed are the processors that come first in both trace pipelines of
// the gateway: refuse data before buffering it, find the sender, normalize
// aliases (the claim may come as a resource attribute), charge the owner.
var attributed = []string{"memory_limiter", UntrustedProcessor, K8sAttributesID, NormalizeProcessor, AttributionProcessor}

// derivationPipelines are the pipelines that derive the catalog's metrics
// from every span the gateway receives, before any sampling (derive.go).
//
// batch/derive feeds the connectors from one goroutine. Without it,
// concurrent OTLP requests reach the connector at once, its delta points
// reach deltatocumulative out of order, and deltatocumulative drops every
// point not newer than the last of its series (delta.ErrOutOfOrder): 3-4%
// of the increments were lost with eight concurrent senders
// (TestGatewayDerivationConcurrentExports). Its timeout is short: it only
// orders, the SDKs batch already. Nothing batches after deltatocumulative:
// the prometheus exporter is scraped, not pushed to.
func derivationPipelines(connectors []string) map[string]Pipeline {
	return map[string]Pipeline{
		DerivationPipeline: {
			Receivers:  []string{"otlp"},
			Processors: append(slices.Clone(attributed), LabelsProcessor, DerivationBatch),
			Exporters:  connectors,
		},
		DerivedPipeline: {
			Receivers:  connectors,
			Processors: []string{"deltatocumulative"},
			Exporters:  []string{"prometheus"},
		},
	}
}

func gateway(s Spec, w Wiring) Instance {
	derived := w.Catalog.Derived()
	p := gatewayProcessors(s, w, derived)
	traceProcessors := slices.Clone(attributed)
	if h := w.Sampling.Head; h != nil {
		p.ProbabilisticSampler = h.Processor()
		traceProcessors = append(traceProcessors, "probabilistic_sampler")
	}
	traceProcessors = append(traceProcessors, "resource", "attributes", "batch")
	connectors := Connectors(w.Catalog.Contract(), derived)
	cfg := Config{
		Receivers: Receivers{OTLP: &OTLPReceiver{Protocols: OTLPProtocols{
			GRPC: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortOTLPGRPC)},
			HTTP: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortOTLPHTTP)},
		}}},
		Processors: p,
		Exporters: Exporters{
			// No namespace: the derived metrics' instruments carry the
			// genops prefix, and the OTel GenAI metrics keep their names.
			Prometheus: &PrometheusExporter{
				Endpoint:    fmt.Sprintf("0.0.0.0:%d", PortPrometheus),
				ConstLabels: map[string]string{"cluster": w.ClusterName},
			},
		},
		Connectors: connectors,
		Extensions: Extensions{HealthCheck: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortHealth)}},
		Service: Service{
			Extensions: []string{"health_check"},
			Telemetry:  telemetry(s),
			Pipelines: map[string]Pipeline{
				"metrics": {
					Receivers:  []string{"otlp"},
					Processors: []string{"memory_limiter", GenAIProcessor, "deltatocumulative", "resource", "batch"},
					Exporters:  withDebug(s, "prometheus"),
				},
				"traces": {
					Receivers:  []string{"otlp"},
					Processors: traceProcessors,
				},
				"logs": {
					Receivers:  []string{"otlp"},
					Processors: []string{"memory_limiter", "resource", "attributes", "batch"},
				},
			},
		},
	}
	in := Instance{
		Name:     GatewayName,
		Workload: s.Gateway,
		Rules:    k8sAttributesRules(),
		Ports: []kube.Port{
			{Name: otlpGRPCPortName, Port: PortOTLPGRPC},
			{Name: otlpHTTPPortName, Port: PortOTLPHTTP},
			{Name: TelemetryPortName, Port: PortTelemetry},
			{Name: PrometheusPortName, Port: PortPrometheus},
			{Name: healthPortName, Port: PortHealth},
		},
	}
	maps.Copy(cfg.Service.Pipelines, derivationPipelines(slices.Sorted(maps.Keys(connectors))))
	traces := cfg.Service.Pipelines["traces"]
	if w.Sampling.Tail != nil {
		cfg.Exporters.OTLPSampler = &OTLPExporter{Endpoint: fmt.Sprintf("%s.%s.svc:%d", SamplerName, w.Namespace, PortOTLPGRPC), TLS: &TLS{Insecure: true}}
		traces.Exporters = withDebug(s, "otlp_grpc/sampler")
	} else {
		traces.Exporters = withDebug(s, exportTraces(&cfg, &in, w)...)
	}
	cfg.Service.Pipelines["traces"] = traces
	cfg.Exporters.OTLPHTTPLoki = &OTLPHTTPExporter{Endpoint: w.LogsEndpoint}
	logs := cfg.Service.Pipelines["logs"]
	logs.Exporters = withDebug(s, "otlp_http/loki")
	cfg.Service.Pipelines["logs"] = logs
	if s.Debug != "" {
		cfg.Exporters.Debug = &DebugExporter{Verbosity: s.Debug}
	}
	if s.Auth.Enabled {
		auth := &Authentication{Authenticator: BearerTokenAuth}
		cfg.Receivers.OTLP.Protocols.GRPC.Auth = auth
		cfg.Receivers.OTLP.Protocols.HTTP.Auth = auth
		useToken(&cfg, &in, s.Auth)
	}
	in.Config = cfg
	return in
}

// useToken configures the bearertokenauth extension with the token the
// container reads from Auth's Secret.
func useToken(cfg *Config, in *Instance, a Auth) {
	cfg.Extensions.BearerTokenAuth = &BearerTokenAuthExtension{Token: "${env:" + TokenEnv + "}"}
	cfg.Service.Extensions = append(cfg.Service.Extensions, BearerTokenAuth)
	in.Env = append(in.Env, SecretEnv{Name: TokenEnv, Secret: SecretRef{Name: a.Secret, Key: a.Key}})
}

// exportTraces configures the exporters of the tier where traces leave the
// Collector (the sampling tier, or the gateway without one): the trace
// backend and, when enabled, Honeycomb, whose API key the container reads
// from a Secret.
func exportTraces(cfg *Config, in *Instance, w Wiring) []string {
	cfg.Exporters.OTLPTraces = &OTLPExporter{Endpoint: w.TracesEndpoint, TLS: &TLS{Insecure: true}}
	exporters := []string{"otlp_grpc/traces"}
	if h := w.Honeycomb; h != nil {
		const env = "HONEYCOMB_API_KEY"
		cfg.Exporters.OTLPHoneycomb = &OTLPExporter{
			Endpoint: h.Endpoint,
			Headers:  map[string]string{"x-honeycomb-team": "${env:" + env + "}"},
		}
		in.Env = append(in.Env, SecretEnv{Name: env, Secret: h.Secret})
		exporters = append(exporters, "otlp_grpc/honeycomb")
	}
	return exporters
}

func cluster(s Spec, w Wiring) Instance {
	receivers := []string{"k8s_cluster"}
	var prom *PrometheusReceiver
	if len(w.ScrapeJobs) > 0 {
		prom = &PrometheusReceiver{Config: PrometheusScrape{ScrapeConfigs: w.ScrapeJobs}}
		receivers = []string{"prometheus", "k8s_cluster"}
	}
	cfg := Config{
		Receivers: Receivers{
			Prometheus: prom,
			K8sCluster: &K8sClusterReceiver{
				AuthType:                 "serviceAccount",
				CollectionInterval:       s.K8sClusterInterval,
				NodeConditionsToReport:   []string{"Ready", "MemoryPressure", "DiskPressure"},
				AllocatableTypesToReport: []string{"cpu", "memory", "storage", "ephemeral-storage"},
			},
		},
		Processors: commonProcessors(s, w),
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
					Receivers:  receivers,
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
			{Name: TelemetryPortName, Port: PortTelemetry},
			{Name: healthPortName, Port: PortHealth},
		},
		ClusterRead: true,
		Singleton:   true,
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

// GatewayMetricsURL is where the gateway in namespace ns serves the metrics
// it derives and receives, in the cluster (its prometheus exporter).
func GatewayMetricsURL(ns string) string {
	return fmt.Sprintf("http://%s.%s.svc:%d/metrics", GatewayName, ns, PortPrometheus)
}

// ConfigMapName is the name of the generated ConfigMap holding an instance's config.
func (in Instance) ConfigMapName() string { return in.Name + "-config" }

// kubeComponent returns the Kubernetes objects of every instance, and the
// quick-start ConfigMap that points GenOps workloads at the gateway.
func kubeComponent(s Spec, w Wiring, instances []Instance) (kube.Component, error) {
	c := kube.Component{Name: "otel-collector"}
	for _, in := range instances {
		if in.NodeAgent {
			c.Exceptions = append(c.Exceptions, nodeAgentException(w, in))
		}
		cfg, err := in.Config.YAML()
		if err != nil {
			return c, fmt.Errorf("collector %s: %w", in.Name, err)
		}
		c.Generators = append(c.Generators, kube.Generator{
			Kind: "ConfigMap", Name: in.ConfigMapName(), Namespace: w.Namespace,
			Files: []kube.GeneratedFile{{Key: ConfigKey, Kind: files.CollectorConfig, Data: cfg}},
		})
		c.Objects = append(c.Objects, objects(s, w, in)...)
	}
	for _, ns := range append([]string{w.WorkloadNamespace}, w.TeamNamespaces...) {
		c.Objects = append(c.Objects, QuickStart(w, ns))
	}
	for _, o := range c.Objects {
		if err := kube.SetTypeMeta(o); err != nil {
			return c, err
		}
	}
	kube.SortObjects(c.Objects)
	return c, nil
}

// Labels every Collector pod carries, and the names of the ports Prometheus
// scrapes: the Collector's own telemetry and the gateway's prometheus exporter.
const (
	componentLabel     = "app.kubernetes.io/component"
	componentValue     = "opentelemetry-collector"
	TelemetryPortName  = "metrics"
	PrometheusPortName = "prometheus"
)

// PodLabels are labels every Collector pod carries.
func PodLabels() map[string]string { return map[string]string{componentLabel: componentValue} }

// Selector is the label selector of an instance's pods (its Service's selector).
func Selector(name string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": name}
}

func labelsFor(w Wiring, name string) (all, selector map[string]string) {
	selector = Selector(name)
	all = map[string]string{"app.kubernetes.io/name": name, componentLabel: componentValue}
	maps.Copy(all, w.Labels)
	return all, selector
}

func objects(s Spec, w Wiring, in Instance) []kube.Object {
	lbl, sel := labelsFor(w, in.Name)
	meta := kube.Meta(in.Name, w.Namespace, lbl)
	readsAPI := in.ClusterRead || len(in.Rules) > 0
	pod := corev1.PodSpec{
		ServiceAccountName:           in.Name,
		AutomountServiceAccountToken: kube.Ptr(readsAPI),
		SecurityContext:              kube.RestrictedPodSecurity(collectorUID),
		Containers: []corev1.Container{{
			Name:            "otel-collector",
			Image:           s.Image,
			Args:            []string{"--config=" + configMountPath + "/" + ConfigKey},
			Env:             envVars(in.Env),
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
	}
	template := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}}
	sa := &corev1.ServiceAccount{ObjectMeta: meta, AutomountServiceAccountToken: kube.Ptr(readsAPI)}
	if in.NodeAgent {
		readNodeLogs(&pod)
		template.Spec = pod
		return []kube.Object{&appsv1.DaemonSet{
			ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{
				Selector:       &metav1.LabelSelector{MatchLabels: sel},
				Template:       template,
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			},
		}, sa}
	}
	template.Spec = pod
	strategy := appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
	if in.Singleton {
		// Never two pods at once, not even during a rollout.
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	dep := &appsv1.Deployment{
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: kube.Ptr(in.Workload.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: strategy,
			Template: template,
		},
	}
	svc := &corev1.Service{
		ObjectMeta: meta,
		Spec:       corev1.ServiceSpec{Selector: sel, Ports: kube.ServicePorts(servicePorts(in.Ports))},
	}
	objs := []kube.Object{dep, svc, sa}
	if readsAPI {
		rules := in.Rules
		if in.ClusterRead {
			rules = readOnlyRules()
		}
		clusterMeta := kube.Meta(in.Name, "", lbl)
		objs = append(objs,
			&rbacv1.ClusterRole{ObjectMeta: clusterMeta, Rules: rules},
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

// envVars reads each variable from its Secret key; a missing Secret keeps
// the pod from starting rather than running without its credentials.
func envVars(env []SecretEnv) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, e := range env {
		out = append(out, corev1.EnvVar{Name: e.Name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: e.Secret.Name},
			Key:                  e.Secret.Key,
		}}})
	}
	return out
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

// QuickStart is the ConfigMap GenOps workloads of namespace ns load with
// envFrom to send OTLP to the gateway (a pod reads ConfigMaps of its own
// namespace only: the workload namespace and every team namespace get one).
// Where the gateway authenticates senders, the token is not in it: a
// workload adds OTEL_EXPORTER_OTLP_HEADERS from a Secret of its namespace
// (docs/security.md).
func QuickStart(w Wiring, ns string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: kube.Meta(QuickStartName, ns, w.Labels),
		Data: map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": fmt.Sprintf("http://%s.%s.svc:%d", GatewayName, w.Namespace, PortOTLPHTTP),
			"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
			"OTEL_METRICS_EXPORTER":       "otlp",
			"OTEL_TRACES_EXPORTER":        "otlp",
			"OTEL_LOGS_EXPORTER":          "otlp",
		},
	}
}
