package report

import (
	"encoding/json"
	"maps"
	"sync"
	"time"
)

// Phases passed to [Collector.Tick].
const (
	// PhaseWarmup marks an interval whose data is shown live but discarded
	// from the step totals and the timeline.
	PhaseWarmup = "warmup"
	// PhaseMeasure marks an interval of the measured phase: merged into the
	// step totals, counted for throughput and appended to the timeline.
	PhaseMeasure = "measure"
	// PhaseDrain marks an interval after the producers stopped while the
	// last acknowledgements arrive and consumers catch up: merged into the
	// step totals (counters and latencies) and appended to the timeline, but
	// not counted for throughput.
	PhaseDrain = "drain"
	// PhaseBacklog marks an interval of a backlog phase (phases.backlog),
	// before the measured phase: the producers build a backlog while the
	// consumers are not started. Merged into the step totals and appended
	// to the timeline like drain, not counted for throughput.
	PhaseBacklog = "backlog"
)

// StepInfo is what the engine knows about a step and passes to
// [Collector.Step].
type StepInfo struct {
	// Index is the 0-based position of the step in the run.
	Index int
	// Label names the step for humans, e.g. "rate=5000/s".
	Label string
	// Params are the sweep parameters of this step (name → value).
	Params map[string]string
	// Plan is the engine's plan of this step, marshalled as JSON.
	Plan json.RawMessage
	// Topics are the topics the step produced to and consumed from.
	Topics []string
	// Start and End bound the whole step; MeasureStart and MeasureEnd the
	// measured phase.
	Start, MeasureStart, MeasureEnd, End time.Time
	// Partial is true when the step was cut short (Ctrl-C, timeout).
	Partial bool
	// Warnings are human-readable remarks about the step.
	Warnings []string
	// Offered is the number of messages the schedule intended to send
	// during the measured phase (0 when unknown, e.g. rate: max).
	Offered int64
	// Embedded is true when the step ran against the in-process cluster.
	Embedded bool
	// BehindScheduleSeconds becomes Counters.BehindScheduleSeconds.
	BehindScheduleSeconds float64
	// Unsent and UnsentReason become Counters.Unsent and UnsentReason.
	Unsent       int64
	UnsentReason string
	// ResponseErrors, Generator, Verification and Client are copied into
	// the step.
	ResponseErrors map[string]int64
	Generator      *Generator
	Verification   *Verification
	Client         *ClientSettings
	// Transactional says the producers were transactional: the step gets
	// a Transactions record even when no transaction ended.
	Transactional bool
	// CatchUp and Churn are copied into the step.
	CatchUp *CatchUp
	Churn   *Churn
}

// Collector owns the recorders of one step and rotates them each interval.
// It is safe for concurrent use. The zero value is not usable: call
// [NewCollector].
type Collector struct {
	groups int

	mu        sync.Mutex
	recorders []*Recorder
	first     time.Time // start of the first tick
	tick      *data     // scratch for the interval being built
	total     *data     // measure + drain
	warm      counts    // cumulative warmup counters (for the live lag)
	measured  counts    // measure-phase counters (for throughput)
	measureNs int64     // summed duration of measure ticks
	timeline  []Interval
	warnings  []string
	workloads []*workloadData // see SetWorkloads
	// backlogLag, when set, gives every interval its BacklogLag.
	backlogLag func() int64
}

// NewCollector returns a collector for a step with the given number of
// consumer groups. Each group reads every message, so consumer lag is
// acked×groups − consumed, cumulative over the measured phase (0 when
// groups ≤ 0).
func NewCollector(groups int) *Collector {
	if groups < 0 {
		groups = 0
	}
	return &Collector{groups: groups, tick: newData(), total: newData()}
}

// NewRecorder returns a new recorder whose data is collected by c. Call it
// once per worker; it is safe to call while other goroutines Tick.
func (c *Collector) NewRecorder() *Recorder {
	r := &Recorder{cur: newData()}
	c.mu.Lock()
	c.recorders = append(c.recorders, r)
	c.mu.Unlock()
	return r
}

// SetBacklogLag makes every later interval carry f() as its BacklogLag
// (catch-up steps). f is called from Tick and must return quickly.
func (c *Collector) SetBacklogLag(f func() int64) {
	c.mu.Lock()
	c.backlogLag = f
	c.mu.Unlock()
}

// lag returns (acked − aborted)×groups − consumed, clamped at 0; with
// workloads (whose groups read only their own topics) the sum of the
// workloads' lags over measure + drain.
func (c *Collector) lag(n counts) int64 {
	if len(c.workloads) > 0 {
		var l int64
		for _, w := range c.workloads {
			l += lagOf(w.total.counts, w.info.Groups)
		}
		return l
	}
	if c.groups == 0 {
		return 0
	}
	l := (n.acked-n.aborted)*int64(c.groups) - n.consumed
	if l < 0 {
		return 0
	}
	return l
}

// Tick swaps out every recorder's interval data (histograms and counters),
// merges it and returns the interval [start, end) for the live progress
// line. phase is [PhaseWarmup], [PhaseMeasure], [PhaseDrain] or [PhaseBacklog] (kept like drain): warmup data
// is discarded from the step totals and not kept in the timeline; measure
// and drain data is merged into the step totals and appended to the
// timeline. An unknown phase is treated like warmup and noted in the step
// warnings. Tick calls are serialised; recorders keep recording meanwhile.
func (c *Collector) Tick(start, end time.Time, phase string) Interval {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first.IsZero() {
		c.first = start
	}
	t := c.tick
	t.reset()
	for _, r := range c.recorders {
		spare := r.spare
		if spare == nil {
			spare = newData()
		}
		d := r.swap(spare)
		t.merge(d)
		c.tickWorkload(r, d)
		d.reset()
		r.spare = d
	}
	c.endWorkloadTick(phase)
	var lag int64
	keep := true
	switch phase {
	case PhaseMeasure:
		c.measured.add(t.counts)
		if end.After(start) {
			c.measureNs += int64(end.Sub(start))
		}
		c.total.merge(t)
		lag = c.lag(c.total.counts)
	case PhaseDrain, PhaseBacklog:
		c.total.merge(t)
		lag = c.lag(c.total.counts)
	default:
		if phase != PhaseWarmup {
			c.warnings = appendOnce(c.warnings, "unknown phase "+phase+" treated as warmup (discarded)")
		}
		keep = false
		c.warm.add(t.counts)
		lag = c.lag(c.warm)
	}
	iv := newInterval(start, end, phase, t)
	iv.ElapsedSeconds = end.Sub(c.first).Seconds()
	iv.Lag = lag
	if c.backlogLag != nil {
		iv.BacklogLag = c.backlogLag()
	}
	if keep {
		hs, err := encodeIntervalHistograms(t)
		if err != nil {
			c.warnings = appendOnce(c.warnings, "interval histograms: "+err.Error())
		}
		iv.Histograms = hs
		c.timeline = append(c.timeline, iv)
	}
	return iv
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Step builds the step summary from everything merged so far. Call it after
// the last Tick; it may be called more than once.
func (c *Collector) Step(info StepInfo) Step {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.total
	s := Step{
		Index:          info.Index,
		Label:          info.Label,
		Params:         maps.Clone(info.Params),
		Topics:         append([]string(nil), info.Topics...),
		Embedded:       info.Embedded,
		Partial:        info.Partial,
		Warnings:       append(append([]string(nil), info.Warnings...), c.warnings...),
		Started:        info.Start,
		MeasureStart:   info.MeasureStart,
		MeasureEnd:     info.MeasureEnd,
		Ended:          info.End,
		ConsumerGroups: c.groups,
		Counters:       countersOf(t.counts, info.Offered, c.lag(t.counts)),
		Timeline:       append([]Interval(nil), c.timeline...),
		Plan:           append(json.RawMessage(nil), info.Plan...),
		Throttle:       throttleFrom(t.throttle),
	}
	s.Counters.BehindScheduleSeconds = info.BehindScheduleSeconds
	s.Counters.Unsent = info.Unsent
	if n := t.counts; n.committedTxns+n.abortedTxns+n.failedTxns > 0 || info.Transactional {
		s.Transactions = &Transactions{Committed: n.committedTxns, Aborted: n.abortedTxns, Failed: n.failedTxns}
	}
	if info.Unsent > 0 {
		s.Counters.UnsentReason = info.UnsentReason
	}
	if info.CatchUp != nil {
		cu := *info.CatchUp
		s.CatchUp = &cu
	}
	if info.Churn != nil {
		ch := *info.Churn
		ch.Rebalances = append([]Rebalance(nil), ch.Rebalances...)
		s.Churn = &ch
	}
	if info.Client != nil {
		cs := *info.Client
		s.Client = &cs
	}
	if len(s.Warnings) == 0 {
		s.Warnings = nil
	}
	if len(t.errors) > 0 {
		s.Errors = maps.Clone(t.errors)
	}
	if len(info.ResponseErrors) > 0 {
		s.ResponseErrors = maps.Clone(info.ResponseErrors)
	}
	if info.Generator != nil {
		g := *info.Generator
		s.Generator = &g
	}
	if info.Verification != nil {
		v := *info.Verification
		v.Examples = append([]VerificationExample(nil), v.Examples...)
		if v.Earlier != nil {
			e := *v.Earlier
			v.Earlier = &e
		}
		s.Verification = &v
	}
	secs := measuredSeconds(c.measureNs, info.MeasureStart, info.MeasureEnd)
	s.MeasuredSeconds = secs
	s.Throughput = throughputOf(c.measured, info.Offered, secs)
	var ww []string
	s.Workloads, ww = c.workloadSteps(secs)
	s.Warnings = append(s.Warnings, ww...)
	for i, k := range LatencyKinds {
		*k.Summary(&s.Latency) = t.hists[i].Summary()
	}
	if err := s.Histograms.encode(&t.hists); err != nil {
		s.Warnings = append(s.Warnings, err.Error())
	}
	return s
}
