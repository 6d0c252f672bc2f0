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
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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

// Set is a compiled set of policies. It is safe for concurrent use.
type Set struct {
	sources []source
	// constrained are the kinds some policy constrains.
	constrained map[string]bool
	secrets     secretRules
	// idle are compiled copies of the policies no goroutine uses: a CUE
	// context is not safe for concurrent use, so each goroutine of Check
	// takes one. A sync.Pool would drop them at every garbage collection,
	// and compiling them again costs more than keeping them.
	mu   sync.Mutex
	idle []*evaluator
}

// evaluator is the policies compiled in a CUE context of their own.
type evaluator struct {
	ctx      *cue.Context
	policies map[string]cue.Value // by kind; absent when no file constrains it
}

type secretRules struct {
	patterns []secretPattern
	keys     *regexp.Regexp
	allowed  *regexp.Regexp
}

// Load compiles every .cue file of builtin and of each directory in dirs
// (not recursive) into one policy set.
func Load(builtin fs.FS, dirs ...string) (*Set, error) {
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
	ev, all, err := compile(sources)
	if err != nil {
		return nil, err
	}
	set := &Set{sources: sources, constrained: map[string]bool{}}
	for k := range ev.policies {
		set.constrained[k] = true
	}
	set.put(ev)
	if set.secrets, err = loadSecrets(all.LookupPath(cue.ParsePath("secrets"))); err != nil {
		return nil, err
	}
	return set, nil
}

// compile compiles the sources into one policy value, in a new context.
func compile(sources []source) (*evaluator, cue.Value, error) {
	ctx := cuecontext.New()
	var all cue.Value
	for i, s := range sources {
		v := ctx.CompileBytes(s.data, cue.Filename(s.name))
		if err := v.Err(); err != nil {
			return nil, all, fmt.Errorf("policy %s: %s", s.name, oneLine(err))
		}
		if i == 0 {
			all = v
		} else {
			all = all.Unify(v)
		}
	}
	if err := all.Err(); err != nil {
		return nil, all, fmt.Errorf("policies conflict: %s", oneLine(err))
	}
	ev := &evaluator{ctx: ctx, policies: map[string]cue.Value{}}
	for _, k := range kinds {
		if v := all.LookupPath(cue.ParsePath(k)); v.Exists() {
			ev.policies[k] = v
		}
	}
	return ev, all, nil
}

// evaluator returns an evaluator no other goroutine uses; put it back
// when done.
func (s *Set) evaluator() *evaluator {
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		ev := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return ev
	}
	s.mu.Unlock()
	ev, _, err := compile(s.sources)
	if err != nil { // Load compiled the same sources
		panic(fmt.Sprintf("policy: the policies compiled once and now fail: %v", err))
	}
	return ev
}

// put makes ev available to the next goroutine that needs one.
func (s *Set) put(ev *evaluator) {
	s.mu.Lock()
	s.idle = append(s.idle, ev)
	s.mu.Unlock()
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
		r.patterns = append(r.patterns, newSecretPattern(n, re))
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

// Check evaluates every subject against the policy of its kind. Subjects of
// one kind with equal values (an object every environment deploys alike)
// are evaluated once; distinct values are evaluated on every processor.
func (s *Set) Check(subjects []Subject) finding.List {
	// distinct[i] is the index, in values, of the value of subjects[i];
	// -1 when no policy constrains its kind.
	distinct := make([]int, len(subjects))
	var values []Subject
	seen := map[string]int{}
	for i, sub := range subjects {
		distinct[i] = -1
		if !s.constrained[sub.Kind] {
			continue
		}
		j := len(values)
		// A value encoding/json cannot write (CUE reports it) is
		// evaluated on its own.
		if data, err := json.Marshal(sub.Value); err == nil {
			key := sub.Kind + "\x00" + string(data)
			if k, ok := seen[key]; ok {
				distinct[i] = k
				continue
			}
			seen[key] = j
		}
		distinct[i] = j
		values = append(values, sub)
	}
	msgs := make([][]string, len(values))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(values)) {
		wg.Go(func() {
			ev := s.evaluator()
			defer s.put(ev)
			for j := int(next.Add(1) - 1); j < len(values); j = int(next.Add(1) - 1) {
				msgs[j] = ev.check(values[j])
			}
		})
	}
	wg.Wait()
	var fs finding.List
	for i, sub := range subjects {
		if distinct[i] < 0 {
			continue
		}
		for _, msg := range msgs[distinct[i]] {
			fs.Errorf(sub.Artifact, sub.Object, "policy", "%s", msg)
		}
	}
	return fs
}

// check evaluates one subject: the messages of its violations.
func (e *evaluator) check(sub Subject) []string {
	err := e.policies[sub.Kind].Unify(e.ctx.Encode(sub.Value)).Validate(cue.Concrete(true), cue.All())
	return messages(err)
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

// SecretScan scans the strings of many files for literal secrets: every
// string that matches a secret pattern and every secret-named key that
// holds a literal instead of a reference. It matches each distinct string
// and key once, and is not safe for concurrent use.
type SecretScan struct {
	rules      secretRules
	patterns   map[string][]string // value -> the patterns it matches
	secretKeys map[string]bool
}

// SecretScan starts a scan with the set's secret rules.
func (s *Set) SecretScan() *SecretScan {
	return &SecretScan{rules: s.secrets, patterns: map[string][]string{}, secretKeys: map[string]bool{}}
}

// File reports the literal secrets among the strings of one file, once per
// key and kind of secret.
func (sc *SecretScan) File(artifact string, strs []Pair) finding.List {
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
		names, ok := sc.patterns[p.Value]
		if !ok {
			names = sc.rules.match(p.Value)
			sc.patterns[p.Value] = names
		}
		for _, name := range names {
			report(p.Key, "holds a literal that looks like a secret (%s): reference it instead (a *_file field, a secretKeyRef, ${env:...})", name)
		}
		if sc.rules.keys == nil || p.Key == "" {
			continue
		}
		secret, ok := sc.secretKeys[p.Key]
		if !ok {
			secret = sc.rules.keys.MatchString(p.Key)
			sc.secretKeys[p.Key] = secret
		}
		if secret && !sc.rules.allowed.MatchString(p.Value) {
			report(p.Key, "holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})")
		}
	}
	return fs
}

// match returns the names of the patterns v matches.
func (r secretRules) match(v string) []string {
	var names []string
	var canonical string
	canon := func() string {
		if canonical == "" {
			canonical = canonicalCase(v)
		}
		return canonical
	}
	for _, p := range r.patterns {
		if p.matches(v, canon) {
			names = append(names, p.name)
		}
	}
	return names
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
