// Package grafana owns Grafana as the stack provisions it: the data sources
// with their stable uids (the same in the dashboards, the Helm values and the
// Terraform), the folder of the dashboards, and the ConfigMaps the Grafana
// sidecar loads the dashboards from.
package grafana

import (
	"fmt"
	"regexp"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// The folder every dashboard of the stack lives in.
const (
	FolderTitle = "GenOps AI"
	FolderUID   = "genops"
)

// The data source uids. Dashboards, the Helm values and the Terraform name
// data sources by these, so they never change.
const (
	PrometheusUID   = "genops-prometheus"
	TracesUID       = "genops-traces"
	LokiUID         = "genops-loki"
	AlertmanagerUID = "genops-alertmanager"
)

// DataSource is one Grafana data source.
type DataSource struct {
	// Key names the data source in generated code: its Terraform resource
	// and the variable holding its URL.
	Key  string
	Name string
	UID  string
	// Type is the Grafana plugin id.
	Type    string
	URL     string
	Default bool
	// JSONData are the plugin settings. Never a secret: those would go in
	// secureJsonData, which the stack does not set.
	JSONData map[string]any
}

// DataSources are the data sources of an environment whose backends run in
// namespace ns and whose trace backend is traces.
func DataSources(ns string, traces tracing.Backend) ([]DataSource, error) {
	url, err := traces.QueryURL(ns)
	if err != nil {
		return nil, err
	}
	return dataSources(ns, traces, url), nil
}

func dataSources(ns string, traces tracing.Backend, tracesURL string) []DataSource {
	return []DataSource{
		{
			Key: "prometheus", Name: "Prometheus", UID: PrometheusUID, Type: "prometheus",
			URL: kubeprometheus.PrometheusURL(ns), Default: true,
			JSONData: map[string]any{
				"httpMethod":                  "POST",
				"exemplarTraceIdDestinations": []any{map[string]any{"name": "trace_id", "datasourceUid": TracesUID}},
			},
		},
		{
			// A backend's name is its Grafana plugin id (tempo, jaeger).
			Key: "traces", Name: "Traces", UID: TracesUID, Type: string(traces), URL: tracesURL,
			JSONData: map[string]any{"tracesToLogsV2": map[string]any{"datasourceUid": LokiUID, "filterByTraceID": true}},
		},
		{
			Key: "loki", Name: "Loki", UID: LokiUID, Type: "loki",
			URL:      fmt.Sprintf("http://loki.%s.svc:3100", ns),
			JSONData: map[string]any{"maxLines": 1000},
		},
		{
			Key: "alertmanager", Name: "Alertmanager", UID: AlertmanagerUID, Type: "alertmanager",
			URL:      kubeprometheus.AlertmanagerURL(ns),
			JSONData: map[string]any{"implementation": "prometheus", "handleGrafanaManagedAlerts": false},
		},
	}
}

// Known maps the uid of every data source the stack can define to the plugin
// types it may have in some environment (the trace backend differs).
func Known() map[string][]string {
	known := map[string][]string{}
	for _, b := range tracing.Backends() {
		for _, d := range dataSources("", b, "") {
			if !slices.Contains(known[d.UID], d.Type) {
				known[d.UID] = append(known[d.UID], d.Type)
			}
		}
	}
	return known
}

// HelmDataSources are the data sources as kube-prometheus-stack provisions
// them (grafana.additionalDataSources).
func HelmDataSources(ds []DataSource) []kubeprometheus.DataSource {
	out := make([]kubeprometheus.DataSource, len(ds))
	for i, d := range ds {
		out[i] = kubeprometheus.DataSource{
			Name: d.Name, UID: d.UID, Type: d.Type, URL: d.URL, Access: "proxy",
			IsDefault: d.Default, JSONData: d.JSONData,
		}
	}
	return out
}

// Dashboard is one built dashboard and its rendered JSON.
type Dashboard struct {
	UID   string
	Title string
	JSON  []byte
}

// ConfigMapName is the name of the ConfigMap holding a dashboard.
func (d Dashboard) ConfigMapName() string { return "grafana-dashboard-" + d.UID }

// FileName is the dashboard's file name, in out/grafana/dashboards and in its ConfigMap.
func (d Dashboard) FileName() string { return d.UID + ".json" }

// Component is one ConfigMap per dashboard in namespace ns, labelled for
// the Grafana sidecar and annotated with the folder. The names carry no
// hash suffix: a renamed ConfigMap would leave the old one behind, and the
// sidecar would load the dashboard twice.
func Component(ns string, labels map[string]string, ds []Dashboard) (kube.Component, error) {
	c := kube.Component{Name: "grafana-dashboards"}
	for _, d := range ds {
		lbl := map[string]string{kubeprometheus.DashboardLabel: "1"}
		for k, v := range labels {
			lbl[k] = v
		}
		cm := &corev1.ConfigMap{
			ObjectMeta: kube.Meta(d.ConfigMapName(), ns, lbl),
			Data:       map[string]string{d.FileName(): string(d.JSON)},
		}
		cm.Annotations = map[string]string{kubeprometheus.FolderAnnotation: FolderTitle}
		if err := kube.SetTypeMeta(cm); err != nil {
			return c, err
		}
		c.Objects = append(c.Objects, cm)
	}
	kube.SortObjects(c.Objects)
	return c, nil
}

// uidPattern is what Grafana accepts as a dashboard uid.
var uidPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)

// Check reports dashboards Grafana would reject or that links would lose:
// a missing or malformed uid, a uid or a title used twice in the folder.
func Check(artifact string, ds []Dashboard) finding.List {
	var fs finding.List
	uids := map[string]string{}
	titles := map[string]string{}
	for _, d := range ds {
		obj := fmt.Sprintf("dashboard %q", d.Title)
		switch {
		case d.UID == "":
			fs.Errorf(artifact, obj, "dashboard-uid", "has no uid: set Uid(...); Grafana would make up a new one on every import and every link to the dashboard would break")
		case !uidPattern.MatchString(d.UID):
			fs.Errorf(artifact, obj, "dashboard-uid", "uid %q is not a Grafana uid: use 1 to 40 letters, digits, '-' or '_'", d.UID)
		case uids[d.UID] != "":
			fs.Errorf(artifact, obj, "dashboard-uid", "uid %q is also the uid of dashboard %q: every dashboard needs its own uid", d.UID, uids[d.UID])
		default:
			uids[d.UID] = d.Title
		}
		if other, dup := titles[d.Title]; dup {
			fs.Errorf(artifact, obj, "dashboard-title", "has the same title as dashboard %s: Grafana refuses two dashboards with one title in folder %q; rename one", other, FolderTitle)
		} else {
			titles[d.Title] = d.UID
		}
	}
	return fs
}
