package doctor

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// cardinality compares each metric's series with the budget the catalog
// states and, for one over it, counts the values of each of its labels and
// says which definition to change.
func (d *diagnosis) cardinality(ctx context.Context) (Section, error) {
	s := Section{Key: SectionCardinality, Title: "High-cardinality metrics"}
	if len(d.plan.Budgets) == 0 {
		s.Checks = append(s.Checks, Check{Check: "series-budget", Status: Skipped, Summary: "the catalog states no series budget"})
		return s, nil
	}
	var names []string
	for _, b := range d.plan.Budgets {
		names = append(names, b.Series)
	}
	counts, ev, err := d.prom.byLabel(ctx, fmt.Sprintf(`count by (__name__) ({__name__=~%q})`, alternation(names)), "__name__")
	if err != nil {
		return s, err
	}
	var over []Check
	largest, largestShare := "", -1.0
	for _, b := range d.plan.Budgets {
		n := counts[b.Series]
		if share := n / float64(b.Budget); share > largestShare {
			largest, largestShare = fmt.Sprintf("%s with %s of %d", b.Series, number(n), b.Budget), share
		}
		if n <= float64(b.Budget) {
			continue
		}
		c, err := d.drivers(ctx, b, n)
		if err != nil {
			return s, err
		}
		c.Evidence = append([]Evidence{ev}, c.Evidence...)
		over = append(over, c)
	}
	switch {
	case len(over) == 0 && len(counts) == 0:
		s.Checks = append(s.Checks, Check{Check: "series-budget", Status: Skipped, Evidence: []Evidence{ev},
			Summary: fmt.Sprintf("none of the %d metrics with a budget has series", len(d.plan.Budgets))})
	case len(over) == 0:
		s.Checks = append(s.Checks, Check{Check: "series-budget", Status: OK, Evidence: []Evidence{ev},
			Summary: fmt.Sprintf("all %d metrics with a budget are within it (the fullest: %s)", len(d.plan.Budgets), largest)})
	}
	s.Checks = append(s.Checks, over...)
	return s, nil
}

// drivers counts the values of every label of a metric over its budget.
func (d *diagnosis) drivers(ctx context.Context, b Budget, n float64) (Check, error) {
	c := Check{Check: "series-budget", Status: Problem, Object: b.Metric}
	labels, _, _, err := d.prom.api.LabelNames(ctx, []string{b.Series}, time.Time{}, time.Time{})
	if err != nil {
		return c, d.prom.fail(err, "GET /api/v1/labels")
	}
	var names []string
	for _, l := range labels {
		if l != "__name__" && l != "le" {
			names = append(names, string(l))
		}
	}
	c.Evidence = append(c.Evidence, Evidence{"prometheus", fmt.Sprintf("GET /api/v1/labels?match[]=%s", b.Series), strings.Join(names, ", ")})
	type driver struct {
		label  string
		values float64
	}
	var ds []driver
	for _, l := range names {
		v, _, ev, err := d.prom.value(ctx, fmt.Sprintf(`count(count by (%s) (%s))`, l, b.Series))
		if err != nil {
			return c, err
		}
		c.Evidence = append(c.Evidence, ev)
		ds = append(ds, driver{l, v})
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].values > ds[j].values })
	var top []string
	for _, x := range ds[:min(3, len(ds))] {
		top = append(top, fmt.Sprintf("%s (%s values)", x.label, number(x.values)))
	}
	c.Summary = fmt.Sprintf("%s has %s series, over its budget of %d; the labels with the most values: %s", b.Series, number(n), b.Budget, strings.Join(top, ", "))
	if len(ds) > 0 {
		l := ds[0].label
		c.Next = fmt.Sprintf("Label %s comes from %s. Relabelling it away in Prometheus would hide the cause: change the definition", l, labelFix(b, l))
	}
	return c, nil
}
