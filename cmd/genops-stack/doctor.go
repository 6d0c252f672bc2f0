package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/internal/pipeline"
)

// The diagnosis (internal/doctor) takes plain data: the environment's
// settings (pipeline.DoctorSettings), the catalog and the rendered files.

func runDoctor(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("doctor --env E --prometheus URL [--alertmanager URL] [--collector-metrics URL]",
		"Diagnoses the running stack of environment E against its definitions: metrics not appearing\n"+
			"in Prometheus, rules and alerts, traces not appearing in the trace backend, high-cardinality\n"+
			"metrics. The URLs are what kubectl port-forward reaches (the report prints the commands).\n"+
			"Exit status: 0 healthy, 1 problems found, 2 a server cannot be reached or bad usage.", stdout, stderr)
	env := envFlag(fs)
	promURL := fs.String("prometheus", "", "Prometheus' `URL` (required)")
	amURL := fs.String("alertmanager", "", "Alertmanager's `URL`: its API and /metrics")
	collURL := fs.String("collector-metrics", "", "the gateway Collector's own telemetry `URL` (port 8888, /metrics)")
	format := fs.String("format", "text", "output `format`: text or json")
	window := fs.Duration("window", doctor.DefaultWindow, "how far back the checks look at what is happening now")
	if code, ok := parse(fs, args, stdout); !ok {
		return code
	}
	if !noArgs(fs, stderr) {
		return exitUsage
	}
	switch {
	case *promURL == "":
		fmt.Fprintln(stderr, "genops-stack doctor: --prometheus URL is required (kubectl port-forward makes it reachable: see out/README.md, Troubleshooting)")
		return exitUsage
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "genops-stack doctor: --format %q: want text or json\n", *format)
		return exitUsage
	case *window <= 0:
		fmt.Fprintf(stderr, "genops-stack doctor: --window %s: want a positive duration\n", *window)
		return exitUsage
	}
	plan, err := doctorPlan(*env, *window)
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack doctor: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := doctor.Run(ctx, plan, doctor.Servers{Prometheus: *promURL, Alertmanager: *amURL, CollectorMetrics: *collURL})
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack doctor: %v\n", oneLine(err))
		return exitUsage
	}
	if *format == "json" {
		err = rep.JSON(stdout)
	} else {
		err = rep.Text(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "genops-stack doctor: %v\n", err)
		return exitUsage
	}
	if len(rep.Problems()) > 0 {
		return exitFindings
	}
	return exitOK
}

// oneLine keeps an error on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// doctorPlan builds the named environment, renders the definition and
// plans the diagnosis from the environment's settings and rendered files.
func doctorPlan(name string, window time.Duration) (*doctor.Plan, error) {
	def := definition()
	var names []string
	for _, e := range def.Environments {
		names = append(names, e.Name)
		if e.Name != name {
			continue
		}
		res, err := pipeline.Generate(def, pipeline.Options{})
		if err != nil {
			return nil, err
		}
		if n := res.Findings.Errors(); n > 0 {
			return nil, fmt.Errorf("the definitions have %d error(s): run genops-stack validate", n)
		}
		s, err := pipeline.BuildWith(def.Content, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", e.Artifact(), err)
		}
		settings, err := pipeline.DoctorSettings(s)
		if err != nil {
			return nil, err
		}
		return doctor.NewPlan(doctor.Inputs{Env: settings, Catalog: s.Catalog, Files: res.Files, Window: window})
	}
	return nil, fmt.Errorf("unknown environment %q (want %s)", name, strings.Join(names, ", "))
}
