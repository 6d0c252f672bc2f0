package policy

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// secretPattern is a secret rule's regular expression and a literal every
// match of it contains: a string without the literal is not matched.
// Most strings of a rendered file hold none of the rules' literals, and a
// substring search is far cheaper than an unanchored regexp.
type secretPattern struct {
	name string
	re   *regexp.Regexp
	// literal is "" when the expression requires none; fold says it is
	// matched case-insensitively, and then it is in canonical case.
	literal string
	fold    bool
}

func newSecretPattern(name string, re *regexp.Regexp) secretPattern {
	p := secretPattern{name: name, re: re}
	if parsed, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		p.literal, p.fold = requiredLiteral(parsed.Simplify())
		if p.fold {
			p.literal = canonicalCase(p.literal)
		}
	}
	return p
}

// matches reports whether v matches; canonical is v in canonical case,
// computed on first need.
func (p secretPattern) matches(v string, canonical func() string) bool {
	switch {
	case p.literal == "":
	case p.fold && !strings.Contains(canonical(), p.literal):
		return false
	case !p.fold && !strings.Contains(v, p.literal):
		return false
	}
	return p.re.MatchString(v)
}

// requiredLiteral returns the longest literal that every match of re
// contains, and whether it is case-folded; "" when it finds none.
func requiredLiteral(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune), re.Flags&syntax.FoldCase != 0
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		var best string
		var fold bool
		for _, sub := range re.Sub {
			if lit, f := requiredLiteral(sub); len([]rune(lit)) > len([]rune(best)) {
				best, fold = lit, f
			}
		}
		return best, fold
	}
	return "", false
}

// canonicalCase maps every rune to the smallest rune that case-folds to
// it: strings that match case-insensitively have equal canonical forms
// (the Kelvin sign and k, long s and s included).
func canonicalCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
