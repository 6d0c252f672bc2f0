package doctor

import "testing"

func TestConsistent(t *testing.T) {
	tests := []struct {
		k, n int
		p    float64
		want bool
	}{
		{2, 178, 0.01, true},
		{0, 22, 0.01, true},      // nothing kept of a few traces: plausible at 1%
		{0, 5000, 0.01, false},   // nothing kept of many: the sampler drops everything
		{500, 5000, 0.01, false}, // 10% where 1% is set
		{5, 30, 0.01, true},      // two-sided tail 1.1e-5
		{6, 30, 0.01, false},     // two-sided tail 6e-7
		{149, 10000, 0.01, true},
		{151, 10000, 0.01, false}, // more than five standard deviations
		{0, 10, 0, true},
		{1, 10, 0, false},
		{10, 10, 1, true},
	}
	for _, tt := range tests {
		if got := consistent(tt.k, tt.n, tt.p); got != tt.want {
			t.Errorf("consistent(%d, %d, %v) = %v, want %v", tt.k, tt.n, tt.p, got, tt.want)
		}
	}
}

func TestYAMLDiff(t *testing.T) {
	want := "route:\n  receiver: default\n  routes:\n  - receiver: a\n  - receiver: b\nreceivers:\n- name: a\n  slack_configs: [{channel: '#a'}]\n"
	got := "route:\n  receiver: default\n  routes:\n  - receiver: a\n  - receiver: c\nreceivers:\n- name: a\n  slack_configs: [{channel: '#z'}]\ntemplates: [x.tmpl]\n"
	diffs := yamlDiff(want, got)
	exp := []string{
		`receivers[a].slack_configs[0].channel: rendered "#a", running "#z"`,
		`route.routes[1].receiver: rendered "b", running "c"`,
		`templates: rendered (absent), running "- x.tmpl"`,
	}
	if len(diffs) != len(exp) {
		t.Fatalf("diffs %q\nwant  %q", diffs, exp)
	}
	for i := range exp {
		if diffs[i] != exp[i] {
			t.Errorf("diff %d: %s\nwant    %s", i, diffs[i], exp[i])
		}
	}
	if d := yamlDiff(want, want); len(d) != 0 {
		t.Errorf("equal documents differ: %q", d)
	}
}
