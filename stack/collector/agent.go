package collector

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/kube"
)

// Where the node agent reads container logs and keeps its read offsets.
const (
	podLogsDir     = "/var/log/pods"
	agentStateDir  = "/var/lib/otelcol-agent"
	agentStateHost = "/var/lib/genops-otelcol-agent"
)

// agent is the node log agent: the filelog receiver tails the container logs
// of the GenOps workloads on its node, parses the container runtime format
// and JSON bodies, and forwards the records to the gateway, which enriches
// them like OTLP logs and pushes them to Loki. Read offsets live on the node
// (file_storage), so a restarted agent neither loses nor repeats lines.
func agent(s Spec, w Wiring) Instance {
	cfg := Config{
		Receivers: Receivers{Filelog: &FilelogReceiver{
			Include:         []string{fmt.Sprintf("%s/%s_*/*/*.log", podLogsDir, w.WorkloadNamespace)},
			StartAt:         "end",
			IncludeFilePath: true,
			Storage:         "file_storage",
			Operators: []Operator{
				// Parses the CRI or Docker line format and sets
				// k8s.namespace.name, k8s.pod.name, k8s.container.name from the path.
				{Type: "container", ID: "container"},
				{Type: "json_parser", ID: "json", If: `body matches "^\\s*\\{"`, ParseFrom: "body", ParseTo: "attributes",
					Severity: &SeverityParser{ParseFrom: "attributes.level"}},
			},
		}},
		Processors: commonProcessors(s, w),
		Exporters: Exporters{OTLPGateway: &OTLPExporter{
			Endpoint: fmt.Sprintf("%s.%s.svc:%d", GatewayName, w.Namespace, PortOTLPGRPC),
			TLS:      &TLS{Insecure: true},
		}},
		Extensions: Extensions{
			HealthCheck: &Endpoint{Endpoint: fmt.Sprintf("0.0.0.0:%d", PortHealth)},
			FileStorage: &FileStorageExtension{Directory: agentStateDir, CreateDirectory: true},
		},
		Service: Service{
			Extensions: []string{"health_check", "file_storage"},
			Telemetry:  telemetry(s),
			Pipelines: map[string]Pipeline{
				"logs": {
					Receivers:  []string{"filelog"},
					Processors: []string{"memory_limiter", "resource", "batch"},
					Exporters:  withDebug(s, "otlp_grpc/gateway"),
				},
			},
		},
	}
	if s.Debug != "" {
		cfg.Exporters.Debug = &DebugExporter{Verbosity: s.Debug}
	}
	in := Instance{
		Name:     AgentName,
		Workload: s.Agent,
		Ports: []kube.Port{
			{Name: TelemetryPortName, Port: PortTelemetry},
			{Name: healthPortName, Port: PortHealth},
		},
		NodeAgent: true,
	}
	if s.Auth.Enabled {
		// The agent is a sender like any other: it presents the token.
		cfg.Exporters.OTLPGateway.Auth = &Authentication{Authenticator: BearerTokenAuth}
		useToken(&cfg, &in, s.Auth)
	}
	in.Config = cfg
	return in
}

// readNodeLogs mounts the node's pod logs read-only and a node directory for
// the read offsets, and runs the container as root: the kubelet writes pod
// logs readable by root only. Everything else of the restricted posture
// stays: read-only root filesystem, no privilege escalation, no capabilities
// (root reads its own 0640 files without any).
func readNodeLogs(pod *corev1.PodSpec) {
	pod.SecurityContext = &corev1.PodSecurityContext{
		RunAsUser:      kube.Ptr(int64(0)),
		RunAsGroup:     kube.Ptr(int64(0)),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	c := &pod.Containers[0]
	c.SecurityContext.RunAsNonRoot = kube.Ptr(false)
	c.VolumeMounts = append(c.VolumeMounts,
		corev1.VolumeMount{Name: "pod-logs", MountPath: podLogsDir, ReadOnly: true},
		corev1.VolumeMount{Name: "state", MountPath: agentStateDir},
	)
	pod.Volumes = append(pod.Volumes,
		corev1.Volume{Name: "pod-logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: podLogsDir, Type: kube.Ptr(corev1.HostPathDirectory),
		}}},
		corev1.Volume{Name: "state", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: agentStateHost, Type: kube.Ptr(corev1.HostPathDirectoryOrCreate),
		}}},
	)
}

// nodeAgentException is the one posture rule the node agent breaks, stated
// with its reason so every run reports it.
func nodeAgentException(w Wiring, in Instance) kube.Exception {
	return kube.Exception{
		Workload:  kube.ID{Kind: "DaemonSet", Namespace: w.Namespace, Name: in.Name},
		Container: "otel-collector",
		Check:     "run-as-non-root",
		Reason:    "runs as root to read " + podLogsDir + ", whose files the kubelet makes readable by root only",
	}
}
