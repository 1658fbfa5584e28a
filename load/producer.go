package load

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// maxPending bounds the messages handed to the client in one send call.
// When several messages are due at once (rate max, or catching up behind
// schedule) they go to the client together; kafka-go's WriteMessages then
// allocates one partition assignment map for all of them.
const maxPending = 64

// txnEndTimeout bounds ending a transaction (flush, then EndTxn) when the
// worker is stopping; the abort context of the step bounds it too.
const txnEndTimeout = 10 * time.Second

// producer is one producer worker: its own client (its own connections),
// its generator state and a bounded pool of slots, the in-flight bound.
// The run goroutine owns the generator; the client's completions (its
// goroutines) touch only the atomic counters, the recorder, the verifier,
// the transaction's tally and the free list. It is written once for both
// clients: only cl differs.
type producer struct {
	id     int
	stamp  Stamp // Run and Shard of every message's stamp (StampRun, Options.Shard)
	pacer  Pacer
	topics []string
	cl     producerClient
	rec    *report.Recorder
	clk    clock

	// measureStartNs: only messages intended at or after it are recorded.
	// run sets it before the first message, so completions (which follow
	// sends) see it.
	measureStartNs int64
	// measuring is closed by Run once the last warm-up interval has been
	// collected; messages intended at or after measureStartNs wait for it,
	// so that none of their records can fall into a discarded warm-up tick.
	measuring <-chan struct{}

	free    *freeSlots // the free slots; as many as the in-flight bound
	slots   []*slot
	maxV    int // largest value size, the capacity of every buffer
	pending []*slot
	sends   []report.SendTimes // scratch of flush

	rng   *rand.Rand
	sizes *sizeChooser // shared, read-only; nil with a sample
	// sample, when not nil, holds the values' payloads (shared, read-only);
	// worker and workers are the worker's index and the worker count of
	// the merged schedule it cycles over.
	sample  *sample
	worker  int
	workers int
	keys    keyChooser
	fill    payloadFiller
	// headers are the record headers of every message (nil without);
	// read-only, shared with the client.
	headers []header

	verify *verifier // nil unless Plan.Verify
	// offsets is true when acknowledgements carry the message's offset
	// (acks 1 or all).
	offsets bool
	txn     *txnState // nil unless transactional
	abort   context.Context
	// linger is true when the client lingers to fill batches (linger > 0):
	// then it is told when the worker waits for the in-flight bound.
	linger bool

	// errs counts error responses of the cluster and failed round trips by
	// label, retried or not (the clients report them through
	// countResponseError).
	errs errorCounts

	// Schedule lateness in the measure phase, owned by the run goroutine
	// (read by Run after it ended). A worker is behind from a message sent
	// more than report.BehindScheduleThreshold late until the next one sent
	// on time; the cause of the episode is the in-flight bound when any of
	// its late messages waited for it (see late).
	behindSinceNs  int64 // 0: on schedule
	behindInFlight bool  // a late message of the open episode waited for the in-flight bound
	episodeLate    int64 // late messages of the open episode, not yet counted by cause
	behindNs       int64 // total time behind
	// blockedNs is the intended time of a message waiting for the in-flight
	// bound, 0 when none: a worker stopped while still waiting was behind.
	blockedNs     int64
	lateGenerator int64 // late messages of episodes not caused by the in-flight bound
	lateInFlight  int64 // late messages of episodes caused by the in-flight bound

	// parts counts the acknowledged messages of the measure and drain
	// phases per partition: index topic index × partitions + partition.
	parts      []atomic.Int64
	partitions int // per topic

	// batchBytes and batchWireBytes are the records' bytes of the batches
	// the brokers acknowledged in the measure and drain phases, before and
	// after compression (franz-go only: its HookProduceBatchWritten).
	batchBytes, batchWireBytes atomic.Int64
	// next is the schedule index of the first message the worker did not
	// process (neither handed over nor failed at the hand-over), set when
	// its loop returns; dropped counts measured messages it processed but
	// could not hand over because the step was stopping (the hand-over
	// failed with the producers' context done). Both belong to the run
	// goroutine and are read by Run after it ended: unsent.
	next    int64
	dropped int64

	sent    atomic.Int64 // messages handed to the client, every phase
	acked   atomic.Int64 // messages acknowledged, every phase
	failed  atomic.Int64 // messages that failed, every phase
	aborted atomic.Int64 // acknowledged messages of aborted transactions, every phase
}

// producerConfig is what newProducer needs besides the plan.
type producerConfig struct {
	id, workers int
	// worker is the worker's index among the workers sharing rate (id,
	// but for backlog workers, whose ids follow the live ones).
	worker     int
	rate       float64 // total msgs/s; <= 0 for max rate
	schedule   time.Duration
	messages   int64 // the most this worker sends; 0 = by the schedule only
	topics     []string
	partitions int // per topic
	conn       *auth.Conn
	driver     driver
	rec        *report.Recorder
	clk        clock
	seed       uint64
	sizes      *sizeChooser // nil with a sample
	sample     *sample
	measuring  <-chan struct{}
	verify     *verifier
	runID      string
	stepIndex  int
	shard      uint16 // Options.Shard.Index
	// abort, when cancelled, fails every request in flight at once.
	abort context.Context
	// brokers counts the client's requests per broker.
	brokers *brokerStats
}

// newProducer builds worker cfg.id with its client. A nil cfg.driver
// builds the engine side only (tests of the per-message path).
func newProducer(p plan.Plan, cfg producerConfig) (*producer, error) {
	pp := p.Producers
	rng := rand.New(rand.NewPCG(cfg.seed, uint64(cfg.id)))
	keys, err := newKeyChooser(pp.Keys, cfg.worker, cfg.workers)
	if err != nil {
		return nil, err
	}
	var maxV int
	var meanV float64
	var fill payloadFiller
	if cfg.sample != nil {
		maxV, meanV = StampSize+cfg.sample.maxLen, StampSize+cfg.sample.meanLen
	} else {
		maxV, meanV = cfg.sizes.maxSize(), cfg.sizes.mean()
		if fill, err = newPayloadFiller(maxV, pp.Compressibility, rng); err != nil {
			return nil, err
		}
	}
	inflight := max(pp.MaxInFlight, 1) // plan.WithDefaults sets it; never block forever
	pr := &producer{
		id:         cfg.id,
		stamp:      Stamp{Run: StampRun(p.Topics.Prefix, cfg.runID, cfg.stepIndex), Shard: cfg.shard, Producer: uint32(cfg.id)},
		worker:     cfg.worker,
		pacer:      Pacer{Rate: cfg.rate, Workers: cfg.workers, Worker: cfg.worker, Duration: cfg.schedule, Messages: cfg.messages},
		topics:     cfg.topics,
		rec:        cfg.rec,
		clk:        cfg.clk,
		measuring:  cfg.measuring,
		slots:      make([]*slot, inflight),
		maxV:       maxV,
		pending:    make([]*slot, 0, maxPending),
		sends:      make([]report.SendTimes, 0, maxPending),
		rng:        rng,
		sizes:      cfg.sizes,
		sample:     cfg.sample,
		workers:    max(cfg.workers, 1),
		keys:       keys,
		fill:       fill,
		headers:    messageHeaders(pp.Headers, rng),
		parts:      make([]atomic.Int64, len(cfg.topics)*max(cfg.partitions, 0)),
		partitions: max(cfg.partitions, 0),
		verify:     cfg.verify,
		offsets:    pp.Acks != plan.AcksNone,
		abort:      cfg.abort,
		linger:     pp.Linger > 0,
	}
	if pr.abort == nil {
		pr.abort = context.Background()
	}
	for i := range pr.slots {
		pr.slots[i] = &slot{index: i} // buffers are allocated on first use
	}
	pr.free = newFreeSlots(pr.slots)
	txnID := ""
	if t := pp.Transactions; t != nil {
		pr.txn = &txnState{cfg: *t}
		txnID = p.Topics.Prefix + cfg.runID + "-" + strconv.Itoa(cfg.stepIndex) + "-txn-" + strconv.Itoa(cfg.id)
	}
	if cfg.driver == nil {
		return pr, nil
	}
	pr.cl, err = cfg.driver.newProducer(pr, producerClientConfig{
		plan:       pp,
		conn:       cfg.conn,
		clientID:   pp.ClientID + "-" + strconv.Itoa(cfg.id),
		txnID:      txnID,
		slots:      pr.slots,
		maxValue:   maxV,
		maxRecord:  maxV + keys.maxLen() + int(pp.Headers.Bytes()),
		meanValue:  meanV,
		seed:       cfg.seed ^ uint64(cfg.id)<<32,
		partitions: cfg.partitions,
		topics:     len(cfg.topics),
		idempotent: pp.IdempotentFor(p.Client),
		abort:      pr.abort,
		brokers:    cfg.brokers,
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// counting reports whether errors are counted now (measure and drain).
func (p *producer) counting() bool { return p.clk.now() >= p.measureStartNs }

// countResponseError counts one error response or failed round trip,
// retried or not, in the measure and drain phases. Safe for concurrent
// use (clients call it from their goroutines).
func (p *producer) countResponseError(err error) {
	if p.counting() {
		p.errs.add(errorLabel(err), 1)
	}
}

// run sends messages on the pacer's schedule, which starts at startNs,
// recording those intended at or after measureStartNs, until the schedule
// ends or ctx is done; then it ends an open transaction, and closes the
// client (which waits for every completion until the step's abort). It
// always returns nil: delivery problems are counted, not fatal.
func (p *producer) run(ctx context.Context, startNs, measureStartNs int64) error {
	p.measureStartNs = measureStartNs
	p.loop(ctx, startNs, p.send)
	p.cl.close(p.abort)
	if p.abort.Err() != nil {
		p.abandon()
	}
	return nil
}

// abandon accounts for the messages still in flight after the step aborted
// the requests and the client closed: failed, labelled
// labelUnacknowledged, whether or not the client completes them later (a
// late completion is then ignored, see settle). franz-go's Close returns
// before it fails the records of a request the broker never answered.
func (p *producer) abandon() {
	for _, s := range p.slots {
		if !p.free.claim(s) {
			continue
		}
		p.failed.Add(1)
		if s.intendedNs >= p.measureStartNs {
			p.rec.RecordError(labelUnacknowledged, 1)
		}
	}
}

// loop is the pacing loop of run: for each message of the schedule it waits
// for the intended time and for a free slot (the in-flight bound), then
// calls send, which owns the slot from then on.
//
// The clock is read once per message unless the loop waited: that reading
// is the message's actual send time too (reading the clock is a
// noticeable share of the per-message cost on virtual machines).
func (p *producer) loop(ctx context.Context, startNs int64, send func(ctx context.Context, s *slot, seq uint64, intendedNs, nowNs int64)) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	defer p.finish(ctx) // whatever is still pending when the schedule ends
	gated := p.measuring == nil
	var k int64
	defer func() { p.next = k }()
	for ; ; k++ {
		// The clock is read before the context is checked, and read again
		// after every wait before it is checked again: a message is sent
		// only when its intended time (at most the reading) came before the
		// step was stopped, so a cut-short step's measured window, which ends
		// when Run stopped the producers, holds every message sent.
		now := p.clk.now()
		wait, stop := p.pacer.Pace(time.Duration(now-startNs), k)
		if stop || ctx.Err() != nil {
			return
		}
		if wait > 0 {
			p.flush(ctx)
			if p.txn.endsWithin(p.clk.now(), wait) {
				p.endTransaction(ctx)
			}
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			now = p.clk.now()
			if ctx.Err() != nil {
				return
			}
		}
		var s *slot
		waited := false
		if s = p.free.tryGet(); s == nil {
			p.flush(ctx)
			waited = true // the in-flight bound holds this message back
			if p.pacer.Rate > 0 {
				p.blockedNs = startNs + int64(p.pacer.Intended(k))
			}
			unblocked := func() {}
			if p.cl != nil && p.linger {
				unblocked = p.cl.blocked()
			}
			s = p.free.get(ctx)
			unblocked()
			if s == nil {
				return
			}
			p.blockedNs = 0
			now = p.clk.now()
			if ctx.Err() != nil {
				p.free.put(s)
				return
			}
		}
		intended := startNs + int64(p.pacer.Intended(k))
		if p.pacer.Rate <= 0 {
			intended = now
		}
		if !gated && intended >= p.measureStartNs {
			p.flush(ctx)
			select {
			case <-ctx.Done():
				p.free.put(s)
				return
			case <-p.measuring:
			}
			gated = true
			now = p.clk.now()
			if ctx.Err() != nil {
				p.free.put(s)
				return
			}
			if p.pacer.Rate <= 0 {
				intended = max(now, p.measureStartNs)
			}
		}
		// A worker still behind schedule when the schedule ends does not
		// carry its backlog into the drain phase: those messages count as
		// offered but never sent (unsent), and the worker was behind from
		// the first of them until the end (its episode stays open: a stall
		// that outlasts the schedule is behind schedule all along, however
		// late the in-flight bound freed a slot).
		if d := p.pacer.Duration; d > 0 && time.Duration(now-startNs) >= d+p.lateStop() {
			if intended >= p.measureStartNs && now-intended > int64(report.BehindScheduleThreshold) {
				p.stillBehind(intended, waited)
			}
			p.free.put(s)
			return
		}
		if intended >= p.measureStartNs {
			p.late(intended, now, waited)
		}
		send(ctx, s, uint64(k), intended, now)
	}
}

// late tracks behind-schedule episodes for a message intended at
// intendedNs and sent at nowNs; waited says whether it waited for the
// in-flight bound.
//
// The cause of an episode is the in-flight bound when any of its late
// messages waited for it (the cluster did not acknowledge fast enough; the
// backlog sent in a burst afterwards waits for nothing but is still the
// cluster's doing), and the generator otherwise; its late messages are
// counted for that cause when the episode ends (see lateCounts). A busy
// machine may make the first messages of a stall late before the bound is
// reached: they no longer decide the cause.
func (p *producer) late(intendedNs, nowNs int64, waited bool) {
	if nowNs-intendedNs <= int64(report.BehindScheduleThreshold) {
		if p.behindSinceNs != 0 {
			p.behindNs += nowNs - p.behindSinceNs
			p.behindSinceNs = 0
			p.settleEpisode()
		}
		return
	}
	if p.behindSinceNs == 0 {
		p.behindSinceNs = max(intendedNs, p.measureStartNs)
	}
	p.behindInFlight = p.behindInFlight || waited
	p.episodeLate++
}

// stillBehind keeps the worker behind schedule from the message intended
// at intendedNs (never sent: the worker stops) until the end: it opens an
// episode unless one is open; waited says whether that message waited for
// the in-flight bound (the episode's cause).
func (p *producer) stillBehind(intendedNs int64, waited bool) {
	if p.behindSinceNs == 0 {
		p.behindSinceNs = max(intendedNs, p.measureStartNs)
	}
	p.behindInFlight = p.behindInFlight || waited
}

// settleEpisode adds the late messages of the current episode to the count
// of its cause and starts a new episode.
func (p *producer) settleEpisode() {
	if p.behindInFlight {
		p.lateInFlight += p.episodeLate
	} else {
		p.lateGenerator += p.episodeLate
	}
	p.episodeLate, p.behindInFlight = 0, false
}

// lateCounts returns the late messages by cause, the open episode
// included. Call it after the worker ended.
func (p *producer) lateCounts() (generator, inFlight int64) {
	generator, inFlight = p.lateGenerator, p.lateInFlight
	if p.behindInFlight {
		inFlight += p.episodeLate
	} else {
		generator += p.episodeLate
	}
	return generator, inFlight
}

// behindUntil returns the time the worker spent behind schedule, counting
// an open episode until endNs.
func (p *producer) behindUntil(endNs int64) int64 {
	since := p.behindSinceNs
	if b := max(p.blockedNs, p.measureStartNs); since == 0 && p.blockedNs != 0 && endNs-b > int64(report.BehindScheduleThreshold) {
		since = b // stopped while held back by the in-flight bound
	}
	if since != 0 && endNs > since {
		return p.behindNs + endNs - since
	}
	return p.behindNs
}

// lateStop is how long after the end of the schedule a worker that fell
// behind may still send: report.BehindScheduleThreshold in rate mode (timer
// lateness), 0 in max-rate mode.
func (p *producer) lateStop() time.Duration {
	if p.pacer.Rate <= 0 {
		return 0
	}
	return report.BehindScheduleThreshold
}

// send builds message seq in slot s and queues it for the client; it is
// handed over at once unless more messages are due right away (see flush).
// A transactional worker first ends a transaction that is due and begins
// the next.
func (p *producer) send(ctx context.Context, s *slot, seq uint64, intendedNs, nowNs int64) {
	if p.txn != nil && !p.beginMessage(ctx, seq) {
		p.free.put(s) // the transaction could not begin: failed, or unsent when stopping
		p.failed.Add(1)
		p.handOverFailed(ctx, intendedNs, "transaction: begin failed")
		return
	}
	p.build(s, seq, intendedNs, nowNs)
	if len(p.pending) >= maxPending {
		p.flush(ctx)
	}
}

// flush hands the pending messages to the client in one send call and
// records their sends (or their failure). The loop calls it before it
// waits for anything, so a message is never held back while nothing else is
// due.
func (p *producer) flush(ctx context.Context) {
	if len(p.pending) == 0 {
		return
	}
	n := int64(len(p.pending))
	if err := p.cl.send(ctx, p.pending); err != nil {
		label := errorLabel(err)
		for _, s := range p.pending {
			p.handOverFailed(ctx, s.intendedNs, label)
			p.txn.failedMessage()
			p.free.put(s)
		}
		p.failed.Add(n)
	} else {
		for _, s := range p.pending {
			if s.intendedNs >= p.measureStartNs {
				p.sends = append(p.sends, report.SendTimes{IntendedNs: s.intendedNs, SentNs: s.sentNs})
			}
		}
		p.rec.RecordSends(p.sends)
		p.sends = p.sends[:0]
		p.sent.Add(n)
	}
	clear(p.pending)
	p.pending = p.pending[:0]
}

// handOverFailed accounts for a measured message (intended at intendedNs)
// the client did not take: failed with label, or — when the producers'
// context is done (the step is stopping) — never sent (dropped, counted
// as unsent by Run).
func (p *producer) handOverFailed(ctx context.Context, intendedNs int64, label string) {
	switch {
	case intendedNs < p.measureStartNs:
	case ctx.Err() != nil:
		p.dropped++
	default:
		p.rec.RecordError(label, 1)
	}
}

// unsent returns how many messages of the worker's schedule intended in
// [fromNs, toNs) (unix ns; the measured window) it never handed to the
// client: those from its first unprocessed message on, and those dropped
// at the hand-over. Call it after the worker ended. In max-rate mode there
// is no schedule: only the dropped ones.
func (p *producer) unsent(startNs, fromNs, toNs int64) int64 {
	if p.pacer.Rate <= 0 || toNs <= fromNs {
		return p.dropped
	}
	lo := max(p.next, p.pacer.firstAtOrAfter(time.Duration(fromNs-startNs)))
	hi := p.pacer.firstAtOrAfter(time.Duration(toNs - startNs))
	return p.dropped + max(hi-lo, 0)
}

// finish hands over what is pending and ends an open transaction.
func (p *producer) finish(ctx context.Context) {
	p.flush(ctx)
	if p.txn != nil && p.txn.open {
		p.endTransaction(ctx)
	}
}

// build writes message seq into slot s, appends it to the pending
// messages: chooses size, key and topic, fills the payload and writes the
// stamp with the actual send time sentNs, which it returns (unix ns). A
// slot's payload is filled when its size changes (for a fixed size once),
// and its checksum kept: every message still differs from the others in
// flight, which are in other slots, and the stamp is written and summed
// for every message — the fields only, added to the payload's checksum
// (summing a kilobyte that has left the cache cost a fifth of the
// engine's CPU at 1 KiB messages). It does not allocate once the slot's buffer has grown to the
// largest size.
func (p *producer) build(s *slot, seq uint64, intendedNs, sentNs int64) int64 {
	if cap(s.buf) < p.maxV {
		s.buf = make([]byte, p.maxV)
	}
	var v []byte
	if sm := p.sample; sm != nil {
		// The stamp, then the record byte for byte.
		i := sm.pick(seq, p.worker, p.workers, p.rng)
		rec := sm.records[i]
		v = s.buf[:StampSize+len(rec)]
		copy(v[StampSize:], rec)
		s.sum = sm.sums[i]
	} else {
		size := p.sizes.next(p.rng)
		v = s.buf[:size]
		if len(s.value) != size {
			p.fill.fill(v, p.rng)
			s.sum = payloadSum(v)
		}
	}
	s.value = v
	s.key = p.keys.pick(seq)
	s.topicIndex = int(seq+uint64(p.id)) % len(p.topics)
	s.topic = p.topics[s.topicIndex]
	s.seq = seq
	s.intendedNs = intendedNs
	s.sentNs = sentNs
	st := p.stamp
	st.Seq, st.IntendedNs, st.SentNs = seq, intendedNs, sentNs
	putHeaderSum(v, st, s.sum)
	p.pending = append(p.pending, s)
	return s.sentNs
}

// tally sums the outcomes of one completion callback, so that the shared
// counters and the verifier's offsets are touched once per callback, not
// per message. The zero value is ready (lastIdx -1 is set by newTally).
type tally struct {
	acked, failed int64
	// topic, partition and offset of the highest acknowledged offset of
	// the callback (kafka-go completes one partition batch per callback).
	topic     string
	partition int32
	offset    int64
}

func newTally() tally { return tally{offset: -1} }

// settle records the outcome of the message in slot s, completed at nowNs
// (unix ns): acknowledged at partition and offset when err is nil, else
// failed with err. It returns the slot to the free list; the client must
// not touch s afterwards. Clients call it from their goroutines and call
// p.done(t) after the last message of a callback. A message the worker
// already abandoned (see abandon) is ignored.
func (p *producer) settle(s *slot, partition int32, offset int64, err error, nowNs int64, t *tally) {
	if !p.free.claim(s) {
		return
	}
	measured := s.intendedNs >= p.measureStartNs
	if err == nil {
		t.acked++
		if p.verify != nil {
			p.verify.ack(uint32(p.id), s.seq)
			if p.offsets && offset > t.offset {
				t.topic, t.partition, t.offset = s.topic, partition, offset
			}
		}
		if measured {
			p.rec.RecordAck(s.intendedNs, s.sentNs, nowNs, messageBytes(s.key, s.value, p.headers))
			if partition >= 0 && int(partition) < p.partitions {
				p.parts[s.topicIndex*p.partitions+int(partition)].Add(1)
			}
		}
		if p.txn != nil {
			p.txn.acked(measured)
		}
	} else {
		t.failed++
		if measured {
			p.rec.RecordError(p.completionLabel(err), 1)
		}
		p.txn.failedMessage()
	}
	p.free.put(s)
}

// completionLabel is the error label of a message that failed with err: a
// message the client gave up on because Run aborted the requests still in
// flight after the drain is labelled labelUnacknowledged, not "canceled".
func (p *producer) completionLabel(err error) string {
	label := errorLabel(err)
	if label == "canceled" && p.abort.Err() != nil {
		return labelUnacknowledged
	}
	return label
}

// done adds a callback's tally to the shared counters and, outside
// transactions, its highest acknowledged offset to the verifier's drain
// check (a transaction's offsets count once it committed).
func (p *producer) done(t *tally) {
	if t.acked > 0 {
		p.acked.Add(t.acked)
	}
	if t.failed > 0 {
		p.failed.Add(t.failed)
	}
	if t.offset < 0 {
		return
	}
	if p.txn != nil {
		p.txn.ackedOffset(partKey{t.topic, int(t.partition)}, t.offset)
		return
	}
	p.verify.ackedOffset(t.topic, int(t.partition), t.offset)
}

// txnState is a transactional worker's current transaction. open, index,
// lo, n and deadline belong to the run goroutine; the tally fields are
// updated by completions under mu.
type txnState struct {
	cfg      plan.Transactions
	open     bool
	index    int64  // transactions ended so far
	lo       uint64 // first sequence number of the open transaction
	n        int    // messages built in it
	deadline int64  // unix ns; 0 without a duration

	mu             sync.Mutex
	ackedN         int64 // acknowledged messages of the open transaction
	ackedMeasuredN int64 // of which intended in the measured phase
	failedN        int64
	ends           map[partKey]int64 // highest acknowledged offset per partition
}

// endsWithin reports whether an open transaction's deadline falls within
// wait from nowNs (false for a nil t).
func (t *txnState) endsWithin(nowNs int64, wait time.Duration) bool {
	return t != nil && t.open && t.deadline != 0 && nowNs+int64(wait) >= t.deadline
}

// due reports whether the open transaction ends before the next message.
func (t *txnState) due(nowNs int64) bool {
	if !t.open {
		return false
	}
	if m := t.cfg.MessagesPerTransaction; m > 0 {
		return t.n >= m
	}
	return nowNs >= t.deadline
}

// aborts reports whether transaction index i is one of the aborted share:
// ⌊(i+1)·r⌋ > ⌊i·r⌋ spreads ⌊n·r⌋ aborts evenly over n transactions.
func (t *txnState) aborts(i int64) bool {
	r := t.cfg.AbortRatio
	return math.Floor(float64(i+1)*r) > math.Floor(float64(i)*r)
}

func (t *txnState) acked(measured bool) {
	t.mu.Lock()
	t.ackedN++
	if measured {
		t.ackedMeasuredN++
	}
	t.mu.Unlock()
}

// failedMessage counts a failed message of the open transaction (nothing
// for a nil t).
func (t *txnState) failedMessage() {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.failedN++
	t.mu.Unlock()
}

func (t *txnState) ackedOffset(k partKey, offset int64) {
	t.mu.Lock()
	if t.ends == nil {
		t.ends = make(map[partKey]int64)
	}
	if cur, ok := t.ends[k]; !ok || offset > cur {
		t.ends[k] = offset
	}
	t.mu.Unlock()
}

// beginMessage prepares the transaction message seq goes into: it ends
// the open transaction when it is due and begins one when none is open.
// It reports whether a transaction is open.
func (p *producer) beginMessage(ctx context.Context, seq uint64) bool {
	t := p.txn
	now := p.clk.now()
	if t.due(now) {
		p.endTransaction(ctx)
	}
	if !t.open {
		if err := p.cl.beginTransaction(); err != nil {
			return false
		}
		t.open, t.lo, t.n = true, seq, 0
		t.deadline = 0
		if d := t.cfg.Duration.D(); d > 0 {
			t.deadline = now + int64(d)
		}
	}
	t.n++
	return true
}

// endTransaction hands over what is pending, then commits the open
// transaction (or aborts it: the aborted share, or when one of its
// messages failed). Commits are timed (the commit latency); the messages
// of a transaction that did not commit count as aborted and are never
// expected by consumers.
func (p *producer) endTransaction(ctx context.Context) {
	t := p.txn
	p.flush(ctx)
	t.mu.Lock()
	failed := t.failedN
	t.mu.Unlock()
	commit := !t.aborts(t.index) && failed == 0
	ectx, cancel := context.WithTimeout(p.abort, txnEndTimeout)
	sentNs, err := p.cl.endTransaction(ectx, commit)
	cancel()
	now := p.clk.now()
	t.mu.Lock()
	acked, ackedMeasured, ends := t.ackedN, t.ackedMeasuredN, t.ends
	t.ackedN, t.ackedMeasuredN, t.failedN, t.ends = 0, 0, 0, nil
	t.mu.Unlock()
	hi := t.lo + uint64(t.n)
	t.open = false
	t.index++
	switch {
	case err == nil && commit:
		p.rec.RecordCommit(sentNs, now, true, 0)
		if p.verify != nil {
			for k, off := range ends {
				p.verify.ackedOffset(k.topic, k.partition, off)
			}
		}
		return
	case err == nil:
		p.rec.RecordCommit(sentNs, now, false, ackedMeasured)
	default:
		p.rec.RecordTransactionFailed(ackedMeasured)
		if ctx.Err() == nil {
			p.countResponseError(err)
		}
	}
	p.aborted.Add(acked)
	p.verify.abortRange(uint32(p.id), t.lo, hi)
}

// freeSlots is a worker's slots and their states. The worker takes free
// slots in index order, from a cursor that skips the slots still in
// flight: the messages of one client batch then sit in consecutive slots,
// so its completion and the client's copy of its values walk adjacent
// memory, which the hardware prefetcher streams — as a bare client loop's
// freshly allocated records do. (A FIFO of freed slots scattered a batch's
// slots over the whole pool, each a cache miss at 1 KiB: 2.54 CPU-s per
// million messages against 1.59 for this, docs/performance.md.) The states are an array of their own, a few cache
// lines that stay hot, not a field of each (cold) slot.
type freeSlots struct {
	slots []*slot
	// state[i] is slot i's: slotFree, slotTaken (the worker took it: being
	// built, or in flight) or slotSettled (its outcome is being recorded,
	// or the worker abandoned it).
	state []atomic.Int32
	next  int          // the worker's cursor
	n     atomic.Int64 // free slots
	// ready holds a token once a slot was put since the worker last
	// looked: get waits for it.
	ready chan struct{}
}

const (
	slotFree int32 = iota
	slotTaken
	slotSettled
)

// newFreeSlots returns the slots, every one free; slots[i].index is i.
func newFreeSlots(slots []*slot) *freeSlots {
	f := &freeSlots{slots: slots, state: make([]atomic.Int32, len(slots)), ready: make(chan struct{}, 1)}
	f.n.Store(int64(len(slots)))
	return f
}

// claim marks a taken slot settled: whoever claims it (the completion, or
// the worker abandoning it) accounts for its message, once.
func (f *freeSlots) claim(s *slot) bool {
	return f.state[s.index].CompareAndSwap(slotTaken, slotSettled)
}

// put returns s to the free slots (from any goroutine; a slot already free
// stays counted once).
func (f *freeSlots) put(s *slot) {
	if f.state[s.index].Swap(slotFree) == slotFree {
		return
	}
	f.n.Add(1)
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// tryGet takes the next free slot at or after the cursor, nil when none is
// free. Only the worker takes slots.
func (f *freeSlots) tryGet() *slot {
	if f.n.Load() == 0 {
		return nil
	}
	// n > 0: some slot is free (put frees it before counting it), so the
	// walk ends.
	for {
		i := f.next
		if f.next++; f.next == len(f.slots) {
			f.next = 0
		}
		if f.state[i].Load() == slotFree {
			f.state[i].Store(slotTaken)
			f.n.Add(-1)
			return f.slots[i]
		}
	}
}

// get waits for a free slot until ctx is done (then nil).
func (f *freeSlots) get(ctx context.Context) *slot {
	for {
		if s := f.tryGet(); s != nil {
			return s
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.ready:
		}
	}
}
