package kube

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Op is one RFC 6902 JSON patch operation.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Diff returns the JSON patch that turns from into to, both in the generic
// form encoding/json produces. Maps are compared key by key, lists of equal
// length item by item; a list whose length changed is replaced whole, which
// keeps every index in the patch valid. Operations come in a stable order.
func Diff(from, to any) []Op {
	var ops []Op
	diff("", from, to, &ops)
	return ops
}

func diff(p string, from, to any, ops *[]Op) {
	switch f := from.(type) {
	case map[string]any:
		t, ok := to.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(f)+len(t))
		for k := range f {
			keys = append(keys, k)
		}
		for k := range t {
			if _, ok := f[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fv, inF := f[k]
			tv, inT := t[k]
			kp := p + "/" + escape(k)
			switch {
			case !inT:
				*ops = append(*ops, Op{Op: "remove", Path: kp})
			case !inF:
				*ops = append(*ops, Op{Op: "add", Path: kp, Value: tv})
			default:
				diff(kp, fv, tv, ops)
			}
		}
		return
	case []any:
		t, ok := to.([]any)
		if !ok || len(t) != len(f) {
			break
		}
		for i := range f {
			diff(p+"/"+strconv.Itoa(i), f[i], t[i], ops)
		}
		return
	}
	if !reflect.DeepEqual(from, to) {
		*ops = append(*ops, Op{Op: "replace", Path: p, Value: to})
	}
}

func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
