package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServersSmoke runs the real Alertmanager and Prometheus servers that
// make builds: Prometheus scrapes itself every second and evaluates an
// always-firing alert every second, Alertmanager routes it to a webhook
// after a 1s group wait. It checks the HTTP API of both (a query, the
// targets, the rules, the alerts, the status) and that the notification
// arrives, and that every process is gone afterwards.
func TestServersSmoke(t *testing.T) {
	promBin, amBin := PrometheusBinary(t), AlertmanagerBinary(t)

	// Registered first, so it runs last: every server's pid is gone.
	var pids []int
	t.Cleanup(func() {
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("process %d still runs after the test", pid)
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	eventually := func(what string, f func() error) {
		t.Helper()
		var err error
		for {
			if err = f(); err == nil {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s: not within the test's time: %v", what, err)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}

	type webhook struct {
		at           time.Time
		Receiver     string            `json:"receiver"`
		Status       string            `json:"status"`
		CommonLabels map[string]string `json:"commonLabels"`
		Alerts       []struct {
			Status      string            `json:"status"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	hooks := make(chan webhook, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := webhook{at: time.Now()}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("webhook: %v: %s", err, body)
		}
		select {
		case hooks <- m:
		default:
		}
	}))
	t.Cleanup(hook.Close) // after both servers are stopped

	am := StartAlertmanager(t, amBin, fmt.Appendf(nil, `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s/hook
        send_resolved: true
`, hook.URL))
	pids = append(pids, am.Pid())

	promAddr := FreeAddr(t)
	// Prometheus hands a firing alert only to the Alertmanagers its
	// discovery has delivered by then (notifier.alertmanagerSet.send); an
	// alert that fires first is sent again after the resend delay, one
	// minute by default, past the test's time. A loaded machine made that
	// race lose once in CI; resending every second makes it harmless.
	const resendDelay = "--rules.alert.resend-delay=1s"
	start := time.Now()
	prom := StartPrometheusOn(t, promBin, promAddr, fmt.Appendf(nil, `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - rules/smoke.yaml
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: [%q]
alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
`, promAddr, am.Addr), map[string][]byte{
		"rules/smoke.yaml": []byte(`groups:
  - name: smoke
    rules:
      - alert: SmokeAlwaysFiring
        expr: vector(1)
        for: 0s
        labels:
          severity: info
        annotations:
          summary: 'always firing, value {{ $value }}'
`),
	}, resendDelay)
	pids = append(pids, prom.Pid())
	t.Logf("Prometheus ready %s after its start", time.Since(start).Round(time.Millisecond))

	status, err := am.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status.Cluster.Status != "disabled" {
		t.Errorf("Alertmanager's cluster is %q, want disabled (--cluster.listen-address=)", status.Cluster.Status)
	}
	if !strings.Contains(status.Config.Original, "group_wait: 1s") {
		t.Errorf("Alertmanager loaded another configuration:\n%s", status.Config.Original)
	}
	t.Logf("Alertmanager %s, Prometheus at %s", status.VersionInfo["version"], prom.Addr)

	eventually("up{job=\"prometheus\"} is 1", func() error {
		v, err := prom.Query(ctx, `up{job="prometheus"}`)
		if err != nil {
			return err
		}
		if len(v) != 1 || v[0].Value != 1 {
			return fmt.Errorf("got %v", v)
		}
		return nil
	})
	t.Logf("up is 1 %s after Prometheus started (its first scrape)", time.Since(start).Round(time.Millisecond))
	if _, err := prom.Query(ctx, `scalar(up)`); err == nil || !strings.Contains(err.Error(), "not a vector") {
		t.Errorf("a scalar result: got error %v, want one saying it is not a vector", err)
	}
	if _, err := prom.Query(ctx, `rate(up[`); err == nil || !strings.Contains(err.Error(), "bad_data") {
		t.Errorf("a bad query: got error %v, want the API's bad_data", err)
	}
	m, err := prom.QueryRange(ctx, `up`, time.Now().Add(-10*time.Second), time.Now(), time.Second)
	if err != nil || len(m) != 1 || len(m[0].Values) == 0 {
		t.Errorf("range query of up: %v, %v", m, err)
	}

	targets, err := prom.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Health != "up" || targets[0].Labels["job"] != "prometheus" {
		t.Errorf("targets: got %+v, want the one self-scrape, up", targets)
	}

	eventually("SmokeAlwaysFiring fires in Prometheus", func() error {
		groups, err := prom.Rules(ctx)
		if err != nil {
			return err
		}
		if len(groups) != 1 || groups[0].Name != "smoke" || len(groups[0].Rules) != 1 {
			return fmt.Errorf("rules: %+v", groups)
		}
		r := groups[0].Rules[0]
		if r.Name != "SmokeAlwaysFiring" || r.Type != "alerting" || r.Health != "ok" || r.State != "firing" {
			return fmt.Errorf("rule: %+v", r)
		}
		alerts, err := prom.Alerts(ctx)
		if err != nil {
			return err
		}
		if len(alerts) != 1 || alerts[0].State != "firing" || alerts[0].Labels["alertname"] != "SmokeAlwaysFiring" {
			return fmt.Errorf("alerts: %+v", alerts)
		}
		return nil
	})

	select {
	case m := <-hooks:
		t.Logf("notification at the webhook %s after Prometheus started", m.at.Sub(start).Round(time.Millisecond))
		if m.Receiver != "hook" || m.Status != "firing" || len(m.Alerts) != 1 || m.CommonLabels["alertname"] != "SmokeAlwaysFiring" {
			t.Fatalf("webhook: got %+v, want SmokeAlwaysFiring firing for receiver hook", m)
		}
		a := m.Alerts[0]
		if a.Labels["severity"] != "info" || a.Annotations["summary"] != "always firing, value 1" {
			t.Errorf("webhook alert: got labels %v annotations %v", a.Labels, a.Annotations)
		}
	case <-ctx.Done():
		t.Fatal("no notification reached the webhook within the test's time")
	}

	alerts, err := am.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Status.State != "active" || strings.Join(alerts[0].ReceiverNames(), ",") != "hook" {
		t.Errorf("Alertmanager's alerts: got %+v, want SmokeAlwaysFiring active for hook", alerts)
	}
}

// TestServersStoppedOnTimeout runs a test binary whose test starts
// Alertmanager and then hits go test's -timeout, which exits without
// running cleanups: the server must not outlive it.
func TestServersStoppedOnTimeout(t *testing.T) {
	if os.Getenv("GENOPS_LIVE_TIMEOUT_CHILD") != "" {
		t.Skip("run by TestServersStoppedOnTimeout itself")
	}
	AlertmanagerBinary(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestServersTimeoutChild$", "-test.timeout=5s", "-test.v")
	cmd.Env = append(os.Environ(), "GENOPS_LIVE_TIMEOUT_CHILD=1", "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "test timed out") {
		t.Fatalf("the child test should time out, got %v:\n%s", err, out)
	}
	match := regexp.MustCompile(`SERVER PID (\d+)`).FindSubmatch(out)
	if match == nil {
		t.Fatalf("the child did not start Alertmanager:\n%s", out)
	}
	pid, _ := strconv.Atoi(string(match[1]))
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("Alertmanager (pid %d) outlived its test binary, which timed out", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServersTimeoutChild is TestServersStoppedOnTimeout's child.
func TestServersTimeoutChild(t *testing.T) {
	if os.Getenv("GENOPS_LIVE_TIMEOUT_CHILD") == "" {
		t.Skip("run only by TestServersStoppedOnTimeout")
	}
	am := StartAlertmanager(t, AlertmanagerBinary(t), []byte("route:\n  receiver: none\nreceivers:\n  - name: none\n"))
	fmt.Printf("SERVER PID %d\n", am.Pid())
	time.Sleep(time.Minute) // go test's -timeout ends the binary first
}

// alive reports whether pid is a live process: neither gone nor a zombie
// (a killed orphan waits for whoever reaps for the container).
func alive(pid int) bool {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// FreeAddr never returns an address twice, though the kernel may pick a
// closed listener's port again.
func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		a := FreeAddr(t)
		if seen[a] {
			t.Fatalf("FreeAddr returned %s twice", a)
		}
		seen[a] = true
	}
}
