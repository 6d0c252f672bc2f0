package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	stmconfig "github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector/config"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter"
)

// derivationPipeline is the gateway pipeline that derives the genops_*
// metrics from spans (design-11).
const derivationPipeline = "traces/genops-metrics"

// buildDerivation builds the gateway's derivation path from the rendered
// config: the processors of traces/genops-metrics, in order, feeding the
// connectors it exports to; each connector feeds the metrics pipelines that
// receive from it (their processors, in order, then final(pipeline)).
// Processors of the types in skip are left out, and k8sattributes always:
// it needs the Kubernetes API. Without it the spans carry no namespace
// team, and transform/attribution leaves every span the team it claims, as
// the gateway does for a namespace no team owns (internal/live's
// TestGatewayTrustBoundaries runs attribution with a stand-in).
func buildDerivation(tb testing.TB, r *rig, cfg *otelcol.Config, skip []string, final func(pipeline.ID, *pipelineConfig) consumer.Metrics) consumer.Traces {
	tb.Helper()
	skip = append(slices.Clone(skip), "k8sattributes")
	src := pipelineOf(tb, cfg, r.path, derivationPipeline)
	built := map[pipeline.ID]consumer.Metrics{}
	var conns []consumer.Traces
	for _, eid := range src.Exporters {
		if _, ok := cfg.Connectors[eid]; !ok {
			tb.Fatalf("%s: pipeline %s exports to %s, which is not a connector", r.path, derivationPipeline, eid)
		}
		var heads []consumer.Metrics
		for _, pid := range sortedPipelines(cfg) {
			p := cfg.Service.Pipelines[pid]
			if pid.Signal() != pipeline.SignalMetrics || !slices.Contains(p.Receivers, eid) {
				continue
			}
			h, ok := built[pid]
			if !ok {
				pc := &pipelineConfig{Receivers: p.Receivers, Processors: p.Processors, Exporters: p.Exporters}
				h = r.MetricsProcessors(without(p.Processors, skip...), final(pid, pc))
				built[pid] = h
			}
			heads = append(heads, h)
		}
		if len(heads) == 0 {
			tb.Fatalf("%s: connector %s feeds no metrics pipeline", r.path, eid)
		}
		conns = append(conns, r.TracesToMetrics(eid, fanoutMetrics(heads...)))
	}
	if len(conns) == 0 {
		tb.Fatalf("%s: pipeline %s exports to no connector", r.path, derivationPipeline)
	}
	return r.TracesProcessors(without(src.Processors, skip...), fanoutTraces(conns...))
}

// The derived metrics of design-11, as the Prometheus exporter must write
// them, and their types.
var designFamilies = map[string]dto.MetricType{
	"genops_requests_total":             dto.MetricType_COUNTER,
	"genops_request_duration_seconds":   dto.MetricType_HISTOGRAM,
	"genops_cost_usd_total":             dto.MetricType_COUNTER,
	"genops_tokens_total":               dto.MetricType_COUNTER,
	"genops_budget_utilization_percent": dto.MetricType_GAUGE,
	"genops_budget_remaining_usd":       dto.MetricType_GAUGE,
	"genops_policy_violations_total":    dto.MetricType_COUNTER,
	"genops_policy_enforcements_total":  dto.MetricType_COUNTER,
	"genops_eval_quality_score":         dto.MetricType_GAUGE,
}

// designDurationBuckets are genops_request_duration_seconds' bounds.
var designDurationBuckets = []float64{0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120}

// signalToMetricsScope is the instrumentation scope the signal_to_metrics
// connector gives its metrics (its metadata.ScopeName); the exporter writes
// it as the otel_scope_name label.
const signalToMetricsScope = "github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector"

// TestGatewayDerivesGenOpsMetrics sends GenOps AI's spans (both shapes,
// failures included) in three exports through the gateway's derivation path
// built by the real factories from the rendered production config, up to
// the real prometheus exporter, scrapes it, and checks the exposition
// against what design-11 derives from exactly the spans sent: the metric
// family names and types, every series' label set, and every value
// (counters and histograms summed over the exports, gauges the last value),
// after each export. No label may carry a customer id or a policy reason.
func TestGatewayDerivesGenOpsMetrics(t *testing.T) {
	gw, factories := loadRendered(t, gatewayConfig)
	r := newRig(t, gw, factories, gatewayConfig)
	head, promCfg, promAddr := derivationToPrometheus(t, r, gw)
	r.Start()

	want := newDerivedWant(t, gw, promCfg)
	wait := flushWait(t, gw)
	t.Logf("the batch processors on the path may hold data: waiting up to %s per export for the exposition to match", wait)
	g := newGenOpsGen(42)
	for export := 1; export <= 3; export++ {
		td := g.MixedBatch(400)
		want.observe(td) // before sending: the processors change the spans
		if err := head.ConsumeTraces(context.Background(), td); err != nil {
			t.Fatalf("export %d: ConsumeTraces: %v", export, err)
		}
		fams, text := scrapeUntil(t, "http://"+promAddr+"/metrics", wait, func(f map[string]*dto.MetricFamily) bool {
			return len(want.compare(f)) == 0
		})
		if problems := want.compare(fams); len(problems) > 0 {
			t.Errorf("after export %d of 3, the exposition differs from what design-11 derives from the spans sent (%d problems):\n  %s",
				export, len(problems), strings.Join(problems[:min(40, len(problems))], "\n  "))
			t.Logf("exposition after export %d:\n%s", export, text)
			return
		}
		if export == 3 {
			want.logTotals(t, fams)
			for _, p := range want.leaks(fams) {
				t.Error(p)
			}
		}
	}
}

// derivationToPrometheus builds the derivation path (buildDerivation) up to
// the real prometheus exporter of the metrics pipelines, with one change to
// its rendered config: it listens on 127.0.0.1 and a free port instead of
// the rendered endpoint. Other exporters of those pipelines are left out.
func derivationToPrometheus(t *testing.T, r *rig, gw *otelcol.Config) (consumer.Traces, *prometheusexporter.Config, string) {
	t.Helper()
	var (
		promCfg  *prometheusexporter.Config
		promAddr string
		promExp  = map[component.ID]consumer.Metrics{}
	)
	head := buildDerivation(t, r, gw, nil, func(pid pipeline.ID, p *pipelineConfig) consumer.Metrics {
		var exps []consumer.Metrics
		for _, eid := range p.Exporters {
			if eid.Type().String() != "prometheus" {
				t.Logf("pipeline %s: exporter %s left out (the test scrapes the prometheus exporter only)", pid, eid)
				continue
			}
			if e, ok := promExp[eid]; ok {
				exps = append(exps, e)
				continue
			}
			c := gw.Exporters[eid].(*prometheusexporter.Config)
			if promCfg != nil {
				t.Fatalf("pipeline %s: a second prometheus exporter %s; the test scrapes one", pid, eid)
			}
			promCfg = c
			t.Logf("exporter %s: rendered endpoint %s", eid, c.NetAddr.Endpoint)
			promAddr = freeAddr(t)
			c.NetAddr.Endpoint = promAddr
			e := r.MetricsExporter(eid, c)
			promExp[eid] = e
			exps = append(exps, e)
		}
		if len(exps) == 0 {
			t.Fatalf("pipeline %s exports to no prometheus exporter", pid)
		}
		return fanoutMetrics(exps...)
	})
	return head, promCfg, promAddr
}

// TestGatewayDerivationConcurrentExports: the gateway's OTLP receiver runs
// the pipelines in the goroutine of each request, and many applications
// export at once. Eight exporters send 60 exports of 20 spans each at the
// same time through the same derivation path as
// TestGatewayDerivesGenOpsMetrics; every counter and histogram must still
// add up exactly to what the spans sent derive. Gauges keep the last value
// of concurrent exports, which have no order: any value sent for the series
// is right. On failure the test reports the data points deltatocumulative
// dropped, from its own telemetry, with their cause.
func TestGatewayDerivationConcurrentExports(t *testing.T) {
	gw, factories := loadRendered(t, gatewayConfig)
	r := newRig(t, gw, factories, gatewayConfig)
	reader := sdkmetric.NewManualReader()
	r.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	head, promCfg, promAddr := derivationToPrometheus(t, r, gw)
	r.Start()

	const workers, exports, spans = 8, 60, 20
	want := newDerivedWant(t, gw, promCfg)
	want.unorderedGauges = true
	wait := flushWait(t, gw)
	g := newGenOpsGen(3)
	batches := make([][]ptrace.Traces, workers)
	for w := range workers {
		for range exports {
			td := g.MixedBatch(spans)
			want.observe(td)
			batches[w] = append(batches[w], td)
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, td := range batches[w] {
				if err := head.ConsumeTraces(context.Background(), td); err != nil {
					t.Errorf("ConsumeTraces: %v", err)
				}
			}
		})
	}
	wg.Wait()
	fams, _ := scrapeUntil(t, "http://"+promAddr+"/metrics", wait, func(f map[string]*dto.MetricFamily) bool {
		return len(want.compare(f)) == 0
	})
	problems := want.compare(fams)
	if len(problems) == 0 {
		return
	}
	got, exp := want.sumBy(fams, "genops_requests_total", "status")
	t.Errorf("%d concurrent exports of %d spans: the exposition differs from what the spans sent derive (%d problems); sum by (status) (genops_requests_total): got %v, want %v; first problems:\n  %s",
		workers*exports, spans, len(problems), got, exp, strings.Join(problems[:min(10, len(problems))], "\n  "))
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok || m.Name != "otelcol_deltatocumulative_datapoints" {
				continue
			}
			for _, dp := range sum.DataPoints {
				cause, _ := dp.Attributes.Value("error")
				t.Logf("deltatocumulative telemetry: %s{error=%q} = %d", m.Name, cause.AsString(), dp.Value)
			}
		}
	}
}

// freeAddr returns 127.0.0.1 and a port free right now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}

// flushWait is how long derived metrics may take to reach the exporter:
// every batch processor on the derivation path holds data up to its
// timeout; 5s more for the rest.
func flushWait(tb testing.TB, cfg *otelcol.Config) time.Duration {
	tb.Helper()
	src := pipelineOf(tb, cfg, gatewayConfig, derivationPipeline)
	ids := slices.Clone(src.Processors)
	for _, pid := range sortedPipelines(cfg) {
		p := cfg.Service.Pipelines[pid]
		if pid.Signal() == pipeline.SignalMetrics && slices.ContainsFunc(p.Receivers, func(id component.ID) bool { return slices.Contains(src.Exporters, id) }) {
			ids = append(ids, p.Processors...)
		}
	}
	wait := 5 * time.Second
	for _, id := range ids {
		if b, ok := cfg.Processors[id].(*batchprocessor.Config); ok {
			wait += b.Timeout
		}
	}
	return wait
}

// scrapeUntil scrapes url until ok holds or wait has passed, and returns
// the last exposition, parsed with legacy (Prometheus 2) name validation.
func scrapeUntil(tb testing.TB, url string, wait time.Duration, ok func(map[string]*dto.MetricFamily) bool) (map[string]*dto.MetricFamily, string) {
	tb.Helper()
	deadline := time.Now().Add(wait)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(url)
		if err != nil {
			tb.Fatalf("scrape %s: %v", url, err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			tb.Fatalf("scrape %s: %v", url, err)
		}
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("scrape %s: %s\n%s", url, resp.Status, body)
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("scrape %s: parsing the exposition: %v\n%s", url, err, body)
		}
		if ok(fams) || time.Now().After(deadline) {
			return fams, string(body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// derivedWant is the exposition design-11 derives from the spans observed.
type derivedWant struct {
	tb        testing.TB
	extra     func(resource pcommon.Map) map[string]string
	fams      map[string]map[string]*wantSeries // family, label key
	customers map[string]bool
	reasons   map[string]bool
	// unorderedGauges: the spans were sent concurrently, a gauge's last
	// value is any of the values sent for its series.
	unorderedGauges bool
}

type wantSeries struct {
	labels  map[string]string
	value   float64   // counter, gauge
	count   uint64    // histogram
	sum     float64   // histogram
	buckets []uint64  // histogram: cumulative count per designDurationBuckets bound
	sent    []float64 // gauge: every value sent
}

// newDerivedWant returns an empty expectation. Every series carries, next
// to the design's labels, those the exporter adds: otel_scope_name (the
// connector's scope; otel_scope_version and otel_scope_schema_url are
// written empty, which Prometheus treats as absent), the exporter's
// const_labels (cluster), and job and instance from the resource
// attributes service.name and service.instance.id of the spans, which the
// connectors pass on (all of them unless include_resource_attributes
// lists some). The exporter's target_info family, written only for a
// resource with both job and instance, is allowed and not checked further
// (but for leaks).
func newDerivedWant(tb testing.TB, cfg *otelcol.Config, prom *prometheusexporter.Config) *derivedWant {
	tb.Helper()
	if prom.ResourceToTelemetrySettings.Enabled {
		tb.Fatalf("the prometheus exporter has resource_to_telemetry_conversion enabled: every resource attribute becomes a label; the test does not model it")
	}
	if prom.Namespace != "" {
		tb.Errorf("the prometheus exporter has namespace %q; design-11: no namespace (the instrument names carry genops themselves)", prom.Namespace)
	}
	// The resource attributes the connectors keep: all, or the ones
	// include_resource_attributes lists (the same list in every metric).
	var include []stmconfig.Attribute
	first := true
	for _, eid := range pipelineOf(tb, cfg, gatewayConfig, derivationPipeline).Exporters {
		for _, m := range cfg.Connectors[eid].(*stmconfig.Config).Spans {
			if !first && !sameAttributes(include, m.IncludeResourceAttributes) {
				tb.Fatalf("connector %s, metric %s: include_resource_attributes differs between metrics; the test does not model it", eid, m.Name)
			}
			include, first = m.IncludeResourceAttributes, false
		}
	}
	constLabels := maps.Clone(map[string]string(prom.ConstLabels))
	extra := func(res pcommon.Map) map[string]string {
		l := map[string]string{}
		if !prom.WithoutScopeInfo {
			l["otel_scope_name"] = signalToMetricsScope
		}
		maps.Copy(l, constLabels)
		kept := pcommon.NewMap()
		if len(include) == 0 {
			res.CopyTo(kept)
		} else {
			for _, a := range include {
				if v, ok := res.Get(a.Key); ok {
					v.CopyTo(kept.PutEmpty(a.Key))
				} else if a.DefaultValue != nil {
					_ = kept.PutEmpty(a.Key).FromRaw(a.DefaultValue)
				}
			}
		}
		// The exporter's job: service.namespace/service.name; instance:
		// service.instance.id.
		if name, ok := kept.Get("service.name"); ok {
			job := name.AsString()
			if ns, ok := kept.Get("service.namespace"); ok {
				job = ns.AsString() + "/" + job
			}
			l["job"] = job
		}
		if id, ok := kept.Get("service.instance.id"); ok {
			l["instance"] = id.AsString()
		}
		return l
	}
	tb.Logf("labels the exporter adds to every series, for the resource of the GenOps AI app: %v", extra(resourceOf(genopsAIApp)))
	return &derivedWant{tb: tb, extra: extra, fams: map[string]map[string]*wantSeries{}, customers: map[string]bool{}, reasons: map[string]bool{}}
}

func resourceOf(app genopsApp) pcommon.Map {
	m := pcommon.NewMap()
	m.PutStr("service.name", app.ServiceName)
	m.PutStr("service.instance.id", app.InstanceID)
	return m
}

func sameAttributes(a, b []stmconfig.Attribute) bool {
	return slices.EqualFunc(a, b, func(x, y stmconfig.Attribute) bool {
		return x.Key == y.Key && x.Optional == y.Optional && fmt.Sprint(x.DefaultValue) == fmt.Sprint(y.DefaultValue)
	})
}

// designView returns a span's attributes as design-11's transform/normalize
// leaves them: each alias copied to its canonical name where that is unset
// (genops.cost_usd to genops.cost.total with currency USD, the seed's token
// names, genops.policy_violation "true" to the policy result "violation"),
// and genops.cost.provider and genops.cost.model as fallbacks of
// genops.provider and genops.model.
func designView(attrs pcommon.Map) pcommon.Map {
	a := pcommon.NewMap()
	attrs.CopyTo(a)
	has := func(k string) bool { _, ok := a.Get(k); return ok }
	copyIfUnset := func(from, to string) bool {
		v, ok := a.Get(from)
		if !ok || has(to) {
			return false
		}
		v.CopyTo(a.PutEmpty(to))
		return true
	}
	if copyIfUnset("genops.cost_usd", "genops.cost.total") && !has("genops.cost.currency") {
		a.PutStr("genops.cost.currency", "USD")
	}
	copyIfUnset("genops.tokens_input", "genops.tokens.input")
	copyIfUnset("genops.tokens_output", "genops.tokens.output")
	if v, ok := a.Get("genops.policy_violation"); ok && !has("genops.policy.result") {
		if (v.Type() == pcommon.ValueTypeStr && v.Str() == "true") || (v.Type() == pcommon.ValueTypeBool && v.Bool()) {
			a.PutStr("genops.policy.result", "violation")
		}
	}
	copyIfUnset("genops.cost.provider", "genops.provider")
	copyIfUnset("genops.cost.model", "genops.model")
	return a
}

func number(a pcommon.Map, k string) (float64, bool) {
	v, ok := a.Get(k)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	}
	return 0, false
}

// observe adds what design-11 derives from every span of td.
func (w *derivedWant) observe(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		base := w.extra(rs.Resource().Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				w.observeSpan(base, s)
			}
		}
	}
}

func (w *derivedWant) observeSpan(base map[string]string, s ptrace.Span) {
	raw := s.Attributes()
	if v, ok := raw.Get("genops.customer_id"); ok {
		w.customers[v.AsString()] = true
	}
	if v, ok := raw.Get("genops.policy.reason"); ok {
		w.reasons[v.AsString()] = true
	}
	a := designView(raw)
	has := func(k string) bool { _, ok := a.Get(k); return ok }
	// labels returns base plus label <- attribute for each pair whose
	// attribute is set.
	labels := func(pairs ...string) map[string]string {
		l := maps.Clone(base)
		for i := 0; i < len(pairs); i += 2 {
			if v, ok := a.Get(pairs[i+1]); ok {
				l[pairs[i]] = v.AsString()
			}
		}
		return l
	}
	team, project, costCenter := []string{"team", "genops.team"}, []string{"project", "genops.project"}, []string{"cost_center", "genops.cost_center"}
	provider, mdl := []string{"provider", "genops.provider"}, []string{"model", "genops.model"}
	budget, policy, result := []string{"budget", "genops.budget.name"}, []string{"policy", "genops.policy.name"}, []string{"result", "genops.policy.result"}
	cat := func(xs ...[]string) []string { return slices.Concat(xs...) }

	if has("genops.provider") || has("genops.model") {
		l := labels(cat(team, project, provider, mdl)...)
		l["status"] = "ok"
		if s.Status().Code() == ptrace.StatusCodeError {
			l["status"] = "error"
		}
		w.add("genops_requests_total", l, 1)
		d := time.Duration(s.EndTimestamp() - s.StartTimestamp()).Seconds()
		w.observeHistogram("genops_request_duration_seconds", labels(cat(provider, mdl)...), d)
	}
	if cost, ok := number(a, "genops.cost.total"); ok {
		if cur, ok := a.Get("genops.cost.currency"); !ok || cur.AsString() == "USD" {
			w.add("genops_cost_usd_total", labels(cat(team, project, costCenter, provider, mdl)...), cost)
		}
	}
	for _, tk := range [][2]string{{"input", "genops.tokens.input"}, {"output", "genops.tokens.output"}} {
		if n, ok := number(a, tk[1]); ok {
			l := labels(cat(team, project, provider, mdl)...)
			l["type"] = tk[0]
			w.add("genops_tokens_total", l, n)
		}
	}
	if u, ok := number(a, "genops.budget.utilization_percent"); ok {
		w.set("genops_budget_utilization_percent", labels(cat(team, budget)...), u)
	}
	if rem, ok := number(a, "genops.budget.remaining"); ok {
		w.set("genops_budget_remaining_usd", labels(cat(team, project, budget)...), rem)
	}
	if r, ok := a.Get("genops.policy.result"); ok {
		l := labels(cat(team, policy, result)...)
		w.add("genops_policy_enforcements_total", l, 1)
		if r.AsString() != "allowed" {
			w.add("genops_policy_violations_total", l, 1)
		}
	}
	if score, ok := number(a, "genops.eval.score"); ok {
		w.set("genops_eval_quality_score", labels(cat(team, mdl, []string{"metric", "genops.eval.metric"})...), score)
	}
}

// labelKey is a label set as a string, sorted, empty values left out (an
// empty label is no label to Prometheus).
func labelKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k, v := range l {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, l[k])
	}
	b.WriteByte('}')
	return b.String()
}

func (w *derivedWant) series(name string, l map[string]string) *wantSeries {
	f := w.fams[name]
	if f == nil {
		f = map[string]*wantSeries{}
		w.fams[name] = f
	}
	k := labelKey(l)
	s := f[k]
	if s == nil {
		s = &wantSeries{labels: l, buckets: make([]uint64, len(designDurationBuckets))}
		f[k] = s
	}
	return s
}

func (w *derivedWant) add(name string, l map[string]string, v float64) { w.series(name, l).value += v }
func (w *derivedWant) set(name string, l map[string]string, v float64) {
	s := w.series(name, l)
	s.value = v
	s.sent = append(s.sent, v)
}

func (w *derivedWant) observeHistogram(name string, l map[string]string, v float64) {
	s := w.series(name, l)
	s.count++
	s.sum += v
	for i, b := range designDurationBuckets {
		if v <= b {
			s.buckets[i]++
		}
	}
}

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// scrapedLabels returns a series' labels, empty values left out.
func scrapedLabels(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, lp := range m.GetLabel() {
		if lp.GetValue() != "" {
			l[lp.GetName()] = lp.GetValue()
		}
	}
	return l
}

// compare returns every difference between the exposition and the
// expectation: families (design-11's plus the exporter's target_info,
// nothing else), types, label sets, values, histogram buckets.
func (w *derivedWant) compare(fams map[string]*dto.MetricFamily) []string {
	var out []string
	for name := range fams {
		if strings.HasPrefix(name, "genops_genops_") {
			out = append(out, fmt.Sprintf("family %s: doubled genops_ prefix", name))
		} else if _, ok := designFamilies[name]; !ok && name != "target_info" {
			out = append(out, fmt.Sprintf("family %s: not a metric of design-11", name))
		}
	}
	names := slices.Sorted(maps.Keys(designFamilies))
	for _, name := range names {
		want := w.fams[name]
		mf, ok := fams[name]
		if !ok {
			if len(want) > 0 {
				out = append(out, fmt.Sprintf("family %s (%s): missing; %d series expected", name, designFamilies[name], len(want)))
			}
			continue
		}
		if mf.GetType() != designFamilies[name] {
			out = append(out, fmt.Sprintf("family %s: type %s, want %s", name, mf.GetType(), designFamilies[name]))
			continue
		}
		got := map[string]*dto.Metric{}
		for _, m := range mf.GetMetric() {
			got[labelKey(scrapedLabels(m))] = m
		}
		for _, k := range slices.Sorted(maps.Keys(got)) {
			if _, ok := want[k]; !ok {
				out = append(out, fmt.Sprintf("%s%s: unexpected series", name, k))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			ws := want[k]
			m, ok := got[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s%s: missing series (want %s)", name, k, ws.describe(designFamilies[name])))
				continue
			}
			switch designFamilies[name] {
			case dto.MetricType_COUNTER:
				if !approx(m.GetCounter().GetValue(), ws.value) {
					out = append(out, fmt.Sprintf("%s%s: %g, want %g", name, k, m.GetCounter().GetValue(), ws.value))
				}
			case dto.MetricType_GAUGE:
				if w.unorderedGauges {
					if !slices.ContainsFunc(ws.sent, func(v float64) bool { return approx(v, m.GetGauge().GetValue()) }) {
						out = append(out, fmt.Sprintf("%s%s: %g, not a value sent for the series", name, k, m.GetGauge().GetValue()))
					}
				} else if !approx(m.GetGauge().GetValue(), ws.value) {
					out = append(out, fmt.Sprintf("%s%s: %g, want %g (the last value sent)", name, k, m.GetGauge().GetValue(), ws.value))
				}
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				if h.GetSampleCount() != ws.count || !approx(h.GetSampleSum(), ws.sum) {
					out = append(out, fmt.Sprintf("%s%s: count %d sum %g, want count %d sum %g", name, k, h.GetSampleCount(), h.GetSampleSum(), ws.count, ws.sum))
				}
				var bounds []float64
				var counts []uint64
				for _, b := range h.GetBucket() {
					if !math.IsInf(b.GetUpperBound(), 1) {
						bounds = append(bounds, b.GetUpperBound())
						counts = append(counts, b.GetCumulativeCount())
					}
				}
				if !slices.Equal(bounds, designDurationBuckets) {
					out = append(out, fmt.Sprintf("%s%s: buckets %v, want %v", name, k, bounds, designDurationBuckets))
				} else if !slices.Equal(counts, ws.buckets) {
					out = append(out, fmt.Sprintf("%s%s: cumulative bucket counts %v, want %v", name, k, counts, ws.buckets))
				}
			}
		}
	}
	return out
}

func (s *wantSeries) describe(t dto.MetricType) string {
	if t == dto.MetricType_HISTOGRAM {
		return fmt.Sprintf("count %d sum %g", s.count, s.sum)
	}
	return fmt.Sprint(s.value)
}

// sumBy sums a counter's series by one label, in the exposition and in the
// expectation.
func (w *derivedWant) sumBy(fams map[string]*dto.MetricFamily, name, label string) (got, want map[string]float64) {
	got, want = map[string]float64{}, map[string]float64{}
	if mf, ok := fams[name]; ok {
		for _, m := range mf.GetMetric() {
			got[scrapedLabels(m)[label]] += m.GetCounter().GetValue()
		}
	}
	for _, s := range w.fams[name] {
		want[s.labels[label]] += s.value
	}
	return got, want
}

// logTotals logs, and checks, the totals a dashboard reads: cost by team,
// requests by status, tokens by type, summed over the three exports.
func (w *derivedWant) logTotals(tb testing.TB, fams map[string]*dto.MetricFamily) {
	tb.Helper()
	for _, c := range [][2]string{
		{"genops_cost_usd_total", "team"},
		{"genops_requests_total", "status"},
		{"genops_tokens_total", "type"},
		{"genops_policy_violations_total", "result"},
	} {
		got, want := w.sumBy(fams, c[0], c[1])
		for _, k := range slices.Sorted(maps.Keys(want)) {
			tb.Logf("sum by (%s) (%s){%s=%q} = %g (spans sent: %g)", c[1], c[0], c[1], k, got[k], want[k])
			if !approx(got[k], want[k]) {
				tb.Errorf("sum by (%s) (%s){%s=%q} = %g, want %g", c[1], c[0], c[1], k, got[k], want[k])
			}
		}
	}
}

// leaks returns every label of the exposition (target_info included) whose
// value is a customer id or a policy reason sent, or whose name is one of
// the attributes design-11 keeps off metrics.
func (w *derivedWant) leaks(fams map[string]*dto.MetricFamily) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(fams)) {
		for _, m := range fams[name].GetMetric() {
			for _, lp := range m.GetLabel() {
				v := lp.GetValue()
				if w.customers[v] {
					out = append(out, fmt.Sprintf("%s: label %s carries the customer id %q (genops.customer_id must stay on spans)", name, lp.GetName(), v))
				}
				if w.reasons[v] {
					out = append(out, fmt.Sprintf("%s: label %s carries a policy reason %q", name, lp.GetName(), v))
				}
				for _, bad := range []string{"customer", "reason", "request_", "prompt"} {
					if strings.Contains(lp.GetName(), bad) {
						out = append(out, fmt.Sprintf("%s: label %s: unbounded attributes stay on spans", name, lp.GetName()))
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
