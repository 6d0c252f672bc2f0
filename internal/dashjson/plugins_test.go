package dashjson

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

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
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
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

// sdkPanels and sdkQueries are the SDK's own VariantConfigs, converters
// included; TestRegisterMatchesSDK also checks that they are all the SDK
// registers.
var (
	sdkPanels = []variants.PanelcfgConfig{
		annotationslist.VariantConfig(), barchart.VariantConfig(), bargauge.VariantConfig(),
		candlestick.VariantConfig(), canvas.VariantConfig(), dashboardlist.VariantConfig(),
		datagrid.VariantConfig(), debug.VariantConfig(), gauge.VariantConfig(), geomap.VariantConfig(),
		heatmap.VariantConfig(), histogram.VariantConfig(), logs.VariantConfig(), news.VariantConfig(),
		nodegraph.VariantConfig(), piechart.VariantConfig(), stat.VariantConfig(),
		statetimeline.VariantConfig(), statushistory.VariantConfig(), table.VariantConfig(),
		text.VariantConfig(), timeseries.VariantConfig(), trend.VariantConfig(), xychart.VariantConfig(),
	}
	sdkQueries = []variants.DataqueryConfig{
		athena.VariantConfig(), azuremonitor.VariantConfig(), bigquery.VariantConfig(),
		cloudwatch.VariantConfig(), datasource.VariantConfig(), elasticsearch.VariantConfig(),
		expr.VariantConfig(), googlecloudmonitoring.VariantConfig(), grafanapyroscope.VariantConfig(),
		loki.VariantConfig(), parca.VariantConfig(), prometheus.VariantConfig(), tempo.VariantConfig(),
		testdata.VariantConfig(),
	}
)

// registered reads the identifiers the SDK's runtime holds (its maps are
// unexported; reflection reads their keys).
func registered(field string) []string {
	m := reflect.ValueOf(cog.NewRuntime()).Elem().FieldByName(field)
	var ids []string
	for _, k := range m.MapKeys() {
		ids = append(ids, k.String())
	}
	slices.Sort(ids)
	return ids
}

// decodeInputs are decoded by both registrations: an empty object, a field
// no SDK type has (strict decoders reject it), a wrong type and broken JSON.
var decodeInputs = []string{`{}`, `{"genopsNoSuchField": 1}`, `[1]`, `{`}

// sameDecoder reports how two decoders of the same identifier differ on
// decodeInputs: result type, value or error.
func sameDecoder[T any](id, name string, ours, sdk func([]byte) (T, error)) []string {
	if (ours == nil) != (sdk == nil) {
		return []string{fmt.Sprintf("%s: %s is set in one registration only (ours %v, SDK %v)", id, name, ours != nil, sdk != nil)}
	}
	if ours == nil {
		return nil
	}
	var diffs []string
	for _, in := range decodeInputs {
		got, gerr := ours([]byte(in))
		want, werr := sdk([]byte(in))
		if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) || !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			diffs = append(diffs, fmt.Sprintf("%s: %s(%s) = %T %v, %v; the SDK's: %T %v, %v", id, name, in, got, got, gerr, want, want, werr))
		}
	}
	return diffs
}

func comparePanels(ours, sdk variants.PanelcfgConfig) []string {
	return slices.Concat(
		sameDecoder(sdk.Identifier, "OptionsUnmarshaler", ours.OptionsUnmarshaler, sdk.OptionsUnmarshaler),
		sameDecoder(sdk.Identifier, "StrictOptionsUnmarshaler", ours.StrictOptionsUnmarshaler, sdk.StrictOptionsUnmarshaler),
		sameDecoder(sdk.Identifier, "FieldConfigUnmarshaler", ours.FieldConfigUnmarshaler, sdk.FieldConfigUnmarshaler),
		sameDecoder(sdk.Identifier, "StrictFieldConfigUnmarshaler", ours.StrictFieldConfigUnmarshaler, sdk.StrictFieldConfigUnmarshaler),
	)
}

func compareQueries(ours, sdk variants.DataqueryConfig) []string {
	return slices.Concat(
		sameDecoder(sdk.Identifier, "DataqueryUnmarshaler", ours.DataqueryUnmarshaler, sdk.DataqueryUnmarshaler),
		sameDecoder(sdk.Identifier, "StrictDataqueryUnmarshaler", ours.StrictDataqueryUnmarshaler, sdk.StrictDataqueryUnmarshaler),
	)
}

// TestRegisterMatchesSDK: register registers every panel and query type
// plugins.RegisterDefaultPlugins does, under the same identifiers, with
// decoders that give the same results and errors.
func TestRegisterMatchesSDK(t *testing.T) {
	ourPanels, ourQueries := map[string]variants.PanelcfgConfig{}, map[string]variants.DataqueryConfig{}
	for _, c := range panels() {
		ourPanels[c.Identifier] = c
	}
	for _, c := range queries() {
		ourQueries[c.Identifier] = c
	}
	for _, c := range sdkPanels {
		ours, ok := ourPanels[c.Identifier]
		if !ok {
			t.Errorf("panel %s: not registered", c.Identifier)
			continue
		}
		for _, d := range comparePanels(ours, c) {
			t.Error("panel " + d)
		}
	}
	for _, c := range sdkQueries {
		ours, ok := ourQueries[c.Identifier]
		if !ok {
			t.Errorf("query %s: not registered", c.Identifier)
			continue
		}
		for _, d := range compareQueries(ours, c) {
			t.Error("query " + d)
		}
	}
	if len(ourPanels) != len(sdkPanels) || len(ourQueries) != len(sdkQueries) {
		t.Errorf("registers %d panel and %d query types, the SDK %d and %d", len(ourPanels), len(ourQueries), len(sdkPanels), len(sdkQueries))
	}

	// What the SDK registers, in the shared runtime: the lists above must
	// be all of it. Ours go back in when the test ends.
	t.Cleanup(register)
	plugins.RegisterDefaultPlugins()
	var sdkPanelIDs, sdkQueryIDs []string
	for _, c := range sdkPanels {
		sdkPanelIDs = append(sdkPanelIDs, c.Identifier)
	}
	for _, c := range sdkQueries {
		sdkQueryIDs = append(sdkQueryIDs, c.Identifier)
	}
	slices.Sort(sdkPanelIDs)
	slices.Sort(sdkQueryIDs)
	if got := registered("panelcfgVariants"); !slices.Equal(got, sdkPanelIDs) {
		t.Errorf("plugins.RegisterDefaultPlugins registers the panel types %v, the test compares %v", got, sdkPanelIDs)
	}
	if got := registered("dataqueryVariants"); !slices.Equal(got, sdkQueryIDs) {
		t.Errorf("plugins.RegisterDefaultPlugins registers the query types %v, the test compares %v", got, sdkQueryIDs)
	}
}

// TestCompareFindsDifferences: the comparison sees a decoder of another
// type, a missing decoder and a decoder that is not strict.
func TestCompareFindsDifferences(t *testing.T) {
	swapped := panelType[timeseries.Options]("barchart", fieldConfig[timeseries.FieldConfig])
	want := []string{
		`barchart: OptionsUnmarshaler({}) = *timeseries.Options &{`,
	}
	got := comparePanels(swapped, barchart.VariantConfig())
	if len(got) == 0 || !strings.HasPrefix(got[0], want[0]) {
		t.Errorf("another panel's types: %q, want a first difference starting %q", got, want[0])
	}
	noField := panelType[barchart.Options]("barchart")
	if got := comparePanels(noField, barchart.VariantConfig()); !slices.Equal(got, []string{
		"barchart: FieldConfigUnmarshaler is set in one registration only (ours false, SDK true)",
		"barchart: StrictFieldConfigUnmarshaler is set in one registration only (ours false, SDK true)",
	}) {
		t.Errorf("no FieldConfig: %q", got)
	}
	lax := queryType[prometheus.Dataquery]("prometheus")
	lax.StrictDataqueryUnmarshaler = lax.DataqueryUnmarshaler
	got = compareQueries(lax, prometheus.VariantConfig())
	wantLax := []struct{ prefix, suffix string }{
		{`prometheus: StrictDataqueryUnmarshaler({}) = *prometheus.Dataquery &{`, "; the SDK's: <nil> <nil>, expr: required field is missing from input"},
		{`prometheus: StrictDataqueryUnmarshaler({"genopsNoSuchField": 1}) = *prometheus.Dataquery &{`, "; the SDK's: <nil> <nil>, expr: required field is missing from input\nDataquery: unexpected field 'genopsNoSuchField'"},
		{`prometheus: StrictDataqueryUnmarshaler([1]) = <nil> <nil>, json: cannot unmarshal array into Go value of type prometheus.Dataquery`, "; the SDK's: <nil> <nil>, json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
	}
	if len(got) != len(wantLax) {
		t.Fatalf("a lax decoder as the strict one: %q", got)
	}
	for i, w := range wantLax {
		if !strings.HasPrefix(got[i], w.prefix) || !strings.HasSuffix(got[i], w.suffix) {
			t.Errorf("a lax decoder as the strict one, difference %d: %q, want %q...%q", i, got[i], w.prefix, w.suffix)
		}
	}
}
