package doctor

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Recording is a diagnosis and every answer the servers gave it: the plan,
// each exchange and the problems found. A recording replays the diagnosis
// without the servers (the package's tests do).
type Recording struct {
	// What the recording shows, in words.
	About     string     `json:"about"`
	Plan      *Plan      `json:"plan"`
	Servers   []string   `json:"servers"` // the servers asked: prometheus, alertmanager, collector
	Exchanges []Exchange `json:"exchanges"`
	Problems  []string   `json:"problems"`
}

// Exchange is one request and its answer.
type Exchange struct {
	Server string `json:"server"`
	// Request is the method, the path and the canonical parameters (query
	// and form, sorted).
	Request     string `json:"request"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// Recorder is an http.RoundTripper that records every exchange with the
// servers it knows by base URL.
type Recorder struct {
	Next    http.RoundTripper
	servers map[string]string // base URL -> server
	mu      sync.Mutex
	ex      []Exchange
}

// NewRecorder records the exchanges with servers (name -> base URL).
func NewRecorder(next http.RoundTripper, servers map[string]string) *Recorder {
	r := &Recorder{Next: next, servers: map[string]string{}}
	for name, u := range servers {
		if u != "" {
			r.servers[strings.TrimRight(u, "/")] = name
		}
	}
	return r
}

// RoundTrip sends the request and records it with its answer.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	key, err := RequestKey(req)
	if err != nil {
		return nil, err
	}
	resp, err := r.Next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	server := ""
	u := req.URL.Scheme + "://" + req.URL.Host
	for base, name := range r.servers {
		if strings.HasPrefix(req.URL.String(), base) || base == u {
			server = name
		}
	}
	r.mu.Lock()
	r.ex = append(r.ex, Exchange{Server: server, Request: key, Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: string(body)})
	r.mu.Unlock()
	return resp, nil
}

// Exchanges returns what was recorded, in order.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.ex...)
}

// RequestKey is a request as a recording names it: the method, the path
// and its parameters (query and form body), sorted. It leaves the body
// readable.
func RequestKey(req *http.Request) (string, error) {
	params := url.Values{}
	for k, vs := range req.URL.Query() {
		params[k] = append(params[k], vs...)
	}
	if req.Body != nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return "", err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", err
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	for k := range params {
		sort.Strings(params[k])
	}
	key := req.Method + " " + req.URL.Path
	if len(params) > 0 {
		key += "?" + params.Encode()
	}
	return key, nil
}
