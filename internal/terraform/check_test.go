package terraform

import (
	"sort"
	"strings"
	"testing"

	"github.com/koshihq/genops-stack/internal/files"
)

// sample is a small module that passes every check.
var sample = map[string]string{
	"terraform/versions.tf": `terraform {
  required_providers {
    grafana = {
      source  = "grafana/grafana"
      version = "4.25.0"
    }
  }
}
`,
	"terraform/main.tf": `provider "grafana" {
  url  = var.grafana_url
  auth = var.grafana_auth
}

resource "grafana_folder" "genops" {
  title = "GenOps AI"
}

resource "grafana_dashboard" "cost" {
  folder      = grafana_folder.genops.uid
  config_json = file("${path.module}/../grafana/dashboards/genops-cost.json")
}
`,
	"terraform/variables.tf": `variable "grafana_url" {
  type = string
}

variable "grafana_auth" {
  type      = string
  sensitive = true
}

variable "org" {
  type    = string
  default = "main"
}
`,
	"terraform/production.tfvars": `grafana_url = "https://grafana.example.com"
`,
	"grafana/dashboards/genops-cost.json": "{}\n",
}

func check(t *testing.T, edit func(m map[string]string)) []string {
	t.Helper()
	m := map[string]string{}
	for k, v := range sample {
		m[k] = v
	}
	edit(m)
	set := files.NewSet()
	for p, data := range m {
		kind := files.Terraform
		if strings.HasSuffix(p, ".tfvars") {
			kind = files.TerraformVars
		}
		if err := set.Add(p, kind, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	got := Check(set, "terraform").Strings()
	sort.Strings(got)
	return got
}

func replace(p, old, new string) func(m map[string]string) {
	return func(m map[string]string) {
		if !strings.Contains(m[p], old) {
			panic("test module lacks " + old)
		}
		m[p] = strings.Replace(m[p], old, new, 1)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(m map[string]string)
		want []string
	}{
		{"valid", func(map[string]string) {}, nil},
		{"undeclared variable", replace("terraform/main.tf", "var.grafana_url", "var.grafana_endpoint"),
			[]string{"terraform/main.tf:2: provider grafana: refers to var.grafana_endpoint, which no variable block declares"}},
		{"missing file", replace("terraform/main.tf", "genops-cost.json", "genops-costs.json"),
			[]string{"terraform/main.tf:12: resource grafana_dashboard.cost: reads grafana/dashboards/genops-costs.json, which is not a generated file"}},
		{"file path from a variable", replace("terraform/main.tf", `file("${path.module}/../grafana/dashboards/genops-cost.json")`, `file(var.org)`),
			[]string{"terraform/main.tf:12: resource grafana_dashboard.cost: reads a file whose path is not a constant under path.module"}},
		{"undeclared resource", replace("terraform/main.tf", "grafana_folder.genops.uid", "grafana_folder.genai.uid"),
			[]string{"terraform/main.tf:11: resource grafana_dashboard.cost: refers to grafana_folder.genai, which no resource block declares"}},
		{"path other than path.module", replace("terraform/main.tf", "${path.module}", "${path.cwd}"),
			[]string{
				"terraform/main.tf:12: resource grafana_dashboard.cost: reads a file whose path is not a constant under path.module",
				"terraform/main.tf:12: resource grafana_dashboard.cost: refers to path.cwd: only path.module is relative to this module",
			}},
		{"secret in tfvars", func(m map[string]string) { m["terraform/production.tfvars"] += "grafana_auth = \"glsa_secret\"\n" },
			[]string{"terraform/production.tfvars:2: variable grafana_auth: sets a sensitive variable: a secret value would be committed; pass it as TF_VAR_grafana_auth"}},
		{"sensitive variable with a default", replace("terraform/variables.tf", "sensitive = true", "sensitive = true\n  default = \"admin:admin\""),
			[]string{"terraform/variables.tf:8: variable grafana_auth: is sensitive but has a default: a secret value would be committed; remove the default and pass it as TF_VAR_grafana_auth"}},
		{"tfvars sets an undeclared variable", func(m map[string]string) { m["terraform/production.tfvars"] += "grafana_org = \"main\"\n" },
			[]string{"terraform/production.tfvars:2: variable grafana_org: sets a variable that no variable block declares"}},
		{"tfvars misses a variable", replace("terraform/production.tfvars", `grafana_url = "https://grafana.example.com"`, ""),
			[]string{"terraform/production.tfvars: variable grafana_url: is not set, and it has no default: terraform would prompt for it"}},
		{"tfvars with an expression", replace("terraform/production.tfvars", `"https://grafana.example.com"`, `var.org`),
			[]string{"terraform/production.tfvars:1: variable grafana_url: is not a constant: .tfvars files hold values only"}},
		{"unpinned provider", replace("terraform/versions.tf", `"4.25.0"`, `"~> 4.25"`),
			[]string{`terraform/versions.tf:3: provider grafana: version "~> 4.25" is not pinned: use an exact version such as "1.2.3"`}},
		{"provider without version", replace("terraform/versions.tf", `      version = "4.25.0"`+"\n", ""),
			[]string{`terraform/versions.tf:3: provider grafana: has no version: pin one, e.g. { source = ..., version = "1.2.3" }`}},
		{"provider not required", func(m map[string]string) {
			m["terraform/main.tf"] += "resource \"random_id\" \"x\" {\n  byte_length = 4\n}\n"
		},
			[]string{"terraform/main.tf:14: resource random_id.x: uses provider random, which required_providers does not list with a pinned version"}},
		{"provider block not required", replace("terraform/main.tf", `provider "grafana"`, `provider "grafana_cloud"`),
			[]string{"terraform/main.tf:1: provider grafana_cloud: configures provider grafana_cloud, which required_providers does not list"}},
		{"parse error", replace("terraform/main.tf", `title = "GenOps AI"`, `title = = "GenOps AI"`),
			[]string{"terraform/main.tf:7: Invalid expression: Expected the start of an expression, but found an invalid expression token."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, tt.edit)
			sort.Strings(tt.want)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
