package live

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// TimeScale shrinks every duration of a copy of the rendered rule files and
// alertmanager.yaml by one factor, so that a test sees in seconds what a
// cluster sees in minutes: `for`, group intervals, every range, offset and
// subquery step in the expressions, Alertmanager's group_wait,
// group_interval, repeat_interval and resolve_timeout. Thresholds and values
// do not change: a rate is still per second. Nothing in out/ is touched.
type TimeScale struct {
	// Factor divides every duration (20: five minutes become fifteen
	// seconds).
	Factor int
}

// Duration scales one duration, never below a millisecond.
func (s TimeScale) Duration(d time.Duration) time.Duration {
	return max(d/time.Duration(s.Factor), time.Millisecond)
}

func (s TimeScale) model(v any) (string, error) {
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("duration %v is not a string", v)
	}
	d, err := model.ParseDuration(str)
	if err != nil {
		return "", err
	}
	return model.Duration(s.Duration(time.Duration(d))).String(), nil
}

// Expr scales the ranges, offsets and subquery steps of a PromQL expression.
func (s TimeScale) Expr(expr string) (string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return "", err
	}
	scale := func(d time.Duration) time.Duration {
		if d == 0 {
			return 0
		}
		return s.Duration(d)
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.MatrixSelector:
			n.Range = scale(n.Range)
		case *parser.VectorSelector:
			n.OriginalOffset = scale(n.OriginalOffset)
		case *parser.SubqueryExpr:
			n.Range, n.Step, n.OriginalOffset = scale(n.Range), scale(n.Step), scale(n.OriginalOffset)
		}
		return nil
	})
	return e.String(), nil
}

// Rules scales a Prometheus rule file: each group's interval, each rule's
// for and keep_firing_for, and its expression.
func (s TimeScale) Rules(data []byte) ([]byte, error) {
	var f map[string]any
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	for _, g := range asSlice(f["groups"]) {
		gm := asMap(g)
		if err := s.fields(gm, "interval"); err != nil {
			return nil, fmt.Errorf("group %v: %w", gm["name"], err)
		}
		for _, r := range asSlice(gm["rules"]) {
			rm := asMap(r)
			if err := s.fields(rm, "for", "keep_firing_for"); err != nil {
				return nil, fmt.Errorf("rule %v%v: %w", rm["alert"], rm["record"], err)
			}
			expr, err := s.Expr(fmt.Sprint(rm["expr"]))
			if err != nil {
				return nil, fmt.Errorf("rule %v%v: %w", rm["alert"], rm["record"], err)
			}
			rm["expr"] = expr
		}
	}
	return yaml.Marshal(f)
}

// amDefaults are Alertmanager's defaults for what a configuration leaves
// out: scaled like the rest, so an unset timing is not the one left long.
var amDefaults = map[string]string{"resolve_timeout": "5m", "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}

// Alertmanager scales the timings of an Alertmanager configuration: the
// global resolve_timeout and every route's group_wait, group_interval and
// repeat_interval (the root route's and the global ones set to the scaled
// defaults where the configuration leaves them out).
func (s TimeScale) Alertmanager(cfg map[string]any) error {
	global, root := asMap(cfg["global"]), asMap(cfg["route"])
	if global == nil || root == nil {
		return fmt.Errorf("alertmanager.yaml has no global or route section")
	}
	for k, d := range amDefaults {
		m := root
		if k == "resolve_timeout" {
			m = global
		}
		if _, ok := m[k]; !ok {
			m[k] = d
		}
	}
	if err := s.fields(global, "resolve_timeout"); err != nil {
		return err
	}
	var walk func(r map[string]any) error
	walk = func(r map[string]any) error {
		if err := s.fields(r, "group_wait", "group_interval", "repeat_interval"); err != nil {
			return err
		}
		for _, c := range asSlice(r["routes"]) {
			if err := walk(asMap(c)); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

func (s TimeScale) fields(m map[string]any, keys ...string) error {
	for _, k := range keys {
		v, ok := m[k]
		if !ok {
			continue
		}
		d, err := s.model(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		m[k] = d
	}
	return nil
}
