package main

// A generator of spans shaped exactly like the ones GenOps AI sends
// (../../../shared/GENOPS_TELEMETRY.md), and like the seed's example
// application, for the tests that run rendered Collector configs with the
// real components. Everything is drawn from a seeded math/rand source, trace
// and span ids included, so a run is reproducible.

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Instrumentation scopes: GenOps AI's tracer, and the seed example's
// trace.get_tracer(__name__) run as a script.
const (
	genopsScopeName = "genops-ai"
	seedScopeName   = "__main__"
)

// genopsApp is the OpenTelemetry resource of one instrumented process.
type genopsApp struct {
	ServiceName, InstanceID string
}

// The two applications the tests send from: one instrumented with GenOps AI,
// one shaped like the seed's example.
var (
	genopsAIApp = genopsApp{ServiceName: "support-assistant", InstanceID: "support-assistant-7d9f8-x2k4q"}
	seedApp     = genopsApp{ServiceName: "genops-ai-inference", InstanceID: "genops-ai-inference-5c6b7-p9r2m"}
)

// genopsPolicy is what record_policy sets.
type genopsPolicy struct {
	Name, Result, Reason string
}

// genopsEval is what record_evaluation sets; passed is score >= threshold.
type genopsEval struct {
	Metric           string
	Score, Threshold float64
	Evaluator        string
}

// genopsBudget is what record_budget sets; remaining and utilization_percent
// are computed from allocated and consumed.
type genopsBudget struct {
	Name                string
	Allocated, Consumed float64
}

// genopsCall is one GenOps AI trace_operation: a provider call when Provider
// is set (the adapters set genops.provider, genops.model, genops.request.*,
// then record_cost), another operation (a workflow around calls) otherwise.
type genopsCall struct {
	OperationType, OperationName string
	// The governance context: genops.<key> for what the app passes.
	Team, Project, Environment, CustomerID, CostCenter, Feature string
	Provider, Model                                             string
	Temperature                                                 float64
	MaxTokens                                                   int64
	// record_cost, unless NoCost (a failed or blocked call records none).
	NoCost              bool
	Cost                float64
	Currency            string
	TokensIn, TokensOut int64
	// Latency is the span's duration (the provider call's latency).
	Latency time.Duration
	// ErrType and ErrMessage: the provider call raised (status ERROR and an
	// exception event); status OK when empty.
	ErrType, ErrMessage string
	Policy              *genopsPolicy
	Eval                *genopsEval
	Budget              *genopsBudget
}

// seedCall is the seed example's inference_request span.
type seedCall struct {
	CustomerID, Model, Team, Project, CostCenter, Tier string
	PromptLength                                       int64
	// Cost, tokens: set after the call returned (absent when it raised).
	CostUSD             float64
	TokensIn, TokensOut int64
	// Violation sets genops.policy_violation = "true".
	Violation bool
	Latency   time.Duration
	// ErrType, ErrMessage: the call raised; the SDK records the exception and
	// sets ERROR. Otherwise the status stays UNSET (the example sets none).
	ErrType, ErrMessage string
	// APICall adds the example's child span llm_api_call.
	APICall bool
}

// genopsGen draws spans from a seeded source.
type genopsGen struct {
	rnd  *rand.Rand
	base time.Time // start of the first span
	now  time.Time // advances with every trace
}

func newGenOpsGen(seed int64) *genopsGen {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return &genopsGen{rnd: rand.New(rand.NewSource(seed)), base: base, now: base}
}

// TraceID returns a random, valid trace id.
func (g *genopsGen) TraceID() pcommon.TraceID {
	var id pcommon.TraceID
	for id.IsEmpty() {
		binary.BigEndian.PutUint64(id[:8], g.rnd.Uint64())
		binary.BigEndian.PutUint64(id[8:], g.rnd.Uint64())
	}
	return id
}

// SpanID returns a random, valid span id.
func (g *genopsGen) SpanID() pcommon.SpanID {
	var id pcommon.SpanID
	for id.IsEmpty() {
		binary.BigEndian.PutUint64(id[:], g.rnd.Uint64())
	}
	return id
}

// Start returns the start time of the next trace: traces follow each other
// by a few milliseconds.
func (g *genopsGen) Start() time.Time {
	g.now = g.now.Add(time.Duration(1+g.rnd.Intn(20)) * time.Millisecond)
	return g.now
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

type genopsTeam struct {
	Team, Project, CostCenter, Feature string
}

var (
	genopsTeams = []genopsTeam{
		{"ml-platform", "inference-service", "engineering", "chat-completion"},
		{"search", "rag-search", "engineering", "answer-synthesis"},
		{"support", "helpdesk-assistant", "customer-success", "ticket-triage"},
		{"growth", "email-writer", "marketing", "campaign-drafts"},
	}
	// genopsModels: provider, model, operation name, USD per 1K input and
	// output tokens.
	genopsModels = []struct {
		Provider, Model, Operation string
		In, Out                    float64
	}{
		{"openai", "gpt-4o", "openai.chat.completions.create", 0.0025, 0.01},
		{"openai", "gpt-4o-mini", "openai.chat.completions.create", 0.00015, 0.0006},
		{"anthropic", "claude-3-5-sonnet-20241022", "anthropic.messages.create", 0.003, 0.015},
		{"anthropic", "claude-3-haiku-20240307", "anthropic.messages.create", 0.00025, 0.00125},
	}
	genopsErrors = [][2]string{
		{"openai.RateLimitError", "Error code: 429 - Rate limit reached for requests"},
		{"openai.APIConnectionError", "Connection error."},
		{"anthropic.APITimeoutError", "Request timed out."},
		{"anthropic.InternalServerError", "Error code: 529 - Overloaded"},
	}
	genopsPolicies = []string{"content-safety", "cost-limit", "pii-filter", "rate-limit"}
	seedTiers      = []string{"free", "standard", "premium", "enterprise"}
)

// Customer returns a customer id: thousands of distinct values, never a label.
func (g *genopsGen) Customer() string { return fmt.Sprintf("customer-%05d", g.rnd.Intn(50000)) }

// Latency draws a provider latency, log-normal around 800 ms, at least 50 ms.
// A few microseconds are added so that no duration falls on a bucket bound.
func (g *genopsGen) Latency() time.Duration {
	d := time.Duration(math.Exp(math.Log(0.8)+0.7*g.rnd.NormFloat64()) * float64(time.Second))
	return max(d, 50*time.Millisecond).Truncate(time.Millisecond) + time.Duration(1+g.rnd.Intn(999))*time.Microsecond
}

// Call returns a successful provider call with cost and tokens and no
// policy, evaluation or budget record.
func (g *genopsGen) Call() genopsCall {
	t := pick(g.rnd, genopsTeams)
	m := pick(g.rnd, genopsModels)
	in, out := int64(50+g.rnd.Intn(4000)), int64(20+g.rnd.Intn(1500))
	return genopsCall{
		OperationType: "ai.inference", OperationName: m.Operation,
		Team: t.Team, Project: t.Project, Environment: "production", CustomerID: g.Customer(), CostCenter: t.CostCenter, Feature: t.Feature,
		Provider: m.Provider, Model: m.Model,
		Temperature: float64(g.rnd.Intn(11)) / 10, MaxTokens: int64(256 << g.rnd.Intn(4)),
		Cost: float64(in)/1000*m.In + float64(out)/1000*m.Out, Currency: "USD", TokensIn: in, TokensOut: out,
		Latency: g.Latency(),
	}
}

// Fail makes the call raise: no cost is recorded, the span is ERROR.
func (g *genopsGen) Fail(c *genopsCall) {
	e := pick(g.rnd, genopsErrors)
	c.ErrType, c.ErrMessage = e[0], e[1]
	c.NoCost = true
}

// Policy returns a record_policy with the given result and a free-text
// reason (unbounded: it names the customer).
func (g *genopsGen) Policy(c genopsCall, result string) *genopsPolicy {
	name := pick(g.rnd, genopsPolicies)
	reason := fmt.Sprintf("%s: request of %s evaluated at %s", name, c.CustomerID, g.now.Format(time.RFC3339Nano))
	if result != "allowed" {
		reason = fmt.Sprintf("%s: request of %s %s: %d tokens over the limit", name, c.CustomerID, result, g.rnd.Intn(5000))
	}
	return &genopsPolicy{Name: name, Result: result, Reason: reason}
}

// RichCall returns a call as a busy GenOps AI app sends them: some fail,
// some carry a policy decision, an evaluation, a budget record; a few
// record their cost in another currency.
func (g *genopsGen) RichCall() genopsCall {
	c := g.Call()
	if g.rnd.Intn(10) == 0 {
		g.Fail(&c)
	}
	if g.rnd.Intn(3) == 0 {
		result := "allowed"
		switch r := g.rnd.Intn(20); {
		case r < 2:
			result = "blocked"
		case r < 4:
			result = "warning"
		case r < 5:
			result = "rate_limited"
		}
		c.Policy = g.Policy(c, result)
		if result == "blocked" {
			c.NoCost = true // the call is not made
			c.Latency = time.Duration(2+g.rnd.Intn(20))*time.Millisecond + 333*time.Microsecond
		}
	}
	if !c.NoCost && g.rnd.Intn(4) == 0 {
		metric := pick(g.rnd, []string{"relevance", "coherence"})
		c.Eval = &genopsEval{Metric: metric, Score: math.Round(g.rnd.Float64()*1000) / 1000, Threshold: 0.7, Evaluator: "llm-judge"}
	}
	if g.rnd.Intn(5) == 0 {
		c.Budget = g.Budget(c.Team)
	}
	if !c.NoCost && g.rnd.Intn(25) == 0 {
		c.Currency = "EUR"
	}
	return c
}

// Budget returns a record_budget for the team's monthly budget.
func (g *genopsGen) Budget(team string) *genopsBudget {
	allocated := 1000 * float64(1+g.rnd.Intn(5))
	return &genopsBudget{Name: team + "-monthly", Allocated: allocated, Consumed: math.Round(g.rnd.Float64()*allocated*100) / 100}
}

// Workflow returns a trace_operation that is not a provider call (an
// operation wrapping calls): no provider, model, request or cost.
func (g *genopsGen) Workflow(team genopsTeam) genopsCall {
	return genopsCall{
		OperationType: "ai.workflow", OperationName: team.Feature + ".pipeline",
		Team: team.Team, Project: team.Project, Environment: "production", CustomerID: g.Customer(), CostCenter: team.CostCenter, Feature: team.Feature,
		NoCost: true,
	}
}

// SeedCall returns the seed example's inference_request.
func (g *genopsGen) SeedCall() seedCall {
	m := pick(g.rnd, genopsModels)
	in, out := int64(50+g.rnd.Intn(4000)), int64(20+g.rnd.Intn(1500))
	tier := pick(g.rnd, seedTiers)
	return seedCall{
		CustomerID: g.Customer(), Model: m.Model, Team: "ml-platform", Project: "inference-service", CostCenter: "engineering", Tier: tier,
		PromptLength: int64(20 + g.rnd.Intn(8000)),
		CostUSD:      float64(in)/1000*m.In + float64(out)/1000*m.Out, TokensIn: in, TokensOut: out,
		Latency: g.Latency(), APICall: true,
	}
}

// genopsBatch is one export: a ResourceSpans per app, a ScopeSpans per scope.
type genopsBatch struct {
	td     ptrace.Traces
	spans  map[[2]string]ptrace.SpanSlice
	nSpans int
}

func newGenOpsBatch() *genopsBatch {
	return &genopsBatch{td: ptrace.NewTraces(), spans: map[[2]string]ptrace.SpanSlice{}}
}

// Spans returns the span slice of app and scope, creating it.
func (b *genopsBatch) Spans(app genopsApp, scope string) ptrace.SpanSlice {
	key := [2]string{app.InstanceID, scope}
	if ss, ok := b.spans[key]; ok {
		return ss
	}
	var rs ptrace.ResourceSpans
	found := false
	for i := 0; i < b.td.ResourceSpans().Len(); i++ {
		r := b.td.ResourceSpans().At(i)
		if v, ok := r.Resource().Attributes().Get("service.instance.id"); ok && v.Str() == app.InstanceID {
			rs, found = r, true
			break
		}
	}
	if !found {
		rs = b.td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", app.ServiceName)
		rs.Resource().Attributes().PutStr("service.instance.id", app.InstanceID)
	}
	sc := rs.ScopeSpans().AppendEmpty()
	sc.Scope().SetName(scope)
	b.spans[key] = sc.Spans()
	return sc.Spans()
}

// Traces returns the batch.
func (b *genopsBatch) Traces() ptrace.Traces { return b.td }

// Len is the number of spans in the batch.
func (b *genopsBatch) Len() int { return b.nSpans }

func (b *genopsBatch) newSpan(g *genopsGen, app genopsApp, scope string, tid pcommon.TraceID, parent pcommon.SpanID, name string, start time.Time, d time.Duration) ptrace.Span {
	s := b.Spans(app, scope).AppendEmpty()
	b.nSpans++
	s.SetTraceID(tid)
	s.SetSpanID(g.SpanID())
	s.SetParentSpanID(parent)
	s.SetName(name)
	s.SetKind(ptrace.SpanKindInternal)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
	return s
}

func recordException(s ptrace.Span, end time.Time, typ, msg string) {
	s.Status().SetCode(ptrace.StatusCodeError)
	s.Status().SetMessage(typ + ": " + msg)
	ev := s.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(end))
	ev.Attributes().PutStr("exception.type", typ)
	ev.Attributes().PutStr("exception.message", msg)
	ev.Attributes().PutStr("exception.stacktrace", "Traceback (most recent call last):\n  File \"genops/core/telemetry.py\", line 118, in trace_operation\n    yield span\n"+typ+": "+msg)
	ev.Attributes().PutStr("exception.escaped", "False")
}

// Canonical appends the span GenOps AI emits for c, in the order the
// library sets its attributes (trace_operation, the adapter, record_policy,
// record_cost, record_evaluation, record_budget).
func (g *genopsGen) Canonical(b *genopsBatch, app genopsApp, tid pcommon.TraceID, parent pcommon.SpanID, start time.Time, c genopsCall) ptrace.Span {
	s := b.newSpan(g, app, genopsScopeName, tid, parent, c.OperationName, start, c.Latency)
	a := s.Attributes()
	a.PutStr("genops.operation.type", c.OperationType)
	a.PutStr("genops.operation.name", c.OperationName)
	a.PutInt("genops.timestamp", start.Unix())
	for _, kv := range [][2]string{
		{"genops.team", c.Team}, {"genops.project", c.Project}, {"genops.environment", c.Environment},
		{"genops.customer_id", c.CustomerID}, {"genops.cost_center", c.CostCenter}, {"genops.feature", c.Feature},
	} {
		if kv[1] != "" {
			a.PutStr(kv[0], kv[1])
		}
	}
	if c.Provider != "" {
		a.PutStr("genops.provider", c.Provider)
		a.PutStr("genops.model", c.Model)
		a.PutDouble("genops.request.temperature", c.Temperature)
		a.PutInt("genops.request.max_tokens", c.MaxTokens)
	}
	if p := c.Policy; p != nil {
		a.PutStr("genops.policy.name", p.Name)
		a.PutStr("genops.policy.result", p.Result)
		a.PutStr("genops.policy.reason", p.Reason)
	}
	if !c.NoCost {
		a.PutDouble("genops.cost.total", c.Cost)
		a.PutStr("genops.cost.currency", c.Currency)
		a.PutStr("genops.cost.provider", c.Provider)
		a.PutStr("genops.cost.model", c.Model)
		a.PutInt("genops.tokens.input", c.TokensIn)
		a.PutInt("genops.tokens.output", c.TokensOut)
		a.PutInt("genops.tokens.total", c.TokensIn+c.TokensOut)
	}
	if e := c.Eval; e != nil {
		a.PutStr("genops.eval.metric", e.Metric)
		a.PutDouble("genops.eval.score", e.Score)
		a.PutDouble("genops.eval.threshold", e.Threshold)
		a.PutBool("genops.eval.passed", e.Score >= e.Threshold)
		a.PutStr("genops.eval.evaluator", e.Evaluator)
	}
	if bu := c.Budget; bu != nil {
		a.PutStr("genops.budget.name", bu.Name)
		a.PutDouble("genops.budget.allocated", bu.Allocated)
		a.PutDouble("genops.budget.consumed", bu.Consumed)
		a.PutDouble("genops.budget.remaining", bu.Allocated-bu.Consumed)
		a.PutDouble("genops.budget.utilization_percent", bu.Consumed/bu.Allocated*100)
	}
	if c.ErrType != "" {
		recordException(s, start.Add(c.Latency), c.ErrType, c.ErrMessage)
	} else {
		s.Status().SetCode(ptrace.StatusCodeOk)
	}
	return s
}

// Seed appends the seed example's inference_request span for c, and its
// llm_api_call child when c.APICall.
func (g *genopsGen) Seed(b *genopsBatch, app genopsApp, tid pcommon.TraceID, parent pcommon.SpanID, start time.Time, c seedCall) ptrace.Span {
	s := b.newSpan(g, app, seedScopeName, tid, parent, "inference_request", start, c.Latency)
	a := s.Attributes()
	a.PutStr("genops.customer_id", c.CustomerID)
	a.PutStr("genops.model", c.Model)
	a.PutInt("genops.prompt_length", c.PromptLength)
	a.PutStr("genops.team", c.Team)
	a.PutStr("genops.project", c.Project)
	a.PutStr("genops.cost_center", c.CostCenter)
	if c.Tier != "" {
		a.PutStr("genops.customer_tier", c.Tier)
	}
	if c.ErrType == "" {
		a.PutDouble("genops.cost_usd", c.CostUSD)
		a.PutInt("genops.tokens_input", c.TokensIn)
		a.PutInt("genops.tokens_output", c.TokensOut)
	}
	if c.Violation {
		a.PutStr("genops.policy_violation", "true")
	}
	end := start.Add(c.Latency)
	if c.APICall {
		cs := start.Add(c.Latency / 20)
		child := b.newSpan(g, app, seedScopeName, tid, s.SpanID(), "llm_api_call", cs, c.Latency*9/10)
		ca := child.Attributes()
		ca.PutStr("ai.model", c.Model)
		ca.PutInt("ai.prompt.length", c.PromptLength)
		if c.ErrType != "" {
			recordException(child, cs.Add(c.Latency*9/10), c.ErrType, c.ErrMessage)
		} else {
			ca.PutInt("http.status_code", 200)
			ca.PutInt("ai.response.length", 4*c.TokensOut)
		}
	}
	if c.ErrType != "" {
		recordException(s, end, c.ErrType, c.ErrMessage)
	}
	return s
}

// MixedTrace appends one trace of a random shape, at most maxSpans spans,
// and returns its id: a GenOps AI provider call alone, a GenOps AI workflow
// wrapping one or two calls, or the seed example's request with its child.
func (g *genopsGen) MixedTrace(b *genopsBatch, maxSpans int) pcommon.TraceID {
	tid := g.TraceID()
	start := g.Start()
	switch r := g.rnd.Intn(10); {
	case r < 4 || maxSpans < 2:
		g.Canonical(b, genopsAIApp, tid, pcommon.SpanID{}, start, g.RichCall())
	case r < 7:
		n := 1 + g.rnd.Intn(min(2, maxSpans-1))
		calls := make([]genopsCall, n)
		w := g.Workflow(pick(g.rnd, genopsTeams))
		var total time.Duration
		for i := range calls {
			calls[i] = g.RichCall()
			calls[i].Team, calls[i].Project, calls[i].CostCenter, calls[i].Feature = w.Team, w.Project, w.CostCenter, w.Feature
			calls[i].CustomerID = w.CustomerID
			if calls[i].Budget != nil {
				calls[i].Budget.Name = w.Team + "-monthly"
			}
			total += calls[i].Latency + time.Millisecond
		}
		w.Latency = total + 3*time.Millisecond
		if g.rnd.Intn(4) == 0 {
			w.Budget = g.Budget(w.Team)
		}
		root := g.Canonical(b, genopsAIApp, tid, pcommon.SpanID{}, start, w)
		at := start.Add(time.Millisecond)
		for _, c := range calls {
			g.Canonical(b, genopsAIApp, tid, root.SpanID(), at, c)
			at = at.Add(c.Latency + time.Millisecond)
		}
	default:
		c := g.SeedCall()
		c.APICall = true
		if g.rnd.Intn(10) == 0 {
			e := pick(g.rnd, genopsErrors)
			c.ErrType, c.ErrMessage = e[0], e[1]
		}
		if g.rnd.Intn(8) == 0 {
			c.Violation = true
		}
		g.Seed(b, seedApp, tid, pcommon.SpanID{}, start, c)
	}
	return tid
}

// MixedBatch returns a batch of exactly n spans of mixed shapes.
func (g *genopsGen) MixedBatch(n int) ptrace.Traces {
	b := newGenOpsBatch()
	for b.Len() < n {
		g.MixedTrace(b, n-b.Len())
	}
	return b.Traces()
}
