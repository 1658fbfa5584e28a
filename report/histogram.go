package report

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry used for every latency histogram of mskbench. Values are
// microseconds.
const (
	// HistogramLowestUs is the lowest discernible value: 1 µs.
	HistogramLowestUs = 1
	// HistogramHighestUs is the highest trackable value: 60 s in µs. Larger
	// values are clamped to it and counted (see [Counters.Clamped]).
	HistogramHighestUs = 60_000_000
	// HistogramSigFigs is the number of significant decimal digits kept
	// (relative error at most 0.1%).
	HistogramSigFigs = 3
)

// Histogram is a latency histogram in microseconds (1 µs .. 60 s, 3
// significant digits) wrapping hdrhistogram-go, with quantiles taken as 0..1.
//
// A Histogram is not safe for concurrent use; [Recorder] guards its
// histograms with a mutex. The zero value is not usable: call [NewHistogram]
// or [DecodeHistogram].
type Histogram struct {
	h *hdrhistogram.Histogram
}

// NewHistogram returns an empty histogram with the standard geometry. It
// allocates about 140 KB of counts up front, so recording never allocates.
func NewHistogram() *Histogram {
	return &Histogram{h: hdrhistogram.New(HistogramLowestUs, HistogramHighestUs, HistogramSigFigs)}
}

// clampUs converts a duration in nanoseconds to microseconds inside the
// histogram range. Negative values (clock steps, skew) become 0 and values
// above [HistogramHighestUs] become that maximum; both report clamped=true.
// Values below 1 µs that are not negative round down to 0 and are not
// counted as clamped: they are within the resolution of the histogram.
func clampUs(ns int64) (us int64, clamped bool) {
	if ns < 0 {
		return 0, true
	}
	us = ns / 1000
	if us > HistogramHighestUs {
		return HistogramHighestUs, true
	}
	return us, false
}

// RecordUs records one value in microseconds, clamping it into range first.
// It reports whether the value was clamped. It does not allocate.
func (h *Histogram) RecordUs(us int64) (clamped bool) {
	if us < 0 {
		us, clamped = 0, true
	} else if us > HistogramHighestUs {
		us, clamped = HistogramHighestUs, true
	}
	// Cannot fail: the value is in range and the count is 1.
	_ = h.h.RecordValue(us)
	return clamped
}

// Merge adds every value of o to h, so quantiles of h afterwards are the
// quantiles of the union of both data sets (never an average of quantiles).
// It returns the number of values that could not be merged because they lie
// outside h's range (only possible for a decoded histogram of a different
// geometry).
func (h *Histogram) Merge(o *Histogram) (dropped int64) {
	if o == nil || o.h == nil {
		return 0
	}
	return h.h.Merge(o.h)
}

// Reset removes all values, keeping the allocated counts.
func (h *Histogram) Reset() { h.h.Reset() }

// Count returns the number of recorded values.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Quantile returns the value in microseconds at quantile q in 0..1 (0.99 is
// p99): the highest value equivalent to the recorded value at that rank, as
// HdrHistogram defines it. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) int64 {
	if math.IsNaN(q) {
		q = 0
	}
	return h.h.ValueAtQuantile(q * 100)
}

// Max returns the largest recorded value in microseconds (highest equivalent
// value), or 0 for an empty histogram.
func (h *Histogram) Max() int64 {
	if h.h.TotalCount() == 0 {
		return 0
	}
	return h.h.Max()
}

// Mean returns the mean of the recorded values in microseconds, or 0 for an
// empty histogram.
func (h *Histogram) Mean() float64 {
	if h.h.TotalCount() == 0 {
		return 0
	}
	return h.h.Mean()
}

// Encode returns the histogram in the HdrHistogram V2 compressed format,
// base64 encoded (standard alphabet, with padding): the same text Java's
// HdrHistogram writes into .hlog files and reads with
// Histogram.decodeFromCompressedByteBuffer after base64 decoding.
func (h *Histogram) Encode() (string, error) {
	b, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram parses the output of [Histogram.Encode] (or any V2
// compressed, base64 encoded HdrHistogram). The geometry of the encoded
// histogram is kept.
func DecodeHistogram(s string) (*Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return &Histogram{h: h}, nil
}

// Summary returns the standard quantiles of h converted to milliseconds.
func (h *Histogram) Summary() LatencySummary {
	if h == nil || h.h.TotalCount() == 0 {
		return LatencySummary{}
	}
	qs := h.h.ValueAtPercentilesSlice([]float64{50, 90, 95, 99, 99.9, 99.99})
	return LatencySummary{
		Count:   h.h.TotalCount(),
		P50Ms:   usToMs(qs[0]),
		P90Ms:   usToMs(qs[1]),
		P95Ms:   usToMs(qs[2]),
		P99Ms:   usToMs(qs[3]),
		P999Ms:  usToMs(qs[4]),
		P9999Ms: usToMs(qs[5]),
		MaxMs:   usToMs(h.Max()),
		MeanMs:  roundMs(h.Mean() / 1000),
	}
}

// usToMs converts microseconds to milliseconds.
func usToMs(us int64) float64 { return float64(us) / 1000 }

// roundMs rounds a millisecond value to the nanosecond (6 decimals), which
// keeps JSON output short and stable.
func roundMs(ms float64) float64 { return math.Round(ms*1e6) / 1e6 }
