package report

import (
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// ns returns the unix nanoseconds of t0 + d.
func ns(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// near reports whether got is want within the histogram's precision (0.1%).
func near(got, want float64) bool { return got >= want && got <= want*1.001+0.000001 }

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func TestRecorderCounters(t *testing.T) {
	c := NewCollector(2)
	r := c.NewRecorder()
	r.RecordSend(ns(0), ns(2*time.Millisecond))  // on schedule
	r.RecordSend(ns(0), ns(20*time.Millisecond)) // behind schedule
	r.RecordAck(ns(0), ns(2*time.Millisecond), ns(5*time.Millisecond), 100)
	r.RecordError("timeout", 1)
	r.RecordError("[6] Not Leader For Partition", 3)
	r.RecordError("ignored", 0)
	r.RecordConsume(ns(0), ns(7*time.Millisecond), 100)
	iv := c.Tick(sec(0), sec(2), PhaseMeasure)

	type ivCounts struct{ sent, acked, failed, consumed, ackedBytes, consumedBytes, behind, lag int64 }
	want := ivCounts{2, 1, 4, 1, 100, 100, 1, 1}
	got := ivCounts{iv.Sent, iv.Acked, iv.Failed, iv.Consumed, iv.AckedBytes, iv.ConsumedBytes, iv.BehindSchedule, iv.Lag}
	if got != want {
		t.Errorf("interval counters = %+v, want %+v", got, want)
	}
	if iv.MsgsPerSec != 0.5 {
		t.Errorf("MsgsPerSec = %v, want 0.5 (1 ack in 2 s)", iv.MsgsPerSec)
	}
	if !near(iv.PublishP50Ms, 5) || !near(iv.EndToEndP99Ms, 7) {
		t.Errorf("publish p50 = %v ms, e2e p99 = %v ms, want 5 and 7", iv.PublishP50Ms, iv.EndToEndP99Ms)
	}
	if iv.Errors["timeout"] != 1 || iv.Errors["[6] Not Leader For Partition"] != 3 || len(iv.Errors) != 2 {
		t.Errorf("interval errors = %v, want timeout=1, [6]...=3", iv.Errors)
	}

	s := c.Step(StepInfo{Label: "x", Offered: 4})
	if !near(s.Latency.Service.P50Ms, 3) || !near(s.Latency.Publish.P50Ms, 5) || !near(s.Latency.SendDelay.MaxMs, 20) {
		t.Errorf("latencies = %+v, want service 3 ms, publish 5 ms, send delay max 20 ms", s.Latency)
	}
	if s.Counters.Offered != 4 || s.Counters.Lag != 1 || s.ConsumerGroups != 2 {
		t.Errorf("counters = %+v groups %d, want offered 4, lag 1 (1 ack × 2 groups − 1), groups 2", s.Counters, s.ConsumerGroups)
	}
	if s.MeasuredSeconds != 2 || s.Throughput.OfferedMsgsPerSec != 2 || s.Throughput.BytesPerSec != 50 {
		t.Errorf("measured %v s, throughput %+v, want 2 s, offered 2/s, 50 B/s", s.MeasuredSeconds, s.Throughput)
	}
}

func TestCollectorWarmupDiscarded(t *testing.T) {
	c := NewCollector(1)
	r := c.NewRecorder()
	for range 10 {
		r.RecordAck(ns(0), ns(0), ns(100*time.Millisecond), 10) // slow warm-up
	}
	r.RecordError("warmup error", 2)
	wiv := c.Tick(sec(0), sec(1), PhaseWarmup)
	if wiv.Acked != 10 || wiv.Lag != 10 {
		t.Errorf("warmup interval acked %d lag %d, want 10 and 10 (shown live)", wiv.Acked, wiv.Lag)
	}
	r.RecordAck(ns(0), ns(0), ns(time.Millisecond), 10)
	r.RecordConsume(ns(0), ns(2*time.Millisecond), 10)
	c.Tick(sec(1), sec(2), PhaseMeasure)
	r.RecordAck(ns(0), ns(0), ns(2*time.Millisecond), 10)
	r.RecordConsume(ns(0), ns(3*time.Millisecond), 10)
	div := c.Tick(sec(2), sec(3), PhaseDrain)
	if div.Lag != 0 {
		t.Errorf("drain lag = %d, want 0", div.Lag)
	}

	s := c.Step(StepInfo{})
	if s.Counters.Acked != 2 || s.Counters.Failed != 0 || s.Errors != nil {
		t.Errorf("step acked %d failed %d errors %v, want 2, 0, none (warm-up discarded)", s.Counters.Acked, s.Counters.Failed, s.Errors)
	}
	if s.Latency.Publish.MaxMs > 3 {
		t.Errorf("publish max = %v ms, want <= 3 (warm-up values discarded)", s.Latency.Publish.MaxMs)
	}
	if len(s.Timeline) != 2 || s.Timeline[0].Phase != PhaseMeasure || s.Timeline[1].Phase != PhaseDrain {
		t.Errorf("timeline = %+v, want measure and drain intervals only", s.Timeline)
	}
	// Throughput counts the measure phase only: 1 ack in 1 s.
	if s.MeasuredSeconds != 1 || s.Throughput.MsgsPerSec != 1 {
		t.Errorf("measured %v s at %v msgs/s, want 1 s at 1 msgs/s", s.MeasuredSeconds, s.Throughput.MsgsPerSec)
	}
	if got := s.Timeline[1].ElapsedSeconds; got != 3 {
		t.Errorf("elapsed at end of drain = %v s, want 3", got)
	}
}

func TestCollectorUnknownPhaseWarns(t *testing.T) {
	c := NewCollector(0)
	r := c.NewRecorder()
	r.RecordAck(ns(0), ns(0), ns(time.Millisecond), 1)
	c.Tick(sec(0), sec(1), "bogus")
	c.Tick(sec(1), sec(2), "bogus")
	s := c.Step(StepInfo{Warnings: []string{"engine warning"}})
	if s.Counters.Acked != 0 || len(s.Warnings) != 2 {
		t.Errorf("acked %d warnings %q, want 0 and [engine warning, one unknown phase warning]", s.Counters.Acked, s.Warnings)
	}
}

func TestCollectorTicksRotate(t *testing.T) {
	c := NewCollector(0)
	r := c.NewRecorder()
	for i := range 5 {
		for range i + 1 {
			r.RecordAck(ns(0), ns(0), ns(time.Duration(i+1)*time.Millisecond), 1)
		}
		iv := c.Tick(sec(i), sec(i+1), PhaseMeasure)
		if iv.Acked != int64(i+1) || !near(iv.PublishP99Ms, float64(i+1)) {
			t.Errorf("tick %d: acked %d p99 %v ms, want %d and %d (only this interval)", i, iv.Acked, iv.PublishP99Ms, i+1, i+1)
		}
	}
	if got := c.Tick(sec(5), sec(6), PhaseMeasure); got.Acked != 0 || got.PublishP50Ms != 0 {
		t.Errorf("empty tick = %+v, want no acks and 0 latency", got)
	}
	s := c.Step(StepInfo{})
	if s.Counters.Acked != 15 || s.Latency.Publish.Count != 15 || s.Latency.Publish.MaxMs < 5 || s.Latency.Publish.MaxMs > 5.01 {
		t.Errorf("step acked %d, publish %+v, want 15 samples up to 5 ms", s.Counters.Acked, s.Latency.Publish)
	}
	h, err := s.Histogram("publish")
	if err != nil {
		t.Fatal(err)
	}
	if h.Count() != 15 {
		t.Errorf("decoded publish histogram count = %d, want 15", h.Count())
	}
	if e, err := s.Histogram("end_to_end"); err != nil || e.Count() != 0 {
		t.Errorf("end_to_end histogram = %v, %v, want empty", e, err)
	}
	if _, err := s.Histogram("nope"); err == nil {
		t.Error("Histogram(nope) succeeded, want error")
	}
}

func TestCollectorClampedCounted(t *testing.T) {
	c := NewCollector(1)
	r := c.NewRecorder()
	r.RecordAck(ns(0), ns(0), ns(-time.Millisecond), 1) // ack before intended: both latencies negative
	r.RecordConsume(ns(0), ns(2*time.Minute), 1)        // e2e above 60 s
	r.RecordSend(ns(time.Millisecond), ns(0))           // sent before intended
	r.RecordAck(ns(0), ns(0), ns(time.Millisecond), 1)  // fine
	iv := c.Tick(sec(0), sec(1), PhaseMeasure)
	if iv.Clamped != 4 {
		t.Errorf("interval clamped = %d, want 4", iv.Clamped)
	}
	s := c.Step(StepInfo{})
	if s.Counters.Clamped != 4 {
		t.Errorf("step clamped = %d, want 4", s.Counters.Clamped)
	}
	if s.Latency.EndToEnd.MaxMs < 60_000 || s.Latency.EndToEnd.MaxMs > 60_100 {
		t.Errorf("e2e max = %v ms, want 60000 (clamped)", s.Latency.EndToEnd.MaxMs)
	}
}

// Several goroutines record into one recorder (as kafka-go completions do)
// and into separate recorders while ticks run; nothing may be lost.
func TestCollectorConcurrent(t *testing.T) {
	c := NewCollector(1)
	const workers, per = 4, 2000
	shared := c.NewRecorder()
	var wg sync.WaitGroup
	for w := range workers {
		own := c.NewRecorder()
		wg.Go(func() {
			for i := range per {
				shared.RecordAck(ns(0), ns(0), ns(time.Duration(w*per+i)*time.Microsecond), 1)
				own.RecordConsume(ns(0), ns(time.Millisecond), 1)
			}
		})
	}
	var ticked int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			iv := c.Tick(sec(i), sec(i+1), PhaseMeasure)
			ticked += iv.Acked
			if ticked == workers*per {
				return
			}
		}
	}()
	wg.Wait()
	<-done
	c.Tick(sec(1000), sec(1001), PhaseDrain)
	s := c.Step(StepInfo{})
	if s.Counters.Acked != workers*per || s.Counters.Consumed != workers*per || s.Latency.Publish.Count != workers*per {
		t.Errorf("acked %d consumed %d publish count %d, want %d each", s.Counters.Acked, s.Counters.Consumed, s.Latency.Publish.Count, workers*per)
	}
}

// RecordSends records exactly what RecordSend does, message by message.
func TestRecordSendsEqualsRecordSend(t *testing.T) {
	ts := []SendTimes{{0, 0}, {0, int64(3 * time.Millisecond)}, {0, int64(40 * time.Millisecond)}, {int64(time.Minute) * 2, 0}}
	one, many := NewCollector(0), NewCollector(0)
	r1, r2 := one.NewRecorder(), many.NewRecorder()
	for _, x := range ts {
		r1.RecordSend(x.IntendedNs, x.SentNs)
	}
	r2.RecordSends(ts)
	r2.RecordSends(nil)
	a, b := one.Tick(sec(0), sec(1), PhaseMeasure), many.Tick(sec(0), sec(1), PhaseMeasure)
	if a.Sent != 4 || a.Sent != b.Sent || a.BehindSchedule != b.BehindSchedule || a.Clamped != b.Clamped || a.Clamped != 1 {
		t.Errorf("RecordSend interval %+v, RecordSends %+v", a, b)
	}
	sa, sb := one.Step(StepInfo{}), many.Step(StepInfo{})
	if sa.Latency.SendDelay != sb.Latency.SendDelay || sa.Histograms.SendDelayUs != sb.Histograms.SendDelayUs {
		t.Errorf("send delay %+v vs %+v", sa.Latency.SendDelay, sb.Latency.SendDelay)
	}
}
