package promlint

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// grafanaVar matches a Grafana template variable: $var, ${var} or
// ${var:format} (the deprecated [[var]] is not supported).
var grafanaVar = regexp.MustCompile(`\$\{([a-zA-Z_]\w*)(?::[^}]*)?\}|\$([a-zA-Z_]\w*)`)

// substitute replaces Grafana's variables with values that parse where they
// stand, a user variable inside a string (a label value) with its name.
func (l *Linter) substitute(expr string) string {
	return Substitute(expr, l.opts.ScrapeInterval, func(name string) string { return name })
}

// Substitute replaces Grafana's variables in expr with values that parse
// where they stand. Grafana's own interval variables get the values Grafana
// would give them at the scrape interval ($__rate_interval is at least four
// scrape intervals, $__range is 1h); a user variable becomes inString(name)
// inside a string (a label value), a duration inside brackets and the
// number 1 elsewhere.
func Substitute(expr string, scrape time.Duration, inString func(name string) string) string {
	if !strings.Contains(expr, "$") {
		return expr
	}
	builtin := map[string]string{
		"__rate_interval": model.Duration(4 * scrape).String(),
		"__interval":      model.Duration(scrape).String(),
		"__interval_ms":   strconv.FormatInt(scrape.Milliseconds(), 10),
		"__range":         "1h",
		"__range_s":       "3600",
		"__range_ms":      strconv.FormatInt(time.Hour.Milliseconds(), 10),
	}
	var b strings.Builder
	last := 0
	for _, m := range grafanaVar.FindAllStringSubmatchIndex(expr, -1) {
		name := ""
		for g := 1; g <= 2; g++ {
			if m[2*g] >= 0 {
				name = expr[m[2*g]:m[2*g+1]]
			}
		}
		quoted, inRange := context(expr[:m[0]])
		value, ok := builtin[name]
		switch {
		case quoted:
			value = inString(name)
		case ok:
		case inRange:
			value = "5m"
		default:
			value = "1"
		}
		b.WriteString(expr[last:m[0]])
		b.WriteString(value)
		last = m[1]
	}
	b.WriteString(expr[last:])
	return b.String()
}

// context reports whether the end of prefix is inside a quoted string or
// inside brackets (a range or a subquery).
func context(prefix string) (inString, inRange bool) {
	var quote byte
	depth := 0
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
	}
	return quote != 0, depth > 0
}

// Label references in Prometheus alert templates and Grafana legends.
var (
	alertTemplateLabel = regexp.MustCompile(`(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+"([^"]+)"`)
	legendLabel        = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
)

// templateLabels returns the label names a template refers to, in order of
// first use. Text without an action ("{{") refers to none: most label
// values and legends are such, and the regexp is the costly part.
func templateLabels(re *regexp.Regexp, text string) []string {
	if !strings.Contains(text, "{{") {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if name == "" && len(m) > 2 {
			name = m[2]
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}
