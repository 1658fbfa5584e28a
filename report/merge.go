package report

import (
	"fmt"
	"maps"
)

// MergeSteps combines the same step measured concurrently by several load
// generators (for example one mskbench per machine, all driving one
// cluster) into one step, exactly: counters and errors are summed, the
// histograms are merged and the latency summaries recomputed from them
// (quantiles of the union, not averages), and the rates are summed (the
// generators ran at the same time). MeasuredSeconds is the longest of the
// inputs, Partial is true if any input was partial, and the phase times
// span all inputs. Index, Label, Params, Topics and Plan come from the
// first step. Timelines cannot be aligned exactly and are dropped, with a
// warning. The inputs are not modified.
func MergeSteps(steps ...Step) (Step, error) {
	if len(steps) == 0 {
		return Step{}, fmt.Errorf("merge steps: nothing to merge")
	}
	first := steps[0]
	out := Step{
		Index:          first.Index,
		Label:          first.Label,
		Params:         maps.Clone(first.Params),
		Topics:         append([]string(nil), first.Topics...),
		Plan:           first.Plan,
		Started:        first.Started,
		MeasureStart:   first.MeasureStart,
		MeasureEnd:     first.MeasureEnd,
		Ended:          first.Ended,
		ConsumerGroups: first.ConsumerGroups,
	}
	hs := make([]*Histogram, 4)
	for i := range hs {
		hs[i] = NewHistogram()
	}
	for i := range steps {
		s := &steps[i]
		out.Embedded = out.Embedded || s.Embedded
		out.Partial = out.Partial || s.Partial
		out.Warnings = append(out.Warnings, s.Warnings...)
		out.MeasuredSeconds = max(out.MeasuredSeconds, s.MeasuredSeconds)
		if s.Started.Before(out.Started) {
			out.Started = s.Started
		}
		if s.MeasureStart.Before(out.MeasureStart) {
			out.MeasureStart = s.MeasureStart
		}
		if s.MeasureEnd.After(out.MeasureEnd) {
			out.MeasureEnd = s.MeasureEnd
		}
		if s.Ended.After(out.Ended) {
			out.Ended = s.Ended
		}
		c := &out.Counters
		c.Offered += s.Counters.Offered
		c.Sent += s.Counters.Sent
		c.Acked += s.Counters.Acked
		c.Failed += s.Counters.Failed
		c.Consumed += s.Counters.Consumed
		c.AckedBytes += s.Counters.AckedBytes
		c.ConsumedBytes += s.Counters.ConsumedBytes
		c.BehindSchedule += s.Counters.BehindSchedule
		c.Clamped += s.Counters.Clamped
		c.Lag += s.Counters.Lag
		for k, v := range s.Errors {
			if out.Errors == nil {
				out.Errors = make(map[string]int64)
			}
			out.Errors[k] += v
		}
		t := &out.Throughput
		t.OfferedMsgsPerSec += s.Throughput.OfferedMsgsPerSec
		t.MsgsPerSec += s.Throughput.MsgsPerSec
		t.BytesPerSec += s.Throughput.BytesPerSec
		t.MiBPerSec += s.Throughput.MiBPerSec
		t.ConsumedMsgsPerSec += s.Throughput.ConsumedMsgsPerSec
		t.ConsumedBytesPerSec += s.Throughput.ConsumedBytesPerSec
		t.ConsumedMiBPerSec += s.Throughput.ConsumedMiBPerSec
		for j, name := range HistogramNames() {
			h, err := s.Histogram(name)
			if err != nil {
				return Step{}, fmt.Errorf("merge steps: input %d: %w", i, err)
			}
			if dropped := hs[j].Merge(h); dropped > 0 {
				return Step{}, fmt.Errorf("merge steps: input %d: %d %s values outside 0..60 s", i, dropped, name)
			}
		}
	}
	out.Latency = Latency{
		Publish:   hs[0].Summary(),
		Service:   hs[1].Summary(),
		SendDelay: hs[2].Summary(),
		EndToEnd:  hs[3].Summary(),
	}
	enc := make([]string, 4)
	for j, h := range hs {
		if h.Count() == 0 {
			continue
		}
		e, err := h.Encode()
		if err != nil {
			return Step{}, fmt.Errorf("merge steps: %w", err)
		}
		enc[j] = e
	}
	out.Histograms = EncodedHistograms{PublishUs: enc[0], ServiceUs: enc[1], SendDelayUs: enc[2], EndToEndUs: enc[3]}
	if len(steps) > 1 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("merged from %d load generators; per-interval timeline not kept", len(steps)))
	}
	return out, nil
}
