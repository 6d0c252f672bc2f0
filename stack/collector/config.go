package collector

import (
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
)

// Config is an OpenTelemetry Collector configuration, typed for the
// components genops-stack uses. It renders to the Collector's YAML with the
// field names below; the real component factories validate the result.
type Config struct {
	Receivers  Receivers  `json:"receivers"`
	Processors Processors `json:"processors"`
	Exporters  Exporters  `json:"exporters"`
	// Connectors are keyed by component ID (signal_to_metrics, derive.go).
	Connectors map[string]SignalToMetricsConnector `json:"connectors,omitempty"`
	Extensions Extensions                          `json:"extensions"`
	Service    Service                             `json:"service"`
}

// Receivers are the configured receivers, keyed by component ID.
type Receivers struct {
	OTLP       *OTLPReceiver       `json:"otlp,omitempty"`
	Prometheus *PrometheusReceiver `json:"prometheus,omitempty"`
	K8sCluster *K8sClusterReceiver `json:"k8s_cluster,omitempty"`
	Filelog    *FilelogReceiver    `json:"filelog,omitempty"`
}

// OTLPReceiver receives OTLP over gRPC and HTTP.
type OTLPReceiver struct {
	Protocols OTLPProtocols `json:"protocols"`
}

// OTLPProtocols are the OTLP receiver's servers.
type OTLPProtocols struct {
	GRPC *Endpoint `json:"grpc,omitempty"`
	HTTP *Endpoint `json:"http,omitempty"`
}

// Endpoint is a listen or send address.
type Endpoint struct {
	Endpoint string `json:"endpoint"`
	// Auth names the authenticator extension a server checks every
	// request with (the OTLP receivers, when Spec.Auth is on).
	Auth *Authentication `json:"auth,omitempty"`
}

// Authentication names an authenticator extension by component ID.
type Authentication struct {
	Authenticator string `json:"authenticator"`
}

// PrometheusReceiver scrapes Prometheus targets inside the Collector.
type PrometheusReceiver struct {
	Config PrometheusScrape `json:"config"`
}

// PrometheusScrape is the embedded Prometheus configuration.
type PrometheusScrape struct {
	ScrapeConfigs []scrape.Job `json:"scrape_configs"`
}

// K8sClusterReceiver reports cluster-level metrics from the Kubernetes API.
type K8sClusterReceiver struct {
	AuthType                 string   `json:"auth_type"`
	CollectionInterval       string   `json:"collection_interval"`
	NodeConditionsToReport   []string `json:"node_conditions_to_report"`
	AllocatableTypesToReport []string `json:"allocatable_types_to_report"`
}

// Processors are the configured processors, keyed by component ID.
type Processors struct {
	MemoryLimiter *MemoryLimiterProcessor `json:"memory_limiter,omitempty"`
	Batch         *BatchProcessor         `json:"batch,omitempty"`
	Resource      *ResourceProcessor      `json:"resource,omitempty"`
	Attributes    *AttributesProcessor    `json:"attributes,omitempty"`
	// TailSampling keeps complete traces by policy (the sampling tier).
	TailSampling *sampling.TailSamplingProcessor `json:"tail_sampling,omitempty"`
	// ProbabilisticSampler is the head sampler (the gateway).
	ProbabilisticSampler *sampling.ProbabilisticSamplerProcessor `json:"probabilistic_sampler,omitempty"`
	// Normalize, Labels and GenAI are the gateway's transform processors
	// (derive.go).
	Normalize *TransformProcessor `json:"transform/normalize,omitempty"`
	Labels    *TransformProcessor `json:"transform/labels,omitempty"`
	GenAI     *TransformProcessor `json:"transform/genai,omitempty"`
	// DeltaToCumulative turns delta sums into the cumulative ones the
	// prometheus exporter serves.
	DeltaToCumulative *Empty `json:"deltatocumulative,omitempty"`
	// BatchDerive orders the spans the derivation connectors see.
	BatchDerive *BatchProcessor `json:"batch/derive,omitempty"`
	// Untrusted deletes the resource attributes a sender must not choose
	// (the pod and namespace it runs in, its namespace's team) before
	// K8sAttributes sets them from the Kubernetes API (attribution.go).
	Untrusted *ResourceProcessor `json:"resource/untrusted,omitempty"`
	// K8sAttributes looks up the sending pod by its connection's address.
	K8sAttributes *K8sAttributesProcessor `json:"k8sattributes,omitempty"`
	// Attribution charges a span to the team owning its namespace.
	Attribution *TransformProcessor `json:"transform/attribution,omitempty"`
}

// K8sAttributesProcessor adds the sending pod's metadata to resources.
type K8sAttributesProcessor struct {
	AuthType               string           `json:"auth_type"`
	Passthrough            bool             `json:"passthrough"`
	WaitForMetadata        bool             `json:"wait_for_metadata"`
	WaitForMetadataTimeout string           `json:"wait_for_metadata_timeout,omitempty"`
	Extract                K8sExtract       `json:"extract"`
	PodAssociation         []PodAssociation `json:"pod_association"`
}

// K8sExtract is what k8sattributes adds: pod metadata and labels.
type K8sExtract struct {
	Metadata []string   `json:"metadata"`
	Labels   []K8sLabel `json:"labels,omitempty"`
}

// K8sLabel copies a label of the pod or its namespace into a resource
// attribute.
type K8sLabel struct {
	TagName string `json:"tag_name"`
	Key     string `json:"key"`
	From    string `json:"from"`
}

// PodAssociation is one way of finding the pod a resource came from.
type PodAssociation struct {
	Sources []AssociationSource `json:"sources"`
}

// AssociationSource is where a pod identifier is read: the connection, or
// a resource attribute.
type AssociationSource struct {
	From string `json:"from"`
	Name string `json:"name,omitempty"`
}

// Empty is a component configured with its defaults.
type Empty struct{}

// MemoryLimiterProcessor refuses data before the Collector runs out of
// memory. Its limits are percentages of the memory the Collector finds at
// start-up: the container's cgroup limit (memory.max, or
// memory.limit_in_bytes under cgroup v1) or, with no limit set, the
// machine's memory (/proc/meminfo).
type MemoryLimiterProcessor struct {
	CheckInterval        string `json:"check_interval"`
	LimitPercentage      int    `json:"limit_percentage"`
	SpikeLimitPercentage int    `json:"spike_limit_percentage"`
}

// BatchProcessor batches telemetry before export.
type BatchProcessor struct {
	Timeout       string `json:"timeout"`
	SendBatchSize int    `json:"send_batch_size"`
}

// ResourceProcessor edits resource attributes.
type ResourceProcessor struct {
	Attributes []AttributeAction `json:"attributes"`
}

// AttributesProcessor edits span, log and data point attributes.
type AttributesProcessor struct {
	Actions []AttributeAction `json:"actions"`
}

// AttributeAction is one action of the resource or attributes processor.
type AttributeAction struct {
	Key           string `json:"key"`
	Value         any    `json:"value,omitempty"`
	FromAttribute string `json:"from_attribute,omitempty"`
	Action        string `json:"action"`
}

// Exporters are the configured exporters, keyed by component ID.
type Exporters struct {
	Prometheus            *PrometheusExporter  `json:"prometheus,omitempty"`
	PrometheusRemoteWrite *RemoteWriteExporter `json:"prometheusremotewrite,omitempty"`
	OTLPTraces            *OTLPExporter        `json:"otlp_grpc/traces,omitempty"`
	// OTLPSampler forwards traces from the gateway to the sampling tier.
	OTLPSampler *OTLPExporter `json:"otlp_grpc/sampler,omitempty"`
	// OTLPGateway forwards logs from the node agents to the gateway.
	OTLPGateway *OTLPExporter `json:"otlp_grpc/gateway,omitempty"`
	// OTLPHoneycomb sends traces to Honeycomb.
	OTLPHoneycomb *OTLPExporter `json:"otlp_grpc/honeycomb,omitempty"`
	// OTLPHTTPLoki pushes logs to Loki's OTLP endpoint.
	OTLPHTTPLoki *OTLPHTTPExporter `json:"otlp_http/loki,omitempty"`
	Debug        *DebugExporter    `json:"debug,omitempty"`
}

// PrometheusExporter serves the metrics it receives for Prometheus to scrape.
type PrometheusExporter struct {
	Endpoint    string            `json:"endpoint"`
	Namespace   string            `json:"namespace,omitempty"`
	ConstLabels map[string]string `json:"const_labels,omitempty"`
	// ResourceToTelemetryConversion turns resource attributes into labels.
	ResourceToTelemetryConversion *Enabled `json:"resource_to_telemetry_conversion,omitempty"`
}

// Enabled is the common {enabled: bool} block.
type Enabled struct {
	Enabled bool `json:"enabled"`
}

// RemoteWriteExporter pushes metrics with the Prometheus remote-write protocol.
type RemoteWriteExporter struct {
	Endpoint                      string            `json:"endpoint"`
	ExternalLabels                map[string]string `json:"external_labels,omitempty"`
	ResourceToTelemetryConversion *Enabled          `json:"resource_to_telemetry_conversion,omitempty"`
}

// OTLPExporter sends OTLP over gRPC.
type OTLPExporter struct {
	Endpoint string            `json:"endpoint"`
	TLS      *TLS              `json:"tls,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	// Auth names the authenticator extension that adds the client's
	// credentials (the node agent's bearer token).
	Auth *Authentication `json:"auth,omitempty"`
}

// OTLPHTTPExporter sends OTLP over HTTP; the signal path is appended to Endpoint.
type OTLPHTTPExporter struct {
	Endpoint string `json:"endpoint"`
}

// TLS is the client TLS block.
type TLS struct {
	Insecure bool `json:"insecure"`
}

// DebugExporter writes telemetry to the Collector's log.
type DebugExporter struct {
	Verbosity string `json:"verbosity"`
}

// FilelogReceiver tails log files.
type FilelogReceiver struct {
	Include         []string `json:"include"`
	StartAt         string   `json:"start_at"`
	IncludeFilePath bool     `json:"include_file_path"`
	// Storage names the storage extension that keeps read offsets.
	Storage   string     `json:"storage,omitempty"`
	Operators []Operator `json:"operators"`
}

// Operator is one stanza operator of the filelog receiver.
type Operator struct {
	Type      string          `json:"type"`
	ID        string          `json:"id,omitempty"`
	If        string          `json:"if,omitempty"`
	ParseFrom string          `json:"parse_from,omitempty"`
	ParseTo   string          `json:"parse_to,omitempty"`
	Severity  *SeverityParser `json:"severity,omitempty"`
}

// SeverityParser reads the log severity from a field.
type SeverityParser struct {
	ParseFrom string `json:"parse_from"`
}

// Extensions are the configured extensions, keyed by component ID.
type Extensions struct {
	HealthCheck *Endpoint             `json:"health_check,omitempty"`
	FileStorage *FileStorageExtension `json:"file_storage,omitempty"`
	// BearerTokenAuth checks (server) or sends (client) the OTLP token.
	BearerTokenAuth *BearerTokenAuthExtension `json:"bearertokenauth,omitempty"`
}

// BearerTokenAuthExtension authenticates with a bearer token. Token is
// always an ${env:NAME} reference to a variable read from a Secret.
type BearerTokenAuthExtension struct {
	Token string `json:"token"`
}

// FileStorageExtension persists component state (filelog offsets) on disk.
type FileStorageExtension struct {
	Directory       string `json:"directory"`
	CreateDirectory bool   `json:"create_directory"`
}

// Service wires the components into pipelines.
type Service struct {
	Extensions []string            `json:"extensions"`
	Telemetry  Telemetry           `json:"telemetry"`
	Pipelines  map[string]Pipeline `json:"pipelines"`
}

// Pipeline is one service pipeline, named by signal ("metrics", "traces/tempo").
type Pipeline struct {
	Receivers  []string `json:"receivers"`
	Processors []string `json:"processors"`
	Exporters  []string `json:"exporters"`
}

// Telemetry configures the Collector's own logs and metrics.
type Telemetry struct {
	Logs    TelemetryLogs    `json:"logs"`
	Metrics TelemetryMetrics `json:"metrics"`
}

// TelemetryLogs sets the Collector's log level.
type TelemetryLogs struct {
	Level string `json:"level"`
}

// TelemetryMetrics exposes the Collector's own metrics.
type TelemetryMetrics struct {
	Level   string   `json:"level"`
	Readers []Reader `json:"readers"`
}

// Reader is an OpenTelemetry metric reader; genops-stack uses a Prometheus pull reader.
type Reader struct {
	Pull PullReader `json:"pull"`
}

// PullReader is a pull-based metric reader.
type PullReader struct {
	Exporter PullExporter `json:"exporter"`
}

// PullExporter selects the pull exporter.
type PullExporter struct {
	Prometheus HostPort `json:"prometheus"`
}

// HostPort is a listen address in two fields.
type HostPort struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}
