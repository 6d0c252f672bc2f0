// Package alertmanager is the machinery behind routing: it renders a
// routing.Config as alertmanager.yaml, loads it back with Alertmanager's own
// config.Load, evaluates routes with Alertmanager's dispatch package and
// inhibitions with its inhibit package, and checks the result: receivers
// and routes, notification templates, coverage of every alert, inhibitions
// that can mute, the routing test tables, and that no literal secret is in
// the file.
package alertmanager

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/config"
	amcommon "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/provider"
	"github.com/prometheus/common/model"
	"github.com/xlab/treeprint"

	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/routing"
)

// ConfigKey is the file name Alertmanager (and prometheus-operator's
// configSecret) expects.
const ConfigKey = "alertmanager.yaml"

// Render returns alertmanager.yaml for cfg.
func Render(cfg routing.Config) ([]byte, error) {
	data, err := files.MarshalYAML(cfg)
	if err != nil {
		return nil, err
	}
	return files.WithHashHeader(data), nil
}

// Loaded is a rendered configuration as Alertmanager loads it.
type Loaded struct {
	Config *config.Config
	route  *dispatch.Route
}

// Load parses a rendered configuration with config.Load. The result is
// shared with every other Load of the same bytes in the process: read it,
// never change it.
func Load(data []byte) (*Loaded, error) {
	e := loaded(data)
	e.routeOnce.Do(func() {
		if e.err == nil {
			e.route = dispatch.NewRoute(e.cfg.Route, nil)
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	return &Loaded{Config: e.cfg, route: e.route}, nil
}

// loadedConfigs are the configurations config.Load read in this process, by
// content: a run loads each environment's alertmanager.yaml for its checks,
// for the validation of the rendered file and for out/README.md, and these
// load it once. At most maxLoaded are kept.
var loadedConfigs struct {
	sync.Mutex
	m map[string]*loadedConfig
}

const maxLoaded = 32

type loadedConfig struct {
	once      sync.Once
	cfg       *config.Config
	err       error
	routeOnce sync.Once
	route     *dispatch.Route
}

// loaded returns config.Load of data, loading each content once.
func loaded(data []byte) *loadedConfig {
	loadedConfigs.Lock()
	e, ok := loadedConfigs.m[string(data)]
	if !ok {
		if len(loadedConfigs.m) >= maxLoaded || loadedConfigs.m == nil {
			loadedConfigs.m = map[string]*loadedConfig{}
		}
		e = &loadedConfig{}
		loadedConfigs.m[string(data)] = e
	}
	loadedConfigs.Unlock()
	e.once.Do(func() { e.cfg, e.err = config.Load(string(data)) })
	return e
}

// Receivers returns the receivers an alert with labels ls is sent to, in
// routing order: Alertmanager's route matching, as `amtool config routes
// test` prints it.
func (l *Loaded) Receivers(ls model.LabelSet) []string {
	var rs []string
	for _, r := range l.route.Match(ls) {
		rs = append(rs, r.RouteOpts.Receiver)
	}
	return rs
}

// DefaultReceiver is the root route's receiver.
func (l *Loaded) DefaultReceiver() string { return l.route.RouteOpts.Receiver }

// Tree renders the routing tree as `amtool config routes show` does.
func (l *Loaded) Tree() string {
	tree := treeprint.New()
	addRoute(tree, l.route)
	return "Routing tree:\n" + tree.String() + "\n"
}

func addRoute(tree treeprint.Tree, r *dispatch.Route) {
	var slug bytes.Buffer
	if r.Matchers.Len() == 0 {
		slug.WriteString("default-route")
	} else {
		slug.WriteString(r.Matchers.String())
	}
	if r.Continue {
		slug.WriteString("  continue: true")
	}
	slug.WriteString("  receiver: " + r.RouteOpts.Receiver)
	branch := tree.AddBranch(slug.String())
	for _, c := range r.Routes {
		addRoute(branch, c)
	}
}

// Muted reports, for each alert of firing, whether Alertmanager's inhibitor
// mutes it while all of them fire.
func (l *Loaded) Muted(firing []model.LabelSet) []bool {
	return muted(l.Config.InhibitRules, firing)
}

func muted(rules []amcommon.InhibitRule, firing []model.LabelSet) []bool {
	now := time.Now()
	alerts := make([]*alert.Alert, len(firing))
	for i, ls := range firing {
		alerts[i] = alert.New(model.Alert{Labels: ls, StartsAt: now}, now, false)
	}
	ih := inhibit.NewInhibitor(firingAlerts(alerts), rules, slog.New(slog.DiscardHandler), eventrecorder.NopRecorder())
	stopped := make(chan struct{})
	go func() {
		ih.Run()
		close(stopped)
	}()
	ih.WaitForLoading()
	out := make([]bool, len(firing))
	for i, a := range alerts {
		out[i] = ih.Mutes(context.Background(), a.LabelSet())
	}
	ih.Stop()
	<-stopped
	return out
}

// firingAlerts is a provider.Alerts that holds a fixed set of alerts: the
// inhibitor reads them once, when it starts.
type firingAlerts []*alert.Alert

func (f firingAlerts) SlurpAndSubscribe(string) ([]*alert.Alert, provider.AlertIterator) {
	return f, noMoreAlerts()
}

func (f firingAlerts) Subscribe(string) provider.AlertIterator { return noMoreAlerts() }
func (f firingAlerts) GetPending() provider.AlertIterator      { return noMoreAlerts() }

func (f firingAlerts) Get(fp model.Fingerprint) (*alert.Alert, error) {
	for _, a := range f {
		if a.Fingerprint() == fp {
			return a, nil
		}
	}
	return nil, provider.ErrNotFound
}

func (f firingAlerts) Put(context.Context, ...*alert.Alert) error {
	return fmt.Errorf("alertmanager: the set of firing alerts is fixed")
}

// noMoreAlerts is an iterator that never yields: no alert arrives later.
func noMoreAlerts() provider.AlertIterator {
	return provider.NewAlertIterator(make(chan *provider.Alert), make(chan struct{}), nil)
}

// labelSet converts routing labels to Alertmanager's.
func labelSet(ls routing.Labels) model.LabelSet {
	out := make(model.LabelSet, len(ls))
	for k, v := range ls {
		out[model.LabelName(k)] = model.LabelValue(v)
	}
	return out
}
