// Package dashjson renders Grafana dashboards to JSON and checks the
// rendered JSON the way Grafana will read it: strict decoding with the
// Foundation SDK, data source references, template variables, panel ids and
// layout, and the size a ConfigMap can hold.
package dashjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/koshihq/genops-stack/internal/finding"
)

// Size limits of a dashboard's JSON. Its ConfigMap holds at most 1 MiB, and
// kubectl's client-side apply copies the whole object into the
// last-applied-configuration annotation, which is limited to 256 KiB.
const (
	MaxBytes  = 1 << 20
	WarnBytes = 256 << 10
)

// Render writes a dashboard as indented JSON with a trailing newline.
// PromQL comparison operators stay readable (no HTML escaping).
func Render(d dashboard.Dashboard) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var registerPlugins = sync.OnceFunc(register)

// DecodeStrict decodes dashboard JSON with the SDK's strict decoder: unknown
// fields, missing required fields and wrong types are errors, one per line.
func DecodeStrict(data []byte) (dashboard.Dashboard, error) {
	registerPlugins()
	var d dashboard.Dashboard
	err := d.UnmarshalJSONStrict(data)
	// On success the SDK returns a typed nil BuildErrors, which is a non-nil error.
	var berrs cog.BuildErrors
	if errors.As(err, &berrs) && len(berrs) == 0 {
		return d, nil
	}
	return d, err
}

// Known maps the uid of every data source that may be referenced to the
// plugin types it may have.
type Known map[string][]string

// builtinDataSources are Grafana's own pseudo data sources.
var builtinDataSources = []string{"-- Grafana --", "-- Mixed --", "-- Dashboard --"}

// Check reports everything wrong with the dashboard JSON at path.
func Check(path string, data []byte, known Known) finding.List {
	var fs finding.List
	obj := "dashboard"
	var raw struct {
		UID        string `json:"uid"`
		Templating struct {
			List []map[string]any `json:"list"`
		} `json:"templating"`
		Panels []map[string]any `json:"panels"`
		Links  []any            `json:"links"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		fs.Errorf(path, obj, "dashboard-json", "is not JSON: %v", err)
		return fs
	}
	if raw.UID != "" {
		obj = "dashboard " + raw.UID
	}
	switch n := len(data); {
	case n > MaxBytes:
		fs.Errorf(path, obj, "dashboard-size", "is %s: a ConfigMap holds at most 1 MiB; split the dashboard", size(n))
	case n > WarnBytes:
		fs.Warnf(path, obj, "dashboard-size", "is %s: over 256 KiB, `kubectl apply` (client-side) cannot store it in the last-applied-configuration annotation; apply with --server-side or split the dashboard", size(n))
	}
	if _, err := DecodeStrict(data); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fs.Errorf(path, obj, "dashboard-strict", "does not decode strictly with the Grafana Foundation SDK: %s", line)
		}
	}
	c := checker{path: path, known: known, fs: &fs, vars: map[string]string{}, dsVars: map[string]string{}, reported: map[string]bool{}}
	for _, v := range raw.Templating.List {
		name, _ := v["name"].(string)
		typ, _ := v["type"].(string)
		c.vars[name] = typ
		if typ == "datasource" {
			plugin, _ := v["query"].(string)
			c.dsVars[name] = plugin
		}
	}
	for _, v := range raw.Templating.List {
		name, _ := v["name"].(string)
		c.variable("variable "+name, v)
	}
	c.refs(obj, raw.Links)
	c.panels(raw.Panels)
	return fs
}

type checker struct {
	path  string
	known Known
	fs    *finding.List
	// vars maps every template variable to its type; dsVars maps the
	// data source variables to the plugin type they select.
	vars, dsVars map[string]string
	// reported holds the undefined variables already reported, per object.
	reported map[string]bool
}

func (c *checker) variable(obj string, v map[string]any) {
	c.refs(obj, v)
	if v["type"] != "datasource" {
		return
	}
	plugin, _ := v["query"].(string)
	if !c.knownType(plugin) {
		c.fs.Errorf(c.path, obj, "datasource-unknown", "selects data sources of type %q, which the stack does not define (%s)", plugin, c.knownTypes())
	}
	if cur, ok := v["current"].(map[string]any); ok {
		if uid, ok := cur["value"].(string); ok && uid != "" && !isVariable(uid) {
			c.uid(obj, uid, plugin)
		}
	}
}

func (c *checker) panels(panels []map[string]any) {
	type placed struct {
		name       string
		x, y, w, h int
	}
	var grid []placed
	ids := map[float64]string{}
	for i, p := range panels {
		title, _ := p["title"].(string)
		name := fmt.Sprintf("panel %d %q", i+1, title)
		if id, ok := p["id"].(float64); ok {
			name = fmt.Sprintf("panel %v %q", id, title)
			if other, dup := ids[id]; dup {
				c.fs.Errorf(c.path, name, "panel-id", "has the id of %s: give every panel its own id", other)
			}
			ids[id] = name
		}
		c.refs(name, p)
		if targets, _ := p["targets"].([]any); len(targets) > 0 {
			c.panelDataSource(name, p, targets)
		}
		if nested, ok := p["panels"].([]any); ok { // a collapsed row holds its panels
			var inner []map[string]any
			for _, n := range nested {
				if m, ok := n.(map[string]any); ok {
					inner = append(inner, m)
				}
			}
			c.panels(inner)
		}
		if g, ok := p["gridPos"].(map[string]any); ok {
			at := placed{name, num(g["x"]), num(g["y"]), num(g["w"]), num(g["h"])}
			if at.x+at.w > 24 {
				c.fs.Errorf(c.path, name, "panel-grid", "extends past the 24 columns of the grid (x %d + w %d)", at.x, at.w)
			}
			for _, o := range grid {
				if at.x < o.x+o.w && o.x < at.x+at.w && at.y < o.y+o.h && o.y < at.y+at.h {
					c.fs.Errorf(c.path, name, "panel-grid", "overlaps %s: move it (gridPos x %d y %d w %d h %d)", o.name, at.x, at.y, at.w, at.h)
				}
			}
			grid = append(grid, at)
		}
	}
}

// panelDataSource requires a typed data source on every panel with queries:
// without one Grafana falls back to its default data source, and the SDK
// cannot decode the queries strictly.
func (c *checker) panelDataSource(name string, p map[string]any, targets []any) {
	if p["datasource"] == nil {
		for _, t := range targets {
			if m, ok := t.(map[string]any); ok && m["datasource"] == nil {
				c.fs.Errorf(c.path, name, "datasource-missing", "has queries but no data source: set the panel's datasource to the $datasource variable")
				return
			}
		}
		return
	}
	if ds, ok := p["datasource"].(map[string]any); ok && ds["type"] == nil {
		c.fs.Errorf(c.path, name, "datasource-missing", "names its data source without a type: set the type so the queries decode strictly")
	}
}

// refs walks v and checks every data source reference and every use of a
// template variable in it.
func (c *checker) refs(obj string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if k == "datasource" {
				c.dataSource(obj, t[k])
			}
			if k == "repeat" {
				if name, ok := t[k].(string); ok && name != "" {
					c.use(obj, name, "repeats over")
				}
			}
			c.refs(obj, t[k])
		}
	case []any:
		for _, x := range t {
			c.refs(obj, x)
		}
	case string:
		for _, name := range variableUses(t) {
			c.use(obj, name, "uses")
		}
	}
}

func (c *checker) use(obj, name, verb string) {
	if strings.HasPrefix(name, "__") { // Grafana's built-in variables
		return
	}
	if _, ok := c.vars[name]; !ok && !c.reported[obj+"$"+name] {
		c.reported[obj+"$"+name] = true
		c.fs.Errorf(c.path, obj, "variable-undefined", "%s $%s, which the dashboard does not define (%s): add the template variable or fix the name", verb, name, c.definedVars())
	}
}

func (c *checker) dataSource(obj string, v any) {
	switch ds := v.(type) {
	case string:
		c.fs.Errorf(c.path, obj, "datasource-by-name", "names data source %q by name: reference it as {\"type\": ..., \"uid\": ...}", ds)
	case map[string]any:
		uid, _ := ds["uid"].(string)
		typ, _ := ds["type"].(string)
		if uid == "" {
			return
		}
		if name, ok := variableName(uid); ok {
			plugin, isDS := c.dsVars[name]
			switch {
			case !isDS && c.vars[name] != "":
				c.fs.Errorf(c.path, obj, "datasource-variable", "takes its data source from $%s, a %s variable: use a datasource variable", name, c.vars[name])
			case !isDS:
				return // reported as an undefined variable
			case typ != "" && typ != plugin && c.knownType(plugin): // an unknown plugin is reported on the variable
				c.fs.Errorf(c.path, obj, "datasource-variable", "has type %q but $%s selects %s data sources", typ, name, plugin)
			}
			return
		}
		c.uid(obj, uid, typ)
	}
}

func (c *checker) uid(obj, uid, typ string) {
	if slices.Contains(builtinDataSources, uid) {
		return
	}
	types, ok := c.known[uid]
	switch {
	case !ok:
		c.fs.Errorf(c.path, obj, "datasource-unknown", "references data source uid %q, which the stack does not define (%s): use the $datasource variable or one of these uids", uid, c.knownUIDs())
	case typ != "" && !slices.Contains(types, typ):
		c.fs.Errorf(c.path, obj, "datasource-unknown", "references data source %s with type %q, but it is a %s data source", uid, typ, strings.Join(types, " or "))
	}
}

func (c *checker) knownType(plugin string) bool {
	for _, types := range c.known {
		if slices.Contains(types, plugin) {
			return true
		}
	}
	return false
}

func (c *checker) knownTypes() string {
	var all []string
	for _, types := range c.known {
		for _, t := range types {
			if !slices.Contains(all, t) {
				all = append(all, t)
			}
		}
	}
	sort.Strings(all)
	return strings.Join(all, ", ")
}

func (c *checker) knownUIDs() string {
	uids := make([]string, 0, len(c.known))
	for u := range c.known {
		uids = append(uids, u)
	}
	sort.Strings(uids)
	return strings.Join(uids, ", ")
}

func (c *checker) definedVars() string {
	if len(c.vars) == 0 {
		return "it defines none"
	}
	names := make([]string, 0, len(c.vars))
	for n := range c.vars {
		names = append(names, "$"+n)
	}
	sort.Strings(names)
	return "defined: " + strings.Join(names, ", ")
}

// variablePattern matches Grafana's three variable syntaxes: $name,
// ${name}, ${name.path:format} and [[name:format]].
var variablePattern = regexp.MustCompile(`\$([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)(?:\.[^:}]*)?(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]`)

// variableUses returns the variables s refers to, in order.
func variableUses(s string) []string {
	if !strings.ContainsAny(s, "$[") {
		return nil
	}
	var names []string
	for _, m := range variablePattern.FindAllStringSubmatch(s, -1) {
		for _, g := range m[1:] {
			if g != "" {
				names = append(names, g)
			}
		}
	}
	return names
}

// variableName returns the variable s consists of, if it is one.
func variableName(s string) (string, bool) {
	loc := variablePattern.FindStringSubmatchIndex(s)
	if loc == nil || loc[0] != 0 || loc[1] != len(s) {
		return "", false
	}
	names := variableUses(s)
	return names[0], true
}

func isVariable(s string) bool {
	_, ok := variableName(s)
	return ok
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n/(1<<10))
}
