package report

import "fmt"

// encodedHistogram returns the encoded histogram of the named latency kind
// ("publish", "service", "send_delay" or "end_to_end") held in e; "" when
// e is nil.
func (e *EncodedHistograms) encodedHistogram(name string) (string, error) {
	if e == nil {
		e = &EncodedHistograms{}
	}
	switch name {
	case "publish":
		return e.PublishUs, nil
	case "service":
		return e.ServiceUs, nil
	case "send_delay":
		return e.SendDelayUs, nil
	case "end_to_end":
		return e.EndToEndUs, nil
	}
	return "", fmt.Errorf("unknown histogram %q (want publish, service, send_delay or end_to_end)", name)
}

// decodeNamed decodes the named histogram of e; an empty histogram when
// nothing was recorded.
func (e *EncodedHistograms) decodeNamed(name string) (*Histogram, error) {
	enc, err := e.encodedHistogram(name)
	if err != nil {
		return nil, err
	}
	if enc == "" {
		return NewHistogram(), nil
	}
	return DecodeHistogram(enc)
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

// encodeIntervalHistograms encodes the four histograms of one interval for
// [Interval.Histograms]. Kinds without samples are left empty, so an
// interval of a producer-only step stores no end-to-end histogram. It
// returns nil when the interval recorded no latency at all.
func encodeIntervalHistograms(t *data) (*EncodedHistograms, error) {
	var e EncodedHistograms
	var err error
	enc := func(h *Histogram) string {
		if h == nil || h.Count() == 0 || err != nil {
			return ""
		}
		var s string
		s, err = h.Encode()
		return s
	}
	e.PublishUs, e.ServiceUs, e.SendDelayUs, e.EndToEndUs = enc(t.publish), enc(t.service), enc(t.sendDelay), enc(t.endToEnd)
	if err != nil {
		return nil, err
	}
	if e == (EncodedHistograms{}) {
		return nil, nil
	}
	return &e, nil
}
