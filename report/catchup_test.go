package report

import (
	"strings"
	"testing"
)

// TestReadNothingFails: a catch-up step that read nothing is a failed step,
// and its verification is never "OK", however clean it is.
func TestReadNothingFails(t *testing.T) {
	s := Step{Label: "empty", CatchUp: &CatchUp{Start: "earliest", CaughtUp: true}, Verification: &Verification{Complete: true}}
	if why := StepFailure(&s); !strings.Contains(why, "read nothing") {
		t.Errorf("StepFailure = %q, want the empty read", why)
	}
	var b strings.Builder
	if err := Summary(&b, &Result{Steps: []Step{s}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "Verification of step empty: FAILED") || strings.Contains(out, ": OK ") {
		t.Errorf("summary of an empty catch-up read:\n%s\nwant its verification FAILED", out)
	}
	s.Counters.Consumed = 1
	if why := StepFailure(&s); why != "" {
		t.Errorf("StepFailure with a message read = %q, want none", why)
	}
}
