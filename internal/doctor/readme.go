package doctor

import (
	"fmt"
	"strings"
)

// Local ports the port-forward commands use, and the URLs doctor then
// takes.
func (s Settings) localURLs() (prom, am, coll string) {
	gw, _ := s.Collector(Gateway)
	return fmt.Sprintf("http://localhost:%d", s.Prometheus.Port),
		fmt.Sprintf("http://localhost:%d", s.Alertmanager.Port),
		fmt.Sprintf("http://localhost:%d/metrics", gw.TelemetryPort)
}

// PortForwards are the kubectl commands that make Prometheus, Alertmanager
// and the gateway's own telemetry reachable from a person's machine.
func PortForwards(s Settings) []string {
	gw, _ := s.Collector(Gateway)
	return []string{
		fmt.Sprintf("kubectl -n %s port-forward svc/%s %d:%d", s.Namespace, s.Prometheus.Service, s.Prometheus.Port, s.Prometheus.Port),
		fmt.Sprintf("kubectl -n %s port-forward svc/%s %d:%d", s.Namespace, s.Alertmanager.Service, s.Alertmanager.Port, s.Alertmanager.Port),
		fmt.Sprintf("kubectl -n %s port-forward deploy/%s %d:%d", s.Namespace, gw.Name, gw.TelemetryPort, gw.TelemetryPort),
	}
}

// Invocation is the doctor command line for the port-forwarded servers.
func Invocation(s Settings) string {
	prom, am, coll := s.localURLs()
	return fmt.Sprintf("genops-stack doctor --env %s --prometheus %s --alertmanager %s --collector-metrics %s", s.Name, prom, am, coll)
}

// Troubleshooting is the troubleshooting section of out/README.md: per
// environment, the port-forward commands, the doctor invocation and the few
// kubectl commands that still help, all with the environment's own names.
func Troubleshooting(envs []Settings) string {
	var b strings.Builder
	b.WriteString("\n## Troubleshooting\n\n")
	b.WriteString("The seed's troubleshooting guide (metrics not appearing in Prometheus, traces not appearing in the trace backend, high-cardinality metrics) is a command: `genops-stack doctor` checks the running stack against these definitions and says, for each problem, where the chain breaks, with the query and its result as evidence and the next step. It exits 0 when it finds nothing, 1 with problems, 2 when it cannot reach a server. `--format json` prints the same report as JSON. docs/doctor.md lists every check.\n")
	for _, s := range envs {
		gw, _ := s.Collector(Gateway)
		fmt.Fprintf(&b, "\n### %s\n\n", s.Name)
		b.WriteString("Reach the servers (one terminal each), then run doctor:\n\n```sh\n")
		for _, pf := range PortForwards(s) {
			b.WriteString(pf + "\n")
		}
		b.WriteString(Invocation(s) + "\n```\n\n")
		b.WriteString("What doctor cannot see, kubectl can:\n\n```sh\n")
		lines := [][2]string{
			{fmt.Sprintf("kubectl -n %s get pods", s.Namespace), "the Collectors, Prometheus, Alertmanager and the trace backend, and their restarts"},
			{fmt.Sprintf("kubectl -n %s logs deploy/%s --tail=100", s.Namespace, gw.Name), "the gateway: refused data, failed exports"},
		}
		if sp, ok := s.Collector(Sampler); ok {
			lines = append(lines, [2]string{fmt.Sprintf("kubectl -n %s logs deploy/%s --tail=100", s.Namespace, sp.Name), "the sampling tier: failed exports to " + s.TraceBackend.Name})
		}
		lines = append(lines,
			[2]string{fmt.Sprintf("kubectl -n %s get configmap %s -o yaml", s.WorkloadNamespace, s.QuickStart), "the gateway address the workloads read (envFrom)"},
			[2]string{fmt.Sprintf("kubectl -n %s get prometheusrule,podmonitor,servicemonitor -l %s", s.Namespace, s.Selector), "what Prometheus should pick up"},
			[2]string{fmt.Sprintf("kubectl -n %s logs %s -c %s | grep -E 'Notify (attempt )?failed'", s.Namespace, s.Alertmanager.Pod, s.Alertmanager.Container), "which receiver failed to notify, and why"},
		)
		for _, l := range lines {
			fmt.Fprintf(&b, "%s  # %s\n", l[0], l[1])
		}
		b.WriteString("```\n")
	}
	return b.String()
}
