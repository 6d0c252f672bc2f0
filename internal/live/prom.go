package live

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// Sample is one scraped series value.
type Sample struct {
	Labels  labels.Labels
	Value   float64
	Counter bool // a counter or a histogram's _bucket, _sum or _count
}

// Scrape reads a Prometheus exposition over HTTP and flattens it into
// samples as Prometheus stores them (histograms into _bucket, _sum and
// _count), with target labels added as a scrape would: job and instance
// win over the exporter's own (honor_labels: false), which become
// exported_job and exported_instance.
func Scrape(ctx context.Context, url string, target map[string]string) ([]Sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	var out []Sample
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		mf := families[name]
		for _, m := range mf.GetMetric() {
			base := map[string]string{}
			for _, lp := range m.GetLabel() {
				k := lp.GetName()
				if _, clash := target[k]; clash {
					k = "exported_" + k
				}
				base[k] = lp.GetValue()
			}
			for k, v := range target {
				base[k] = v
			}
			add := func(n string, v float64, counter bool, extra ...string) {
				b := labels.NewBuilder(labels.FromMap(base))
				b.Set(labels.MetricName, n)
				for i := 0; i+1 < len(extra); i += 2 {
					b.Set(extra[i], extra[i+1])
				}
				out = append(out, Sample{Labels: b.Labels(), Value: v, Counter: counter})
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				add(name, m.GetCounter().GetValue(), true)
			case dto.MetricType_GAUGE:
				add(name, m.GetGauge().GetValue(), false)
			case dto.MetricType_UNTYPED:
				add(name, m.GetUntyped().GetValue(), false)
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					add(name+"_bucket", float64(b.GetCumulativeCount()), true, "le", formatLe(b.GetUpperBound()))
				}
				add(name+"_bucket", float64(h.GetSampleCount()), true, "le", "+Inf")
				add(name+"_sum", h.GetSampleSum(), true)
				add(name+"_count", float64(h.GetSampleCount()), true)
			}
		}
	}
	return out, nil
}

// formatLe writes a bucket bound as Prometheus' scrape does.
func formatLe(v float64) string {
	if math.IsInf(v, +1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Continue returns the samples of later as if they followed earlier on the
// same targets: counters add earlier's values, gauges stay. It replays a
// stretch of traffic after another one without a counter reset.
func Continue(earlier, later []Sample) []Sample {
	base := map[string]float64{}
	for _, s := range earlier {
		if s.Counter {
			base[s.Labels.String()] = s.Value
		}
	}
	out := make([]Sample, len(later))
	for i, s := range later {
		out[i] = s
		if s.Counter {
			out[i].Value += base[s.Labels.String()]
		}
	}
	return out
}

// Names returns the metric names of samples, sorted, once each.
func Names(samples []Sample) []string {
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.Labels.Get(labels.MetricName)] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Stamp is a scrape at a time.
type Stamp struct {
	At      time.Time
	Samples []Sample
}

// String describes the stamps, for failure messages.
func Describe(stamps []Stamp, now time.Time) string {
	var b strings.Builder
	for _, s := range stamps {
		fmt.Fprintf(&b, "  now-%s: %d samples\n", now.Sub(s.At), len(s.Samples))
	}
	return b.String()
}
