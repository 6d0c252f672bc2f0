package doctor

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/koshihq/genops-stack/stack/catalog"
)

// ingest is what the gateway received in the window.
type ingest struct {
	// known is false when neither Prometheus nor --collector-metrics has
	// the gateway's own telemetry; check then holds that problem. The
	// counts are the window's, or, read from --collector-metrics, totals
	// since the gateway started.
	known                 bool
	spans, refused, point float64
	evidence              []Evidence
	check                 Check // gateway-receives-spans
}

// gatewayIngest asks the gateway's own telemetry what it received: through
// Prometheus (the otel-collector job) over the window, or, when Prometheus
// has none of it, from --collector-metrics since the gateway started.
func (d *diagnosis) gatewayIngest(ctx context.Context) (*ingest, error) {
	if d.ingest != nil {
		return d.ingest, nil
	}
	gw, _ := d.tier(Gateway)
	in := &ingest{}
	d.ingest = in
	sel := d.sel(gw)
	accepted := fmt.Sprintf(`sum(increase(otelcol_receiver_accepted_spans_total{%s}[%s]))`, sel, d.window)
	v, has, ev, err := d.prom.value(ctx, accepted)
	if err != nil {
		return nil, err
	}
	in.evidence = append(in.evidence, ev)
	env := d.plan.Env
	workloads := fmt.Sprintf("The workloads of %s read the gateway's address from the ConfigMap %s (envFrom: OTEL_EXPORTER_OTLP_ENDPOINT): `kubectl -n %s get configmap %s -o yaml`, and `kubectl -n %s get deploy -o yaml | grep -B3 -A3 %s` shows which workloads read it; then the gateway's log: %s",
		env.WorkloadNamespace, env.QuickStart, env.WorkloadNamespace, env.QuickStart, env.WorkloadNamespace, env.QuickStart, d.kubectl("logs deploy/"+gw.Collector+" --tail=100"))
	if has {
		in.known, in.spans = true, v
		refused := fmt.Sprintf(`sum(increase(otelcol_receiver_refused_spans_total{%s}[%s]))`, sel, d.window)
		if in.refused, _, ev, err = d.prom.value(ctx, refused); err != nil {
			return nil, err
		}
		in.evidence = append(in.evidence, ev)
		points := fmt.Sprintf(`sum(increase(otelcol_receiver_accepted_metric_points_total{%s}[%s]))`, sel, d.window)
		if in.point, _, ev, err = d.prom.value(ctx, points); err != nil {
			return nil, err
		}
		in.evidence = append(in.evidence, ev)
		in.check = Check{Check: "gateway-receives-spans", Object: gw.Collector, Evidence: in.evidence}
		switch {
		case in.spans == 0:
			in.check.Status = Problem
			in.check.Summary = fmt.Sprintf("the gateway received no spans in the last %s: nothing new is derived, sampled or stored", d.window)
			in.check.Next = workloads
		case in.refused > 0:
			in.check.Status = Problem
			in.check.Summary = fmt.Sprintf("the gateway refused %s spans in the last %s (and accepted %s): its memory_limiter refuses data when the gateway nears its memory limit", approx(in.refused), d.window, approx(in.spans))
			in.check.Next = fmt.Sprintf("Give the gateway more memory or replicas (Collector.Gateway in stack/environments.go); its log says when it refused: %s", d.kubectl("logs deploy/"+gw.Collector+" --tail=200 | grep -i memory"))
		default:
			in.check.Status = OK
			in.check.Summary = fmt.Sprintf("the gateway accepted %s spans and %s metric points in the last %s, and refused none", approx(in.spans), approx(in.point), d.window)
		}
		return in, nil
	}
	// Prometheus has none of the gateway's telemetry: is it scraped?
	up := fmt.Sprintf(`up{%s}`, sel)
	vec, ev, err := d.prom.vector(ctx, up)
	if err != nil {
		return nil, err
	}
	in.evidence = append(in.evidence, ev)
	job, _ := env.Job(catalog.JobOTelCollector)
	why := fmt.Sprintf("Prometheus has no scrape of the gateway's own telemetry (job %s, %s)", catalog.JobOTelCollector, job.Monitor)
	if len(vec) > 0 {
		why = "the gateway's own telemetry is scraped but has no otelcol_receiver_accepted_spans_total over the window (just started, or down)"
		if t, tev, err := d.getTargets(ctx); err == nil {
			var mine []string
			pods := regexp.MustCompile("^(?:" + gw.Pods + ")$")
			for _, a := range jobTargets(t, catalog.JobOTelCollector) {
				if pods.MatchString(string(a.Labels["pod"])) {
					mine = append(mine, describeTargets([]promv1.ActiveTarget{a}))
				}
			}
			tev.Result = strings.Join(mine, ", ")
			in.evidence = append(in.evidence, tev)
		} else {
			return nil, err
		}
	}
	in.check = Check{Check: "gateway-receives-spans", Object: gw.Collector, Status: Problem, Evidence: in.evidence,
		Next: fmt.Sprintf("%s must select the gateway's pods (label %s): %s; then port-forward the gateway's telemetry and pass --collector-metrics: %s",
			job.Monitor, env.Selector, d.kubectl("get podmonitor,servicemonitor --show-labels"), d.portForwardCollector(gw.Collector))}
	if d.collector == nil {
		in.check.Summary = why + ": what the gateway receives is not known"
		return in, nil
	}
	// The gateway's telemetry, read directly: totals since it started.
	in.known = true
	in.spans = counter(d.collector, "otelcol_receiver_accepted_spans_total", "")[""]
	in.refused = counter(d.collector, "otelcol_receiver_refused_spans_total", "")[""]
	in.point = counter(d.collector, "otelcol_receiver_accepted_metric_points_total", "")[""]
	uptime := counter(d.collector, "otelcol_process_uptime_seconds_total", "")[""]
	in.evidence = append(in.evidence, Evidence{"collector", "GET " + d.collURL + ": otelcol_receiver_accepted_spans_total, otelcol_receiver_refused_spans_total, otelcol_process_uptime_seconds_total",
		fmt.Sprintf("%s accepted, %s refused, up %ss", number(in.spans), number(in.refused), number(uptime))})
	in.check.Evidence = in.evidence
	if in.spans == 0 {
		in.check.Summary = why + "; read directly, the gateway has received no span since it started"
		in.check.Next = workloads
		return in, nil
	}
	in.check.Summary = why + fmt.Sprintf("; read directly, the gateway has accepted %s spans since it started (%ss ago)", number(in.spans), number(uptime))
	return in, nil
}

// portForwardCollector is the command that reaches a Collector's telemetry.
func (d *diagnosis) portForwardCollector(name string) string {
	port := 8888
	for _, c := range d.plan.Env.Collectors {
		if c.Name == name && c.TelemetryPort != 0 {
			port = c.TelemetryPort
		}
	}
	return fmt.Sprintf("`kubectl -n %s port-forward deploy/%s %d:%d`", d.plan.Env.Namespace, name, port, port)
}

// runs says whether a need's series can exist here: a job that delivers it
// runs (a recording rule: all its inputs can).
func (d *diagnosis) runs(n Need, byName map[string]Need) bool {
	if n.Kind == KindRecord {
		for _, in := range n.Inputs {
			if i, ok := byName[in]; ok && !d.runs(i, byName) {
				return false
			}
		}
		return true
	}
	return slices.ContainsFunc(n.Jobs, func(j string) bool { _, ok := d.plan.Env.Job(j); return ok })
}

func (d *diagnosis) metrics(ctx context.Context) (Section, error) {
	s := Section{Key: SectionMetrics, Title: "Metrics not appearing in Prometheus"}
	byName := map[string]Need{}
	for _, n := range d.plan.Needs {
		byName[n.Series] = n
	}
	var checked, skipped []Need
	for _, n := range d.plan.Needs {
		if d.runs(n, byName) {
			checked = append(checked, n)
		} else {
			skipped = append(skipped, n)
		}
	}
	names := make([]string, len(checked))
	for i, n := range checked {
		names[i] = n.Series
	}
	present, ev, err := d.prom.byLabel(ctx, fmt.Sprintf(`count by (__name__) ({__name__=~%q})`, alternation(names)), "__name__")
	if err != nil {
		return s, err
	}
	var missing []Need
	var standIn, noEvent []string
	gatewayServes := slices.ContainsFunc(checked, func(n Need) bool { return n.Kind == KindSpans && !n.OnEvent && present[n.Series] > 0 })
	for _, n := range checked {
		if present[n.Series] > 0 {
			continue
		}
		if !n.Alone && slices.ContainsFunc(n.Either, func(e string) bool { return present[e] > 0 }) {
			standIn = append(standIn, fmt.Sprintf("%s (the other side of its or: %s)", n.Series, strings.Join(n.Either, ", ")))
			continue
		}
		// A counter of events that have not happened has no series; while
		// the gateway serves its other derived series, nothing is broken.
		if n.OnEvent && gatewayServes {
			noEvent = append(noEvent, n.Series)
			continue
		}
		missing = append(missing, n)
	}
	presence := Check{Check: "series-present", Status: OK, Evidence: []Evidence{ev},
		Summary: fmt.Sprintf("all %d series the rules and panels select have series", len(checked))}
	if len(missing) > 0 {
		presence.Status = Problem
		var ms []string
		for _, n := range missing {
			ms = append(ms, n.Series)
		}
		presence.Summary = fmt.Sprintf("%d of %d series the rules and panels select have none: %s (the checks below say where each chain breaks)", len(missing), len(checked), strings.Join(ms, ", "))
		presence.Next = "Follow the series-source checks below: each names the first broken link of a series' chain (scrape target, gateway, spans, recording rule)"
	} else if len(standIn) > 0 {
		presence.Summary = fmt.Sprintf("the %d series the rules and panels select have series, or the queries get data through an alternative: %s", len(checked), strings.Join(standIn, "; "))
	}
	if len(noEvent) > 0 && presence.Status == OK {
		presence.Summary += fmt.Sprintf("; no series yet for %s, which count events no span has reported (their panels show nothing until one does)", strings.Join(noEvent, ", "))
	}
	s.Checks = append(s.Checks, presence)
	if len(skipped) > 0 {
		var ms []string
		jobs := map[string]bool{}
		for _, n := range skipped {
			ms = append(ms, n.Series)
			for _, j := range n.Jobs {
				jobs[j] = true
			}
		}
		var js []string
		for j := range jobs {
			js = append(js, j)
		}
		sort.Strings(js)
		s.Checks = append(s.Checks, Check{Check: "series-present", Status: Skipped,
			Summary: fmt.Sprintf("not checked: %s (only the jobs %s deliver them, and the environment's settings list none of them)", strings.Join(ms, ", "), strings.Join(js, ", "))})
	}

	// The gateway, when the queries need what it serves.
	var gatewayCheck *Check
	if slices.ContainsFunc(checked, func(n Need) bool { return n.Kind == KindSpans || n.Kind == KindGenAI }) {
		in, err := d.gatewayIngest(ctx)
		if err != nil {
			return s, err
		}
		c := in.check
		s.Checks = append(s.Checks, c)
		gatewayCheck = &s.Checks[len(s.Checks)-1]
	}

	// Where the chain of each missing series breaks, one check per break.
	var order []string
	causes := map[string]*Check{}
	for _, n := range missing {
		key, c, err := d.cause(ctx, n, byName, present)
		if err != nil {
			return s, err
		}
		if key == "gateway" && gatewayCheck != nil && gatewayCheck.Status == Problem {
			gatewayCheck.Summary += "; so " + n.Series + " has no series"
			continue
		}
		if prev, ok := causes[key]; ok {
			prev.Object += ", " + n.Series
			continue
		}
		c.Object = n.Series
		causes[key] = &c
		order = append(order, key)
	}
	for _, k := range order {
		s.Checks = append(s.Checks, *causes[k])
	}

	labels, err := d.labels(ctx, checked, present)
	if err != nil {
		return s, err
	}
	s.Checks = append(s.Checks, labels...)
	return s, nil
}

// cause walks a missing series' source back and says where the chain
// breaks: the scrape target, the gateway, the spans, the recording rule.
func (d *diagnosis) cause(ctx context.Context, n Need, byName map[string]Need, present map[string]float64) (string, Check, error) {
	env := d.plan.Env
	c := Check{Check: "series-source", Status: Problem}
	if n.Kind == KindRecord {
		return d.recordCause(ctx, n, byName, present)
	}
	for _, jobName := range n.Jobs {
		job, ok := env.Job(jobName)
		if !ok {
			continue
		}
		if job.RemoteWrite {
			vec, ev, err := d.prom.vector(ctx, fmt.Sprintf(`up{job=%q}`, jobName))
			if err != nil {
				return "", c, err
			}
			c.Evidence = append(c.Evidence, ev)
			if len(vec) == 0 {
				c.Summary = fmt.Sprintf("no series of job %s reach Prometheus: the cluster collector scrapes it (%s) and remote-writes what it scrapes", jobName, job.Monitor)
				c.Next = fmt.Sprintf("The cluster collector's log says whether it scrapes and writes: %s", d.kubectl("logs deploy/"+collectorName(env, Cluster)+" --tail=100"))
				return "job:" + jobName, c, nil
			}
			continue
		}
		t, ev, err := d.getTargets(ctx)
		if err != nil {
			return "", c, err
		}
		ts := jobTargets(t, jobName)
		ev.Result = fmt.Sprintf("job %s: %s", jobName, describeTargets(ts))
		c.Evidence = append(c.Evidence, ev)
		up := slices.ContainsFunc(ts, func(a promv1.ActiveTarget) bool { return a.Health == "up" })
		switch {
		case len(ts) == 0:
			c.Summary = fmt.Sprintf("Prometheus has no target of job %s: %s is missing, not selected (label %s) or selects no running pod", jobName, job.Monitor, env.Selector)
			c.Next = fmt.Sprintf("%s, and the pods it selects: %s", d.kubectl("get podmonitor,servicemonitor --show-labels"), d.kubectl("get pods -o wide"))
			return "job:" + jobName, c, nil
		case !up:
			c.Summary = fmt.Sprintf("every target of job %s is down", jobName)
			c.Next = fmt.Sprintf("The targets' errors above say why the scrape fails; the pods: %s", d.kubectl("get pods -o wide"))
			return "down:" + jobName, c, nil
		}
	}
	switch n.Kind {
	case KindSpans, KindGenAI:
		in, err := d.gatewayIngest(ctx)
		if err != nil {
			return "", c, err
		}
		if !in.known || in.spans == 0 && n.Kind == KindSpans {
			return "gateway", in.check, nil
		}
		c.Evidence = append(c.Evidence, in.evidence...)
		if n.Kind == KindGenAI {
			if in.point == 0 {
				c.Summary = fmt.Sprintf("the gateway received no metric points in the last %s: no GenAI instrumentation (%s) pushes metrics to it", d.window, n.Source)
				c.Next = fmt.Sprintf("Point the instrumentation's OTLP metrics exporter at the gateway (the ConfigMap %s of %s holds its address)", env.QuickStart, env.WorkloadNamespace)
				return "genai-points", c, nil
			}
			c.Summary = fmt.Sprintf("the gateway receives metric points, but none of them is %s: the instrumentations that push metrics do not record it", n.Metric)
			c.Next = "Check the instrumentation's version and settings (" + n.Source + ")"
			return "genai:" + n.Metric, c, nil
		}
		c.Summary = fmt.Sprintf("the target is up and the gateway receives spans, but none of them carries what %s is derived from: %s", n.Metric, strings.Join(n.Reads, "; "))
		if len(n.Reads) == 0 {
			c.Summary = fmt.Sprintf("the target is up and the gateway receives spans, but none of them is one %s counts (%s)", n.Metric, n.Source)
		}
		c.Next = "Expected while no workload has recorded that yet (no violation, no budget, no evaluation); otherwise the workloads' spans lack those attributes: see docs/telemetry.md for what GenOps AI's record_* calls set"
		return "spans:" + n.Metric, c, nil
	}
	c.Summary = fmt.Sprintf("the targets of %s are up but serve no %s (%s)", strings.Join(n.Jobs, ", "), n.Series, n.Source)
	c.Next = "Check the exporter's version and flags: it may not expose this metric"
	return "serves:" + n.Series, c, nil
}

func collectorName(env Settings, role string) string {
	c, ok := env.Collector(role)
	if !ok {
		return role
	}
	return c.Name
}

// recordCause explains a recording rule with no series: its rule fails, or
// its inputs have none, or its expression selects nothing.
func (d *diagnosis) recordCause(ctx context.Context, n Need, byName map[string]Need, present map[string]float64) (string, Check, error) {
	c := Check{Check: "series-source", Status: Problem}
	rules, err := d.getRules(ctx)
	if err != nil {
		return "", c, err
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			rr, ok := r.(promv1.RecordingRule)
			if !ok || rr.Name != n.Series {
				continue
			}
			c.Evidence = append(c.Evidence, Evidence{"prometheus", "GET /api/v1/rules", fmt.Sprintf("recording rule %s in group %s: health %s %s", rr.Name, g.Name, rr.Health, rr.LastError)})
			if rr.Health == "err" {
				c.Summary = fmt.Sprintf("recording rule %s fails to evaluate: %s", rr.Name, rr.LastError)
				c.Next = "See rule-health under Rules and alerts"
				return "record:" + n.Series, c, nil
			}
		}
	}
	if len(c.Evidence) == 0 {
		c.Summary = fmt.Sprintf("Prometheus has not loaded the recording rule %s (group %s)", n.Series, n.Group)
		c.Next = "See rule-groups-loaded under Rules and alerts"
		return "record:" + n.Series, c, nil
	}
	var lacking []string
	for _, in := range n.Inputs {
		if present[in] == 0 {
			lacking = append(lacking, in)
		}
	}
	if len(lacking) > 0 {
		c.Summary = fmt.Sprintf("recording rule %s reads %s, which have no series (above)", n.Series, strings.Join(lacking, ", "))
		return "record-inputs:" + strings.Join(lacking, ","), c, nil
	}
	c.Summary = fmt.Sprintf("recording rule %s evaluates without error, and its inputs %s have series, but its expression selects nothing", n.Series, strings.Join(n.Inputs, ", "))
	c.Next = "Evaluate its expression in Prometheus' UI: its matchers or range may select nothing yet"
	return "record:" + n.Series, c, nil
}

// countSeries is the series that counts a metric's label sets: a
// histogram's _count for its _bucket.
func countSeries(series string) string {
	if strings.HasSuffix(series, "_bucket") {
		return strings.TrimSuffix(series, "_bucket") + "_count"
	}
	return series
}

// lack is one metric's series lacking one label.
type lack struct {
	metric, label   string
	lacking, series float64
	usedBy          []string
}

// labels checks that the series carry every label the queries group,
// match or join on, where the label comes from what workloads send.
func (d *diagnosis) labels(ctx context.Context, checked []Need, present map[string]float64) ([]Check, error) {
	var order []string
	groups := map[string][]lack{}
	attrs := map[string]UsedLabel{}
	lackEvidence := map[string][]Evidence{}
	var evidence []Evidence
	nLabels, nMetrics := 0, 0
	for _, n := range checked {
		if len(n.Labels) == 0 || present[n.Series] == 0 {
			continue
		}
		nMetrics++
		series := countSeries(n.Series)
		total, _, totalEv, err := d.prom.value(ctx, fmt.Sprintf(`count(last_over_time(%s[%s]))`, series, d.window))
		if err != nil {
			return nil, err
		}
		evidence = append(evidence, totalEv)
		for _, l := range n.Labels {
			nLabels++
			q := fmt.Sprintf(`count(last_over_time(%s{%s=""}[%s]))`, series, l.Name, d.window)
			v, _, ev, err := d.prom.value(ctx, q)
			if err != nil {
				return nil, err
			}
			evidence = append(evidence, ev)
			if v == 0 {
				continue
			}
			key := l.Attribute
			if key == "" {
				key = "GenAI label " + l.Name
			}
			if _, ok := groups[key]; !ok {
				order = append(order, key)
				attrs[key] = l
			}
			groups[key] = append(groups[key], lack{metric: series, label: l.Name, lacking: v, series: total, usedBy: l.UsedBy})
			lackEvidence[key] = append(lackEvidence[key], totalEv, ev)
		}
	}
	if nLabels == 0 {
		return []Check{{Check: "series-carry-labels", Status: Skipped, Summary: "no series to check: none of the metrics whose labels the queries use has series"}}, nil
	}
	if len(order) == 0 {
		return []Check{{Check: "series-carry-labels", Status: OK, Evidence: evidence,
			Summary: fmt.Sprintf("every series carries the labels the queries use (%d labels of %d metrics, over the last %s)", nLabels, nMetrics, d.window)}}, nil
	}
	var out []Check
	for _, key := range order {
		ls := groups[key]
		l := attrs[key]
		var parts, used []string
		for _, x := range ls {
			parts = append(parts, fmt.Sprintf("%s of %s series of %s", number(x.lacking), number(x.series), x.metric))
			for _, u := range x.usedBy {
				used = addOnce(used, u)
			}
		}
		c := Check{Check: "series-carry-labels", Status: Problem, Object: key, Evidence: lackEvidence[key]}
		first := ls[0]
		who := fmt.Sprintf(`count by (exported_job) (last_over_time(%s{%s=""}[%s]))`, first.metric, first.label, d.window)
		vec, ev, err := d.prom.vector(ctx, who)
		if err != nil {
			return nil, err
		}
		c.Evidence = append(c.Evidence, ev)
		var senders []string
		for _, s := range vec {
			senders = append(senders, string(s.Metric["exported_job"]))
		}
		from := ""
		if len(senders) > 0 {
			from = " from " + strings.Join(senders, ", ")
		}
		if l.Attribute != "" {
			c.Summary = fmt.Sprintf("spans%s arrive without %s: label %s is missing on %s, which %s group or match by", from, l.Attribute, l.Name, strings.Join(parts, ", "), few(used, 3))
			next := fmt.Sprintf("Set %s on every span those workloads (service.name above) send", l.Attribute)
			if len(l.Aliases) > 0 {
				next += " (or " + strings.Join(l.Aliases, ", ") + ", which the gateway reads in its place)"
			}
			if l.OnResource {
				next += "; the gateway also takes it from the SDK's Resource"
			}
			c.Next = next + ". Their series fall out of every query by " + l.Name + "; docs/telemetry.md lists what GenOps AI sets"
		} else {
			c.Summary = fmt.Sprintf("GenAI metrics%s arrive without label %s: it is missing on %s, which %s group or match by", from, l.Name, strings.Join(parts, ", "), few(used, 3))
			c.Next = "The instrumentation does not set the attribute this label comes from: check its version and settings"
		}
		out = append(out, c)
	}
	return out, nil
}
