package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/alertmanager/matcher/compat"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/internal/pipeline"
)

// runRoutes prints an environment's routing tree, or with "test" the
// receivers of a label set: the output of `amtool config routes` and
// `amtool config routes test` for the rendered alertmanager.yaml.
func runRoutes(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "test" {
		return runRoutesTest(args[1:], stdout, stderr)
	}
	fs := newFlags("routes [--env E]", "Prints the Alertmanager routing tree of environment E, as 'amtool config routes' does.\n'genops-stack routes test --help' tests a label set.", stdout, stderr)
	env := envFlag(fs)
	if code, ok := parse(fs, args, stdout); !ok {
		return code
	}
	if !noArgs(fs, stderr) {
		return exitUsage
	}
	l, code, ok := loadRouting(*env, stderr)
	if !ok {
		return code
	}
	fmt.Fprint(stdout, l.Tree())
	return exitOK
}

func runRoutesTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("routes test [--env E] label=value...", "Prints the receivers an alert with these labels reaches in environment E, comma-separated\nin routing order, as 'amtool config routes test' does.", stdout, stderr)
	env := envFlag(fs)
	if code, ok := parse(fs, args, stdout); !ok {
		return code
	}
	ls := model.LabelSet{}
	for _, arg := range fs.Args() {
		m, err := compat.Matcher(arg, "cli")
		if err == nil && m.Type != labels.MatchEqual {
			err = fmt.Errorf("want label=value")
		}
		if err != nil {
			fmt.Fprintf(stderr, "genops-stack routes test: label %q: %v\n", arg, err)
			return exitUsage
		}
		ls[model.LabelName(m.Name)] = model.LabelValue(m.Value)
	}
	l, code, ok := loadRouting(*env, stderr)
	if !ok {
		return code
	}
	fmt.Fprintln(stdout, strings.Join(l.Receivers(ls), ","))
	return exitOK
}

func envFlag(fs *flag.FlagSet) *string {
	return fs.String("env", "production", "`environment`: development, staging or production")
}

// loadRouting builds the named environment and loads its rendered
// Alertmanager configuration the way Alertmanager does.
func loadRouting(name string, stderr io.Writer) (l *alertmanager.Loaded, code int, ok bool) {
	def := definition()
	var names []string
	for _, e := range def.Environments {
		names = append(names, e.Name)
		if e.Name != name {
			continue
		}
		s, err := pipeline.BuildWith(def.Content, e)
		if err != nil {
			fmt.Fprintf(stderr, "genops-stack: %s: %v\n", e.Artifact(), err)
			return nil, exitFindings, false
		}
		if l, err = alertmanager.Load(s.AlertingYAML); err != nil {
			fmt.Fprintf(stderr, "genops-stack: %s: alertmanager config does not load: %v\n", e.Artifact(), err)
			return nil, exitFindings, false
		}
		return l, exitOK, true
	}
	fmt.Fprintf(stderr, "genops-stack: unknown environment %q (want %s)\n", name, strings.Join(names, ", "))
	return nil, exitUsage, false
}
