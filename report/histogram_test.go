package report

import (
	"math/rand/v2"
	"testing"
)

func TestHistogramPercentileIsZeroToHundred(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 1000; v++ {
		h.RecordUs(v)
	}
	tests := []struct {
		p    float64
		want int64
	}{
		{50, 500},
		{99, 990},
		{99.9, 999}, // 999.0000000000001 in float64 must not become rank 1000
		{100, 1000},
	}
	for _, tt := range tests {
		if got := h.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got, want := h.Count(), int64(1000); got != want {
		t.Errorf("Count() = %d, want %d", got, want)
	}
}

func TestHistogramClamp(t *testing.T) {
	tests := []struct {
		name        string
		ns          int64
		wantUs      int64
		wantClamped bool
	}{
		{"negative", -5_000, 0, true},
		{"sub-microsecond", 999, 0, false},
		{"in range", 1_500_000, 1_500, false},
		{"exactly 60s", 60e9, 60_000_000, false},
		{"above 60s", 61e9, 60_000_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, clamped := clampUs(tt.ns)
			if us != tt.wantUs || clamped != tt.wantClamped {
				t.Errorf("clampUs(%d) = %d, %v, want %d, %v", tt.ns, us, clamped, tt.wantUs, tt.wantClamped)
			}
			h := NewHistogram()
			h.RecordUs(us)
			if h.Count() != 1 {
				t.Errorf("clamped value %d was not recorded", us)
			}
		})
	}
	h := NewHistogram()
	if !h.RecordUs(HistogramHighestUs+1) || !h.RecordUs(-1) || h.RecordUs(5) {
		t.Error("RecordUs did not report clamping correctly")
	}
	if got := h.Max(); got < HistogramHighestUs || got > HistogramHighestUs*1001/1000 {
		t.Errorf("Max() = %d after clamping, want about %d", got, HistogramHighestUs)
	}
}

// Merging two workers' histograms gives the quantiles of the union of their
// samples, not the average of their quantiles.
func TestHistogramMergeIsUnion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, all := NewHistogram(), NewHistogram(), NewHistogram()
	for range 10_000 {
		v := 100 + rng.Int64N(900) // fast worker: 100..999 µs
		a.RecordUs(v)
		all.RecordUs(v)
	}
	for range 1_000 {
		v := 50_000 + rng.Int64N(50_000) // slow worker: 50..100 ms
		b.RecordUs(v)
		all.RecordUs(v)
	}
	m := NewHistogram()
	m.Merge(a)
	m.Merge(b)
	for _, p := range []float64{50, 90, 95, 99, 99.9, 100} {
		if got, want := m.Percentile(p), all.Percentile(p); got != want {
			t.Errorf("merged Percentile(%v) = %d, want %d (union)", p, got, want)
		}
	}
	// p99 of the union lies in the slow worker's range; an average of the
	// two p99s would not.
	avg := (a.Percentile(99) + b.Percentile(99)) / 2
	if got := m.Percentile(99); got < 50_000 || got == avg {
		t.Errorf("merged p99 = %d µs, want >= 50000 and != average %d", got, avg)
	}
	if got, want := m.Count(), int64(11_000); got != want {
		t.Errorf("merged Count() = %d, want %d", got, want)
	}
}

func TestHistogramEncodeDecode(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 100_000; v += 7 {
		h.RecordUs(v)
	}
	s, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) < 4 || s[:4] != "HIST" {
		t.Errorf("encoded histogram starts with %q, want the base64 of the V2 compressed cookie (HIST)", s[:min(4, len(s))])
	}
	d, err := DecodeHistogram(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Summary(), h.Summary(); got != want {
		t.Errorf("decoded summary = %+v, want %+v", got, want)
	}
	if _, err := DecodeHistogram("not a histogram"); err == nil {
		t.Error("DecodeHistogram(garbage) succeeded, want error")
	}
}

func TestHistogramSummaryEmpty(t *testing.T) {
	var h *Histogram
	if got := h.Summary(); got != (LatencySummary{}) {
		t.Errorf("nil Summary() = %+v, want zero", got)
	}
	if got := NewHistogram().Summary(); got != (LatencySummary{}) {
		t.Errorf("empty Summary() = %+v, want zero", got)
	}
}

func TestHistogramSummaryMs(t *testing.T) {
	h := NewHistogram()
	h.RecordUs(1_000)
	h.RecordUs(3_000)
	s := h.Summary()
	if s.Count != 2 || s.P50Ms != 1 || s.MaxMs < 3 || s.MaxMs > 3.003 || s.MeanMs < 1.99 || s.MeanMs > 2.01 {
		t.Errorf("Summary() = %+v, want count 2, p50 1 ms, max 3 ms, mean 2 ms", s)
	}
}

// TestReferenceRank pins the rank rule on the cases of the issue: where
// p/100·n is not whole the reference takes the ceiling (hdrhistogram-go
// rounded to nearest), and where it is whole float error must not push it up.
func TestReferenceRank(t *testing.T) {
	tests := []struct {
		p    float64
		n    int64
		want int64
	}{
		{99.9, 1800, 1799}, // 1798.2 → 1799 (nearest would be 1798)
		{99, 150, 149},     // 148.5 → 149
		{50, 3, 2},         // 1.5 → 2
		{75, 3, 3},         // 2.25 → 3 (nearest would be 2)
		{99.9, 1000, 999},  // whole: 999, not 1000
		{99.99, 10000, 9999},
		{0, 10, 1},
		{-5, 10, 1},
		{100, 10, 10},
		{250, 10, 10},
		{50, 0, 0},
	}
	for _, tt := range tests {
		if got := ReferenceRank(tt.p, tt.n); got != tt.want {
			t.Errorf("ReferenceRank(%v, %d) = %d, want %d", tt.p, tt.n, got, tt.want)
		}
	}
}
