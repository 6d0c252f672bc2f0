package collector

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/koshihq/genops-stack/stack/catalog"
	"github.com/koshihq/genops-stack/stack/netpol"
	"github.com/koshihq/genops-stack/stack/sampling"
)

func TestAttributionStatements(t *testing.T) {
	got := AttributionStatements([]string{"ml-platform", "r&d.x"}).TraceStatements[0].Statements
	want := []string{
		`delete_key(span.attributes, "genops.attribution.claimed_team")`,
		`set(span.attributes["genops.attribution.claimed_team"], span.attributes["genops.team"]) where resource.attributes["genops.namespace.team"] != nil and span.attributes["genops.team"] != nil and span.attributes["genops.team"] != resource.attributes["genops.namespace.team"]`,
		`set(span.attributes["genops.attribution.claimed_team"], "unknown") where span.attributes["genops.attribution.claimed_team"] != nil and not IsMatch(span.attributes["genops.attribution.claimed_team"], "^(ml-platform|r&d\\.x)$")`,
		`set(span.attributes["genops.team"], resource.attributes["genops.namespace.team"]) where resource.attributes["genops.namespace.team"] != nil`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func wiring(t *testing.T) (Spec, Wiring) {
	t.Helper()
	cat := catalog.Default()
	s := Spec{
		Gateway: Workload{Replicas: 2}, Cluster: Workload{Replicas: 1}, Sampler: Workload{Replicas: 1},
		Batch:       BatchProcessor{Timeout: "1s", SendBatchSize: 10},
		Auth:        Auth{Enabled: true, Secret: "genops-otlp-token", Key: "token"},
		Attribution: Attribution{TeamLabel: "genops.ai/team"},
	}
	w := Wiring{
		Namespace: "monitoring", WorkloadNamespace: "genops-system", Catalog: cat, FileLogs: true,
		Sampling:  sampling.Spec{Tail: &sampling.Tail{Policies: sampling.GenOps(1)}},
		Workloads: netpol.Label{Key: "genops.ai/workloads", Value: "true"}, Scraper: "prometheus",
	}
	return s, w
}

// TestGatewayReadsPodsAndNamespacesOnly: the gateway's API access is what
// k8sattributes needs with this configuration, nothing more; the tiers
// that do not look pods up have none.
func TestGatewayReadsPodsAndNamespacesOnly(t *testing.T) {
	s, w := wiring(t)
	roles := map[string][]rbacv1.PolicyRule{}
	automount := map[string]bool{}
	for _, in := range Build(s, w) {
		for _, o := range objects(s, w, in) {
			switch x := o.(type) {
			case *rbacv1.ClusterRole:
				roles[x.Name] = x.Rules
			}
			if sa, ok := o.(*corev1.ServiceAccount); ok {
				automount[sa.Name] = *sa.AutomountServiceAccountToken
			}
		}
	}
	want := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces", "pods"}, Verbs: []string{"get", "list", "watch"}}}
	if !reflect.DeepEqual(roles[GatewayName], want) {
		t.Errorf("gateway rules: %+v, want %+v", roles[GatewayName], want)
	}
	for _, name := range []string{SamplerName, AgentName} {
		if _, ok := roles[name]; ok || automount[name] {
			t.Errorf("%s has a ClusterRole or mounts a token: it reads no API", name)
		}
	}
	if !automount[GatewayName] {
		t.Errorf("the gateway mounts no service account token: k8sattributes could not read the API")
	}
	k := gateway(s, w).Config.Processors.K8sAttributes
	if k.Passthrough || !k.WaitForMetadata || !reflect.DeepEqual(k.PodAssociation, []PodAssociation{{Sources: []AssociationSource{{From: "connection"}}}}) {
		t.Errorf("k8sattributes must look the pod up by the connection only and wait for its caches: %+v", k)
	}
	if !reflect.DeepEqual(k.Extract.Metadata, []string{"k8s.namespace.name", "k8s.pod.name"}) {
		t.Errorf("extracted metadata %v: anything more needs more access (replicasets, nodes)", k.Extract.Metadata)
	}
}

// TestAuthentication: with Auth on, both OTLP receivers of the gateway
// check the token, and the gateway and the agent read it from the Secret;
// off, nothing mentions it.
func TestAuthentication(t *testing.T) {
	s, w := wiring(t)
	gw := gateway(s, w)
	p := gw.Config.Receivers.OTLP.Protocols
	if p.GRPC.Auth == nil || p.HTTP.Auth == nil || p.GRPC.Auth.Authenticator != BearerTokenAuth || p.HTTP.Auth.Authenticator != BearerTokenAuth {
		t.Errorf("receivers: grpc %+v http %+v", p.GRPC.Auth, p.HTTP.Auth)
	}
	if !slices.Contains(gw.Config.Service.Extensions, BearerTokenAuth) || gw.Config.Extensions.BearerTokenAuth.Token != "${env:GENOPS_OTLP_TOKEN}" {
		t.Errorf("extension: %v %+v", gw.Config.Service.Extensions, gw.Config.Extensions.BearerTokenAuth)
	}
	env := SecretEnv{Name: TokenEnv, Secret: SecretRef{Name: "genops-otlp-token", Key: "token"}}
	if !slices.Contains(gw.Env, env) {
		t.Errorf("gateway env %+v lacks %+v", gw.Env, env)
	}
	ag := agent(s, w)
	if ag.Config.Exporters.OTLPGateway.Auth == nil || !slices.Contains(ag.Env, env) {
		t.Errorf("the agent does not present the token: %+v %+v", ag.Config.Exporters.OTLPGateway, ag.Env)
	}
	if fs := Check("environment e", Build(s, w)); fs.Errors() > 0 {
		t.Errorf("findings: %v", fs.Strings())
	}
	s.Auth = Auth{}
	gw = gateway(s, w)
	if gw.Config.Receivers.OTLP.Protocols.HTTP.Auth != nil || gw.Config.Extensions.BearerTokenAuth != nil || len(gw.Env) != 0 {
		t.Errorf("auth off: %+v %+v %+v", gw.Config.Receivers.OTLP.Protocols.HTTP, gw.Config.Extensions, gw.Env)
	}
}

func TestCheckSecurity(t *testing.T) {
	s, _ := wiring(t)
	if fs := CheckSecurity("environment e", s); len(fs) != 0 {
		t.Fatalf("a good spec: %v", fs.Strings())
	}
	s.Auth.Key = ""
	s.Attribution.TeamLabel = ""
	got := CheckSecurity("environment e", s).Strings()
	want := []string{
		`environment e: collector otel-collector: authentication is on but names no Secret holding the token (Auth.Secret "genops-otlp-token", Auth.Key ""): name the Secret and key you create in the Collector's namespace; genops-stack never generates the token`,
		`environment e: collector otel-collector: Attribution.TeamLabel names no namespace label: the gateway could not tell which team owns a span's namespace`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%q\nwant:\n%q", got, want)
	}
}
