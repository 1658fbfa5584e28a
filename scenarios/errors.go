package scenarios

import (
	"fmt"
	"sort"
	"strings"

	suggestpkg "github.com/mskbench/mskbench/internal/suggest"
)

// Problem is one thing wrong with a scenario, located in its source.
type Problem struct {
	// File is the scenario file name, "builtin/NAME.yaml" for a built-in
	// scenario, or "--set" for an override.
	File string
	// Line and Column are 1-based positions of the offending YAML node; 0 when
	// the problem has no position (a default value, an override).
	Line, Column int
	// Field is the YAML path of the offending value, e.g. "topics.partitions"
	// or "sweep.rate[1]"; "" for problems with the document as a whole.
	Field string
	// Message says what is wrong and, where it helps, what to write instead.
	Message string
}

// String formats p as "file:line:col: field: message", leaving out the parts
// p does not have.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Errors is the list of every problem found in a scenario. Parse, Set and
// Validate return it as a *Errors error, sorted by position; use errors.As
// to get at the problems.
type Errors []Problem

// Error returns one line per problem, "file:line:col: field: message".
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sorted returns e sorted by file, line, column and field, without exact
// duplicates.
func (e Errors) sorted() Errors {
	out := make(Errors, len(e))
	copy(out, e)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Line < 0) != (b.Line < 0) {
			return b.Line < 0 // "... and N more" comes last
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Field < b.Field
	})
	uniq := out[:0]
	for i, p := range out {
		if i > 0 && p == out[i-1] {
			continue
		}
		uniq = append(uniq, p)
	}
	return uniq
}

// err returns e sorted as an error of type *Errors, or nil when e is empty.
//
// At most maxProblems are kept (the first by position), followed by a line
// saying how many more there were.
func (e Errors) err() error {
	if len(e) == 0 {
		return nil
	}
	s := e.sorted()
	more := 0
	if n := len(s); n > 0 && s[n-1].Line < 0 {
		fmt.Sscanf(s[n-1].Message, "... and %d more", &more)
		s = s[:n-1]
	}
	if len(s) > maxProblems {
		more += len(s) - maxProblems
		s = s[:maxProblems]
	}
	if more > 0 {
		s = append(s, moreProblems(s[0].File, more))
	}
	return &s
}

// suggest returns the candidate closest to word (compared in lower case),
// or "" when none is close enough to be a likely typo.
func suggest(word string, candidates []string) string {
	return suggestpkg.Nearest(strings.ToLower(word), candidates)
}
