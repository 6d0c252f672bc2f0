package pipeline

import (
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/tracing"
)

// TestIndexLinksResolve: every relative link of out/README.md names a
// generated file, and every alert and dashboard has its row.
func TestIndexLinksResolve(t *testing.T) {
	res := mustGenerate(t)
	readme, _ := res.Files.Get(indexFile)
	links := regexp.MustCompile(`\]\(([^)#:]+)\)`).FindAllSubmatch(readme, -1)
	if len(links) == 0 {
		t.Fatal("no links")
	}
	for _, m := range links {
		if _, ok := res.Files.Get(string(m[1])); !ok {
			t.Errorf("README.md links %s, which is not generated", m[1])
		}
	}
	base, err := Build(stack.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range base.RuleGroups {
		for _, a := range g.Alerts {
			name := a.Alert
			if a.Team != "" {
				name += " (" + a.Team + ")"
			}
			if !strings.Contains(string(readme), "\n| "+name+" | "+g.Name+" | ") {
				t.Errorf("README.md has no row for alert %s", name)
			}
		}
	}
	for _, d := range base.Dashboards {
		if !strings.Contains(string(readme), "\n| "+d.UID+" | ") {
			t.Errorf("README.md has no row for dashboard %s", d.UID)
		}
	}
}

// TestIndexFolders: the file table accounts for every generated file, and
// a file in a folder the index does not describe fails the render.
func TestIndexFolders(t *testing.T) {
	res := mustGenerate(t)
	readme, _ := res.Files.Get(indexFile)
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^\| `+"`"+`[^|]+`+"`"+` \| [^|]+ \| ([^|]+) \|$`).FindAllSubmatch(readme, -1) {
		for _, n := range regexp.MustCompile(`\d+`).FindAll(m[1], -1) {
			c, _ := strconv.Atoi(string(n))
			total += c
		}
	}
	if total != res.Files.Len()-1 {
		t.Errorf("the file table counts %d files, out/ has %d besides README.md", total, res.Files.Len()-1)
	}

	base, envs := buildDefault(t)
	set, err := Render(base, envs)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Add("datadog/monitors.json", files.DatadogCheck, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	_, err = index(set, base, envs)
	want := "README.md: datadog/monitors.json falls in no folder the index describes: add its folder to folders in internal/pipeline/index.go"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestIndexSecretsCoverReferences: every Secret key an environment reads
// (secretKeyRef in its objects and Helm values, the existing Secret of
// Grafana's admin login, the credential files of Alertmanager) is in the
// index's table of Secrets to create. stack.Development is also checked with
// Jaeger on Elasticsearch, whose password is one more Secret.
func TestIndexSecretsCoverReferences(t *testing.T) {
	envs := stack.Default().Environments
	es := stack.Development()
	es.Name = "development-es"
	es.Jaeger.Memory = nil
	es.Jaeger.Elasticsearch = &tracing.JaegerElasticsearch{URL: "https://elasticsearch:9200", Username: "jaeger", IndexPrefix: "genops", PasswordSecret: "jaeger-elasticsearch", PasswordKey: "password"}
	for _, env := range append(envs, es) {
		s, err := Build(env)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		for _, c := range s.Components {
			for _, sec := range c.Secrets {
				for _, k := range sec.Keys {
					listed[sec.Name+" "+k] = true
				}
			}
		}
		var docs []any
		for _, o := range s.Objects() {
			m, err := kube.ToMap(o)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, m)
		}
		for _, c := range s.Components {
			if c.Release != nil && c.Release.Values != nil {
				docs = append(docs, decodeYAML(t, func() ([]byte, error) { return c.Release.Values, nil }))
			}
		}
		am, err := alertmanager.Render(s.Alerting)
		if err != nil {
			t.Fatal(err)
		}
		var amDoc any
		if err := yaml.Unmarshal(am, &amDoc); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, amDoc)
		refs := map[string]bool{}
		for _, d := range docs {
			secretRefs(d, s.Env.Namespaces.Monitoring, refs)
		}
		if len(refs) == 0 {
			t.Fatalf("%s: no Secret references found", env.Name)
		}
		for r := range refs {
			if !listed[r] {
				t.Errorf("%s: %s is read but not in the Secrets to create (%v)", env.Name, r, listed)
			}
		}
	}
}

func decodeYAML(t *testing.T, render func() ([]byte, error)) any {
	t.Helper()
	data, err := render()
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := yaml.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// secretRefs collects "namespace/secret key" for every secretKeyRef, every
// existingSecret with its *Key siblings, and every credential file under
// Alertmanager's Secrets folder in v.
func secretRefs(v any, ns string, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["secretKeyRef"].(map[string]any); ok {
			out[ns+"/"+ref["name"].(string)+" "+ref["key"].(string)] = true
		}
		if name, ok := t["existingSecret"].(string); ok {
			for k, key := range t {
				if strings.HasSuffix(k, "Key") {
					out[ns+"/"+name+" "+key.(string)] = true
				}
			}
		}
		for k, x := range t {
			if f, ok := x.(string); ok && strings.HasSuffix(k, "_file") && strings.HasPrefix(f, routing.SecretsDir+"/") {
				dir, key := path.Split(strings.TrimPrefix(f, routing.SecretsDir+"/"))
				out[ns+"/"+strings.TrimSuffix(dir, "/")+" "+key] = true
			}
			secretRefs(x, ns, out)
		}
	case []any:
		for _, x := range t {
			secretRefs(x, ns, out)
		}
	}
}

// buildDefault assembles the base and the environments of Default.
func buildDefault(t testing.TB) (*Stack, []*Stack) {
	t.Helper()
	def := stack.Default()
	base, err := Build(def.Base)
	if err != nil {
		t.Fatal(err)
	}
	var envs []*Stack
	for _, e := range def.Environments {
		s, err := Build(e)
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, s)
	}
	return base, envs
}

// BenchmarkIndex renders out/README.md from the assembled stacks and the
// rendered files: every environment's alertmanager.yaml loaded, the
// routing of every alert through Alertmanager's matching, the Mermaid
// trees, the tables.
func BenchmarkIndex(b *testing.B) {
	base, envs := buildDefault(b)
	set, err := Render(base, envs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index(set, base, envs); err != nil {
			b.Fatal(err)
		}
	}
}
