// Package terraform checks a Terraform module among the rendered files with
// the HCL parser, as far as it can be checked without the providers: every
// .tf and .tfvars file parses; every variable, resource and file an
// expression refers to exists; every resource's provider is required with
// a pinned version; sensitive variables have no default and no .tfvars
// sets them; every .tfvars sets every other variable that has no default,
// and nothing else.
package terraform

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
)

type variable struct {
	sensitive, hasDefault bool
}

type source struct {
	path string
	body *hclsyntax.Body
}

// module is what the .tf files of a directory declare.
type module struct {
	dir       string
	set       *files.Set
	fs        *finding.List
	tf        []source
	vars      map[string]variable
	resources map[string]bool
	providers map[string]bool // required providers
}

// pinned is an exact version constraint: "4.25.0" or "= 4.25.0".
var pinned = regexp.MustCompile(`^=?\s*\d+\.\d+\.\d+$`)

// Check checks the Terraform module in directory dir of set.
func Check(set *files.Set, dir string) finding.List {
	var fs finding.List
	m := &module{dir: dir, set: set, fs: &fs, vars: map[string]variable{}, resources: map[string]bool{}, providers: map[string]bool{}}
	parser := hclparse.NewParser()
	var tfvars []source
	for _, file := range set.OfKind(files.Terraform, files.TerraformVars) {
		p, data := file.Path, file.Data
		if path.Dir(p) != dir {
			continue
		}
		f, diags := parser.ParseHCL(data, p)
		if diags.HasErrors() {
			m.diagnostics(p, "", diags)
			continue
		}
		src := source{p, f.Body.(*hclsyntax.Body)}
		if file.Kind == files.Terraform {
			m.tf = append(m.tf, src)
		} else {
			tfvars = append(tfvars, src)
		}
	}
	for _, src := range m.tf {
		m.declare(src)
	}
	for _, src := range m.tf {
		m.references(src)
	}
	for _, src := range tfvars {
		m.tfvars(src)
	}
	return fs
}

func (m *module) diagnostics(p, obj string, diags hcl.Diagnostics) {
	for _, d := range diags {
		f := finding.Finding{Artifact: p, Object: obj, Check: "terraform-parse", Severity: finding.Error, Message: d.Summary}
		if d.Detail != "" {
			f.Message += ": " + d.Detail
		}
		if d.Subject != nil {
			f.Line = d.Subject.Start.Line
		}
		m.fs.Add(f)
	}
}

func (m *module) errorf(p string, r hcl.Range, obj, check, format string, args ...any) {
	m.fs.Add(finding.Finding{Artifact: p, Line: r.Start.Line, Object: obj, Check: check, Severity: finding.Error, Message: fmt.Sprintf(format, args...)})
}

// declare records the variables, resources and required providers of a file.
func (m *module) declare(src source) {
	for _, b := range src.body.Blocks {
		switch {
		case b.Type == "variable" && len(b.Labels) == 1:
			v := variable{hasDefault: b.Body.Attributes["default"] != nil}
			if a := b.Body.Attributes["sensitive"]; a != nil {
				val, diags := a.Expr.Value(nil)
				v.sensitive = !diags.HasErrors() && val.Type() == cty.Bool && val.True()
			}
			if v.sensitive && v.hasDefault {
				m.errorf(src.path, b.Body.Attributes["default"].SrcRange, "variable "+b.Labels[0], "terraform-secret",
					"is sensitive but has a default: a secret value would be committed; remove the default and pass it as TF_VAR_%s", b.Labels[0])
			}
			m.vars[b.Labels[0]] = v
		case b.Type == "resource" && len(b.Labels) == 2:
			m.resources[b.Labels[0]+"."+b.Labels[1]] = true
		case b.Type == "terraform":
			for _, rp := range b.Body.Blocks {
				if rp.Type == "required_providers" {
					m.requiredProviders(src.path, rp.Body)
				}
			}
		}
	}
}

func (m *module) requiredProviders(p string, body *hclsyntax.Body) {
	for name, a := range body.Attributes {
		m.providers[name] = true
		val, diags := a.Expr.Value(nil)
		obj := "provider " + name
		if diags.HasErrors() || !val.Type().IsObjectType() || !val.Type().HasAttribute("version") {
			m.errorf(p, a.SrcRange, obj, "terraform-provider", "has no version: pin one, e.g. { source = ..., version = \"1.2.3\" }")
			continue
		}
		if v := val.GetAttr("version"); v.Type() != cty.String || !pinned.MatchString(v.AsString()) {
			m.errorf(p, a.SrcRange, obj, "terraform-provider", "version %s is not pinned: use an exact version such as \"1.2.3\"", hclwrite.TokensForValue(v).Bytes())
		}
	}
}

// references checks every expression of a file.
func (m *module) references(src source) {
	for _, b := range src.body.Blocks {
		obj := strings.TrimSpace(b.Type + " " + strings.Join(b.Labels, "."))
		switch b.Type {
		case "resource":
			if provider, _, _ := strings.Cut(b.Labels[0], "_"); !m.providers[provider] {
				m.errorf(src.path, b.TypeRange, obj, "terraform-provider", "uses provider %s, which required_providers does not list with a pinned version", provider)
			}
		case "provider":
			if !m.providers[b.Labels[0]] {
				m.errorf(src.path, b.TypeRange, obj, "terraform-provider", "configures provider %s, which required_providers does not list", b.Labels[0])
			}
		}
		m.body(src.path, obj, b.Body)
	}
	m.body(src.path, "", &hclsyntax.Body{Attributes: src.body.Attributes})
}

func (m *module) body(p, obj string, body *hclsyntax.Body) {
	for _, name := range sortedAttributes(body.Attributes) {
		if name == "type" && strings.HasPrefix(obj, "variable ") {
			continue // a type constraint, not a reference
		}
		m.expression(p, obj, body.Attributes[name].Expr)
	}
	for _, b := range body.Blocks {
		m.body(p, obj, b.Body)
	}
}

func (m *module) expression(p, obj string, expr hclsyntax.Expression) {
	for _, t := range expr.Variables() {
		root := t.RootName()
		r := t.SourceRange()
		switch root {
		case "var":
			name := attrName(t, 1)
			if _, ok := m.vars[name]; !ok {
				m.errorf(p, r, obj, "terraform-reference", "refers to var.%s, which no variable block declares", name)
			}
		case "path":
			if attrName(t, 1) != "module" {
				m.errorf(p, r, obj, "terraform-reference", "refers to path.%s: only path.module is relative to this module", attrName(t, 1))
			}
		default:
			ref := root + "." + attrName(t, 1)
			if !m.resources[ref] {
				m.errorf(p, r, obj, "terraform-reference", "refers to %s, which no resource block declares", ref)
			}
		}
	}
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "file" || len(call.Args) != 1 {
			return nil
		}
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(m.dir)})}}
		val, diags := call.Args[0].Value(ctx)
		if diags.HasErrors() || val.Type() != cty.String {
			m.errorf(p, call.Range(), obj, "terraform-file", "reads a file whose path is not a constant under path.module")
			return nil
		}
		f := path.Clean(val.AsString())
		if _, ok := m.set.Get(f); !ok {
			m.errorf(p, call.Range(), obj, "terraform-file", "reads %s, which is not a generated file", f)
		}
		return nil
	})
}

// tfvars checks a variable definitions file: constants only, for declared
// variables that are not sensitive, and a value for every variable that
// needs one.
func (m *module) tfvars(src source) {
	for _, name := range sortedAttributes(src.body.Attributes) {
		a := src.body.Attributes[name]
		obj := "variable " + name
		v, ok := m.vars[name]
		switch {
		case !ok:
			m.errorf(src.path, a.SrcRange, obj, "terraform-tfvars", "sets a variable that no variable block declares")
		case v.sensitive:
			m.errorf(src.path, a.SrcRange, obj, "terraform-secret", "sets a sensitive variable: a secret value would be committed; pass it as TF_VAR_%s", name)
		}
		if _, diags := a.Expr.Value(nil); diags.HasErrors() {
			m.errorf(src.path, a.SrcRange, obj, "terraform-tfvars", "is not a constant: .tfvars files hold values only")
		}
	}
	var missing []string
	for name, v := range m.vars {
		if !v.hasDefault && !v.sensitive && src.body.Attributes[name] == nil {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		m.errorf(src.path, hcl.Range{}, "variable "+name, "terraform-tfvars", "is not set, and it has no default: terraform would prompt for it")
	}
}

func attrName(t hcl.Traversal, i int) string {
	if len(t) > i {
		if a, ok := t[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

func sortedAttributes(as hclsyntax.Attributes) []string {
	names := make([]string, 0, len(as))
	for n := range as {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
