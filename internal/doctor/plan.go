package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/promlint"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// The diagnosis reads the rendered rule files and dashboards by their kind
// (rendered once for every environment), and each environment's
// alertmanager.yaml.

// AlertmanagerFile is the path of an environment's rendered alertmanager.yaml.
func AlertmanagerFile(env string) string {
	return path.Join("alertmanager", env, alertmanager.ConfigKey)
}

// Inputs are everything NewPlan reads: plain data, no model.
type Inputs struct {
	Env     Settings
	Catalog *catalog.Catalog
	// Files are the rendered files of a run.
	Files *files.Set
	// Window is how far back a check looks for what is happening now (the
	// spans the gateway received, failed sends); 5 minutes when zero.
	Window time.Duration
}

// DefaultWindow is the window of a check when Inputs leave it unset.
const DefaultWindow = 5 * time.Minute

// Plan is what must hold in the running stack, computed from the inputs;
// Run checks it. It is plain data (and JSON), so a diagnosis can be replayed
// against recorded answers without the files it was planned from.
type Plan struct {
	Env    Settings       `json:"env"`
	Window model.Duration `json:"window"`
	// Needs are the series the rules and panels select, by series name.
	Needs []Need `json:"needs"`
	// Groups are the rendered rule groups.
	Groups []string `json:"groups"`
	// Alertmanager is the rendered alertmanager.yaml, and DefaultReceiver
	// its route's receiver.
	Alertmanager    string `json:"alertmanager"`
	DefaultReceiver string `json:"defaultReceiver"`
	// Tiers are the Collectors traces pass through, in order.
	Tiers []Tier `json:"tiers"`
	// Budgets are the series budgets the catalog states.
	Budgets []Budget `json:"budgets"`
}

// Kinds of need, by where the series come from.
const (
	KindSpans   = "spans"   // derived by the gateway from spans
	KindGenAI   = "genai"   // OTel GenAI metrics pushed to the gateway
	KindScraped = "scraped" // scraped from a named exporter
	KindRecord  = "record"  // a recording rule's output
)

// Need is one series name the rules and panels select.
type Need struct {
	Series string `json:"series"`
	// Metric is the catalog metric (or the recording rule) it belongs to.
	Metric string `json:"metric"`
	Kind   string `json:"kind"`
	// Jobs deliver it; Source says where it comes from, in words.
	Jobs   []string `json:"jobs,omitempty"`
	Source string   `json:"source"`
	// Reads are the span attributes a derived metric needs on a span (its
	// value and its conditions), with the aliases the gateway accepts.
	Reads []string `json:"reads,omitempty"`
	// Labels are the metric's labels that the queries use and that come
	// from what workloads send.
	Labels []UsedLabel `json:"labels,omitempty"`
	// Inputs are the series a recording rule reads, and Group its group.
	Inputs []string `json:"inputs,omitempty"`
	Group  string   `json:"group,omitempty"`
	// UsedBy are the rules and panels that select it.
	UsedBy []string `json:"usedBy"`
	// Alone is true when a query selects it outside any `or`; otherwise
	// Either are the series on the other side of its `or`s, which give the
	// queries data without it.
	Alone  bool     `json:"alone,omitempty"`
	Either []string `json:"either,omitempty"`
	// OnEvent marks a counter the gateway derives only from spans that meet
	// its conditions (an attribution conflict, a policy violation): until
	// one arrives it has no series, and that is no broken chain.
	OnEvent bool `json:"onEvent,omitempty"`
}

// UsedLabel is a label the queries group, match or join on.
type UsedLabel struct {
	Name string `json:"name"`
	// Attribute is the span attribute it comes from; empty for a GenAI
	// metric's label (its instrumentation's attribute).
	Attribute  string   `json:"attribute,omitempty"`
	OnResource bool     `json:"onResource,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	UsedBy     []string `json:"usedBy"`
}

// Tier is a Collector workload that traces pass through.
type Tier struct {
	Collector string `json:"collector"`
	Role      string `json:"role"`
	// Pods matches the names of its pods.
	Pods string `json:"pods"`
	// Exporters are its traces pipeline's exporters. Handoff is the last
	// processor before the batch processor that counts the spans it passes
	// on (none after a tail sampler, which counts kept traces instead), and
	// Batch the batch processor's timeout: what the handoff passes on
	// reaches the exporters within it.
	Exporters []string       `json:"exporters"`
	Handoff   string         `json:"handoff,omitempty"`
	Batch     model.Duration `json:"batch,omitempty"`
	// TailSampling and HeadSampling say which sampler runs in it.
	TailSampling bool `json:"tailSampling,omitempty"`
	HeadSampling bool `json:"headSampling,omitempty"`
	// DecisionWait is how long the tail sampler waits for a trace's spans
	// before deciding.
	DecisionWait model.Duration `json:"decisionWait,omitempty"`
}

// Budget is a metric's series budget.
type Budget struct {
	Metric string `json:"metric"`
	// Series is the series name counted (a histogram's _count).
	Series string `json:"series"`
	Budget int    `json:"budget"`
	// Labels say where each label of the catalog comes from.
	Labels map[string]string `json:"labels"`
}

// NewPlan computes what must hold in the running stack of in.Env.
func NewPlan(in Inputs) (*Plan, error) {
	if in.Catalog == nil || in.Files == nil {
		return nil, errors.New("doctor: the plan needs the catalog and the rendered files")
	}
	p := &Plan{Env: in.Env, Window: model.Duration(in.Window)}
	if p.Window <= 0 {
		p.Window = model.Duration(DefaultWindow)
	}
	am, ok := in.Files.Get(AlertmanagerFile(in.Env.Name))
	if !ok {
		return nil, fmt.Errorf("doctor: environment %s: %s is not among the rendered files", in.Env.Name, AlertmanagerFile(in.Env.Name))
	}
	loaded, err := alertmanager.Load(am)
	if err != nil {
		return nil, fmt.Errorf("doctor: %s: %w", AlertmanagerFile(in.Env.Name), err)
	}
	p.Alertmanager, p.DefaultReceiver = string(am), loaded.DefaultReceiver()
	u := newUses(in.Catalog)
	if err := u.rules(in.Files, p); err != nil {
		return nil, err
	}
	if err := u.dashboards(in.Files, time.Duration(in.Env.ScrapeInterval)); err != nil {
		return nil, err
	}
	p.Needs = u.needs()
	if p.Tiers, err = tiers(in.Env, in.Files); err != nil {
		return nil, err
	}
	p.Budgets = budgets(in.Catalog)
	return p, nil
}

// uses collects what the rules and panels select.
type uses struct {
	cat     *catalog.Catalog
	parser  parser.Parser
	byName  map[string]*Need
	records map[string]*Need // recording rules, by name
}

func newUses(cat *catalog.Catalog) *uses {
	return &uses{cat: cat, parser: parser.NewParser(parser.Options{}), byName: map[string]*Need{}, records: map[string]*Need{}}
}

func (u *uses) rules(set *files.Set, p *Plan) error {
	type rule struct{ object, expr string }
	var rs []rule
	for _, f := range set.OfKind(files.RuleFile) {
		gs, errs := rulefmt.Parse(f.Data, false, model.UTF8Validation, u.parser, nil)
		if len(errs) > 0 {
			return fmt.Errorf("doctor: %s: %w", f.Path, errors.Join(errs...))
		}
		for _, g := range gs.Groups {
			p.Groups = append(p.Groups, g.Name)
			for _, r := range g.Rules {
				if r.Record != "" {
					u.records[r.Record] = &Need{Series: r.Record, Metric: r.Record, Kind: KindRecord, Group: g.Name,
						Source: fmt.Sprintf("recording rule %s in group %s", r.Record, g.Name)}
					rs = append(rs, rule{fmt.Sprintf("recording rule %s", r.Record), r.Expr})
					continue
				}
				rs = append(rs, rule{fmt.Sprintf("alert %s", r.Alert), r.Expr})
			}
		}
	}
	if len(p.Groups) == 0 {
		return fmt.Errorf("doctor: no rule files among the rendered files")
	}
	sort.Strings(p.Groups)
	p.Groups = slices.Compact(p.Groups)
	for _, r := range rs {
		if err := u.query(r.object, r.expr); err != nil {
			return err
		}
	}
	// A recording rule's inputs.
	for name, rec := range u.records {
		for _, r := range rs {
			if r.object == "recording rule "+name {
				sel, _ := u.selectors(r.expr)
				for _, s := range sel {
					rec.Inputs = append(rec.Inputs, s.series)
				}
			}
		}
		sort.Strings(rec.Inputs)
		rec.Inputs = slices.Compact(rec.Inputs)
	}
	return nil
}

func (u *uses) dashboards(set *files.Set, scrape time.Duration) error {
	if scrape <= 0 {
		scrape = 30 * time.Second
	}
	all := func(string) string { return ".*" }
	n := 0
	for _, f := range set.Distinct(files.Dashboard) {
		n++
		var d struct {
			UID    string  `json:"uid"`
			Panels []panel `json:"panels"`
		}
		if err := json.Unmarshal(f.Data, &d); err != nil {
			return fmt.Errorf("doctor: %s: %w", f.Path, err)
		}
		var walk func([]panel) error
		walk = func(ps []panel) error {
			for _, pn := range ps {
				for _, tg := range pn.Targets {
					if tg.Expr == "" {
						continue
					}
					expr := promlint.Substitute(tg.Expr, scrape, all)
					if err := u.query(fmt.Sprintf("panel %q of %s", pn.Title, d.UID), expr); err != nil {
						return err
					}
				}
				if err := walk(pn.Panels); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(d.Panels); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("doctor: no dashboards among the rendered files")
	}
	return nil
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// query records what one query selects and which labels it uses.
func (u *uses) query(object, expr string) error {
	sel, err := u.selectors(expr)
	if err != nil {
		return fmt.Errorf("doctor: %s: %w", object, err)
	}
	for _, s := range sel {
		n := u.need(s.series)
		if n == nil {
			continue // neither in the catalog nor recorded: the lint reports it
		}
		n.UsedBy = addOnce(n.UsedBy, object)
		if len(s.alts) == 0 {
			n.Alone = true
		}
		for _, a := range s.alts {
			if a != s.series {
				n.Either = addOnce(n.Either, a)
			}
		}
		for _, l := range s.labels {
			ul := u.label(n, l)
			if ul == nil {
				continue
			}
			ul.UsedBy = addOnce(ul.UsedBy, object)
		}
	}
	return nil
}

// need returns the need of a series, created on first use.
func (u *uses) need(series string) *Need {
	if n, ok := u.byName[series]; ok {
		return n
	}
	if r, ok := u.records[series]; ok {
		u.byName[series] = r
		return r
	}
	s, ok := u.cat.Lookup(series)
	if !ok {
		return nil
	}
	m := s.Metric
	n := &Need{Series: series, Metric: m.Name, Kind: KindScraped, Jobs: slices.Clone(m.Jobs), Source: m.Source.String()}
	if m.Source != nil {
		switch m.Source.Kind {
		case catalog.FromSpans:
			n.Kind = KindSpans
			n.Reads = u.reads(m.Source.Derivation)
			n.OnEvent = m.Type == catalog.Counter && len(m.Source.Derivation.When) > 0
		case catalog.GenAI:
			n.Kind = KindGenAI
		}
	}
	u.byName[series] = n
	return n
}

// reads are the attributes a derivation needs on a span to count it: its
// value attributes and its conditions, each with its aliases.
func (u *uses) reads(d *catalog.Derivation) []string {
	var out []string
	for _, p := range d.Parts {
		if p.Value.Attribute != "" {
			out = append(out, u.withAliases(p.Value.Attribute))
		}
	}
	for _, c := range d.When {
		out = append(out, c.String())
	}
	return out
}

func (u *uses) withAliases(attr string) string {
	if as := u.aliases(attr); len(as) > 0 {
		return attr + " (or " + strings.Join(as, ", ") + ")"
	}
	return attr
}

func (u *uses) aliases(attr string) []string {
	var out []string
	for _, al := range u.cat.Contract().Aliases {
		if al.Canonical == attr {
			out = append(out, al.Name)
		}
	}
	return out
}

// label returns the used label l of n when it comes from what workloads
// send: a derived metric's label from a span attribute, or a GenAI metric's
// own label.
func (u *uses) label(n *Need, name string) *UsedLabel {
	for i := range n.Labels {
		if n.Labels[i].Name == name {
			return &n.Labels[i]
		}
	}
	m, ok := u.cat.Metric(n.Metric)
	if !ok || m.Source == nil {
		return nil
	}
	var ul UsedLabel
	switch m.Source.Kind {
	case catalog.FromSpans:
		found := false
		for _, l := range m.Source.Derivation.Labels {
			if l.Name == name && l.Attribute != "" && l.Attribute != catalog.SpanStatus {
				a, _ := u.cat.Contract().Attribute(l.Attribute)
				ul = UsedLabel{Name: name, Attribute: l.Attribute, OnResource: a.OnResource, Aliases: u.aliases(l.Attribute)}
				if a.Fallback != "" {
					ul.Aliases = append(ul.Aliases, a.Fallback)
				}
				found = true
			}
		}
		if !found {
			return nil
		}
	case catalog.GenAI:
		if !slices.Contains(m.Labels, name) {
			return nil
		}
		ul = UsedLabel{Name: name}
	default:
		return nil
	}
	n.Labels = append(n.Labels, ul)
	return &n.Labels[len(n.Labels)-1]
}

// needs returns the needs, sorted, with their lists sorted.
func (u *uses) needs() []Need {
	out := make([]Need, 0, len(u.byName))
	for _, n := range u.byName {
		sort.Strings(n.UsedBy)
		sort.Strings(n.Either)
		if n.Alone {
			n.Either = nil
		}
		sort.Slice(n.Labels, func(i, j int) bool { return n.Labels[i].Name < n.Labels[j].Name })
		for i := range n.Labels {
			sort.Strings(n.Labels[i].UsedBy)
		}
		out = append(out, *n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Series < out[j].Series })
	return out
}

func addOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// tiers reads the traces pipeline of the gateway and the sampling tier
// from their rendered configs.
func tiers(env Settings, set *files.Set) ([]Tier, error) {
	var out []Tier
	for _, role := range []string{Gateway, Sampler} {
		c, ok := env.Collector(role)
		if !ok {
			if role == Gateway {
				return nil, fmt.Errorf("doctor: environment %s has no gateway Collector", env.Name)
			}
			continue
		}
		data, ok := set.Get(c.Config)
		if !ok {
			return nil, fmt.Errorf("doctor: collector %s: %s is not among the rendered files", c.Name, c.Config)
		}
		var cfg struct {
			Processors map[string]struct {
				DecisionWait string `json:"decision_wait"`
				Timeout      string `json:"timeout"`
			} `json:"processors"`
			Service struct {
				Pipelines map[string]struct {
					Processors []string `json:"processors"`
					Exporters  []string `json:"exporters"`
				} `json:"pipelines"`
			} `json:"service"`
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf("doctor: %s: %w", c.Config, err)
		}
		pl, ok := cfg.Service.Pipelines["traces"]
		if !ok {
			return nil, fmt.Errorf("doctor: %s: no traces pipeline", c.Config)
		}
		t := Tier{Collector: c.Name, Role: role, Pods: c.Pods(), Exporters: slices.Clone(pl.Exporters)}
		for _, proc := range pl.Processors {
			switch strings.SplitN(proc, "/", 2)[0] {
			case "batch":
				// The batch processor's own default timeout is 200ms.
				t.Batch = model.Duration(200 * time.Millisecond)
				if to := cfg.Processors[proc].Timeout; to != "" {
					b, err := model.ParseDuration(to)
					if err != nil {
						return nil, fmt.Errorf("doctor: %s: processors.%s.timeout: %w", c.Config, proc, err)
					}
					t.Batch = b
				}
				continue
			case "tail_sampling":
				t.Handoff = ""
				t.TailSampling = true
				if w := cfg.Processors[proc].DecisionWait; w != "" {
					dw, err := model.ParseDuration(w)
					if err != nil {
						return nil, fmt.Errorf("doctor: %s: processors.%s.decision_wait: %w", c.Config, proc, err)
					}
					t.DecisionWait = dw
				}
			case "probabilistic_sampler":
				t.HeadSampling = true
			}
			if !t.TailSampling {
				t.Handoff = proc
			}
		}
		sort.Strings(t.Exporters)
		out = append(out, t)
	}
	return out, nil
}

// budgets are the catalog's series budgets, with what each label of the
// metric comes from.
func budgets(cat *catalog.Catalog) []Budget {
	var out []Budget
	for _, m := range cat.Metrics() {
		if m.SeriesBudget <= 0 {
			continue
		}
		b := Budget{Metric: m.Name, Series: m.Name, Budget: m.SeriesBudget, Labels: map[string]string{}}
		if m.Type == catalog.Histogram || m.Type == catalog.Summary {
			b.Series = m.Name + "_count"
		}
		for _, l := range cat.LabelNames(m) {
			b.Labels[l] = labelSource(m, l)
		}
		out = append(out, b)
	}
	return out
}

// Where a label of a budgeted metric comes from (Budget.Labels).
const (
	fromAttribute = "attribute "  // + the span attribute
	fromFixed     = "fixed "      // + name=value
	fromStatus    = "span status" // ok or error
	fromGenAI     = "genai"       // a GenAI instrumentation's attribute
	fromJob       = "job "        // + the job
)

// labelSource says where label l of m comes from.
func labelSource(m catalog.Metric, l string) string {
	if m.Source != nil && m.Source.Kind == catalog.FromSpans {
		for _, dl := range m.Source.Derivation.Labels {
			if dl.Name == l {
				if dl.Attribute == catalog.SpanStatus {
					return fromStatus
				}
				return fromAttribute + dl.Attribute
			}
		}
		for _, p := range m.Source.Derivation.Parts {
			for _, f := range p.Fixed {
				if f.Name == l {
					return fmt.Sprintf("%s%s=%q", fromFixed, f.Name, f.Fixed)
				}
			}
		}
	}
	if m.Source != nil && m.Source.Kind == catalog.GenAI && slices.Contains(m.Labels, l) {
		return fromGenAI
	}
	return fromJob + strings.Join(m.Jobs, ", ")
}

// labelFix says what a label that drives a metric's series comes from
// and which definition to change.
func labelFix(b Budget, l string) string {
	src, ok := b.Labels[l]
	switch {
	case !ok:
		return "no label of the catalog: the sender adds an attribute the gateway passes on; drop it in the gateway's metrics pipeline (stack/collector) or add the label to the catalog"
	case strings.HasPrefix(src, fromAttribute):
		attr := strings.TrimPrefix(src, fromAttribute)
		return fmt.Sprintf("span attribute %s, which DefaultContract (stack/catalog/attributes.go) marks bounded: a workload puts values in it that are not (ids, free text, a value per request). Fix that workload; if %s really takes that many values, mark it unbounded there and take label %s out of the derivation of %s in stack/catalog/default.go (the catalog then refuses the label)", attr, attr, l, b.Metric)
	case strings.HasPrefix(src, fromFixed):
		return "a fixed value per part of the derivation (" + strings.TrimPrefix(src, fromFixed) + "): never the cause"
	case src == fromStatus:
		return "the span status (ok or error): two values, never the cause"
	case src == fromGenAI:
		return fmt.Sprintf("the GenAI instrumentations' attribute of that name: the gateway passes the GenAI metrics on with their attributes. Bound it where they are sent, or drop the attribute in the gateway's transform/genai (GenAI in stack/collector/derive.go) and take %s out of genAILabels in stack/catalog/default.go", l)
	}
	switch l {
	case "pod", "instance":
		return "one set of series per gateway pod: replicas (Collector.Gateway.Replicas in stack/environments.go) and every restart within the exporter's metric_expiration add a set"
	case "exported_job":
		return "the service.name of each sending workload: one set of series per service"
	case "exported_instance":
		return "the service.instance.id of each sending workload, one per workload pod: the derived metrics never carry it, the GenAI metrics keep it; drop it in the gateway's transform/genai (stack/collector/derive.go)"
	case "otel_scope_name", "otel_scope_version", "otel_scope_schema_url":
		return "the instrumentation scope of the sender: one set per library version"
	}
	return "the scrape " + src
}
