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

// Percentile returns the value in microseconds at percentile p (0..100;
// 99.9 is p99.9) with the reference semantics of HdrHistogram (the Java
// implementation and hdr-histogram-js): the highest value equivalent to the
// recorded value of rank ceil(p/100 · n) among the n recorded values (see
// [ReferenceRank]); p = 0 gives the lowest equivalent value of the smallest.
// hdrhistogram-go rounds the rank to the nearest integer instead, which
// disagrees whenever p/100 · n is not whole (p99.9 of 1800 samples is rank
// 1799, not 1798). Every percentile mskbench reports — summaries,
// timelines, checks, compare, ramp verdicts, HTML, CSV — comes from here.
// It returns 0 for an empty histogram. It does not allocate.
func (h *Histogram) Percentile(p float64) int64 {
	n := h.h.TotalCount()
	if n == 0 {
		return 0
	}
	if !(p > 0) {
		return h.h.ValueAtPercentile(0)
	}
	return h.h.ValueAtPercentile(rankPercentile(ReferenceRank(p, n), n))
}

// ReferenceRank returns the 1-based rank, among n > 0 recorded values, of the
// value at percentile p (0..100) exactly as the reference HdrHistogram's
// getValueAtPercentile computes it: p is lowered by one ulp (so that a
// product that is whole in exact arithmetic is not pushed to the next rank by
// float rounding) and clamped to 0..100, then rank = ceil(p · n / 100), at
// least 1 and at most n. It returns 0 when n <= 0.
func ReferenceRank(p float64, n int64) int64 {
	if n <= 0 {
		return 0
	}
	if math.IsNaN(p) {
		p = 0
	}
	p = min(max(math.Nextafter(p, math.Inf(-1)), 0), 100)
	r := int64(math.Ceil(p * float64(n) / 100))
	return min(max(r, 1), n)
}

// rankPercentile returns the percentile (0..100) that hdrhistogram-go's
// rank rounding, int64(p/100 · n + 0.5), maps to exactly rank r of n:
// p = 100 · r / n gives r + 0.5 up to a float error far below 0.5.
func rankPercentile(r, n int64) float64 {
	return 100 * float64(r) / float64(n)
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
	return LatencySummary{
		Count:   h.h.TotalCount(),
		P50Ms:   usToMs(h.Percentile(50)),
		P90Ms:   usToMs(h.Percentile(90)),
		P95Ms:   usToMs(h.Percentile(95)),
		P99Ms:   usToMs(h.Percentile(99)),
		P999Ms:  usToMs(h.Percentile(99.9)),
		P9999Ms: usToMs(h.Percentile(99.99)),
		MaxMs:   usToMs(h.Max()),
		MeanMs:  roundMs(h.Mean() / 1000),
	}
}

// usToMs converts microseconds to milliseconds.
func usToMs(us int64) float64 { return float64(us) / 1000 }

// roundMs rounds a millisecond value to the nanosecond (6 decimals), which
// keeps JSON output short and stable.
func roundMs(ms float64) float64 { return math.Round(ms*1e6) / 1e6 }
