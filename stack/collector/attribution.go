package collector

import (
	"fmt"
	"regexp"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// Attribution binds cost to ownership. A span's genops.team is what its
// workload claims; the namespace a pod runs in is not the workload's to
// choose. The gateway finds the sending pod by the address of the
// connection (k8sattributes, pod_association from: connection), reads the
// team label of the pod's namespace (Spec.Attribution.TeamLabel, set by the
// stack from stack.Team.Namespaces) and, where the namespace has one,
// charges the span to that team. A span claiming another team is
// re-attributed, and its claim is kept in genops.attribution.claimed_team,
// which the catalog's genops_attribution_conflicts_total counts.
//
// What a sender could forge is removed first: resource/untrusted deletes the
// pod and namespace attributes and the namespace's team from the resource,
// because k8sattributes never overwrites an attribute that is already set
// and reads a namespace's labels for the k8s.namespace.name it finds on the
// resource when the pod lookup fails.
const (
	// NamespaceTeamAttribute is the resource attribute k8sattributes sets
	// from the namespace's team label.
	NamespaceTeamAttribute = "genops.namespace.team"
	// UnknownTeam is what a claim of a team the stack does not know is
	// counted as: the claimed_team label takes the teams' names and this.
	UnknownTeam = "unknown"
	// Processor IDs of the attribution, in pipeline order.
	UntrustedProcessor   = "resource/untrusted"
	K8sAttributesID      = "k8sattributes"
	AttributionProcessor = "transform/attribution"
)

// Attribution is how the gateway tells which team a span is charged to.
type Attribution struct {
	// TeamLabel is the namespace label whose value is the team that owns
	// the namespace's workloads (genops.ai/team).
	TeamLabel string
}

// Auth is sender authentication on the gateway's OTLP receivers.
type Auth struct {
	// Enabled requires every OTLP request to the gateway to carry the
	// bearer token (Authorization: Bearer <token>); the node agent sends it
	// too.
	Enabled bool
	// Secret is the Secret, in the Collector's namespace, holding the token
	// under Key. genops-stack never generates it.
	Secret, Key string
}

// TokenEnv is the variable the gateway and the node agent read the token
// into, from Auth's Secret.
const TokenEnv = "GENOPS_OTLP_TOKEN"

// BearerTokenAuth is the authenticator extension's ID.
const BearerTokenAuth = "bearertokenauth"

// untrusted deletes what k8sattributes must set itself.
func untrusted() *ResourceProcessor {
	var actions []AttributeAction
	for _, k := range []string{"k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.pod.ip", NamespaceTeamAttribute} {
		actions = append(actions, AttributeAction{Key: k, Action: "delete"})
	}
	return &ResourceProcessor{Attributes: actions}
}

// k8sAttributes finds the sending pod by the connection's address only (a
// resource attribute naming a pod would be the sender's word), adds its
// namespace and name, and its namespace's team label. It waits for the pod
// and namespace caches at start-up, so no span is charged before the
// gateway can tell where it came from.
func k8sAttributes(a Attribution) *K8sAttributesProcessor {
	return &K8sAttributesProcessor{
		AuthType:               "serviceAccount",
		WaitForMetadata:        true,
		WaitForMetadataTimeout: "30s",
		Extract: K8sExtract{
			Metadata: []string{"k8s.namespace.name", "k8s.pod.name"},
			Labels:   []K8sLabel{{TagName: NamespaceTeamAttribute, Key: a.TeamLabel, From: "namespace"}},
		},
		PodAssociation: []PodAssociation{{Sources: []AssociationSource{{From: "connection"}}}},
	}
}

// k8sAttributesRules are what k8sattributes reads with this configuration:
// pods (to find the sender) and namespaces (their labels), nothing else; no
// replicasets, as no deployment name is extracted.
func k8sAttributesRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces", "pods"}, Verbs: []string{"get", "list", "watch"}}}
}

// AttributionStatements compiles transform/attribution: the claim is
// recorded where it differs from the namespace's team (a claim of a team
// the stack does not know as UnknownTeam, so the label stays bounded), then
// the span is charged to the namespace's team.
func AttributionStatements(teams []string) *TransformProcessor {
	team, claimed := attr(catalog.TeamAttribute), attr(catalog.ClaimedTeamAttribute)
	owner := fmt.Sprintf("resource.attributes[%q]", NamespaceTeamAttribute)
	st := []string{
		fmt.Sprintf("delete_key(span.attributes, %q)", catalog.ClaimedTeamAttribute),
		fmt.Sprintf("set(%s, %s) where %s != nil and %s != nil and %s != %s", claimed, team, owner, team, team, owner),
	}
	if len(teams) > 0 {
		quoted := make([]string, len(teams))
		for i, t := range teams {
			quoted[i] = regexp.QuoteMeta(t)
		}
		st = append(st, fmt.Sprintf("set(%s, %q) where %s != nil and not IsMatch(%s, %q)", claimed, UnknownTeam, claimed, claimed, "^("+strings.Join(quoted, "|")+")$"))
	} else {
		st = append(st, fmt.Sprintf("set(%s, %q) where %s != nil", claimed, UnknownTeam, claimed))
	}
	st = append(st, fmt.Sprintf("set(%s, %s) where %s != nil", team, owner, owner))
	return &TransformProcessor{ErrorMode: "ignore", TraceStatements: []ContextStatements{{Context: "span", Statements: st}}}
}

// CheckSecurity reports authentication switched on without the Secret that
// holds the token (the gateway would not start: the container's variable
// reads a Secret key that is not named) and attribution without the
// namespace label it reads.
func CheckSecurity(artifact string, s Spec) finding.List {
	var fs finding.List
	if a := s.Auth; a.Enabled && (a.Secret == "" || a.Key == "") {
		fs.Errorf(artifact, "collector "+GatewayName, "auth-secret", "authentication is on but names no Secret holding the token (Auth.Secret %q, Auth.Key %q): name the Secret and key you create in the Collector's namespace; genops-stack never generates the token", a.Secret, a.Key)
	}
	if s.Attribution.TeamLabel == "" {
		fs.Errorf(artifact, "collector "+GatewayName, "attribution", "Attribution.TeamLabel names no namespace label: the gateway could not tell which team owns a span's namespace")
	}
	return fs
}
