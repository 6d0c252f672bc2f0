// Package kubeprometheus owns the values genops-stack gives the
// kube-prometheus-stack Helm chart: Prometheus retention and storage, the
// selectors that pick up the stack's PrometheusRules and monitors, and the
// Grafana settings (admin credentials from an existing Secret, the dashboard
// sidecar).
package kubeprometheus

import (
	"fmt"

	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Chart is the Helm chart these values are written for.
const (
	ChartRepo    = "https://prometheus-community.github.io/helm-charts"
	ChartName    = "kube-prometheus-stack"
	ChartVersion = "75.15.1"
	// FullName is the chart's fullnameOverride: it fixes the Service names
	// the rest of the stack points at.
	FullName = "kube-prometheus-stack"
	// DashboardLabel is the label the Grafana sidecar watches ConfigMaps for.
	DashboardLabel = "grafana_dashboard"
	// FolderAnnotation names the Grafana folder of a dashboard ConfigMap.
	FolderAnnotation = "grafana_folder"
)

// Spec is what an environment decides about kube-prometheus-stack.
type Spec struct {
	// Release is the Helm release name; PrometheusRules and monitors carry
	// it as their release label and Prometheus selects on it.
	Release            string
	Retention          string
	RetentionSize      string
	Storage            resource.Quantity
	Replicas           int32
	Resources          kube.Resources
	ScrapeInterval     string
	EvaluationInterval string
	// GrafanaAdminSecret is an existing Secret with keys admin-user and
	// admin-password; genops-stack never generates its values.
	GrafanaAdminSecret string
}

// SelectorLabels are the labels every PrometheusRule, ServiceMonitor and
// PodMonitor of the stack carries so that Prometheus selects it.
func (s Spec) SelectorLabels() map[string]string {
	return map[string]string{"release": s.Release}
}

// PrometheusURL is the in-cluster URL of Prometheus in namespace ns.
func PrometheusURL(ns string) string {
	return fmt.Sprintf("http://%s-prometheus.%s.svc:9090", FullName, ns)
}

// RemoteWriteURL is Prometheus' remote-write receiver.
func RemoteWriteURL(ns string) string { return PrometheusURL(ns) + "/api/v1/write" }

// AlertmanagerURL is the in-cluster URL of Alertmanager in namespace ns.
func AlertmanagerURL(ns string) string {
	return fmt.Sprintf("http://%s-alertmanager.%s.svc:9093", FullName, ns)
}

// Values is the subset of the chart's values genops-stack sets.
type Values struct {
	FullnameOverride string            `json:"fullnameOverride"`
	Prometheus       PrometheusValues  `json:"prometheus"`
	Grafana          GrafanaValues     `json:"grafana"`
	Alertmanager     AlertmanagerValue `json:"alertmanager"`
	// KubeStateMetrics and PrometheusOperator carry their network
	// policies (ApplyNetwork).
	KubeStateMetrics   *KSMValues      `json:"kube-state-metrics,omitempty"`
	PrometheusOperator *OperatorValues `json:"prometheusOperator,omitempty"`
}

// PrometheusValues is the chart's prometheus section.
type PrometheusValues struct {
	PrometheusSpec PrometheusSpec `json:"prometheusSpec"`
	NetworkPolicy  *ChartPolicy   `json:"networkPolicy,omitempty"`
}

// PrometheusSpec is passed to the Prometheus custom resource.
type PrometheusSpec struct {
	Replicas                                int32                       `json:"replicas"`
	Retention                               string                      `json:"retention"`
	RetentionSize                           string                      `json:"retentionSize,omitempty"`
	ScrapeInterval                          string                      `json:"scrapeInterval"`
	EvaluationInterval                      string                      `json:"evaluationInterval"`
	EnableRemoteWriteReceiver               bool                        `json:"enableRemoteWriteReceiver"`
	ExternalLabels                          map[string]string           `json:"externalLabels"`
	RuleSelectorNilUsesHelmValues           bool                        `json:"ruleSelectorNilUsesHelmValues"`
	RuleSelector                            *metav1.LabelSelector       `json:"ruleSelector"`
	RuleNamespaceSelector                   *metav1.LabelSelector       `json:"ruleNamespaceSelector"`
	ServiceMonitorSelectorNilUsesHelmValues bool                        `json:"serviceMonitorSelectorNilUsesHelmValues"`
	ServiceMonitorSelector                  *metav1.LabelSelector       `json:"serviceMonitorSelector"`
	ServiceMonitorNamespaceSelector         *metav1.LabelSelector       `json:"serviceMonitorNamespaceSelector"`
	PodMonitorSelectorNilUsesHelmValues     bool                        `json:"podMonitorSelectorNilUsesHelmValues"`
	PodMonitorSelector                      *metav1.LabelSelector       `json:"podMonitorSelector"`
	PodMonitorNamespaceSelector             *metav1.LabelSelector       `json:"podMonitorNamespaceSelector"`
	Resources                               corev1.ResourceRequirements `json:"resources"`
	StorageSpec                             StorageSpec                 `json:"storageSpec"`
}

// StorageSpec gives Prometheus a persistent volume.
type StorageSpec struct {
	VolumeClaimTemplate VolumeClaimTemplate `json:"volumeClaimTemplate"`
}

// VolumeClaimTemplate is the PVC template of the Prometheus StatefulSet.
type VolumeClaimTemplate struct {
	Spec corev1.PersistentVolumeClaimSpec `json:"spec"`
}

// GrafanaValues is the chart's grafana section.
type GrafanaValues struct {
	FullnameOverride string         `json:"fullnameOverride"`
	Admin            GrafanaAdmin   `json:"admin"`
	Sidecar          GrafanaSidecar `json:"sidecar"`
	// AdditionalDataSources are every data source of the stack; the chart's
	// own Prometheus and Alertmanager entries are turned off in
	// Sidecar.Datasources so that the uids are the stack's.
	AdditionalDataSources []DataSource   `json:"additionalDataSources,omitempty"`
	NetworkPolicy         *GrafanaPolicy `json:"networkPolicy,omitempty"`
}

// DataSource is one entry of grafana.additionalDataSources, in Grafana's
// data source provisioning format.
type DataSource struct {
	Name      string         `json:"name"`
	UID       string         `json:"uid"`
	Type      string         `json:"type"`
	URL       string         `json:"url"`
	Access    string         `json:"access"`
	IsDefault bool           `json:"isDefault"`
	JSONData  map[string]any `json:"jsonData,omitempty"`
}

// GrafanaAdmin takes the admin credentials from an existing Secret.
type GrafanaAdmin struct {
	ExistingSecret string `json:"existingSecret"`
	UserKey        string `json:"userKey"`
	PasswordKey    string `json:"passwordKey"`
}

// GrafanaSidecar configures the sidecar that loads dashboards from ConfigMaps.
type GrafanaSidecar struct {
	Dashboards  SidecarDashboards  `json:"dashboards"`
	Datasources SidecarDatasources `json:"datasources"`
}

// SidecarDatasources turns off the data sources the chart provisions on its
// own (uids prometheus and alertmanager); the sidecar itself stays on, as it
// is what loads additionalDataSources.
type SidecarDatasources struct {
	DefaultDatasourceEnabled bool                `json:"defaultDatasourceEnabled"`
	Alertmanager             SidecarAlertmanager `json:"alertmanager"`
}

// SidecarAlertmanager switches the chart's own Alertmanager data source.
type SidecarAlertmanager struct {
	Enabled bool `json:"enabled"`
}

// SidecarDashboards selects dashboard ConfigMaps and their folders.
type SidecarDashboards struct {
	Enabled          bool            `json:"enabled"`
	Label            string          `json:"label"`
	LabelValue       string          `json:"labelValue"`
	SearchNamespace  string          `json:"searchNamespace"`
	FolderAnnotation string          `json:"folderAnnotation"`
	Provider         SidecarProvider `json:"provider"`
}

// SidecarProvider makes folder annotations become Grafana folders.
type SidecarProvider struct {
	FoldersFromFilesStructure bool `json:"foldersFromFilesStructure"`
}

// AlertmanagerValue is the chart's alertmanager section.
type AlertmanagerValue struct {
	Enabled          bool                `json:"enabled"`
	AlertmanagerSpec *AlertmanagerSpec   `json:"alertmanagerSpec,omitempty"`
	NetworkPolicy    *AlertmanagerPolicy `json:"networkPolicy,omitempty"`
}

// AlertmanagerSpec makes the chart's Alertmanager read its configuration
// from an existing Secret instead of the chart's values, and mounts more
// Secrets at /etc/alertmanager/secrets/<name>/.
type AlertmanagerSpec struct {
	UseExistingSecret bool     `json:"useExistingSecret"`
	ConfigSecret      string   `json:"configSecret"`
	Secrets           []string `json:"secrets,omitempty"`
	// Retention is how long Alertmanager keeps silences and its
	// notification log (the chart's default is 120h).
	Retention string `json:"retention,omitempty"`
}

// Build returns the chart values for one environment.
func Build(s Spec, cluster, environment string) Values {
	sel := &metav1.LabelSelector{MatchLabels: s.SelectorLabels()}
	all := &metav1.LabelSelector{}
	return Values{
		FullnameOverride: FullName,
		Prometheus: PrometheusValues{PrometheusSpec: PrometheusSpec{
			Replicas:                        s.Replicas,
			Retention:                       s.Retention,
			RetentionSize:                   s.RetentionSize,
			ScrapeInterval:                  s.ScrapeInterval,
			EvaluationInterval:              s.EvaluationInterval,
			EnableRemoteWriteReceiver:       true,
			ExternalLabels:                  map[string]string{"cluster": cluster, "environment": environment},
			RuleSelector:                    sel,
			RuleNamespaceSelector:           all,
			ServiceMonitorSelector:          sel,
			ServiceMonitorNamespaceSelector: all,
			PodMonitorSelector:              sel,
			PodMonitorNamespaceSelector:     all,
			Resources:                       s.Resources.Requirements(),
			StorageSpec: StorageSpec{VolumeClaimTemplate: VolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: s.Storage}},
			}}},
		}},
		Grafana: GrafanaValues{
			FullnameOverride: "grafana",
			Admin:            GrafanaAdmin{ExistingSecret: s.GrafanaAdminSecret, UserKey: "admin-user", PasswordKey: "admin-password"},
			Sidecar: GrafanaSidecar{Dashboards: SidecarDashboards{
				Enabled: true, Label: DashboardLabel, LabelValue: "1", SearchNamespace: "ALL",
				FolderAnnotation: FolderAnnotation, Provider: SidecarProvider{FoldersFromFilesStructure: true},
			},
				// The stack provisions every data source (AdditionalDataSources).
				Datasources: SidecarDatasources{DefaultDatasourceEnabled: false, Alertmanager: SidecarAlertmanager{Enabled: false}},
			},
		},
		Alertmanager: AlertmanagerValue{Enabled: true},
	}
}

// YAML renders the values file, naming the chart and version it is for.
func (v Values) YAML() ([]byte, error) {
	return files.HelmValues(ChartName, ChartVersion, ChartRepo, v)
}

// Component is the kube-prometheus-stack release of an environment in
// namespace ns with values v (complete: the Alertmanager and Grafana
// settings the rest of the stack adds included), the Secret of Grafana's
// admin login, and the checks of s.
func Component(s Spec, v Values, ns string) (component.Component, error) {
	data, err := v.YAML()
	if err != nil {
		return component.Component{}, fmt.Errorf("kube-prometheus-stack values: %w", err)
	}
	admin := v.Grafana.Admin
	return component.Component{
		Name:    ChartName,
		Release: &component.Release{Name: s.Release, Chart: ChartName, Repo: ChartRepo, Version: ChartVersion, Values: data},
		Secrets: []component.Secret{{
			Name: ns + "/" + admin.ExistingSecret, Keys: []string{admin.UserKey, admin.PasswordKey},
			UsedBy: "Grafana's admin login (kube-prometheus-stack values)",
		}},
		Check: func(artifact string) finding.List { return Check(artifact, s) },
	}, nil
}

// Check reports settings the chart would reject or that would leave
// Prometheus without rules, storage limits or a Grafana login.
func Check(artifact string, s Spec) finding.List {
	var fs finding.List
	if s.Replicas < 1 {
		fs.Errorf(artifact, ChartName, "replicas", "Prometheus replicas must be at least 1, got %d", s.Replicas)
	}
	if _, err := model.ParseDuration(s.Retention); err != nil {
		fs.Errorf(artifact, ChartName, "retention", "retention %q is not a Prometheus duration: %v", s.Retention, err)
	}
	if s.GrafanaAdminSecret == "" {
		fs.Errorf(artifact, ChartName, "grafana-admin", "GrafanaAdminSecret must name the existing Secret holding Grafana's admin credentials")
	}
	if s.Release == "" {
		fs.Errorf(artifact, ChartName, "release", "Release must name the Helm release: Prometheus selects rules and monitors by it")
	}
	return fs
}
