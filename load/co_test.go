package load

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// countAtOrAbove returns how many samples of histogram name of s are at or
// above us (µs), to the histogram's precision.
func countAtOrAbove(t *testing.T, s *report.Step, name string, us int64) int64 {
	t.Helper()
	h, err := s.Histogram(name)
	if err != nil {
		t.Fatalf("histogram %s: %v", name, err)
	}
	n := h.Count()
	// Smallest rank k (1..n) whose value is >= us; ranks are 1/n apart.
	lo, hi := int64(1), n+1
	for lo < hi {
		k := (lo + hi) / 2
		if h.Percentile(100*float64(k)/float64(n)) >= us {
			hi = k
		} else {
			lo = k + 1
		}
	}
	return n - lo + 1
}

// coPlan is one producer at a low fixed rate on one partition, no
// consumers, tiny linger.
func coPlan(rate float64, inFlight int, d time.Duration) plan.Plan {
	p := testPlan()
	p.Topics.Partitions = 1
	p.Producers.Workers = 1
	p.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: rate}
	p.Producers.MessageSize = plan.SizeDist{Fixed: 100}
	p.Producers.Linger = plan.Duration(time.Microsecond)
	p.Producers.MaxInFlight = inFlight
	p.Consumers.Groups = 0
	p.Phases.Warmup = plan.Duration(300 * time.Millisecond)
	p.Phases.Duration = plan.Duration(d)
	p.Phases.DrainTimeout = plan.Duration(5 * time.Second)
	return p
}

// stallWindow makes every request of key that arrives in [from, from+d)
// wait until from+d; from is set by calling the returned start function.
// Requests outside the window pass untouched.
func stallWindow(t *testing.T, c *embedded.Cluster, key int16, d time.Duration) (start func(), stalled *atomic.Int64) {
	var from atomic.Int64 // unix ns; 0 = not started
	stalled = new(atomic.Int64)
	kf := c.Kfake()
	kf.ControlKey(key, func(kmsg.Request) (kmsg.Response, error, bool) {
		f := from.Load()
		if now := time.Now().UnixNano(); f != 0 && now >= f && now < f+int64(d) {
			stalled.Add(1)
			kf.SleepControl(func() { time.Sleep(time.Duration(f + int64(d) - now)) })
		}
		return nil, nil, false
	})
	return func() { from.CompareAndSwap(0, time.Now().UnixNano()) }, stalled
}

// TestSleepControlPublishLatencyInjectedDelay delays every produce response by a known
// amount at a rate low enough that requests never queue: publish latency
// p50 must be that delay within 10%.
func TestSleepControlPublishLatencyInjectedDelay(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	eachClient(t, func(t *testing.T, cl plan.Client) {
		const delay = 80 * time.Millisecond
		c := embedded.ForTest(t, 3)
		var n atomic.Int64
		kf := c.Kfake()
		kf.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
			n.Add(1)
			// The injected latency is the stimulus under test (the broker
			// answers this much later), not a wait for something to happen.
			kf.SleepControl(func() { time.Sleep(delay) })
			return nil, nil, false
		})
		// 6 msgs/s: 167 ms apart, twice the delay.
		pl := coPlan(6, 1000, 2500*time.Millisecond)
		pl.Client = cl
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "delay"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		pub, svc, sd := step.Latency.Publish, step.Latency.Service, step.Latency.SendDelay
		t.Logf("%d produce requests; publish p50 %.2f ms, service p50 %.2f ms, send delay p50 %.3f ms, %d samples",
			n.Load(), pub.P50Ms, svc.P50Ms, sd.P50Ms, pub.Count)
		if pub.Count < 12 {
			t.Fatalf("publish count %d, want about 15", pub.Count)
		}
		// At least the delay; at most 1.5× it: below a second delay or a
		// wait for the next message (167 ms), above what a loaded machine's
		// scheduling adds (15 ms was seen at load average 30).
		want := float64(delay.Milliseconds())
		if pub.P50Ms < want || pub.P50Ms > 1.5*want {
			t.Errorf("publish p50 = %.2f ms, want %.0f ms up to +50%%", pub.P50Ms, want)
		}
		if svc.P50Ms < want || svc.P50Ms > pub.P50Ms {
			t.Errorf("service p50 = %.2f ms, want between %.0f ms and publish p50 %.2f ms", svc.P50Ms, want, pub.P50Ms)
		}
		if sd.P50Ms > 0.1*want {
			t.Errorf("send delay p50 = %.2f ms, want well under the delay (nothing held back)", sd.P50Ms)
		}
	})
}

// TestSleepControlCoordinatedOmissionProduceStall stalls produce requests for S = 1 s
// during a run at R = 200 msgs/s with the in-flight bound at 1 (the closed
// loop most tools measure): publish latency (from the intended send time)
// must show the stall for about R·S/2 messages, service time only for the
// message in flight, and the messages held back count as behind schedule
// because of the in-flight bound.
func TestSleepControlCoordinatedOmissionProduceStall(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	eachClient(t, func(t *testing.T, cl plan.Client) {
		const (
			rate  = 200
			stall = time.Second
		)
		c := embedded.ForTest(t, 3)
		start, stalled := stallWindow(t, c, kmsg.Produce.Int16(), stall)
		pl := coPlan(rate, 1, 3*time.Second)
		pl.Client = cl
		pl.Phases.ReportInterval = plan.Duration(500 * time.Millisecond)
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "stall", Progress: func(iv report.Interval) {
			if iv.Phase == report.PhaseMeasure && iv.ElapsedSeconds > 0.9 {
				start()
			}
		}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkAccounted(t, &step)
		half := stall.Microseconds() / 2
		pub := countAtOrAbove(t, &step, "publish", half)
		svc := countAtOrAbove(t, &step, "service", half)
		g := step.Generator
		t.Logf("stalled %d requests; publish >= %v: %d, service >= %v: %d; behind %d msgs %.2f s; generator %+v; p99 pub %.0f svc %.0f ms",
			stalled.Load(), stall/2, pub, stall/2, svc, step.Counters.BehindSchedule, step.Counters.BehindScheduleSeconds,
			g, step.Latency.Publish.P99Ms, step.Latency.Service.P99Ms)
		var sum strings.Builder
		if err := report.Summary(&sum, &report.Result{Steps: []report.Step{step}}); err != nil {
			t.Fatal(err)
		}
		t.Logf("summary:\n%s", sum.String())
		if stalled.Load() == 0 {
			t.Fatalf("no produce request was stalled")
		}
		const want = rate * 1 / 2 // R·S/2 with S = 1 s
		if pub < want*8/10 || pub > 2*rate {
			t.Errorf("publish samples >= S/2: %d, want about R·S/2 = %d (at least %d)", pub, want, want*8/10)
		}
		if svc < 1 || svc > 3 {
			t.Errorf("service samples >= S/2: %d, want 1..3 (only the message in flight)", svc)
		}
		if step.Counters.BehindSchedule < want {
			t.Errorf("behind schedule %d messages, want >= %d", step.Counters.BehindSchedule, want)
		}
		if s := step.Counters.BehindScheduleSeconds; s < 0.8*stall.Seconds() {
			t.Errorf("behind schedule for %.2f s, want about the stall (%s) or more", s, stall)
		}
		if g == nil || g.LateInFlight < want {
			t.Errorf("generator %+v: want late_in_flight >= %d (held back by the in-flight bound)", g, want)
		}
		if a := step.Counters.Acked; a != step.Counters.Sent || len(step.Errors) != 0 {
			t.Errorf("acked %d of %d sent, errors %v: want all acked", a, step.Counters.Sent, step.Errors)
		}
	})
}

// TestSleepControlCoordinatedOmissionFetchStall stalls fetch responses for S = 1 s:
// end-to-end latency (from the intended send time) must show the stall for
// about R·S/2 messages while publish latency does not.
func TestSleepControlCoordinatedOmissionFetchStall(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	eachClient(t, func(t *testing.T, cl plan.Client) {
		const (
			rate  = 200
			stall = time.Second
		)
		c := embedded.ForTest(t, 3)
		start, stalled := stallWindow(t, c, kmsg.Fetch.Int16(), stall)
		pl := coPlan(rate, 1000, 3*time.Second)
		pl.Client = cl
		pl.Consumers.Groups, pl.Consumers.PerGroup = 1, 1
		pl.Verify = true
		pl.Phases.ReportInterval = plan.Duration(500 * time.Millisecond)
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "fstall", Progress: func(iv report.Interval) {
			if iv.Phase == report.PhaseMeasure && iv.ElapsedSeconds > 0.9 {
				start()
			}
		}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		half := stall.Microseconds() / 2
		e2e := countAtOrAbove(t, &step, "end_to_end", half)
		pub := countAtOrAbove(t, &step, "publish", half)
		t.Logf("stalled %d fetches; end-to-end >= %v: %d, publish: %d; verification %+v", stalled.Load(), stall/2, e2e, pub, step.Verification)
		if stalled.Load() == 0 {
			t.Fatalf("no fetch request was stalled")
		}
		const want = rate / 2
		if e2e < want*8/10 || e2e > 2*rate {
			t.Errorf("end-to-end samples >= S/2: %d, want about R·S/2 = %d (at least %d)", e2e, want, want*8/10)
		}
		if pub > 3 {
			t.Errorf("publish samples >= S/2: %d, want none (only the consumers stalled)", pub)
		}
		if v := step.Verification; v == nil || v.Lost != 0 || v.Duplicated != 0 || v.Corrupted != 0 || !v.Complete {
			t.Errorf("verification %+v, want complete with nothing lost, duplicated or corrupted", v)
		}
	})
}

// TestProducerLate checks the behind-schedule bookkeeping: an episode
// starts at the intended time of the first message sent more than the
// threshold late and ends at the next message sent on time; its cause is
// the in-flight bound when any of its late messages waited for it (the
// first late messages of a stall on a busy machine may not have), else the
// generator.
func TestProducerLate(t *testing.T) {
	const ms = int64(time.Millisecond)
	p := &producer{measureStartNs: 1000 * ms}
	p.late(1000*ms, 1001*ms, false) // on time
	p.late(1010*ms, 1030*ms, false) // 20 ms late, did not wait: episode from 1010 ms
	p.late(1020*ms, 1040*ms, true)  // still late, waited: the episode is the in-flight bound's
	p.late(1030*ms, 1045*ms, false) // the burst after the stall: same episode, same cause
	p.late(1040*ms, 1041*ms, false) // on time at 1041 ms: episode lasted 31 ms
	p.late(1100*ms, 1200*ms, false) // generator episode from 1100 ms, still open
	if gen, inFlight := p.lateCounts(); inFlight != 3 || gen != 1 {
		t.Errorf("late in flight %d, generator %d; want 3 and 1", inFlight, gen)
	}
	if got, want := p.behindUntil(1300*ms), 31*ms+200*ms; got != want {
		t.Errorf("behindUntil(1300 ms) = %v, want %v", time.Duration(got), time.Duration(want))
	}
	// Stopped while waiting for the in-flight bound with no open episode.
	q := &producer{measureStartNs: 0, blockedNs: 500 * ms}
	if got, want := q.behindUntil(800*ms), 300*ms; got != want {
		t.Errorf("blocked behindUntil = %v, want %v", time.Duration(got), time.Duration(want))
	}
}
