package promlint

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/koshihq/genops-stack/stack/catalog"
)

// strength is how sure the lint is of what it knows about a series' type.
// Findings that rest on a weak naming convention are warnings; the others
// are errors.
type strength int

const (
	// unknown: nothing is known of the series' type.
	unknown strength = iota
	// weak: a naming convention with common exceptions (_count and _sum
	// alone, gauge-like words such as _ratio or _running).
	weak
	// strong: a naming convention the exposition formats reserve (_total
	// for counters, _bucket for histogram buckets, _info for info metrics,
	// the operations of a level:metric:operations recording rule), or
	// _count and _sum of a family whose _bucket series the linted files
	// select.
	strong
	// exact: the metric catalog, the OTel GenAI semantic conventions, the
	// user's own metrics (--metrics), a recording rule of the linted files,
	// or what the query itself computes (rate() returns a gauge).
	exact
)

// The sources of what the lint knows, as findings name them.
const (
	sourceCatalog = "the metric catalog"
	sourceSemconv = "the OTel GenAI semantic conventions"
	sourceQuery   = "the query"
)

// metricKnowledge is what the lint knows of one selectable series name,
// from its most exact source.
type metricKnowledge struct {
	typ    catalog.Type // Counter or Gauge; "" when unknown
	bucket bool
	// what the series is, for messages: "a counter", "the _count series of
	// histogram x".
	what     string
	strength strength
	// typeFrom names the source of the type: sourceCatalog, a --metrics
	// file, "naming convention: the _total suffix", ...
	typeFrom string
	// labels the series carries; closed when they are all of them.
	labels     labelSet
	closed     bool
	labelsFrom string
	// known is true when a source names the metric (not a convention).
	known bool
	// noSeries is set when a source knows the name as a metric family
	// whose samples have other names (a counter family x whose series is
	// x_total): the message that says so.
	noSeries string
}

// lookupGeneric resolves a name that is neither in the catalog nor a
// recording rule, for a file of anybody's: the user's metrics, the OTel
// GenAI semantic conventions, then naming conventions.
func (l *Linter) lookupGeneric(name string) metricKnowledge {
	if m, ok := l.opts.Metrics.lookup(name); ok {
		return m
	}
	if m, ok := semconvSeries[name]; ok {
		return m
	}
	return l.convention(name)
}

// Counter suffixes and the gauge-like words of metric names.
var (
	// gaugeWords end gauge names more often than not; a counter named
	// like this is rare, but exists, so rate() over one is a warning.
	gaugeWords = map[string]bool{"ratio": true, "percent": true, "perc": true, "pct": true, "percentage": true,
		"utilization": true, "utilisation": true, "celsius": true, "temperature": true, "running": true,
		"waiting": true, "pending": true, "queued": true, "inflight": true, "active": true, "current": true,
		"capacity": true, "limit": true, "available": true, "depth": true}
	// rateOps are recording-rule operations whose result is a rate or a
	// ratio: a gauge.
	rateOps = regexp.MustCompile(`^(?:rate|irate|increase|ratio|quantile|p\d+$|deriv|delta)`)
)

// convention is what a series' name says of it, by the Prometheus and
// OpenMetrics naming conventions.
func (l *Linter) convention(name string) metricKnowledge {
	k := metricKnowledge{labels: labelSet{}}
	by := func(typ catalog.Type, s strength, what, rule string) metricKnowledge {
		k.typ, k.strength, k.what = typ, s, what
		k.typeFrom = "naming convention: " + rule
		return k
	}
	if parts := strings.Split(name, ":"); len(parts) == 3 && parts[0] != "" && parts[1] != "" {
		for _, op := range strings.Split(parts[2], "_") {
			if rateOps.MatchString(op) {
				return by(catalog.Gauge, strong, "a recording rule's result",
					fmt.Sprintf("a level:metric:operations recording rule whose operations (%s) make a gauge", parts[2]))
			}
		}
	}
	switch base, suffix := splitSuffix(name); suffix {
	case "_total":
		return by(catalog.Counter, strong, "a counter", "the _total suffix")
	case "_bucket":
		k.bucket = true
		k.labels = setOf("le")
		return by(catalog.Counter, strong, "a histogram's _bucket series", "the _bucket suffix")
	case "_count", "_sum":
		if l.bucketBases[base] {
			return by(catalog.Counter, strong, fmt.Sprintf("the %s series of histogram %s", suffix, base),
				fmt.Sprintf("the %s suffix, with %s_bucket in the linted files", suffix, base))
		}
		return by(catalog.Counter, weak, fmt.Sprintf("the %s series of a histogram or summary", suffix), "the "+suffix+" suffix")
	case "_info":
		return by(catalog.Gauge, strong, "an info metric", "the _info suffix")
	case "_timestamp", "_timestamp_seconds":
		return by(catalog.Gauge, strong, "a timestamp", "the "+suffix+" suffix")
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == ':' })
	if len(words) > 0 && gaugeWords[strings.ToLower(words[len(words)-1])] {
		return by(catalog.Gauge, weak, "a gauge", fmt.Sprintf("the word %q", words[len(words)-1]))
	}
	return k
}

// splitSuffix splits a series name into its base and a type suffix
// (_total, _bucket, _count, _sum, _info, _created, _timestamp,
// _timestamp_seconds), or returns the name and "".
func splitSuffix(name string) (base, suffix string) {
	for _, s := range []string{"_timestamp_seconds", "_total", "_bucket", "_count", "_sum", "_info", "_created", "_timestamp"} {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return strings.TrimSuffix(name, s), s
		}
	}
	return name, ""
}

// counterSuffix reports whether a name ends as a counter's series does.
func counterSuffix(name string) bool {
	_, s := splitSuffix(name)
	return s == "_total" || s == "_bucket" || s == "_count" || s == "_sum"
}

// bucketBases are the names x whose x_bucket series the data selects: the
// _count and _sum of x are then a histogram's for sure. It reads the raw
// bytes, so the lint finds them before it parses anything.
func bucketBases(data []byte, into map[string]bool) {
	const suffix = "_bucket"
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(suffix))
		if j < 0 {
			return
		}
		end := i + j
		start := end
		for start > 0 && isNameByte(data[start-1]) {
			start--
		}
		after := end + len(suffix)
		if start < end && (after >= len(data) || !isNameByte(data[after])) && !isDigit(data[start]) {
			into[string(data[start:end])] = true
		}
		i = after
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
