package promlint

import (
	"slices"
	"strings"
)

// closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a plausible typo or a missing suffix (at most a third of
// the name's length away); failing that, a candidate of the same words in
// another order, a renamed metric (genops_cost_total_usd became
// genops_cost_usd_total); "" otherwise. Ties go to the first candidate.
func closest(name string, candidates []string) string {
	best, bestDist := "", len(name)/3+1
	for _, c := range candidates {
		if d := levenshtein(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	words := sortedWords(name)
	for _, c := range candidates {
		if slices.Equal(sortedWords(c), words) {
			return c
		}
	}
	return ""
}

// sortedWords are the words of a name, split at _ and :, sorted.
func sortedWords(name string) []string {
	w := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == ':' })
	slices.Sort(w)
	return w
}

// levenshtein is the edit distance between a and b (bytes; metric names are ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
