package report

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// MergeResults combines the results of one scenario run at the same time by
// several load generators (one mskbench per machine, all driving one
// cluster) into one result, step by step with [MergeSteps]: steps are matched
// by position, so every result must have the same number of steps. The
// run-level fields come from the first result, except that Started and
// Ended span all inputs, Partial is true if any input was partial, the
// connection counts are summed, and the earlier checks are dropped (they
// judged one generator's share). A warning notes a differing scenario name
// and when the merge happened. names label the inputs in errors ("input N"
// when names is short). The inputs are not modified.
func MergeResults(results []*Result, names []string) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("merge results: nothing to merge")
	}
	name := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return "input " + strconv.Itoa(i+1)
	}
	first := results[0]
	merged := *first
	merged.Steps = nil
	merged.Checks = nil
	merged.Warnings = append([]string(nil), first.Warnings...)
	for i, r := range results[1:] {
		if len(r.Steps) != len(first.Steps) {
			return nil, fmt.Errorf("%s has %d steps, %s has %d: not the same run", name(i+1), len(r.Steps), name(0), len(first.Steps))
		}
		if r.Scenario.Name != first.Scenario.Name {
			merged.Warnings = append(merged.Warnings, fmt.Sprintf("merged scenario %q with %q", first.Scenario.Name, r.Scenario.Name))
		}
		if r.Started.Before(merged.Started) {
			merged.Started = r.Started
		}
		if r.Ended.After(merged.Ended) {
			merged.Ended = r.Ended
		}
		merged.Partial = merged.Partial || r.Partial
		merged.Connection.Dials += r.Connection.Dials
		merged.Connection.Reconnects += r.Connection.Reconnects
	}
	for s := range first.Steps {
		steps := make([]Step, len(results))
		for i, r := range results {
			steps[i] = r.Steps[s]
		}
		st, err := MergeSteps(steps...)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", s, err)
		}
		merged.Steps = append(merged.Steps, st)
	}
	merged.Warnings = append(merged.Warnings, fmt.Sprintf("merged from %d load generators at %s", len(results), time.Now().UTC().Format(time.RFC3339)))
	return &merged, nil
}

// MergeSteps combines the same step measured concurrently by several load
// generators (for example one mskbench per machine, all driving one
// cluster) into one step, exactly: counters and errors are summed, the
// histograms are merged and the latency summaries recomputed from them
// (quantiles of the union, not averages), and the rates are summed (the
// generators ran at the same time). MeasuredSeconds is the longest of the
// inputs, Partial is true if any input was partial, and the phase times
// span all inputs. Index, Label, Params, Topics and Plan come from the
// first step, the brokers' figures (Brokers, measured on the cluster, not
// per generator) from the first step that has them. Timelines cannot be
// aligned exactly and are dropped, with a warning. The inputs are not
// modified.
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
		Client:         first.Client,
		Started:        first.Started,
		MeasureStart:   first.MeasureStart,
		MeasureEnd:     first.MeasureEnd,
		Ended:          first.Ended,
		ConsumerGroups: first.ConsumerGroups,
	}
	var hs [numLatencyKinds]*Histogram
	for i := range hs {
		hs[i] = NewHistogram()
	}
	for i := range steps {
		s := &steps[i]
		out.Embedded = out.Embedded || s.Embedded
		if out.Brokers == nil && len(s.Brokers) > 0 {
			out.Brokers = slices.Clone(s.Brokers) // the cluster's own figures: the same for every generator
		}
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
		out.Counters.add(s.Counters)
		out.Throttle = out.Throttle.merge(s.Throttle)
		out.PartitionSpread = mergeSpread(out.PartitionSpread, s.PartitionSpread)
		out.Compression = out.Compression.merge(s.Compression)
		if x := s.Transactions; x != nil {
			if out.Transactions == nil {
				out.Transactions = &Transactions{}
			}
			out.Transactions.Committed += x.Committed
			out.Transactions.Aborted += x.Aborted
			out.Transactions.Failed += x.Failed
		}
		for k, v := range s.Errors {
			if out.Errors == nil {
				out.Errors = make(map[string]int64)
			}
			out.Errors[k] += v
		}
		out.Throughput.add(s.Throughput)
		for j, k := range LatencyKinds {
			h, err := s.Histogram(k.Name)
			if err != nil {
				return Step{}, fmt.Errorf("merge steps: input %d: %w", i, err)
			}
			if dropped := hs[j].Merge(h); dropped > 0 {
				return Step{}, fmt.Errorf("merge steps: input %d: %d %s values outside 0..60 s", i, dropped, k.Name)
			}
		}
	}
	for j, k := range LatencyKinds {
		*k.Summary(&out.Latency) = hs[j].Summary()
		if hs[j].Count() == 0 {
			continue
		}
		e, err := hs[j].Encode()
		if err != nil {
			return Step{}, fmt.Errorf("merge steps: %w", err)
		}
		*k.Encoded(&out.Histograms) = e
	}
	ws, err := mergeWorkloads(steps)
	if err != nil {
		return Step{}, err
	}
	out.Workloads = ws
	if len(steps) > 1 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("merged from %d load generators; per-interval timeline not kept", len(steps)))
	}
	return out, nil
}

// add adds the counts of o to c (Counters of several load generators).
func (c *Counters) add(o Counters) {
	c.Offered += o.Offered
	c.Sent += o.Sent
	c.Acked += o.Acked
	c.Failed += o.Failed
	c.Aborted += o.Aborted
	c.Consumed += o.Consumed
	c.AckedBytes += o.AckedBytes
	c.ConsumedBytes += o.ConsumedBytes
	c.BehindSchedule += o.BehindSchedule
	c.Clamped += o.Clamped
	c.Lag += o.Lag
}

// add adds the rates of o to t (load generators run at the same time).
func (t *Throughput) add(o Throughput) {
	t.OfferedMsgsPerSec += o.OfferedMsgsPerSec
	t.MsgsPerSec += o.MsgsPerSec
	t.BytesPerSec += o.BytesPerSec
	t.MiBPerSec += o.MiBPerSec
	t.ConsumedMsgsPerSec += o.ConsumedMsgsPerSec
	t.ConsumedBytesPerSec += o.ConsumedBytesPerSec
	t.ConsumedMiBPerSec += o.ConsumedMiBPerSec
}

// mergeWorkloads merges the workloads of steps, by position: counts and
// rates add up, histograms merge exactly.
func mergeWorkloads(steps []Step) ([]WorkloadStep, error) {
	first := steps[0].Workloads
	if len(first) == 0 {
		return nil, nil
	}
	out := make([]WorkloadStep, len(first))
	for i, w := range first {
		m := WorkloadStep{Name: w.Name, Topics: slices.Clone(w.Topics), ConsumerGroups: w.ConsumerGroups}
		var hs [numLatencyKinds]*Histogram
		for j := range hs {
			hs[j] = NewHistogram()
		}
		for n := range steps {
			if i >= len(steps[n].Workloads) {
				return nil, fmt.Errorf("merge steps: input %d has %d workloads, want %d", n, len(steps[n].Workloads), len(first))
			}
			sw := steps[n].Workloads[i]
			m.Counters.add(sw.Counters)
			m.Throughput.add(sw.Throughput)
			for j, k := range LatencyKinds {
				h, err := sw.Histograms.decode(k)
				if err != nil {
					return nil, fmt.Errorf("merge steps: input %d workload %s %s: %w", n, w.Name, k.Name, err)
				}
				hs[j].Merge(h)
			}
		}
		for j, k := range LatencyKinds {
			*k.Summary(&m.Latency) = hs[j].Summary()
		}
		if err := m.Histograms.encode(&hs); err != nil {
			return nil, fmt.Errorf("merge steps: workload %s: %w", w.Name, err)
		}
		out[i] = m
	}
	return out, nil
}
