package report

import "testing"

func TestStepFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Step
		want string
	}{
		{"no producers", Step{Counters: Counters{Consumed: 10}}, ""},
		{"acknowledged", Step{Counters: Counters{Offered: 10, Sent: 10, Acked: 1, Failed: 9}}, ""},
		{"all refused", Step{
			Counters: Counters{Offered: 10, Sent: 9, Failed: 9, Unsent: 1},
			Errors:   map[string]int64{"[10] Message Size Too Large": 7, "timeout": 2},
		}, "no message was acknowledged: 9 failed ([10] Message Size Too Large: 7, timeout: 2), 1 never sent"},
		{"nothing sent", Step{Counters: Counters{Offered: 5, Unsent: 5}}, "no message was acknowledged: 0 failed, 5 never sent"},
	} {
		if got := tc.s.Failure(); got != tc.want {
			t.Errorf("%s: Failure() = %q, want %q", tc.name, got, tc.want)
		}
	}
	r := Result{Steps: []Step{{Counters: Counters{Offered: 1, Unsent: 1}}, {Index: 1, Counters: Counters{Acked: 1, Sent: 1}}}}
	if got := r.Failures(); len(got) != 1 || got[0] != "step #1: no message was acknowledged: 0 failed, 1 never sent" {
		t.Errorf("Failures() = %q, want step #1 only", got)
	}
}
