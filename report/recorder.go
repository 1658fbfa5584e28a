package report

import (
	"sync"
	"time"
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
	aborted                       int64 // acked messages of aborted transactions
	throttled, throttleMs         int64 // throttled responses and their total ms
	committedTxns, abortedTxns    int64
	failedTxns                    int64
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
	c.aborted += o.aborted
	c.throttled += o.throttled
	c.throttleMs += o.throttleMs
	c.committedTxns += o.committedTxns
	c.abortedTxns += o.abortedTxns
	c.failedTxns += o.failedTxns
}

// data holds histograms and counters. Histograms are allocated on first use,
// so a consumer's recorder never pays for producer histograms and vice versa.
type data struct {
	hists  [numLatencyKinds]*Histogram // by index of LatencyKinds
	counts counts
	errors map[string]int64
	// throttle holds throttled responses per broker and request kind;
	// nil until the first.
	throttle map[throttleKey]ThrottleCounts
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
	for i := range d.hists {
		mergeHist(&d.hists[i], o.hists[i])
	}
	d.counts.add(o.counts)
	for k, v := range o.errors {
		d.errors[k] += v
	}
	for k, v := range o.throttle {
		if d.throttle == nil {
			d.throttle = make(map[throttleKey]ThrottleCounts)
		}
		x := d.throttle[k]
		x.add(v)
		d.throttle[k] = x
	}
}

// reset empties d, keeping its allocations.
func (d *data) reset() {
	for _, h := range d.hists {
		if h != nil && h.Count() > 0 {
			h.Reset()
		}
	}
	d.counts = counts{}
	clear(d.errors)
	clear(d.throttle)
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
	// workload is 1 + the index of the recorder's workload, 0 for none
	// (see Collector.NewWorkloadRecorder).
	workload int
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
	hist(&d.hists[latSendDelay]).RecordUs(us)
	r.mu.Unlock()
}

// SendTimes are the intended and actual send times of one message (unix
// ns), for [Recorder.RecordSends].
type SendTimes struct{ IntendedNs, SentNs int64 }

// RecordSends records every message of ts as RecordSend does, under one
// lock (a producer hands its client several messages at once).
func (r *Recorder) RecordSends(ts []SendTimes) {
	if len(ts) == 0 {
		return
	}
	r.mu.Lock()
	d := r.cur
	h := hist(&d.hists[latSendDelay])
	for _, t := range ts {
		delay := t.SentNs - t.IntendedNs
		us, clamped := clampUs(delay)
		d.counts.sent++
		if delay > int64(BehindScheduleThreshold) {
			d.counts.behindSchedule++
		}
		if clamped {
			d.counts.clamped++
		}
		h.RecordUs(us)
	}
	r.mu.Unlock()
}

// RecordAck records one acknowledged message of the given size in bytes (as
// the engine counts it: key + value + headers): Acked++, AckedBytes += bytes, publish
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
	hist(&d.hists[latPublish]).RecordUs(pub)
	hist(&d.hists[latService]).RecordUs(svc)
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
	r.recordConsume(latEndToEnd, intendedNs, consumedNs, bytes)
}

// RecordConsumeCross records one message as RecordConsume does, but one
// another shard of a distributed run produced: its end-to-end latency
// spans two clocks and goes to the end_to_end_cross histogram, never mixed
// with same-shard end-to-end latency. intendedNs is already on this
// process's clock (corrected by the clock offsets).
func (r *Recorder) RecordConsumeCross(intendedNs, consumedNs int64, bytes int) {
	r.recordConsume(latEndToEndCross, intendedNs, consumedNs, bytes)
}

// RecordBacklogConsume records one message of a backlog phase consumed at
// consumedNs as RecordConsume does, its latency into the backlog
// end-to-end histogram instead.
func (r *Recorder) RecordBacklogConsume(intendedNs, consumedNs int64, bytes int) {
	r.recordConsume(latBacklogEndToEnd, intendedNs, consumedNs, bytes)
}

// recordConsume is RecordConsume with the latency into histogram kind.
func (r *Recorder) recordConsume(kind int, intendedNs, consumedNs int64, bytes int) {
	us, clamped := clampUs(consumedNs - intendedNs)
	r.mu.Lock()
	d := r.cur
	d.counts.consumed++
	d.counts.consumedBytes += int64(bytes)
	if clamped {
		d.counts.clamped++
	}
	hist(&d.hists[kind]).RecordUs(us)
	r.mu.Unlock()
}

// RecordRead records one message consumed without a latency (a catch-up
// read of a message another run produced, or of one without a stamp):
// Consumed++, ConsumedBytes += bytes.
func (r *Recorder) RecordRead(bytes int) {
	r.mu.Lock()
	r.cur.counts.consumed++
	r.cur.counts.consumedBytes += int64(bytes)
	r.mu.Unlock()
}

// RecordThrottle records one response of broker (host:port) that the
// broker throttled for ms milliseconds (throttle_time_ms > 0; other
// values are ignored); fetch says whether it answered a fetch (else a
// produce) request.
func (r *Recorder) RecordThrottle(broker string, fetch bool, ms int64) {
	if ms <= 0 {
		return
	}
	k := throttleKey{broker, fetch}
	r.mu.Lock()
	d := r.cur
	d.counts.throttled++
	d.counts.throttleMs += ms
	if d.throttle == nil {
		d.throttle = make(map[throttleKey]ThrottleCounts)
	}
	x := d.throttle[k]
	x.add(ThrottleCounts{Responses: 1, TotalMs: ms, MaxMs: ms})
	d.throttle[k] = x
	r.mu.Unlock()
}

// RecordCommit records a transaction that committed (EndTxn(commit)
// sent at startNs, committed at endNs: the commit latency) or, with
// committed false, one that was aborted as intended; its n acknowledged
// messages then count as aborted.
func (r *Recorder) RecordCommit(startNs, endNs int64, committed bool, n int64) {
	us, clamped := clampUs(endNs - startNs)
	r.mu.Lock()
	d := r.cur
	if committed {
		d.counts.committedTxns++
		if clamped {
			d.counts.clamped++
		}
		hist(&d.hists[latCommit]).RecordUs(us)
	} else {
		d.counts.abortedTxns++
		d.counts.aborted += n
	}
	r.mu.Unlock()
}

// RecordTransactionFailed records a transaction whose end failed; its n
// acknowledged messages count as aborted (they are not expected by
// read_committed consumers).
func (r *Recorder) RecordTransactionFailed(n int64) {
	r.mu.Lock()
	r.cur.counts.failedTxns++
	r.cur.counts.aborted += n
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
