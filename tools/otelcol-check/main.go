// Command otelcol-check validates OpenTelemetry Collector configuration files
// with the real Collector component factories, the same ones the pinned
// collector-contrib image ships.
//
// For every file it loads the configuration through the Collector's own
// config resolver, runs every component's Validate, then creates each
// pipeline's receivers, processors and exporters and starts and stops the
// processors, which catches what static validation does not (an unknown
// tail_sampling policy type, a bad attributes action).
//
// Usage:
//
//	otelcol-check FILE...
//	otelcol-check run --config FILE
//
// The first form validates; exit status 0 when every file is valid, 1 when
// any is not, 2 on usage errors. The second runs a Collector built from
// exactly these factories (the live tests run the rendered configs with it).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/otelcol/otelcoltest"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/bearertokenauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/attributesprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/deltatocumulativeprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/k8sattributesprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/probabilisticsamplerprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver"
	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/k8sclusterreceiver"
	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "run" {
		os.Exit(run(os.Args[2:]))
	}
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: otelcol-check FILE...\n\nValidates Collector configs with the real component factories.")
		os.Exit(2)
	}
	factories, err := Factories()
	if err != nil {
		fmt.Fprintln(os.Stderr, "otelcol-check:", err)
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		if err := stubSecretEnv(path); err != nil {
			fmt.Fprintln(os.Stderr, "otelcol-check:", err)
			os.Exit(2)
		}
		if err := Validate(path, factories); err != nil {
			fmt.Printf("%s: %s\n", path, OneLine(err))
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// Factories returns the components genops-stack may configure: the subset of
// collector-contrib that the generated configs use.
func Factories() (otelcol.Factories, error) {
	var f otelcol.Factories
	var errs []error
	var err error
	f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](
		otlpreceiver.NewFactory(),
		prometheusreceiver.NewFactory(),
		k8sclusterreceiver.NewFactory(),
		filelogreceiver.NewFactory(),
	)
	errs = append(errs, err)
	f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](
		memorylimiterprocessor.NewFactory(),
		batchprocessor.NewFactory(),
		resourceprocessor.NewFactory(),
		attributesprocessor.NewFactory(),
		tailsamplingprocessor.NewFactory(),
		probabilisticsamplerprocessor.NewFactory(),
		transformprocessor.NewFactory(),
		deltatocumulativeprocessor.NewFactory(),
		k8sattributesprocessor.NewFactory(),
	)
	errs = append(errs, err)
	f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](
		prometheusexporter.NewFactory(),
		prometheusremotewriteexporter.NewFactory(),
		otlpexporter.NewFactory(),
		otlphttpexporter.NewFactory(),
		debugexporter.NewFactory(),
		// Not in any rendered config: the live tests' trace sink writes
		// what it receives to a file.
		fileexporter.NewFactory(),
	)
	errs = append(errs, err)
	f.Connectors, err = otelcol.MakeFactoryMap[connector.Factory](
		signaltometricsconnector.NewFactory(),
	)
	errs = append(errs, err)
	f.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](
		healthcheckextension.NewFactory(),
		filestorage.NewFactory(),
		bearertokenauthextension.NewFactory(),
	)
	errs = append(errs, err)
	f.Telemetry = otelconftelemetry.NewFactory()
	return f, errors.Join(errs...)
}

// envRef is a reference to an environment variable in a config.
var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)

// stubSecretEnv sets every variable the config at path reads that this
// process does not have to a placeholder. The configs read credentials
// (the OTLP bearer token, vendor API keys) from variables the container
// sets from Secrets; a validator has no Secret, and an empty value would
// fail components that require one (bearertokenauth: no bearer token
// provided) for a reason the deployment does not have.
func stubSecretEnv(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, m := range envRef.FindAllStringSubmatch(string(data), -1) {
		if _, ok := os.LookupEnv(m[1]); !ok {
			if err := os.Setenv(m[1], "placeholder-for-validation"); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate loads one config file and checks it as the Collector would at
// start-up, then instantiates every component its pipelines use.
func Validate(path string, factories otelcol.Factories) error {
	cfg, err := otelcoltest.LoadConfigAndValidate(path, factories)
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, id := range sortedPipelines(cfg) {
		p := cfg.Service.Pipelines[id]
		for _, rid := range p.Receivers {
			if _, ok := cfg.Connectors[rid]; ok {
				continue // created as the exporter of the pipeline it connects from
			}
			if err := createReceiver(ctx, factories, cfg, id.Signal(), rid); err != nil {
				return fmt.Errorf("pipeline %s: receiver %s: %w", id, rid, err)
			}
		}
		for _, pid := range p.Processors {
			if err := startProcessor(ctx, factories, cfg, id.Signal(), pid); err != nil {
				return fmt.Errorf("pipeline %s: processor %s: %w", id, pid, err)
			}
		}
		for _, eid := range p.Exporters {
			if _, ok := cfg.Connectors[eid]; ok {
				if err := createConnector(ctx, factories, cfg, id.Signal(), eid); err != nil {
					return fmt.Errorf("pipeline %s: connector %s: %w", id, eid, err)
				}
				continue
			}
			if err := createExporter(ctx, factories, cfg, id.Signal(), eid); err != nil {
				return fmt.Errorf("pipeline %s: exporter %s: %w", id, eid, err)
			}
		}
	}
	for _, eid := range cfg.Service.Extensions {
		if hostStateExtensions[eid.Type().String()] {
			continue
		}
		f := factories.Extensions[eid.Type()]
		set := extension.Settings{ID: eid, TelemetrySettings: componenttest.NewNopTelemetrySettings()}
		if _, err := f.Create(ctx, set, cfg.Extensions[eid]); err != nil {
			return fmt.Errorf("extension %s: %w", eid, err)
		}
	}
	return nil
}

// clusterProcessors are created but not started: starting them connects to
// the Kubernetes API (k8sattributes watches pods and namespaces), which a
// validator outside the cluster does not have.
var clusterProcessors = map[string]bool{"k8sattributes": true}

// hostStateExtensions are validated but not created: creating them changes
// this machine (file_storage makes its directory), which a validator must not.
var hostStateExtensions = map[string]bool{"file_storage": true}

func sortedPipelines(cfg *otelcol.Config) []pipeline.ID {
	ids := make([]pipeline.ID, 0, len(cfg.Service.Pipelines))
	for id := range cfg.Service.Pipelines {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	return ids
}

func createReceiver(ctx context.Context, fs otelcol.Factories, cfg *otelcol.Config, sig pipeline.Signal, id component.ID) error {
	f := fs.Receivers[id.Type()]
	set := receivertest.NewNopSettings(id.Type())
	set.ID = id
	c := cfg.Receivers[id]
	var err error
	switch sig {
	case pipeline.SignalTraces:
		_, err = f.CreateTraces(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalMetrics:
		_, err = f.CreateMetrics(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalLogs:
		_, err = f.CreateLogs(ctx, set, c, consumertest.NewNop())
	}
	return err
}

func createExporter(ctx context.Context, fs otelcol.Factories, cfg *otelcol.Config, sig pipeline.Signal, id component.ID) error {
	f := fs.Exporters[id.Type()]
	set := exportertest.NewNopSettings(id.Type())
	set.ID = id
	c := cfg.Exporters[id]
	var err error
	switch sig {
	case pipeline.SignalTraces:
		_, err = f.CreateTraces(ctx, set, c)
	case pipeline.SignalMetrics:
		_, err = f.CreateMetrics(ctx, set, c)
	case pipeline.SignalLogs:
		_, err = f.CreateLogs(ctx, set, c)
	}
	return err
}

// createConnector creates a connector from the signal of the pipeline it
// exports from to the metrics pipelines it feeds (the only kind the stack
// configures: signal_to_metrics).
func createConnector(ctx context.Context, fs otelcol.Factories, cfg *otelcol.Config, sig pipeline.Signal, id component.ID) error {
	f := fs.Connectors[id.Type()]
	set := connectortest.NewNopSettings(id.Type())
	set.ID = id
	c := cfg.Connectors[id]
	var err error
	switch sig {
	case pipeline.SignalTraces:
		_, err = f.CreateTracesToMetrics(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalLogs:
		_, err = f.CreateLogsToMetrics(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalMetrics:
		_, err = f.CreateMetricsToMetrics(ctx, set, c, consumertest.NewNop())
	default:
		return fmt.Errorf("unsupported signal %s", sig)
	}
	return err
}

// run starts a Collector with these factories: otelcol's own command line
// (--config FILE, file and env providers), as the contrib image would.
func run(args []string) int {
	cmd := otelcol.NewCommand(otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{Command: "otelcol-check run", Description: "genops-stack Collector", Version: "0.149.0"},
		Factories: Factories,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{ResolverSettings: confmap.ResolverSettings{
			ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
			DefaultScheme:     "env",
		}},
	})
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "otelcol-check run:", err)
		return 1
	}
	return 0
}

// startProcessor creates the processor, starts it with a no-op host and shuts
// it down again: several processors only reject bad settings on Start.
func startProcessor(ctx context.Context, fs otelcol.Factories, cfg *otelcol.Config, sig pipeline.Signal, id component.ID) error {
	f := fs.Processors[id.Type()]
	set := processortest.NewNopSettings(id.Type())
	set.ID = id
	c := cfg.Processors[id]
	var (
		comp component.Component
		err  error
	)
	switch sig {
	case pipeline.SignalTraces:
		comp, err = f.CreateTraces(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalMetrics:
		comp, err = f.CreateMetrics(ctx, set, c, consumertest.NewNop())
	case pipeline.SignalLogs:
		comp, err = f.CreateLogs(ctx, set, c, consumertest.NewNop())
	default:
		return fmt.Errorf("unsupported signal %s", sig)
	}
	if err != nil {
		return err
	}
	if clusterProcessors[id.Type().String()] {
		return nil
	}
	if err := comp.Start(ctx, componenttest.NewNopHost()); err != nil {
		return err
	}
	return comp.Shutdown(ctx)
}

// OneLine flattens the Collector's multi-line decoding errors into one line.
func OneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
