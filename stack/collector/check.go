package collector

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"

	"github.com/koshihq/genops-stack/internal/finding"
)

// pullReceivers scrape or poll: every replica does the whole job.
var pullReceivers = map[string]bool{"prometheus": true, "k8s_cluster": true}

// pullExporters are scraped: they serve what they hold, nothing is sent.
var pullExporters = map[string]bool{"prometheus": true}

// Check reports what the Collector would only reveal at start-up or in
// production: pipelines naming components that are not configured or not
// headed by memory_limiter, a health check the probes do not reach, pull
// receivers or tail sampling in a replicated workload, and credentials that
// are not read from a Secret. The memory_limiter's limits are percentages of
// the container's memory limit (memoryLimiter), which kube.CheckPosture
// requires every container to set.
func Check(artifact string, instances []Instance) finding.List {
	var fs finding.List
	for _, in := range instances {
		obj := "collector " + in.Name
		if !in.NodeAgent && in.Workload.Replicas < 1 {
			fs.Errorf(artifact, obj, "replicas", "replicas must be at least 1, got %d", in.Workload.Replicas)
		}
		checkPipelines(&fs, artifact, obj, in)
		checkTailSampling(&fs, artifact, obj, in)
		checkHealth(&fs, artifact, obj, in)
		checkSecrets(&fs, artifact, obj, in)
	}
	return fs
}

// replication reports whether more than one copy of the instance runs, and
// how many, for messages.
func (in Instance) replication() (replicated bool, what string) {
	if in.NodeAgent {
		return true, "one replica per node"
	}
	return in.Workload.Replicas > 1, fmt.Sprintf("%d replicas", in.Workload.Replicas)
}

// checkTailSampling rejects tail_sampling in a replicated instance: spans of
// one trace reach different replicas through the Service, and each replica
// decides on the part it holds. Only a trace-ID-aware load balancer in front
// (the loadbalancing exporter, routing_key traceID) would make replicas safe,
// and genops-stack does not configure one.
func checkTailSampling(fs *finding.List, artifact, obj string, in Instance) {
	replicated, what := in.replication()
	if !replicated {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(in.Config.Service.Pipelines)) {
		for _, p := range in.Config.Service.Pipelines[name].Processors {
			if p == "tail_sampling" {
				fs.Errorf(artifact, obj, "tail-sampling-replicas", "pipeline %s runs tail_sampling with %s, not fed by trace-ID load balancing: spans of one trace reach different replicas and each decides on part of the trace; run the sampling tier with one replica", name, what)
			}
		}
	}
}

var envRef = regexp.MustCompile(`^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$`)

// checkSecrets requires every exporter header to be an ${env:NAME}
// reference to a variable the container reads from a Secret: a literal
// header value is a credential in the config, in Git and in out/.
func checkSecrets(fs *finding.List, artifact, obj string, in Instance) {
	fromSecret := map[string]bool{}
	for _, e := range in.Env {
		fromSecret[e.Name] = e.Secret.Name != "" && e.Secret.Key != ""
	}
	e := in.Config.Exporters
	for _, x := range []struct {
		id  string
		exp *OTLPExporter
	}{{"otlp_grpc/traces", e.OTLPTraces}, {"otlp_grpc/sampler", e.OTLPSampler}, {"otlp_grpc/gateway", e.OTLPGateway}, {"otlp_grpc/honeycomb", e.OTLPHoneycomb}} {
		if x.exp == nil {
			continue
		}
		for _, h := range slices.Sorted(maps.Keys(x.exp.Headers)) {
			m := envRef.FindStringSubmatch(x.exp.Headers[h])
			switch {
			case m == nil:
				fs.Errorf(artifact, obj, "secret-inline", "exporter %s header %s holds a literal value: credentials must come from a Secret, as ${env:NAME} with NAME set from a secretKeyRef", x.id, h)
			case !fromSecret[m[1]]:
				fs.Errorf(artifact, obj, "secret-inline", "exporter %s header %s reads ${env:%s}, which the container does not set from a Secret", x.id, h, m[1])
			}
		}
	}
}

func checkPipelines(fs *finding.List, artifact, obj string, in Instance) {
	c := in.Config
	configured := map[string]map[string]bool{
		"receiver":  ids(c.Receivers),
		"processor": ids(c.Processors),
		"exporter":  ids(c.Exporters),
	}
	// A connector is the exporter of one pipeline and the receiver of another.
	connectors := map[string]bool{}
	for id := range c.Connectors {
		connectors[id] = true
		configured["receiver"][id] = true
		configured["exporter"][id] = true
	}
	used := map[string]map[string]bool{"receiver": {}, "processor": {}, "exporter": {}}
	names := slices.Sorted(maps.Keys(c.Service.Pipelines))
	if len(names) == 0 {
		fs.Errorf(artifact, obj, "pipeline", "has no pipelines")
	}
	for _, n := range names {
		p := c.Service.Pipelines[n]
		for _, part := range []struct {
			kind string
			ids  []string
		}{{"receiver", p.Receivers}, {"processor", p.Processors}, {"exporter", p.Exporters}} {
			kind := part.kind
			for _, id := range part.ids {
				used[kind][id] = true
				if !configured[kind][id] {
					fs.Errorf(artifact, obj, "pipeline-component", "pipeline %s names %s %s, which is not configured", n, kind, id)
				}
				if kind == "receiver" && pullReceivers[id] && in.Workload.Replicas > 1 {
					fs.Errorf(artifact, obj, "pull-receiver-replicas", "pipeline %s runs the pull receiver %s with %d replicas: every replica scrapes every target and each series is written %d times; run pull receivers in a single-replica collector", n, id, in.Workload.Replicas, in.Workload.Replicas)
				}
				if kind == "receiver" && pullReceivers[id] && in.NodeAgent {
					fs.Errorf(artifact, obj, "pull-receiver-replicas", "pipeline %s runs the pull receiver %s on every node: every agent scrapes every target; run pull receivers in a single-replica collector", n, id)
				}
			}
		}
		if len(p.Receivers) == 0 || len(p.Exporters) == 0 {
			fs.Errorf(artifact, obj, "pipeline", "pipeline %s needs at least one receiver and one exporter", n)
		}
		fedByConnectors := len(p.Receivers) > 0 && !slices.ContainsFunc(p.Receivers, func(r string) bool { return !connectors[r] })
		if !fedByConnectors && (len(p.Processors) == 0 || p.Processors[0] != "memory_limiter") {
			fs.Errorf(artifact, obj, "processor-order", "pipeline %s: memory_limiter must be the first processor, so data is refused before it is buffered", n)
		}
		// Batching pays before a push exporter; a connector aggregates what
		// it gets, and the prometheus exporter is scraped.
		pushes := slices.ContainsFunc(p.Exporters, func(e string) bool { return !connectors[e] && !pullExporters[e] })
		if pushes && len(p.Processors) > 0 && p.Processors[len(p.Processors)-1] != "batch" {
			fs.Warnf(artifact, obj, "processor-order", "pipeline %s: batch should be the last processor", n)
		}
	}
	for _, kind := range []string{"receiver", "processor", "exporter"} {
		for _, id := range slices.Sorted(maps.Keys(configured[kind])) {
			if !used[kind][id] && !connectors[id] {
				fs.Warnf(artifact, obj, "unused-component", "%s %s is configured but no pipeline uses it", kind, id)
			}
		}
	}
	ext := ids(c.Extensions)
	for _, e := range c.Service.Extensions {
		if !ext[e] {
			fs.Errorf(artifact, obj, "pipeline-component", "service names extension %s, which is not configured", e)
		}
	}
}

func checkHealth(fs *finding.List, artifact, obj string, in Instance) {
	hc := in.Config.Extensions.HealthCheck
	enabled := false
	for _, e := range in.Config.Service.Extensions {
		enabled = enabled || e == "health_check"
	}
	if hc == nil || !enabled {
		fs.Errorf(artifact, obj, "health-check", "the health_check extension must be configured and enabled: the liveness and readiness probes call it")
		return
	}
	_, portStr, err := net.SplitHostPort(hc.Endpoint)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil {
		fs.Errorf(artifact, obj, "health-check", "health_check endpoint %q is not host:port", hc.Endpoint)
		return
	}
	for _, p := range in.Ports {
		if p.Name == healthPortName {
			if int(p.Port) != port {
				fs.Errorf(artifact, obj, "health-check", "probes call port %s (%d) but health_check listens on %d", healthPortName, p.Port, port)
			}
			return
		}
	}
	fs.Errorf(artifact, obj, "health-check", "declares no %q port for the probes; health_check listens on %d", healthPortName, port)
}

// ids returns the component IDs configured in a Receivers, Processors,
// Exporters or Extensions value: the keys it renders with.
func ids(v any) map[string]bool {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("collector: marshaling %T: %v", v, err))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		panic(fmt.Sprintf("collector: %T is not an object: %v", v, err))
	}
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
