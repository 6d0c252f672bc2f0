package tracing

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
)

// The Jaeger Helm chart these values are written for: the 4.x line, which
// deploys Jaeger v2 (one binary built on the OpenTelemetry Collector) and
// takes its configuration whole, as userconfig.
const (
	JaegerChartRepo    = "https://jaegertracing.github.io/helm-charts"
	JaegerChartName    = "jaeger"
	JaegerChartVersion = "4.4.0"
	JaegerImageRepo    = "jaegertracing/jaeger"
	JaegerImageTag     = "2.14.1"
	jaegerUID          = 10001 // the user the Jaeger image runs as
	jaegerPasswordEnv  = "ES_PASSWORD"
	primaryStore       = "primary_store"
)

// JaegerSpec is what an environment decides about Jaeger.
type JaegerSpec struct {
	// Tag is the jaegertracing/jaeger image tag, pinned.
	Tag       string
	Resources kube.Resources
	// Memory keeps traces in the process: for development, lost on restart.
	Memory *JaegerMemory
	// Elasticsearch stores traces in an existing Elasticsearch cluster.
	Elasticsearch *JaegerElasticsearch
}

// JaegerMemory bounds the in-memory store.
type JaegerMemory struct {
	MaxTraces int
}

// JaegerElasticsearch is an existing Elasticsearch cluster. The password is
// read from a Secret into the environment; the values hold only its name.
type JaegerElasticsearch struct {
	URL         string
	Username    string
	IndexPrefix string
	// PasswordSecret and PasswordKey name the Secret key holding the password.
	PasswordSecret, PasswordKey string
}

// JaegerValues are the chart values genops-stack sets.
type JaegerValues struct {
	FullnameOverride string           `json:"fullnameOverride"`
	Jaeger           JaegerDeployment `json:"jaeger"`
	UserConfig       JaegerConfig     `json:"userconfig"`
}

// JaegerDeployment is the chart's jaeger section (the one Jaeger Deployment).
type JaegerDeployment struct {
	Image              JaegerImage                 `json:"image"`
	ExtraEnv           []corev1.EnvVar             `json:"extraEnv,omitempty"`
	Resources          corev1.ResourceRequirements `json:"resources"`
	PodSecurityContext *corev1.PodSecurityContext  `json:"podSecurityContext"`
	SecurityContext    *corev1.SecurityContext     `json:"securityContext"`
}

// JaegerImage pins the image.
type JaegerImage struct {
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
}

// JaegerConfig is Jaeger v2's configuration (OpenTelemetry Collector syntax).
type JaegerConfig struct {
	Service    JaegerService    `json:"service"`
	Extensions JaegerExtensions `json:"extensions"`
	Receivers  JaegerReceivers  `json:"receivers"`
	Processors JaegerProcessors `json:"processors"`
	Exporters  JaegerExporters  `json:"exporters"`
}

// JaegerService wires the pipeline.
type JaegerService struct {
	Extensions []string                  `json:"extensions"`
	Pipelines  map[string]JaegerPipeline `json:"pipelines"`
}

// JaegerPipeline is one pipeline.
type JaegerPipeline struct {
	Receivers  []string `json:"receivers"`
	Processors []string `json:"processors"`
	Exporters  []string `json:"exporters"`
}

// JaegerExtensions are the storage, query and health extensions.
type JaegerExtensions struct {
	HealthCheck JaegerHealthCheck `json:"healthcheckv2"`
	Query       JaegerQuery       `json:"jaeger_query"`
	Storage     JaegerStorage     `json:"jaeger_storage"`
}

// JaegerHealthCheck serves /status, which the chart's probes call.
type JaegerHealthCheck struct {
	UseV2 bool           `json:"use_v2"`
	HTTP  JaegerEndpoint `json:"http"`
}

// JaegerEndpoint is a listen address.
type JaegerEndpoint struct {
	Endpoint string `json:"endpoint"`
}

// JaegerQuery names the store the UI reads.
type JaegerQuery struct {
	Storage JaegerQueryStorage `json:"storage"`
}

// JaegerQueryStorage names the traces store.
type JaegerQueryStorage struct {
	Traces string `json:"traces"`
}

// JaegerStorage declares the stores.
type JaegerStorage struct {
	Backends map[string]JaegerBackend `json:"backends"`
}

// JaegerBackend is one store: exactly one of its fields is set.
type JaegerBackend struct {
	Memory        *JaegerMemoryConfig `json:"memory,omitempty"`
	Elasticsearch *JaegerESConfig     `json:"elasticsearch,omitempty"`
}

// JaegerMemoryConfig is the memory store.
type JaegerMemoryConfig struct {
	MaxTraces int `json:"max_traces"`
}

// JaegerESConfig is the Elasticsearch store.
type JaegerESConfig struct {
	ServerURLs []string      `json:"server_urls"`
	Auth       JaegerESAuth  `json:"auth"`
	Indices    JaegerIndices `json:"indices"`
}

// JaegerESAuth is basic authentication.
type JaegerESAuth struct {
	Basic JaegerBasicAuth `json:"basic"`
}

// JaegerBasicAuth takes the password from the environment.
type JaegerBasicAuth struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// JaegerIndices sets the index prefix.
type JaegerIndices struct {
	IndexPrefix string `json:"index_prefix"`
}

// JaegerReceivers receive OTLP only: the Collector is the one sender.
type JaegerReceivers struct {
	OTLP JaegerOTLP `json:"otlp"`
}

// JaegerOTLP is the OTLP receiver.
type JaegerOTLP struct {
	Protocols JaegerOTLPProtocols `json:"protocols"`
}

// JaegerOTLPProtocols are its listeners.
type JaegerOTLPProtocols struct {
	GRPC JaegerEndpoint `json:"grpc"`
	HTTP JaegerEndpoint `json:"http"`
}

// JaegerProcessors batch before storing.
type JaegerProcessors struct {
	Batch struct{} `json:"batch"`
}

// JaegerExporters store the spans.
type JaegerExporters struct {
	Storage JaegerStorageExporter `json:"jaeger_storage_exporter"`
}

// JaegerStorageExporter writes to a declared store.
type JaegerStorageExporter struct {
	TraceStorage string `json:"trace_storage"`
}

// Values returns the chart values for spec.
func (j JaegerSpec) Values() JaegerValues {
	backend := JaegerBackend{}
	var env []corev1.EnvVar
	switch {
	case j.Elasticsearch != nil:
		es := j.Elasticsearch
		backend.Elasticsearch = &JaegerESConfig{
			ServerURLs: []string{es.URL},
			Auth:       JaegerESAuth{Basic: JaegerBasicAuth{Username: es.Username, Password: "${env:" + jaegerPasswordEnv + "}"}},
			Indices:    JaegerIndices{IndexPrefix: es.IndexPrefix},
		}
		env = []corev1.EnvVar{{Name: jaegerPasswordEnv, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: es.PasswordSecret}, Key: es.PasswordKey,
		}}}}
	case j.Memory != nil:
		backend.Memory = &JaegerMemoryConfig{MaxTraces: j.Memory.MaxTraces}
	}
	return JaegerValues{
		FullnameOverride: jaegerService,
		Jaeger: JaegerDeployment{
			Image:              JaegerImage{Repository: JaegerImageRepo, Tag: j.Tag},
			ExtraEnv:           env,
			Resources:          j.Resources.Requirements(),
			PodSecurityContext: kube.RestrictedPodSecurity(jaegerUID),
			SecurityContext:    kube.RestrictedContainerSecurity(),
		},
		UserConfig: JaegerConfig{
			Service: JaegerService{
				Extensions: []string{"jaeger_storage", "jaeger_query", "healthcheckv2"},
				Pipelines: map[string]JaegerPipeline{"traces": {
					Receivers: []string{"otlp"}, Processors: []string{"batch"}, Exporters: []string{"jaeger_storage_exporter"},
				}},
			},
			Extensions: JaegerExtensions{
				HealthCheck: JaegerHealthCheck{UseV2: true, HTTP: JaegerEndpoint{Endpoint: "0.0.0.0:13133"}},
				Query:       JaegerQuery{Storage: JaegerQueryStorage{Traces: primaryStore}},
				Storage:     JaegerStorage{Backends: map[string]JaegerBackend{primaryStore: backend}},
			},
			Receivers: JaegerReceivers{OTLP: JaegerOTLP{Protocols: JaegerOTLPProtocols{
				GRPC: JaegerEndpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", portOTLPGRPC)},
				HTTP: JaegerEndpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", portOTLPHTTP)},
			}}},
			Exporters: JaegerExporters{Storage: JaegerStorageExporter{TraceStorage: primaryStore}},
		},
	}
}

// YAML renders the values file, naming the chart and version it is for.
func (v JaegerValues) YAML() ([]byte, error) {
	return files.HelmValues(JaegerChartName, JaegerChartVersion, JaegerChartRepo, v)
}
