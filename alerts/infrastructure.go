package alerts

import "github.com/koshihq/genops-stack/names"

// infrastructure are the alerts on the GenOps pods and the Collector.
//
// Corrected from the seed:
//   - GenOpsPodDown selected phase!="Running", which includes Succeeded: a
//     finished Job's pod would page as "not running" until it is deleted.
//   - HighMemoryUsage divided by container_spec_memory_limit_bytes, which is
//     0 for a container without a limit: the ratio is +Inf and fired for
//     every such container. Containers without a limit are left out, and so
//     are the pod-level cgroup series (container=""), which count twice.
//   - OTelCollectorDown only fired while Prometheus still had a target: when
//     every Collector pod is gone, discovery drops the targets, up vanishes
//     and the alert resolved. absent() covers that.
func infrastructure(c Config) Group {
	ns := `namespace="` + c.Namespace + `"`
	return Group{
		Name:     "genops-infrastructure-alerts",
		Interval: "30s",
		Alerts: []Alert{
			{
				Alert:       names.GenOpsPodDown,
				Expr:        `kube_pod_status_phase{` + ns + `, phase=~"Pending|Failed|Unknown"} > 0`,
				For:         "5m",
				Severity:    Critical,
				Category:    Infrastructure,
				Summary:     "GenOps pod not running ({{ $labels.pod }})",
				Description: "Pod {{ $labels.pod }} in namespace {{ $labels.namespace }} is not running",
				Dashboard:   names.DashboardPerformance,
				Runbook:     podDownRunbook(ns),
			},
			{
				Alert: names.HighMemoryUsage,
				Expr: `container_memory_working_set_bytes{` + ns + `, container!=""}
  / (container_spec_memory_limit_bytes{` + ns + `, container!=""} > 0)
  > 0.9`,
				For:         "5m",
				Severity:    Warning,
				Category:    Infrastructure,
				Summary:     "High memory usage ({{ $labels.pod }})",
				Description: "Pod {{ $labels.pod }} is using {{ $value | humanizePercentage }} of memory limit",
				Dashboard:   names.DashboardPerformance,
				Runbook:     highMemoryRunbook(ns),
			},
			{
				Alert:       names.OTelCollectorDown,
				Expr:        `up{job="otel-collector"} == 0 or absent(up{job="otel-collector"})`,
				For:         "5m",
				Severity:    Critical,
				Category:    Observability,
				Summary:     "OpenTelemetry Collector is down",
				Description: "The OTel Collector has been down for more than 5 minutes - telemetry collection is impaired",
				Dashboard:   names.DashboardPerformance,
				Runbook:     collectorDownRunbook,
			},
		},
	}
}

func podDownRunbook(ns string) Runbook {
	return Runbook{
		Meaning: "A pod in the GenOps namespace has been Pending, Failed or Unknown for 5 minutes.",
		Impact:  []string{"Less capacity for AI requests; if every replica is down, the service is down"},
		Investigation: []Step{
			{Text: "List the pods that are not running:", Query: `kube_pod_status_phase{` + ns + `, phase=~"Pending|Failed|Unknown"} > 0`},
			{Text: "See why containers wait (CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError):", Query: `kube_pod_container_status_waiting_reason{` + ns + `} > 0`},
			{Text: "See which containers restart:", Query: `increase(kube_pod_container_status_restarts_total{` + ns + `}[1h]) > 0`},
			{Text: "Describe the pod and read its events and last logs:", Shell: `kubectl describe pod <POD> -n "$NS"
kubectl logs <POD> -n "$NS" --previous`},
		},
		Remediation: []Step{
			{Text: "Pending: the events say why it cannot be scheduled (resources, node selectors, volumes); free or add capacity."},
			{Text: "Failed or crash-looping: fix the cause in the logs, or roll back the last deployment:", Shell: `kubectl rollout undo deployment/<DEPLOYMENT> -n "$NS"`},
		},
		Escalation: []string{"Notify: Platform team, On-call engineer", "PagerDuty: yes", "Slack: #genops-infrastructure"},
	}
}

func highMemoryRunbook(ns string) Runbook {
	return Runbook{
		Meaning: "A GenOps container has used more than 90% of its memory limit for 5 minutes: it is close to being OOM-killed.",
		Impact:  []string{"When the limit is reached the container is killed and restarted, and its in-flight requests fail"},
		Investigation: []Step{
			{Text: "See the memory use of every container against its limit:", Query: `container_memory_working_set_bytes{` + ns + `, container!=""}
/ (container_spec_memory_limit_bytes{` + ns + `, container!=""} > 0)`},
			{Text: "Check for recent OOM kills:", Query: `kube_pod_container_status_last_terminated_reason{` + ns + `, reason="OOMKilled"} > 0`},
			{Text: "Check whether the load grew (a memory leak grows without load):", Query: `sum by (provider) (rate(genops_requests_total[5m]))`},
		},
		Remediation: []Step{
			{Text: "If the load grew, scale out:", Shell: `kubectl scale deployment genops-ai --replicas=5 -n "$NS"`},
			{Text: "If the workload needs more memory, raise its limit in its deployment; if it leaks, restart it and open a bug:", Shell: `kubectl rollout restart deployment/<DEPLOYMENT> -n "$NS"`},
		},
		Escalation: []string{"Notify: the owning team", "Slack: #genops-infrastructure"},
	}
}

var collectorDownRunbook = Runbook{
	Meaning: "Prometheus cannot scrape an OpenTelemetry Collector (gateway or cluster collector), or has no Collector target at all, for 5 minutes.",
	Impact: []string{
		"Gateway down: GenOps workloads cannot send traces, metrics or logs; their SDKs drop data once their queues fill. The genops_* metrics are derived from spans in the gateway: every GenOps alert and dashboard goes blind",
		"Cluster collector down: the annotated GenOps pods (job genops-pods) are not scraped",
	},
	Investigation: []Step{
		{Text: "See which Collector instances are down:", Query: `up{job="otel-collector"}`},
		{Text: "Check the pods and their logs:", Shell: `kubectl get pods -n "$MON" -l app.kubernetes.io/component=opentelemetry-collector
kubectl logs -n "$MON" deployment/otel-collector --tail=100
kubectl logs -n "$MON" deployment/otel-collector-cluster --tail=100`},
		{Text: "If the Collector runs but refuses data, its memory_limiter is pushing back:", Query: `sum by (instance, receiver) (rate(otelcol_receiver_refused_spans_total[5m]))`},
		{Text: "Check whether exports fail (a backend down):", Query: `sum by (instance, exporter) (rate(otelcol_exporter_send_failed_spans_total[5m]))`},
	},
	Remediation: []Step{
		{Text: "Crash-looping after a config change: roll back to the previous ConfigMap by rolling back the deployment:", Shell: `kubectl rollout undo deployment/otel-collector -n "$MON"`},
		{Text: "OOM-killed or refusing data: raise the Collector's memory limit in the environment's definition (memory_limiter follows it: its limits are percentages of the container's limit), run make generate and deploy."},
	},
	Escalation: []string{"Notify: Platform team, On-call engineer", "PagerDuty: yes", "Slack: #genops-infrastructure"},
}
