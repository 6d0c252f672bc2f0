package doctor

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

func (d *diagnosis) traces(ctx context.Context) (Section, error) {
	s := Section{Key: SectionTraces, Title: "Traces not appearing in the trace backend"}
	in, err := d.gatewayIngest(ctx)
	if err != nil {
		return s, err
	}
	s.Checks = append(s.Checks, in.check)
	if !in.known || in.spans == 0 {
		s.Checks = append(s.Checks, Check{Check: "trace-pipeline", Status: Skipped,
			Summary: "not checked past the gateway: it receives no span, or what it receives is not known"})
		return s, nil
	}
	for _, t := range d.plan.Tiers {
		if t.Role == Sampler {
			c, ok, err := d.tierReceives(ctx, t)
			if err != nil {
				return s, err
			}
			s.Checks = append(s.Checks, c)
			if !ok {
				continue
			}
		}
		if t.HeadSampling {
			c, err := d.share(ctx, t, "head-sampling-share", fmt.Sprintf(`sum by (sampled) (increase(otelcol_processor_probabilistic_sampler_count_traces_sampled_total{%s}[%s]))`, d.sel(t), d.window),
				d.plan.Env.Sampling.HeadPercent, "the gateway's probabilistic sampler")
			if err != nil {
				return s, err
			}
			s.Checks = append(s.Checks, c)
		}
		if t.TailSampling {
			cs, err := d.decisions(ctx, t)
			if err != nil {
				return s, err
			}
			s.Checks = append(s.Checks, cs...)
			if pol := d.plan.Env.Sampling.TailPolicy; pol != "" {
				q := fmt.Sprintf(`sum by (sampled) (increase(otelcol_processor_tail_sampling_count_traces_sampled_total{%s, policy=%q}[%s]))`, d.sel(t), pol, d.window)
				c, err := d.share(ctx, t, "tail-sampling-share", q, d.plan.Env.Sampling.TailPercent, "policy "+pol)
				if err != nil {
					return s, err
				}
				s.Checks = append(s.Checks, c)
			}
		}
		cs, err := d.exporters(ctx, t)
		if err != nil {
			return s, err
		}
		s.Checks = append(s.Checks, cs...)
	}
	return s, nil
}

// tierReceives checks that a tier after the gateway receives spans.
func (d *diagnosis) tierReceives(ctx context.Context, t Tier) (Check, bool, error) {
	c := Check{Check: "tier-receives-spans", Object: t.Collector}
	q := fmt.Sprintf(`sum(increase(otelcol_receiver_accepted_spans_total{%s}[%s]))`, d.sel(t), d.window)
	v, has, ev, err := d.prom.value(ctx, q)
	if err != nil {
		return c, false, err
	}
	c.Evidence = []Evidence{ev}
	switch {
	case !has:
		c.Status = Problem
		c.Summary = fmt.Sprintf("Prometheus has none of %s's own telemetry: whether it receives spans is not known", t.Collector)
		c.Next = fmt.Sprintf("Its pods must be scraped by the job otel-collector: %s", d.kubectl("get pods | grep "+t.Collector))
		return c, false, nil
	case v == 0:
		c.Status = Problem
		c.Summary = fmt.Sprintf("%s received no spans in the last %s, while the gateway did", t.Collector, d.window)
		c.Next = fmt.Sprintf("The gateway's exporter to it (below) and its Service: %s", d.kubectl("get endpoints "+t.Collector))
		return c, false, nil
	}
	c.Status = OK
	c.Summary = fmt.Sprintf("%s accepted %s spans in the last %s", t.Collector, approx(v), d.window)
	return c, true, nil
}

// decisions checks the tail sampler's decisions: it keeps something, drops
// nothing before deciding, and evaluates its policies without error.
func (d *diagnosis) decisions(ctx context.Context, t Tier) ([]Check, error) {
	sel := d.sel(t)
	q := fmt.Sprintf(`sum by (sampled) (increase(otelcol_processor_tail_sampling_global_count_traces_sampled_total{%s}[%s]))`, sel, d.window)
	dec, ev, err := d.prom.byLabel(ctx, q, "sampled")
	if err != nil {
		return nil, err
	}
	early := fmt.Sprintf(`sum(increase(otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total{%s}[%s]))`, sel, d.window)
	tooEarly, _, evEarly, err := d.prom.value(ctx, early)
	if err != nil {
		return nil, err
	}
	errs := fmt.Sprintf(`sum(increase(otelcol_processor_tail_sampling_sampling_policy_evaluation_error_total{%s}[%s]))`, sel, d.window)
	evalErrs, _, evErrs, err := d.prom.value(ctx, errs)
	if err != nil {
		return nil, err
	}
	config := fmt.Sprintf("otel/%s/collector-sampler.yaml", d.plan.Env.Name)
	kept, dropped := dec["true"], dec["false"]
	var out []Check
	c := Check{Check: "sampler-decisions", Object: t.Collector, Evidence: []Evidence{ev, evEarly, evErrs}}
	switch {
	case kept == 0 && dropped > 0 && !consistent(0, int(math.Round(dropped)), d.plan.Env.Sampling.TailPercent/100):
		c.Status = Problem
		c.Summary = fmt.Sprintf("the tail sampler dropped every one of the %s traces it decided on in the last %s, which its probabilistic share of %v%% alone rules out", approx(dropped), d.window, d.plan.Env.Sampling.TailPercent)
		c.Next = fmt.Sprintf("Every policy said no: compare the deployed sampler config with %s (%s), and its policies with stack/sampling/policies.go; the keep-everything-that-matters policies key on canonical attribute names",
			config, d.kubectl("get configmap | grep "+t.Collector))
	case kept+dropped == 0:
		// Traces that arrived decision_wait (and two scrapes) before the
		// window must have been decided in it.
		due := fmt.Sprintf(`sum(increase(otelcol_processor_tail_sampling_new_trace_id_received_total{%s}[%s] offset %s))`, sel, d.window, promDuration(time.Duration(t.DecisionWait)+d.slackDuration()))
		n, _, evDue, err := d.prom.value(ctx, due)
		if err != nil {
			return nil, err
		}
		c.Evidence = append(c.Evidence, evDue)
		if n == 0 {
			c.Status = Skipped
			c.Summary = fmt.Sprintf("no decision was due in the last %s: no trace arrived %s before it", d.window, promDuration(time.Duration(t.DecisionWait)))
			break
		}
		c.Status = Problem
		c.Summary = fmt.Sprintf("the tail sampler decided on no trace in the last %s, although %s new traces arrived decision_wait (%s) before", d.window, approx(n), promDuration(time.Duration(t.DecisionWait)))
		c.Next = fmt.Sprintf("Look for errors in its log: %s", d.kubectl("logs deploy/"+t.Collector+" --tail=100"))
	default:
		c.Status = OK
		c.Summary = fmt.Sprintf("the tail sampler kept %s and dropped %s traces in the last %s", approx(kept), approx(dropped), d.window)
	}
	out = append(out, c)
	if tooEarly > 0 {
		out = append(out, Check{Check: "sampler-capacity", Status: Problem, Object: t.Collector, Evidence: []Evidence{evEarly},
			Summary: fmt.Sprintf("the tail sampler dropped %s traces before deciding on them: more traces arrive within decision_wait than num_traces holds", approx(tooEarly)),
			Next:    "Raise Sampling.Tail.NumTraces (and ExpectedNewTracesPerSec) for the environment in stack/environments.go, and the sampler's memory with it"})
	}
	if evalErrs > 0 {
		out = append(out, Check{Check: "sampler-policies", Status: Problem, Object: t.Collector, Evidence: []Evidence{evErrs},
			Summary: fmt.Sprintf("%s sampling policy evaluations failed in the last %s", approx(evalErrs), d.window),
			Next:    fmt.Sprintf("The sampler's log names the policy and the error: %s", d.kubectl("logs deploy/"+t.Collector+" | grep -i policy"))})
	}
	return out, nil
}

// share compares the share a probabilistic sampler keeps with the
// environment's setting.
func (d *diagnosis) share(ctx context.Context, t Tier, check, q string, percent float64, what string) (Check, error) {
	c := Check{Check: check, Object: t.Collector}
	dec, ev, err := d.prom.byLabel(ctx, q, "sampled")
	if err != nil {
		return c, err
	}
	c.Evidence = []Evidence{ev}
	k, n := int(math.Round(dec["true"])), int(math.Round(dec["true"]+dec["false"]))
	if n == 0 {
		c.Status = Skipped
		c.Summary = fmt.Sprintf("%s decided on no trace in the last %s", what, d.window)
		return c, nil
	}
	got := 100 * float64(k) / float64(n)
	if consistent(k, n, percent/100) {
		c.Status = OK
		c.Summary = fmt.Sprintf("%s kept %d of %d traces (%.2g%%) in the last %s: consistent with the environment's %v%%", what, k, n, got, d.window, percent)
		return c, nil
	}
	c.Status = Problem
	c.Summary = fmt.Sprintf("%s kept %d of %d traces (%.2g%%) in the last %s: the environment's setting is %v%%, which that count rules out", what, k, n, got, d.window, percent)
	c.Next = fmt.Sprintf("The deployed config is not the rendered one (otel/%s/collector-sampler.yaml): apply the overlay; %s shows the ConfigMap the pods mount", d.plan.Env.Name, d.kubectl("get deploy "+t.Collector+" -o jsonpath='{.spec.template.spec.volumes}'"))
	return c, nil
}

// consistent says whether k kept of n is plausible when each is kept with
// probability p: within five standard deviations, or, for small counts, a
// two-sided binomial tail of at least one in a million.
func consistent(k, n int, p float64) bool {
	if p <= 0 {
		return k == 0
	}
	if p >= 1 {
		return k == n
	}
	mean := float64(n) * p
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if sd >= 5 {
		return math.Abs(float64(k)-mean) <= 5*sd
	}
	lo, hi := k, n
	if float64(k) < mean {
		lo, hi = 0, k
	}
	tail := 0.0
	for i := lo; i <= hi; i++ {
		tail += math.Exp(logBinomial(n, i) + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return tail >= 1e-6
}

func logBinomial(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// exporters checks a tier's trace exporters: sends that failed, a
// destination that takes nothing of what the pipeline hands it, a queue
// filling up.
func (d *diagnosis) exporters(ctx context.Context, t Tier) ([]Check, error) {
	sel := d.sel(t)
	failed, evFailed, err := d.prom.byLabel(ctx, fmt.Sprintf(`sum by (exporter) (increase(otelcol_exporter_send_failed_spans_total{%s}[%s]))`, sel, d.window), "exporter")
	if err != nil {
		return nil, err
	}
	// What reached the exporters in the window, seen after the batch
	// timeout and two scrapes: spans the handoff processor passed on, or
	// traces the tail sampler kept; they must have been sent since.
	delay := time.Duration(t.Batch) + d.slackDuration()
	handedQ := fmt.Sprintf(`sum(increase(otelcol_processor_outgoing_items_total{%s, processor=%q, otel_signal="traces"}[%s] offset %s))`, sel, t.Handoff, d.window, promDuration(delay))
	handedWhat := "spans"
	if t.TailSampling {
		handedQ = fmt.Sprintf(`sum(increase(otelcol_processor_tail_sampling_global_count_traces_sampled_total{%s, sampled="true"}[%s] offset %s))`, sel, d.window, promDuration(delay))
		handedWhat = "kept traces"
	}
	handed, _, evHanded, err := d.prom.value(ctx, handedQ)
	if err != nil {
		return nil, err
	}
	since := promDuration(time.Duration(d.plan.Window) + delay)
	sent, evSent, err := d.prom.byLabel(ctx, fmt.Sprintf(`sum by (exporter) (increase(otelcol_exporter_sent_spans_total{%s}[%s]))`, sel, since), "exporter")
	if err != nil {
		return nil, err
	}
	fill, evFill, err := d.prom.byLabel(ctx, fmt.Sprintf(`max by (exporter) (max_over_time(otelcol_exporter_queue_size{%s, data_type="traces"}[%s])) / max by (exporter) (otelcol_exporter_queue_capacity{%s, data_type="traces"})`, sel, d.window, sel), "exporter")
	if err != nil {
		return nil, err
	}
	logs := d.kubectl("logs deploy/" + t.Collector + " --tail=200 | grep -i export")
	dest := fmt.Sprintf("its endpoint is in %s", t.configPath(d.plan.Env))
	var out []Check
	var fine []string
	for _, e := range t.Exporters {
		c := Check{Check: "exporter-sends", Object: t.Collector + " " + e, Status: Problem}
		switch {
		case failed[e] > 0:
			c.Summary = fmt.Sprintf("%s failed to send %s spans in the last %s, after its retries", e, approx(failed[e]), d.window)
			c.Evidence = []Evidence{evFailed, evSent}
		case handed > 0 && sent[e] == 0:
			c.Summary = fmt.Sprintf("%s sent no span in the last %s, although its pipeline passed on %s %s before that: the destination takes nothing (the exporter keeps retrying, then drops them)", e, since, approx(handed), handedWhat)
			c.Evidence = []Evidence{evHanded, evSent}
		case fill[e] >= 0.8:
			c.Summary = fmt.Sprintf("%s's sending queue reached %.0f%% of its capacity in the last %s: the destination is slower than the traffic, and a full queue drops spans", e, 100*fill[e], d.window)
			c.Evidence = []Evidence{evFill}
		default:
			fine = append(fine, fmt.Sprintf("%s sent %s", e, approx(sent[e])))
			continue
		}
		c.Next = fmt.Sprintf("The Collector logs each failed export with its error: %s; %s%s", logs, dest, d.destination(e))
		out = append(out, c)
	}
	if len(fine) > 0 {
		out = append([]Check{{Check: "exporter-sends", Status: OK, Object: t.Collector, Evidence: []Evidence{evSent, evFailed},
			Summary: fmt.Sprintf("%s spans in the last %s, none failed", strings.Join(fine, ", "), since)}}, out...)
	}
	return out, nil
}

// destination names the Service an exporter of the stack sends to.
func (d *diagnosis) destination(exporter string) string {
	env := d.plan.Env
	switch {
	case strings.HasSuffix(exporter, "/sampler"):
		if c, ok := env.Collector(Sampler); ok {
			return fmt.Sprintf(" (the sampling tier: %s)", d.kubectl("get endpoints "+c.Name))
		}
	case strings.HasSuffix(exporter, "/traces") && env.TraceBackend.Service != "":
		return fmt.Sprintf(" (%s: %s)", env.TraceBackend.Name, d.kubectl("get endpoints "+env.TraceBackend.Service))
	case strings.Contains(exporter, "honeycomb"):
		return " (Honeycomb: the API key comes from a Secret; a rejected key shows as 401 in the log)"
	}
	return ""
}

// configPath is the rendered config of the tier's Collector.
func (t Tier) configPath(env Settings) string {
	i := slices.IndexFunc(env.Collectors, func(c Collector) bool { return c.Name == t.Collector })
	if i < 0 {
		return "its rendered config"
	}
	return env.Collectors[i].Config
}
