package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/doctor"
	"github.com/koshihq/genops-stack/stack"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/sampling"
)

// This file is the one adapter between the model (stack) and the
// diagnosis (internal/doctor), whose inputs are plain data.

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
		res, err := stack.Generate(def, stack.Options{})
		if err != nil {
			return nil, err
		}
		if n := res.Findings.Errors(); n > 0 {
			return nil, fmt.Errorf("the definitions have %d error(s): run genops-stack validate", n)
		}
		s, err := def.Content.Build(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", e.Artifact(), err)
		}
		settings, err := doctorSettings(s)
		if err != nil {
			return nil, err
		}
		return doctor.NewPlan(doctor.Inputs{Env: settings, Catalog: s.Catalog, Files: res.Files, Window: window})
	}
	return nil, fmt.Errorf("unknown environment %q (want %s)", name, strings.Join(names, ", "))
}

// doctorSettings are what the diagnosis needs of an environment, read from
// its model.
func doctorSettings(s *stack.Stack) (doctor.Settings, error) {
	e := s.Env
	ns := e.Namespaces.Monitoring
	interval, err := model.ParseDuration(e.Monitoring.ScrapeInterval)
	if err != nil {
		return doctor.Settings{}, fmt.Errorf("%s: scrape interval %q: %v", e.Artifact(), e.Monitoring.ScrapeInterval, err)
	}
	out := doctor.Settings{
		Name: e.Name, Cluster: e.Cluster, Namespace: ns, WorkloadNamespace: e.Namespaces.Workloads,
		QuickStart: collector.QuickStartName,
		// kube-prometheus-stack's fullnameOverride fixes the Services; the
		// operator names the StatefulSets <kind>-<name>.
		Prometheus: doctor.Server{Name: "Prometheus", Service: kubeprometheus.FullName + "-prometheus", Port: 9090,
			Pod: "prometheus-" + kubeprometheus.FullName + "-prometheus-0", Container: "prometheus"},
		Alertmanager: doctor.Server{Name: "Alertmanager", Service: kubeprometheus.FullName + "-alertmanager", Port: 9093,
			Pod: "alertmanager-" + kubeprometheus.FullName + "-alertmanager-0", Container: "alertmanager"},
		ScrapeInterval:     interval,
		ExternalLabels:     s.KubePrometheus.Prometheus.PrometheusSpec.ExternalLabels,
		Selector:           "release=" + e.Monitoring.Release,
		AlertmanagerSecret: stack.AlertmanagerConfigSecret,
		CredentialsSecret:  e.Alerting.CredentialsSecret,
	}
	traces, err := e.Tracing.OTLPEndpoint(ns)
	if err != nil {
		return out, err
	}
	service, _, _ := strings.Cut(traces, ".")
	out.TraceBackend = doctor.Server{Name: string(e.Tracing), Service: service}
	roles := map[string]string{collector.GatewayName: doctor.Gateway, collector.SamplerName: doctor.Sampler,
		collector.ClusterName: doctor.Cluster, collector.AgentName: doctor.Agent}
	for _, in := range s.Collectors {
		out.Collectors = append(out.Collectors, doctor.Collector{Name: in.Name, Role: roles[in.Name], DaemonSet: in.NodeAgent,
			Config: "otel/" + e.Name + "/" + strings.TrimPrefix(in.Name, "otel-") + ".yaml", TelemetryPort: collector.PortTelemetry})
	}
	if h := e.Sampling.Head; h != nil {
		out.Sampling.HeadPercent = h.Percentage
	}
	if t := e.Sampling.Tail; t != nil {
		for _, p := range t.Policies {
			if p.Type == sampling.ProbabilisticType && p.Probabilistic != nil {
				out.Sampling.TailPercent, out.Sampling.TailPolicy = p.Probabilistic.Percentage, p.Name
			}
		}
	}
	// The scrape jobs: the stack's monitors, the cluster collector's jobs
	// (remote-written) and kube-prometheus-stack's own ServiceMonitors.
	for _, o := range s.Scrape.Monitors.Objects {
		out.Jobs = append(out.Jobs, doctor.Job{Name: o.GetName(), Monitor: fmt.Sprintf("%s %s/%s", o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName())})
	}
	for _, j := range s.Scrape.CollectorJobs {
		out.Jobs = append(out.Jobs, doctor.Job{Name: j.Name, Monitor: "the prometheus receiver of " + collector.ClusterName, RemoteWrite: true})
	}
	for _, j := range []string{"kube-state-metrics", "kubelet"} {
		out.Jobs = append(out.Jobs, doctor.Job{Name: j, Monitor: fmt.Sprintf("ServiceMonitor %s/%s-%s", ns, kubeprometheus.FullName, j)})
	}
	return out, nil
}
