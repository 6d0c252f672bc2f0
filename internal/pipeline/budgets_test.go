package pipeline

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/stack"
)

// TestBudgetThresholdsNotifyOncePerMonth: in every rendered
// alertmanager.yaml, Alertmanager's own route matching puts each team's
// budget threshold alert in a group of its own (grouped by team and
// threshold, so a threshold crossed later is a new group and notifies at
// once) whose repeat interval outlasts any month, and the Alertmanager of
// every environment keeps its notification log at least as long (a log
// entry that expires would notify the still-firing alert again). The rule
// side (the alert fires from the crossing to the end of the month, resolves
// when the month starts again) is alerts/testdata/team-budget-thresholds.test.yaml.
func TestBudgetThresholdsNotifyOncePerMonth(t *testing.T) {
	res := mustGenerate(t)
	month := 31 * 24 * time.Hour
	configs := res.Files.Distinct(files.AlertmanagerConfig)
	if len(configs) == 0 {
		t.Fatal("no alertmanager.yaml rendered")
	}
	for _, f := range configs {
		cfg, err := config.Load(string(f.Data))
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		root := dispatch.NewRoute(cfg.Route, nil)
		for _, team := range stack.Teams() {
			for _, th := range team.Thresholds() {
				ls := model.LabelSet{"alertname": names.TeamBudgetThreshold, "severity": "warning", "category": "budget", "cluster": "c",
					"team": model.LabelValue(team.Name), "threshold": model.LabelValue(strconv.FormatFloat(th, 'f', -1, 64))}
				routes := root.Match(ls)
				if len(routes) == 0 {
					t.Fatalf("%s: %v matches no route", f.Path, ls)
				}
				for _, r := range routes {
					if r.RouteOpts.RepeatInterval < month {
						t.Errorf("%s: %v reaches %s with repeat_interval %s, shorter than a month: it would notify again within the month", f.Path, ls, r.RouteOpts.Receiver, r.RouteOpts.RepeatInterval)
					}
					for _, l := range []model.LabelName{"team", "threshold"} {
						if _, ok := r.RouteOpts.GroupBy[l]; !ok && !r.RouteOpts.GroupByAll {
							t.Errorf("%s: %v reaches %s grouped without %s: thresholds would share one group", f.Path, ls, r.RouteOpts.Receiver, l)
						}
					}
				}
			}
		}
	}
	for _, p := range res.Files.Paths() {
		if !strings.HasSuffix(p, "kube-prometheus-stack.values.yaml") {
			continue
		}
		data, _ := res.Files.Get(p)
		var v struct {
			Alertmanager struct {
				AlertmanagerSpec struct {
					Retention string `yaml:"retention"`
				} `yaml:"alertmanagerSpec"`
			} `yaml:"alertmanager"`
		}
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got, err := model.ParseDuration(v.Alertmanager.AlertmanagerSpec.Retention)
		if err != nil || time.Duration(got) < month {
			t.Errorf("%s: alertmanagerSpec.retention %q: the notification log must outlive a month (%v)", p, v.Alertmanager.AlertmanagerSpec.Retention, err)
		}
	}
}
