// Package live runs rendered Collector configs for real, on loopback: the
// otelcol-check binary's run mode is a Collector built from exactly the
// components (and versions) the configs are validated with. A test changes
// a rendered config only through Loopback, which lists every rewrite.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
}

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
		if id != "health_check" {
			errs = append(errs, fmt.Errorf("extension %s: not run on loopback", id))
			continue
		}
		listen("extensions.health_check", asMap(e))
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

// Post sends an OTLP/JSON request to an OTLP/HTTP receiver (signal: traces
// or metrics).
func Post(ctx context.Context, addr, signal string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/"+signal, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /v1/%s: %s: %s", signal, resp.Status, msg)
	}
	return nil
}
