// Package kube turns typed Kubernetes objects into the files of a kustomize
// base and its per-environment overlays, and checks them: strict decoding
// into the k8s.io/api and prometheus-operator types, and the container
// posture every workload must have.
package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/koshihq/genops-stack/internal/files"
)

// Object is a typed Kubernetes object: metadata and a runtime type.
type Object interface {
	metav1.Object
	runtime.Object
}

// ID identifies an object within a kustomization.
type ID struct {
	Group, Version, Kind, Namespace, Name string
}

// String renders "Kind namespace/name" (or "Kind name" for cluster-scoped objects).
func (id ID) String() string {
	if id.Namespace == "" {
		return id.Kind + " " + id.Name
	}
	return id.Kind + " " + id.Namespace + "/" + id.Name
}

// IDOf returns the identity of an object, whose type meta must be set.
func IDOf(o Object) ID {
	gvk := o.GetObjectKind().GroupVersionKind()
	return ID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: o.GetNamespace(), Name: o.GetName()}
}

// SetTypeMeta fills apiVersion and kind from the scheme.
func SetTypeMeta(o Object) error {
	gvks, _, err := Scheme.ObjectKinds(o)
	if err != nil {
		return err
	}
	o.GetObjectKind().SetGroupVersionKind(gvks[0])
	return nil
}

// ToMap converts an object to its JSON form as a generic map, dropping the
// noise typed objects carry: null fields and the status, which belongs
// to the cluster.
func ToMap(o runtime.Object) (map[string]any, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	pruneNulls(m)
	// Desired state only: status belongs to the cluster, also in the
	// PersistentVolumeClaim templates a StatefulSet embeds.
	delete(m, "status")
	if spec, ok := m["spec"].(map[string]any); ok {
		if claims, ok := spec["volumeClaimTemplates"].([]any); ok {
			for _, c := range claims {
				if claim, ok := c.(map[string]any); ok {
					delete(claim, "status")
				}
			}
		}
	}
	return m, nil
}

func pruneNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil {
				delete(t, k)
				continue
			}
			pruneNulls(x)
		}
	case []any:
		for _, x := range t {
			pruneNulls(x)
		}
	}
}

// Maps is ToMap with memory, for the renderers and checks of one run: each
// object is converted once however many of them read it (the base's objects
// are read by the base, by every overlay and by the policies). Objects must
// not change once a Maps has seen them, and the maps it returns are shared:
// read them, never change them. A nil *Maps converts every time. It is safe
// for concurrent use.
type Maps struct {
	m sync.Map // Object -> *mapOnce
}

type mapOnce struct {
	once sync.Once
	m    map[string]any
	err  error
}

// Of returns ToMap(o).
func (c *Maps) Of(o Object) (map[string]any, error) {
	if c == nil {
		return ToMap(o)
	}
	e, _ := c.m.LoadOrStore(o, &mapOnce{})
	mo := e.(*mapOnce)
	mo.once.Do(func() { mo.m, mo.err = ToMap(o) })
	return mo.m, mo.err
}

// MarshalDocs renders objects as one multi-document YAML stream, in the
// order given.
func MarshalDocs(objs []Object, maps *Maps) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		m, err := maps.Of(o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", IDOf(o), err)
		}
		y, err := files.MarshalJSONValue(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", IDOf(o), err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// kindOrder puts objects in the order kubectl would apply them.
var kindOrder = map[string]int{
	"Namespace": 0, "ServiceAccount": 1, "ClusterRole": 2, "ClusterRoleBinding": 3, "Role": 4, "RoleBinding": 5,
	"ConfigMap": 6, "Secret": 7, "Service": 8, "Deployment": 9, "StatefulSet": 10, "DaemonSet": 11,
	"PodDisruptionBudget": 12, "ServiceMonitor": 13, "PodMonitor": 14, "PrometheusRule": 15,
}

// SortObjects orders objects by kind (apply order), namespace and name.
func SortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := IDOf(objs[i]), IDOf(objs[j])
		if a.Kind != b.Kind {
			oa, oka := kindOrder[a.Kind]
			ob, okb := kindOrder[b.Kind]
			if oka != okb {
				return oka
			}
			if oa != ob {
				return oa < ob
			}
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}
