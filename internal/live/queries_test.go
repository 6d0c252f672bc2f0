package live

import (
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/teststorage"
)

func TestDataSides(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`rate(x[5m]) > 0.1`, []string{`rate(x[5m])`}},
		{`up == 0 or absent(up)`, []string{`up`}},
		{`x / y > 0.05`, []string{`x / y`}},
		{`a > 1.5 * b`, []string{`a`, `1.5 * b`}},
		{`a unless b`, []string{`a`}},
		{`(sum(x) or vector(0)) / sum(y)`, []string{`(sum(x) or vector(0)) / sum(y)`}},
		{`(a > 1 and b > 1) or (c > 1 and d > 1)`, []string{`a`, `b`, `c`, `d`}},
		{`(a > 1 and b > 1) or (a > 2 and c > 2)`, []string{`a`, `b`, `c`}},
	}
	for _, tt := range tests {
		e, err := parser.NewParser(parser.Options{}).ParseExpr(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range DataSides(e) {
			got = append(got, s.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("DataSides(%s) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// TestDataSidesOfABurnRateAlertHaveData evaluates a multi-window burn-rate
// alert's data sides with Prometheus' engine: quiet (no window burns), its
// whole expression is empty though every window has data, so the check
// reads each side; a window without data is the one finding.
func TestDataSidesOfABurnRateAlertHaveData(t *testing.T) {
	const alert = `(sum(ratio_1h{slo="x"}) > 14.4 * 0.005 and sum(ratio_5m{slo="x"}) > 14.4 * 0.005)
or
(sum(ratio_6h{slo="x"}) > 6 * 0.005 and sum(ratio_30m{slo="x"}) > 6 * 0.005)`
	e, err := parser.NewParser(parser.Options{}).ParseExpr(alert)
	if err != nil {
		t.Fatal(err)
	}
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	now := time.Now().Truncate(time.Second)
	noData := func(windows ...string) []string {
		db := teststorage.New(t)
		var samples []Sample
		for _, w := range windows {
			samples = append(samples, Sample{Labels: labels.FromStrings(labels.MetricName, "ratio_"+w, "slo", "x"), Value: 0.001})
		}
		appendStamps(t, db, []Stamp{{now, samples}})
		if v := instant(t, engine, db, alert, now); len(v) != 0 {
			t.Fatalf("the alert fires at an error ratio of 0.001: %v", v)
		}
		var empty []string
		for _, side := range DataSides(e) {
			if len(instant(t, engine, db, side.String(), now)) == 0 {
				empty = append(empty, side.String())
			}
		}
		return empty
	}
	t.Run("every window has data", func(t *testing.T) {
		if got := noData("5m", "30m", "1h", "6h"); len(got) != 0 {
			t.Errorf("no data: %q, want none", got)
		}
	})
	t.Run("the 30m window has none", func(t *testing.T) {
		if got, want := noData("5m", "1h", "6h"), []string{`sum(ratio_30m{slo="x"})`}; !slices.Equal(got, want) {
			t.Errorf("no data: %q, want %q", got, want)
		}
	})
}

func TestSubqueryStep(t *testing.T) {
	tests := []struct {
		expr string
		step time.Duration
	}{
		{`sum(team:cost:increase1h) > 5`, 0},
		{`max_over_time(rate(cost_total[5m])[1h:5m])`, 5 * time.Minute},
		{`sum_over_time(a[31d:1h]) or sum_over_time(b[1h:5m])`, time.Hour},
	}
	for _, tt := range tests {
		step, err := SubqueryStep(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if step != tt.step {
			t.Errorf("SubqueryStep(%s) = %s, want %s", tt.expr, step, tt.step)
		}
	}
}
