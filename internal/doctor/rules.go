package doctor

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/notify/email"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"

	"github.com/koshihq/genops-stack/internal/alertmanager"
)

func (d *diagnosis) rules(ctx context.Context) (Section, error) {
	s := Section{Key: SectionRules, Title: "Rules and alerts"}
	env := d.plan.Env
	rules, err := d.getRules(ctx)
	if err != nil {
		return s, err
	}
	loaded := map[string]promv1.RuleGroup{}
	var names []string
	for _, g := range rules.Groups {
		loaded[g.Name] = g
		names = append(names, g.Name)
	}
	sort.Strings(names)
	groupsEv := Evidence{"prometheus", "GET /api/v1/rules", fmt.Sprintf("%d groups: %s", len(names), strings.Join(names, ", "))}

	// Every rendered group is loaded.
	var absent []string
	for _, g := range d.plan.Groups {
		if _, ok := loaded[g]; !ok {
			absent = append(absent, g)
		}
	}
	if len(absent) > 0 {
		s.Checks = append(s.Checks, Check{Check: "rule-groups-loaded", Status: Problem, Object: strings.Join(absent, ", "), Evidence: []Evidence{groupsEv},
			Summary: fmt.Sprintf("Prometheus has not loaded %d of the %d rendered rule groups", len(absent), len(d.plan.Groups)),
			Next: fmt.Sprintf("Each group is a PrometheusRule of the same name that Prometheus selects by the label %s: %s; the operator's log says why it skipped one: %s",
				env.Selector, d.kubectl("get prometheusrule --show-labels"), d.kubectl("logs deploy/"+operator(env)+" | grep -i rule"))})
	} else {
		s.Checks = append(s.Checks, Check{Check: "rule-groups-loaded", Status: OK, Evidence: []Evidence{groupsEv},
			Summary: fmt.Sprintf("all %d rendered rule groups are loaded", len(d.plan.Groups))})
	}

	// Every rule of those groups evaluates.
	total, unknown := 0, 0
	var failing []Check
	for _, name := range d.plan.Groups {
		g, ok := loaded[name]
		if !ok {
			continue
		}
		for _, r := range g.Rules {
			var kind, rname, health, lastErr string
			switch x := r.(type) {
			case promv1.AlertingRule:
				kind, rname, health, lastErr = "alert", x.Name, string(x.Health), x.LastError
			case promv1.RecordingRule:
				kind, rname, health, lastErr = "recording rule", x.Name, string(x.Health), x.LastError
			default:
				continue
			}
			total++
			switch health {
			case "err":
				failing = append(failing, Check{Check: "rule-health", Status: Problem, Object: fmt.Sprintf("%s %s in group %s", kind, rname, name),
					Summary:  "fails to evaluate: " + lastErr,
					Evidence: []Evidence{{"prometheus", "GET /api/v1/rules", fmt.Sprintf("group %s, %s %s: health err, lastError %q", name, kind, rname, lastErr)}},
					Next:     fmt.Sprintf("Run its expression in Prometheus' UI to see the error; fix it in alerts/ and run make generate (the group's file is %s)", g.File)})
			case "unknown":
				unknown++
			}
		}
	}
	if total == 0 {
		s.Checks = append(s.Checks, Check{Check: "rule-health", Status: Skipped, Summary: "no rule of the rendered groups is loaded"})
	} else if len(failing) == 0 {
		sum := fmt.Sprintf("all %d rules evaluate without error", total)
		if unknown > 0 {
			sum += fmt.Sprintf(" (%d not evaluated yet)", unknown)
		}
		s.Checks = append(s.Checks, Check{Check: "rule-health", Status: OK, Summary: sum,
			Evidence: []Evidence{{"prometheus", "GET /api/v1/rules", fmt.Sprintf("%d rules, none with health err", total)}}})
	}
	s.Checks = append(s.Checks, failing...)

	// Prometheus sends alerts to an Alertmanager.
	ams, err := d.prom.api.AlertManagers(ctx)
	if err != nil {
		return s, d.prom.fail(err, "GET /api/v1/alertmanagers")
	}
	amEv := Evidence{"prometheus", "GET /api/v1/alertmanagers", fmt.Sprintf("%d active, %d dropped", len(ams.Active), len(ams.Dropped))}
	if len(ams.Active) == 0 {
		s.Checks = append(s.Checks, Check{Check: "alertmanager-discovered", Status: Problem, Evidence: []Evidence{amEv},
			Summary: "Prometheus sends its alerts to no Alertmanager: every alert stays in Prometheus",
			Next:    fmt.Sprintf("kube-prometheus-stack's values must keep alertmanager enabled, and its Service %s must have ready endpoints: %s", env.Alertmanager.Service, d.kubectl("get endpoints "+env.Alertmanager.Service))})
	} else {
		s.Checks = append(s.Checks, Check{Check: "alertmanager-discovered", Status: OK, Evidence: []Evidence{amEv},
			Summary: fmt.Sprintf("Prometheus sends alerts to %d Alertmanager(s)", len(ams.Active))})
	}

	def, err := d.defaultRoute(ctx)
	if err != nil {
		return s, err
	}
	s.Checks = append(s.Checks, def...)
	if d.am == nil {
		s.Checks = append(s.Checks, Check{Check: "alertmanager-config", Status: Skipped, Summary: "pass --alertmanager to compare the configuration Alertmanager runs with the rendered one"})
	} else {
		s.Checks = append(s.Checks, d.configDrift())
	}
	notes, err := d.notifications(ctx)
	if err != nil {
		return s, err
	}
	return appendChecks(s, notes...), nil
}

func appendChecks(s Section, cs ...Check) Section {
	s.Checks = append(s.Checks, cs...)
	return s
}

// operator is the prometheus-operator Deployment of kube-prometheus-stack.
func operator(env Settings) string {
	return strings.TrimSuffix(env.Prometheus.Service, "-prometheus") + "-operator"
}

// defaultRoute finds firing alerts that reach no receiver but the default:
// as Alertmanager routed them when it is given, else through the rendered
// configuration with Prometheus' external labels.
func (d *diagnosis) defaultRoute(ctx context.Context) ([]Check, error) {
	def := d.plan.DefaultReceiver
	next := "Add a route for it in routing/routes.go (with a routing test in routing/tests.go), or mark the alert ForDefault; then make generate"
	var bad []Check
	firing := 0
	if d.am != nil {
		as, err := d.am.alerts(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			firing++
			var rs []string
			for _, r := range a.Receivers {
				rs = append(rs, r.Name)
			}
			if len(rs) > 0 && !slices.ContainsFunc(rs, func(r string) bool { return r != def }) {
				bad = append(bad, Check{Check: "alert-routes", Status: Problem, Object: alertName(a.Labels),
					Summary:  fmt.Sprintf("fires and reaches only the default receiver %s: nobody who owns it is told", def),
					Evidence: []Evidence{{"alertmanager", "GET /api/v2/alerts?active=true&silenced=false&inhibited=false", fmt.Sprintf("%s receivers %v", labelString(a.Labels), rs)}},
					Next:     next})
			}
		}
		if len(bad) == 0 {
			return []Check{{Check: "alert-routes", Status: OK, Summary: fmt.Sprintf("each of the %d active alerts in Alertmanager reaches a receiver other than %s", firing, def),
				Evidence: []Evidence{{"alertmanager", "GET /api/v2/alerts?active=true&silenced=false&inhibited=false", fmt.Sprintf("%d alerts", firing)}}}}, nil
		}
		return bad, nil
	}
	res, err := d.prom.api.Alerts(ctx)
	if err != nil {
		return nil, d.prom.fail(err, "GET /api/v1/alerts")
	}
	for _, a := range res.Alerts {
		if a.State != promv1.AlertStateFiring {
			continue
		}
		firing++
		ls := model.LabelSet{}
		for k, v := range d.plan.Env.ExternalLabels {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		maps.Copy(ls, a.Labels)
		rs := d.routes.Receivers(ls)
		if !slices.ContainsFunc(rs, func(r string) bool { return r != def }) {
			labels := map[string]string{}
			for k, v := range ls {
				labels[string(k)] = string(v)
			}
			bad = append(bad, Check{Check: "alert-routes", Status: Problem, Object: alertName(labels),
				Summary:  fmt.Sprintf("fires and the rendered routing sends it only to the default receiver %s: nobody who owns it is told", def),
				Evidence: []Evidence{{"prometheus", "GET /api/v1/alerts", fmt.Sprintf("%s firing; routed through %s: %v", labelString(labels), AlertmanagerFile(d.plan.Env.Name), rs)}},
				Next:     next})
		}
	}
	if len(bad) == 0 {
		return []Check{{Check: "alert-routes", Status: OK, Summary: fmt.Sprintf("each of the %d firing alerts reaches a receiver other than %s (rendered routing; pass --alertmanager for Alertmanager's own)", firing, def),
			Evidence: []Evidence{{"prometheus", "GET /api/v1/alerts", fmt.Sprintf("%d firing", firing)}}}}, nil
	}
	return bad, nil
}

func alertName(ls map[string]string) string {
	keys := []string{}
	for k := range ls {
		if k != "alertname" && k != "severity" && k != "category" && k != "cluster" && k != "environment" && k != "prometheus" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, ls[k]))
	}
	return ls["alertname"] + "{" + strings.Join(parts, ", ") + "}"
}

func labelString(ls map[string]string) string {
	m := model.LabelSet{}
	for k, v := range ls {
		m[model.LabelName(k)] = model.LabelValue(v)
	}
	return m.String()
}

// configDrift compares the configuration Alertmanager runs with the
// rendered one, both as Alertmanager's loader reads and prints them.
func (d *diagnosis) configDrift() Check {
	env := d.plan.Env
	c := Check{Check: "alertmanager-config"}
	running := *d.amStatus.Config.Original
	rendered, err := alertmanager.Load([]byte(d.plan.Alertmanager))
	if err == nil {
		// Alertmanager builds its notifiers from the configuration it
		// loaded, and the e-mail notifier fills in defaults there (the
		// Subject, From and To headers): build them the same way before
		// comparing. (Only the e-mail notifier is built: building every
		// notifier, as config/receiver does, links every vendor's SDK into
		// the CLI for nothing, 6 MB of it the AWS SDK of SNS.)
		for _, r := range rendered.Config.Receivers {
			for _, ec := range r.EmailConfigs {
				email.New(ec, nil, nil)
			}
		}
	}
	if err != nil {
		c.Status, c.Summary = Problem, fmt.Sprintf("the rendered %s does not load as Alertmanager loads it: %v", AlertmanagerFile(env.Name), err)
		c.Next = "genops-stack validate reports what is wrong with it"
		return c
	}
	want := rendered.Config.String()
	diffs := yamlDiff(want, running)
	req := "GET /api/v2/status (config.original)"
	if len(diffs) == 0 {
		c.Status, c.Summary = OK, "Alertmanager runs the rendered "+AlertmanagerFile(env.Name)
		c.Evidence = []Evidence{{"alertmanager", req, "equal to the rendered configuration as Alertmanager loads it"}}
		return c
	}
	c.Status = Problem
	c.Summary = fmt.Sprintf("Alertmanager runs a configuration that differs from the rendered %s in %d place(s)", AlertmanagerFile(env.Name), len(diffs))
	const most = 12
	shown := diffs
	if len(shown) > most {
		shown = append(slices.Clone(diffs[:most]), fmt.Sprintf("... and %d more", len(diffs)-most))
	}
	c.Evidence = []Evidence{{"alertmanager", req, strings.Join(shown, "; ")}}
	c.Next = fmt.Sprintf("Alertmanager reads the Secret %s, which the overlay generates from the rendered file: apply the overlay (kubectl apply -k kubernetes/overlays/%s) and check that the config reloader picked it up: %s",
		env.AlertmanagerSecret, env.Name, d.kubectl("logs "+env.Alertmanager.Pod+" -c config-reloader --tail=20"))
	return c
}

// yamlDiff lists where two YAML documents differ, as path: want -> got.
func yamlDiff(want, got string) []string {
	var w, g any
	if err := yaml.Unmarshal([]byte(want), &w); err != nil {
		return []string{"the rendered configuration does not parse: " + err.Error()}
	}
	if err := yaml.Unmarshal([]byte(got), &g); err != nil {
		return []string{"the running configuration does not parse: " + err.Error()}
	}
	var out []string
	diffValue("", w, g, &out)
	return out
}

func diffValue(path string, w, g any, out *[]string) {
	if reflect.DeepEqual(w, g) {
		return
	}
	wm, wok := w.(map[string]any)
	gm, gok := g.(map[string]any)
	if wok && gok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValue(p, wm[k], gm[k], out)
		}
		return
	}
	ws, wok := w.([]any)
	gs, gok := g.([]any)
	if wok && gok && len(ws) == len(gs) {
		for i := range ws {
			diffValue(fmt.Sprintf("%s[%s]", path, itemName(ws[i], i)), ws[i], gs[i], out)
		}
		return
	}
	*out = append(*out, fmt.Sprintf("%s: rendered %s, running %s", path, short(w), short(g)))
}

// itemName names a list item by its name field when it has one.
func itemName(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		if n, ok := m["name"].(string); ok {
			return n
		}
	}
	return fmt.Sprint(i)
}

func short(v any) string {
	if v == nil {
		return "(absent)"
	}
	if str, ok := v.(string); ok {
		return fmt.Sprintf("%q", str)
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(string(b))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// notifications reads Alertmanager's own counters of notification
// attempts and failures, per integration (and receiver, when Alertmanager
// runs with receiver names in its metrics).
func (d *diagnosis) notifications(ctx context.Context) ([]Check, error) {
	if d.am == nil {
		// kube-prometheus-stack scrapes Alertmanager: its counters may be
		// in Prometheus.
		q := fmt.Sprintf(`sum by (integration) (increase(alertmanager_notification_requests_failed_total[%s]))`, d.window)
		failed, ev, err := d.prom.byLabel(ctx, q, "integration")
		if err != nil {
			return nil, err
		}
		if len(failed) == 0 {
			return []Check{{Check: "notifications", Status: Skipped, Evidence: []Evidence{ev},
				Summary: "Prometheus has no Alertmanager notification counters: pass --alertmanager to read them from Alertmanager"}}, nil
		}
		return d.notificationChecks(failed, nil, nil, ev, fmt.Sprintf("in the last %s", d.window)), nil
	}
	attempts := counterBy(d.amMetrics, "alertmanager_notification_requests_failed_total")
	final := counterBy(d.amMetrics, "alertmanager_notifications_failed_total")
	sent := counterBy(d.amMetrics, "alertmanager_notifications_total")
	since := "since Alertmanager started"
	if st := counter(d.amMetrics, "process_start_time_seconds", "")[""]; st > 0 {
		since = "since Alertmanager started at " + time.Unix(int64(st), 0).UTC().Format(time.RFC3339)
	}
	ev := Evidence{"alertmanager", "GET " + d.am.url + "/metrics: alertmanager_notification_requests_failed_total, alertmanager_notifications_failed_total, alertmanager_notifications_total",
		fmt.Sprintf("failed attempts %s; failed notifications %s; notifications %s", describeKeys(attempts), describeKeys(final), describeKeys(sent))}
	return d.notificationChecks(attempts, final, sent, ev, since), nil
}

// counterBy sums a counter family by integration, and receiver where the
// family has receiver_name.
func counterBy(fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	f, ok := fams[name]
	if !ok {
		return out
	}
	for _, m := range f.GetMetric() {
		var integ, recv string
		for _, lp := range m.GetLabel() {
			switch lp.GetName() {
			case "integration":
				integ = lp.GetValue()
			case "receiver_name":
				recv = lp.GetValue()
			}
		}
		key := integ
		if recv != "" {
			key = integ + "/" + recv
		}
		if c := m.GetCounter(); c != nil {
			out[key] += c.GetValue()
		} else if u := m.GetUntyped(); u != nil {
			out[key] += u.GetValue()
		}
	}
	return out
}

func describeKeys(m map[string]float64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", k, number(m[k])))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// notificationChecks turns failure counts by integration (or
// integration/receiver) into one check per failing one.
func (d *diagnosis) notificationChecks(attempts, final, sent map[string]float64, ev Evidence, since string) []Check {
	env := d.plan.Env
	receivers := receiversByIntegration(d.plan.Alertmanager)
	var out []Check
	for _, key := range slices.Sorted(maps.Keys(attempts)) {
		if attempts[key] == 0 && final[key] == 0 {
			continue
		}
		integ, recv, _ := strings.Cut(key, "/")
		who := recv
		if who == "" {
			who = "its receivers " + strings.Join(receivers[integ], ", ")
		} else {
			who = "receiver " + recv
		}
		sum := fmt.Sprintf("%s attempts to notify through %s failed %s (%s)", number(attempts[key]), integ, since, who)
		if final[key] > 0 {
			sum += fmt.Sprintf("; %s notifications were given up", number(final[key]))
		}
		if sent[key] > 0 {
			sum += fmt.Sprintf(", of %s", number(sent[key]))
		}
		out = append(out, Check{Check: "notifications", Status: Problem, Object: key, Summary: sum, Evidence: []Evidence{ev},
			Next: fmt.Sprintf("Alertmanager logs which receiver failed and why: %s. Its credentials are files of the Secret %s (a Slack receiver's webhook URL is the key slack-<channel>): check the key exists and the URL answers",
				d.kubectl("logs "+env.Alertmanager.Pod+" -c alertmanager | grep -E 'Notify (attempt )?failed'"), env.CredentialsSecret)})
	}
	if len(out) == 0 {
		return []Check{{Check: "notifications", Status: OK, Evidence: []Evidence{ev}, Summary: "no notification attempt failed " + since}}
	}
	return out
}

// receiversByIntegration lists, per integration (slack, email, ...), the
// receivers of the rendered configuration that use it.
func receiversByIntegration(config string) map[string][]string {
	var cfg struct {
		Receivers []map[string]any `json:"receivers"`
	}
	out := map[string][]string{}
	if yaml.Unmarshal([]byte(config), &cfg) != nil {
		return out
	}
	for _, r := range cfg.Receivers {
		name, _ := r["name"].(string)
		for k := range r {
			if integ, ok := strings.CutSuffix(k, "_configs"); ok {
				out[integ] = append(out[integ], name)
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}
