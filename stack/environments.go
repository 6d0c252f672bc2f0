package stack

import (
	"time"

	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/routing"
	"github.com/koshihq/genops-stack/stack/collector"
	"github.com/koshihq/genops-stack/stack/integrations"
	"github.com/koshihq/genops-stack/stack/kubeprometheus"
	"github.com/koshihq/genops-stack/stack/logging"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
	"github.com/koshihq/genops-stack/stack/scrape"
	"github.com/koshihq/genops-stack/stack/tracing"
)

const day = 24 * time.Hour

// Definition is the whole input of a run: the defaults, which also render
// the kustomize base, the environments, which render the overlays, and the
// content they all share (rules, dashboards, routing).
type Definition struct {
	Base         Environment
	Environments []Environment
	Content      Content
}

// Default is the stack as this repository defines it.
func Default() Definition {
	return Definition{
		Base:         Defaults(),
		Environments: []Environment{Development(), Staging(), Production()},
		Content:      DefaultContent(),
	}
}

// Environment returns the environment named name, to read or change.
func (d *Definition) Environment(name string) (*Environment, bool) {
	for i := range d.Environments {
		if d.Environments[i].Name == name {
			return &d.Environments[i], true
		}
	}
	return nil, false
}

// Defaults are the settings every environment starts from, in one place.
// They render the kustomize base, which deploys on its own.
func Defaults() Environment {
	return Environment{
		Name:       "base",
		Cluster:    "genops",
		Namespaces: Namespaces{Monitoring: "monitoring", Workloads: "genops-system"},
		Collector: collector.Spec{
			Image: "otel/opentelemetry-collector-contrib:" + collector.ComponentsVersion,
			Gateway: collector.Workload{
				Replicas: 1,
				Resources: kube.Resources{
					CPURequest: kube.Q("200m"), CPULimit: kube.Q("1"),
					MemoryRequest: kube.Q("512Mi"), MemoryLimit: kube.Q("1Gi"),
				},
			},
			Cluster: collector.Workload{
				Replicas: 1,
				Resources: kube.Resources{
					CPURequest: kube.Q("100m"), CPULimit: kube.Q("500m"),
					MemoryRequest: kube.Q("256Mi"), MemoryLimit: kube.Q("512Mi"),
				},
			},
			Sampler: collector.Workload{
				Replicas: 1,
				Resources: kube.Resources{
					CPURequest: kube.Q("200m"), CPULimit: kube.Q("1"),
					MemoryRequest: kube.Q("512Mi"), MemoryLimit: kube.Q("1Gi"),
				},
			},
			Agent: collector.Workload{
				Resources: kube.Resources{
					CPURequest: kube.Q("50m"), CPULimit: kube.Q("500m"),
					MemoryRequest: kube.Q("128Mi"), MemoryLimit: kube.Q("512Mi"),
				},
			},
			Batch:              collector.BatchProcessor{Timeout: "10s", SendBatchSize: 1024},
			LogLevel:           "info",
			K8sClusterInterval: "30s",
			ScrapeInterval:     "30s",
			Attribution:        collector.Attribution{TeamLabel: "genops.ai/team"},
		},
		Monitoring: kubeprometheus.Spec{
			Release:       "monitoring",
			Retention:     "15d",
			RetentionSize: "45GB",
			Storage:       kube.Q("50Gi"),
			Replicas:      1,
			Resources: kube.Resources{
				CPURequest: kube.Q("500m"), CPULimit: kube.Q("2"),
				MemoryRequest: kube.Q("2Gi"), MemoryLimit: kube.Q("4Gi"),
			},
			ScrapeInterval:     "30s",
			EvaluationInterval: "30s",
			GrafanaAdminSecret: "grafana-admin-credentials",
		},
		Tracing: tracing.Tempo,
		Links: Links{
			Grafana:  "http://grafana.monitoring.svc",
			Runbooks: "https://github.com/koshihq/genops-stack/blob/main/out/runbooks",
		},
		Alerting: routing.Spec{
			Page:              true,
			SMTP:              routing.SMTP{Smarthost: "smtp.example.com:587", From: "alertmanager@example.com", Username: "alertmanager@example.com"},
			EmailTo:           "platform-team@example.com",
			CredentialsSecret: "alertmanager-genops-credentials",
		},
		Tempo: tracing.TempoSpec{
			Image:     tracing.TempoImage,
			Retention: 7 * day,
			Storage:   kube.Q("20Gi"),
			Resources: kube.Resources{
				CPURequest: kube.Q("200m"), CPULimit: kube.Q("1"),
				MemoryRequest: kube.Q("512Mi"), MemoryLimit: kube.Q("2Gi"),
			},
		},
		Jaeger: tracing.JaegerSpec{
			Tag:    tracing.JaegerImageTag,
			Memory: &tracing.JaegerMemory{MaxTraces: 100000},
			Resources: kube.Resources{
				CPURequest: kube.Q("100m"), CPULimit: kube.Q("500m"),
				MemoryRequest: kube.Q("256Mi"), MemoryLimit: kube.Q("1Gi"),
			},
		},
		Sampling: sampling.Spec{Tail: &sampling.Tail{
			DecisionWait:            10 * time.Second,
			NumTraces:               10000,
			ExpectedNewTracesPerSec: 100,
			Policies:                sampling.GenOps(10),
		}},
		Scrape: scrape.Spec{GenOpsPods: scrape.ByCollector},
		Network: netpol.Spec{
			Workloads: netpol.Label{Key: "genops.ai/workloads", Value: "true"},
		},
		Logging: logging.Spec{
			Agent: logging.Filelog,
			Loki: logging.LokiSpec{
				Retention: 7 * day,
				Storage:   kube.Q("50Gi"),
				Resources: kube.Resources{
					CPURequest: kube.Q("200m"), CPULimit: kube.Q("1"),
					MemoryRequest: kube.Q("512Mi"), MemoryLimit: kube.Q("2Gi"),
				},
			},
		},
	}
}

// Development is a laptop-sized cluster: short retention, everything logged,
// every notification in one channel and nobody paged, every trace kept in
// Jaeger's memory, Prometheus scraping the GenOps pods itself, and Promtail
// (end-of-life) shipping logs, as teams still run it.
func Development() Environment {
	e := Defaults()
	e.Name = "development"
	e.Cluster = "genops-development"
	e.Collector.Debug = "basic"
	e.Collector.LogLevel = "debug"
	e.Monitoring.Retention = "7d"
	e.Monitoring.RetentionSize = "9GB"
	e.Monitoring.Storage = kube.Q("10Gi")
	e.Tracing = tracing.Jaeger
	e.Alerting.Channel = "#genops-development"
	e.Alerting.Page = false
	e.Sampling = sampling.Spec{}
	e.Scrape.GenOpsPods = scrape.ByPrometheus
	e.Logging.Agent = logging.Promtail
	e.Logging.Loki.Retention = 3 * day
	e.Logging.Loki.Storage = kube.Q("10Gi")
	return e
}

// Staging mirrors production at a smaller size; its notifications go to one
// channel and page nobody.
func Staging() Environment {
	e := Defaults()
	e.Name = "staging"
	e.Cluster = "genops-staging"
	e.Alerting.Channel = "#genops-staging"
	e.Alerting.Page = false
	return e
}

// Production is replicated, keeps 30 days of metrics and logs and 14 days of
// traces, keeps 1% of ordinary traces (every error, slow trace, violation,
// expensive request and premium customer), sends them to Honeycomb too, and
// accepts OTLP only from senders presenting the bearer token.
func Production() Environment {
	e := Defaults()
	e.Name = "production"
	e.Cluster = "genops-production"
	e.Collector.Gateway.Replicas = 2
	e.Collector.Gateway.Resources.MemoryLimit = kube.Q("2Gi")
	e.Collector.Sampler.Resources.MemoryLimit = kube.Q("2Gi")
	e.Monitoring.Retention = "30d"
	e.Monitoring.RetentionSize = "180GB"
	e.Monitoring.Storage = kube.Q("200Gi")
	e.Monitoring.Replicas = 2
	e.Sampling.Tail = &sampling.Tail{
		DecisionWait:            10 * time.Second,
		NumTraces:               50000,
		ExpectedNewTracesPerSec: 500,
		Policies:                sampling.GenOps(1),
	}
	e.Tempo.Retention = 14 * day
	e.Tempo.Storage = kube.Q("100Gi")
	e.Logging.Loki.Retention = 30 * day
	e.Logging.Loki.Storage = kube.Q("200Gi")
	e.Integrations.Honeycomb = integrations.Honeycomb{
		Enabled: true, Endpoint: "api.honeycomb.io:443", Secret: "honeycomb-api-key", Key: "api-key",
	}
	e.Integrations.Datadog = integrations.Datadog{Enabled: true, AgentNamespace: "datadog"}
	e.Collector.Auth = collector.Auth{Enabled: true, Secret: "genops-otlp-token", Key: "token"}
	return e
}
