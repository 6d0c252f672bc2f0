package files

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v2"
	sigsyaml "sigs.k8s.io/yaml"
)

// MarshalYAML returns v as YAML, byte for byte what sigs.k8s.io/yaml.Marshal
// writes: v's JSON form (its json tags and MarshalJSON methods apply), every
// number typed as go-yaml would read it, written by go-yaml's encoder. It
// skips what costs the most there, reading the JSON text back with go-yaml's
// parser: encoding/json's decoder does the same job several times faster.
// A value with a string go-yaml's reader would not take as it is (a
// character YAML does not allow, or U+0085, a YAML line break) takes
// sigs.k8s.io/yaml's own path, errors included.
func MarshalYAML(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("error marshaling into JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if x, ok := yamlTyped(x, false); ok {
		return yaml.Marshal(x)
	}
	return sigsyaml.JSONToYAML(data)
}

// MarshalJSONValue is MarshalYAML of a value as encoding/json decodes JSON
// into an interface (map[string]any, []any, string, float64 or json.Number,
// bool, nil), such as kube.ToMap returns. It does not change x.
func MarshalJSONValue(x any) ([]byte, error) {
	if y, ok := yamlTyped(x, true); ok {
		return yaml.Marshal(y)
	}
	return sigsyaml.Marshal(x)
}

// yamlTyped replaces every number of x by the value go-yaml's decoder makes
// of its JSON text, in x's maps and slices or, when fresh, in copies of them.
// ok is false when x holds a string go-yaml's reader would not read back as
// it is, or a value that is not encoding/json's.
func yamlTyped(x any, fresh bool) (_ any, ok bool) {
	switch t := x.(type) {
	case map[string]any:
		out := t
		if fresh {
			out = make(map[string]any, len(t))
		}
		for k, v := range t {
			if !ordinary(k) {
				return nil, false
			}
			if out[k], ok = yamlTyped(v, fresh); !ok {
				return nil, false
			}
		}
		return out, true
	case []any:
		out := t
		if fresh {
			out = make([]any, len(t))
		}
		for i, v := range t {
			if out[i], ok = yamlTyped(v, fresh); !ok {
				return nil, false
			}
		}
		return out, true
	case string:
		return t, ordinary(t)
	case json.Number:
		return yamlNumber(string(t)), true
	case float64:
		// The JSON text sigs.k8s.io/yaml would parse: encoding/json's.
		data, err := json.Marshal(t)
		if err != nil {
			return nil, false
		}
		return yamlNumber(string(data)), true
	case bool, nil:
	default:
		return nil, false
	}
	return x, true
}

// yamlNumber is the value go-yaml (v2) resolves a plain JSON number to: an
// int when it fits, else a uint64, else a float64 (resolve.go). JSON numbers
// are never timestamps, never hold '_' and never start with a base prefix.
func yamlNumber(s string) any {
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return int(i)
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return u
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

// ordinary reports whether go-yaml's reader takes s, as encoding/json
// writes it, back unchanged: valid UTF-8 (encoding/json replaces the rest),
// and no character YAML forbids (DEL, C1 controls, U+FFFE, U+FFFF) or reads
// as a line break (U+0085). encoding/json escapes the C0 controls and U+2028
// and U+2029, which YAML reads back as they were.
func ordinary(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x7F, r >= 0xA0 && r <= 0xFFFD && r != utf8.RuneError, r >= 0x10000:
		default:
			return false
		}
	}
	return true
}

// UnmarshalYAML decodes one YAML document into the value
// sigs.k8s.io/yaml.Unmarshal gives an `any`: map[string]any, []any,
// string, float64, bool and nil, as encoding/json decodes the document's JSON
// form. go-yaml reads the document once, as there; what this skips is
// writing that JSON form and decoding it again. Anything else go-yaml
// decodes (keys that are not strings, numbers or booleans, binary, a
// non-finite float, a string that is not UTF-8) takes sigs.k8s.io/yaml's
// own path, errors included.
func UnmarshalYAML(doc []byte) (any, error) {
	var y any
	if err := yaml.Unmarshal(doc, &y); err == nil {
		if v, ok := jsonForm(y); ok {
			return v, nil
		}
	}
	var v any
	if err := sigsyaml.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonForm converts what go-yaml decodes into an interface to what
// encoding/json decodes from sigs.k8s.io/yaml's JSON of it. ok is false for
// anything it does not convert exactly as that path would.
func jsonForm(y any) (_ any, ok bool) {
	switch t := y.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			var key string
			switch tk := k.(type) {
			case string:
				if !utf8.ValidString(tk) {
					return nil, false
				}
				key = tk
			case int:
				key = strconv.Itoa(tk)
			case int64:
				key = strconv.FormatInt(tk, 10)
			case bool:
				key = strconv.FormatBool(tk)
			default: // floats keep their 32-bit form there; nil and the rest fail
				return nil, false
			}
			if _, dup := m[key]; dup { // 1 and "1": sigs.k8s.io/yaml keeps either
				return nil, false
			}
			if m[key], ok = jsonForm(v); !ok {
				return nil, false
			}
		}
		return m, true
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			if out[i], ok = jsonForm(v); !ok {
				return nil, false
			}
		}
		return out, true
	case string:
		return t, utf8.ValidString(t)
	case int: // encoding/json reads the decimal text back as the nearest float64
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case float64:
		return t, !math.IsInf(t, 0) && !math.IsNaN(t)
	case bool, nil:
		return t, true
	}
	return nil, false
}
