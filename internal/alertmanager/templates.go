package alertmanager

import (
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/routing"
)

// notificationTemplates is Alertmanager's template set: its default
// templates and functions, which every notification template can use.
// ExternalURL, which templates may link to, is a stand-in: it is
// Alertmanager's own URL at run time.
var notificationTemplates = sync.OnceValues(func() (*template.Template, error) {
	t, err := template.FromGlobs(nil)
	if err != nil {
		return nil, err
	}
	t.ExternalURL = &url.URL{Scheme: "http", Host: "alertmanager:9093"}
	return t, nil
})

// templated is one templated field of a receiver.
type templated struct {
	path string // slack_configs[0].title
	text string
	url  bool // must render to an absolute http(s) URL
}

// checkTemplates renders every templated field of every receiver with
// Alertmanager's template engine, for a notification about an alert with
// the annotations every alert rule sets and for one without annotations:
// each must parse and execute against Alertmanager's data, and links must
// render to absolute http(s) URLs.
func checkTemplates(artifact string, cfg routing.Config) finding.List {
	var fs finding.List
	tmpl, err := notificationTemplates()
	if err != nil {
		fs.Errorf(artifact, "alertmanager templates", "template", "Alertmanager's default templates do not load: %v", err)
		return fs
	}
	samples := templateSamples()
	for _, r := range cfg.Receivers {
		for _, f := range templatedFields(r) {
			results := renderTemplate(tmpl, samples, f.text)
			for i, s := range samples {
				out, err := results[i].out, results[i].err
				if err != nil {
					fs.Errorf(artifact, "receiver "+r.Name, "template", "%s does not render%s: %v", f.path, s.what, err)
					break
				}
				if u, err := url.Parse(out); f.url && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
					fs.Errorf(artifact, "receiver "+r.Name, "template", "%s renders to %q%s, which is not an absolute http(s) URL", f.path, out, s.what)
					break
				}
			}
		}
	}
	return fs
}

// templateSample is a notification every template is rendered for.
type templateSample struct {
	what string
	data *template.Data
}

// templateSamples are made once, so that a template renders alike in
// every check of the process.
var templateSamples = sync.OnceValue(func() []templateSample {
	tmpl, err := notificationTemplates()
	if err != nil {
		return nil
	}
	return []templateSample{
		{"", sampleData(tmpl, model.LabelSet{
			"summary":     "Budget threshold exceeded (ml-platform)",
			"description": "Team ml-platform has consumed 82% of monthly budget",
			"runbook_url": "https://runbooks.example.com/BudgetThreshold80Percent.md",
		})},
		{" for an alert without annotations", sampleData(tmpl, nil)},
	}
})

type templateResult struct {
	out string
	err error
}

// renderedTemplates holds what each template text renders to for the
// samples. Receivers, and the environments of a run, share most templates:
// each executes once per sample in a process (an execution clones
// Alertmanager's template set).
var renderedTemplates sync.Map // text -> *renderedTemplate

type renderedTemplate struct {
	once    sync.Once
	results []templateResult
}

func renderTemplate(tmpl *template.Template, samples []templateSample, text string) []templateResult {
	v, _ := renderedTemplates.LoadOrStore(text, &renderedTemplate{})
	r := v.(*renderedTemplate)
	r.once.Do(func() {
		r.results = make([]templateResult, len(samples))
		for i, s := range samples {
			r.results[i].out, r.results[i].err = tmpl.ExecuteTextString(text, s.data)
		}
	})
	return r.results
}

// sampleData is the template data of a notification about one firing cost
// alert with the given annotations, grouped as the root route groups.
func sampleData(tmpl *template.Template, annotations model.LabelSet) *template.Data {
	labels := model.LabelSet{
		"alertname": "BudgetThreshold80Percent", "severity": "warning", "category": "cost",
		"team": "ml-platform", "cluster": "genops-production",
	}
	now := time.Now()
	a := alert.New(model.Alert{Labels: labels, Annotations: annotations, StartsAt: now}, now, false)
	group := model.LabelSet{"alertname": labels["alertname"], "cluster": labels["cluster"], "team": labels["team"]}
	return tmpl.Data(names.ReceiverDefault, group, nil, "", a)
}

// templatedFields lists the fields of r that Alertmanager renders as templates.
func templatedFields(r routing.Receiver) []templated {
	var out []templated
	for i, s := range r.Slack {
		p := fmt.Sprintf("slack_configs[%d].", i)
		out = append(out, templated{path: p + "title", text: s.Title}, templated{path: p + "text", text: s.Text})
		for j, a := range s.Actions {
			q := fmt.Sprintf("%sactions[%d].", p, j)
			out = append(out, templated{path: q + "text", text: a.Text}, templated{path: q + "url", text: a.URL, url: true})
		}
	}
	for i, pd := range r.PagerDuty {
		out = append(out, templated{path: fmt.Sprintf("pagerduty_configs[%d].severity", i), text: pd.Severity})
	}
	for i, e := range r.Email {
		p := fmt.Sprintf("email_configs[%d].", i)
		out = append(out, templated{path: p + "to", text: e.To})
		keys := make([]string, 0, len(e.Headers))
		for k := range e.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, templated{path: p + "headers." + k, text: e.Headers[k]})
		}
	}
	return out
}
