// Package workload sends what GenOps AI workloads really send, as OTLP/JSON:
// spans with the attributes GenOps AI's trace_operation, provider adapters
// and record_* calls set (GENOPS_TELEMETRY.md), in its canonical shape or in
// the seed example application's (genops.cost_usd, genops.tokens_input,
// genops.policy_violation), and the OTel GenAI semantic-convention metrics
// other instrumentations push. The live tests feed it to the rendered
// gateway; nothing in it is shaped after the stack's own catalog.
package workload

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Shape is which producer's attribute names a span carries.
type Shape int

// The span shapes.
const (
	// GenOps is GenOps AI's library: canonical names.
	GenOps Shape = iota
	// Seed is the seed document's example application.
	Seed
)

// Call is one AI provider call, as one span.
type Call struct {
	Shape                               Shape
	Service                             string
	Team, Project, CostCenter, Customer string
	Provider, Model                     string
	CostUSD                             float64
	InputTokens, OutputTokens           int
	Duration                            time.Duration
	// Err makes the span's status ERROR with the exception recorded, as
	// trace_operation does when the provider call raises.
	Err    bool
	Policy *Policy
	Eval   *Eval
	Budget *Budget
	// Tier is the seed example's genops.customer_tier (Seed shape only).
	Tier string
	// TraceID and SpanID; zero ones are drawn from the generator's source.
	TraceID [16]byte
	SpanID  [8]byte
	// Omit are span attributes the workload leaves out, as a workload
	// that forgets one does.
	Omit []string
}

// Policy is what record_policy sets.
type Policy struct{ Name, Result, Reason string }

// Eval is what record_evaluation sets.
type Eval struct {
	Metric           string
	Score, Threshold float64
}

// Budget is what record_budget sets.
type Budget struct {
	Name                string
	Allocated, Consumed float64
}

// Generator draws ids from a seeded source, so a run is repeatable.
type Generator struct {
	rng *rand.Rand
}

// New returns a generator seeded with seed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// IDs fills in a call's missing trace and span ids.
func (g *Generator) IDs(c *Call) {
	if c.TraceID == ([16]byte{}) {
		for i := range c.TraceID {
			c.TraceID[i] = byte(g.rng.UintN(256))
		}
	}
	if c.SpanID == ([8]byte{}) {
		for i := range c.SpanID {
			c.SpanID[i] = byte(g.rng.UintN(256))
		}
	}
}

// kv is an OTLP/JSON attribute.
type kv struct {
	Key   string `json:"key"`
	Value value  `json:"value"`
}

type value struct {
	String *string  `json:"stringValue,omitempty"`
	Int    *string  `json:"intValue,omitempty"` // int64 is a string in proto3 JSON
	Double *float64 `json:"doubleValue,omitempty"`
	Bool   *bool    `json:"boolValue,omitempty"`
}

func str(k, v string) kv { return kv{k, value{String: &v}} }
func num(k string, v int) kv {
	s := strconv.Itoa(v)
	return kv{k, value{Int: &s}}
}
func dbl(k string, v float64) kv  { return kv{k, value{Double: &v}} }
func boolean(k string, v bool) kv { return kv{k, value{Bool: &v}} }

type span struct {
	TraceID    string  `json:"traceId"`
	SpanID     string  `json:"spanId"`
	Name       string  `json:"name"`
	Kind       int     `json:"kind"`
	Start      string  `json:"startTimeUnixNano"`
	End        string  `json:"endTimeUnixNano"`
	Attributes []kv    `json:"attributes"`
	Events     []event `json:"events,omitempty"`
	Status     status  `json:"status"`
}

type event struct {
	Time       string `json:"timeUnixNano"`
	Name       string `json:"name"`
	Attributes []kv   `json:"attributes"`
}

type status struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// OTLP status codes.
const (
	statusOK    = 1
	statusError = 2
)

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// attributes are the span's attributes as its producer sets them.
func (c Call) attributes(end time.Time) []kv {
	if c.Shape == Seed {
		// The seed's inference_request span; its team, project and cost
		// center are on the Resource (resource below).
		as := []kv{
			str("genops.customer_id", c.Customer), str("genops.model", c.Model), num("genops.prompt_length", 412),
			dbl("genops.cost_usd", c.CostUSD), num("genops.tokens_input", c.InputTokens), num("genops.tokens_output", c.OutputTokens),
		}
		if c.Policy != nil && c.Policy.Result != "allowed" {
			as = append(as, str("genops.policy_violation", "true"))
		}
		if c.Tier != "" {
			as = append(as, str("genops.customer_tier", c.Tier))
		}
		return as
	}
	op := c.Provider + ".chat.completions.create"
	as := []kv{
		// trace_operation, with the adapter's and the context's attributes.
		str("genops.operation.type", "ai.inference"), str("genops.operation.name", op), num("genops.timestamp", int(end.Unix())),
		str("genops.provider", c.Provider), str("genops.model", c.Model), num("genops.tokens_estimated_input", c.InputTokens),
		str("genops.team", c.Team), str("genops.project", c.Project), str("genops.environment", "production"),
		str("genops.customer_id", c.Customer), str("genops.cost_center", c.CostCenter), str("genops.feature", "chat-completion"),
		// The adapter's request parameters.
		dbl("genops.request.temperature", 0.7), num("genops.request.max_tokens", 1024),
	}
	if !c.Err {
		// record_cost, after a successful call.
		as = append(as, dbl("genops.cost.total", c.CostUSD), str("genops.cost.currency", "USD"),
			str("genops.cost.provider", c.Provider), str("genops.cost.model", c.Model),
			num("genops.tokens.input", c.InputTokens), num("genops.tokens.output", c.OutputTokens),
			num("genops.tokens.total", c.InputTokens+c.OutputTokens))
	}
	if p := c.Policy; p != nil {
		as = append(as, str("genops.policy.name", p.Name), str("genops.policy.result", p.Result), str("genops.policy.reason", p.Reason))
	}
	if e := c.Eval; e != nil {
		as = append(as, str("genops.eval.metric", e.Metric), dbl("genops.eval.score", e.Score), dbl("genops.eval.threshold", e.Threshold),
			boolean("genops.eval.passed", e.Score >= e.Threshold), str("genops.eval.evaluator", "llm-judge"))
	}
	if b := c.Budget; b != nil {
		as = append(as, str("genops.budget.name", b.Name), dbl("genops.budget.allocated", b.Allocated), dbl("genops.budget.consumed", b.Consumed),
			dbl("genops.budget.remaining", b.Allocated-b.Consumed))
		if b.Allocated > 0 {
			as = append(as, dbl("genops.budget.utilization_percent", b.Consumed/b.Allocated*100))
		}
	}
	return as
}

// kept drops the attributes the call omits.
func (c Call) kept(as []kv) []kv {
	return slices.DeleteFunc(as, func(a kv) bool { return slices.Contains(c.Omit, a.Key) })
}

func (c Call) span(end time.Time) span {
	start := end.Add(-c.Duration)
	name := c.Provider + ".chat.completions.create"
	if c.Shape == Seed {
		name = "inference_request"
	}
	s := span{
		TraceID: hex.EncodeToString(c.TraceID[:]), SpanID: hex.EncodeToString(c.SpanID[:]),
		Name: name, Kind: 1, Start: nanos(start), End: nanos(end),
		Attributes: c.kept(c.attributes(end)), Status: status{Code: statusOK},
	}
	if c.Err {
		msg := "RateLimitError: rate limit exceeded"
		s.Status = status{Code: statusError, Message: msg}
		s.Events = []event{{Time: nanos(end), Name: "exception", Attributes: []kv{
			str("exception.type", "RateLimitError"), str("exception.message", msg)}}}
	}
	return s
}

// resource is the SDK's Resource of the call's service. The seed's example
// application puts its governance attributes there (Resource.create with
// genops.team, genops.project, genops.cost_center).
func (c Call) resource() []kv {
	as := []kv{str("service.name", c.Service), str("service.instance.id", c.Service+"-7d9f8")}
	if c.Shape == Seed {
		as = append(as, str("service.namespace", "genops-system"), str("deployment.environment", "production"),
			str("genops.team", c.Team), str("genops.project", c.Project), str("genops.cost_center", c.CostCenter))
	}
	return as
}

// Traces renders calls as one OTLP/JSON ExportTraceServiceRequest, each
// call ending at end; calls of one service share a resource (so calls of
// a Seed service share the first one's team). Missing ids
// are drawn from g.
func (g *Generator) Traces(calls []Call, end time.Time) ([]byte, error) {
	type scopeSpans struct {
		Scope map[string]string `json:"scope"`
		Spans []span            `json:"spans"`
	}
	type resourceSpans struct {
		Resource   map[string][]kv `json:"resource"`
		ScopeSpans []scopeSpans    `json:"scopeSpans"`
	}
	var out struct {
		ResourceSpans []*resourceSpans `json:"resourceSpans"`
	}
	byService := map[string]*resourceSpans{}
	for _, c := range calls {
		g.IDs(&c)
		rs, ok := byService[c.Service]
		if !ok {
			scope := "genops-ai"
			if c.Shape == Seed {
				scope = "__main__" // trace.get_tracer(__name__) in the seed's app
			}
			rs = &resourceSpans{
				Resource:   map[string][]kv{"attributes": c.resource()},
				ScopeSpans: []scopeSpans{{Scope: map[string]string{"name": scope}}},
			}
			byService[c.Service] = rs
			out.ResourceSpans = append(out.ResourceSpans, rs)
		}
		rs.ScopeSpans[0].Spans = append(rs.ScopeSpans[0].Spans, c.span(end))
	}
	return json.Marshal(out)
}

// GenAICall is one operation of a workload instrumented with the OTel GenAI
// semantic conventions (OpenLIT, OpenLLMetry, ...).
type GenAICall struct {
	Provider, Model           string
	InputTokens, OutputTokens int
	Duration, FirstChunk      time.Duration
	ErrorType                 string
	// System sets the older gen_ai.system instead of gen_ai.provider.name.
	System bool
}

// The bucket boundaries the GenAI semantic conventions advise.
var (
	tokenBounds    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBounds = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// GenAIMetrics renders the cumulative GenAI metrics of calls, from start to
// now, as one OTLP/JSON ExportMetricsServiceRequest: a client's SDK exports
// its totals so far on every interval.
func GenAIMetrics(service string, calls []GenAICall, start, now time.Time) ([]byte, error) {
	type point struct {
		Attributes []kv      `json:"attributes"`
		Start      string    `json:"startTimeUnixNano"`
		Time       string    `json:"timeUnixNano"`
		Count      string    `json:"count"`
		Sum        float64   `json:"sum"`
		Buckets    []string  `json:"bucketCounts"`
		Bounds     []float64 `json:"explicitBounds"`
	}
	type histogram struct {
		Temporality int      `json:"aggregationTemporality"`
		Points      []*point `json:"dataPoints"`
	}
	type metric struct {
		Name      string    `json:"name"`
		Unit      string    `json:"unit"`
		Histogram histogram `json:"histogram"`
	}
	metrics := map[string]*metric{}
	var order []string
	points := map[string]*point{}
	record := func(name, unit string, bounds []float64, attrs []kv, v float64) {
		m, ok := metrics[name]
		if !ok {
			m = &metric{Name: name, Unit: unit, Histogram: histogram{Temporality: 2}}
			metrics[name] = m
			order = append(order, name)
		}
		key := name
		for _, a := range attrs {
			key += "\x00" + a.Key + "=" + *a.Value.String
		}
		p, ok := points[key]
		if !ok {
			p = &point{Attributes: attrs, Start: nanos(start), Time: nanos(now), Bounds: bounds, Buckets: make([]string, len(bounds)+1)}
			for i := range p.Buckets {
				p.Buckets[i] = "0"
			}
			points[key] = p
			m.Histogram.Points = append(m.Histogram.Points, p)
		}
		i := 0
		for i < len(bounds) && v > bounds[i] {
			i++
		}
		n, _ := strconv.Atoi(p.Buckets[i])
		p.Buckets[i] = strconv.Itoa(n + 1)
		c, _ := strconv.Atoi(p.Count)
		p.Count = strconv.Itoa(c + 1)
		p.Sum += v
	}
	for _, c := range calls {
		provider := str("gen_ai.provider.name", c.Provider)
		if c.System {
			provider = str("gen_ai.system", c.Provider)
		}
		base := []kv{str("gen_ai.operation.name", "chat"), provider, str("gen_ai.request.model", c.Model), str("gen_ai.response.model", c.Model)}
		with := func(extra ...kv) []kv { return append(append([]kv{}, base...), extra...) }
		if c.ErrorType == "" {
			record("gen_ai.client.token.usage", "{token}", tokenBounds, with(str("gen_ai.token.type", "input")), float64(c.InputTokens))
			record("gen_ai.client.token.usage", "{token}", tokenBounds, with(str("gen_ai.token.type", "output")), float64(c.OutputTokens))
			record("gen_ai.client.operation.time_to_first_chunk", "s", durationBounds, with(), c.FirstChunk.Seconds())
			record("gen_ai.client.operation.duration", "s", durationBounds, with(), c.Duration.Seconds())
		} else {
			record("gen_ai.client.operation.duration", "s", durationBounds, with(str("error.type", c.ErrorType)), c.Duration.Seconds())
		}
	}
	var ms []*metric
	for _, n := range order {
		ms = append(ms, metrics[n])
	}
	req := map[string]any{"resourceMetrics": []any{map[string]any{
		"resource":     map[string][]kv{"attributes": {str("service.name", service), str("service.instance.id", service+"-5c6d7")}},
		"scopeMetrics": []any{map[string]any{"scope": map[string]string{"name": "openlit"}, "metrics": ms}},
	}}}
	return json.Marshal(req)
}
