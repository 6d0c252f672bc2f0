package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/koshihq/genops-stack/internal/promlint"
)

// RuleFiles are the rendered rule files of an output directory, by path,
// each parsed with Prometheus' rulefmt.
func RuleFiles(out string) (map[string]*rulefmt.RuleGroups, error) {
	paths, err := filepath.Glob(filepath.Join(out, "prometheus/rules/*.yaml"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no rule files in %s: %v", out, err)
	}
	files := map[string]*rulefmt.RuleGroups{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		g, errs := rulefmt.Parse(data, false, model.UTF8Validation, parser.NewParser(parser.Options{}), nil)
		if len(errs) > 0 {
			return nil, fmt.Errorf("%s: %w", p, errors.Join(errs...))
		}
		files[p] = g
	}
	return files, nil
}

// sortedGroups returns the groups of every rule file, in path order.
func sortedGroups(files map[string]*rulefmt.RuleGroups) []rulefmt.RuleGroup {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var gs []rulefmt.RuleGroup
	for _, p := range paths {
		gs = append(gs, files[p].Groups...)
	}
	return gs
}

// Record is a recording rule.
type Record struct {
	Record, Expr string
	Labels       map[string]string
}

// Records are the recording rules of the rendered rule files, in order.
func Records(out string) ([]Record, error) {
	files, err := RuleFiles(out)
	if err != nil {
		return nil, err
	}
	var rs []Record
	for _, g := range sortedGroups(files) {
		for _, r := range g.Rules {
			if r.Record != "" {
				rs = append(rs, Record{Record: r.Record, Expr: r.Expr, Labels: r.Labels})
			}
		}
	}
	return rs, nil
}

// Query is one query a person or Prometheus runs, and what runs it.
type Query struct{ Object, Expr string }

// Queries are every rule's expression (an alert's data sides, DataSides:
// what it compares with its thresholds) and every panel target of
// every rendered dashboard, Grafana's variables substituted with "All" at
// the given scrape interval.
func Queries(out string, scrapeInterval time.Duration) ([]Query, error) {
	files, err := RuleFiles(out)
	if err != nil {
		return nil, err
	}
	var qs []Query
	p := parser.NewParser(parser.Options{})
	for _, g := range sortedGroups(files) {
		for _, r := range g.Rules {
			expr := r.Expr
			if r.Alert == "" {
				qs = append(qs, Query{fmt.Sprintf("recording rule %s in group %s", r.Record, g.Name), expr})
				continue
			}
			e, err := p.ParseExpr(expr)
			if err != nil {
				return nil, fmt.Errorf("alert %s: %w", r.Alert, err)
			}
			sides := DataSides(e)
			for i, side := range sides {
				object := fmt.Sprintf("alert %s in group %s", r.Alert, g.Name)
				if len(sides) > 1 {
					object += fmt.Sprintf(" (condition %d of %d)", i+1, len(sides))
				}
				qs = append(qs, Query{object, side.String()})
			}
		}
	}
	paths, err := filepath.Glob(filepath.Join(out, "grafana/dashboards/*.json"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no dashboards in %s: %v", out, err)
	}
	all := func(string) string { return ".*" }
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var d struct {
			Title  string  `json:"title"`
			Panels []panel `json:"panels"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, pn := range ps {
				for _, tg := range pn.Targets {
					if tg.Expr != "" {
						qs = append(qs, Query{fmt.Sprintf("dashboard %q panel %q target %s", d.Title, pn.Title, tg.RefID),
							promlint.Substitute(tg.Expr, scrapeInterval, all)})
					}
				}
				walk(pn.Panels)
			}
		}
		walk(d.Panels)
	}
	return qs, nil
}

// DataSides are the parts of an alert's expression that must each have
// data for the alert to be able to fire, each to be evaluated on its own:
//
//   - a comparison needs its left side, and its right side where that is a
//     vector (a threshold series, not a number): `A > x` is A;
//   - `and` needs both sides: `(A > x and B > y)` is A and B;
//   - `or` needs both sides, each an alternative way to fire, but for a
//     right side that covers the left side's absence (absent(),
//     absent_over_time(), vector()): `up == 0 or absent(up)` is up;
//     `(A > x and B > y) or (C > z and D > w)` is A, B, C and D;
//   - `unless` needs its left side;
//   - anything else (arithmetic, a function) is one value, needed whole.
//
// An alert whose expression is one of these, with no data, can never fire:
// its data sides name which part lacks it.
func DataSides(e parser.Expr) []parser.Expr {
	var out []parser.Expr
	seen := map[string]bool{}
	var walk func(parser.Expr)
	add := func(e parser.Expr) {
		if s := e.String(); !seen[s] {
			seen[s] = true
			out = append(out, e)
		}
	}
	walk = func(e parser.Expr) {
		switch n := e.(type) {
		case *parser.ParenExpr:
			walk(n.Expr)
			return
		case *parser.BinaryExpr:
			switch {
			case n.Op.IsComparisonOperator() && !n.ReturnBool:
				walk(n.LHS)
				if n.RHS.Type() == parser.ValueTypeVector {
					walk(n.RHS)
				}
				return
			case n.Op == parser.LAND:
				walk(n.LHS)
				walk(n.RHS)
				return
			case n.Op == parser.LOR:
				walk(n.LHS)
				if !coversAbsence(n.RHS) {
					walk(n.RHS)
				}
				return
			case n.Op == parser.LUNLESS:
				walk(n.LHS)
				return
			}
		}
		add(e)
	}
	walk(e)
	return out
}

// coversAbsence says whether e, the right side of an `or`, is there for
// when the left side has no series: absent(), absent_over_time(), vector().
func coversAbsence(e parser.Expr) bool {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	c, ok := e.(*parser.Call)
	return ok && (c.Func.Name == "absent" || c.Func.Name == "absent_over_time" || c.Func.Name == "vector")
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// SelectorNames are the metric names a query selects.
func SelectorNames(expr string) ([]string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names, nil
}

// SubqueryStep is the longest subquery step of expr. Its steps fall on
// whole multiples of it (an hour: at whole hours): a run shorter than the
// step may hold no sample at any of them.
func SubqueryStep(expr string) (time.Duration, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return 0, err
	}
	var step time.Duration
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if sq, ok := n.(*parser.SubqueryExpr); ok && sq.Step > step {
			step = sq.Step
		}
		return nil
	})
	return step, nil
}
