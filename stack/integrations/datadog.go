package integrations

import (
	"fmt"
	"github.com/koshihq/genops-stack/stack/netpol"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Datadog has the Datadog Agent scrape the gateway Collector's prometheus
// exporter with its OpenMetrics check: the metrics the gateway derives from
// GenOps AI's spans. The metric list is derived from the metric catalog, so
// a metric added there reaches Datadog without a second list to keep.
type Datadog struct {
	Enabled bool
	// AgentNamespace is where the Datadog Agent runs: its pods are admitted
	// to the gateway's prometheus exporter, which the check scrapes.
	AgentNamespace string
}

// DatadogAllow admits the Agent's pods to the port of component that serves
// what the check scrapes.
func DatadogAllow(d Datadog, component, port string) netpol.Allow {
	return netpol.Allow{To: component, Ports: []string{port}, From: netpol.Peer{Namespace: d.AgentNamespace},
		Why: "the Datadog Agent's OpenMetrics check scrapes the metrics the gateway derives"}
}

// DatadogConfigMap is the ConfigMap holding the check's conf.yaml, for the
// Agent's conf.d/openmetrics.d/ (mount it, or point the Datadog Helm chart's
// confd at it).
const DatadogConfigMap = "datadog-genops-openmetrics"

// DatadogNamespace prefixes every metric in Datadog: genops.cost_total_usd.
const DatadogNamespace = "genops"

// DatadogCheck is the OpenMetrics check's conf.yaml (the current
// openmetrics_endpoint form; the seed's prometheus_url form is the legacy
// check).
type DatadogCheck struct {
	InitConfig map[string]any      `json:"init_config"`
	Instances  []DatadogOpenMetric `json:"instances"`
}

// DatadogOpenMetric is one instance of the OpenMetrics check.
type DatadogOpenMetric struct {
	OpenMetricsEndpoint string `json:"openmetrics_endpoint"`
	Namespace           string `json:"namespace"`
	// Metrics maps each exposed name to its Datadog name (after the namespace).
	Metrics []map[string]string `json:"metrics"`
	Tags    []string            `json:"tags"`
}

// DatadogMetrics lists, from the catalog, every metric the gateway derives
// from spans, as the OpenMetrics check names them: a counter without its _total
// suffix (the check's rule since Agent 7.32), and a Datadog name without the
// genops_ prefix, which the namespace adds back once.
func DatadogMetrics(cat *catalog.Catalog) []map[string]string {
	var out []map[string]string
	for _, m := range cat.Metrics() {
		if !strings.HasPrefix(m.Name, DatadogNamespace+"_") || m.Source == nil || m.Source.Kind != catalog.FromSpans {
			continue
		}
		exposed := m.Name
		if m.Type == catalog.Counter {
			exposed = strings.TrimSuffix(exposed, "_total")
		}
		out = append(out, map[string]string{exposed: strings.TrimPrefix(exposed, DatadogNamespace+"_")})
	}
	return out
}

// DatadogComponent is the ConfigMap with the check's configuration for the
// exporter at endpoint, tagged with the cluster and environment.
func DatadogComponent(cat *catalog.Catalog, namespace, endpoint, cluster, environment string, labels map[string]string) (component.Component, error) {
	check := DatadogCheck{
		InitConfig: map[string]any{},
		Instances: []DatadogOpenMetric{{
			OpenMetricsEndpoint: endpoint,
			Namespace:           DatadogNamespace,
			Metrics:             DatadogMetrics(cat),
			Tags:                []string{"cluster:" + cluster, "environment:" + environment},
		}},
	}
	data, err := yaml.Marshal(check)
	if err != nil {
		return component.Component{}, fmt.Errorf("datadog: %w", err)
	}
	return component.Component{Name: "datadog", Kube: kube.Component{Name: "datadog", Generators: []kube.Generator{{
		Kind: "ConfigMap", Name: DatadogConfigMap, Namespace: namespace, Labels: labels,
		Files: []kube.GeneratedFile{{Key: "conf.yaml", Kind: files.DatadogCheck, Data: files.WithHashHeader(data)}},
	}}}}, nil
}
