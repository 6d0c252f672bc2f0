package logging

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/files"
)

// The chart these values are written for: grafana/loki, which replaces the
// deprecated loki-stack chart the seed installs.
const (
	LokiChartRepo    = "https://grafana.github.io/helm-charts"
	LokiChartName    = "loki"
	LokiChartVersion = "6.29.0"
	// schemaFrom is when the v13 (TSDB) schema starts; it must never change
	// once logs are written.
	schemaFrom = "2024-04-01"
)

// LokiValues are the chart values genops-stack sets: one Loki binary with a
// persistent volume, filesystem storage, retention, no gateway, caches,
// canary or bundled object store.
type LokiValues struct {
	DeploymentMode   string           `json:"deploymentMode"`
	FullnameOverride string           `json:"fullnameOverride"`
	Loki             LokiConfig       `json:"loki"`
	SingleBinary     LokiSingleBinary `json:"singleBinary"`
	Read             LokiReplicas     `json:"read"`
	Write            LokiReplicas     `json:"write"`
	Backend          LokiReplicas     `json:"backend"`
	Gateway          LokiEnabled      `json:"gateway"`
	ChunksCache      LokiEnabled      `json:"chunksCache"`
	ResultsCache     LokiEnabled      `json:"resultsCache"`
	LokiCanary       LokiEnabled      `json:"lokiCanary"`
	Test             LokiEnabled      `json:"test"`
	Minio            LokiEnabled      `json:"minio"`
}

// LokiConfig is the chart's loki section: Loki's own configuration.
type LokiConfig struct {
	AuthEnabled  bool             `json:"auth_enabled"`
	CommonConfig LokiCommon       `json:"commonConfig"`
	Storage      LokiStorage      `json:"storage"`
	SchemaConfig LokiSchemaConfig `json:"schemaConfig"`
	LimitsConfig LokiLimits       `json:"limits_config"`
	Compactor    LokiCompactor    `json:"compactor"`
}

// LokiCommon is the common block.
type LokiCommon struct {
	ReplicationFactor int `json:"replication_factor"`
}

// LokiStorage selects the storage type.
type LokiStorage struct {
	Type string `json:"type"`
}

// LokiSchemaConfig lists the index schemas.
type LokiSchemaConfig struct {
	Configs []LokiSchema `json:"configs"`
}

// LokiSchema is one schema period.
type LokiSchema struct {
	From        string    `json:"from"`
	Store       string    `json:"store"`
	ObjectStore string    `json:"object_store"`
	Schema      string    `json:"schema"`
	Index       LokiIndex `json:"index"`
}

// LokiIndex is the index table layout.
type LokiIndex struct {
	Prefix string `json:"prefix"`
	Period string `json:"period"`
}

// LokiLimits holds the retention and allows OTLP structured metadata.
type LokiLimits struct {
	RetentionPeriod         string `json:"retention_period"`
	AllowStructuredMetadata bool   `json:"allow_structured_metadata"`
}

// LokiCompactor applies the retention.
type LokiCompactor struct {
	RetentionEnabled   bool   `json:"retention_enabled"`
	DeleteRequestStore string `json:"delete_request_store"`
}

// LokiSingleBinary is the one Loki StatefulSet.
type LokiSingleBinary struct {
	Replicas    int                         `json:"replicas"`
	Persistence LokiPersistence             `json:"persistence"`
	Resources   corev1.ResourceRequirements `json:"resources"`
}

// LokiPersistence is its volume.
type LokiPersistence struct {
	Enabled bool   `json:"enabled"`
	Size    string `json:"size"`
}

// LokiReplicas turns off the scalable targets.
type LokiReplicas struct {
	Replicas int `json:"replicas"`
}

// LokiEnabled is the chart's {enabled: bool} switch.
type LokiEnabled struct {
	Enabled bool `json:"enabled"`
}

// Values returns the chart values for spec.
func (s LokiSpec) Values() LokiValues {
	return LokiValues{
		DeploymentMode:   "SingleBinary",
		FullnameOverride: lokiService,
		Loki: LokiConfig{
			// One tenant: the Collector and Promtail push without an org ID.
			AuthEnabled:  false,
			CommonConfig: LokiCommon{ReplicationFactor: 1},
			Storage:      LokiStorage{Type: "filesystem"},
			SchemaConfig: LokiSchemaConfig{Configs: []LokiSchema{{
				From: schemaFrom, Store: "tsdb", ObjectStore: "filesystem", Schema: "v13",
				Index: LokiIndex{Prefix: "loki_index_", Period: "24h"},
			}}},
			LimitsConfig: LokiLimits{RetentionPeriod: fmt.Sprintf("%dh", int64(s.Retention.Hours())), AllowStructuredMetadata: true},
			Compactor:    LokiCompactor{RetentionEnabled: true, DeleteRequestStore: "filesystem"},
		},
		SingleBinary: LokiSingleBinary{
			Replicas:    1,
			Persistence: LokiPersistence{Enabled: true, Size: s.Storage.String()},
			Resources:   s.Resources.Requirements(),
		},
	}
}

// YAML renders the values file, naming the chart and version it is for.
func (v LokiValues) YAML() ([]byte, error) {
	return files.HelmValues(LokiChartName, LokiChartVersion, LokiChartRepo, v)
}
