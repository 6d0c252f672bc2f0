package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Scheme knows every kind genops-stack renders, and only those: the
// k8s.io/api groups' AddToScheme registers every kind of a group (56 in
// core/v1 alone), which made this package's initializer the costliest of
// this module's own in a process's start-up. A kind rendered but missing
// here fails SetTypeMeta and the strict decoding (TestSchemeKnowsRenderedKinds
// in internal/pipeline).
var Scheme = newScheme()

// renderedKinds are the kinds of Scheme, by group version.
var renderedKinds = []struct {
	gv    schema.GroupVersion
	kinds []runtime.Object
}{
	{corev1.SchemeGroupVersion, []runtime.Object{&corev1.ConfigMap{}, &corev1.Namespace{}, &corev1.Service{}, &corev1.ServiceAccount{}}},
	{appsv1.SchemeGroupVersion, []runtime.Object{&appsv1.DaemonSet{}, &appsv1.Deployment{}, &appsv1.StatefulSet{}}},
	{rbacv1.SchemeGroupVersion, []runtime.Object{&rbacv1.ClusterRole{}, &rbacv1.ClusterRoleBinding{}}},
	{policyv1.SchemeGroupVersion, []runtime.Object{&policyv1.PodDisruptionBudget{}}},
	{networkingv1.SchemeGroupVersion, []runtime.Object{&networkingv1.NetworkPolicy{}}},
	{monitoringv1.SchemeGroupVersion, []runtime.Object{&monitoringv1.PodMonitor{}, &monitoringv1.PrometheusRule{}, &monitoringv1.ServiceMonitor{}}},
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, g := range renderedKinds {
		s.AddKnownTypes(g.gv, g.kinds...)
		metav1.AddToGroupVersion(s, g.gv)
	}
	return s
}

var strict = serializer.NewCodecFactory(Scheme, serializer.EnableStrict).UniversalDeserializer()

// DecodeStrict decodes every document of a YAML stream into its typed
// object. Unknown fields, duplicate fields and unknown kinds are errors that
// name the document.
func DecodeStrict(data []byte) ([]Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []Object
	var errs []error
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			i--
			continue
		}
		obj, gvk, err := decodeDoc(doc)
		if err != nil {
			name := ""
			if gvk != nil {
				name = " (" + gvk.Kind + ")"
			}
			errs = append(errs, fmt.Errorf("document %d%s: %w", i, name, err))
			continue
		}
		o, ok := obj.(Object)
		if !ok {
			errs = append(errs, fmt.Errorf("document %d: %T has no object metadata", i, obj))
			continue
		}
		objs = append(objs, o)
	}
	return objs, errors.Join(errs...)
}

// decodeDoc decodes one document with the strict deserializer. Given YAML,
// that deserializer reads the document twice: it converts it to JSON, then
// converts it again with sigs.k8s.io/yaml's strict converter to find
// duplicate keys, then decodes the JSON strictly. decodeDoc converts once,
// with the strict converter, and hands the JSON to the same deserializer,
// which decodes JSON with the same strict decoder. On any error it decodes
// the YAML as before, so a bad document gets the deserializer's own error.
func decodeDoc(doc []byte) (runtime.Object, *schema.GroupVersionKind, error) {
	if data, err := sigsyaml.YAMLToJSONStrict(doc); err == nil {
		if obj, gvk, err := strict.Decode(data, nil, nil); err == nil {
			return obj, gvk, nil
		}
	}
	return strict.Decode(doc, nil, nil)
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
