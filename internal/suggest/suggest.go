// Package suggest finds the nearest of a set of names to a misspelled one,
// for "did you mean ...?" in error messages. It is the only implementation
// of that in mskbench (scenarios, plan validation and checks use it) and
// imports nothing but the standard library.
package suggest

// Distance is the Levenshtein edit distance between a and b, in bytes.
func Distance(a, b string) int {
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

// Nearest returns the candidate closest to word by [Distance], the first
// of equally close ones in candidates order, or "" when none is a likely
// typo: the distance must be at most max(2, len(word)/3). Callers
// normalise word (case, separators) to the form of the candidates first.
func Nearest(word string, candidates []string) string {
	best, bestDist := "", max(2, len(word)/3)+1
	for _, c := range candidates {
		if d := Distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
