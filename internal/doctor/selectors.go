package doctor

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// selection is one series name a query selects and the labels the query
// uses on it: its matchers, and the by, on and group_left/right labels and
// label_replace/label_join sources of the expressions around it.
type selection struct {
	series string
	labels []string
	// alts are the series of the other side of every `or` the selector is
	// under: when one of them has data, so has the query.
	alts []string
}

// selectors parses expr and returns what it selects.
func (u *uses) selectors(expr string) ([]selection, error) {
	e, err := u.parser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var out []selection
	parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		s := selection{series: vs.Name}
		for _, m := range vs.LabelMatchers {
			switch {
			case m.Name == labels.MetricName:
				if s.series == "" && m.Type == labels.MatchEqual {
					s.series = m.Value
				}
			default:
				s.labels = append(s.labels, m.Name)
			}
		}
		for i, anc := range path {
			switch a := anc.(type) {
			case *parser.AggregateExpr:
				if !a.Without {
					s.labels = append(s.labels, a.Grouping...)
				}
			case *parser.BinaryExpr:
				if a.Op == parser.LOR {
					child := parser.Node(vs)
					if i+1 < len(path) {
						child = path[i+1]
					}
					other := a.RHS
					if child == parser.Node(a.RHS) {
						other = a.LHS
					}
					s.alts = append(s.alts, names(other)...)
				}
				if vm := a.VectorMatching; vm != nil && vm.On {
					s.labels = append(s.labels, vm.MatchingLabels...)
					s.labels = append(s.labels, vm.Include...)
				}
			case *parser.Call:
				switch a.Func.Name {
				case "label_replace":
					if len(a.Args) == 5 {
						if src, ok := a.Args[3].(*parser.StringLiteral); ok {
							s.labels = append(s.labels, src.Val)
						}
					}
				case "label_join":
					for _, arg := range a.Args[min(3, len(a.Args)):] {
						if src, ok := arg.(*parser.StringLiteral); ok {
							s.labels = append(s.labels, src.Val)
						}
					}
				}
			}
		}
		slices.Sort(s.labels)
		s.labels = slices.Compact(s.labels)
		if s.series != "" {
			out = append(out, s)
		}
		return nil
	})
	return out, nil
}

// names are the series names an expression selects.
func names(e parser.Expr) []string {
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" {
			out = append(out, vs.Name)
		}
		return nil
	})
	return out
}
