package report

import (
	"errors"
	"fmt"
)

// decode decodes the histogram of kind k held in e; an empty histogram when
// e is nil or nothing of that kind was recorded.
func (e *EncodedHistograms) decode(k LatencyKind) (*Histogram, error) {
	if e == nil {
		return NewHistogram(), nil
	}
	enc := *k.Encoded(e)
	if enc == "" {
		return NewHistogram(), nil
	}
	return DecodeHistogram(enc)
}

// decodeNamed decodes the histogram of the named latency kind (see
// [HistogramNames]) held in e.
func (e *EncodedHistograms) decodeNamed(name string) (*Histogram, error) {
	k, ok := latencyKind(name)
	if !ok {
		return nil, fmt.Errorf("unknown histogram %q (want %s)", name, orList(HistogramNames()))
	}
	return e.decode(k)
}

// encode encodes the non-empty histograms of hs (by index of
// [LatencyKinds]) into e; kinds without samples stay "".
func (e *EncodedHistograms) encode(hs *[numLatencyKinds]*Histogram) error {
	var errs []error
	for i, k := range LatencyKinds {
		h := hs[i]
		if h == nil || h.Count() == 0 {
			continue
		}
		enc, err := h.Encode()
		errs = append(errs, err)
		*k.Encoded(e) = enc
	}
	return errors.Join(errs...)
}

// Histogram decodes the named latency histogram of the interval (values in
// µs; see [HistogramNames]). It returns an empty histogram when the
// interval recorded nothing of that kind. ok is false when the interval
// recorded messages but carries no histograms (warm-up intervals, results
// written before per-interval histograms were kept, merged results).
func (iv *Interval) Histogram(name string) (h *Histogram, ok bool, err error) {
	if iv.Histograms == nil && iv.Sent+iv.Acked+iv.Consumed > 0 {
		return nil, false, nil
	}
	h, err = iv.Histograms.decodeNamed(name)
	if err != nil {
		return nil, true, fmt.Errorf("interval at %s %s: %w", fmtTime(iv.Start), name, err)
	}
	return h, true, nil
}

// encodeIntervalHistograms encodes the histograms of one interval for
// [Interval.Histograms]. Kinds without samples are left empty, so an
// interval of a producer-only step stores no end-to-end histogram. It
// returns nil when the interval recorded no latency at all.
func encodeIntervalHistograms(t *data) (*EncodedHistograms, error) {
	var e EncodedHistograms
	if err := e.encode(&t.hists); err != nil {
		return nil, err
	}
	if e == (EncodedHistograms{}) {
		return nil, nil
	}
	return &e, nil
}
