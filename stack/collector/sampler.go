package collector

import (
	"fmt"

	"github.com/koshihq/genops-stack/internal/kube"
)

// sampler is the tail-sampling tier: OTLP traces from the gateway in,
// tail_sampling, the kept traces out to the backends. Tail sampling decides
// on complete traces, so every span of a trace must reach the same instance:
// the tier runs one replica, never two at once (Singleton), and the gateway
// sends to it through its Service. The gateway's exporter queue and retries
// bridge the gap while the single pod restarts.
func sampler(s Spec, w Wiring) Instance {
	b := s.Batch
	cfg := Config{
		Receivers: Receivers{OTLP: &OTLPReceiver{Protocols: OTLPProtocols{
			GRPC: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortOTLPGRPC)},
		}}},
		Processors: Processors{
			MemoryLimiter: memoryLimiter(),
			Batch:         &b,
			TailSampling:  w.Sampling.Tail.Processor(),
		},
		Extensions: Extensions{HealthCheck: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortHealth)}},
		Service: Service{
			Extensions: []string{"health_check"},
			Telemetry:  telemetry(s),
		},
	}
	in := Instance{
		Name:     SamplerName,
		Workload: s.Sampler,
		Ports: []kube.Port{
			{Name: otlpGRPCPortName, Port: PortOTLPGRPC},
			{Name: TelemetryPortName, Port: PortTelemetry},
			{Name: healthPortName, Port: PortHealth},
		},
		Singleton: true,
	}
	exporters := exportTraces(&cfg, &in, w)
	if s.Debug != "" {
		cfg.Exporters.Debug = &DebugExporter{Verbosity: s.Debug}
	}
	cfg.Service.Pipelines = map[string]Pipeline{
		"traces": {
			Receivers:  []string{"otlp"},
			Processors: []string{"memory_limiter", "tail_sampling", "batch"},
			Exporters:  withDebug(s, exporters...),
		},
	}
	in.Config = cfg
	return in
}
