package live

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestTimeScaleRules(t *testing.T) {
	in := `groups:
- name: g
  interval: 30s
  rules:
  - alert: A
    expr: sum by (team) (increase(x_total[1h])) > 1.5 * sum by (team) (increase(x_total[1h] offset 1d))
    for: 5m
  - record: r:x:max
    expr: max_over_time(rate(x_total[5m])[30m:1m])
`
	out, err := TimeScale{Factor: 20}.Rules([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Interval string
			Rules    []struct{ Expr, For string }
		}
	}
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	g := f.Groups[0]
	got := []string{g.Interval, g.Rules[0].For, g.Rules[0].Expr, g.Rules[1].Expr}
	want := []string{"1s500ms", "15s",
		"sum by (team) (increase(x_total[3m])) > 1.5 * sum by (team) (increase(x_total[3m] offset 1h12m))",
		"max_over_time(rate(x_total[15s])[1m30s:3s])"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scaled:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := (TimeScale{Factor: 20}).Rules([]byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(x[5m]\n")); err == nil {
		t.Error("an expression that does not parse was scaled")
	}
}

func TestTimeScaleAlertmanager(t *testing.T) {
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(`global: {}
route:
  receiver: a
  group_wait: 10s
  routes:
  - receiver: b
    repeat_interval: 12h
`), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := (TimeScale{Factor: 20}).Alertmanager(cfg); err != nil {
		t.Fatal(err)
	}
	out, _ := yaml.Marshal(cfg)
	for _, want := range []string{"resolve_timeout: 15s", "group_wait: 500ms", "group_interval: 15s", "repeat_interval: 12m", "repeat_interval: 36m"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestAlertmanagerLoopback(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(out, "alertmanager/production/alertmanager.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{URL: "http://127.0.0.1:9"}
	dir := t.TempDir()
	cfg, rws, err := AlertmanagerLoopback(data, rec, "127.0.0.1:1", dir, TimeScale{Factor: 20})
	if err != nil {
		t.Fatal(err)
	}
	s := string(cfg)
	if strings.Contains(s, "/etc/alertmanager/secrets") || strings.Contains(s, "genops-system.svc") || strings.Contains(s, "smtp.example.com") {
		t.Errorf("an address or credentials path outside this machine is left:\n%s", s)
	}
	key, err := os.ReadFile(filepath.Join(dir, "slack-cost-critical-0"))
	if err != nil || string(key) != "http://127.0.0.1:9/slack/cost-critical" {
		t.Errorf("cost-critical's Slack URL file: %q %v", key, err)
	}
	var paths []string
	for _, r := range rws {
		paths = append(paths, r.Path)
	}
	for _, want := range []string{"global.smtp_smarthost", "receivers[cost-critical].pagerduty_configs[0].url", "receivers[policy-violations].webhook_configs[0].url"} {
		if !slices.Contains(paths, want) {
			t.Errorf("no rewrite of %s in %v", want, paths)
		}
	}
	if _, _, err := AlertmanagerLoopback([]byte("global: {}\nroute: {receiver: a}\nreceivers:\n- name: a\n  opsgenie_configs: [{api_key_file: /x}]\n"), rec, "127.0.0.1:1", dir, TimeScale{Factor: 20}); err == nil || err.Error() != "receiver a: opsgenie_configs is not run on loopback" {
		t.Errorf("unknown integration: %v", err)
	}
}
