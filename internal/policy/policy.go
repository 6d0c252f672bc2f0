// Package policy evaluates the house rules, written in CUE, over the
// rendered artifacts. A policy package (package genops) constrains subjects
// by kind, each a top-level field:
//
//	alert      every alerting rule of a rule file
//	record     every recording rule
//	dashboard  every Grafana dashboard JSON model
//	panel      every panel of a dashboard
//	object     every Kubernetes object
//	container  every container of a workload's pod template
//
// and lists, under secrets, the literals no generated file may contain.
// The built-in policies are embedded (package schemas); users add .cue
// files of the same package, which unify with them: a user file that says
// `alert: labels: team: string` makes every alert require a team label.
package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/koshihq/genops-stack/internal/finding"
)

// The kinds of subject a policy can constrain.
const (
	KindAlert     = "alert"
	KindRecord    = "record"
	KindDashboard = "dashboard"
	KindPanel     = "panel"
	KindObject    = "object"
	KindContainer = "container"
)

var kinds = []string{KindAlert, KindRecord, KindDashboard, KindPanel, KindObject, KindContainer}

// Subject is one value checked against the policy of its kind.
type Subject struct {
	Kind     string
	Artifact string // the file
	Object   string // e.g. "alert CostAnomaly in group genops-cost"
	Value    any    // the decoded value, as encoding/json would produce it
}

// Set is a compiled set of policies.
type Set struct {
	ctx      *cue.Context
	policies map[string]cue.Value // by kind; absent when no file constrains it
	secrets  secretRules
}

type secretRules struct {
	patterns []namedPattern
	keys     *regexp.Regexp
	allowed  *regexp.Regexp
}

type namedPattern struct {
	name string
	re   *regexp.Regexp
}

// Load compiles every .cue file of builtin and of each directory in dirs
// (not recursive) into one policy set.
func Load(builtin fs.FS, dirs ...string) (*Set, error) {
	ctx := cuecontext.New()
	var sources []source
	err := fs.WalkDir(builtin, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") {
			return err
		}
		data, err := fs.ReadFile(builtin, p)
		sources = append(sources, source{name: "schemas/" + p, data: data})
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, dir := range dirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.cue"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("policy directory %s holds no .cue files", dir)
		}
		sort.Strings(matches)
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				return nil, err
			}
			sources = append(sources, source{name: m, data: data})
		}
	}
	var all cue.Value
	for i, s := range sources {
		v := ctx.CompileBytes(s.data, cue.Filename(s.name))
		if err := v.Err(); err != nil {
			return nil, fmt.Errorf("policy %s: %s", s.name, oneLine(err))
		}
		if i == 0 {
			all = v
		} else {
			all = all.Unify(v)
		}
	}
	if err := all.Err(); err != nil {
		return nil, fmt.Errorf("policies conflict: %s", oneLine(err))
	}
	set := &Set{ctx: ctx, policies: map[string]cue.Value{}}
	for _, k := range kinds {
		if v := all.LookupPath(cue.ParsePath(k)); v.Exists() {
			set.policies[k] = v
		}
	}
	if set.secrets, err = loadSecrets(all.LookupPath(cue.ParsePath("secrets"))); err != nil {
		return nil, err
	}
	return set, nil
}

type source struct {
	name string
	data []byte
}

func loadSecrets(v cue.Value) (secretRules, error) {
	var r secretRules
	if !v.Exists() {
		return r, nil
	}
	var spec struct {
		Patterns map[string]string `json:"patterns"`
		Keys     string            `json:"keys"`
		Allowed  string            `json:"allowed"`
	}
	if err := v.Decode(&spec); err != nil {
		return r, fmt.Errorf("policy secrets: %s", oneLine(err))
	}
	names := make([]string, 0, len(spec.Patterns))
	for n := range spec.Patterns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		re, err := regexp.Compile(spec.Patterns[n])
		if err != nil {
			return r, fmt.Errorf("policy secrets.patterns.%s: %v", n, err)
		}
		r.patterns = append(r.patterns, namedPattern{n, re})
	}
	var err error
	if spec.Keys != "" {
		if r.keys, err = regexp.Compile(spec.Keys); err != nil {
			return r, fmt.Errorf("policy secrets.keys: %v", err)
		}
		if r.allowed, err = regexp.Compile(spec.Allowed); err != nil {
			return r, fmt.Errorf("policy secrets.allowed: %v", err)
		}
	}
	return r, nil
}

// Check evaluates every subject against the policy of its kind.
func (s *Set) Check(subjects []Subject) finding.List {
	var fs finding.List
	for _, sub := range subjects {
		p, ok := s.policies[sub.Kind]
		if !ok {
			continue
		}
		err := p.Unify(s.ctx.Encode(sub.Value)).Validate(cue.Concrete(true), cue.All())
		for _, msg := range messages(err) {
			fs.Errorf(sub.Artifact, sub.Object, "policy", "%s", msg)
		}
	}
	return fs
}

// messages turns CUE's errors into one line per violated path, without
// the kind prefix and without the "N errors in empty disjunction" headers.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	byPath := map[string][]string{}
	var order []string
	for _, e := range cueerrors.Errors(err) {
		path := strings.Join(e.Path(), ".")
		if i := strings.IndexByte(path, '.'); i >= 0 {
			path = path[i+1:]
		} else {
			path = "(root)"
		}
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if strings.HasSuffix(msg, "errors in empty disjunction:") || strings.HasSuffix(msg, "errors in empty disjunction") {
			continue
		}
		if strings.HasPrefix(msg, "incomplete value") {
			msg = "is required (" + strings.TrimPrefix(msg, "incomplete value ") + ")"
		}
		if _, seen := byPath[path]; !seen {
			order = append(order, path)
		}
		byPath[path] = append(byPath[path], msg)
	}
	out := make([]string, 0, len(order))
	for _, p := range order {
		out = append(out, "policy "+p+": "+strings.Join(dedupe(byPath[p]), "; "))
	}
	return out
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// oneLine joins CUE's errors on one line, each with its positions, without
// the "N errors in empty disjunction" headers.
func oneLine(err error) string {
	var parts []string
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		if strings.Contains(fmt.Sprintf(format, args...), "errors in empty disjunction") {
			continue
		}
		parts = append(parts, strings.Join(strings.Fields(cueerrors.Details(e, nil)), " "))
	}
	return strings.Join(parts, "; ")
}

// Pair is a key and the string value it holds, anywhere in a file.
type Pair struct {
	Key   string
	Value string
}

// Secrets reports every string that matches a secret pattern and every
// secret-named key that holds a literal instead of a reference, once per
// key and kind of secret: a literal repeated in a file is one finding.
func (s *Set) Secrets(artifact string, strs []Pair) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	report := func(key, format string, args ...any) {
		id := key + "\x00" + fmt.Sprintf(format, args...)
		if !seen[id] {
			seen[id] = true
			fs.Errorf(artifact, keyObject(key), "secret", format, args...)
		}
	}
	for _, p := range strs {
		for _, np := range s.secrets.patterns {
			if np.re.MatchString(p.Value) {
				report(p.Key, "holds a literal that looks like a secret (%s): reference it instead (a *_file field, a secretKeyRef, ${env:...})", np.name)
			}
		}
		if s.secrets.keys != nil && p.Key != "" && s.secrets.keys.MatchString(p.Key) && !s.secrets.allowed.MatchString(p.Value) {
			report(p.Key, "holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})")
		}
	}
	return fs
}

// SecretPatterns names the secret patterns, sorted.
func (s *Set) SecretPatterns() []string {
	out := make([]string, len(s.secrets.patterns))
	for i, p := range s.secrets.patterns {
		out[i] = p.name
	}
	return out
}

func keyObject(key string) string {
	if key == "" {
		return "text"
	}
	return "key " + key
}

// Strings lists every string value of a decoded JSON/YAML value with the key
// that holds it (list items inherit their list's key).
func Strings(v any) []Pair {
	var out []Pair
	walk("", v, &out)
	return out
}

func walk(key string, v any, out *[]Pair) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(k, t[k], out)
		}
	case []any:
		for _, x := range t {
			walk(key, x, out)
		}
	case string:
		*out = append(*out, Pair{Key: key, Value: t})
	}
}
