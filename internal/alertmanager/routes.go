package alertmanager

import (
	"fmt"
	"sort"
	"strings"

	"github.com/prometheus/alertmanager/matcher/compat"
	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/routing"
)

// checkRoutes checks the route tree against the receivers, and finds routes
// no alert can reach. A route is unreachable when
//
//   - an earlier sibling without Continue matches every alert it matches:
//     each of the sibling's matchers is implied by one of the route's (the
//     same matcher, or an equality whose value the sibling's matcher
//     accepts), so the sibling always takes the alert first; or
//   - its matchers and its ancestors' contradict: an equality l="v" and
//     another matcher on l that rejects v.
//
// Both are decided from the matchers alone, so a reported route is
// unreachable for every possible alert.
func checkRoutes(artifact string, cfg routing.Config) finding.List {
	c := routeChecker{artifact: artifact, defined: map[string]bool{}, used: map[string]bool{}}
	var names []string
	for _, r := range cfg.Receivers {
		if c.defined[r.Name] {
			c.fs.Errorf(artifact, "receiver "+r.Name, "receiver-duplicate", "is defined twice: receiver names must be unique")
		}
		c.defined[r.Name] = true
		names = append(names, r.Name)
	}
	sort.Strings(names)
	c.names = strings.Join(names, ", ")
	if cfg.Route.Receiver == "" {
		c.fs.Errorf(artifact, "root route", "unknown-receiver", "has no receiver: the root route's receiver gets every alert no other route takes")
	}
	root, _ := c.parse("root route", cfg.Route.Matchers)
	c.visit(cfg.Route, "", root, nil)
	for _, n := range names {
		if !c.used[n] {
			c.fs.Warnf(artifact, "receiver "+n, "receiver-unused", "is defined but no route sends to it")
		}
	}
	return c.fs
}

type routeChecker struct {
	artifact      string
	fs            finding.List
	defined, used map[string]bool
	names         string // the defined receivers, for messages
}

// scoped is a matcher and the route that declares it.
type scoped struct {
	m     *labels.Matcher
	route string
}

// visit checks the route r at path (routes[2].routes[0], "" for the root),
// whose own matchers are own (those that parse), below its ancestors'
// matchers.
func (c *routeChecker) visit(r routing.Route, path string, own labels.Matchers, ancestors []scoped) {
	name := routeName(path, r)
	if r.Receiver != "" {
		c.used[r.Receiver] = true
		if !c.defined[r.Receiver] {
			c.fs.Errorf(c.artifact, name, "unknown-receiver", "receiver %q is not defined; define it or use one of: %s", r.Receiver, c.names)
		}
	}
	scope := ancestors[:len(ancestors):len(ancestors)]
	for _, m := range own {
		scope = append(scope, scoped{m, name})
	}
	c.contradiction(name, scope, len(ancestors))

	children := make([]labels.Matchers, len(r.Routes))
	parsed := make([]bool, len(r.Routes))
	paths := make([]string, len(r.Routes))
	names := make([]string, len(r.Routes))
	for i, child := range r.Routes {
		paths[i] = fmt.Sprintf("routes[%d]", i)
		if path != "" {
			paths[i] = path + "." + paths[i]
		}
		names[i] = routeName(paths[i], child)
		children[i], parsed[i] = c.parse(names[i], child.Matchers)
	}
	for i, child := range r.Routes {
		for j := range i {
			if !r.Routes[j].Continue && parsed[i] && parsed[j] && implies(children[i], children[j]) {
				c.fs.Errorf(c.artifact, names[i], "route-unreachable",
					"is unreachable: the earlier sibling %s takes every alert it matches and does not continue; move this route above it, or set Continue on it", names[j])
				break
			}
		}
		c.visit(child, paths[i], children[i], scope)
	}
}

// contradiction reports the first equality matcher in scope that another
// matcher on the same label rejects, when either is the route's own (from
// index ownFrom on): the route can then never match.
func (c *routeChecker) contradiction(name string, scope []scoped, ownFrom int) {
	for i, eq := range scope {
		if eq.m.Type != labels.MatchEqual {
			continue
		}
		for j, other := range scope {
			if i == j || other.m.Name != eq.m.Name || other.m.Matches(eq.m.Value) || (i < ownFrom && j < ownFrom) {
				continue
			}
			c.fs.Errorf(c.artifact, name, "route-unreachable", "can never match: %s and %s cannot both hold", describe(eq, name), describe(other, name))
			return
		}
	}
}

func describe(s scoped, route string) string {
	if s.route == route {
		return s.m.String()
	}
	return s.m.String() + " (from " + s.route + ")"
}

// implies reports whether every label set matching all of r also matches
// all of e.
func implies(r, e labels.Matchers) bool {
	for _, me := range e {
		implied := false
		for _, mr := range r {
			if mr.Name == me.Name && (mr.Type == me.Type && mr.Value == me.Value || mr.Type == labels.MatchEqual && me.Matches(mr.Value)) {
				implied = true
				break
			}
		}
		if !implied {
			return false
		}
	}
	return true
}

// parse parses matchers with Alertmanager's parser, one matcher per entry;
// ok is false when one does not parse.
func (c *routeChecker) parse(object string, ms []string) (out labels.Matchers, ok bool) {
	ok = true
	for _, s := range ms {
		m, err := compat.Matcher(s, "config")
		if err != nil {
			c.fs.Errorf(c.artifact, object, "matcher", "matcher %q does not parse: %v", s, err)
			ok = false
			continue
		}
		out = append(out, m)
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// routeName names a route by its path in the YAML and its matchers:
// route routes[2].routes[0] {category="policy"}.
func routeName(path string, r routing.Route) string {
	if path == "" {
		return "root route"
	}
	return "route " + path + " {" + strings.Join(r.Matchers, ", ") + "}"
}
