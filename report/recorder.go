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
)

// BehindScheduleThreshold is the send delay (actual − intended send time)
// above which a message counts as behind schedule. 10 ms is an order of
// magnitude above timer and scheduler jitter on a busy machine, so a
// non-zero behind_schedule count means the load generator (or the in-flight
// bound, that is the cluster) really held messages back. The exact
// distribution is in the send_delay histogram.
const BehindScheduleThreshold = 10 * time.Millisecond

// counts are the counters of one interval or of a whole phase.
type counts struct {
	sent, acked, failed, consumed int64
	ackedBytes, consumedBytes     int64
	behindSchedule, clamped       int64
}

func (c *counts) add(o counts) {
	c.sent += o.sent
	c.acked += o.acked
	c.failed += o.failed
	c.consumed += o.consumed
	c.ackedBytes += o.ackedBytes
	c.consumedBytes += o.consumedBytes
	c.behindSchedule += o.behindSchedule
	c.clamped += o.clamped
}

// data holds histograms and counters. Histograms are allocated on first use,
// so a consumer's recorder never pays for producer histograms and vice versa.
type data struct {
	publish, service, sendDelay, endToEnd *Histogram
	counts                                counts
	errors                                map[string]int64
}

func newData() *data { return &data{errors: make(map[string]int64)} }

// hist returns *p, allocating it on first use.
func hist(p **Histogram) *Histogram {
	if *p == nil {
		*p = NewHistogram()
	}
	return *p
}

// mergeHist merges src into *dst, allocating *dst when src has data.
func mergeHist(dst **Histogram, src *Histogram) {
	if src == nil || src.Count() == 0 {
		return
	}
	hist(dst).Merge(src)
}

// merge adds everything of o to d.
func (d *data) merge(o *data) {
	mergeHist(&d.publish, o.publish)
	mergeHist(&d.service, o.service)
	mergeHist(&d.sendDelay, o.sendDelay)
	mergeHist(&d.endToEnd, o.endToEnd)
	d.counts.add(o.counts)
	for k, v := range o.errors {
		d.errors[k] += v
	}
}

// reset empties d, keeping its allocations.
func (d *data) reset() {
	for _, h := range []*Histogram{d.publish, d.service, d.sendDelay, d.endToEnd} {
		if h != nil && h.Count() > 0 {
			h.Reset()
		}
	}
	d.counts = counts{}
	clear(d.errors)
}

// Recorder collects the measurements of one worker. Create it with
// [Collector.NewRecorder]; the zero value is not usable.
//
// A Recorder is safe for concurrent use (kafka-go calls a writer's
// Completion callback from several goroutines): each holds its own mutex,
// uncontended in practice. The Record methods do not allocate, except once
// per histogram on its first use and once per new error label per interval.
//
// All times are unix nanoseconds. Latencies are recorded in microseconds
// into histograms of 1 µs .. 60 s with 3 significant digits; negative values
// (clock steps) and values above 60 s are clamped into range and counted in
// [Counters.Clamped].
type Recorder struct {
	mu  sync.Mutex
	cur *data
	// spare is swapped in by the Collector at each Tick; only the Collector
	// touches it, under the Collector's lock.
	spare *data
}

// RecordSend records one message handed to the client at sentNs that the
// schedule intended to send at intendedNs: Sent++, the send delay
// sentNs−intendedNs goes into the send_delay histogram, and BehindSchedule++
// when the delay exceeds [BehindScheduleThreshold].
func (r *Recorder) RecordSend(intendedNs, sentNs int64) {
	delay := sentNs - intendedNs
	us, clamped := clampUs(delay)
	r.mu.Lock()
	d := r.cur
	d.counts.sent++
	if delay > int64(BehindScheduleThreshold) {
		d.counts.behindSchedule++
	}
	if clamped {
		d.counts.clamped++
	}
	hist(&d.sendDelay).RecordUs(us)
	r.mu.Unlock()
}

// RecordAck records one acknowledged message of the given size in bytes (as
// the engine counts it: key + value): Acked++, AckedBytes += bytes, publish
// latency ackedNs−intendedNs and service time ackedNs−sentNs.
func (r *Recorder) RecordAck(intendedNs, sentNs, ackedNs int64, bytes int) {
	pub, c1 := clampUs(ackedNs - intendedNs)
	svc, c2 := clampUs(ackedNs - sentNs)
	r.mu.Lock()
	d := r.cur
	d.counts.acked++
	d.counts.ackedBytes += int64(bytes)
	if c1 {
		d.counts.clamped++
	}
	if c2 {
		d.counts.clamped++
	}
	hist(&d.publish).RecordUs(pub)
	hist(&d.service).RecordUs(svc)
	r.mu.Unlock()
}

// RecordError records n messages that failed with the given label, such as
// "[6] Not Leader For Partition", "timeout" or "connection closed":
// Failed += n and the label's count += n. A non-positive n is ignored.
func (r *Recorder) RecordError(code string, n int) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	d := r.cur
	d.counts.failed += int64(n)
	d.errors[code] += int64(n)
	r.mu.Unlock()
}

// RecordConsume records one message consumed at consumedNs that was
// intended to be sent at intendedNs (read from its stamp): Consumed++,
// ConsumedBytes += bytes, end-to-end latency consumedNs−intendedNs.
func (r *Recorder) RecordConsume(intendedNs, consumedNs int64, bytes int) {
	us, clamped := clampUs(consumedNs - intendedNs)
	r.mu.Lock()
	d := r.cur
	d.counts.consumed++
	d.counts.consumedBytes += int64(bytes)
	if clamped {
		d.counts.clamped++
	}
	hist(&d.endToEnd).RecordUs(us)
	r.mu.Unlock()
}

// swap replaces r's current data with spare and returns the old data.
func (r *Recorder) swap(spare *data) *data {
	r.mu.Lock()
	d := r.cur
	r.cur = spare
	r.mu.Unlock()
	return d
}

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
	// ResponseErrors, Generator and Verification are copied into the step.
	ResponseErrors map[string]int64
	Generator      *Generator
	Verification   *Verification
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

// lag returns acked×groups − consumed, clamped at 0.
func (c *Collector) lag(n counts) int64 {
	if c.groups == 0 {
		return 0
	}
	l := n.acked*int64(c.groups) - n.consumed
	if l < 0 {
		return 0
	}
	return l
}

// Tick swaps out every recorder's interval data (histograms and counters),
// merges it and returns the interval [start, end) for the live progress
// line. phase is [PhaseWarmup], [PhaseMeasure] or [PhaseDrain]: warmup data
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
		d.reset()
		r.spare = d
	}
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
	case PhaseDrain:
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
		Counters: Counters{
			Offered:        info.Offered,
			Sent:           t.counts.sent,
			Acked:          t.counts.acked,
			Failed:         t.counts.failed,
			Consumed:       t.counts.consumed,
			AckedBytes:     t.counts.ackedBytes,
			ConsumedBytes:  t.counts.consumedBytes,
			BehindSchedule: t.counts.behindSchedule,
			Clamped:        t.counts.clamped,
			Lag:            c.lag(t.counts),

			BehindScheduleSeconds: info.BehindScheduleSeconds,
		},
		Latency: Latency{
			Publish:   t.publish.Summary(),
			Service:   t.service.Summary(),
			SendDelay: t.sendDelay.Summary(),
			EndToEnd:  t.endToEnd.Summary(),
		},
		Timeline: append([]Interval(nil), c.timeline...),
		Plan:     append(json.RawMessage(nil), info.Plan...),
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
		s.Verification = &v
	}
	secs := float64(c.measureNs) / 1e9
	if secs <= 0 && info.MeasureEnd.After(info.MeasureStart) {
		secs = info.MeasureEnd.Sub(info.MeasureStart).Seconds()
	}
	s.MeasuredSeconds = secs
	if secs > 0 {
		m := c.measured
		s.Throughput = Throughput{
			OfferedMsgsPerSec:   float64(info.Offered) / secs,
			MsgsPerSec:          float64(m.acked) / secs,
			BytesPerSec:         float64(m.ackedBytes) / secs,
			MiBPerSec:           float64(m.ackedBytes) / secs / MiB,
			ConsumedMsgsPerSec:  float64(m.consumed) / secs,
			ConsumedBytesPerSec: float64(m.consumedBytes) / secs,
			ConsumedMiBPerSec:   float64(m.consumedBytes) / secs / MiB,
		}
	}
	var err error
	enc := func(h *Histogram) string {
		if h == nil || h.Count() == 0 || err != nil {
			return ""
		}
		var e string
		e, err = h.Encode()
		return e
	}
	s.Histograms = EncodedHistograms{
		PublishUs:   enc(t.publish),
		ServiceUs:   enc(t.service),
		SendDelayUs: enc(t.sendDelay),
		EndToEndUs:  enc(t.endToEnd),
	}
	if err != nil {
		s.Warnings = append(s.Warnings, err.Error())
	}
	return s
}

// MiB is the number of bytes in a mebibyte (2^20). Every "MiB/s" figure of
// mskbench is bytes per second divided by MiB.
const MiB = 1 << 20

// Interval is the data of one tick: counters, rates and latency quantiles
// of the messages recorded between Start and End. Rates are per second of
// End−Start; latencies are in milliseconds.
type Interval struct {
	// Start and End bound the interval.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Phase is "warmup", "measure" or "drain".
	Phase string `json:"phase"`
	// ElapsedSeconds is End minus the start of the collector's first tick.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// Counters of this interval (not cumulative). Bytes as counted by the
	// engine (key + value).
	Sent           int64 `json:"sent"`
	Acked          int64 `json:"acked"`
	Failed         int64 `json:"failed"`
	Consumed       int64 `json:"consumed"`
	AckedBytes     int64 `json:"acked_bytes"`
	ConsumedBytes  int64 `json:"consumed_bytes"`
	BehindSchedule int64 `json:"behind_schedule"`
	Clamped        int64 `json:"clamped,omitempty"`
	// MsgsPerSec is acknowledged messages per second; MiBPerSec acknowledged
	// MiB (2^20 bytes) per second.
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MiBPerSec  float64 `json:"mib_per_sec"`
	// ConsumedMsgsPerSec and ConsumedMiBPerSec are the same for consumed
	// messages (summed over all consumer groups).
	ConsumedMsgsPerSec float64 `json:"consumed_msgs_per_sec"`
	ConsumedMiBPerSec  float64 `json:"consumed_mib_per_sec"`
	// Publish and end-to-end latency quantiles in milliseconds (0 when no
	// message was recorded).
	PublishP50Ms  float64 `json:"publish_p50_ms"`
	PublishP99Ms  float64 `json:"publish_p99_ms"`
	EndToEndP50Ms float64 `json:"end_to_end_p50_ms"`
	EndToEndP99Ms float64 `json:"end_to_end_p99_ms"`
	// Errors counts failed messages of this interval by label.
	Errors map[string]int64 `json:"errors,omitempty"`
	// Histograms are the latency histograms of this interval (µs, V2
	// compressed, base64, like [Step.Histograms]), for .hlog output, exact
	// re-analysis and statistics over intervals; nil for warm-up intervals
	// and results written before they were kept.
	Histograms *EncodedHistograms `json:"histograms,omitempty"`
	// Lag is the cumulative consumer lag at End: acked×groups − consumed
	// over the phase so far (warmup on its own; measure and drain
	// together), clamped at 0.
	Lag int64 `json:"lag"`
	// Step optionally names the step in the progress line. The collector
	// leaves it empty; callers may set it before [Progress]. Not stored.
	Step string `json:"-"`
}

func newInterval(start, end time.Time, phase string, t *data) Interval {
	iv := Interval{
		Start:          start,
		End:            end,
		Phase:          phase,
		Sent:           t.counts.sent,
		Acked:          t.counts.acked,
		Failed:         t.counts.failed,
		Consumed:       t.counts.consumed,
		AckedBytes:     t.counts.ackedBytes,
		ConsumedBytes:  t.counts.consumedBytes,
		BehindSchedule: t.counts.behindSchedule,
		Clamped:        t.counts.clamped,
	}
	if secs := end.Sub(start).Seconds(); secs > 0 {
		iv.MsgsPerSec = float64(t.counts.acked) / secs
		iv.MiBPerSec = float64(t.counts.ackedBytes) / secs / MiB
		iv.ConsumedMsgsPerSec = float64(t.counts.consumed) / secs
		iv.ConsumedMiBPerSec = float64(t.counts.consumedBytes) / secs / MiB
	}
	if t.publish != nil && t.publish.Count() > 0 {
		iv.PublishP50Ms = usToMs(t.publish.Percentile(50))
		iv.PublishP99Ms = usToMs(t.publish.Percentile(99))
	}
	if t.endToEnd != nil && t.endToEnd.Count() > 0 {
		iv.EndToEndP50Ms = usToMs(t.endToEnd.Percentile(50))
		iv.EndToEndP99Ms = usToMs(t.endToEnd.Percentile(99))
	}
	if len(t.errors) > 0 {
		iv.Errors = maps.Clone(t.errors)
	}
	return iv
}
