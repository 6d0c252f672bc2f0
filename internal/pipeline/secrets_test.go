package pipeline

import (
	"bytes"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/differ"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/policy"
	"github.com/koshihq/genops-stack/internal/testutil"
	"github.com/koshihq/genops-stack/internal/writer"
	"github.com/koshihq/genops-stack/schemas"
	"github.com/koshihq/genops-stack/stack"
)

// committedOut is the committed out/ as a file set: the files of a run,
// each with its kind, which must be exactly those committed.
func committedOut(t *testing.T) *files.Set {
	t.Helper()
	res, err := Generate(stack.Default(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := writer.ReadTree(filepath.Join(testutil.RepoRoot(t), "out"))
	if err != nil {
		t.Fatal(err)
	}
	if r := differ.Compare(res.Files, tree); !r.Clean() {
		t.Fatalf("out/ is not what the definitions render: run make generate\n%s", r)
	}
	set := res.Files
	if set.Len() < 50 {
		t.Fatalf("out/ holds %d files: nothing to scan", set.Len())
	}
	return set
}

func builtinPolicies(t *testing.T) *policy.Set {
	t.Helper()
	pol, err := policy.Load(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// TestCommittedOutHoldsNoSecret walks the committed out/ with the secret
// rules of schemas/secrets.cue: nothing in it may look like a credential.
func TestCommittedOutHoldsNoSecret(t *testing.T) {
	fs, err := scanSecrets(builtinPolicies(t), committedOut(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Error(f)
	}
}

// TestSecretScanFindsEveryKind plants one credential of each kind the
// policies know (every pattern of schemas/secrets.cue, and a literal under
// a secret-named key) in a copy of out/, in YAML, JSON, Terraform and
// Markdown files, and asserts each is found where it was planted. The
// values are assembled at run time: no file of the repository holds one.
func TestSecretScanFindsEveryKind(t *testing.T) {
	pol := builtinPolicies(t)
	set := committedOut(t)
	plants := []struct {
		kind, path string
		plant      func([]byte) []byte
		want       string
	}{
		{"slack_webhook", "alertmanager/production/alertmanager.yaml",
			appendLine("slack_api_url: https://hooks.slack.com/services/" + "T0000000/B0000000/" + strings.Repeat("x", 24)),
			"alertmanager/production/alertmanager.yaml: key slack_api_url: holds a literal that looks like a secret (slack_webhook): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"slack_token", "grafana/dashboards/genops-cost.json",
			jsonField("description", "xo"+"xb-"+strings.Repeat("1", 12)+"-"+strings.Repeat("a", 24)),
			"grafana/dashboards/genops-cost.json: key description: holds a literal that looks like a secret (slack_token): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"aws_access_key", "terraform/production.tfvars",
			appendLine(`aws_access_key_id = "` + "AK" + "IA" + strings.Repeat("Q", 16) + `"`),
			"terraform/production.tfvars: key aws_access_key_id: holds a literal that looks like a secret (aws_access_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"private_key", "runbooks/CostAnomaly.md",
			appendLine("-----BEGIN " + "RSA PRIVATE KEY-----"),
			"runbooks/CostAnomaly.md: text: holds a literal that looks like a secret (private_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"github_token", "helm/production/loki.values.yaml",
			appendLine("planted: gh" + "p_" + strings.Repeat("A", 36)),
			"helm/production/loki.values.yaml: key planted: holds a literal that looks like a secret (github_token): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"bearer_token", "runbooks/HighLatency.md",
			appendLine(`curl -H "Authorization: Bear` + `er ` + strings.Repeat("0a", 16) + `" http://genops-ai/api`),
			"runbooks/HighLatency.md: text: holds a literal that looks like a secret (bearer_token): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"basic_auth_url", "otel/production/collector.yaml",
			appendLine("planted_endpoint: https://collector:" + strings.Repeat("9", 10) + "@otlp.example.com"),
			"otel/production/collector.yaml: key planted_endpoint: holds a literal that looks like a secret (basic_auth_url): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"honeycomb_key", "kubernetes/base/otel-collector.yaml",
			appendLine("plantedHeader: hc" + "aik_" + strings.Repeat("0", 26)),
			"kubernetes/base/otel-collector.yaml: key plantedHeader: holds a literal that looks like a secret (honeycomb_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"datadog_api_key", "README.md",
			appendLine("export DD_API" + "_KEY=" + strings.Repeat("0f", 16)),
			"README.md: text: holds a literal that looks like a secret (datadog_api_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})\n" +
				"README.md: text: holds a literal that looks like a secret (generic_api_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"generic_api_key", "runbooks/GenOpsPodDown.md",
			appendLine("curl https://genops-ai/api?api" + "_key=" + strings.Repeat("Z", 24)),
			"runbooks/GenOpsPodDown.md: text: holds a literal that looks like a secret (generic_api_key): reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
		{"secret key", "helm/staging/kube-prometheus-stack.values.yaml",
			appendLine("adminPassword: hunter2"),
			"helm/staging/kube-prometheus-stack.values.yaml: key adminPassword: holds a literal value for a secret: reference it instead (a *_file field, a secretKeyRef, ${env:...})"},
	}
	var kinds, want []string
	for _, p := range plants {
		data, ok := set.Get(p.path)
		if !ok {
			t.Fatalf("out/ has no %s to plant %s in", p.path, p.kind)
		}
		replaceFile(t, set, p.path, p.plant(data))
		kinds = append(kinds, p.kind)
		want = append(want, strings.Split(p.want, "\n")...)
	}
	if missing := setDiff(append(pol.SecretPatterns(), "secret key"), kinds); len(missing) > 0 {
		t.Errorf("no credential planted for %v: add one of each kind", missing)
	}
	fs, err := scanSecrets(pol, set)
	if err != nil {
		t.Fatal(err)
	}
	got := fs.Strings()
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func appendLine(line string) func([]byte) []byte {
	return func(data []byte) []byte { return append(bytes.Clone(data), []byte(line+"\n")...) }
}

// jsonField adds a string field at the top of a JSON object.
func jsonField(key, value string) func([]byte) []byte {
	return func(data []byte) []byte {
		return bytes.Replace(data, []byte("{\n"), []byte(`{
  "`+key+`": "`+value+`",
`), 1)
	}
}

// replaceFile swaps the bytes of one file of set.
func replaceFile(t *testing.T, set *files.Set, path string, data []byte) {
	t.Helper()
	out := files.NewSet()
	for _, f := range set.Files() {
		if f.Path == path {
			f.Data = data
		}
		if err := out.AddFile(f); err != nil {
			t.Fatal(err)
		}
	}
	*set = *out
}

func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
