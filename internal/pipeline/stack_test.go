package pipeline

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/differ"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/tracing"
)

var update = flag.Bool("update", false, "rewrite out/ (the golden tree) from the definitions")

func generate(t testing.TB, def stack.Definition) *Result {
	t.Helper()
	res, err := Generate(def, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustGenerate(t testing.TB) *Result {
	t.Helper()
	return mustGenerateDef(t, stack.Default())
}

// mustGenerateDef is Generate of def, failing t on an error or an error
// finding.
func mustGenerateDef(t testing.TB, def stack.Definition) *Result {
	t.Helper()
	res := generate(t, def)
	if res.Findings.Errors() > 0 {
		t.Fatalf("definition has errors:\n%v", res.Findings)
	}
	return res
}

// TestGolden compares the rendered tree with the committed out/, which is
// the golden tree; -update rewrites it.
func TestGolden(t *testing.T) {
	res := mustGenerate(t)
	out := filepath.Join(testutil.RepoRoot(t), "out")
	if *update {
		if _, err := writer.Replace(out, res.Files); err != nil {
			t.Fatal(err)
		}
		return
	}
	tree, err := writer.ReadTree(out)
	if err != nil {
		t.Fatal(err)
	}
	if r := differ.Compare(res.Files, tree); !r.Clean() {
		t.Errorf("out/ is stale; run `go test ./internal/pipeline -update` or `make generate`:\n%s", r)
	}
}

// TestDefaultFindings: the definition has no errors, and the only warnings
// are the declared posture exceptions, reported on every run.
func TestDefaultFindings(t *testing.T) {
	res := mustGenerate(t)
	got := res.Findings.Strings()
	// The node agent (the environments that collect logs with filelog)
	// runs as root to read the kubelet's log files.
	var want []string
	def := stack.Default()
	for _, env := range append([]stack.Environment{def.Base}, def.Environments...) {
		if env.Logging.Agent == logging.Filelog {
			want = append(want, "warning: "+env.Artifact()+": DaemonSet monitoring/otel-collector-agent: container otel-collector: breaks run-as-non-root by declared exception: runs as root to read /var/log/pods, whose files the kubelet makes readable by root only")
		}
	}
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatal("no environment runs the filelog agent: this test checks nothing")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDeterministic(t *testing.T) {
	a := mustGenerate(t)
	prev := runtime.GOMAXPROCS(1)
	b := mustGenerate(t)
	runtime.GOMAXPROCS(prev)
	if r := differ.Compare(a.Files, toTree(b)); !r.Clean() {
		t.Errorf("GOMAXPROCS=1 render differs from the default:\n%s", r)
	}
	c := mustGenerate(t)
	if r := differ.Compare(a.Files, toTree(c)); !r.Clean() {
		t.Errorf("two renders differ:\n%s", r)
	}
}

func toTree(r *Result) map[string][]byte {
	tree := map[string][]byte{}
	for _, f := range r.Files.Files() {
		tree[f.Path] = f.Data
	}
	return tree
}

// TestBadDefinitions feeds one mistake at a time and asserts the exact findings.
func TestBadDefinitions(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*stack.Environment)
		want   []string
	}{
		{"replicas 0", func(e *stack.Environment) { e.Collector.Gateway.Replicas = 0 },
			[]string{"environment production: collector otel-collector: replicas must be at least 1, got 0"}},
		{"latest image", func(e *stack.Environment) { e.Collector.Image = "otel/opentelemetry-collector-contrib:latest" },
			[]string{
				`environment production: DaemonSet monitoring/otel-collector-agent: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector-cluster: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
				`environment production: Deployment monitoring/otel-collector-sampler: container otel-collector: image "otel/opentelemetry-collector-contrib:latest" uses the latest tag: pin a version`,
			}},
		{"unpinned image", func(e *stack.Environment) { e.Collector.Image = "otel/opentelemetry-collector-contrib" },
			[]string{
				`environment production: DaemonSet monitoring/otel-collector-agent: container otel-collector: image "otel/opentelemetry-collector-contrib" is not pinned: give it a version tag or a digest`,
				`environment production: Deployment monitoring/otel-collector: container otel-collector: image "otel/opentelemetry-collector-contrib" is not pinned: give it a version tag or a digest`,
				`environment production: Deployment monitoring/otel-collector-cluster: container otel-collector: image "otel/opentelemetry-collector-contrib" is not pinned: give it a version tag or a digest`,
				`environment production: Deployment monitoring/otel-collector-sampler: container otel-collector: image "otel/opentelemetry-collector-contrib" is not pinned: give it a version tag or a digest`,
			}},
		{"no cluster name", func(e *stack.Environment) { e.Cluster = "" },
			[]string{"environment production: environment: has no cluster name: set Cluster, it becomes the cluster label of every series"}},
		{"pull receivers replicated", func(e *stack.Environment) { e.Collector.Cluster.Replicas = 3 },
			[]string{
				"environment production: collector otel-collector-cluster: pipeline metrics runs the pull receiver k8s_cluster with 3 replicas: every replica scrapes every target and each series is written 3 times; run pull receivers in a single-replica collector",
				"environment production: collector otel-collector-cluster: pipeline metrics runs the pull receiver prometheus with 3 replicas: every replica scrapes every target and each series is written 3 times; run pull receivers in a single-replica collector",
			}},
		{"unknown tracing backend", func(e *stack.Environment) { e.Tracing = "zipkin" },
			[]string{`environment production: tracing: unknown tracing backend "zipkin" (want "tempo" or "jaeger")`}},
		{"bad retention", func(e *stack.Environment) { e.Monitoring.Retention = "30 days" },
			[]string{`environment production: kube-prometheus-stack: retention "30 days" is not a Prometheus duration: unknown unit " days" in duration "30 days"`}},
		{"no Grafana admin secret", func(e *stack.Environment) { e.Monitoring.GrafanaAdminSecret = "" },
			[]string{"environment production: kube-prometheus-stack: GrafanaAdminSecret must name the existing Secret holding Grafana's admin credentials"}},
		{"latency threshold 0", func(e *stack.Environment) { e.Sampling.Tail.Policies[1].Latency.Threshold = 0 },
			[]string{`environment production: sampling policy latency-policy: latency threshold must be at least 1ms, got "0s": a zero threshold keeps every trace`}},
		{"percentage over 100", func(e *stack.Environment) { e.Sampling.Tail.Policies[5].Probabilistic.Percentage = 150 },
			[]string{"environment production: sampling policy probabilistic-policy: sampling percentage 150 must be above 0 and at most 100"}},
		{"unknown policy attribute type", func(e *stack.Environment) { e.Sampling.Tail.Policies[3].NumericAttribute.Type = "float" },
			[]string{`environment production: sampling policy high-cost-policy: attribute genops.cost.total has unknown type "float": want "int" or "double" (the value type the instrumentation sets)`}},
		{"head sampler in front of tail sampling", func(e *stack.Environment) { e.Sampling.Head = &sampling.Head{Percentage: 10} },
			[]string{"environment production: head sampler: keeps 10% of traces before tail sampling sees them, so error-policy, latency-policy, governance-policy, high-cost-policy, premium-customer-policy keep only 10% of the traces they exist to keep; drop the head sampler (a probabilistic tail policy samples the rest) or set it to 100"}},
		{"tail sampling replicated", func(e *stack.Environment) { e.Collector.Sampler.Replicas = 2 },
			[]string{"environment production: collector otel-collector-sampler: pipeline traces runs tail_sampling with 2 replicas, not fed by trace-ID load balancing: spans of one trace reach different replicas and each decides on part of the trace; run the sampling tier with one replica"}},
		{"Honeycomb without its Secret", func(e *stack.Environment) { e.Integrations.Honeycomb.Secret = "" },
			[]string{
				"environment production: collector otel-collector-sampler: exporter otlp_grpc/honeycomb header x-honeycomb-team reads ${env:HONEYCOMB_API_KEY}, which the container does not set from a Secret",
				"environment production: honeycomb: is enabled but needs Endpoint, Secret and Key: the API key is read from that Secret, never written in the config",
			}},
		{"Tempo without retention", func(e *stack.Environment) { e.Tempo.Retention = 0 },
			[]string{"environment production: tempo: retention must be above 0, got 0s"}},
		{"Jaeger on Elasticsearch without a password Secret", func(e *stack.Environment) {
			e.Tracing = tracing.Jaeger
			e.Jaeger.Memory = nil
			e.Jaeger.Elasticsearch = &tracing.JaegerElasticsearch{URL: "https://elasticsearch.monitoring.svc:9200", Username: "jaeger", IndexPrefix: "genops"}
		}, []string{"environment production: jaeger: the Elasticsearch store needs PasswordSecret and PasswordKey: the password is read from a Secret, never written in the values"}},
		{"unknown log agent", func(e *stack.Environment) { e.Logging.Agent = "fluentd" },
			[]string{`environment production: logging: unknown log agent "fluentd": want "filelog" (supported) or "promtail" (end-of-life)`}},
		{"Loki retention in hours", func(e *stack.Environment) { e.Logging.Loki.Retention = 36 * time.Hour },
			[]string{"environment production: loki: retention 36h0m0s must be a positive multiple of 24h, Loki's index period"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertBadProduction(t, tt.mutate, tt.want) })
	}
}

// assertBadProduction generates the default stack with production changed
// by mutate, and asserts exactly the errors want and that nothing rendered.
func assertBadProduction(t *testing.T, mutate func(*stack.Environment), want []string) {
	t.Helper()
	def := stack.Default()
	prod, ok := def.Environment(stack.Production().Name)
	if !ok {
		t.Fatal("the default definition has no production environment")
	}
	mutate(prod)
	res := generate(t, def)
	assertErrors(t, res.Findings, want)
	if res.Files != nil {
		t.Error("files rendered despite errors")
	}
}

func assertErrors(t *testing.T, fs finding.List, want []string) {
	t.Helper()
	var got []string
	for _, f := range fs {
		if f.Severity == finding.Error {
			got = append(got, f.String())
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadAssembledStack breaks what no Environment field controls, in the
// assembled model, and asserts what Check reports.
func TestBadAssembledStack(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Stack)
		want   []string
	}{
		{"probe on a port no container declares", func(s *Stack) {
			dep := find[*appsv1.Deployment](t, s, "otel-collector")
			dep.Spec.Template.Spec.Containers[0].LivenessProbe.HTTPGet.Port = intstr.FromInt32(13134)
		}, []string{"environment production: Deployment monitoring/otel-collector: container otel-collector: liveness probe uses port 13134, which no container of the pod declares"}},
		{"pipeline names an unconfigured exporter", func(s *Stack) {
			p := s.Collectors[0].Config.Service.Pipelines["traces"]
			p.Exporters = []string{"otlp/jaeger"}
			s.Collectors[0].Config.Service.Pipelines["traces"] = p
		}, []string{"environment production: collector otel-collector: pipeline traces names exporter otlp/jaeger, which is not configured"}},
		{"memory_limiter not first", func(s *Stack) {
			p := s.Collectors[0].Config.Service.Pipelines["logs"]
			p.Processors = []string{"batch", "memory_limiter"}
			s.Collectors[0].Config.Service.Pipelines["logs"] = p
		}, []string{"environment production: collector otel-collector: pipeline logs: memory_limiter must be the first processor, so data is refused before it is buffered"}},
		{"health check on another port", func(s *Stack) {
			s.Collectors[1].Config.Extensions.HealthCheck.Endpoint = "0.0.0.0:13134"
		}, []string{"environment production: collector otel-collector-cluster: probes call port health (13133) but health_check listens on 13134"}},
		{"ServiceMonitor port not on the Service", func(s *Stack) {
			find[*monitoringv1.ServiceMonitor](t, s, "genops-otel-metrics").Spec.Endpoints[0].Port = "prom"
		}, []string{`environment production: ServiceMonitor monitoring/genops-otel-metrics: endpoint port "prom" is not a port of Service monitoring/otel-collector (ports otlp-grpc, otlp-http, metrics, prometheus): it scrapes nothing; name a port of the Service`}},
		{"pod scraped by two jobs", func(s *Stack) {
			m := find[*monitoringv1.PodMonitor](t, s, "otel-collector").DeepCopy()
			m.Name = "collector-telemetry"
			s.Components = append(s.Components, component.Component{Name: "extra", Kube: kube.Component{Objects: []kube.Object{m}}})
		}, []string{
			"environment production: DaemonSet monitoring/otel-collector-agent: port 8888 /metrics is scraped by PodMonitor monitoring/collector-telemetry and PodMonitor monitoring/otel-collector: every series would be stored 2 times; scrape each pod in one job",
			"environment production: Deployment monitoring/otel-collector: port 8888 /metrics is scraped by PodMonitor monitoring/collector-telemetry and PodMonitor monitoring/otel-collector: every series would be stored 2 times; scrape each pod in one job",
			"environment production: Deployment monitoring/otel-collector-cluster: port 8888 /metrics is scraped by PodMonitor monitoring/collector-telemetry and PodMonitor monitoring/otel-collector: every series would be stored 2 times; scrape each pod in one job",
			"environment production: Deployment monitoring/otel-collector-sampler: port 8888 /metrics is scraped by PodMonitor monitoring/collector-telemetry and PodMonitor monitoring/otel-collector: every series would be stored 2 times; scrape each pod in one job",
		}},
		{"Honeycomb key written in the config", func(s *Stack) {
			s.Collectors[2].Config.Exporters.OTLPHoneycomb.Headers["x-honeycomb-team"] = "hcaik_0123456789"
		}, []string{"environment production: collector otel-collector-sampler: exporter otlp_grpc/honeycomb header x-honeycomb-team holds a literal value: credentials must come from a Secret, as ${env:NAME} with NAME set from a secretKeyRef"}},
		{"posture exception that excuses nothing", func(s *Stack) {
			dep := find[*appsv1.DaemonSet](t, s, "otel-collector-agent")
			dep.Spec.Template.Spec.SecurityContext = kube.RestrictedPodSecurity(10001)
			dep.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = kube.Ptr(true)
		}, []string{"environment production: DaemonSet monitoring/otel-collector-agent: container otel-collector: declares an exception to run-as-non-root but does not break it: remove the exception"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Build(stack.Production())
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(s)
			assertErrors(t, Check(s), tt.want)
		})
	}
}

func find[T kube.Object](t *testing.T, s *Stack, name string) T {
	t.Helper()
	for _, o := range s.Objects() {
		if x, ok := o.(T); ok && o.GetName() == name {
			return x
		}
	}
	var zero T
	t.Fatalf("no %T named %s", zero, name)
	return zero
}

// TestOverlaysBuildToEnvironment runs the pinned kustomize over every overlay
// and checks that the result is exactly the environment's objects: the
// patches the overlay holds reproduce what Build assembled.
func TestOverlaysBuildToEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kustomize")
	}
	res := mustGenerate(t)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := writer.Replace(dir, res.Files); err != nil {
		t.Fatal(err)
	}
	def := stack.Default()
	for _, env := range def.Environments {
		t.Run(env.Name, func(t *testing.T) {
			s, err := Build(env)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := testutil.GoTool(t, "kustomize", "build", filepath.Join(dir, "kubernetes/overlays", env.Name))
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr)
			}
			got := parseDocs(t, normalizeHashes(t, stdout, s))
			unwrapSecretData(got)
			want := expectedDocs(t, s)
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s missing from kustomize output", k)
					continue
				}
				gy, _ := yaml.Marshal(g)
				wy, _ := yaml.Marshal(w)
				if !bytes.Equal(gy, wy) {
					t.Errorf("%s differs:\n%s", k, differ.Unified(k, wy, gy))
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s is in the kustomize output but not in the environment", k)
				}
			}
		})
	}
}

func normalizeHashes(t *testing.T, out []byte, s *Stack) []byte {
	t.Helper()
	for _, c := range component.Kube(s.Components) {
		for _, g := range c.Generators {
			if g.NoHash {
				continue
			}
			re := regexp.MustCompile(`\b` + regexp.QuoteMeta(g.Name) + `-[a-z0-9]{10}\b`)
			if !re.Match(out) {
				t.Errorf("generated %s %s has no hash suffix in the kustomize output", g.Kind, g.Name)
			}
			out = re.ReplaceAll(out, []byte(g.Name))
		}
	}
	return out
}

// unwrapSecretData joins the base64 of Secret data, which kustomize wraps
// at 70 columns (Kubernetes ignores the line breaks when decoding).
func unwrapSecretData(docs map[string]map[string]any) {
	for _, d := range docs {
		data, _ := d["data"].(map[string]any)
		if d["kind"] != "Secret" {
			continue
		}
		for k, v := range data {
			data[k] = strings.ReplaceAll(v.(string), "\n", "")
		}
	}
}

func docKey(m map[string]any) string {
	md, _ := m["metadata"].(map[string]any)
	return fmt.Sprintf("%s %v/%v", m["kind"], md["namespace"], md["name"])
}

func parseDocs(t *testing.T, data []byte) map[string]map[string]any {
	t.Helper()
	docs := map[string]map[string]any{}
	for _, d := range strings.Split(string(data), "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		if m != nil {
			docs[docKey(m)] = m
		}
	}
	return docs
}

func expectedDocs(t *testing.T, s *Stack) map[string]map[string]any {
	t.Helper()
	docs := map[string]map[string]any{}
	for _, c := range component.Kube(s.Components) {
		for _, o := range c.Objects {
			m, err := kube.ToMap(o)
			if err != nil {
				t.Fatal(err)
			}
			docs[docKey(m)] = roundTrip(t, m)
		}
		for _, g := range c.Generators {
			data := map[string]any{}
			for _, f := range g.Files {
				data[f.Key] = string(f.Data)
				if g.Kind == "Secret" {
					data[f.Key] = base64.StdEncoding.EncodeToString(f.Data)
				}
			}
			meta := map[string]any{"name": g.Name, "namespace": g.Namespace}
			if len(g.Labels) > 0 {
				meta["labels"] = g.Labels
			}
			if len(g.Annotations) > 0 {
				meta["annotations"] = g.Annotations
			}
			m := map[string]any{"apiVersion": "v1", "kind": g.Kind, "metadata": meta, "data": data}
			if g.Kind == "Secret" {
				m["type"] = "Opaque"
			}
			docs[docKey(m)] = roundTrip(t, m)
		}
	}
	return docs
}

func roundTrip(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	y, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := yaml.Unmarshal(y, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCollectorConfigsPassTheRealCollector validates every rendered Collector
// config with the real component factories (tools/otelcol-check): the
// default environments (tail sampling, the filelog agent, Honeycomb) and
// variants no default environment uses (the head sampler, Honeycomb without
// a sampling tier).
func TestCollectorConfigsPassTheRealCollector(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Collector components")
	}
	bin := testutil.OtelcolCheck(t)
	headSampled := stack.Staging()
	headSampled.Name = "head-sampled"
	headSampled.Sampling = sampling.Spec{Head: &sampling.Head{Percentage: 25}}
	honeycombGateway := stack.Development()
	honeycombGateway.Name = "honeycomb-gateway"
	honeycombGateway.Integrations = stack.Production().Integrations
	def := stack.Default()
	def.Environments = append(def.Environments, headSampled, honeycombGateway)
	res, err := Generate(def, Options{OtelcolCheck: bin})
	if err != nil {
		t.Fatal(err)
	}
	assertErrors(t, res.Findings, nil)
	// Every Collector that any environment (the base included) deploys ran
	// through the real components: its config is among those validated.
	validated := map[string]bool{}
	for _, f := range res.Files.Distinct(files.CollectorConfig) {
		validated[string(f.Data)] = true
	}
	for _, env := range append([]stack.Environment{def.Base}, def.Environments...) {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range s.Collectors {
			cfg, err := in.Config.YAML()
			if err != nil {
				t.Fatal(err)
			}
			if !validated[string(cfg)] {
				t.Errorf("%s: the config of %s was not validated", env.Artifact(), in.Name)
			}
		}
	}
	for p, wantIn := range map[string]string{
		"otel/head-sampled/collector.yaml":      "probabilistic_sampler:\n    sampling_percentage: 25",
		"otel/honeycomb-gateway/collector.yaml": "otlp_grpc/honeycomb:",
		"otel/production/collector-agent.yaml":  "filelog:",
	} {
		if data, _ := res.Files.Get(p); !bytes.Contains(data, []byte(wantIn)) {
			t.Errorf("%s lacks %q", p, wantIn)
		}
	}
	// A config the real components reject becomes a finding naming the file:
	// here a policy type only the started tail_sampling processor rejects.
	data, _ := res.Files.Get("otel/production/collector-sampler.yaml")
	broken := files.NewSet()
	if err := broken.Add("otel/production/collector-sampler.yaml", files.CollectorConfig, bytes.Replace(data, []byte("type: probabilistic"), []byte("type: probabilistik"), 1)); err != nil {
		t.Fatal(err)
	}
	fs, err := otelcolCheck(bin, broken)
	if err != nil {
		t.Fatal(err)
	}
	assertErrors(t, fs, []string{`otel/production/collector-sampler.yaml: collector config: pipeline traces: processor tail_sampling: failed to create policy evaluator for "probabilistic-policy": unknown sampling policy type probabilistik`})
}

// TestSchemeKnowsRenderedKinds: kube.Scheme registers only the kinds
// genops-stack renders, listed by hand. Every object of the base and of
// every environment of the default definition must be one of them, and
// every rendered Kubernetes file must decode strictly.
func TestSchemeKnowsRenderedKinds(t *testing.T) {
	def := stack.Default()
	for _, env := range append([]stack.Environment{def.Base}, def.Environments...) {
		s, err := BuildWith(def.Content, env)
		if err != nil {
			t.Fatalf("%s: %v", env.Name, err)
		}
		for _, o := range s.Objects() {
			if _, _, err := kube.Scheme.ObjectKinds(o); err != nil {
				t.Errorf("%s: %s: %v", env.Name, kube.IDOf(o), err)
			}
		}
	}
	for _, f := range mustGenerate(t).Files.OfKind(files.KubeObjects) {
		if _, err := kube.DecodeStrict(f.Data); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
}
