package main

// A rig builds pieces of a rendered Collector config with the real
// factories: a pipeline's processors chained in order to a consumer, the
// connectors between pipelines, an exporter. It starts them with a no-op
// host, downstream first as the Collector does, and shuts them down in
// t.Cleanup, upstream first.

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/otelcol/otelcoltest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// The rendered production configs (make generate writes them).
const (
	gatewayConfig = "../../out/otel/production/collector.yaml"
	samplerConfig = "../../out/otel/production/collector-sampler.yaml"
)

// loadRendered loads a rendered config with the real factories and runs
// every component's Validate; it skips when the file is not rendered.
func loadRendered(tb testing.TB, path string) (*otelcol.Config, otelcol.Factories) {
	tb.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		tb.Skipf("%s is not rendered (run make generate in the repository root first)", path)
	}
	factories, err := Factories()
	if err != nil {
		tb.Fatal(err)
	}
	// The token variable of bearertokenauth, as validation sets it.
	if err := stubSecretEnv(path); err != nil {
		tb.Fatal(err)
	}
	cfg, err := otelcoltest.LoadConfigAndValidate(path, factories)
	if err != nil {
		tb.Fatalf("%s: %s", path, OneLine(err))
	}
	return cfg, factories
}

// pipelineOf returns the pipeline called name ("traces/genops-metrics").
func pipelineOf(tb testing.TB, cfg *otelcol.Config, path, name string) pipelineConfig {
	tb.Helper()
	var id pipeline.ID
	if err := id.UnmarshalText([]byte(name)); err != nil {
		tb.Fatal(err)
	}
	p, ok := cfg.Service.Pipelines[id]
	if !ok {
		tb.Fatalf("%s has no pipeline %s", path, name)
	}
	return pipelineConfig{Receivers: p.Receivers, Processors: p.Processors, Exporters: p.Exporters}
}

type pipelineConfig struct {
	Receivers, Processors, Exporters []component.ID
}

// mustID parses a component id ("transform/normalize").
func mustID(tb testing.TB, s string) component.ID {
	tb.Helper()
	var id component.ID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		tb.Fatal(err)
	}
	return id
}

// without returns ids without those of the given types.
func without(ids []component.ID, types ...string) []component.ID {
	return slices.DeleteFunc(slices.Clone(ids), func(id component.ID) bool { return slices.Contains(types, id.Type().String()) })
}

type rig struct {
	tb        testing.TB
	factories otelcol.Factories
	cfg       *otelcol.Config
	path      string
	comps     []component.Component // creation order: downstream first
	started   bool
	stopped   bool
	logger    *zap.Logger
	// mp, when set, receives the components' own telemetry
	// (deltatocumulative counts the data points it drops, and why).
	mp metric.MeterProvider
}

// newRig returns a rig for the config loaded from path. The components log
// warnings and errors to the test log (an OTTL statement failing at run
// time, a dropped data point).
func newRig(tb testing.TB, cfg *otelcol.Config, factories otelcol.Factories, path string) *rig {
	r := &rig{tb: tb, factories: factories, cfg: cfg, path: path, logger: zaptest.NewLogger(tb, zaptest.Level(zap.WarnLevel))}
	tb.Cleanup(r.Shutdown)
	return r
}

// telemetry is what the Collector gives every component: its logger and
// its resource, which carries service.instance.id (signal_to_metrics copies
// it to its metrics as signal_to_metrics.service.instance.id).
func (r *rig) telemetry() component.TelemetrySettings {
	ts := componenttest.NewNopTelemetrySettings()
	ts.Logger = r.logger
	res := pcommon.NewResource()
	res.Attributes().PutStr("service.name", "otelcol-contrib")
	res.Attributes().PutStr("service.instance.id", "gateway-test-0")
	ts.Resource = res
	if r.mp != nil {
		ts.MeterProvider = r.mp
	}
	return ts
}

func (r *rig) processorConfig(id component.ID) component.Config {
	c, ok := r.cfg.Processors[id]
	if !ok {
		r.tb.Fatalf("%s has no processor %s", r.path, id)
	}
	return c
}

// processor looks up a processor's factory and rendered config and makes
// its settings.
func (r *rig) processor(id component.ID) (processor.Factory, processor.Settings, component.Config) {
	r.tb.Helper()
	f, ok := r.factories.Processors[id.Type()]
	if !ok {
		r.tb.Fatalf("no factory for processor %s", id)
	}
	set := processortest.NewNopSettings(id.Type())
	set.ID = id
	set.TelemetrySettings = r.telemetry()
	return f, set, r.processorConfig(id)
}

// created keeps a processor to start and stop, or fails the test.
func (r *rig) created(id component.ID, p component.Component, err error) {
	r.tb.Helper()
	if err != nil {
		r.tb.Fatalf("%s: processor %s: %v", r.path, id, err)
	}
	r.comps = append(r.comps, p)
}

// TracesProcessors creates the processors ids, in order, feeding next, and
// returns the first.
func (r *rig) TracesProcessors(ids []component.ID, next consumer.Traces) consumer.Traces {
	r.tb.Helper()
	for _, id := range slices.Backward(ids) {
		f, set, cfg := r.processor(id)
		p, err := f.CreateTraces(context.Background(), set, cfg, next)
		r.created(id, p, err)
		next = p
	}
	return next
}

// MetricsProcessors creates the processors ids, in order, feeding next,
// and returns the first.
func (r *rig) MetricsProcessors(ids []component.ID, next consumer.Metrics) consumer.Metrics {
	r.tb.Helper()
	for _, id := range slices.Backward(ids) {
		f, set, cfg := r.processor(id)
		p, err := f.CreateMetrics(context.Background(), set, cfg, next)
		r.created(id, p, err)
		next = p
	}
	return next
}

// TracesToMetrics creates the connector id from traces to next.
func (r *rig) TracesToMetrics(id component.ID, next consumer.Metrics) consumer.Traces {
	r.tb.Helper()
	f, ok := r.factories.Connectors[id.Type()]
	if !ok {
		r.tb.Fatalf("no factory for connector %s", id)
	}
	c, ok := r.cfg.Connectors[id]
	if !ok {
		r.tb.Fatalf("%s has no connector %s", r.path, id)
	}
	set := connectortest.NewNopSettings(id.Type())
	set.ID = id
	set.TelemetrySettings = r.telemetry()
	conn, err := f.CreateTracesToMetrics(context.Background(), set, c, next)
	if err != nil {
		r.tb.Fatalf("%s: connector %s: %v", r.path, id, err)
	}
	r.comps = append(r.comps, conn)
	return conn
}

// MetricsExporter creates the exporter id with config c (the rendered one,
// or a copy the test changed).
func (r *rig) MetricsExporter(id component.ID, c component.Config) consumer.Metrics {
	r.tb.Helper()
	f, ok := r.factories.Exporters[id.Type()]
	if !ok {
		r.tb.Fatalf("no factory for exporter %s", id)
	}
	set := exportertest.NewNopSettings(id.Type())
	set.ID = id
	set.TelemetrySettings = r.telemetry()
	e, err := f.CreateMetrics(context.Background(), set, c)
	if err != nil {
		r.tb.Fatalf("%s: exporter %s: %v", r.path, id, err)
	}
	r.comps = append(r.comps, e)
	return e
}

// Start starts every component created so far, downstream first.
func (r *rig) Start() {
	r.tb.Helper()
	host := componenttest.NewNopHost()
	for i, c := range r.comps {
		if err := c.Start(context.Background(), host); err != nil {
			r.comps = r.comps[:i] // shut down only what started
			r.tb.Fatalf("%s: start: %v", r.path, err)
		}
	}
	r.started = true
}

// Shutdown shuts the components down, upstream first; it runs once, in
// t.Cleanup unless the test calls it earlier (a benchmark flushing its
// batch processor inside the timer).
func (r *rig) Shutdown() {
	if r.stopped || !r.started {
		return
	}
	r.stopped = true
	for _, c := range slices.Backward(r.comps) {
		if err := c.Shutdown(context.Background()); err != nil {
			r.tb.Errorf("%s: shutdown: %v", r.path, err)
		}
	}
}

// fanoutTraces passes the same data to every consumer: the connectors do
// not mutate it (the Collector's fan-out clones only for mutating ones).
func fanoutTraces(cs ...consumer.Traces) consumer.Traces {
	if len(cs) == 1 {
		return cs[0]
	}
	f, _ := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
		var errs []error
		for _, c := range cs {
			errs = append(errs, c.ConsumeTraces(ctx, td))
		}
		return errors.Join(errs...)
	})
	return f
}

// fanoutMetrics passes a copy of the data to every consumer but the last.
func fanoutMetrics(cs ...consumer.Metrics) consumer.Metrics {
	if len(cs) == 1 {
		return cs[0]
	}
	f, _ := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		var errs []error
		for i, c := range cs {
			d := md
			if i < len(cs)-1 {
				d = pmetric.NewMetrics()
				md.CopyTo(d)
			}
			errs = append(errs, c.ConsumeMetrics(ctx, d))
		}
		return errors.Join(errs...)
	})
	return f
}
