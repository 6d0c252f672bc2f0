package live

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// The Prometheus and Alertmanager servers are built by `make servers`
// (Prometheus at the pinned promtool's version, Alertmanager at amtool's)
// and found through these variables, which the Makefile exports.
const (
	envPrometheus   = "GENOPS_PROMETHEUS"
	envAlertmanager = "GENOPS_ALERTMANAGER"
)

// serverReadyWithin bounds how long a server may take to answer /-/ready.
const serverReadyWithin = 30 * time.Second

// PrometheusBinary is the Prometheus server from $GENOPS_PROMETHEUS; the
// test is skipped when it is unset and fails when it names no file.
func PrometheusBinary(t testing.TB) string {
	t.Helper()
	return serverBinary(t, envPrometheus, "Prometheus")
}

// AlertmanagerBinary is the Alertmanager server from $GENOPS_ALERTMANAGER;
// the test is skipped when it is unset and fails when it names no file.
func AlertmanagerBinary(t testing.TB) string {
	t.Helper()
	return serverBinary(t, envAlertmanager, "Alertmanager")
}

func serverBinary(t testing.TB, env, name string) string {
	t.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		t.Skipf("%s is not set: run through make, which builds the %s server (make servers)", env, name)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s: %v (make servers builds it)", env, bin, err)
	}
	return bin
}

// serverProc is a server process started by a test. It runs in its own
// process group; it is killed (SIGKILL to the group, by pid) when the test
// ends, whether it passed, failed or was skipped, and, through the parent
// death signal, when the test binary itself dies (go test's -timeout
// panics without running cleanups).
type serverProc struct {
	name string
	pid  int
	log  string
	done chan struct{} // closed once the process has exited and was reaped
	err  error         // Wait's result, set before done is closed
}

func startServer(t testing.TB, name, logPath, bin string, args ...string) *serverProc {
	t.Helper()
	return startServerEnv(t, name, logPath, nil, bin, args...)
}

// startServerEnv is startServer with env (NAME=value) added to the
// process' environment.
func startServerEnv(t testing.TB, name, logPath string, env []string, bin string, args ...string) *serverProc {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProc{name: name, log: logPath, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that started the child exits:
		// keep this goroutine on its thread for the child's whole life.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cmd := exec.Command(bin, args...)
		if len(env) > 0 {
			cmd.Env = append(os.Environ(), env...)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			started <- err
			close(p.done)
			return
		}
		p.pid = cmd.Process.Pid
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		logf.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		p.stop()
		logf.Close()
		if t.Failed() {
			t.Logf("last lines of %s's log (%s):\n%s", name, strings.Join(args, " "), p.Tail(30))
		}
	})
	return p
}

// stop kills the process group by the child's pid and waits until the
// child is reaped.
func (p *serverProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// Stop kills the process before the test ends (a test that breaks a link
// of the stack), and waits until it is reaped.
func (p *serverProc) Stop() { p.stop() }

// Tail returns the last n lines the server logged.
func (p *serverProc) Tail(n int) string {
	data, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Pid is the server's process id (and its process group's).
func (p *serverProc) Pid() int { return p.pid }

// waitReady polls http://addr/-/ready until it answers 200.
func (p *serverProc) waitReady(t testing.TB, addr string) {
	t.Helper()
	p.waitHTTP(t, "http://"+addr+"/-/ready")
}

// waitHTTP polls url until it answers 200; it fails the test when the
// process exits first or the time is up (the cleanup then prints the log's
// tail).
func (p *serverProc) waitHTTP(t testing.TB, url string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(serverReadyWithin)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was ready (%v)", p.name, p.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s was not ready within %s", p.name, url, serverReadyWithin)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// writeFiles writes files (relative paths, subdirectories allowed) into dir.
func writeFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		if !filepath.IsLocal(name) {
			return fmt.Errorf("file %q: want a relative path inside the server's directory", name)
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Prometheus is a running Prometheus server.
type Prometheus struct {
	*serverProc
	// Addr is the host:port it listens on.
	Addr string
	// Dir holds its configuration (prometheus.yml) and the extra files;
	// relative paths in the configuration (rule_files) resolve here.
	Dir string
}

// StartPrometheus runs Prometheus on a loopback port the kernel picked;
// see StartPrometheusOn.
func StartPrometheus(t testing.TB, bin string, configYAML []byte, files map[string][]byte, args ...string) *Prometheus {
	t.Helper()
	return StartPrometheusOn(t, bin, FreeAddr(t), configYAML, files, args...)
}

// StartPrometheusOn runs Prometheus on addr (a configuration that scrapes
// Prometheus itself needs its address first) with configYAML as
// prometheus.yml, files (rule files, ...) written beside it, a temporary
// TSDB, the lifecycle API (Reload) and any extra flags in args. It returns
// once /-/ready answers, which is after the configuration and rule files
// loaded. The process is stopped by its pid when the test ends; on failure
// its last log lines are printed.
func StartPrometheusOn(t testing.TB, bin, addr string, configYAML []byte, files map[string][]byte, args ...string) *Prometheus {
	t.Helper()
	dir, run := t.TempDir(), t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if _, clash := files["prometheus.yml"]; clash {
		t.Fatal("StartPrometheus: prometheus.yml is the configuration's name; give the extra file another name")
	}
	if err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, configYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + filepath.Join(run, "data"),
		"--web.listen-address=" + addr,
		"--web.enable-lifecycle",
	}, args...)
	p := &Prometheus{Addr: addr, Dir: dir}
	p.serverProc = startServer(t, "Prometheus", filepath.Join(run, "prometheus.log"), bin, flags...)
	p.waitReady(t, addr)
	return p
}

// Get calls the HTTP API (path such as /api/v1/labels) and decodes the
// response's data into v; an error carries the API's errorType and error.
func (p *Prometheus) Get(ctx context.Context, path string, params url.Values, v any) error {
	return p.call(ctx, http.MethodGet, path, params, v)
}

func (p *Prometheus) call(ctx context.Context, method, path string, params url.Values, v any) error {
	u := "http://" + p.Addr + path
	var body io.Reader
	if method == http.MethodGet && len(params) > 0 {
		u += "?" + params.Encode()
	} else if method == http.MethodPost {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("prometheus %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("prometheus %s %s: %w", method, path, err)
	}
	var env struct {
		Status    string          `json:"status"`
		Data      json.RawMessage `json:"data"`
		ErrorType string          `json:"errorType"`
		Error     string          `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("prometheus %s %s: %s: %.200s", method, path, resp.Status, raw)
	}
	if env.Status != "success" {
		return fmt.Errorf("prometheus %s %s: %s: %s: %s", method, path, resp.Status, env.ErrorType, env.Error)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		return fmt.Errorf("prometheus %s %s: decoding data: %w", method, path, err)
	}
	return nil
}

type queryData struct {
	ResultType model.ValueType `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// Query evaluates an instant query now (POST /api/v1/query). A query
// whose result is not a vector (a scalar or a string) is an error.
func (p *Prometheus) Query(ctx context.Context, expr string) (model.Vector, error) {
	var d queryData
	if err := p.call(ctx, http.MethodPost, "/api/v1/query", url.Values{"query": {expr}}, &d); err != nil {
		return nil, fmt.Errorf("%w (query %s)", err, expr)
	}
	if d.ResultType != model.ValVector {
		return nil, fmt.Errorf("query %s: result type %s, not a vector", expr, d.ResultType)
	}
	var v model.Vector
	if err := json.Unmarshal(d.Result, &v); err != nil {
		return nil, fmt.Errorf("query %s: %w", expr, err)
	}
	return v, nil
}

// QueryRange evaluates a range query (POST /api/v1/query_range), as a
// Grafana panel does.
func (p *Prometheus) QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	params := url.Values{
		"query": {expr},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {fmt.Sprint(step.Seconds())},
	}
	var d queryData
	if err := p.call(ctx, http.MethodPost, "/api/v1/query_range", params, &d); err != nil {
		return nil, fmt.Errorf("%w (query %s)", err, expr)
	}
	if d.ResultType != model.ValMatrix {
		return nil, fmt.Errorf("query %s: result type %s, not a matrix", expr, d.ResultType)
	}
	var m model.Matrix
	if err := json.Unmarshal(d.Result, &m); err != nil {
		return nil, fmt.Errorf("query %s: %w", expr, err)
	}
	return m, nil
}

func formatTime(t time.Time) string {
	return fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)
}

// PromAlert is an alert as Prometheus' rule manager holds it.
type PromAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"` // pending or firing
	ActiveAt    time.Time         `json:"activeAt"`
	Value       string            `json:"value"`
}

// Alerts lists the pending and firing alerts (GET /api/v1/alerts).
func (p *Prometheus) Alerts(ctx context.Context) ([]PromAlert, error) {
	var d struct {
		Alerts []PromAlert `json:"alerts"`
	}
	err := p.Get(ctx, "/api/v1/alerts", nil, &d)
	return d.Alerts, err
}

// PromRuleGroup is a loaded rule group and its rules' last evaluation.
type PromRuleGroup struct {
	Name           string     `json:"name"`
	File           string     `json:"file"`
	Interval       float64    `json:"interval"` // seconds
	Rules          []PromRule `json:"rules"`
	LastEvaluation time.Time  `json:"lastEvaluation"`
}

// PromRule is an alerting or a recording rule.
type PromRule struct {
	Type        string            `json:"type"` // alerting or recording
	Name        string            `json:"name"`
	Query       string            `json:"query"`
	Duration    float64           `json:"duration"` // the alert's for, in seconds
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`  // an alert's: inactive, pending or firing
	Health      string            `json:"health"` // ok, err or unknown
	LastError   string            `json:"lastError"`
	Alerts      []PromAlert       `json:"alerts"`
}

// Rules lists the loaded rule groups (GET /api/v1/rules).
func (p *Prometheus) Rules(ctx context.Context) ([]PromRuleGroup, error) {
	var d struct {
		Groups []PromRuleGroup `json:"groups"`
	}
	err := p.Get(ctx, "/api/v1/rules", nil, &d)
	return d.Groups, err
}

// PromTarget is an active scrape target.
type PromTarget struct {
	DiscoveredLabels map[string]string `json:"discoveredLabels"`
	Labels           map[string]string `json:"labels"` // the series' target labels
	ScrapePool       string            `json:"scrapePool"`
	ScrapeURL        string            `json:"scrapeUrl"`
	Health           string            `json:"health"` // up, down or unknown
	LastError        string            `json:"lastError"`
	LastScrape       time.Time         `json:"lastScrape"`
}

// Targets lists the active scrape targets (GET /api/v1/targets?state=active).
func (p *Prometheus) Targets(ctx context.Context) ([]PromTarget, error) {
	var d struct {
		Active []PromTarget `json:"activeTargets"`
	}
	err := p.Get(ctx, "/api/v1/targets", url.Values{"state": {"active"}}, &d)
	return d.Active, err
}

// Reload makes Prometheus reread its configuration and rule files.
func (p *Prometheus) Reload(ctx context.Context) error {
	return reload(ctx, p.Addr)
}

func reload(ctx context.Context, addr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/-/reload", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("POST %s/-/reload: %s: %s", addr, resp.Status, msg)
	}
	return nil
}

// Alertmanager is a running Alertmanager server.
type Alertmanager struct {
	*serverProc
	// Addr is the host:port it listens on.
	Addr string
	// Dir holds its configuration (alertmanager.yml).
	Dir string
}

// StartAlertmanager runs Alertmanager on a loopback port the kernel
// picked; see StartAlertmanagerOn.
func StartAlertmanager(t testing.TB, bin string, configYAML []byte, args ...string) *Alertmanager {
	t.Helper()
	return StartAlertmanagerOn(t, bin, FreeAddr(t), configYAML, args...)
}

// StartAlertmanagerOn runs Alertmanager on addr with configYAML as
// alertmanager.yml, temporary storage, clustering off and any extra flags
// in args. It returns once /-/ready answers. The process is stopped by its
// pid when the test ends; on failure its last log lines are printed.
func StartAlertmanagerOn(t testing.TB, bin, addr string, configYAML []byte, args ...string) *Alertmanager {
	t.Helper()
	dir, run := t.TempDir(), t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, configYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{
		"--config.file=" + cfg,
		"--storage.path=" + filepath.Join(run, "data"),
		"--web.listen-address=" + addr,
		"--cluster.listen-address=", // empty: no clustering, no gossip port
	}, args...)
	a := &Alertmanager{Addr: addr, Dir: dir}
	a.serverProc = startServer(t, "Alertmanager", filepath.Join(run, "alertmanager.log"), bin, flags...)
	a.waitReady(t, addr)
	return a
}

// Get calls the v2 API (path such as /api/v2/silences) and decodes the
// JSON response into v.
func (a *Alertmanager) Get(ctx context.Context, path string, params url.Values, v any) error {
	u := "http://" + a.Addr + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("alertmanager GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("alertmanager GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("alertmanager GET %s: %s: %.300s", path, resp.Status, raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("alertmanager GET %s: %w", path, err)
	}
	return nil
}

// AMAlert is an alert as Alertmanager holds it (the v2 API's gettableAlert).
type AMAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	Receivers    []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State       string   `json:"state"` // unprocessed, active or suppressed
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// ReceiverNames are the receivers the alert routes to.
func (a AMAlert) ReceiverNames() []string {
	names := make([]string, len(a.Receivers))
	for i, r := range a.Receivers {
		names[i] = r.Name
	}
	return names
}

// Alerts lists every alert Alertmanager holds, silenced and inhibited ones
// included (GET /api/v2/alerts).
func (a *Alertmanager) Alerts(ctx context.Context) ([]AMAlert, error) {
	var alerts []AMAlert
	err := a.Get(ctx, "/api/v2/alerts", nil, &alerts)
	return alerts, err
}

// AMStatus is Alertmanager's status (the v2 API's alertmanagerStatus).
type AMStatus struct {
	Cluster struct {
		Status string `json:"status"` // ready, settling or disabled
		Name   string `json:"name"`
	} `json:"cluster"`
	VersionInfo map[string]string `json:"versionInfo"`
	Config      struct {
		Original string `json:"original"` // the loaded configuration, secrets masked
	} `json:"config"`
	Uptime time.Time `json:"uptime"`
}

// Status reports Alertmanager's version, cluster state and loaded
// configuration (GET /api/v2/status).
func (a *Alertmanager) Status(ctx context.Context) (AMStatus, error) {
	var s AMStatus
	err := a.Get(ctx, "/api/v2/status", nil, &s)
	return s, err
}

// Reload makes Alertmanager reread its configuration.
func (a *Alertmanager) Reload(ctx context.Context) error {
	return reload(ctx, a.Addr)
}
