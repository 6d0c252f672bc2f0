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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Scheme knows every kind genops-stack renders.
var Scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(corev1.AddToScheme(Scheme))
	utilruntime.Must(appsv1.AddToScheme(Scheme))
	utilruntime.Must(rbacv1.AddToScheme(Scheme))
	utilruntime.Must(policyv1.AddToScheme(Scheme))
	utilruntime.Must(networkingv1.AddToScheme(Scheme))
	utilruntime.Must(monitoringv1.AddToScheme(Scheme))
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
		obj, gvk, err := strict.Decode(doc, nil, nil)
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

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
