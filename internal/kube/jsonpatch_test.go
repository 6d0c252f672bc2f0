package kube

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		from, to any
		want     []Op
	}{
		{"equal", map[string]any{"a": 1.0}, map[string]any{"a": 1.0}, nil},
		{"replace scalar", map[string]any{"a": 1.0}, map[string]any{"a": 2.0},
			[]Op{{Op: "replace", Path: "/a", Value: 2.0}}},
		{"add and remove keys in order", map[string]any{"b": "x", "c": "y"}, map[string]any{"a": "z", "c": "y"},
			[]Op{{Op: "add", Path: "/a", Value: "z"}, {Op: "remove", Path: "/b"}}},
		{"nested list item", map[string]any{"l": []any{map[string]any{"n": "a"}, map[string]any{"n": "b"}}},
			map[string]any{"l": []any{map[string]any{"n": "a"}, map[string]any{"n": "c"}}},
			[]Op{{Op: "replace", Path: "/l/1/n", Value: "c"}}},
		{"list length change replaces the list", map[string]any{"l": []any{"a"}}, map[string]any{"l": []any{"a", "b"}},
			[]Op{{Op: "replace", Path: "/l", Value: []any{"a", "b"}}}},
		{"escaped keys", map[string]any{"a/b~c": 1.0}, map[string]any{"a/b~c": 2.0},
			[]Op{{Op: "replace", Path: "/a~1b~0c", Value: 2.0}}},
		{"type change", map[string]any{"a": map[string]any{}}, map[string]any{"a": "s"},
			[]Op{{Op: "replace", Path: "/a", Value: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.from, tt.to); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff = %#v, want %#v", got, tt.want)
			}
		})
	}
}
