package routing

import "github.com/koshihq/genops-stack/names"

// routes is the routing tree. Alerts are grouped per alert name, cluster and
// team, and each category goes to its receiver; what no route takes goes to
// the default receiver, and the coverage check keeps that to alerts marked
// for it. Routes match the static labels every alert rule sets (severity,
// category), never labels of the alert's series.
func routes() Route {
	return Route{
		Receiver:       names.ReceiverDefault,
		GroupBy:        []string{"alertname", "cluster", "team"},
		GroupWait:      "10s",
		GroupInterval:  "10s",
		RepeatInterval: "12h",
		Routes: []Route{
			{
				Matchers:  []string{`severity="critical"`, `category="cost"`},
				Receiver:  names.ReceiverCostCritical,
				GroupWait: "1m",
			},
			{
				Matchers: []string{`severity="warning"`, `category="cost"`},
				Receiver: names.ReceiverCostWarning,
				Continue: true,
			},
			{
				Matchers: []string{`category="policy"`},
				Receiver: names.ReceiverPolicyViolations,
				Continue: true,
			},
			{
				// Evaluation quality is a property of the model's answers,
				// watched by the same people as latency and errors.
				Matchers: []string{`category=~"performance|quality"`},
				Receiver: names.ReceiverPerformanceAlerts,
				Continue: true,
			},
			{
				// The telemetry pipeline (the Collector) is infrastructure too.
				Matchers: []string{`category=~"infrastructure|observability"`},
				Receiver: names.ReceiverInfrastructureAlerts,
			},
		},
	}
}
