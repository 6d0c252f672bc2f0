package files

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// sameAsSigs fails unless MarshalYAML and MarshalJSONValue write what
// sigs.k8s.io/yaml.Marshal writes for v, or all of them fail.
func sameAsSigs(t *testing.T, v any) {
	t.Helper()
	want, wantErr := yaml.Marshal(v)
	got, err := MarshalYAML(v)
	if (err != nil) != (wantErr != nil) || string(got) != string(want) {
		t.Errorf("MarshalYAML(%#v) = %q, %v; sigs.k8s.io/yaml.Marshal = %q, %v", v, got, err, want, wantErr)
	}
	// The generic form, as kube.ToMap makes it: encoding/json's decoding
	// with float64 numbers.
	data, jerr := json.Marshal(v)
	if jerr != nil {
		return
	}
	var x any
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	want, wantErr = yaml.Marshal(x)
	got, err = MarshalJSONValue(x)
	if (err != nil) != (wantErr != nil) || string(got) != string(want) {
		t.Errorf("MarshalJSONValue(%#v) = %q, %v; sigs.k8s.io/yaml.Marshal = %q, %v", x, got, err, want, wantErr)
	}
	// x is shared (kube.Maps): MarshalJSONValue must leave it as it was.
	var again any
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, again) {
		t.Errorf("MarshalJSONValue changed its argument: %#v, was %#v", x, again)
	}
}

func TestMarshalYAMLWritesWhatSigsYAMLWrites(t *testing.T) {
	type inner struct {
		Name     string            `json:"name"`
		Omitted  string            `json:"omitted,omitempty"`
		Labels   map[string]string `json:"labels,omitempty"`
		Quantity resource.Quantity `json:"quantity"`
		Port     intstr.IntOrString
		Ptr      *int     `json:"ptr"`
		List     []string `json:"list"`
	}
	one := 1
	numbers := []any{0, -1, 1, 42, math.MaxInt64, math.MinInt64, uint64(math.MaxUint64), 1 << 53, 1<<53 + 1,
		0.0, math.Copysign(0, -1), 0.5, 0.1, 1e6, 1e20, 1e21, 1e22, 123456789.125, 1e-6, 1e-7, 3.0, -2.5e-10,
		float32(0.1), math.MaxFloat64, math.SmallestNonzeroFloat64, json.Number("1e3"), json.Number("12")}
	strs := []string{"", "plain", "yes", "no", "on", "null", "~", "true", "1", "1.5", "1e3", "0x1F", "0o17", "1_000",
		".inf", "-.inf", ".nan", "2026-12-01", "2026-12-01T10:00:00Z", "<<", "a: b", "- x", "#c", "'q'", `"dq"`,
		"line1\nline2", "trailing\n", " lead", "tab\there", "cr\rx", "\x00nul", "\x1fus", "del\x7f", "c1\u0085", "c1\u0080",
		"nbsp\u00a0", "bom\ufeffmid", "\ufeffbom", "nonchar\ufffe", "nonchar\uffff", "repl\ufffd", "ls\u2028ps\u2029",
		"emoji 🚀", "é", "<html>&amp;", "bad\xffutf8", "\xc3", strings.Repeat("word ", 40), strings.Repeat("x", 200),
		"{{ $labels.team }}", "sum(rate(x[5m])) by (team) > 0.8 * on(team) group_left budget", `\backslash\`}
	var values []any
	values = append(values, nil, true, false, map[string]any{}, []any{}, []string(nil), map[string]string(nil))
	values = append(values, numbers...)
	for _, s := range strs {
		values = append(values, s, map[string]any{s: s}, []any{s, map[string]any{"k": s}})
	}
	values = append(values,
		map[string]any{"b": 1, "a": []any{1, "2", 3.5, nil, true}, "a10": 1, "a9": 2, "A": 3, "_": 4, "1": 5, "10": 6, "2": 7},
		inner{Name: "n", Labels: map[string]string{"z": "1", "y": "yes"}, Quantity: resource.MustParse("512Mi"),
			Port: intstr.FromString("http"), List: []string{"a", ""}},
		inner{Quantity: resource.MustParse("0.5"), Port: intstr.FromInt32(8080), Ptr: &one},
		map[string]any{"nested": map[string]any{"deeper": []any{map[string]any{"x": 1e6, "y": numbers}}}},
		map[int]string{2: "two", 10: "ten"},
		math.Inf(1), // encoding/json refuses it
		func() {},   // and this
	)
	for _, v := range values {
		sameAsSigs(t, v)
	}
}

func FuzzMarshalYAML(f *testing.F) {
	for _, s := range []string{"", "yes", "1e3", "del\x7f", "c1\u0085", "\ufeff", "bad\xff", "a: b\n- c", "0x10", "2026-12-01"} {
		f.Add(s, int64(7), 0.5)
	}
	f.Fuzz(func(t *testing.T, s string, i int64, x float64) {
		sameAsSigs(t, map[string]any{s: []any{s, i, x, uint64(i), float64(i), map[string]any{"k": s}}})
	})
}

// sameDecodeAsSigs fails unless UnmarshalYAML decodes doc to what
// sigs.k8s.io/yaml.Unmarshal does, or both fail.
func sameDecodeAsSigs(t *testing.T, doc string) {
	t.Helper()
	var want any
	wantErr := yaml.Unmarshal([]byte(doc), &want)
	got, err := UnmarshalYAML([]byte(doc))
	// Keys that become equal (1 and "1") leave either value there, as the
	// map's iteration order has it: then any of its answers will do.
	for i := 0; i < 50 && err == nil && wantErr == nil && !reflect.DeepEqual(got, want); i++ {
		want = nil
		wantErr = yaml.Unmarshal([]byte(doc), &want)
	}
	if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
		t.Errorf("UnmarshalYAML(%q) = %#v, %v; sigs.k8s.io/yaml.Unmarshal = %#v, %v", doc, got, err, want, wantErr)
	}
}

func TestUnmarshalYAMLDecodesWhatSigsYAMLDecodes(t *testing.T) {
	for _, doc := range []string{
		"", "# only a comment\n", "null", "~", "a: 1", "a: 1.5\nb: -0\nc: 1e3\nd: 0x1F\ne: 0o17\nf: 1_000\ng: .inf\nh: -.Inf\ni: .nan",
		"big: 9007199254740993\nbigger: 18446744073709551615\nhuge: 18446744073709551616\nneg: -9223372036854775808",
		"y: yes\nn: no\no: on\nt: true\nnull: ~", "ts: 2026-12-01\ntst: 2026-12-01T10:00:00Z\nexplicit: !!timestamp 2026-12-01",
		"1: int key\n2.5: float key\ntrue: bool key\n~: null key", "1: a\n\"1\": b", "bin: !!binary aGVsbG8=", "badbin: !!binary //79",
		"list:\n- a\n- 1\n- {x: y}\n- [1, 2]\n- null", "anchors:\n  base: &b {x: 1, y: 2}\n  derived:\n    <<: *b\n    y: 3",
		"dup: 1\ndup: 2", "str: \"\\x7f del\"\nnel: \"a\\Nb\"", "multi: |\n  line1\n  line2\nfolded: >\n  a\n  b\n",
		"- top\n- level\n- list", "just a string", "42", "{a: [b, {c: d}]}", "bad: [unclosed", "\t tab: indent",
		"key: !custom tagged", "nested:\n  deeper:\n    deepest: [1, 2.5, three, ~, true]",
	} {
		sameDecodeAsSigs(t, doc)
	}
}

// TestUnmarshalYAMLOnWhatMarshalYAMLWrites: every document MarshalYAML
// writes for the values of TestMarshalYAMLWritesWhatSigsYAMLWrites decodes
// alike both ways.
func TestUnmarshalYAMLOnWhatMarshalYAMLWrites(t *testing.T) {
	for _, v := range []any{
		map[string]any{"n": []any{0, -1, 1e6, 1e21, 0.1, uint64(math.MaxUint64), math.MaxInt64}, "s": []any{"yes", "1e3", "", "a: b", "emoji 🚀", "nul\x00"}},
		map[int]string{2: "two", 10: "ten"},
		[]any{nil, true, map[string]any{}, []any{}},
	} {
		data, err := MarshalYAML(v)
		if err != nil {
			t.Fatal(err)
		}
		sameDecodeAsSigs(t, string(data))
	}
}

func FuzzUnmarshalYAML(f *testing.F) {
	for _, s := range []string{"a: 1", "1: x\n\"1\": y", "- [1, {b: !!binary aGk=}]", "x: .inf", "<<: {a: 1}", "k: 2026-12-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) { sameDecodeAsSigs(t, doc) })
}
