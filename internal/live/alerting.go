package live

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// Notification is one request Alertmanager sent to a receiver.
type Notification struct {
	At          time.Time
	Receiver    string
	Integration string // slack, pagerduty or webhook
	// Alertname is the group's alertname: a Slack title ends in it, a
	// webhook and a PagerDuty event carry it.
	Title, Text string
	// Resolved is true for a resolved notification (Slack's colour, a
	// PagerDuty resolve event, a webhook's status).
	Resolved bool
	// Labels and Annotations are the common ones of a webhook notification.
	Labels, Annotations map[string]string
	Body                string
}

// Recorder is a local HTTP server standing in for Slack, PagerDuty and
// webhook endpoints: Alertmanager's credentials files point at its paths
// /<integration>/<receiver>.
type Recorder struct {
	URL   string
	mu    sync.Mutex
	notes []Notification
}

// StartRecorder serves on a loopback port until the test ends.
func StartRecorder(t testing.TB) *Recorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Recorder{URL: "http://" + l.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	parts := strings.SplitN(strings.Trim(req.URL.Path, "/"), "/", 2)
	if len(parts) != 2 {
		http.Error(w, "want /<integration>/<receiver>", http.StatusNotFound)
		return
	}
	n := Notification{At: time.Now(), Integration: parts[0], Receiver: parts[1], Body: string(body)}
	switch n.Integration {
	case "slack":
		var p struct {
			Attachments []struct{ Title, Text, Color string } `json:"attachments"`
		}
		if json.Unmarshal(body, &p) == nil && len(p.Attachments) > 0 {
			a := p.Attachments[0]
			n.Title, n.Text, n.Resolved = a.Title, a.Text, a.Color == "good"
		}
		w.Write([]byte("ok"))
	case "pagerduty":
		var p struct {
			EventAction string `json:"event_action"`
			Payload     struct {
				Summary string `json:"summary"`
			} `json:"payload"`
		}
		json.Unmarshal(body, &p)
		n.Title, n.Resolved = p.Payload.Summary, p.EventAction == "resolve"
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"status":"success","message":"Event processed"}`))
	case "webhook":
		var p struct {
			Status            string            `json:"status"`
			CommonLabels      map[string]string `json:"commonLabels"`
			CommonAnnotations map[string]string `json:"commonAnnotations"`
		}
		json.Unmarshal(body, &p)
		n.Resolved, n.Labels, n.Annotations = p.Status == "resolved", p.CommonLabels, p.CommonAnnotations
		n.Title = p.CommonLabels["alertname"]
	default:
		http.Error(w, "unknown integration", http.StatusNotFound)
		return
	}
	r.mu.Lock()
	r.notes = append(r.notes, n)
	r.mu.Unlock()
}

// Notifications returns what was received so far, in order.
func (r *Recorder) Notifications() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

// AlertmanagerLoopback rewrites a rendered alertmanager.yaml to run on this
// machine: every credentials file points at a file in dir holding a
// Recorder URL (Slack) or a placeholder key (PagerDuty, SMTP), every URL an
// integration posts to points at the Recorder, and the mail relay at a dead
// loopback address (mail is not recorded: the email notifier requires TLS,
// which a loopback relay would need a configuration change to skip). The
// timings are scaled by ts. It returns the rewritten configuration and
// every rewrite; it fails on a credentials field it does not know.
func AlertmanagerLoopback(config []byte, rec *Recorder, deadSMTP, dir string, ts TimeScale) ([]byte, []Rewrite, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, nil, err
	}
	var rws []Rewrite
	// file writes content into dir/name and points m[key] at it.
	file := func(m map[string]any, key, path, name, content string) error {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			return err
		}
		rws = append(rws, Rewrite{Path: path + "." + key, From: fmt.Sprint(m[key]), To: p + " (" + content + ")"})
		m[key] = p
		return nil
	}
	set := func(m map[string]any, key, path, to string) {
		rws = append(rws, Rewrite{Path: path, From: fmt.Sprint(m[key]), To: to})
		m[key] = to
	}
	global := asMap(cfg["global"])
	if _, ok := global["smtp_smarthost"]; ok {
		set(global, "smtp_smarthost", "global.smtp_smarthost", deadSMTP)
	}
	if _, ok := global["smtp_auth_password_file"]; ok {
		if err := file(global, "smtp_auth_password_file", "global", "smtp-password", "e2e-placeholder"); err != nil {
			return nil, nil, err
		}
	}
	for _, r := range asSlice(cfg["receivers"]) {
		rm := asMap(r)
		name := fmt.Sprint(rm["name"])
		for key, v := range rm {
			if key == "name" {
				continue
			}
			for i, c := range asSlice(v) {
				cm := asMap(c)
				path := fmt.Sprintf("receivers[%s].%s[%d]", name, key, i)
				switch key {
				case "slack_configs":
					if err := file(cm, "api_url_file", path, fmt.Sprintf("slack-%s-%d", name, i), rec.URL+"/slack/"+name); err != nil {
						return nil, nil, err
					}
				case "pagerduty_configs":
					if err := file(cm, "routing_key_file", path, fmt.Sprintf("pagerduty-%s-%d", name, i), "e2e-routing-key"); err != nil {
						return nil, nil, err
					}
					set(cm, "url", path+".url", rec.URL+"/pagerduty/"+name)
				case "webhook_configs":
					set(cm, "url", path+".url", rec.URL+"/webhook/"+name)
				case "email_configs":
					// Sent to the dead relay above.
				default:
					return nil, nil, fmt.Errorf("receiver %s: %s is not run on loopback", name, key)
				}
			}
		}
	}
	if err := ts.Alertmanager(cfg); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(rws, func(a, b Rewrite) int { return strings.Compare(a.Path, b.Path) })
	out, err := yaml.Marshal(cfg)
	return out, rws, err
}
