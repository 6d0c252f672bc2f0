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

const logsConfig = `receivers:
  filelog:
    include: [/var/log/pods/genops-system_*/*/*.log]
    start_at: end
    storage: file_storage
    operators:
    - type: container
      id: container
    - type: json_parser
      id: json
      if: 'body matches "^\\s*\\{"'
      parse_from: body
      parse_to: attributes
exporters:
  debug: {}
extensions:
  file_storage:
    directory: /var/lib/otelcol-agent
    create_directory: true
service:
  extensions: [file_storage]
  pipelines:
    logs:
      receivers: [filelog]
      exporters: [debug]
`

// TestValidateLogs covers the node agent's components: the filelog receiver
// with its stanza operators and the file_storage extension, which is
// validated without being created (creating it makes its directory here).
func TestValidateLogs(t *testing.T) {
	factories, err := Factories()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{name: "valid", edit: func(s string) string { return s }, want: ""},
		{name: "unknown operator", edit: func(s string) string { return replace(s, "type: json_parser", "type: jsn_parser") },
			want: `cannot unmarshal the configuration: decoding failed due to the following error(s): 'receivers' error reading configuration for "filelog": decoding failed due to the following error(s): 'operators[1]' unsupported type 'jsn_parser'`},
		{name: "storage directory that must exist", edit: func(s string) string {
			return replace(replace(s, "create_directory: true", "create_directory: false"), "/var/lib/otelcol-agent", "/nonexistent/otelcol-agent")
		}, want: `extensions::file_storage: directory must exist: stat /nonexistent/otelcol-agent: no such file or directory. You can enable the create_directory option to automatically create it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "collector.yaml")
			if err := os.WriteFile(p, []byte(tt.edit(logsConfig)), 0o644); err != nil {
				t.Fatal(err)
			}
			got := ""
			if err := Validate(p, factories); err != nil {
				got = OneLine(err)
			}
			if got != tt.want {
				t.Errorf("Validate:\n got %q\nwant %q", got, tt.want)
			}
			if _, err := os.Stat("/var/lib/otelcol-agent"); err == nil && tt.want == "" {
				t.Error("validating created the storage directory on this machine")
			}
		})
	}
}
