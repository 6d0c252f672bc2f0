package grafana

import (
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/terraform"
	"github.com/koshihq/genops-stack/stack/tracing"
)

func strs(fs finding.List) []string {
	out := fs.Strings()
	sort.Strings(out)
	return out
}

func TestCheck(t *testing.T) {
	cost := Dashboard{UID: "genops-cost", Title: "Cost"}
	tests := []struct {
		name string
		ds   []Dashboard
		want []string
	}{
		{"distinct", []Dashboard{cost, {UID: "genops-policy", Title: "Policy"}}, nil},
		{"no uid", []Dashboard{{Title: "Cost"}},
			[]string{`dashboards: dashboard "Cost": has no uid: set Uid(...); Grafana would make up a new one on every import and every link to the dashboard would break`}},
		{"malformed uid", []Dashboard{{UID: "genops cost", Title: "Cost"}},
			[]string{`dashboards: dashboard "Cost": uid "genops cost" is not a Grafana uid: use 1 to 40 letters, digits, '-' or '_'`}},
		{"duplicate uid", []Dashboard{cost, {UID: "genops-cost", Title: "Policy"}},
			[]string{`dashboards: dashboard "Policy": uid "genops-cost" is also the uid of dashboard "Cost": every dashboard needs its own uid`}},
		{"duplicate title", []Dashboard{cost, {UID: "genops-cost-2", Title: "Cost"}},
			[]string{`dashboards: dashboard "Cost": has the same title as dashboard genops-cost: Grafana refuses two dashboards with one title in folder "GenOps AI"; rename one`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strs(Check("dashboards", tt.ds))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDataSources(t *testing.T) {
	for _, b := range tracing.Backends() {
		ds, err := DataSources("monitoring", b)
		if err != nil {
			t.Fatal(err)
		}
		defaults := 0
		for _, d := range ds {
			if d.Default {
				defaults++
			}
			if d.UID == TracesUID && d.Type != string(b) {
				t.Errorf("traces data source has type %s with backend %s", d.Type, b)
			}
		}
		if defaults != 1 {
			t.Errorf("%d default data sources, Grafana allows exactly one", defaults)
		}
	}
	if _, err := DataSources("monitoring", "zipkin"); err == nil || err.Error() != `unknown tracing backend "zipkin" (want "tempo" or "jaeger")` {
		t.Errorf("unknown backend: %v", err)
	}
	want := map[string]string{PrometheusUID: "prometheus", TracesUID: "tempo,jaeger", LokiUID: "loki", AlertmanagerUID: "alertmanager"}
	known := Known()
	if len(known) != len(want) {
		t.Errorf("Known() = %v", known)
	}
	for uid, types := range want {
		if got := strings.Join(known[uid], ","); got != types {
			t.Errorf("Known()[%s] = %s, want %s", uid, got, types)
		}
	}
}

func TestComponent(t *testing.T) {
	c := Component("monitoring", map[string]string{"app.kubernetes.io/part-of": "genops-stack"}, []Dashboard{{UID: "genops-cost", Title: "Cost", JSON: []byte("{}\n")}})
	g := c.Generators[0]
	if g.Kind != "ConfigMap" || g.Name != "grafana-dashboard-genops-cost" || g.Namespace != "monitoring" || !g.NoHash ||
		g.Labels["grafana_dashboard"] != "1" || g.Labels["app.kubernetes.io/part-of"] != "genops-stack" ||
		g.Annotations["grafana_folder"] != "GenOps AI" || g.Files[0].Key != "genops-cost.json" || string(g.Files[0].Data) != "{}\n" {
		t.Errorf("generator: %+v", g)
	}
}

// TestTerraform renders the module for two environments that differ in
// their trace backend and checks it with the HCL checker.
func TestTerraform(t *testing.T) {
	dev, err := DataSources("monitoring", tracing.Jaeger)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := DataSources("monitoring", tracing.Tempo)
	if err != nil {
		t.Fatal(err)
	}
	set := files.NewSet()
	dash := Dashboard{UID: "genops-cost", Title: "Cost", JSON: []byte("{}\n")}
	if err := set.Add("grafana/dashboards/genops-cost.json", files.Dashboard, dash.JSON); err != nil {
		t.Fatal(err)
	}
	envs := []Environment{{Name: "development", GrafanaURL: "http://grafana.dev", DataSources: dev}, {Name: "production", GrafanaURL: "https://grafana.example.com", DataSources: prod}}
	if err := Terraform(set, "terraform", "grafana/dashboards", []Dashboard{dash}, envs); err != nil {
		t.Fatal(err)
	}
	if fs := terraform.Check(set, "terraform"); len(fs) > 0 {
		t.Errorf("the rendered Terraform has findings:\n%s", strings.Join(strs(fs), "\n"))
	}
	for p, want := range map[string][]string{
		"terraform/dashboards.tf":      {`config_json = file("${path.module}/../grafana/dashboards/genops-cost.json")`, `folder      = grafana_folder.genops.uid`},
		"terraform/data_sources.tf":    {`type        = var.traces_type`, `uid         = "genops-traces"`, `type        = "prometheus"`},
		"terraform/variables.tf":       {`condition     = contains(["jaeger", "tempo"], var.traces_type)`, "sensitive   = true"},
		"terraform/development.tfvars": {`traces_type      = "jaeger"`, `grafana_url      = "http://grafana.dev"`},
		"terraform/production.tfvars":  {`traces_type      = "tempo"`},
		"terraform/versions.tf":        {`version = "` + ProviderVersion + `"`},
	} {
		data, ok := set.Get(p)
		if !ok {
			t.Errorf("%s not rendered", p)
			continue
		}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %q:\n%s", p, w, data)
			}
		}
		if strings.Contains(string(data), "grafana_auth =") {
			t.Errorf("%s sets grafana_auth", p)
		}
	}
	// Terraform writes each file with File.Bytes, which formats; nothing
	// formats it again, so it must already be what hclwrite.Format makes.
	for _, f := range set.OfKind(files.Terraform, files.TerraformVars) {
		if got := hclwrite.Format(f.Data); string(got) != string(f.Data) {
			t.Errorf("%s is not as hclwrite.Format writes it:\n%s\nformatted:\n%s", f.Path, f.Data, got)
		}
	}
	// One environment, one trace backend: the type is a literal, not a variable.
	single := files.NewSet()
	if err := Terraform(single, "terraform", "grafana/dashboards", nil, envs[1:]); err != nil {
		t.Fatal(err)
	}
	if data, _ := single.Get("terraform/data_sources.tf"); !strings.Contains(string(data), `type        = "tempo"`) {
		t.Errorf("single-environment data sources:\n%s", data)
	}
}
