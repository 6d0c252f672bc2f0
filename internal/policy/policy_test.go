package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/schemas"
)

func goodAlert() map[string]any {
	return map[string]any{
		"alert": "CostAnomaly", "expr": "x > 1", "for": "30m",
		"labels": map[string]any{"severity": "warning", "category": "cost"},
		"annotations": map[string]any{
			"summary": "s", "description": "d", "runbook_url": "https://example.org/r.md",
		},
	}
}

func goodDashboard() map[string]any {
	return map[string]any{
		"uid": "genops-cost", "title": "Cost", "tags": []any{"genops", "cost"},
		"templating": map[string]any{"list": []any{map[string]any{"name": "datasource", "type": "datasource"}}},
	}
}

func goodContainer() map[string]any {
	return map[string]any{
		"name": "c", "image": "otel/opentelemetry-collector-contrib:0.149.0",
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
			"limits":   map[string]any{"cpu": "1", "memory": "1Gi"},
		},
		"securityContext": map[string]any{
			"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
			"capabilities": map[string]any{"drop": []any{"ALL"}},
		},
	}
}

func set(t *testing.T, dirs ...string) *Set {
	t.Helper()
	s, err := Load(schemas.FS, dirs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBuiltinPolicies(t *testing.T) {
	s := set(t)
	tests := []struct {
		name  string
		kind  string
		value func() map[string]any
		edit  func(map[string]any)
		want  []string
	}{
		// The house rules of alerts are promlint.HouseRules, not CUE: no
		// built-in policy constrains an alert.
		{"any alert", KindAlert, goodAlert, func(a map[string]any) { a["labels"].(map[string]any)["severity"] = "high" }, nil},
		{"good dashboard", KindDashboard, goodDashboard, func(map[string]any) {}, nil},
		{"dashboard without genops tag", KindDashboard, goodDashboard, func(d map[string]any) { d["tags"] = []any{"cost"} },
			[]string{`f: obj: policy tags: invalid value ["cost"] (does not satisfy list.MatchN)`}},
		{"dashboard without datasource variable", KindDashboard, goodDashboard, func(d map[string]any) {
			d["templating"] = map[string]any{"list": []any{map[string]any{"name": "team", "type": "query"}}}
		}, []string{`f: obj: policy templating.list: invalid value [{name:"team",type:"query"}] (does not satisfy list.MatchN)`}},
		{"good container", KindContainer, goodContainer, func(map[string]any) {}, nil},
		{"latest image", KindContainer, goodContainer, func(c map[string]any) { c["image"] = "grafana/tempo:latest" },
			[]string{`f: obj: policy image: invalid value "grafana/tempo:latest" (out of bound !~":latest$")`}},
		{"writable root", KindContainer, goodContainer, func(c map[string]any) {
			c["securityContext"].(map[string]any)["readOnlyRootFilesystem"] = false
		}, []string{`f: obj: policy securityContext.readOnlyRootFilesystem: conflicting values false and true`}},
		{"no limits", KindContainer, goodContainer, func(c map[string]any) { delete(c["resources"].(map[string]any), "limits") },
			[]string{`f: obj: policy resources.limits.cpu: is required (_)`, `f: obj: policy resources.limits.memory: is required (_)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.value()
			tt.edit(v)
			got := s.Check([]Subject{{Kind: tt.kind, Artifact: "f", Object: "obj", Value: v}}).Strings()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestUserPolicy(t *testing.T) {
	dir := t.TempDir()
	user := "package genops\n\n// Every alert names its owning team.\nalert: labels: team: =~\"^[a-z-]+$\"\n"
	if err := os.WriteFile(filepath.Join(dir, "team.cue"), []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	s := set(t, dir)
	got := s.Check([]Subject{{Kind: KindAlert, Artifact: "prometheus/rules/genops-cost.yaml", Object: "alert CostAnomaly", Value: goodAlert()}}).Strings()
	want := `prometheus/rules/genops-cost.yaml: alert CostAnomaly: policy labels.team: is required (=~"^[a-z-]+$")`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
	a := goodAlert()
	a["labels"].(map[string]any)["team"] = "finops"
	if got := s.Check([]Subject{{Kind: KindAlert, Value: a}}); len(got) != 0 {
		t.Errorf("alert with a team: %v", got)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.cue"), []byte("package genops\nalert: {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(schemas.FS, dir)
	if err == nil || !strings.Contains(err.Error(), "bad.cue") {
		t.Errorf("syntax error not reported with the file: %v", err)
	}
	conflict := t.TempDir()
	if err := os.WriteFile(filepath.Join(conflict, "c.cue"), []byte("package genops\ndashboard: uid: \"costs\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(schemas.FS, conflict)
	want := `policies conflict: dashboard.uid: invalid value "costs" (out of bound =~"^genops-[a-z0-9-]+$"): schemas/dashboards.cue:7:9 C/c.cue:2:17`
	if err == nil || strings.ReplaceAll(err.Error(), conflict, "C") != want {
		t.Errorf("conflicting policies: %v\nwant %s", err, want)
	}
	if _, err := Load(schemas.FS, t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no .cue files") {
		t.Errorf("empty policy dir: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	s := set(t)
	tests := []struct {
		pair Pair
		want string // "" = clean
	}{
		{Pair{"api_url_file", "/etc/alertmanager/secrets/genops-alertmanager/slack-url"}, ""},
		{Pair{"api_url", "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"}, "f: key api_url: holds a literal that looks like a secret (slack_webhook): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"service_key", "0123456789abcdef0123456789abcdef"}, "f: key service_key: holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"adminPassword", "admin"}, "f: key adminPassword: holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"existingSecret", "grafana-admin-credentials"}, ""},
		{Pair{"passwordKey", "admin-password"}, ""},
		{Pair{"x-honeycomb-team", "${env:HONEYCOMB_API_KEY}"}, ""},
		{Pair{"x-honeycomb-team", "abcdef"}, "f: key x-honeycomb-team: holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"url", "https://user:hunter2@example.org/hook"}, "f: key url: holds a literal that looks like a secret (basic_auth_url): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"", "export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP"}, "f: text: holds a literal that looks like a secret (aws_access_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{Pair{"description", "Team {{ $labels.team }} has consumed its budget"}, ""},
	}
	for _, tt := range tests {
		got := s.SecretScan().File("f", []Pair{tt.pair}).Strings()
		if (tt.want == "" && len(got) > 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("%+v: got %q, want %q", tt.pair, got, tt.want)
		}
	}
}

// TestSecretsOncePerKey: a literal repeated in a file is one finding per key
// and kind of secret.
func TestSecretsOncePerKey(t *testing.T) {
	url := "https://user:hunter2@example.org/d/cost"
	got := set(t).SecretScan().File("f", []Pair{{"url", url}, {"url", url}, {"", url}}).Strings()
	want := []string{
		"f: key url: holds a literal that looks like a secret (basic_auth_url): reference it instead (a *_file field, a secretKeyRef, ${env:...})",
		"f: text: holds a literal that looks like a secret (basic_auth_url): reference it instead (a *_file field, a secretKeyRef, ${env:...})",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStrings(t *testing.T) {
	v := map[string]any{"b": []any{"x", map[string]any{"c": "y"}}, "a": "z", "n": 1.0}
	got := Strings(v)
	want := []Pair{{"a", "z"}, {"b", "x"}, {"c", "y"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %v, want %v", i, got[i], want[i])
		}
	}
}

// TestCheckEqualValues: subjects with equal values, evaluated once, each
// get their findings, in the order of the subjects, from every worker.
func TestCheckEqualValues(t *testing.T) {
	s := set(t)
	untagged := goodDashboard()
	untagged["tags"] = []any{"cost"}
	renamed := goodDashboard()
	renamed["uid"] = "costs"
	var subjects []Subject
	var want []string
	for i := range 20 {
		for _, sub := range []struct {
			value map[string]any
			msg   string
		}{
			{untagged, `policy tags: invalid value ["cost"] (does not satisfy list.MatchN)`},
			{goodDashboard(), ""},
			{renamed, `policy uid: invalid value "costs" (out of bound =~"^genops-[a-z0-9-]+$")`},
		} {
			artifact := fmt.Sprintf("dashboard-%d.json", i)
			subjects = append(subjects, Subject{Kind: KindDashboard, Artifact: artifact, Object: "dashboard", Value: sub.value})
			if sub.msg != "" {
				want = append(want, artifact+": dashboard: "+sub.msg)
			}
		}
	}
	if got := s.Check(subjects).Strings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSecretsRepeated: a string matched once is still reported under each
// key that holds it, and a literal repeated under one key is one finding.
func TestSecretsRepeated(t *testing.T) {
	s := set(t)
	hook := "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"
	got := s.SecretScan().File("f", []Pair{{"api_url", hook}, {"token", "abc"}, {"url", hook}, {"token", "${env:TOKEN}"}, {"token", "abc"}}).Strings()
	want := []string{
		"f: key api_url: holds a literal that looks like a secret (slack_webhook): reference it instead (a *_file field, a secretKeyRef, ${env:...})",
		"f: key token: holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})",
		"f: key url: holds a literal that looks like a secret (slack_webhook): reference it instead (a *_file field, a secretKeyRef, ${env:...})",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
