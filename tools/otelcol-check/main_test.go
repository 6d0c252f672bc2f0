package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 400
    spike_limit_mib: 100
  batch: {}
exporters:
  debug:
    verbosity: basic
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: normal
      readers:
      - pull:
          exporter:
            prometheus:
              host: 0.0.0.0
              port: 8888
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, PROCESSOR]
      exporters: [debug]
`

func TestValidate(t *testing.T) {
	factories, err := Factories()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		processor string // extra processor config, named extra in the pipeline
		edit      func(string) string
		want      string // "" = valid
	}{
		{name: "valid", want: ""},
		{name: "unknown exporter field", edit: func(s string) string {
			return replace(s, "    verbosity: basic", "    verbosity: basic\n    loglevel: info")
		}, want: `cannot unmarshal the configuration: decoding failed due to the following error(s): 'exporters' error reading configuration for "debug": decoding failed due to the following error(s): 'debugexporter.Config' has invalid keys: loglevel`},
		{name: "removed logging exporter", edit: func(s string) string {
			return replace(replace(s, "  debug:\n    verbosity: basic", "  logging:\n    loglevel: info"), "exporters: [debug]", "exporters: [logging]")
		}, want: `cannot unmarshal the configuration: decoding failed due to the following error(s): 'exporters' the logging exporter has been deprecated, use the debug exporter instead`},
		{name: "spike above limit", edit: func(s string) string { return replace(s, "spike_limit_mib: 100", "spike_limit_mib: 500") },
			want: `processors::memory_limiter: 'spike_limit_mib' must be smaller than 'limit_mib'`},
		{name: "bad tail_sampling policy type", processor: "tail_sampling:\n    policies:\n    - name: x\n      type: nonsense",
			want: `pipeline traces: processor tail_sampling: failed to create policy evaluator for "x": unknown sampling policy type nonsense`},
		{name: "bad attributes action", processor: "attributes:\n    actions:\n    - key: a\n      value: b\n      action: inzert",
			want: `pipeline traces: processor attributes: error with key "a" (0-th action): error creating AttrProc due to unsupported action "inzert"`},
		{name: "pipeline names unconfigured exporter", edit: func(s string) string { return replace(s, "exporters: [debug]", "exporters: [otlp/jaeger]") },
			want: `service::pipelines::traces: references exporter "otlp/jaeger" which is not configured`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			if tt.processor != "" {
				cfg = replace(cfg, "  batch: {}", "  batch: {}\n  "+tt.processor)
				cfg = replace(cfg, "PROCESSOR", firstWord(tt.processor))
			} else {
				cfg = replace(cfg, "PROCESSOR", "batch")
			}
			if tt.edit != nil {
				cfg = tt.edit(cfg)
			}
			p := filepath.Join(t.TempDir(), "collector.yaml")
			if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Validate(p, factories)
			got := ""
			if err != nil {
				got = OneLine(err)
			}
			if got != tt.want {
				t.Errorf("Validate:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("test config has no " + old)
	}
	return strings.Replace(s, old, new, 1)
}

func firstWord(s string) string {
	word, _, _ := strings.Cut(s, ":")
	return word
}
