package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultContract(t *testing.T) {
	c := DefaultContract()
	if errs := c.Check(); len(errs) > 0 {
		t.Fatalf("default contract: %s", strings.Join(errs, "; "))
	}
	// What must never become a label.
	for _, name := range []string{"genops.customer_id", "genops.policy.reason", "genops.tenant", "genops.timestamp", "genops.cost.total"} {
		a, ok := c.Attribute(name)
		if !ok || a.Bounded {
			t.Errorf("%s: in contract %v, bounded %v; want an unbounded attribute", name, ok, a.Bounded)
		}
	}
	for _, m := range Default().Derived() {
		for _, l := range m.Source.Derivation.Labels {
			if a, ok := c.Attribute(l.Attribute); ok && !a.Bounded {
				t.Errorf("metric %s: label %s from unbounded %s", m.Name, l.Name, l.Attribute)
			}
		}
	}
}

// derivedMetric is a valid derived metric for the rejection cases to break.
func derivedMetric() Metric {
	return Metric{Name: "x_cost_total", Type: Counter, Unit: "USD", Help: "h", Labels: []string{"team"}, Jobs: []string{"a"},
		Source: &Source{Kind: FromSpans, Derivation: &Derivation{Instrument: "x.cost",
			Parts:  []Part{{Value: Value{Attribute: "genops.cost.total"}}},
			Labels: []Label{{Name: "team", Attribute: "genops.team"}}}}}
}

func TestContractRejects(t *testing.T) {
	jobs := []Job{{Name: "a", TargetLabels: []string{"job"}}}
	tests := []struct {
		name     string
		contract func(*Contract)
		metric   func(*Metric)
		want     string
	}{
		{"valid", nil, nil, ""},
		{"unknown source attribute", nil, func(m *Metric) {
			m.Source.Derivation.Parts[0].Value.Attribute = "genops.cost.amount"
		}, "metric x_cost_total: derived from span attribute genops.cost.amount, which the telemetry contract does not define (no producer sends it)"},
		{"unbounded label", nil, func(m *Metric) {
			m.Labels = []string{"customer"}
			m.Source.Derivation.Labels = []Label{{Name: "customer", Attribute: "genops.customer_id"}}
		}, "metric x_cost_total: label customer comes from span attribute genops.customer_id, which is unbounded: one series per value; keep it on spans"},
		{"alias collides with a canonical name", func(c *Contract) {
			c.Aliases = append(c.Aliases, Alias{Name: "genops.cost.provider", Canonical: "genops.provider"})
		}, nil, "alias genops.cost.provider of genops.provider collides with the canonical attribute genops.cost.provider: a producer setting it could not be told apart"},
		{"alias of nothing", func(c *Contract) {
			c.Aliases = append(c.Aliases, Alias{Name: "genops.spend", Canonical: "genops.cost.sum"})
		}, nil, "alias genops.spend: canonical attribute genops.cost.sum is not in the contract"},
		{"label not derived", nil, func(m *Metric) {
			m.Labels = []string{"team", "region"}
		}, "metric x_cost_total: label region is not derived from any span attribute"},
		{"value not a number", nil, func(m *Metric) {
			m.Source.Derivation.Parts[0].Value.Attribute = "genops.model"
		}, "metric x_cost_total: value attribute genops.model is a string, not a number"},
		{"scraped without exporter", nil, func(m *Metric) {
			m.Source = &Source{Kind: Scraped}
		}, "metric x_cost_total: source scraped names no exporter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultContract()
			if tt.contract != nil {
				tt.contract(&c)
			}
			m := derivedMetric()
			if tt.metric != nil {
				tt.metric(&m)
			}
			_, err := New(c, jobs, []Metric{m})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != "catalog: "+tt.want {
				t.Errorf("error %v\nwant  catalog: %s", err, tt.want)
			}
		})
	}
}

func TestSourceStrings(t *testing.T) {
	c := Default()
	cost, _ := c.Metric("genops_cost_usd_total")
	if got, want := cost.Source.String(), `derived from spans: genops.cost.total, when genops.cost.currency unset or "USD"`; got != want {
		t.Errorf("cost source %q, want %q", got, want)
	}
	tokens, _ := c.Metric("genops_tokens_total")
	if got, want := tokens.Source.String(), `derived from spans: genops.tokens.input (type="input"), genops.tokens.output (type="output")`; got != want {
		t.Errorf("tokens source %q, want %q", got, want)
	}
	if got := (*Source)(nil).String(); got != "none" {
		t.Errorf("nil source %q", got)
	}
	if !slices.Equal(tokens.Labels, []string{"team", "project", "provider", "model", "type"}) {
		t.Errorf("tokens labels %v", tokens.Labels)
	}
}
