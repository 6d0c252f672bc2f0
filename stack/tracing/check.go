package tracing

import (
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// Check reports settings of the chosen backend that would not deploy or
// would not keep traces: an unpinned image, no retention, a Jaeger store that
// is not exactly one of memory or Elasticsearch, an Elasticsearch store
// without a password Secret. The Tempo workload's posture is checked with
// every other workload.
func Check(artifact string, b Backend, t TempoSpec, j JaegerSpec) finding.List {
	var fs finding.List
	switch b {
	case Tempo:
		if t.Retention <= 0 {
			fs.Errorf(artifact, "tempo", "tempo-retention", "retention must be above 0, got %s", t.Retention)
		}
	case Jaeger:
		const obj = "jaeger"
		if j.Tag == "" || !kube.ImagePinned(JaegerImageRepo+":"+j.Tag) {
			fs.Errorf(artifact, obj, "image-pinned", "image tag %q is not a pinned version", j.Tag)
		}
		switch {
		case (j.Memory == nil) == (j.Elasticsearch == nil):
			fs.Errorf(artifact, obj, "jaeger-storage", "set exactly one store: Memory (development) or Elasticsearch")
		case j.Memory != nil && j.Memory.MaxTraces < 1:
			fs.Errorf(artifact, obj, "jaeger-storage", "the memory store needs MaxTraces above 0, got %d", j.Memory.MaxTraces)
		case j.Elasticsearch != nil:
			es := j.Elasticsearch
			if es.URL == "" || es.Username == "" || es.IndexPrefix == "" {
				fs.Errorf(artifact, obj, "jaeger-storage", "the Elasticsearch store needs URL, Username and IndexPrefix")
			}
			if es.PasswordSecret == "" || es.PasswordKey == "" {
				fs.Errorf(artifact, obj, "jaeger-storage", "the Elasticsearch store needs PasswordSecret and PasswordKey: the password is read from a Secret, never written in the values")
			}
		}
	}
	return fs
}
