package load

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mskbench/mskbench/plan"
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

// TestProducerLoopSchedule runs the real pacing loop in a synctest bubble
// (fake time, no sleeping): worker 1 of 2 at a total 1000 msgs/s over 1 s
// sends 500 messages, each exactly at its intended time.
func TestProducerLoopSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := benchProducer(t, plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 100})
		p.clk = newClock()
		p.pacer = Pacer{Rate: 1000, Workers: 2, Worker: 1, Duration: time.Second}
		start := p.clk.now()
		var n int64
		p.loop(t.Context(), start, func(_ context.Context, s *slot, seq uint64, intended, _ int64) {
			if want := start + int64(time.Duration(2*seq+1)*time.Millisecond); intended != want {
				t.Fatalf("message %d intended at %d, want %d", seq, intended-start, want-start)
			}
			if now := p.clk.now(); now != intended {
				t.Fatalf("message %d sent %s after its intended time, want on time", seq, time.Duration(now-intended))
			}
			n++
			p.free.put(s)
		})
		if n != 500 {
			t.Errorf("sent %d messages, want 500", n)
		}
	})
}

// TestProducerLoopBackpressure checks the open model: when the in-flight
// bound is exhausted (a slow cluster) the loop blocks, then catches up
// without lowering the offered load or shifting intended times.
func TestProducerLoopBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := benchProducer(t, plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 100}) // 16 buffers
		p.clk = newClock()
		p.pacer = Pacer{Rate: 1000, Workers: 1, Duration: 100 * time.Millisecond}
		start := p.clk.now()
		held := make(chan *slot, 100)
		go func() { // the "cluster" acknowledges nothing for 50 ms
			time.Sleep(50 * time.Millisecond)
			for {
				select {
				case b := <-held:
					p.free.put(b)
				case <-t.Context().Done():
					return
				}
			}
		}()
		var n int64
		var maxDelay time.Duration
		p.loop(t.Context(), start, func(_ context.Context, s *slot, seq uint64, intended, _ int64) {
			if want := start + int64(time.Duration(seq)*time.Millisecond); intended != want {
				t.Fatalf("message %d intended at %s, want %s", seq, time.Duration(intended-start), time.Duration(want-start))
			}
			maxDelay = max(maxDelay, time.Duration(p.clk.now()-intended))
			n++
			held <- s
		})
		if n != 100 {
			t.Errorf("sent %d messages, want all 100 of the schedule", n)
		}
		// Message 16 (due at 16 ms) waits for the first release at 50 ms.
		if want := 34 * time.Millisecond; maxDelay != want {
			t.Errorf("largest send delay %s, want %s", maxDelay, want)
		}
	})
}

// TestProducerLoopLateStop checks that a worker blocked past the end of the
// schedule stops instead of sending its backlog during the drain.
func TestProducerLoopLateStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := benchProducer(t, plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 100}) // 16 buffers
		p.clk = newClock()
		p.pacer = Pacer{Rate: 1000, Workers: 1, Duration: 100 * time.Millisecond}
		held := make(chan *slot, 100)
		go func() { // no acknowledgement until 200 ms, well after the end
			time.Sleep(200 * time.Millisecond)
			for range 16 {
				p.free.put(<-held)
			}
		}()
		var n int
		start := p.clk.now()
		p.loop(t.Context(), start, func(_ context.Context, s *slot, _ uint64, _, _ int64) {
			n++
			held <- s
		})
		if n != 16 {
			t.Errorf("sent %d messages, want 16 (the in-flight bound) and no backlog after the end", n)
		}
		// Every other message of the schedule was offered and never sent.
		end := start + int64(100*time.Millisecond)
		if got := p.unsent(start, start, end); got != 100-16 {
			t.Errorf("unsent = %d, want the 84 messages after the in-flight bound", got)
		}
		// Behind schedule from message 16 (due at 16 ms, blocked until after
		// the end) to the end of the schedule, although the bound freed a
		// slot only after it: the stall is not hidden.
		if got, want := time.Duration(p.behindUntil(end)), 84*time.Millisecond; got != want {
			t.Errorf("behind schedule for %s, want %s (from the blocked message to the end)", got, want)
		}
		if !p.behindInFlight {
			t.Errorf("the open episode's cause is the generator, want the in-flight bound")
		}
	})
}

// TestPacerFirstAtOrAfter checks the worker's first message at or after a
// time against Intended, the count unsent is built on.
func TestPacerFirstAtOrAfter(t *testing.T) {
	for _, pc := range []Pacer{
		{Rate: 1000, Workers: 1},
		{Rate: 1000, Workers: 3, Worker: 2},
		{Rate: 333.3, Workers: 4, Worker: 1},
		{Rate: 7, Workers: 2, Worker: 0},
	} {
		for _, at := range []time.Duration{0, time.Nanosecond, time.Millisecond, 2 * time.Millisecond, 999 * time.Millisecond, time.Second, 1234567 * time.Microsecond} {
			k := pc.firstAtOrAfter(at)
			if pc.Intended(k) < at || (k > 0 && pc.Intended(k-1) >= at) {
				t.Errorf("%+v.firstAtOrAfter(%s) = %d: Intended(%d) = %s, Intended(%d) = %s", pc, at, k, k, pc.Intended(k), k-1, pc.Intended(k-1))
			}
		}
	}
}

func TestOfferedRate(t *testing.T) {
	for _, tc := range []struct {
		r    plan.Rate
		mean float64
		want float64
		err  bool
	}{
		{plan.Rate{Unit: plan.RateMsgs, PerSec: 5000}, 1024, 5000, false},
		{plan.Rate{Unit: plan.RateBytes, PerSec: 10 << 20}, 1024, 10240, false},
		{plan.Rate{Unit: plan.RateMax}, 1024, 0, false},
		{plan.Rate{Unit: plan.RateMsgs}, 1024, 0, true},
		{plan.Rate{Unit: plan.RateBytes, PerSec: -1}, 1024, 0, true},
	} {
		got, err := offeredRate(tc.r, tc.mean)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("offeredRate(%+v, %g) = %g, %v; want %g, error %t", tc.r, tc.mean, got, err, tc.want, tc.err)
		}
	}
}
