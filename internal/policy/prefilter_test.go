package policy

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestRequiredLiteral: the literal each built-in secret pattern requires.
func TestRequiredLiteral(t *testing.T) {
	s := set(t)
	want := map[string]struct {
		literal string
		fold    bool
	}{
		"aws_access_key":  {"A", false}, // A(3T.|KIA|SIA), factored
		"basic_auth_url":  {"://", false},
		"bearer_token":    {canonicalCase("BEARER "), true},
		"datadog_api_key": {canonicalCase("DD_API_KEY"), true},
		"generic_api_key": {canonicalCase("API"), true},
		"github_token":    {"gh", false},
		"honeycomb_key":   {"hc", false},
		"private_key":     {"PRIVATE KEY-----", false},
		"slack_token":     {"xox", false},
		"slack_webhook":   {"https://hooks.slack.com/services/", false},
	}
	if len(s.secrets.patterns) != len(want) {
		t.Fatalf("%d patterns, want %d", len(s.secrets.patterns), len(want))
	}
	for _, p := range s.secrets.patterns {
		if w := want[p.name]; p.literal != w.literal || p.fold != w.fold {
			t.Errorf("%s: literal %q fold %v, want %q %v", p.name, p.literal, p.fold, w.literal, w.fold)
		}
	}
}

// TestPrefilterAgreesWithTheRegexp: with its literal checked first, every
// pattern matches exactly the strings its regexp matches: secrets in any
// case (the Kelvin sign folds to k, the long s to s), near misses, and
// random strings over the patterns' characters.
func TestPrefilterAgreesWithTheRegexp(t *testing.T) {
	s := set(t)
	samples := []string{
		"https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
		"https://hooks.slack.com/services/T0000/B0000",
		"xoxb-1234567890-abcdefghij", "xox-1234567890",
		"AKIAABCDEFGHIJKLMNOP", "A3TXABCDEFGHIJKLMNOP", "akiaabcdefghijklmnop",
		"-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----",
		"ghp_" + strings.Repeat("a", 36), "ghx_" + strings.Repeat("a", 36),
		"Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "BEARER ABCDEFGHIJKLMNOPQRSTUVWXYZ", "bearer short",
		"https://user:hunter2@example.org/hook", "https://example.org/hook",
		"hcaik_01234567890123456789abcd", "xhcaik_01234567890123456789abcd",
		"DD_API_KEY=0123456789abcdef0123456789abcdef", "dd_api_key: 0123456789ABCDEF0123456789ABCDEF",
		"api_key = abcdefghijklmnopqrstuvwx", "API-KEY: 'ABCDEFGHIJKLMNOPQRSTUVWX", "apikey=short",
		"api_\u212aey=abcdefghijklmnopqrstuvwxyz", "dd_api_\u212aey=0123456789abcdef0123456789abcdef",
		"", "Team {{ $labels.team }} has consumed its budget",
	}
	alphabet := []rune("abcdhkpxyABDEGHIKOPRSTXY0123456789_-:/@.= '\"\u212a\u017f")
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(40) {
			b.WriteRune(alphabet[rnd.IntN(len(alphabet))])
		}
		samples = append(samples, b.String())
	}
	for _, v := range samples {
		canon := func() string { return canonicalCase(v) }
		for _, p := range s.secrets.patterns {
			if got, want := p.matches(v, canon), p.re.MatchString(v); got != want {
				t.Errorf("%s on %q: prefiltered %v, regexp %v", p.name, v, got, want)
			}
		}
	}
	// The samples do reach every pattern.
	for _, p := range s.secrets.patterns {
		found := false
		for _, v := range samples[:25] {
			found = found || p.re.MatchString(v)
		}
		if !found {
			t.Errorf("no sample matches %s", p.name)
		}
	}
}

// TestCanonicalCase: strings equal under case folding are equal in
// canonical case.
func TestCanonicalCase(t *testing.T) {
	for _, pair := range [][2]string{{"KEY", "\u212aey"}, {"s", "\u017f"}, {"Bearer", "bEARER"}} {
		if canonicalCase(pair[0]) != canonicalCase(pair[1]) {
			t.Errorf("%q and %q differ in canonical case", pair[0], pair[1])
		}
		if !regexp.MustCompile("(?i)" + regexp.QuoteMeta(pair[0])).MatchString(pair[1]) {
			t.Errorf("%q does not fold to %q", pair[0], pair[1])
		}
	}
}
