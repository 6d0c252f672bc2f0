package main

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
)

// The two gateway pipelines every GenOps AI span goes through, built by the
// real factories from the rendered production config and fed the same
// batches of 100 spans of mixed shapes:
//
//   - BenchmarkGatewayDerivation: traces/genops-metrics' processors
//     (transform/normalize, transform/labels, and batch as rendered), the
//     signal_to_metrics connectors, metrics/genops' processors
//     (deltatocumulative, batch as rendered), then a no-op consumer instead
//     of the prometheus exporter (no HTTP).
//   - BenchmarkGatewayTracesPipeline: the traces pipeline's processors
//     (transform/normalize, the head sampler if rendered, resource,
//     attributes, batch), then a no-op consumer instead of the OTLP exporter
//     to the sampling tier (no marshalling, no gRPC).
//
// memory_limiter is left out of both: it is the same admission check at the
// head of both pipelines (it refuses data only above limit_mib), and its
// check_interval ticker reads runtime.MemStats, a stop-the-world pause that
// would add noise unrelated to the pipelines' own work.
//
// Processors change the data they are given, so every iteration consumes a
// fresh copy of its batch, made with the timer stopped. A batch processor
// hands the data to its own goroutine, so what follows it (in the
// derivation: the connectors and deltatocumulative) runs on the other core
// while the loop goes on: spans/s is wall-clock throughput, as in the
// Collector, and allocations made by that goroutine while the timer is
// stopped are not counted. The rig's shutdown, which flushes the batch
// processors, runs inside the timer.

const benchBatchSpans = 100

func benchBatches() []ptrace.Traces {
	g := newGenOpsGen(1)
	bs := make([]ptrace.Traces, 32)
	for i := range bs {
		bs[i] = g.MixedBatch(benchBatchSpans)
	}
	return bs
}

func BenchmarkGatewayDerivation(b *testing.B) {
	gw, factories := loadRendered(b, gatewayConfig)
	r := newRig(b, gw, factories, gatewayConfig)
	head := buildDerivation(b, r, gw, []string{"memory_limiter"}, func(pipeline.ID, *pipelineConfig) consumer.Metrics {
		return consumertest.NewNop()
	})
	r.Start()
	runPipelineBench(b, r, head)
}

func BenchmarkGatewayTracesPipeline(b *testing.B) {
	gw, factories := loadRendered(b, gatewayConfig)
	p := pipelineOf(b, gw, gatewayConfig, "traces")
	r := newRig(b, gw, factories, gatewayConfig)
	// k8sattributes needs the Kubernetes API (see buildDerivation).
	head := r.TracesProcessors(without(p.Processors, "memory_limiter", "k8sattributes"), consumertest.NewNop())
	r.Start()
	runPipelineBench(b, r, head)
}

func runPipelineBench(b *testing.B, r *rig, head consumer.Traces) {
	batches := benchBatches()
	ctx := context.Background()
	spans := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		td := ptrace.NewTraces()
		batches[i%len(batches)].CopyTo(td)
		spans += td.SpanCount()
		b.StartTimer()
		if err := head.ConsumeTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
	}
	r.Shutdown()
	b.ReportMetric(float64(spans)/b.Elapsed().Seconds(), "spans/s")
}
