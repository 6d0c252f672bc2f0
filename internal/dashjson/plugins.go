package dashjson

import (
	"encoding/json"

	"github.com/grafana/grafana-foundation-sdk/go/annotationslist"
	"github.com/grafana/grafana-foundation-sdk/go/athena"
	"github.com/grafana/grafana-foundation-sdk/go/azuremonitor"
	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/bigquery"
	"github.com/grafana/grafana-foundation-sdk/go/candlestick"
	"github.com/grafana/grafana-foundation-sdk/go/canvas"
	"github.com/grafana/grafana-foundation-sdk/go/cloudwatch"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboardlist"
	"github.com/grafana/grafana-foundation-sdk/go/datagrid"
	"github.com/grafana/grafana-foundation-sdk/go/datasource"
	"github.com/grafana/grafana-foundation-sdk/go/debug"
	"github.com/grafana/grafana-foundation-sdk/go/elasticsearch"
	"github.com/grafana/grafana-foundation-sdk/go/expr"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/geomap"
	"github.com/grafana/grafana-foundation-sdk/go/googlecloudmonitoring"
	"github.com/grafana/grafana-foundation-sdk/go/grafanapyroscope"
	"github.com/grafana/grafana-foundation-sdk/go/heatmap"
	"github.com/grafana/grafana-foundation-sdk/go/histogram"
	"github.com/grafana/grafana-foundation-sdk/go/logs"
	"github.com/grafana/grafana-foundation-sdk/go/loki"
	"github.com/grafana/grafana-foundation-sdk/go/news"
	"github.com/grafana/grafana-foundation-sdk/go/nodegraph"
	"github.com/grafana/grafana-foundation-sdk/go/parca"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/statushistory"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/tempo"
	"github.com/grafana/grafana-foundation-sdk/go/testdata"
	"github.com/grafana/grafana-foundation-sdk/go/text"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/grafana/grafana-foundation-sdk/go/trend"
	"github.com/grafana/grafana-foundation-sdk/go/xychart"
)

// register registers with the SDK's runtime the panel and data query types
// plugins.RegisterDefaultPlugins registers, each with the same decoders: the
// SDK's json.Unmarshal and UnmarshalJSONStrict of the panel's Options and
// FieldConfig and of the query's type. It leaves out what only the SDK's
// dashboard-to-Go-code generators need (each package's VariantConfig also
// holds its GoConverter, which keeps every panel's and query's converter in
// the binary: 4.5 MB of code the CLI never calls). TestRegisterMatchesSDK
// compares the two registrations, type by type and decoder by decoder.
func register() {
	r := cog.NewRuntime()
	for _, c := range panels() {
		r.RegisterPanelcfgVariant(c)
	}
	for _, c := range queries() {
		r.RegisterDataqueryVariant(c)
	}
}

func panels() []variants.PanelcfgConfig {
	return []variants.PanelcfgConfig{
		panelType[annotationslist.Options]("annolist"),
		panelType[barchart.Options]("barchart", fieldConfig[barchart.FieldConfig]),
		panelType[bargauge.Options]("bargauge"),
		panelType[candlestick.Options]("candlestick", fieldConfig[candlestick.FieldConfig]),
		panelType[canvas.Options]("canvas"),
		panelType[dashboardlist.Options]("dashlist"),
		panelType[datagrid.Options]("datagrid"),
		panelType[debug.Options]("debug"),
		panelType[gauge.Options]("gauge"),
		panelType[geomap.Options]("geomap"),
		panelType[heatmap.Options]("heatmap", fieldConfig[heatmap.FieldConfig]),
		panelType[histogram.Options]("histogram", fieldConfig[histogram.FieldConfig]),
		panelType[logs.Options]("logs"),
		panelType[news.Options]("news"),
		panelType[nodegraph.Options]("nodeGraph"),
		panelType[piechart.Options]("piechart", fieldConfig[piechart.FieldConfig]),
		panelType[stat.Options]("stat"),
		panelType[statetimeline.Options]("state-timeline", fieldConfig[statetimeline.FieldConfig]),
		panelType[statushistory.Options]("status-history", fieldConfig[statushistory.FieldConfig]),
		panelType[table.Options]("table", fieldConfig[table.FieldConfig]),
		panelType[text.Options]("text"),
		panelType[timeseries.Options]("timeseries", fieldConfig[timeseries.FieldConfig]),
		panelType[trend.Options]("trend", fieldConfig[trend.FieldConfig]),
		panelType[xychart.Options]("xychart", fieldConfig[xychart.FieldConfig]),
	}
}

func queries() []variants.DataqueryConfig {
	return []variants.DataqueryConfig{
		queryType[athena.Dataquery]("grafana-athena-datasource"),
		queryType[azuremonitor.MonitorQuery]("grafana-azure-monitor-datasource"),
		queryType[bigquery.Dataquery]("grafana-bigquery-datasource"),
		queryType[cloudwatch.Request]("cloudwatch"),
		queryType[datasource.Dataquery]("datasource"),
		queryType[elasticsearch.Dataquery]("elasticsearch"),
		queryType[expr.Expr]("__expr__"),
		queryType[googlecloudmonitoring.CloudMonitoringQuery]("cloud-monitoring"),
		queryType[grafanapyroscope.Dataquery]("grafanapyroscope"),
		queryType[loki.Dataquery]("loki"),
		queryType[parca.Dataquery]("parca"),
		queryType[prometheus.Dataquery]("prometheus"),
		queryType[tempo.Dataquery]("tempo"),
		queryType[testdata.Dataquery]("testdata"),
	}
}

// strict is a pointer to an SDK type that decodes itself strictly.
type strict[T any] interface {
	*T
	UnmarshalJSONStrict(raw []byte) error
}

func panelType[O any, PO strict[O]](id string, opts ...func(*variants.PanelcfgConfig)) variants.PanelcfgConfig {
	c := variants.PanelcfgConfig{
		Identifier:               id,
		OptionsUnmarshaler:       decode[O, PO],
		StrictOptionsUnmarshaler: decodeStrict[O, PO],
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func fieldConfig[F any, PF strict[F]](c *variants.PanelcfgConfig) {
	c.FieldConfigUnmarshaler = decode[F, PF]
	c.StrictFieldConfigUnmarshaler = decodeStrict[F, PF]
}

func decode[T any, PT strict[T]](raw []byte) (any, error) {
	v := PT(new(T))
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeStrict[T any, PT strict[T]](raw []byte) (any, error) {
	v := PT(new(T))
	if err := v.UnmarshalJSONStrict(raw); err != nil {
		return nil, err
	}
	return v, nil
}

// dataquery is a pointer to an SDK query type.
type dataquery[T any] interface {
	strict[T]
	variants.Dataquery
}

func queryType[Q any, PQ dataquery[Q]](id string) variants.DataqueryConfig {
	return variants.DataqueryConfig{
		Identifier: id,
		DataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			q := PQ(new(Q))
			if err := json.Unmarshal(raw, q); err != nil {
				return nil, err
			}
			return q, nil
		},
		StrictDataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			q := PQ(new(Q))
			if err := q.UnmarshalJSONStrict(raw); err != nil {
				return nil, err
			}
			return q, nil
		},
	}
}
