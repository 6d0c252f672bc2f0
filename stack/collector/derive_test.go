package collector

import (
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/stack/catalog"
)

func TestNormalizeStatements(t *testing.T) {
	got := Normalize(catalog.DefaultContract()).TraceStatements[0].Statements
	want := []string{
		`set(span.attributes["genops.cost.currency"], "USD") where span.attributes["genops.cost.currency"] == nil and span.attributes["genops.cost_usd"] != nil`,
		`set(span.attributes["genops.cost.total"], span.attributes["genops.cost_usd"]) where span.attributes["genops.cost.total"] == nil and span.attributes["genops.cost_usd"] != nil`,
		`set(span.attributes["genops.tokens.input"], span.attributes["genops.tokens_input"]) where span.attributes["genops.tokens.input"] == nil and span.attributes["genops.tokens_input"] != nil`,
		`set(span.attributes["genops.tokens.output"], span.attributes["genops.tokens_output"]) where span.attributes["genops.tokens.output"] == nil and span.attributes["genops.tokens_output"] != nil`,
		`set(span.attributes["genops.policy.result"], "violation") where span.attributes["genops.policy.result"] == nil and (span.attributes["genops.policy_violation"] == "true" or span.attributes["genops.policy_violation"] == true)`,
		`set(span.attributes["genops.team"], resource.attributes["genops.team"]) where span.attributes["genops.team"] == nil and resource.attributes["genops.team"] != nil`,
		`set(span.attributes["genops.project"], resource.attributes["genops.project"]) where span.attributes["genops.project"] == nil and resource.attributes["genops.project"] != nil`,
		`set(span.attributes["genops.cost_center"], resource.attributes["genops.cost_center"]) where span.attributes["genops.cost_center"] == nil and resource.attributes["genops.cost_center"] != nil`,
		`set(span.attributes["genops.provider"], span.attributes["genops.cost.provider"]) where span.attributes["genops.provider"] == nil and span.attributes["genops.cost.provider"] != nil`,
		`set(span.attributes["genops.model"], span.attributes["genops.cost.model"]) where span.attributes["genops.model"] == nil and span.attributes["genops.cost.model"] != nil`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLabelsKeepOnlyWhatIsRead: the derivation pipeline drops every
// attribute the metrics do not read, so an unbounded one (customer id,
// policy reason, request parameters) cannot reach a label.
func TestLabelsKeepOnlyWhatIsRead(t *testing.T) {
	st := Labels(catalog.Default().Derived()).TraceStatements[0].Statements
	keep := st[0]
	if !strings.HasPrefix(keep, "keep_keys(span.attributes, [") {
		t.Fatalf("first statement %q, want keep_keys", keep)
	}
	for _, never := range []string{"genops.customer_id", "genops.policy.reason", "genops.request.", "genops.tenant"} {
		if strings.Contains(keep, never) {
			t.Errorf("keep_keys keeps %s: %s", never, keep)
		}
	}
	for _, l := range []string{`set(span.attributes["team"], span.attributes["genops.team"])`, `set(span.attributes["status"], "error") where span.status.code == STATUS_CODE_ERROR`} {
		if !strings.Contains(strings.Join(st, "\n"), l) {
			t.Errorf("missing %s", l)
		}
	}
}

func TestConnectorsSplitParts(t *testing.T) {
	conns := Connectors(catalog.DefaultContract(), catalog.Default().Derived())
	if len(conns) != 2 || len(conns[DerivationConnector].Spans) != 10 || len(conns[ConnectorID(1)].Spans) != 1 {
		t.Fatalf("connectors: %d, spans %d and %d", len(conns), len(conns[DerivationConnector].Spans), len(conns[ConnectorID(1)].Spans))
	}
	out := conns[ConnectorID(1)].Spans[0]
	if out.Name != "genops.tokens" || out.Sum.Value != `Int(span.attributes["genops.tokens.output"])` || out.Attributes[len(out.Attributes)-1] != (MetricAttribute{Key: "type", DefaultValue: "output"}) {
		t.Errorf("output tokens: %+v", out)
	}
}

func TestCheckDerivation(t *testing.T) {
	if fs := CheckDerivation("a", catalog.Default().Derived()); len(fs) > 0 {
		t.Fatalf("default: %v", fs.Strings())
	}
	metric := func(name string, l catalog.Label) catalog.Metric {
		return catalog.Metric{Name: name, Source: &catalog.Source{Kind: catalog.FromSpans, Derivation: &catalog.Derivation{
			Parts: []catalog.Part{{Value: catalog.Value{Count: true}}}, Labels: []catalog.Label{l}}}}
	}
	fs := CheckDerivation("environment production", []catalog.Metric{
		metric("a_total", catalog.Label{Name: "team", Attribute: "genops.team"}),
		metric("b_total", catalog.Label{Name: "team", Attribute: "genops.project"}),
		metric("c_total", catalog.Label{Name: "genops.team", Attribute: "genops.team"}),
	})
	want := []string{
		"environment production: metric b_total: label team comes from genops.project here and from genops.team in another derived metric: one label, one attribute",
		"environment production: metric c_total: label genops.team has the name of a span attribute the derivation reads: name the label otherwise",
	}
	if got := fs.Strings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
