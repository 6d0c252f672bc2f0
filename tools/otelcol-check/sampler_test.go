package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
)

// sampledTrace is what the test sent as one trace.
type sampledTrace struct {
	class   string // error, slow, high-cost, policy, plain
	variant string // which shape carries the class (genops.cost.total or the alias genops.cost_usd, ...)
	spans   int
}

// TestSamplerKeepsWhatMatters runs GenOps AI's spans, of both shapes,
// through the gateway's transform/normalize (the gateway normalizes spans
// before they reach the sampling tier) and the sampling tier's
// tail_sampling processor, both built by the real factories from the
// rendered production configs, and checks the decisions: every error, slow,
// high-cost and policy-violating trace is kept whole; of the plain ones
// (cheap, fast, OK, allowed, no premium tier), the share the rendered
// probabilistic policy names, within 4 binomial standard deviations.
func TestSamplerKeepsWhatMatters(t *testing.T) {
	gw, gwFactories := loadRendered(t, gatewayConfig)
	smp, smpFactories := loadRendered(t, samplerConfig)

	normalize := mustID(t, "transform/normalize")
	if _, ok := gw.Processors[normalize]; !ok {
		t.Fatalf("%s has no processor %s: the gateway does not normalize GenOps AI's attribute names before sampling", gatewayConfig, normalize)
	}
	tsID := mustID(t, "tail_sampling")
	tsAny, ok := smp.Processors[tsID]
	if !ok {
		t.Fatalf("%s has no processor %s", samplerConfig, tsID)
	}
	ts := tsAny.(*tailsamplingprocessor.Config)
	// The only change to the rendered config: decide after 1s instead of
	// the rendered decision_wait, so that the test does not wait for it.
	t.Logf("tail_sampling: rendered decision_wait %s, shortened to 1s for the test", ts.DecisionWait)
	ts.DecisionWait = time.Second

	thresholdMs, percent := int64(-1), -1.0
	for _, p := range ts.PolicyCfgs {
		switch p.Type {
		case tailsamplingprocessor.Latency:
			thresholdMs = p.LatencyCfg.ThresholdMs
		case tailsamplingprocessor.Probabilistic:
			percent = p.ProbabilisticCfg.SamplingPercentage
		}
	}
	if thresholdMs <= 0 {
		t.Fatalf("%s: tail_sampling has no latency policy with a threshold", samplerConfig)
	}
	if percent < 0 {
		t.Fatalf("%s: tail_sampling has no probabilistic policy", samplerConfig)
	}
	threshold := time.Duration(thresholdMs) * time.Millisecond
	t.Logf("rendered policies: latency >= %s, probabilistic %g%%", threshold, percent)

	sink := new(consumertest.TracesSink)
	sr := newRig(t, smp, smpFactories, samplerConfig)
	sampler := sr.TracesProcessors([]component.ID{tsID}, sink)
	gr := newRig(t, gw, gwFactories, gatewayConfig)
	head := gr.TracesProcessors([]component.ID{normalize}, sampler)
	sr.Start()
	gr.Start()

	const (
		batches         = 6
		tracesPerBatch  = 1000
		plainPerHundred = 70 // the rest is spread over the four kept classes
	)
	g := newGenOpsGen(11)
	sent := map[pcommon.TraceID]sampledTrace{}
	for range batches {
		b := newGenOpsBatch()
		for range tracesPerBatch {
			class := "plain"
			if r := g.rnd.Intn(100); r >= plainPerHundred {
				class = []string{"error", "slow", "high-cost", "policy"}[(r-plainPerHundred)%4]
			}
			tid, st := samplerTrace(g, b, class, threshold)
			sent[tid] = st
		}
		if err := head.ConsumeTraces(context.Background(), b.Traces()); err != nil {
			t.Fatalf("ConsumeTraces: %v", err)
		}
	}

	// Wait for the decisions: until the kept spans stop coming for 2s, at
	// least decision_wait plus two ticks after the last batch.
	deadline := time.Now().Add(60 * time.Second)
	minWait := time.Now().Add(ts.DecisionWait + 2*time.Second)
	last, lastChange := -1, time.Now()
	for time.Now().Before(deadline) {
		n := sink.SpanCount()
		if n != last {
			last, lastChange = n, time.Now()
		}
		if time.Now().After(minWait) && time.Since(lastChange) > 2*time.Second {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	kept := map[pcommon.TraceID]int{} // spans kept per trace
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					kept[s.TraceID()]++
				}
			}
		}
	}

	type count struct{ sent, kept int }
	byClass := map[string]*count{}
	missing := map[string][]string{}
	var partial []string
	for tid, st := range sent {
		key := st.class + " (" + st.variant + ")"
		c := byClass[key]
		if c == nil {
			c = &count{}
			byClass[key] = c
		}
		c.sent++
		n, ok := kept[tid]
		if ok {
			c.kept++
			if n != st.spans {
				partial = append(partial, fmt.Sprintf("%s %s: %d of %d spans", tid, key, n, st.spans))
			}
		} else if st.class != "plain" {
			missing[key] = append(missing[key], tid.String())
		}
	}
	keys := make([]string, 0, len(byClass))
	for k := range byClass {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-55s sent %5d kept %5d", k, byClass[k].sent, byClass[k].kept)
	}
	for _, k := range keys {
		ids := missing[k]
		if len(ids) == 0 {
			continue
		}
		sort.Strings(ids)
		t.Errorf("%s: %d of %d traces dropped, the sampler must keep them all; first: %s",
			k, len(ids), byClass[k].sent, strings.Join(ids[:min(5, len(ids))], ", "))
	}
	if len(partial) > 0 {
		sort.Strings(partial)
		t.Errorf("%d kept traces lost spans; first: %s", len(partial), strings.Join(partial[:min(5, len(partial))], "; "))
	}

	// Plain traces: only the probabilistic policy keeps them.
	n, k := 0, 0
	for _, key := range keys {
		if strings.HasPrefix(key, "plain ") {
			n += byClass[key].sent
			k += byClass[key].kept
		}
	}
	p := percent / 100
	want := float64(n) * p
	sigma := math.Sqrt(float64(n) * p * (1 - p))
	tol := 4 * sigma
	t.Logf("plain: kept %d of %d (%.2f%%); the probabilistic policy's %g%% is %.1f, tolerance 4 sigma = %.1f traces", k, n, 100*float64(k)/float64(n), percent, want, tol)
	if math.Abs(float64(k)-want) > tol {
		t.Errorf("plain traces kept: %d of %d, want %.1f ± %.1f (%g%% of them, ± 4 binomial standard deviations)", k, n, want, tol, percent)
	}
}

// samplerTrace appends one trace of class to b: a GenOps AI trace (a
// provider call, alone or under a workflow span) or the seed example's
// inference_request with its llm_api_call child. Only the class makes a
// trace worth keeping; everything else about it is plain: cheap (under $1),
// fast (every span and the whole trace well under the latency threshold),
// status OK (UNSET for the seed's spans), policy allowed or absent, no
// premium or enterprise customer tier.
func samplerTrace(g *genopsGen, b *genopsBatch, class string, threshold time.Duration) (pcommon.TraceID, sampledTrace) {
	tid := g.TraceID()
	start := g.Start()
	fast := func() time.Duration {
		return time.Duration(50+g.rnd.Int63n(int64(threshold/time.Millisecond)/4)) * time.Millisecond
	}
	slow := func() time.Duration {
		return threshold + time.Duration(500+g.rnd.Intn(20000))*time.Millisecond
	}
	before := b.Len()
	st := sampledTrace{class: class}

	if g.rnd.Intn(10) < 6 { // GenOps AI
		c := g.Call()
		c.Latency = fast()
		if g.rnd.Intn(3) == 0 {
			c.Policy = g.Policy(c, "allowed")
		}
		switch class {
		case "plain":
			st.variant = "genops-ai"
		case "error":
			g.Fail(&c)
			st.variant = "genops-ai status ERROR"
		case "slow":
			c.Latency = slow()
			st.variant = "genops-ai span over the threshold"
		case "high-cost":
			c.Cost = 25
			st.variant = "genops.cost.total"
		case "policy":
			result := pick(g.rnd, []string{"blocked", "warning", "rate_limited"})
			c.Policy = g.Policy(c, result)
			if result == "blocked" {
				c.NoCost = true
			}
			st.variant = "genops.policy.result=" + result
		}
		if g.rnd.Intn(2) == 0 {
			g.Canonical(b, genopsAIApp, tid, pcommon.SpanID{}, start, c)
		} else {
			// A workflow around a plain call and the classed one.
			w := g.Workflow(pick(g.rnd, genopsTeams))
			first := g.Call()
			first.Latency = fast()
			w.Latency = first.Latency + c.Latency + 5*time.Millisecond
			root := g.Canonical(b, genopsAIApp, tid, pcommon.SpanID{}, start, w)
			g.Canonical(b, genopsAIApp, tid, root.SpanID(), start.Add(time.Millisecond), first)
			g.Canonical(b, genopsAIApp, tid, root.SpanID(), start.Add(first.Latency+3*time.Millisecond), c)
			st.variant += ", under a workflow"
		}
	} else { // the seed example
		c := g.SeedCall()
		c.Latency = fast()
		c.Tier = pick(g.rnd, []string{"", "free", "standard"})
		switch class {
		case "plain":
			st.variant = "seed example"
		case "error":
			e := pick(g.rnd, genopsErrors)
			c.ErrType, c.ErrMessage = e[0], e[1]
			st.variant = "seed example status ERROR"
		case "slow":
			c.Latency = slow()
			st.variant = "seed example span over the threshold"
		case "high-cost":
			c.CostUSD = 25
			st.variant = "genops.cost_usd"
		case "policy":
			c.Violation = true
			st.variant = `genops.policy_violation="true"`
		}
		g.Seed(b, seedApp, tid, pcommon.SpanID{}, start, c)
	}
	st.spans = b.Len() - before
	return tid, st
}
