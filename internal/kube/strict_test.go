package kube

import (
	"fmt"
	"reflect"
	"testing"
)

// TestDecodeDocAsTheDeserializer: decoding the JSON converted once gives
// what the strict deserializer gives for the YAML: the same object and
// kind, or the same error.
func TestDecodeDocAsTheDeserializer(t *testing.T) {
	for _, doc := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {x: \"1\"}\ndata:\n  k: v\n  n: \"1\"\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n      - name: c\n        image: x\n        resources: {limits: {memory: 512Mi, cpu: 500m}}\n        ports: [{containerPort: 8080, name: http}]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatas:\n  k: v\n",                               // unknown field
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",                                    // duplicate key
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\nbogus: 1\n",                          // both
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80, targetPort: http}]\n", // int-or-string
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n",                                // a number for a string
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n",                                      // unknown kind
		"kind: ConfigMap\nmetadata:\n  name: a\n",                                                               // no apiVersion
		"apiVersion: v1\nmetadata:\n  name: a\n",                                                                // no kind
		"- a\n- b\n", "just text\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: [not, a, map]\n", "{bad: [yaml\n",
	} {
		obj, gvk, err := decodeDoc([]byte(doc))
		wantObj, wantGVK, wantErr := strict.Decode([]byte(doc), nil, nil)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(obj, wantObj) || !reflect.DeepEqual(gvk, wantGVK) {
			t.Errorf("%q:\ndecodeDoc = %#v, %v, %v\nthe deserializer = %#v, %v, %v", doc, obj, gvk, err, wantObj, wantGVK, wantErr)
		}
	}
}
