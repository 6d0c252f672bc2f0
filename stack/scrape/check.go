package scrape

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
)

// CheckSpec reports an environment's scrape settings that Build cannot
// honour: an unknown scraper of the GenOps pods (Build would silently run
// the job in the cluster collector) and a scrape interval Prometheus and the
// Collector cannot parse.
func CheckSpec(artifact string, s Spec, interval string) finding.List {
	var fs finding.List
	if s.GenOpsPods != ByCollector && s.GenOpsPods != ByPrometheus {
		fs.Errorf(artifact, "scrape", "scraper", "GenOpsPods %q is neither %q nor %q: say who scrapes the GenOps pods", s.GenOpsPods, ByCollector, ByPrometheus)
	}
	if d, err := model.ParseDuration(interval); err != nil || d == 0 {
		fs.Errorf(artifact, "scrape", "scrape-interval", "scrape interval %q is not a positive Prometheus duration such as \"30s\"", interval)
	}
	return fs
}

// scraper is one thing that scrapes: a job (in the cluster collector or in
// Prometheus) or a monitor object.
type scraper struct {
	name    string
	targets []Target
}

// Check reports scraping that would store series twice or not at all, among
// the objects the environment deploys: a pod scraped by two jobs (the
// monitors deployed with the cluster collector's jobs, and the raw jobs with
// the cluster collector's jobs), a ServiceMonitor port that no selected
// Service has, a monitor Prometheus does not select, relabel rules
// Prometheus rejects, and metric names prefixed with genops_ a second time.
func Check(artifact string, p Plan, objs []kube.Object, selector map[string]string) finding.List {
	var fs finding.List
	pods := Pods(objs)
	var svcs []*corev1.Service
	var monitors []kube.Object
	for _, o := range objs {
		switch x := o.(type) {
		case *corev1.Service:
			svcs = append(svcs, x)
		case *monitoringv1.PodMonitor, *monitoringv1.ServiceMonitor:
			monitors = append(monitors, o)
		}
	}
	jobs := func(js []Job, where string) []scraper {
		var out []scraper
		for _, j := range js {
			name := fmt.Sprintf("job %s (%s)", j.Name, where)
			checkMetricNames(&fs, artifact, name, j.MetricRelabelConfigs)
			ts, err := j.Targets(pods)
			if err != nil {
				fs.Errorf(artifact, name, "scrape-config", "%v", err)
			}
			out = append(out, scraper{name, ts})
		}
		return out
	}
	collector := jobs(p.CollectorJobs, "cluster collector")
	raw := jobs(p.PrometheusJobs, "Prometheus")
	var deployed []scraper
	for _, m := range monitors {
		name := kube.IDOf(m).String()
		checkMonitor(&fs, artifact, name, m, svcs, selector)
		ts, err := MonitorTargets(m, pods, svcs)
		if err != nil {
			fs.Errorf(artifact, name, "scrape-config", "%v", err)
		}
		deployed = append(deployed, scraper{name, ts})
	}
	reported := map[string]bool{}
	for _, view := range [][]scraper{append(append([]scraper{}, collector...), deployed...), append(append([]scraper{}, collector...), raw...)} {
		checkDoubleScrape(&fs, artifact, view, reported)
	}
	return fs
}

// checkDoubleScrape reports every target two scrapers share.
func checkDoubleScrape(fs *finding.List, artifact string, scrapers []scraper, reported map[string]bool) {
	by := map[string][]string{}
	target := map[string]Target{}
	for _, s := range scrapers {
		for _, t := range s.targets {
			if !contains(by[t.key()], s.name) {
				by[t.key()] = append(by[t.key()], s.name)
			}
			target[t.key()] = t
		}
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		names := by[k]
		sort.Strings(names)
		msg := strings.Join(names, " and ")
		if len(names) < 2 || reported[k+msg] {
			continue
		}
		reported[k+msg] = true
		t := target[k]
		fs.Errorf(artifact, t.Pod.String(), "double-scrape", "port %s is scraped by %s: every series would be stored %d times; scrape each pod in one job",
			strings.TrimPrefix(t.describe(), t.Pod.String()+" port "), msg, len(names))
	}
}

// checkMonitor reports a monitor Prometheus would not select and a
// ServiceMonitor endpoint whose port no selected Service has.
func checkMonitor(fs *finding.List, artifact, name string, m kube.Object, svcs []*corev1.Service, selector map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(selector)) {
		if m.GetLabels()[k] != selector[k] {
			fs.Errorf(artifact, name, "monitor-selector", "lacks the label %s=%s that Prometheus selects monitors by: Prometheus would ignore it", k, selector[k])
		}
	}
	var metricRelabels [][]monitoringv1.RelabelConfig
	switch x := m.(type) {
	case *monitoringv1.PodMonitor:
		for _, ep := range x.Spec.PodMetricsEndpoints {
			metricRelabels = append(metricRelabels, ep.MetricRelabelConfigs)
		}
	case *monitoringv1.ServiceMonitor:
		for _, ep := range x.Spec.Endpoints {
			metricRelabels = append(metricRelabels, ep.MetricRelabelConfigs)
			checkServicePort(fs, artifact, name, x, ep, svcs)
		}
	}
	for _, rs := range metricRelabels {
		checkMetricNames(fs, artifact, name, fromOperator(rs))
	}
}

func checkServicePort(fs *finding.List, artifact, name string, m *monitoringv1.ServiceMonitor, ep monitoringv1.Endpoint, svcs []*corev1.Service) {
	selected, err := selectedServices(m, svcs)
	if err != nil {
		fs.Errorf(artifact, name, "scrape-config", "%v", err)
		return
	}
	if len(selected) == 0 {
		fs.Errorf(artifact, name, "servicemonitor-port", "selects no Service: it scrapes nothing")
		return
	}
	var without []string
	for _, svc := range selected {
		if _, ok := servicePort(svc, ep.Port); ok {
			return
		}
		var ports []string
		for _, p := range svc.Spec.Ports {
			ports = append(ports, p.Name)
		}
		without = append(without, fmt.Sprintf("Service %s/%s (ports %s)", svc.Namespace, svc.Name, strings.Join(ports, ", ")))
	}
	fs.Errorf(artifact, name, "servicemonitor-port", "endpoint port %q is not a port of %s: it scrapes nothing; name a port of the Service", ep.Port, strings.Join(without, ", "))
}

// checkMetricNames rejects a metric relabeling that prefixes names with
// genops_: the GenOps metrics are named genops_* already (the seed's rule
// made genops_genops_cost_total_usd).
func checkMetricNames(fs *finding.List, artifact, name string, rs []Relabel) {
	for _, r := range rs {
		if r.TargetLabel == "__name__" && strings.HasPrefix(r.Replacement, "genops_") {
			fs.Errorf(artifact, name, "metric-prefix", "metric relabeling rewrites __name__ to %q: GenOps metrics are named genops_* already, so this makes genops_genops_*; drop the rule", r.Replacement)
		}
	}
}
