package tracing

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
)

// TempoImage is the Tempo release genops-stack configures. It stays on the
// 2.10 line: Tempo 3 removes the ingester this monolithic configuration
// uses, so moving to it is a migration, not a tag bump.
const TempoImage = "grafana/tempo:2.10.4"

const (
	tempoConfigKey  = "tempo.yaml"
	tempoConfigDir  = "/conf"
	tempoDataDir    = "/var/tempo"
	tempoUID        = 10001 // the user the Tempo image runs as
	tempoConfigName = "tempo-config"
)

// TempoSpec is what an environment decides about Tempo.
type TempoSpec struct {
	// Image is the Tempo image, pinned.
	Image string
	// Retention is how long trace blocks are kept.
	Retention time.Duration
	// Storage is the size of the persistent volume holding the WAL and the
	// blocks. Zero keeps them in an emptyDir: every restart loses the traces.
	Storage   resource.Quantity
	Resources kube.Resources
}

// TempoConfig is Tempo's configuration file, for the single-binary mode with
// local block storage.
type TempoConfig struct {
	Server      TempoServer      `json:"server"`
	Distributor TempoDistributor `json:"distributor"`
	Ingester    TempoIngester    `json:"ingester"`
	Compactor   TempoCompactor   `json:"compactor"`
	Storage     TempoStorage     `json:"storage"`
	UsageReport TempoUsageReport `json:"usage_report"`
}

// TempoServer is the HTTP listener (API, readiness, metrics).
type TempoServer struct {
	HTTPListenPort int `json:"http_listen_port"`
}

// TempoDistributor receives spans.
type TempoDistributor struct {
	Receivers TempoReceivers `json:"receivers"`
}

// TempoReceivers are the span receivers.
type TempoReceivers struct {
	OTLP TempoOTLP `json:"otlp"`
}

// TempoOTLP receives OTLP; Tempo 2.7+ listens on localhost unless told otherwise.
type TempoOTLP struct {
	Protocols TempoOTLPProtocols `json:"protocols"`
}

// TempoOTLPProtocols are the OTLP listeners.
type TempoOTLPProtocols struct {
	GRPC TempoEndpoint `json:"grpc"`
	HTTP TempoEndpoint `json:"http"`
}

// TempoEndpoint is a listen address.
type TempoEndpoint struct {
	Endpoint string `json:"endpoint"`
}

// TempoIngester cuts traces into blocks.
type TempoIngester struct {
	TraceIdlePeriod  string `json:"trace_idle_period"`
	MaxBlockDuration string `json:"max_block_duration"`
}

// TempoCompactor compacts blocks and deletes them after the retention.
type TempoCompactor struct {
	Compaction TempoCompaction `json:"compaction"`
}

// TempoCompaction holds the retention.
type TempoCompaction struct {
	BlockRetention string `json:"block_retention"`
}

// TempoStorage is where blocks and the WAL live.
type TempoStorage struct {
	Trace TempoTraceStorage `json:"trace"`
}

// TempoTraceStorage is the local backend.
type TempoTraceStorage struct {
	Backend string    `json:"backend"`
	Local   TempoPath `json:"local"`
	WAL     TempoPath `json:"wal"`
}

// TempoPath is a directory.
type TempoPath struct {
	Path string `json:"path"`
}

// TempoUsageReport turns off the anonymous usage report.
type TempoUsageReport struct {
	ReportingEnabled bool `json:"reporting_enabled"`
}

// Config returns Tempo's configuration for spec.
func (t TempoSpec) Config() TempoConfig {
	return TempoConfig{
		Server: TempoServer{HTTPListenPort: portTempoHTTP},
		Distributor: TempoDistributor{Receivers: TempoReceivers{OTLP: TempoOTLP{Protocols: TempoOTLPProtocols{
			GRPC: TempoEndpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", portOTLPGRPC)},
			HTTP: TempoEndpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", portOTLPHTTP)},
		}}}},
		Ingester:  TempoIngester{TraceIdlePeriod: "30s", MaxBlockDuration: "5m"},
		Compactor: TempoCompactor{Compaction: TempoCompaction{BlockRetention: hours(t.Retention)}},
		Storage: TempoStorage{Trace: TempoTraceStorage{
			Backend: "local",
			Local:   TempoPath{Path: tempoDataDir + "/traces"},
			WAL:     TempoPath{Path: tempoDataDir + "/wal"},
		}},
	}
}

// hours renders a retention as Tempo reads it: "336h", or "90m" below an hour.
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// TempoComponent returns Tempo's objects in namespace ns: its generated
// ConfigMap, a one-replica StatefulSet (a persistent volume per Storage), a
// Service for the OTLP receivers and the query API, and a ServiceAccount
// without API access.
func TempoComponent(t TempoSpec, ns string, labels map[string]string) (kube.Component, error) {
	cfg, err := files.MarshalYAML(t.Config())
	if err != nil {
		return kube.Component{}, err
	}
	sel := map[string]string{"app.kubernetes.io/name": tempoService}
	lbl := map[string]string{"app.kubernetes.io/name": tempoService, "app.kubernetes.io/component": "tracing"}
	for k, v := range labels {
		lbl[k] = v
	}
	meta := kube.Meta(tempoService, ns, lbl)
	ports := []kube.Port{{Name: "http", Port: portTempoHTTP}, {Name: "otlp-grpc", Port: portOTLPGRPC}, {Name: "otlp-http", Port: portOTLPHTTP}}
	sts := &appsv1.StatefulSet{
		ObjectMeta: meta,
		Spec: appsv1.StatefulSetSpec{
			ServiceName:    tempoService,
			Replicas:       kube.Ptr(int32(1)),
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			Selector:       &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{
					ServiceAccountName:           tempoService,
					AutomountServiceAccountToken: kube.Ptr(false),
					SecurityContext:              kube.RestrictedPodSecurity(tempoUID),
					Containers: []corev1.Container{{
						Name:            "tempo",
						Image:           t.Image,
						Args:            []string{"-config.file=" + tempoConfigDir + "/" + tempoConfigKey},
						Ports:           kube.ContainerPorts(ports),
						Resources:       t.Resources.Requirements(),
						SecurityContext: kube.RestrictedContainerSecurity(),
						LivenessProbe:   kube.HTTPProbe("/ready", "http", 30, 15),
						ReadinessProbe:  kube.HTTPProbe("/ready", "http", 10, 10),
						VolumeMounts: []corev1.VolumeMount{
							{Name: "config", MountPath: tempoConfigDir, ReadOnly: true},
							{Name: "data", MountPath: tempoDataDir},
						},
					}},
					Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
						ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: tempoConfigName}},
					}}},
				},
			},
		},
	}
	if t.Storage.IsZero() {
		sts.Spec.Template.Spec.Volumes = append(sts.Spec.Template.Spec.Volumes,
			corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	} else {
		sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
			ObjectMeta: metav1.ObjectMeta{Name: "data"},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: t.Storage}},
			},
		}}
	}
	c := kube.Component{
		Name: tempoService,
		Objects: []kube.Object{
			sts,
			&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Selector: sel, Ports: kube.ServicePorts(ports)}},
			&corev1.ServiceAccount{ObjectMeta: meta, AutomountServiceAccountToken: kube.Ptr(false)},
		},
		Generators: []kube.Generator{{
			Kind: "ConfigMap", Name: tempoConfigName, Namespace: ns,
			Files: []kube.GeneratedFile{{Key: tempoConfigKey, Kind: files.TempoConfig, Data: files.WithHashHeader(cfg)}},
		}},
	}
	for _, o := range c.Objects {
		if err := kube.SetTypeMeta(o); err != nil {
			return c, err
		}
	}
	kube.SortObjects(c.Objects)
	return c, nil
}
