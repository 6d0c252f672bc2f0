package grafana

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/koshihq/genops-stack/internal/files"
)

// ProviderVersion is the grafana/grafana Terraform provider release the
// files are written for.
const ProviderVersion = "4.25.0"

// Environment is what the Terraform of one environment sets: its .tfvars.
type Environment struct {
	Name        string
	GrafanaURL  string
	DataSources []DataSource
}

// Terraform renders the Terraform module that provisions Grafana into set
// under dir: the provider pinned, the folder, the data sources (the URLs,
// and a type that differs between environments, are variables), one
// grafana_dashboard per dashboard reading its JSON from dashboardsDir (both
// dirs relative to the output directory), and one <env>.tfvars per
// environment. Grafana's credentials are a sensitive variable no file sets.
func Terraform(set *files.Set, dir, dashboardsDir string, dashboards []Dashboard, envs []Environment) error {
	if len(envs) == 0 {
		return fmt.Errorf("terraform: no environment")
	}
	ds := envs[0].DataSources
	// types holds the plugin types of every data source whose type differs
	// between environments: the type is then a variable.
	types := map[string][]string{}
	for _, e := range envs {
		if len(e.DataSources) != len(ds) {
			return fmt.Errorf("terraform: environment %s has %d data sources, %s has %d", e.Name, len(e.DataSources), envs[0].Name, len(ds))
		}
		for i, d := range e.DataSources {
			if d.Key != ds[i].Key || d.UID != ds[i].UID {
				return fmt.Errorf("terraform: environment %s: data source %d is %s (%s), not %s (%s) as in %s", e.Name, i+1, d.Key, d.UID, ds[i].Key, ds[i].UID, envs[0].Name)
			}
			if !slices.Contains(types[d.Key], d.Type) {
				types[d.Key] = append(types[d.Key], d.Type)
				slices.Sort(types[d.Key])
			}
		}
	}
	for key, ts := range types {
		if len(ts) == 1 {
			delete(types, key)
		}
	}
	data, err := dataSourcesFile(ds, types)
	if err != nil {
		return err
	}
	outputs := []tfFile{
		{"versions.tf", versionsFile()},
		{"providers.tf", providersFile()},
		{"variables.tf", variablesFile(ds, types)},
		{"data_sources.tf", data},
		{"dashboards.tf", dashboardsFile(dashboards, relPath(dir, dashboardsDir))},
	}
	for _, e := range envs {
		outputs = append(outputs, tfFile{e.Name + ".tfvars", tfvarsFile(e, types)})
	}
	for _, o := range outputs {
		kind := files.Terraform
		if path.Ext(o.name) == ".tfvars" {
			kind = files.TerraformVars
		}
		// Bytes formats the file as hclwrite.Format does (File.WriteTo).
		if err := set.Add(path.Join(dir, o.name), kind, files.WithHashHeader(o.file.Bytes())); err != nil {
			return err
		}
	}
	return nil
}

// tfFile is one file of the module.
type tfFile struct {
	name string
	file *hclwrite.File
}

func versionsFile() *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	tf := f.Body().AppendNewBlock("terraform", nil).Body()
	tf.SetAttributeValue("required_version", cty.StringVal(">= 1.5.0"))
	tf.AppendNewBlock("required_providers", nil).Body().SetAttributeValue("grafana", cty.ObjectVal(map[string]cty.Value{
		"source":  cty.StringVal("grafana/grafana"),
		"version": cty.StringVal(ProviderVersion),
	}))
	return f
}

func providersFile() *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	p := f.Body().AppendNewBlock("provider", []string{"grafana"}).Body()
	p.SetAttributeTraversal("url", varRef("grafana_url"))
	p.SetAttributeTraversal("auth", varRef("grafana_auth"))
	return f
}

func variablesFile(ds []DataSource, types map[string][]string) *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	variable(b, "grafana_url", "Grafana's URL, e.g. https://grafana.example.com.")
	auth := variable(b, "grafana_auth", "A Grafana service account token (or user:password). Never in a .tfvars file: pass it as TF_VAR_grafana_auth.")
	auth.SetAttributeValue("sensitive", cty.True)
	for _, d := range ds {
		variable(b, d.Key+"_url", fmt.Sprintf("The URL Grafana reaches the %s data source (uid %s) at.", d.Name, d.UID))
		if ts := types[d.Key]; len(ts) > 0 {
			v := variable(b, d.Key+"_type", fmt.Sprintf("The plugin of the %s data source: %s.", d.Name, strings.Join(ts, " or ")))
			vals := make([]cty.Value, len(ts))
			for i, t := range ts {
				vals[i] = cty.StringVal(t)
			}
			val := v.AppendNewBlock("validation", nil).Body()
			val.SetAttributeRaw("condition", hclwrite.TokensForFunctionCall("contains",
				hclwrite.TokensForValue(cty.TupleVal(vals)), hclwrite.TokensForTraversal(varRef(d.Key+"_type"))))
			val.SetAttributeValue("error_message", cty.StringVal(fmt.Sprintf("%s_type must be one of %s.", d.Key, strings.Join(ts, ", "))))
		}
	}
	return f
}

func variable(b *hclwrite.Body, name, description string) *hclwrite.Body {
	v := b.AppendNewBlock("variable", []string{name}).Body()
	v.SetAttributeTraversal("type", hcl.Traversal{hcl.TraverseRoot{Name: "string"}})
	v.SetAttributeValue("description", cty.StringVal(description))
	b.AppendNewline()
	return v
}

func dataSourcesFile(ds []DataSource, types map[string][]string) (*hclwrite.File, error) {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	for i, d := range ds {
		jsonData, err := ctyValue(d.JSONData)
		if err != nil {
			return nil, fmt.Errorf("terraform: data source %s: %w", d.Key, err)
		}
		if i > 0 {
			b.AppendNewline()
		}
		r := b.AppendNewBlock("resource", []string{"grafana_data_source", d.Key}).Body()
		r.SetAttributeValue("uid", cty.StringVal(d.UID))
		r.SetAttributeValue("name", cty.StringVal(d.Name))
		if len(types[d.Key]) > 0 {
			r.SetAttributeTraversal("type", varRef(d.Key+"_type"))
		} else {
			r.SetAttributeValue("type", cty.StringVal(d.Type))
		}
		r.SetAttributeTraversal("url", varRef(d.Key+"_url"))
		r.SetAttributeValue("access_mode", cty.StringVal("proxy"))
		r.SetAttributeValue("is_default", cty.BoolVal(d.Default))
		r.SetAttributeRaw("json_data_encoded", hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForValue(jsonData)))
	}
	return f, nil
}

func dashboardsFile(dashboards []Dashboard, dashboardsDir string) *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	folder := b.AppendNewBlock("resource", []string{"grafana_folder", "genops"}).Body()
	folder.SetAttributeValue("uid", cty.StringVal(FolderUID))
	folder.SetAttributeValue("title", cty.StringVal(FolderTitle))
	for _, d := range dashboards {
		b.AppendNewline()
		r := b.AppendNewBlock("resource", []string{"grafana_dashboard", resourceName(d.UID)}).Body()
		r.SetAttributeTraversal("folder", hcl.Traversal{hcl.TraverseRoot{Name: "grafana_folder"}, hcl.TraverseAttr{Name: "genops"}, hcl.TraverseAttr{Name: "uid"}})
		r.SetAttributeRaw("config_json", hclwrite.TokensForFunctionCall("file", modulePath(path.Join(dashboardsDir, d.FileName()))))
		r.SetAttributeValue("overwrite", cty.True)
	}
	return f
}

func tfvarsFile(e Environment, types map[string][]string) *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	b.SetAttributeValue("grafana_url", cty.StringVal(e.GrafanaURL))
	for _, d := range e.DataSources {
		b.SetAttributeValue(d.Key+"_url", cty.StringVal(d.URL))
		if len(types[d.Key]) > 0 {
			b.SetAttributeValue(d.Key+"_type", cty.StringVal(d.Type))
		}
	}
	return f
}

func varRef(name string) hcl.Traversal {
	return hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: name}}
}

// modulePath is the template "${path.module}/<rel>", built from tokens:
// TokensForValue would escape the interpolation.
func modulePath(rel string) hclwrite.Tokens {
	return hclwrite.Tokens{
		{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)},
		{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte(`${`)},
		{Type: hclsyntax.TokenIdent, Bytes: []byte(`path`)},
		{Type: hclsyntax.TokenDot, Bytes: []byte(`.`)},
		{Type: hclsyntax.TokenIdent, Bytes: []byte(`module`)},
		{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte(`}`)},
		{Type: hclsyntax.TokenQuotedLit, Bytes: []byte("/" + rel)},
		{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)},
	}
}

// ctyValue converts JSON-shaped Go data to the cty value hclwrite writes.
func ctyValue(v any) (cty.Value, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return cty.NilVal, err
	}
	t, err := ctyjson.ImpliedType(data)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(data, t)
}

// resourceName turns a uid into a Terraform name: genops-cost -> genops_cost.
func resourceName(uid string) string { return strings.ReplaceAll(uid, "-", "_") }

// relPath is target relative to dir, both clean paths under the output directory.
func relPath(dir, target string) string {
	return strings.Repeat("../", strings.Count(dir, "/")+1) + target
}
