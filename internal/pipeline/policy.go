package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/koshihq/genops-stack/internal/component"
	"github.com/koshihq/genops-stack/internal/files"
	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/internal/kube"
	"github.com/koshihq/genops-stack/internal/policy"
	"github.com/koshihq/genops-stack/schemas"
)

// loadBuiltinPolicies are the policies of schemas/, compiled once.
var loadBuiltinPolicies = sync.OnceValues(func() (*policy.Set, error) { return policy.Load(schemas.FS) })

// loadPolicies returns the built-in policies with those of dirs.
func loadPolicies(dirs []string) (*policy.Set, error) {
	if len(dirs) == 0 {
		return loadBuiltinPolicies()
	}
	return policy.Load(schemas.FS, dirs...)
}

// checkPolicies evaluates the CUE policies over the rendered stack: every
// alerting and recording rule, dashboard and panel of the rendered files,
// every Kubernetes object and container as each overlay deploys it, and the
// secret rules over every string of every file.
func checkPolicies(pol *policy.Set, set *files.Set, base *Stack, envs []*Stack, maps *kube.Maps) (finding.List, error) {
	decoded := decodeCache{}
	fs, err := scanSecretsWith(pol, set, decoded)
	if err != nil {
		return nil, err
	}
	var subjects []policy.Subject
	for _, f := range set.Distinct(files.RuleFile, files.Dashboard) {
		docs, err := decoded.docs(f)
		if err != nil {
			return nil, err
		}
		if f.Kind == files.RuleFile {
			subjects = append(subjects, ruleSubjects(f.Path, docs)...)
		} else {
			subjects = append(subjects, dashboardSubjects(f.Path, docs)...)
		}
	}
	for _, c := range component.Kube(base.Components) {
		objs, err := objectSubjects(path.Join(kubeBaseDir, c.Name+".yaml"), c.Objects, maps)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, objs...)
	}
	for _, s := range envs {
		objs, err := objectSubjects(path.Join(kubeOverlaysDir, s.Env.Name), s.Objects(), maps)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, objs...)
	}
	fs.Add(pol.Check(subjects)...)
	return fs, nil
}

// scanSecrets runs the secret rules of pol over every string of every file
// of set.
func scanSecrets(pol *policy.Set, set *files.Set) (finding.List, error) {
	return scanSecretsWith(pol, set, decodeCache{})
}

// scanSecretsWith is scanSecrets decoding into decoded, which then holds
// every file's documents. Files with the same bytes (a dashboard and its
// ConfigMap's copy) are decoded and scanned once, distinct contents on every
// processor, each worker matching each distinct string once.
func scanSecretsWith(pol *policy.Set, set *files.Set, decoded decodeCache) (finding.List, error) {
	all := set.Files()
	// first[i] is the index, in distinct, of the content of all[i].
	first := make([]int, len(all))
	var distinct []files.File
	at := map[string]int{}
	for i, f := range all {
		key := contentKey(f)
		j, ok := at[key]
		if !ok {
			j = len(distinct)
			at[key] = j
			distinct = append(distinct, f)
		}
		first[i] = j
	}
	docs := make([][]any, len(distinct))
	found := make([]finding.List, len(distinct)) // without the artifact
	errs := make([]error, len(distinct))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(distinct)) {
		wg.Go(func() {
			scan := pol.SecretScan()
			for j := int(next.Add(1) - 1); j < len(distinct); j = int(next.Add(1) - 1) {
				f := distinct[j]
				if docs[j], errs[j] = decodeDocs(f); errs[j] != nil {
					errs[j] = fmt.Errorf("%s: %w", f.Path, errs[j])
					continue
				}
				found[j] = scan.File("", filePairs(f, docs[j]))
			}
		})
	}
	wg.Wait()
	var fs finding.List
	for i, file := range all {
		j := first[i]
		if errs[j] != nil {
			return nil, errs[j]
		}
		decoded[contentKey(file)] = docs[j]
		for _, f := range found[j] {
			f.Artifact = file.Path
			fs.Add(f)
		}
	}
	return fs, nil
}

// decodeCache holds the decoded documents of files by content key.
type decodeCache map[string][]any

// docs decodes f, once per content.
func (c decodeCache) docs(f files.File) ([]any, error) {
	key := contentKey(f)
	if docs, ok := c[key]; ok {
		return docs, nil
	}
	docs, err := decodeDocs(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	c[key] = docs
	return docs, nil
}

// contentKey identifies what a file decodes to and how its strings are
// listed: its bytes and its format.
func contentKey(f files.File) string {
	return strconv.Itoa(int(f.Kind.Format())) + "\x00" + string(f.Data)
}

// decodeDocs decodes YAML and JSON files into generic values; other files
// (Markdown, Terraform) have none.
func decodeDocs(f files.File) ([]any, error) {
	data := f.Data
	switch f.Kind.Format() {
	case files.JSON:
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		return []any{v}, nil
	case files.YAML:
		var docs []any
		for _, d := range bytes.Split(data, []byte("\n---\n")) {
			v, err := files.UnmarshalYAML(d)
			if err != nil {
				return nil, err
			}
			if v != nil {
				docs = append(docs, v)
			}
		}
		return docs, nil
	}
	return nil, nil
}

var hclAssign = regexp.MustCompile(`^\s*([A-Za-z0-9_-]+)\s*=\s*"(.*)"\s*$`)

// filePairs lists the strings of a file for the secret rules: every string
// value with its key for YAML and JSON, `key = "value"` assignments and every
// other line for the rest.
func filePairs(f files.File, docs []any) []policy.Pair {
	if docs != nil {
		var pairs []policy.Pair
		for _, d := range docs {
			pairs = append(pairs, policy.Strings(d)...)
		}
		return pairs
	}
	var pairs []policy.Pair
	for _, line := range strings.Split(string(f.Data), "\n") {
		if f.Kind.Format() == files.HCL {
			if m := hclAssign.FindStringSubmatch(line); m != nil {
				pairs = append(pairs, policy.Pair{Key: m[1], Value: m[2]})
				continue
			}
		}
		pairs = append(pairs, policy.Pair{Value: line})
	}
	return pairs
}

func ruleSubjects(file string, docs []any) []policy.Subject {
	var subs []policy.Subject
	for _, d := range docs {
		m, _ := d.(map[string]any)
		groups, _ := m["groups"].([]any)
		for _, g := range groups {
			gm, _ := g.(map[string]any)
			rules, _ := gm["rules"].([]any)
			for _, r := range rules {
				rm, _ := r.(map[string]any)
				switch {
				case rm["alert"] != nil:
					subs = append(subs, policy.Subject{Kind: policy.KindAlert, Artifact: file,
						Object: fmt.Sprintf("alert %v in group %v", rm["alert"], gm["name"]), Value: rm})
				case rm["record"] != nil:
					subs = append(subs, policy.Subject{Kind: policy.KindRecord, Artifact: file,
						Object: fmt.Sprintf("record %v in group %v", rm["record"], gm["name"]), Value: rm})
				}
			}
		}
	}
	return subs
}

func dashboardSubjects(file string, docs []any) []policy.Subject {
	var subs []policy.Subject
	for _, d := range docs {
		m, _ := d.(map[string]any)
		uid := fmt.Sprint(m["uid"])
		subs = append(subs, policy.Subject{Kind: policy.KindDashboard, Artifact: file, Object: "dashboard " + uid, Value: m})
		var walk func(panels []any)
		walk = func(panels []any) {
			for _, p := range panels {
				pm, _ := p.(map[string]any)
				subs = append(subs, policy.Subject{Kind: policy.KindPanel, Artifact: file,
					Object: fmt.Sprintf("dashboard %s: panel %q", uid, pm["title"]), Value: pm})
				nested, _ := pm["panels"].([]any)
				walk(nested)
			}
		}
		panels, _ := m["panels"].([]any)
		walk(panels)
	}
	return subs
}

func objectSubjects(artifact string, objs []kube.Object, maps *kube.Maps) ([]policy.Subject, error) {
	var subs []policy.Subject
	for _, o := range objs {
		m, err := maps.Of(o)
		if err != nil {
			return nil, err
		}
		id := kube.IDOf(o).String()
		subs = append(subs, policy.Subject{Kind: policy.KindObject, Artifact: artifact, Object: id, Value: m})
		spec, _ := m["spec"].(map[string]any)
		tmpl, _ := spec["template"].(map[string]any)
		podSpec, _ := tmpl["spec"].(map[string]any)
		for _, key := range []string{"initContainers", "containers"} {
			cs, _ := podSpec[key].([]any)
			for _, c := range cs {
				cm, _ := c.(map[string]any)
				subs = append(subs, policy.Subject{Kind: policy.KindContainer, Artifact: artifact,
					Object: fmt.Sprintf("%s: container %v", id, cm["name"]), Value: cm})
			}
		}
	}
	return subs, nil
}
