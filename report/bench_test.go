package report

import (
	"testing"
	"time"
)

// The Record methods run once per message on the hot path; they must not
// allocate (after the first use of each histogram).

func BenchmarkRecorderRecordAck(b *testing.B) {
	r := NewCollector(1).NewRecorder()
	base := t0.UnixNano()
	r.RecordAck(base, base, base+1, 1) // allocate the histograms
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		lat := int64(i%50_000) * int64(time.Microsecond)
		r.RecordAck(base, base+lat/4, base+lat, 1024)
	}
}

func BenchmarkRecorderRecordSend(b *testing.B) {
	r := NewCollector(1).NewRecorder()
	base := t0.UnixNano()
	r.RecordSend(base, base)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.RecordSend(base, base+int64(i%1000)*int64(time.Microsecond))
	}
}

func BenchmarkRecorderRecordConsume(b *testing.B) {
	r := NewCollector(1).NewRecorder()
	base := t0.UnixNano()
	r.RecordConsume(base, base, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.RecordConsume(base, base+int64(i%50_000)*int64(time.Microsecond), 1024)
	}
}

func BenchmarkRecorderRecordError(b *testing.B) {
	r := NewCollector(1).NewRecorder()
	r.RecordError("timeout", 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r.RecordError("timeout", 1)
	}
}

// BenchmarkRecorderRecordAckParallel measures the mutex under contention,
// as when several kafka-go completion goroutines share one recorder.
func BenchmarkRecorderRecordAckParallel(b *testing.B) {
	r := NewCollector(1).NewRecorder()
	base := t0.UnixNano()
	r.RecordAck(base, base, base+1, 1)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int64(0)
		for pb.Next() {
			i++
			r.RecordAck(base, base, base+(i%50_000)*int64(time.Microsecond), 1024)
		}
	})
}

// BenchmarkCollectorTick measures one rotation of 8 busy recorders.
func BenchmarkCollectorTick(b *testing.B) {
	c := NewCollector(1)
	base := t0.UnixNano()
	var rs []*Recorder
	for range 8 {
		rs = append(rs, c.NewRecorder())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		for _, r := range rs {
			for j := range 100 {
				r.RecordAck(base, base, base+int64(j)*int64(time.Millisecond), 1)
			}
		}
		b.StartTimer()
		c.Tick(sec(i), sec(i+1), PhaseMeasure)
	}
}

// TestRecordDoesNotAllocate pins the zero-allocation property in the
// normal test run (benchmarks are not run by go test).
func TestRecordDoesNotAllocate(t *testing.T) {
	c := NewCollector(1)
	r := c.NewRecorder()
	base := t0.UnixNano()
	warm := func() {
		r.RecordSend(base, base+5)
		r.RecordAck(base, base+5, base+5000, 10)
		r.RecordConsume(base, base+9000, 10)
		r.RecordError("timeout", 1)
	}
	warm()
	c.Tick(sec(0), sec(1), PhaseMeasure) // rotate: the spare data is used next
	warm()
	c.Tick(sec(1), sec(2), PhaseMeasure) // rotate back to the first, already used
	if n := testing.AllocsPerRun(100, warm); n != 0 {
		t.Errorf("Record calls allocate %v times per run, want 0", n)
	}
}
