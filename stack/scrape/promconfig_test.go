package scrape_test

import (
	"bytes"
	"io"
	"log/slog"
	"path"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/config"
	// Registers kubernetes_sd_configs with the config loader.
	_ "github.com/prometheus/prometheus/discovery/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/pipeline"
	"github.com/koshihq/genops-stack/stack"
)

// loadInPrometheus loads an additionalScrapeConfigs file the way Prometheus
// loads it: as the scrape_configs of a configuration, with its own loader.
func loadInPrometheus(t *testing.T, data []byte) (*config.Config, error) {
	t.Helper()
	var jobs []any
	if err := yaml.Unmarshal(data, &jobs); err != nil {
		t.Fatal(err)
	}
	cfg, err := yaml.Marshal(map[string]any{"scrape_configs": jobs})
	if err != nil {
		t.Fatal(err)
	}
	return config.Load(string(cfg), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestRawScrapeConfigsLoadInPrometheus loads every rendered scrape-configs
// file with Prometheus' config loader, and shows the loader rejects the
// mistakes only it knows about.
func TestRawScrapeConfigsLoadInPrometheus(t *testing.T) {
	res, err := pipeline.Generate(stack.Default(), pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"development": "genops-pods otel-collector genops-otel-metrics",
		"staging":     "otel-collector genops-otel-metrics",
		"production":  "otel-collector genops-otel-metrics",
	}
	for env, jobs := range want {
		data, ok := res.Files.Get(path.Join("prometheus", env, "scrape-configs.yaml"))
		if !ok {
			t.Fatalf("no scrape configs for %s", env)
		}
		cfg, err := loadInPrometheus(t, data)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		var got []string
		for _, sc := range cfg.ScrapeConfigs {
			got = append(got, sc.JobName)
			if len(sc.ServiceDiscoveryConfigs) != 1 || sc.ServiceDiscoveryConfigs[0].Name() != "kubernetes" {
				t.Errorf("%s: job %s: discovery %v, want one kubernetes_sd_config", env, sc.JobName, sc.ServiceDiscoveryConfigs)
			}
		}
		if strings.Join(got, " ") != jobs {
			t.Errorf("%s: jobs %v, want %s", env, got, jobs)
		}
	}
	data, _ := res.Files.Get("prometheus/development/scrape-configs.yaml")
	for _, tt := range []struct{ old, new, want string }{
		{"role: pod", "role: pods", `unknown Kubernetes SD role "pods"`},
		{"action: keep", "action: kepp", `unknown relabel action "kepp"`},
		{"scrape_interval: 30s", "scrape_interval: 30 s", `unknown unit " s" in duration "30 s"`},
	} {
		_, err := loadInPrometheus(t, bytes.Replace(data, []byte(tt.old), []byte(tt.new), 1))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s -> %s: error %v, want %s", tt.old, tt.new, err, tt.want)
		}
	}
}
