package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/alertmanager"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Servers are where the diagnosis asks: URLs a person reaches with
// kubectl port-forward. Prometheus is required.
type Servers struct {
	Prometheus string
	// Alertmanager is its base URL (the v2 API and /metrics).
	Alertmanager string
	// CollectorMetrics is the gateway's own telemetry endpoint (its
	// /metrics on the telemetry port).
	CollectorMetrics string
	// Client makes the requests; a client with a 30-second timeout when nil.
	Client *http.Client
}

// diagnosis is one run of the checks.
type diagnosis struct {
	plan      *Plan
	window    string // the plan's window as PromQL writes it
	prom      *prom
	am        *am
	amStatus  amStatus
	amMetrics map[string]*dto.MetricFamily
	collector map[string]*dto.MetricFamily // the gateway's telemetry, read directly
	collURL   string
	routes    *alertmanager.Loaded

	targets   *promv1.TargetsResult
	promRules *promv1.RulesResult
	ingest    *ingest
}

// Run checks the plan against the running servers. It returns an error,
// a *ServerError, when a server cannot be reached or does not answer as the
// server it should be; every problem of the stack is a check of the report.
func Run(ctx context.Context, p *Plan, srv Servers) (*Report, error) {
	client := srv.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	if srv.Prometheus == "" {
		return nil, errors.New("doctor: no Prometheus URL")
	}
	routes, err := alertmanager.Load([]byte(p.Alertmanager))
	if err != nil {
		return nil, fmt.Errorf("doctor: the plan's alertmanager.yaml: %w", err)
	}
	d := &diagnosis{plan: p, window: p.Window.String(), routes: routes}
	rep := &Report{Environment: p.Env.Name, Window: d.window, Servers: map[string]string{"prometheus": srv.Prometheus}, PortForward: PortForwards(p.Env)}
	if d.prom, err = newProm(strings.TrimRight(srv.Prometheus, "/"), client); err != nil {
		return nil, err
	}
	if err := d.prom.probe(ctx); err != nil {
		return nil, err
	}
	if srv.Alertmanager != "" {
		u := strings.TrimRight(srv.Alertmanager, "/")
		d.am = &am{url: u, client: client}
		if d.amStatus, err = d.am.status(ctx); err != nil {
			return nil, err
		}
		if d.amMetrics, err = families(ctx, client, "alertmanager", u+"/metrics"); err != nil {
			return nil, err
		}
		rep.Servers["alertmanager"] = srv.Alertmanager
	}
	if srv.CollectorMetrics != "" {
		if d.collector, err = families(ctx, client, "collector", srv.CollectorMetrics); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(familyNames(d.collector), func(n string) bool { return strings.HasPrefix(n, "otelcol_") }) {
			return nil, &ServerError{"collector", srv.CollectorMetrics, errors.New("not a Collector's own telemetry: it serves no otelcol_ metric")}
		}
		d.collURL = srv.CollectorMetrics
		rep.Servers["collector"] = srv.CollectorMetrics
	}
	for _, section := range []func(context.Context) (Section, error){d.metrics, d.rules, d.traces, d.cardinality} {
		s, err := section(ctx)
		if err != nil {
			return nil, err
		}
		rep.Sections = append(rep.Sections, s)
	}
	return rep, nil
}

func familyNames(fams map[string]*dto.MetricFamily) []string {
	out := make([]string, 0, len(fams))
	for n := range fams {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// kubectl is the environment's kubectl with its monitoring namespace.
func (d *diagnosis) kubectl(args string) string {
	return fmt.Sprintf("`kubectl -n %s %s`", d.plan.Env.Namespace, args)
}

// tier returns the tier of a role.
func (d *diagnosis) tier(role string) (Tier, bool) {
	for _, t := range d.plan.Tiers {
		if t.Role == role {
			return t, true
		}
	}
	return Tier{}, false
}

// sel selects a tier's own telemetry.
func (d *diagnosis) sel(t Tier) string {
	return fmt.Sprintf(`job=%q, namespace=%q, pod=~%q`, catalog.JobOTelCollector, d.plan.Env.Namespace, t.Pods)
}

// slackDuration is how long after the window's end what happened in it
// shows in Prometheus: two scrapes.
func (d *diagnosis) slackDuration() time.Duration {
	s := time.Duration(d.plan.Env.ScrapeInterval)
	if s <= 0 {
		s = 30 * time.Second
	}
	return 2 * s
}

func (d *diagnosis) slack() string { return promDuration(d.slackDuration()) }

func promDuration(t time.Duration) string { return model.Duration(t).String() }

func (d *diagnosis) getTargets(ctx context.Context) (*promv1.TargetsResult, Evidence, error) {
	ev := Evidence{Server: "prometheus", Request: "GET /api/v1/targets"}
	if d.targets == nil {
		t, err := d.prom.api.Targets(ctx)
		if err != nil {
			return nil, ev, d.prom.fail(err, "GET /api/v1/targets")
		}
		d.targets = &t
	}
	return d.targets, ev, nil
}

func (d *diagnosis) getRules(ctx context.Context) (*promv1.RulesResult, error) {
	if d.promRules == nil {
		r, err := d.prom.api.Rules(ctx, nil)
		if err != nil {
			return nil, d.prom.fail(err, "GET /api/v1/rules")
		}
		d.promRules = &r
	}
	return d.promRules, nil
}

// jobTargets are the active targets of a job.
func jobTargets(t *promv1.TargetsResult, job string) []promv1.ActiveTarget {
	var out []promv1.ActiveTarget
	for _, a := range t.Active {
		if string(a.Labels["job"]) == job {
			out = append(out, a)
		}
	}
	return out
}

// describeTargets writes targets' health.
func describeTargets(ts []promv1.ActiveTarget) string {
	if len(ts) == 0 {
		return "no active target"
	}
	var parts []string
	for _, t := range ts {
		s := fmt.Sprintf("%s %s", t.ScrapeURL, t.Health)
		if t.LastError != "" {
			s += fmt.Sprintf(" (%s)", t.LastError)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// alternation is a regular expression matching exactly the names.
func alternation(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(q, "|")
}

// few lists at most n items and says how many more there are.
func few(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
