// Package live runs rendered Collector configs for real, on loopback: the
// otelcol-check binary's run mode is a Collector built from exactly the
// components (and versions) the configs are validated with. A test changes
// a rendered config only through Loopback, which lists every rewrite.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"
)

// Rewrite is one change Loopback made to a rendered config.
type Rewrite struct {
	Path, From, To string
}

func (r Rewrite) String() string { return fmt.Sprintf("%s: %s -> %s", r.Path, r.From, r.To) }

// Addresses are where a Collector run on loopback listens and sends.
type Addresses struct {
	// Listen maps each listening component path (receivers.otlp.protocols.http,
	// exporters.prometheus, extensions.health_check, service.telemetry) to a
	// loopback host:port.
	Listen map[string]string
	// Send is where every exporter that sends elsewhere goes (a dead or a
	// sink address on loopback).
	Send map[string]string
	// Sender stands in for the pod k8sattributes would find behind every
	// connection (see Sender); required when the config runs k8sattributes.
	Sender *Sender
}

// Sender is who sends to a Collector run on loopback, as the Kubernetes API
// would describe it. On loopback there is no API for k8sattributes to ask,
// so Loopback replaces that processor, in place, with a resource processor
// that inserts exactly what k8sattributes adds for a pod of Namespace
// named Pod: k8s.namespace.name, k8s.pod.name and, where Team is set, the
// namespace's team label under the processor's tag_name. insert, like
// k8sattributes, never overwrites an attribute already set; what runs
// before it (resource/untrusted) and after it is the rendered config. What
// this does not run: the pod lookup by the connection's address, and the
// API watch.
type Sender struct {
	Namespace, Pod, Team string
}

// standInID is the processor that replaces k8sattributes on loopback.
const standInID = "resource/k8sattributes-stand-in"

// Loopback rewrites a rendered Collector config to run on this machine:
// every listening endpoint to the address in a.Listen, every sending
// exporter's endpoint to a.Send. Nothing else changes. It fails when the
// config listens or sends somewhere a does not name, so a new component
// cannot slip past unrewritten.
func Loopback(config []byte, a Addresses) ([]byte, []Rewrite, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, nil, err
	}
	var rws []Rewrite
	var errs []error
	set := func(m map[string]any, key, path, to string) {
		from := fmt.Sprint(m[key])
		m[key] = to
		rws = append(rws, Rewrite{Path: path, From: from, To: to})
	}
	listen := func(path string, m map[string]any) {
		to, ok := a.Listen[path]
		if !ok {
			errs = append(errs, fmt.Errorf("%s listens on %v: no loopback address given", path, m["endpoint"]))
			return
		}
		set(m, "endpoint", path+".endpoint", to)
	}
	for id, r := range asMap(cfg["receivers"]) {
		rm := asMap(r)
		if id == "otlp" {
			for proto, p := range asMap(rm["protocols"]) {
				listen("receivers.otlp.protocols."+proto, asMap(p))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("receiver %s: not run on loopback", id))
	}
	for id, e := range asMap(cfg["exporters"]) {
		em := asMap(e)
		switch {
		case id == "prometheus":
			listen("exporters.prometheus", em)
		case id == "debug":
		default:
			to, ok := a.Send[id]
			if !ok {
				errs = append(errs, fmt.Errorf("exporter %s sends to %v: no loopback address given", id, em["endpoint"]))
				continue
			}
			set(em, "endpoint", "exporters."+id+".endpoint", to)
		}
	}
	for id, e := range asMap(cfg["extensions"]) {
		switch {
		case id == "health_check":
			listen("extensions.health_check", asMap(e))
		case id == "bearertokenauth" && envRefOnly.MatchString(fmt.Sprint(asMap(e)["token"])):
			// Listens nowhere; the token comes from the variable, which
			// the test sets for the process (StartCollectorEnv).
		default:
			errs = append(errs, fmt.Errorf("extension %s: not run on loopback", id))
		}
	}
	processors := asMap(cfg["processors"])
	if k8s, ok := processors["k8sattributes"]; ok {
		if a.Sender == nil {
			errs = append(errs, errors.New("processor k8sattributes reads the Kubernetes API: no stand-in Sender given"))
		} else {
			actions := []any{
				map[string]any{"key": "k8s.namespace.name", "value": a.Sender.Namespace, "action": "insert"},
				map[string]any{"key": "k8s.pod.name", "value": a.Sender.Pod, "action": "insert"},
			}
			what := fmt.Sprintf("k8s.namespace.name=%s k8s.pod.name=%s", a.Sender.Namespace, a.Sender.Pod)
			for _, l := range asSlice(asMap(asMap(k8s)["extract"])["labels"]) {
				lm := asMap(l)
				if lm["from"] == "namespace" && a.Sender.Team != "" {
					actions = append(actions, map[string]any{"key": lm["tag_name"], "value": a.Sender.Team, "action": "insert"})
					what += fmt.Sprintf(" %s=%s", lm["tag_name"], a.Sender.Team)
				}
			}
			delete(processors, "k8sattributes")
			processors[standInID] = map[string]any{"attributes": actions}
			for _, p := range asMap(asMap(cfg["service"])["pipelines"]) {
				ps := asSlice(asMap(p)["processors"])
				for i, id := range ps {
					if id == "k8sattributes" {
						ps[i] = standInID
					}
				}
			}
			rws = append(rws, Rewrite{Path: "processors.k8sattributes", From: "k8sattributes (pod lookup by connection address)", To: standInID + " inserting " + what})
		}
	}
	for _, r := range asSlice(asMap(asMap(asMap(cfg["service"])["telemetry"])["metrics"])["readers"]) {
		prom := asMap(asMap(asMap(asMap(r)["pull"])["exporter"])["prometheus"])
		to, ok := a.Listen["service.telemetry"]
		if !ok {
			errs = append(errs, errors.New("service.telemetry: no loopback address given"))
			continue
		}
		host, port, _ := net.SplitHostPort(to)
		p, _ := strconv.Atoi(port)
		from := fmt.Sprintf("%v:%v", prom["host"], prom["port"])
		prom["host"], prom["port"] = host, p
		rws = append(rws, Rewrite{Path: "service.telemetry.metrics.readers.pull.exporter.prometheus", From: from, To: to})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(rws, func(x, y Rewrite) int { return strings.Compare(x.Path, y.Path) })
	out, err := yaml.Marshal(cfg)
	return out, rws, err
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// FreeAddr returns a loopback address whose port the kernel picked and
// that no earlier call of the process returned: the kernel may hand a port
// out again once its listener is closed, and two components of one
// harness on one port make one of them fail to start.
func FreeAddr(t testing.TB) string {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if _, taken := handedOut.LoadOrStore(addr, true); !taken {
			return addr
		}
	}
	t.Fatal("FreeAddr: the kernel kept picking ports already handed out")
	return ""
}

// handedOut are the addresses FreeAddr returned.
var handedOut sync.Map

// Binary is the otelcol-check binary, from $GENOPS_OTELCOL_CHECK (make sets
// it); the test is skipped without it.
func Binary(t testing.TB) string {
	t.Helper()
	return serverBinary(t, "GENOPS_OTELCOL_CHECK", "Collector")
}

// Collector is a running Collector.
type Collector struct {
	*serverProc
}

// StartCollector runs the config with the otelcol-check binary and waits
// until its health check answers. Like the servers, the process is stopped
// by its pid when the test ends, whether it passed, failed or timed out; on
// failure its last log lines are printed.
func StartCollector(t testing.TB, bin string, config []byte, health string) *Collector {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "collector.yaml")
	if err := os.WriteFile(path, config, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Collector{startServer(t, "the Collector", filepath.Join(dir, "collector.log"), bin, "run", "--config="+path)}
	c.waitHTTP(t, "http://"+health+"/")
	return c
}

// envRefOnly is a value that is one ${env:NAME} reference.
var envRefOnly = regexp.MustCompile(`^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$`)

// Token returns a bearer token for one test, drawn at run time: no token
// is written in the repository.
func Token(t testing.TB) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// StartCollectorEnv is StartCollector with further environment variables
// for the process (NAME=value): the credentials a container reads from
// Secrets.
func StartCollectorEnv(t testing.TB, bin string, config []byte, health string, env ...string) *Collector {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "collector.yaml")
	if err := os.WriteFile(path, config, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Collector{startServerEnv(t, "the Collector", filepath.Join(dir, "collector.log"), env, bin, "run", "--config="+path)}
	c.waitHTTP(t, "http://"+health+"/")
	return c
}

// Post sends an OTLP/JSON request to an OTLP/HTTP receiver (signal: traces
// or metrics), with the bearer token when token is set.
func Post(ctx context.Context, addr, signal string, body []byte, token ...string) error {
	code, msg, err := PostStatus(ctx, addr, signal, body, token...)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("POST /v1/%s: %d: %s", signal, code, msg)
	}
	return nil
}

// PostStatus is Post returning the response's status code and body.
func PostStatus(ctx context.Context, addr, signal string, body []byte, token ...string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/"+signal, strings.NewReader(string(body)))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if len(token) > 0 && token[0] != "" {
		req.Header.Set("Authorization", "Bearer "+token[0])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg), nil
}
