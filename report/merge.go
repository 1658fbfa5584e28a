package report

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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
		for _, w := range r.Warnings {
			merged.Warnings = appendOnce(merged.Warnings, w)
		}
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
		if r.RunID != "" {
			// "a+b": a merged result still knows its runs (MergeProblems).
			merged.RunID = strings.Trim(merged.RunID+"+"+r.RunID, "+")
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

// MergeProblems returns why results should not be merged into one: they
// measured different scenarios, one holds a run another holds too (the
// same run id: one result file is written per run, by shard 0 for a
// distributed run; a merged result's RunID joins its runs' ids with "+"), or a step's measured windows do not overlap in time (they were not
// run concurrently, so their rates must not be summed). names label the
// inputs as in [MergeResults]. An empty list means they can be merged;
// `mskbench merge` refuses otherwise unless --force.
func MergeProblems(results []*Result, names []string) []string {
	name := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return "input " + strconv.Itoa(i+1)
	}
	var out []string
	for i, r := range results {
		for j := range i {
			q := results[j]
			if r.Scenario.Name != q.Scenario.Name {
				out = append(out, fmt.Sprintf("%s is scenario %q, %s is %q: not the same run", name(j), q.Scenario.Name, name(i), r.Scenario.Name))
			}
			for _, id := range strings.Split(r.RunID, "+") {
				if id != "" && slices.Contains(strings.Split(q.RunID, "+"), id) {
					out = append(out, fmt.Sprintf("%s and %s hold the same run (run id %s): merging would count it twice", name(j), name(i), id))
				}
			}
		}
	}
	for s := range results[0].Steps {
		var from, to time.Time
		for i, r := range results {
			if s >= len(r.Steps) {
				continue
			}
			st := r.Steps[s]
			if i == 0 || st.MeasureStart.After(from) {
				from = st.MeasureStart
			}
			if i == 0 || st.MeasureEnd.Before(to) {
				to = st.MeasureEnd
			}
		}
		if !from.Before(to) {
			var ws []string
			for i, r := range results {
				if s < len(r.Steps) {
					ws = append(ws, fmt.Sprintf("%s %s–%s", name(i), fmtTime(r.Steps[s].MeasureStart), fmtTime(r.Steps[s].MeasureEnd)))
				}
			}
			out = append(out, fmt.Sprintf("step %d: the measured windows do not overlap (%s): not run at the same time", s+1, strings.Join(ws, ", ")))
		}
	}
	return out
}

// MergeSteps combines the same step measured concurrently by several load
// generators (for example one mskbench per machine, all driving one
// cluster) into one step, exactly: counters and errors are summed, the
// histograms are merged and the latency summaries recomputed from them
// (quantiles of the union, not averages), and the rates are summed (the
// generators ran at the same time). MeasuredSeconds is the longest of the
// inputs, BehindScheduleSeconds the longest, Partial is true if any input
// was partial, and the phase times span all inputs. Index, Label, Params,
// Topics and Plan come from the first step, the brokers' figures (Brokers,
// measured on the cluster, not per generator) from the first step that has
// them; the clients' per-broker figures (BrokerClient) are gathered per
// broker, every generator's samples in time order. Warnings are kept once
// each, in order. Errors and response errors are summed.
//
// The timelines merge interval by interval (see mergeTimelines) when every
// input carries per-interval histograms and the intervals align; otherwise
// the timeline is dropped, with a warning saying why. Verifications of
// separate runs (each verified its own topics) are summed; a distributed
// run merges its shards' verification states instead (load.MergeVerification).
// The generators' figures (Generator) merge so that a bottleneck travels:
// one bound generator makes the merged step bound (see [Generator.merge]).
// Workloads merge by position (see mergeWorkloads). The inputs are not
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
		for _, w := range s.Warnings {
			out.Warnings = appendOnce(out.Warnings, w)
		}
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
		out.BrokerClient = mergeBrokerClient(out.BrokerClient, s.BrokerClient)
		out.Generator = out.Generator.merge(s.Generator)
		out.PartitionSpread = mergeSpread(out.PartitionSpread, s.PartitionSpread)
		out.Compression = out.Compression.merge(s.Compression)
		out.CatchUp = out.CatchUp.merge(s.CatchUp)
		input := 0 // a single step's rebalances stay as they are
		if len(steps) > 1 {
			input = i + 1
		}
		out.Churn = out.Churn.merge(s.Churn, input)
		if x := s.Transactions; x != nil {
			if out.Transactions == nil {
				out.Transactions = &Transactions{}
			}
			out.Transactions.Committed += x.Committed
			out.Transactions.Aborted += x.Aborted
			out.Transactions.Failed += x.Failed
		}
		out.Errors = addCounts(out.Errors, s.Errors)
		out.ResponseErrors = addCounts(out.ResponseErrors, s.ResponseErrors)
		out.Verification = AddVerification(out.Verification, s.Verification)
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
		tl, why, err := mergeTimelines(steps)
		if err != nil {
			return Step{}, fmt.Errorf("merge steps: %w", err)
		}
		out.Timeline = tl
		if why != "" {
			out.Warnings = appendOnce(out.Warnings, fmt.Sprintf("merged from %d load generators; per-interval timeline not kept: %s", len(steps), why))
		}
	} else {
		out.Timeline = slices.Clone(first.Timeline)
	}
	return out, nil
}

// addCounts adds the counts of b to a (allocated on first use).
func addCounts(a, b map[string]int64) map[string]int64 {
	for k, v := range b {
		if a == nil {
			a = make(map[string]int64)
		}
		a[k] += v
	}
	return a
}

// AddVerification returns the sum of two verification outcomes — of
// separate load generators, or of a step's workloads, verified apart (nil
// and nil is nil; a is not modified): complete when both were, counts
// added, examples kept up to MaxVerificationExamples per kind, earlier
// runs added (see [EarlierRuns.merge]).
func AddVerification(a, b *Verification) *Verification {
	if b == nil {
		return a
	}
	if a == nil {
		c := *b
		c.Examples = slices.Clone(b.Examples)
		c.Earlier = (*EarlierRuns)(nil).merge(b.Earlier)
		return &c
	}
	c := *a
	c.Earlier = a.Earlier.merge(b.Earlier)
	c.Complete = a.Complete && b.Complete
	c.Lost += b.Lost
	c.Duplicated += b.Duplicated
	c.OutOfOrder += b.OutOfOrder
	c.Corrupted += b.Corrupted
	c.Foreign += b.Foreign
	c.Redelivered += b.Redelivered
	c.AbortedSeen += b.AbortedSeen
	n := make(map[string]int)
	c.Examples = nil
	for _, e := range slices.Concat(a.Examples, b.Examples) {
		if n[e.Kind] < MaxVerificationExamples {
			n[e.Kind]++
			c.Examples = append(c.Examples, e)
		}
	}
	return &c
}

// mergeTimelines merges the timelines of steps measured at the same time,
// exactly: an interval of one input matches an interval of another of the
// same phase whose start lies within a quarter of the shorter interval's
// length (generators whose intervals are aligned to the same instants —
// the shards of a distributed run, whose clocks differ by their offsets);
// matched intervals become one, counters summed, histograms merged and
// quantiles and rates recomputed from the sums over the span of the
// matched intervals. An interval that matches none stays on its own (the
// last drain interval of each input ends when that input stopped).
//
// It returns no timeline and the reason when an input's interval recorded
// messages without per-interval histograms (results written before they
// were kept), or when the inputs' measure intervals do not align (some
// input's measure interval matched no other input's).
func mergeTimelines(steps []Step) (tl []Interval, why string, err error) {
	type bucket struct {
		iv    Interval // start, end, phase, lag
		d     *data
		n     int // inputs merged into it
		start time.Time
	}
	var buckets []*bucket
	for i := range steps {
		for _, iv := range steps[i].Timeline {
			if iv.Histograms == nil && iv.Sent+iv.Acked+iv.Consumed > 0 {
				return nil, fmt.Sprintf("input %d has intervals without histograms", i+1), nil
			}
			var b *bucket
			for _, x := range buckets {
				tol := min(x.iv.End.Sub(x.iv.Start), iv.End.Sub(iv.Start)) / 4
				if x.iv.Phase == iv.Phase && absDuration(x.start.Sub(iv.Start)) <= tol {
					b = x
					break
				}
			}
			if b == nil {
				b = &bucket{iv: Interval{Start: iv.Start, End: iv.End, Phase: iv.Phase}, d: newData(), start: iv.Start}
				buckets = append(buckets, b)
			}
			if iv.Start.Before(b.iv.Start) {
				b.iv.Start = iv.Start
			}
			if iv.End.After(b.iv.End) {
				b.iv.End = iv.End
			}
			b.n++
			b.iv.Lag += iv.Lag
			if err := b.d.addInterval(iv); err != nil {
				return nil, "", fmt.Errorf("input %d: %w", i+1, err)
			}
		}
	}
	slices.SortStableFunc(buckets, func(a, b *bucket) int { return a.iv.Start.Compare(b.iv.Start) })
	var first time.Time
	for _, b := range buckets {
		if b.iv.Phase == PhaseMeasure && b.n < len(steps) {
			return nil, fmt.Sprintf("the measure intervals do not align (the interval at %s is in %d of %d inputs)",
				b.iv.Start.UTC().Format(time.RFC3339Nano), b.n, len(steps)), nil
		}
		if first.IsZero() {
			first = b.iv.Start
		}
		iv := newInterval(b.iv.Start, b.iv.End, b.iv.Phase, b.d)
		iv.ElapsedSeconds = b.iv.End.Sub(first).Seconds()
		iv.Lag = b.iv.Lag
		if iv.Histograms, err = encodeIntervalHistograms(b.d); err != nil {
			return nil, "", err
		}
		tl = append(tl, iv)
	}
	return tl, "", nil
}

// addInterval adds the counters, errors and histograms of iv to d.
func (d *data) addInterval(iv Interval) error {
	d.counts.add(counts{
		sent: iv.Sent, acked: iv.Acked, failed: iv.Failed, consumed: iv.Consumed,
		ackedBytes: iv.AckedBytes, consumedBytes: iv.ConsumedBytes,
		behindSchedule: iv.BehindSchedule, clamped: iv.Clamped,
		throttled: iv.Throttled, throttleMs: iv.ThrottleMs,
	})
	for k, v := range iv.Errors {
		d.errors[k] += v
	}
	for i, k := range LatencyKinds {
		h, err := iv.Histograms.decode(k)
		if err != nil {
			return err
		}
		mergeHist(&d.hists[i], h)
	}
	return nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// merge returns the figures of g and o, two load generators that ran the
// same step at the same time: CPU seconds and late messages summed, the
// highest CPU utilisation (each generator's own saturation), Bottleneck
// when either was one, and the host figures and cause of the first bound
// generator (else of the first with host figures). Either may be nil; the
// inputs are not modified.
func (g *Generator) merge(o *Generator) *Generator {
	switch {
	case o == nil:
		return g
	case g == nil:
		c := *o
		return &c
	}
	out := *g
	out.CPUSeconds += o.CPUSeconds
	out.CPUUtilization = max(out.CPUUtilization, o.CPUUtilization)
	out.LateGenerator += o.LateGenerator
	out.LateInFlight += o.LateInFlight
	if o.Bottleneck && !g.Bottleneck || out.Host == nil && !g.Bottleneck {
		out.Host, out.Cause = o.Host, o.Cause
	}
	out.Bottleneck = g.Bottleneck || o.Bottleneck
	return &out
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
	c.Unsent += o.Unsent
	c.BehindScheduleSeconds = max(c.BehindScheduleSeconds, o.BehindScheduleSeconds) // the generators stalled at the same time
	if c.UnsentReason == "" {
		c.UnsentReason = o.UnsentReason
	}
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
		m := WorkloadStep{Name: w.Name, Topics: slices.Clone(w.Topics), ConsumerGroups: w.ConsumerGroups, Client: w.Client}
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
