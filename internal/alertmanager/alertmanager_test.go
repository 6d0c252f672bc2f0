package alertmanager

import (
	"slices"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/routing"
)

func load(t testing.TB, cfg routing.Config) *Loaded {
	t.Helper()
	data, err := Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReceiversHonourContinue(t *testing.T) {
	l := load(t, routing.Config{
		Route: routing.Route{Receiver: "default", Routes: []routing.Route{
			{Matchers: []string{`severity="critical"`}, Receiver: "pager", Continue: true},
			{Matchers: []string{`category="cost"`}, Receiver: "finops"},
			{Matchers: []string{`category=~".+"`}, Receiver: "triage"},
		}},
		Receivers: []routing.Receiver{{Name: "default"}, {Name: "pager"}, {Name: "finops"}, {Name: "triage"}},
	})
	for _, tt := range []struct {
		labels model.LabelSet
		want   []string
	}{
		{model.LabelSet{"severity": "critical", "category": "cost"}, []string{"pager", "finops"}},
		{model.LabelSet{"severity": "critical", "category": "policy"}, []string{"pager", "triage"}},
		{model.LabelSet{"severity": "critical"}, []string{"pager"}},
		{model.LabelSet{"severity": "warning", "category": "cost"}, []string{"finops"}},
		{model.LabelSet{"severity": "warning"}, []string{"default"}},
	} {
		if got := l.Receivers(tt.labels); !slices.Equal(got, tt.want) {
			t.Errorf("%s: receivers %v, want %v", tt.labels, got, tt.want)
		}
	}
}

// TestMuted shows the inhibitor's semantics the inhibition checks rely on:
// equal labels must agree, and a label missing on both sides agrees.
func TestMuted(t *testing.T) {
	l := load(t, routing.Config{
		Route:        routing.Route{Receiver: "default"},
		Receivers:    []routing.Receiver{{Name: "default"}},
		InhibitRules: []routing.InhibitRule{{SourceMatchers: []string{`severity="critical"`}, TargetMatchers: []string{`severity="warning"`}, Equal: []string{"team"}}},
	})
	for _, tt := range []struct {
		firing []model.LabelSet
		want   []bool
	}{
		{[]model.LabelSet{
			{"alertname": "A", "severity": "critical", "team": "a"},
			{"alertname": "B", "severity": "warning", "team": "a"},
			{"alertname": "B", "severity": "warning", "team": "b"},
			{"alertname": "C", "severity": "warning"},
		}, []bool{false, true, false, false}},
		{[]model.LabelSet{
			{"alertname": "A", "severity": "critical"},
			{"alertname": "C", "severity": "warning"},
		}, []bool{false, true}},
		{[]model.LabelSet{{"alertname": "B", "severity": "warning", "team": "a"}}, []bool{false}},
	} {
		if got := l.Muted(tt.firing); !slices.Equal(got, tt.want) {
			t.Errorf("%v: muted %v, want %v", tt.firing, got, tt.want)
		}
	}
}

// BenchmarkCheck is every Alertmanager check of one environment: route and
// template checks, render, config.Load, coverage, inhibitions (each run
// through Alertmanager's inhibitor) and the test tables.
func BenchmarkCheck(b *testing.B) {
	cfg, alerts, tests := routing.Build(spec(), wiring), fixtures(), tables()
	b.ReportAllocs()
	for b.Loop() {
		if fs := check(b, cfg, alerts, tests); len(fs) > 0 {
			b.Fatal(fs)
		}
	}
}

// BenchmarkReceivers is one `routes test`: an alert through the routing tree.
func BenchmarkReceivers(b *testing.B) {
	l := load(b, routing.Build(spec(), wiring))
	ls := model.LabelSet{"alertname": "LowQualityScore", "severity": "warning", "category": "quality"}
	b.ReportAllocs()
	for b.Loop() {
		l.Receivers(ls)
	}
}
