package alertmanager

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"

	amcommon "github.com/prometheus/alertmanager/config/common"
	commoncfg "github.com/prometheus/common/config"

	"github.com/koshihq/genops-stack/internal/finding"
)

// ValidateFile loads a rendered alertmanager.yaml with config.Load and
// reports every literal secret in it. Alertmanager types each field that
// holds a credential as a Secret or SecretURL (api_url, routing_key,
// service_key, auth_password, basic_auth passwords, bearer tokens, HTTP
// header secrets, TLS keys...): any such field with a value is an error,
// whatever the receiver type; a global one is reported once, not again in
// every receiver config.Load copies it into. Webhook URLs are typed as secret too, but a plain in-cluster URL is
// not one: a webhook URL is an error when it carries credentials (user
// info, a query parameter named like a token or key) or is a chat webhook
// whose URL is the credential.
func ValidateFile(path string, data []byte) finding.List {
	var fs finding.List
	l := loaded(data)
	cfg, err := l.cfg, l.err
	if err != nil {
		fs.Errorf(path, "", "alertmanager-load", "does not load in Alertmanager: %v", err)
		return fs
	}
	s := secretScan{artifact: path, inherited: map[string]bool{}}
	if cfg.Global != nil {
		s.object = "global"
		s.walk(reflect.ValueOf(*cfg.Global), "", "", nil)
	}
	for _, r := range cfg.Receivers {
		s.object = "receiver " + r.Name
		s.walk(reflect.ValueOf(r), "", "", nil)
	}
	return s.fs
}

var (
	secretType      = reflect.TypeFor[commoncfg.Secret]()
	secretURLType   = reflect.TypeFor[amcommon.SecretURL]()
	templateURLType = reflect.TypeFor[amcommon.SecretTemplateURL]()
)

type secretScan struct {
	artifact, object string
	fs               finding.List
	// inherited are the secret values of global, which config.Load copies
	// into receivers: they are reported once, under global.
	inherited map[string]bool
}

// walk visits v, found at path (YAML keys), and every value inside it; name
// is the YAML key of the struct field v is (or is inside of) and parent the
// struct type holding that field, which says how to fix a literal secret.
func (s *secretScan) walk(v reflect.Value, path, name string, parent reflect.Type) {
	switch v.Type() {
	case secretType:
		if v.String() != "" {
			s.literal(v.String(), path, name, parent)
		}
		return
	case secretURLType:
		s.literal(v.Interface().(amcommon.SecretURL).String(), path, name, parent)
		return
	case templateURLType:
		if why := urlCredential(v.String()); why != "" {
			s.fs.Errorf(s.artifact, s.object, "literal-secret",
				"%s carries a credential (%s): put the URL in the credentials Secret and use %s_file", path, why, name)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			s.walk(v.Elem(), path, name, parent)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			key, inline := yamlName(f)
			if !f.IsExported() || key == "-" {
				continue
			}
			if inline {
				s.walk(v.Field(i), path, name, parent)
				continue
			}
			s.walk(v.Field(i), join(path, key), key, t)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			s.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), name, parent)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			s.walk(v.MapIndex(k), join(path, fmt.Sprint(k)), name, parent)
		}
	}
}

func (s *secretScan) literal(value, path, name string, parent reflect.Type) {
	if s.object == "global" {
		s.inherited[value] = true
	} else if s.inherited[value] {
		return
	}
	fix := "move it into the credentials Secret and reference the mounted file instead"
	if parent != nil && hasField(parent, name+"_file") {
		fix = fmt.Sprintf("use %s_file with a key of the mounted credentials Secret", name)
	}
	s.fs.Errorf(s.artifact, s.object, "literal-secret", "%s holds a literal secret: %s", path, fix)
}

// credentialParam matches query parameter names that carry credentials.
var credentialParam = regexp.MustCompile(`(?i)token|key|secret|passw|auth|signature|^sig$|credential`)

// webhookHosts are chat services whose incoming-webhook URL is itself the
// credential.
var webhookHosts = []string{"hooks.slack.com", "discord.com", "discordapp.com", "webhook.office.com"}

// urlCredential says why a URL carries a credential, or "" when it does not.
func urlCredential(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.User != nil {
		return "user info"
	}
	params := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		params = append(params, k)
	}
	sort.Strings(params)
	for _, k := range params {
		if credentialParam.MatchString(k) {
			return fmt.Sprintf("query parameter %q", k)
		}
	}
	for _, h := range webhookHosts {
		if host := u.Hostname(); host == h || strings.HasSuffix(host, "."+h) {
			return "the URL of a " + h + " webhook is its credential"
		}
	}
	return ""
}

// yamlName returns a field's YAML key and whether it is inlined.
func yamlName(f reflect.StructField) (name string, inline bool) {
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	inline = strings.Contains(f.Tag.Get("yaml"), ",inline")
	if tag == "" {
		tag = strings.ToLower(f.Name)
	}
	return tag, inline
}

func hasField(t reflect.Type, yamlKey string) bool {
	for i := range t.NumField() {
		if name, _ := yamlName(t.Field(i)); name == yamlKey {
			return true
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
