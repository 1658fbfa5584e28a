package load

import (
	"testing"
	"time"
)

func TestPacerPace(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		p       Pacer
		elapsed time.Duration
		sent    int64
		wait    time.Duration
		stop    bool
	}{
		// One worker at 1000/s: message k is due at k ms.
		{"first message is due at once", Pacer{Rate: 1000, Workers: 1}, 0, 0, 0, false},
		{"on schedule waits for the next slot", Pacer{Rate: 1000, Workers: 1}, 0, 1, ms, false},
		{"mid-slot waits the remainder", Pacer{Rate: 1000, Workers: 1}, 1500 * time.Microsecond, 2, 500 * time.Microsecond, false},
		{"behind schedule sends at once", Pacer{Rate: 1000, Workers: 1}, 10 * ms, 3, 0, false},
		{"ahead of schedule waits long", Pacer{Rate: 1000, Workers: 1}, 0, 100, 100 * ms, false},
		// Two workers share 1000/s: worker 1 sends at 1, 3, 5 ms...
		{"worker 1 of 2 starts one slot late", Pacer{Rate: 1000, Workers: 2, Worker: 1}, 0, 0, ms, false},
		{"worker 1 of 2 sends every 2 ms", Pacer{Rate: 1000, Workers: 2, Worker: 1}, 2 * ms, 2, 3 * ms, false},
		{"worker 0 of 4 sends every 4 ms", Pacer{Rate: 1000, Workers: 4}, 0, 3, 12 * ms, false},
		// Duration bounds the schedule by intended time, not by elapsed time.
		{"last message inside the schedule", Pacer{Rate: 1000, Workers: 1, Duration: 10 * ms}, 9 * ms, 9, 0, false},
		{"message at the end is not sent", Pacer{Rate: 1000, Workers: 1, Duration: 10 * ms}, 9 * ms, 10, 0, true},
		{"late but intended inside: still sent", Pacer{Rate: 1000, Workers: 1, Duration: 10 * ms}, time.Second, 5, 0, false},
		{"worker 1 of 2 stops at its first slot past the end", Pacer{Rate: 1000, Workers: 2, Worker: 1, Duration: 10 * ms}, 0, 5, 0, true},
		// Max rate: never waits, stops on elapsed time.
		{"max rate never waits", Pacer{Workers: 3}, 0, 1e6, 0, false},
		{"max rate stops at the end", Pacer{Workers: 3, Duration: time.Second}, time.Second, 5, 0, true},
		{"max rate unbounded", Pacer{}, time.Hour, 5, 0, false},
		// Zero workers is treated as one.
		{"zero workers acts as one", Pacer{Rate: 1000}, 0, 2, 2 * ms, false},
	} {
		wait, stop := tc.p.Pace(tc.elapsed, tc.sent)
		if wait != tc.wait || stop != tc.stop {
			t.Errorf("%s: Pace(%s, %d) = (%s, %t), want (%s, %t)", tc.name, tc.elapsed, tc.sent, wait, stop, tc.wait, tc.stop)
		}
	}
}

// TestPacerMergedSchedule checks that the workers' schedules interleave into
// one evenly spaced schedule of the total rate, with no gaps or duplicates.
func TestPacerMergedSchedule(t *testing.T) {
	const rate, workers, per = 3000.0, 7, 100
	seen := map[time.Duration]bool{}
	for w := range workers {
		p := Pacer{Rate: rate, Workers: workers, Worker: w}
		for k := range int64(per) {
			seen[p.Intended(k)] = true
		}
	}
	for i := range int64(workers * per) {
		if d := globalIntended(i, rate); !seen[d] {
			t.Fatalf("merged schedule misses slot %d (%s)", i, d)
		}
	}
	if len(seen) != workers*per {
		t.Errorf("merged schedule has %d distinct slots, want %d", len(seen), workers*per)
	}
}

func TestScheduledBetween(t *testing.T) {
	for _, tc := range []struct {
		rate     float64
		from, to time.Duration
		want     int64
	}{
		{2000, 0, 3 * time.Second, 6000},
		{1000, 500 * time.Millisecond, 2500 * time.Millisecond, 2000},
		{3, 0, time.Second, 3},                      // 0, 333ms, 667ms
		{3, 100 * time.Millisecond, time.Second, 2}, // 333ms, 667ms
		{1000, time.Second, time.Second, 0},
		{1000, 2 * time.Second, time.Second, 0},
		{0.5, 0, 10 * time.Second, 5},
	} {
		if got := scheduledBetween(tc.rate, tc.from, tc.to); got != tc.want {
			t.Errorf("scheduledBetween(%g, %s, %s) = %d, want %d", tc.rate, tc.from, tc.to, got, tc.want)
		}
		// Cross-check against a brute-force count of the merged schedule.
		var n int64
		for i := int64(0); globalIntended(i, tc.rate) < tc.to; i++ {
			if globalIntended(i, tc.rate) >= tc.from {
				n++
			}
		}
		if got := scheduledBetween(tc.rate, tc.from, tc.to); got != n {
			t.Errorf("scheduledBetween(%g, %s, %s) = %d, brute force %d", tc.rate, tc.from, tc.to, got, n)
		}
	}
}
