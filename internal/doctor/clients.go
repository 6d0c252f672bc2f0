package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ServerError says that a server cannot be asked: it is unreachable, or
// what answers is not the server named. The CLI exits 2 on it.
type ServerError struct {
	Server, URL string
	Err         error
}

func (e *ServerError) Error() string { return fmt.Sprintf("%s at %s: %v", e.Server, e.URL, e.Err) }

func (e *ServerError) Unwrap() error { return e.Err }

// serverError classifies err: a network error says the server cannot be
// reached; anything else that the answer is not the named server's.
func serverError(server, u string, err error) *ServerError {
	var ne net.Error
	var oe *net.OpError
	var ue *url.Error
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return &ServerError{server, u, fmt.Errorf("cannot reach it: %v", rootCause(err))}
	}
	if errors.As(err, &ue) {
		return &ServerError{server, u, fmt.Errorf("cannot reach it: %v", ue.Err)}
	}
	return &ServerError{server, u, err}
}

func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// Evidence is what a check asked and what it got.
type Evidence struct {
	// Server is prometheus, alertmanager or collector.
	Server string `json:"server"`
	// Request is the PromQL query or the API path.
	Request string `json:"request"`
	Result  string `json:"result"`
}

// prom asks Prometheus through its official client.
type prom struct {
	url string
	api promv1.API
}

func newProm(u string, client *http.Client) (*prom, error) {
	c, err := api.NewClient(api.Config{Address: u, Client: client})
	if err != nil {
		return nil, &ServerError{"prometheus", u, err}
	}
	return &prom{url: u, api: promv1.NewAPI(c)}, nil
}

// probe makes sure a Prometheus answers.
func (p *prom) probe(ctx context.Context) error {
	b, err := p.api.Buildinfo(ctx)
	if err != nil {
		return p.fail(err, "not a Prometheus HTTP API answer (GET /api/v1/status/buildinfo)")
	}
	if b.Version == "" {
		return &ServerError{"prometheus", p.url, errors.New("not a Prometheus HTTP API answer: /api/v1/status/buildinfo names no version")}
	}
	return nil
}

func (p *prom) fail(err error, what string) error {
	se := serverError("prometheus", p.url, err)
	if !strings.HasPrefix(se.Err.Error(), "cannot reach") {
		se.Err = fmt.Errorf("%s: %v", what, err)
	}
	return se
}

// vector runs an instant query at the server's now.
func (p *prom) vector(ctx context.Context, q string) (model.Vector, Evidence, error) {
	v, _, _, err := p.api.Query(ctx, q, time.Time{})
	if err != nil {
		return nil, Evidence{}, p.fail(err, "query "+q)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, Evidence{}, &ServerError{"prometheus", p.url, fmt.Errorf("query %s: result is a %s, not a vector", q, v.Type())}
	}
	sort.Slice(vec, func(i, j int) bool { return vec[i].Metric.String() < vec[j].Metric.String() })
	return vec, Evidence{"prometheus", q, describe(vec)}, nil
}

// value runs a query whose result is one number: the sum of the vector's
// values, and whether it had any series.
func (p *prom) value(ctx context.Context, q string) (float64, bool, Evidence, error) {
	vec, ev, err := p.vector(ctx, q)
	if err != nil {
		return 0, false, ev, err
	}
	sum := 0.0
	for _, s := range vec {
		sum += float64(s.Value)
	}
	return sum, len(vec) > 0, ev, nil
}

// byLabel runs a query and returns its values by one label's value.
func (p *prom) byLabel(ctx context.Context, q, label string) (map[string]float64, Evidence, error) {
	vec, ev, err := p.vector(ctx, q)
	if err != nil {
		return nil, ev, err
	}
	out := map[string]float64{}
	for _, s := range vec {
		out[string(s.Metric[model.LabelName(label)])] += float64(s.Value)
	}
	return out, ev, nil
}

// describe writes a query result short enough to read: each series with
// its value, the first few of a long result.
func describe(vec model.Vector) string {
	if len(vec) == 0 {
		return "no series"
	}
	const most = 6
	var parts []string
	for i, s := range vec {
		if i == most {
			parts = append(parts, fmt.Sprintf("... (%d series)", len(vec)))
			break
		}
		parts = append(parts, strings.TrimPrefix(s.Metric.String()+" ", "{} ")+number(float64(s.Value)))
	}
	return strings.Join(parts, ", ")
}

// number writes a sample value: whole numbers without decimals, others
// with at most three.
func number(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

// approx writes a count computed by increase(), which extrapolates, as a
// whole number.
func approx(v float64) string { return fmt.Sprintf("%.0f", v) }

// getJSON fetches u and decodes its JSON body into v.
func getJSON(ctx context.Context, client *http.Client, server, u string, v any) error {
	body, err := get(ctx, client, server, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &ServerError{server, u, fmt.Errorf("the answer is not JSON: %v", err)}
	}
	return nil
}

func get(ctx context.Context, client *http.Client, server, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &ServerError{server, u, err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, serverError(server, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, serverError(server, u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &ServerError{server, u, fmt.Errorf("answers %s", resp.Status)}
	}
	return body, nil
}

// am asks Alertmanager's v2 API and reads its own metrics.
type am struct {
	url    string
	client *http.Client
}

// amStatus is the part of GET /api/v2/status the diagnosis reads.
type amStatus struct {
	Config struct {
		Original *string `json:"original"`
	} `json:"config"`
	VersionInfo map[string]string `json:"versionInfo"`
	Uptime      time.Time         `json:"uptime"`
}

func (a *am) status(ctx context.Context) (amStatus, error) {
	var s amStatus
	if err := getJSON(ctx, a.client, "alertmanager", a.url+"/api/v2/status", &s); err != nil {
		return s, err
	}
	if s.Config.Original == nil || s.VersionInfo["version"] == "" {
		return s, &ServerError{"alertmanager", a.url, errors.New("not an Alertmanager v2 API answer: /api/v2/status has no config or version")}
	}
	return s, nil
}

// amAlert is an alert of GET /api/v2/alerts.
type amAlert struct {
	Labels    map[string]string `json:"labels"`
	Receivers []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State string `json:"state"`
	} `json:"status"`
}

func (a *am) alerts(ctx context.Context) ([]amAlert, error) {
	var as []amAlert
	err := getJSON(ctx, a.client, "alertmanager", a.url+"/api/v2/alerts?active=true&silenced=false&inhibited=false", &as)
	return as, err
}

// families fetches and parses a Prometheus text exposition.
func families(ctx context.Context, client *http.Client, server, u string) (map[string]*dto.MetricFamily, error) {
	body, err := get(ctx, client, server, u)
	if err != nil {
		return nil, err
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		return nil, &ServerError{server, u, fmt.Errorf("not a Prometheus text exposition: %v", err)}
	}
	return fams, nil
}

// counter sums the samples of a counter family by the value of one label
// ("" sums them all).
func counter(fams map[string]*dto.MetricFamily, name, label string) map[string]float64 {
	out := map[string]float64{}
	f, ok := fams[name]
	if !ok {
		return out
	}
	for _, m := range f.GetMetric() {
		key := ""
		for _, lp := range m.GetLabel() {
			if lp.GetName() == label {
				key = lp.GetValue()
			}
		}
		switch {
		case m.GetCounter() != nil:
			out[key] += m.GetCounter().GetValue()
		case m.GetUntyped() != nil:
			out[key] += m.GetUntyped().GetValue()
		case m.GetGauge() != nil:
			out[key] += m.GetGauge().GetValue()
		}
	}
	return out
}

// describeCounter writes a family's values by a label.
func describeCounter(values map[string]float64, label string) string {
	if len(values) == 0 {
		return "no samples"
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if k == "" && label == "" {
			parts = append(parts, number(values[k]))
			continue
		}
		parts = append(parts, fmt.Sprintf("{%s=%q} %s", label, k, number(values[k])))
	}
	return strings.Join(parts, ", ")
}
