package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Failure says why step s failed as a measurement, "" when it did not: a
// step whose producers offered, sent or failed messages but had none
// acknowledged measured no publish latency at all (every produce answered
// MESSAGE_TOO_LARGE, say). The text names the failures by error label,
// most frequent first, e.g. "no message was acknowledged: 1000 failed
// ([10] Message Too Large: 1000)". A step without producers never fails
// this way. The caller (mskbench run) exits with code 1 on such a step.
func (s *Step) Failure() string {
	c := s.Counters
	if c.Acked > 0 || c.Offered+c.Sent+c.Failed+c.Unsent == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no message was acknowledged: %d failed", c.Failed)
	if len(s.Errors) > 0 {
		keys := slices.Sorted(maps.Keys(s.Errors))
		slices.SortStableFunc(keys, func(x, y string) int { return cmpInt64(s.Errors[y], s.Errors[x]) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, s.Errors[k])
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if c.Unsent > 0 {
		fmt.Fprintf(&b, ", %d never sent", c.Unsent)
	}
	return b.String()
}

// Failures returns "step N: " + Failure() for every failed step of r.
func (r *Result) Failures() []string {
	var out []string
	for i := range r.Steps {
		if f := r.Steps[i].Failure(); f != "" {
			out = append(out, "step "+stepLabel(&r.Steps[i])+": "+f)
		}
	}
	return out
}
