package files

import (
	"slices"
	"testing"
)

func TestAddRefusesWhatNoRendererMayWrite(t *testing.T) {
	s := NewSet()
	if err := s.Add("grafana/dashboards/a.json", Dashboard, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f    File
		want string
	}{
		{File{Path: "grafana/dashboards/a.json", Kind: Dashboard}, "files: grafana/dashboards/a.json rendered twice"},
		{File{Path: "runbooks/X.md"}, "files: runbooks/X.md has no kind"},
		{File{Path: "../x.yaml", Kind: KubeObjects}, `files: "../x.yaml" is not a clean relative path`},
		{File{Path: "a//b.yaml", Kind: KubeObjects}, `files: "a//b.yaml" is not a clean relative path`},
	} {
		if err := s.AddFile(tt.f); err == nil || err.Error() != tt.want {
			t.Errorf("AddFile(%s) = %v, want %q", tt.f.Path, err, tt.want)
		}
	}
}

// TestDistinctPrefersTheFileOverItsCopy: a dashboard and its ConfigMap's
// copy are checked once, at the dashboard's path; a config only a generator
// holds (the base's) is checked at the generator's path.
func TestDistinctPrefersTheFileOverItsCopy(t *testing.T) {
	s := NewSet()
	for _, f := range []File{
		{Path: "kubernetes/base/grafana-dashboard-a/a.json", Kind: Dashboard, Data: []byte("A"), GeneratorInput: true},
		{Path: "grafana/dashboards/a.json", Kind: Dashboard, Data: []byte("A")},
		{Path: "grafana/dashboards/b.json", Kind: Dashboard, Data: []byte("B")},
		{Path: "kubernetes/base/alertmanager-genops-config/alertmanager.yaml", Kind: AlertmanagerConfig, Data: []byte("A"), GeneratorInput: true},
		{Path: "kubernetes/base/otel-collector-config/collector.yaml", Kind: CollectorConfig, Data: []byte("base"), GeneratorInput: true},
		{Path: "otel/production/collector.yaml", Kind: CollectorConfig, Data: []byte("prod")},
		{Path: "kubernetes/overlays/production/otel-collector-config/collector.yaml", Kind: CollectorConfig, Data: []byte("prod"), GeneratorInput: true},
	} {
		if err := s.AddFile(f); err != nil {
			t.Fatal(err)
		}
	}
	paths := func(fs []File) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path)
		}
		return out
	}
	if got, want := paths(s.Distinct(Dashboard)), []string{"grafana/dashboards/a.json", "grafana/dashboards/b.json"}; !slices.Equal(got, want) {
		t.Errorf("Distinct(Dashboard) = %v, want %v", got, want)
	}
	if got, want := paths(s.Distinct(CollectorConfig)), []string{"kubernetes/base/otel-collector-config/collector.yaml", "otel/production/collector.yaml"}; !slices.Equal(got, want) {
		t.Errorf("Distinct(CollectorConfig) = %v, want %v", got, want)
	}
	// The same bytes of another kind are another file.
	if got, want := paths(s.Distinct(Dashboard, AlertmanagerConfig)), []string{"grafana/dashboards/a.json", "grafana/dashboards/b.json", "kubernetes/base/alertmanager-genops-config/alertmanager.yaml"}; !slices.Equal(got, want) {
		t.Errorf("Distinct(Dashboard, AlertmanagerConfig) = %v, want %v", got, want)
	}
	if got := len(s.OfKind(CollectorConfig)); got != 3 {
		t.Errorf("OfKind(CollectorConfig) has %d files, want 3", got)
	}
}

func TestTerminate(t *testing.T) {
	for in, want := range map[string]string{"": "\n", "a": "a\n", "a\n": "a\n", "a\n\n\n": "a\n", "\n": "\n", "a\nb": "a\nb\n"} {
		data := []byte(in)
		got := Terminate(data)
		if string(got) != want {
			t.Errorf("Terminate(%q) = %q, want %q", in, got, want)
		}
		if h := WithHashHeader(data); string(h) != "# "+Header+"\n"+want {
			t.Errorf("WithHashHeader(%q) = %q", in, h)
		}
		if len(data) > 0 && &got[0] == &data[0] {
			t.Errorf("Terminate(%q) returned its argument's array", in)
		}
	}
}
