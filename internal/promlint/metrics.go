package promlint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"

	"github.com/koshihq/genops-stack/stack/catalog"
)

// Metrics are a team's own metrics, read from files (--metrics): a
// Prometheus text exposition or OpenMetrics scrape saved to a file, or the
// JSON of Prometheus' /api/v1/metadata or /api/v1/series. They are exact
// where they speak: the types of a scrape or of the metadata, the labels of
// the series API (what Prometheus stores, target labels included). A
// scrape's labels are the exporter's only: Prometheus adds the target
// labels of its scrape configuration, which the scrape does not show, so
// they are never taken as all of a series' labels.
type Metrics struct {
	files []string
	// families are the metric families by name, with their type.
	families map[string]family
	// series are the sample names seen, with their labels.
	series map[string]*seenSeries
	// sorted are every series name known, sorted (for suggestions).
	sorted []string
}

type family struct {
	typ  model.MetricType
	file string
}

type seenSeries struct {
	labels labelSet
	// closed: the labels are every label Prometheus stores (the series API).
	closed bool
	file   string
}

// NewMetrics returns an empty set of metrics; Add reads files into it.
func NewMetrics() *Metrics {
	return &Metrics{families: map[string]family{}, series: map[string]*seenSeries{}}
}

// Add reads one file: JSON (an /api/v1/metadata or /api/v1/series
// response) when it starts with {, an OpenMetrics scrape when it ends with
// # EOF, a Prometheus text exposition otherwise. The error names the file
// and, for a scrape, the parser's reason.
func (m *Metrics) Add(name string, data []byte) error {
	m.files = append(m.files, name)
	trimmed := bytes.TrimSpace(data)
	var err error
	switch {
	case bytes.HasPrefix(trimmed, []byte("{")):
		err = m.addAPI(name, trimmed)
	case bytes.HasSuffix(trimmed, []byte("# EOF")):
		err = m.addScrape(name, data, "application/openmetrics-text")
	default:
		err = m.addScrape(name, data, "text/plain")
	}
	m.sorted = m.allNames()
	return err
}

// addScrape reads an exposition with Prometheus' own scrape parser.
func (m *Metrics) addScrape(name string, data []byte, contentType string) error {
	p, err := textparse.New(data, contentType, labels.NewSymbolTable(), textparse.ParserOptions{})
	if p == nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	var ls labels.Labels
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: not a Prometheus or OpenMetrics exposition: %v", name, err)
		}
		switch entry {
		case textparse.EntryType:
			fam, typ := p.Type()
			m.families[string(fam)] = family{typ: typ, file: name}
		case textparse.EntrySeries, textparse.EntryHistogram:
			p.Labels(&ls)
			s := m.seen(ls.Get(labels.MetricName), name)
			if s.closed {
				break // the series API said what Prometheus stores
			}
			ls.Range(func(l labels.Label) {
				if l.Name != labels.MetricName {
					s.labels[l.Name] = true
				}
			})
		}
	}
	if len(m.series) == 0 && len(m.families) == 0 {
		return fmt.Errorf("%s: holds no metrics", name)
	}
	return nil
}

func (m *Metrics) seen(series, file string) *seenSeries {
	s, ok := m.series[series]
	if !ok {
		s = &seenSeries{labels: labelSet{}, file: file}
		m.series[series] = s
	}
	return s
}

// addAPI reads a response of Prometheus' HTTP API: /api/v1/metadata (data
// is an object of metric names to their metadata) or /api/v1/series (data
// is an array of label sets).
func (m *Metrics) addAPI(name string, data []byte) error {
	var resp struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return fmt.Errorf("%s: not a Prometheus API response: %v", name, err)
	}
	if resp.Status != "success" {
		return fmt.Errorf("%s: the API response has status %q, not success: %s", name, resp.Status, resp.Error)
	}
	var metadata map[string][]struct {
		Type model.MetricType `json:"type"`
	}
	if json.Unmarshal(resp.Data, &metadata) == nil {
		for fam, ms := range metadata {
			if len(ms) > 0 {
				m.families[fam] = family{typ: ms[0].Type, file: name}
			}
		}
		return nil
	}
	var series []model.LabelSet
	if err := json.Unmarshal(resp.Data, &series); err != nil {
		return fmt.Errorf("%s: data is neither /api/v1/metadata (an object) nor /api/v1/series (an array of label sets): %v", name, err)
	}
	for _, ls := range series {
		s := m.seen(string(ls[model.MetricNameLabel]), name)
		if !s.closed || s.file != name {
			// What Prometheus stores replaces what a scrape showed.
			s.closed, s.file, s.labels = true, name, labelSet{}
		}
		for l := range ls {
			if l != model.MetricNameLabel {
				s.labels[string(l)] = true
			}
		}
	}
	return nil
}

// Files are the files read, in order.
func (m *Metrics) Files() []string {
	if m == nil {
		return nil
	}
	return m.files
}

// names are every series name the metrics know, sorted: seen ones, and
// those their families' types imply.
func (m *Metrics) names() []string {
	if m == nil {
		return nil
	}
	return m.sorted
}

func (m *Metrics) allNames() []string {
	set := map[string]bool{}
	for n := range m.series {
		set[n] = true
	}
	for n, f := range m.families {
		for _, s := range familySeries(n, f.typ) {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// familySeries are the sample names of a family of a type, as a scrape
// writes them (a counter family of the text format is named with its
// _total already).
func familySeries(name string, typ model.MetricType) []string {
	switch typ {
	case model.MetricTypeCounter:
		if strings.HasSuffix(name, "_total") {
			return []string{name}
		}
		return []string{name + "_total"}
	case model.MetricTypeHistogram, model.MetricTypeGaugeHistogram:
		return []string{name + "_bucket", name + "_sum", name + "_count", name}
	case model.MetricTypeSummary:
		return []string{name, name + "_sum", name + "_count"}
	case model.MetricTypeInfo:
		return []string{name + "_info", name}
	}
	return []string{name}
}

// lookup resolves a series name: its family's type, and the labels seen.
func (m *Metrics) lookup(name string) (metricKnowledge, bool) {
	if m == nil {
		return metricKnowledge{}, false
	}
	k := metricKnowledge{labels: labelSet{}, known: true}
	s, seen := m.series[name]
	if seen {
		k.labels, k.closed, k.labelsFrom = s.labels, s.closed, s.file
	}
	if fam, part, f, ok := m.family(name); ok {
		k.typeFrom, k.strength = f.file, exact
		k.typ, k.bucket, k.what = seriesType(fam, part, f.typ)
		if k.typ == "" {
			k.strength = unknown
		}
		if k.bucket {
			k.labels = union(k.labels, setOf("le"))
		}
		return k, true
	}
	if seen {
		return k, true
	}
	if f, ok := m.families[name]; ok {
		series := familySeries(name, f.typ)
		k.typeFrom, k.noSeries = f.file, fmt.Sprintf("%s is the name of a %s family in %s, which has no series of that name: select %s",
			name, f.typ, f.file, strings.Join(series, ", "))
		return k, true
	}
	return metricKnowledge{}, false
}

// family finds the family a series name belongs to: the family of that
// name, or of the name without a suffix its type writes, when the family
// writes series of this name.
func (m *Metrics) family(name string) (fam, part string, f family, ok bool) {
	if f, ok := m.families[name]; ok && contains(familySeries(name, f.typ), name) {
		return name, "", f, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count", "_total", "_info"} {
		base, found := strings.CutSuffix(name, suffix)
		if !found {
			continue
		}
		if f, ok := m.families[base]; ok && contains(familySeries(base, f.typ), name) {
			return base, suffix, f, true
		}
	}
	return "", "", family{}, false
}

// seriesType is the type of one series of a family: the parts of
// histograms and summaries are counters, but a summary's quantiles.
func seriesType(fam, part string, typ model.MetricType) (catalog.Type, bool, string) {
	switch typ {
	case model.MetricTypeCounter:
		return catalog.Counter, false, "a counter"
	case model.MetricTypeGauge, model.MetricTypeInfo, model.MetricTypeStateset:
		return catalog.Gauge, false, "a " + string(typ)
	case model.MetricTypeHistogram, model.MetricTypeGaugeHistogram:
		switch part {
		case "_bucket":
			return catalog.Counter, true, fmt.Sprintf("the _bucket series of %s %s", typ, fam)
		case "":
			return "", false, fmt.Sprintf("native %s %s", typ, fam)
		}
		return catalog.Counter, false, fmt.Sprintf("the %s series of %s %s", part, typ, fam)
	case model.MetricTypeSummary:
		if part == "" {
			return catalog.Gauge, false, fmt.Sprintf("the quantiles of summary %s", fam)
		}
		return catalog.Counter, false, fmt.Sprintf("the %s series of summary %s", part, fam)
	}
	return "", false, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
