// Package doctor diagnoses a running GenOps observability stack against its
// own definitions: the seed's troubleshooting guide (metrics not appearing in
// Prometheus, traces not appearing in the trace backend, high-cardinality
// metrics) and the rules and alerts, turned into checks of the live servers.
//
// Its inputs are plain data: the metric catalog, the settings of one
// environment (namespaces, Services and ports, the sampling share) and the
// rendered files of a run (rule files, dashboards, alertmanager.yaml,
// Collector configs). NewPlan turns them into what must hold in the running
// stack; Run asks Prometheus, Alertmanager and the Collector whether it does,
// and every check carries its evidence (the query and its result) and, when
// it fails, the next step in the environment's own names.
package doctor

import (
	"fmt"
	"regexp"

	"github.com/prometheus/common/model"
)

// Settings are what the diagnosis needs to know of one environment.
type Settings struct {
	// Name is the environment (production) and Cluster its cluster label.
	Name    string `json:"name"`
	Cluster string `json:"cluster"`
	// Namespace holds the Collectors, Prometheus and Alertmanager;
	// WorkloadNamespace the GenOps workloads, which read the gateway's
	// address from the ConfigMap QuickStart.
	Namespace         string `json:"namespace"`
	WorkloadNamespace string `json:"workloadNamespace"`
	QuickStart        string `json:"quickStart"`
	// Prometheus and Alertmanager are the servers a person port-forwards to.
	Prometheus   Server `json:"prometheus"`
	Alertmanager Server `json:"alertmanager"`
	// Collectors are the Collector workloads of the environment.
	Collectors []Collector `json:"collectors"`
	// TraceBackend is where the kept traces go (tempo, jaeger).
	TraceBackend Server `json:"traceBackend"`
	// Sampling is the environment's trace sampling.
	Sampling Sampling `json:"sampling"`
	// ScrapeInterval is Prometheus' scrape interval.
	ScrapeInterval model.Duration `json:"scrapeInterval"`
	// Jobs are the scrape jobs that run in the environment (the catalog's
	// job names); a metric only other jobs deliver is not checked.
	Jobs []Job `json:"jobs"`
	// ExternalLabels are Prometheus' external labels, which the alerts
	// carry to Alertmanager.
	ExternalLabels map[string]string `json:"externalLabels,omitempty"`
	// Selector is the label selector Prometheus picks the stack's
	// PrometheusRules and monitors by (release=monitoring).
	Selector string `json:"selector"`
	// AlertmanagerSecret holds the rendered alertmanager.yaml, and
	// CredentialsSecret the files its receivers read.
	AlertmanagerSecret string `json:"alertmanagerSecret"`
	CredentialsSecret  string `json:"credentialsSecret"`
}

// Server is a Kubernetes Service and the pod whose logs tell more.
type Server struct {
	Name      string `json:"name"`
	Service   string `json:"service"`
	Port      int    `json:"port"`
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
}

// Collector roles.
const (
	Gateway = "gateway"
	Sampler = "sampler"
	Cluster = "cluster"
	Agent   = "agent"
)

// Collector is one Collector workload.
type Collector struct {
	// Name is its Deployment's or DaemonSet's name.
	Name string `json:"name"`
	// Role is gateway, sampler, cluster or agent.
	Role      string `json:"role"`
	DaemonSet bool   `json:"daemonSet,omitempty"`
	// Config is the path of its rendered configuration among the files.
	Config string `json:"config"`
	// TelemetryPort serves its own metrics.
	TelemetryPort int `json:"telemetryPort"`
}

// Sampling is what share of traces the environment keeps.
type Sampling struct {
	// HeadPercent is the gateway's probabilistic sampler's share (0: none).
	HeadPercent float64 `json:"headPercent,omitempty"`
	// TailPercent is the sampling tier's probabilistic share of the traces
	// no other policy keeps, and TailPolicy that policy's name (empty: no
	// tail sampling).
	TailPercent float64 `json:"tailPercent,omitempty"`
	TailPolicy  string  `json:"tailPolicy,omitempty"`
}

// Job is a scrape job of the environment.
type Job struct {
	Name string `json:"name"`
	// Monitor is the object that makes it run ("PodMonitor monitoring/otel-collector").
	Monitor string `json:"monitor"`
	// RemoteWrite is true when the cluster collector scrapes it and
	// remote-writes the series: Prometheus lists no target for it.
	RemoteWrite bool `json:"remoteWrite,omitempty"`
}

// Collector returns the collector of a role.
func (s Settings) Collector(role string) (Collector, bool) {
	for _, c := range s.Collectors {
		if c.Role == role {
			return c, true
		}
	}
	return Collector{}, false
}

// Job returns the job called name.
func (s Settings) Job(name string) (Job, bool) {
	for _, j := range s.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// nameChars is the alphabet Kubernetes draws generated name suffixes from
// (k8s.io/apimachinery/pkg/util/rand): a ReplicaSet's pod-template hash and
// a pod's five random characters. It has no vowels, so a suffix never spells
// another workload's name (sampler, agent, cluster).
const nameChars = "[bcdfghjklmnpqrstvwxz2456789]"

// Pods is a regular expression matching exactly the pod names of the
// collector: <deployment>-<hash>-<5 chars>, or <daemonset>-<5 chars>.
func (c Collector) Pods() string {
	if c.DaemonSet {
		return fmt.Sprintf("%s-%s{5}", regexp.QuoteMeta(c.Name), nameChars)
	}
	return fmt.Sprintf("%s-%s+-%s{5}", regexp.QuoteMeta(c.Name), nameChars, nameChars)
}
