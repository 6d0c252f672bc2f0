package promlint

import (
	"fmt"

	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"

	"github.com/koshihq/genops-stack/stack/catalog"
)

// semconvInstrument is a metric of the OTel GenAI semantic conventions as
// the semconv package defines it.
type semconvInstrument interface {
	Name() string
	Unit() string
}

// genAIInstruments are every metric of the GenAI semantic conventions
// (semconv v1.41.0).
var genAIInstruments = []semconvInstrument{
	genaiconv.ClientOperationDuration{},
	genaiconv.ClientOperationTimePerOutputChunk{},
	genaiconv.ClientOperationTimeToFirstChunk{},
	genaiconv.ClientTokenUsage{},
	genaiconv.ServerRequestDuration{},
	genaiconv.ServerTimePerOutputToken{},
	genaiconv.ServerTimeToFirstToken{},
}

// semconvSeries are the Prometheus series of the GenAI metrics, named as
// the Collector's prometheus exporter and Prometheus' OTLP receiver name
// them (prometheus/otlptranslator), with and without the unit suffix.
var semconvSeries = func() map[string]metricKnowledge {
	out := map[string]metricKnowledge{}
	for _, inst := range genAIInstruments {
		if !isHistogram(inst) {
			panic(fmt.Sprintf("promlint: the GenAI metric %s is no longer a histogram: map its type", inst.Name()))
		}
		for _, suffixes := range []bool{true, false} {
			namer := otlptranslator.MetricNamer{WithMetricSuffixes: suffixes}
			name, err := namer.Build(otlptranslator.Metric{Name: inst.Name(), Unit: inst.Unit(), Type: otlptranslator.MetricTypeHistogram})
			if err != nil {
				panic(fmt.Sprintf("promlint: translating %s: %v", inst.Name(), err))
			}
			for _, part := range []string{"_bucket", "_sum", "_count"} {
				k := metricKnowledge{typ: catalog.Counter, strength: exact, typeFrom: sourceSemconv, known: true,
					what: fmt.Sprintf("the %s series of histogram %s", part, name), labels: labelSet{}}
				if part == "_bucket" {
					k.bucket, k.labels = true, setOf("le")
				}
				out[name+part] = k
			}
		}
	}
	return out
}()

// The instruments of a semconv metric that records a histogram.
type (
	floatHistogram interface {
		Inst() metric.Float64Histogram
	}
	intHistogram interface{ Inst() metric.Int64Histogram }
)

// isHistogram reports whether the semconv instrument records a histogram.
func isHistogram(inst semconvInstrument) bool {
	switch inst.(type) {
	case floatHistogram, intHistogram:
		return true
	}
	return false
}
