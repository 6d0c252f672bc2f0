package tracing

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/koshihq/genops-stack/internal/kube"
)

func TestURLs(t *testing.T) {
	tests := []struct {
		backend     Backend
		otlp, query string
	}{
		{Tempo, "tempo.monitoring.svc:4317", "http://tempo.monitoring.svc:3200"},
		{Jaeger, "jaeger.monitoring.svc:4317", "http://jaeger.monitoring.svc:16686"},
	}
	for _, tt := range tests {
		otlp, err := tt.backend.OTLPEndpoint("monitoring")
		if err != nil || otlp != tt.otlp {
			t.Errorf("%s OTLPEndpoint = %q, %v; want %q", tt.backend, otlp, err, tt.otlp)
		}
		query, err := tt.backend.QueryURL("monitoring")
		if err != nil || query != tt.query {
			t.Errorf("%s QueryURL = %q, %v; want %q", tt.backend, query, err, tt.query)
		}
	}
	if _, err := Backend("zipkin").QueryURL("monitoring"); err == nil || err.Error() != `unknown tracing backend "zipkin" (want "tempo" or "jaeger")` {
		t.Errorf("zipkin: %v", err)
	}
}

func tempoSpec() TempoSpec {
	return TempoSpec{Image: TempoImage, Retention: 14 * 24 * time.Hour, Storage: kube.Q("10Gi"),
		Resources: kube.Resources{CPURequest: kube.Q("1"), CPULimit: kube.Q("1"), MemoryRequest: kube.Q("1Gi"), MemoryLimit: kube.Q("1Gi")}}
}

// TestTempoStorage: a volume per Storage, an emptyDir only without one.
func TestTempoStorage(t *testing.T) {
	for _, tt := range []struct {
		name    string
		storage string
		claim   bool
	}{{"persistent", "10Gi", true}, {"ephemeral", "0", false}} {
		t.Run(tt.name, func(t *testing.T) {
			spec := tempoSpec()
			spec.Storage = kube.Q(tt.storage)
			c, err := TempoComponent(spec, "monitoring", nil)
			if err != nil {
				t.Fatal(err)
			}
			var sts *appsv1.StatefulSet
			for _, o := range c.Objects {
				if s, ok := o.(*appsv1.StatefulSet); ok {
					sts = s
				}
			}
			claimed := len(sts.Spec.VolumeClaimTemplates) == 1 && sts.Spec.VolumeClaimTemplates[0].Name == "data"
			emptyDir := false
			for _, v := range sts.Spec.Template.Spec.Volumes {
				emptyDir = emptyDir || (v.Name == "data" && v.EmptyDir != nil)
			}
			if claimed != tt.claim || emptyDir == tt.claim {
				t.Errorf("volume claim %v, emptyDir %v; want claim %v", claimed, emptyDir, tt.claim)
			}
			if got := string(c.Generators[0].Files[0].Data); !strings.Contains(got, "block_retention: 336h\n") {
				t.Errorf("tempo.yaml lacks the retention:\n%s", got)
			}
		})
	}
}

// TestJaegerPasswordStaysInTheSecret: the Elasticsearch password is an
// environment reference backed by a secretKeyRef, never a value.
func TestJaegerPasswordStaysInTheSecret(t *testing.T) {
	spec := JaegerSpec{Tag: JaegerImageTag, Elasticsearch: &JaegerElasticsearch{
		URL: "https://elasticsearch.monitoring.svc:9200", Username: "jaeger", IndexPrefix: "genops",
		PasswordSecret: "jaeger-elasticsearch", PasswordKey: "password",
	}}
	data, err := spec.Values().YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"password: ${env:ES_PASSWORD}\n",
		"  - name: ES_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        key: password\n        name: jaeger-elasticsearch\n",
		"- https://elasticsearch.monitoring.svc:9200\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("values lack %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "memory:\n") {
		t.Errorf("an Elasticsearch store renders a memory store too:\n%s", data)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		jaeger JaegerSpec
		want   []string
	}{
		{"memory", JaegerSpec{Tag: JaegerImageTag, Memory: &JaegerMemory{MaxTraces: 1000}}, nil},
		{"no tag", JaegerSpec{Memory: &JaegerMemory{MaxTraces: 1000}},
			[]string{`env: jaeger: image tag "" is not a pinned version`}},
		{"latest", JaegerSpec{Tag: "latest", Memory: &JaegerMemory{MaxTraces: 1000}},
			[]string{`env: jaeger: image tag "latest" is not a pinned version`}},
		{"two stores", JaegerSpec{Tag: JaegerImageTag, Memory: &JaegerMemory{MaxTraces: 1}, Elasticsearch: &JaegerElasticsearch{}},
			[]string{"env: jaeger: set exactly one store: Memory (development) or Elasticsearch"}},
		{"empty memory store", JaegerSpec{Tag: JaegerImageTag, Memory: &JaegerMemory{}},
			[]string{"env: jaeger: the memory store needs MaxTraces above 0, got 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check("env", Jaeger, tempoSpec(), tt.jaeger).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
