package report

import (
	"bytes"
	"testing"
	"time"
)

// Every kept interval carries its own histograms; merged they are the step's.
func TestIntervalHistograms(t *testing.T) {
	r := sampleResult(t, false)
	for si := range r.Steps {
		s := &r.Steps[si]
		merged := map[string]*Histogram{}
		for _, name := range HistogramNames() {
			merged[name] = NewHistogram()
		}
		for i := range s.Timeline {
			iv := &s.Timeline[i]
			pub, ok, err := iv.Histogram("publish")
			if iv.Sent+iv.Acked+iv.Consumed == 0 {
				if iv.Histograms != nil || !ok || pub.Count() != 0 {
					t.Errorf("step %d interval %d recorded nothing but has histograms", si, i)
				}
				continue
			}
			if err != nil || !ok {
				t.Fatalf("step %d interval %d: ok %v err %v, want histograms", si, i, ok, err)
			}
			if pub.Count() != iv.Acked {
				t.Errorf("step %d interval %d: publish count %d, want acked %d", si, i, pub.Count(), iv.Acked)
			}
			if iv.Acked > 0 && usToMs(pub.Percentile(99)) != iv.PublishP99Ms {
				t.Errorf("step %d interval %d: p99 from histogram %v, interval says %v", si, i, usToMs(pub.Percentile(99)), iv.PublishP99Ms)
			}
			for _, name := range HistogramNames() {
				h, _, err := iv.Histogram(name)
				if err != nil {
					t.Fatal(err)
				}
				merged[name].Merge(h)
			}
		}
		for _, name := range HistogramNames() {
			want, err := s.Histogram(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := merged[name].Summary(); got != want.Summary() {
				t.Errorf("step %d %s: intervals merged %+v, step %+v", si, name, got, want.Summary())
			}
		}
	}
}

// Warm-up intervals and intervals without samples carry no histograms, and
// an unknown name is an error.
func TestIntervalHistogramsAbsent(t *testing.T) {
	c := NewCollector(0)
	rec := c.NewRecorder()
	rec.RecordAck(ns(0), ns(0), ns(time.Millisecond), 10)
	if iv := c.Tick(sec(0), sec(1), PhaseWarmup); iv.Histograms != nil {
		t.Error("warm-up interval has histograms")
	}
	if iv := c.Tick(sec(1), sec(2), PhaseMeasure); iv.Histograms != nil {
		t.Errorf("empty interval has histograms %+v", iv.Histograms)
	}
	rec.RecordAck(ns(2*time.Second), ns(2*time.Second), ns(2*time.Second+time.Millisecond), 10)
	iv := c.Tick(sec(2), sec(3), PhaseMeasure)
	if iv.Histograms == nil || iv.Histograms.PublishUs == "" || iv.Histograms.EndToEndUs != "" {
		t.Fatalf("interval histograms %+v, want publish and service only", iv.Histograms)
	}
	if _, _, err := iv.Histogram("bogus"); err == nil {
		t.Error("unknown histogram name: no error")
	}
	old := Interval{Acked: 5}
	if _, ok, err := old.Histogram("publish"); ok || err != nil {
		t.Errorf("interval with samples but without histograms: ok %v err %v", ok, err)
	}
}

// TestIntervalHistogramSize logs the size cost of one interval's
// histograms at 1000 msgs/s (for docs/results.md).
func TestIntervalHistogramSize(t *testing.T) {
	r := sampleResult(t, false)
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatal(err)
	}
	h := r.Steps[0].Timeline[0].Histograms
	total := len(h.PublishUs) + len(h.ServiceUs) + len(h.SendDelayUs) + len(h.EndToEndUs)
	t.Logf("interval at 1000 msgs/s: publish %d, service %d, send_delay %d, end_to_end %d bytes (%d in all)",
		len(h.PublishUs), len(h.ServiceUs), len(h.SendDelayUs), len(h.EndToEndUs), total)
	if total > 8000 {
		t.Errorf("one interval's histograms take %d bytes; keep them compact", total)
	}
}
