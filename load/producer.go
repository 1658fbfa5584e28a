package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// minLinger replaces a zero linger: kafka-go treats BatchTimeout 0 as 1 s.
const minLinger = time.Microsecond

// producer is one producer worker: one kafka.Writer with its own transport,
// its own generator state and a bounded pool of value buffers. The run
// goroutine owns the generator; Completion callbacks (writer goroutines)
// touch only the atomic counters, the recorder and the free list.
type producer struct {
	id     int
	pacer  Pacer
	topics []string
	w      *kafka.Writer
	rec    *report.Recorder
	clk    clock

	// measureStartNs: only messages intended at or after it are recorded.
	measureStartNs int64
	// measuring is closed by Run once the last warm-up interval has been
	// collected; messages intended at or after measureStartNs wait for it,
	// so that none of their records can fall into a discarded warm-up tick.
	measuring <-chan struct{}

	free chan []byte // value buffers; its capacity is the in-flight bound
	maxV int         // largest value size, the capacity of every buffer

	rng   *rand.Rand
	sizes sizeChooser
	keys  keyChooser
	fill  payloadFiller
	// pending holds messages built but not yet handed to the writer: when
	// several are due at once (rate max, or catching up behind schedule)
	// they go to kafka-go in one WriteMessages call, which costs about as
	// much as a call for one message. pendingAt holds their intended and
	// actual send times (unix ns).
	pending   []kafka.Message
	pendingAt []sendTimes

	verify *verifier // nil unless Plan.Verify
	// offsets is true when acknowledgements carry the message's offset
	// (acks 1 or all).
	offsets bool

	tr *kafka.Transport   // the writer's own transport
	ct *countingTransport // wraps tr: error responses by label, abort

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

	sent   atomic.Int64 // messages handed to the writer, every phase
	acked  atomic.Int64 // messages acknowledged, every phase
	failed atomic.Int64 // messages that failed, every phase
}

// producerConfig is what newProducer needs besides the plan.
type producerConfig struct {
	id, workers int
	rate        float64 // total msgs/s; <= 0 for max rate
	schedule    time.Duration
	topics      []string
	conn        *auth.Conn
	rec         *report.Recorder
	clk         clock
	seed        uint64
	// abort, when cancelled, fails every request in flight at once.
	abort context.Context
}

func compressionCodec(c plan.Compression) (kafka.Compression, error) {
	switch strings.ToLower(string(c)) {
	case "", "none":
		return 0, nil
	case "gzip":
		return kafka.Gzip, nil
	case "snappy":
		return kafka.Snappy, nil
	case "lz4":
		return kafka.Lz4, nil
	case "zstd":
		return kafka.Zstd, nil
	default:
		return 0, fmt.Errorf("compression %q: want none, gzip, snappy, lz4 or zstd", string(c))
	}
}

func requiredAcks(a plan.Acks) (kafka.RequiredAcks, error) {
	switch a {
	case plan.AcksNone:
		return kafka.RequireNone, nil
	case plan.AcksLeader:
		return kafka.RequireOne, nil
	case plan.AcksAll:
		return kafka.RequireAll, nil
	default:
		return 0, fmt.Errorf("acks %d: want 0, 1 or -1 (all)", int(a))
	}
}

func newProducer(p plan.Producers, cfg producerConfig) (*producer, error) {
	rng := rand.New(rand.NewPCG(cfg.seed, uint64(cfg.id)))
	sizes, err := newSizeChooser(p.MessageSize)
	if err != nil {
		return nil, err
	}
	keys, err := newKeyChooser(p.Keys, cfg.id)
	if err != nil {
		return nil, err
	}
	fill, err := newPayloadFiller(sizes.maxSize(), p.Compressibility, rng)
	if err != nil {
		return nil, err
	}
	codec, err := compressionCodec(p.Compression)
	if err != nil {
		return nil, err
	}
	acks, err := requiredAcks(p.Acks)
	if err != nil {
		return nil, err
	}
	inflight := max(p.MaxInFlight, 1) // plan.WithDefaults sets it; never block forever
	pr := &producer{
		id:        cfg.id,
		pacer:     Pacer{Rate: cfg.rate, Workers: cfg.workers, Worker: cfg.id, Duration: cfg.schedule},
		topics:    cfg.topics,
		rec:       cfg.rec,
		clk:       cfg.clk,
		free:      make(chan []byte, inflight),
		maxV:      sizes.maxSize(),
		rng:       rng,
		sizes:     sizes,
		keys:      keys,
		fill:      fill,
		offsets:   acks != kafka.RequireNone,
		tr:        cfg.conn.Transport(),
		pending:   make([]kafka.Message, 0, maxPending),
		pendingAt: make([]sendTimes, 0, maxPending),
	}
	pr.ct = &countingTransport{rt: pr.tr, abort: cfg.abort, counting: func() bool {
		return pr.clk.now() >= pr.measureStartNs
	}}
	for range inflight {
		pr.free <- nil // buffers are allocated on first use
	}
	var bal kafka.Balancer = &kafka.RoundRobin{}
	if keys.keyed() {
		bal = &kafka.Hash{}
	}
	linger := p.Linger.D()
	if linger <= 0 {
		linger = minLinger
	}
	batchBytes := int64(p.BatchBytes)
	if batchBytes > 0 && batchBytes < int64(pr.maxV)+128 {
		// kafka-go rejects a message larger than BatchBytes outright.
		batchBytes = int64(pr.maxV) + 128
	}
	pr.w = &kafka.Writer{
		Addr:     kafka.TCP(cfg.conn.Brokers...),
		Balancer: bal,
		// Retriable errors (a leader that moved, a broker that went away)
		// are retried for a few seconds, as a real producer would; every
		// failed attempt is counted by countingTransport, and Run aborts
		// requests still waiting after the drain phase.
		MaxAttempts:     10,
		WriteBackoffMin: 50 * time.Millisecond,
		WriteBackoffMax: 500 * time.Millisecond,
		BatchSize:       p.BatchSize,
		BatchBytes:      batchBytes,
		BatchTimeout:    linger,
		RequiredAcks:    acks,
		Async:           true,
		Completion:      pr.complete,
		Compression:     codec,
		Transport:       pr.ct,
	}
	return pr, nil
}

// run sends messages on the pacer's schedule, which starts at startNs, until
// the schedule ends or ctx is done, then flushes and closes the writer (which
// waits for every completion). It always returns nil: delivery problems are
// counted, not fatal.
func (p *producer) run(ctx context.Context, startNs int64) error {
	defer p.close()
	p.loop(ctx, startNs, p.send)
	return nil
}

// loop is the pacing loop of run: for each message of the schedule it waits
// for the intended time and for a free buffer (the in-flight bound), then
// calls send, which owns the buffer from then on.
func (p *producer) loop(ctx context.Context, startNs int64, send func(ctx context.Context, buf []byte, seq uint64, intendedNs int64)) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	defer p.flush(ctx) // whatever is still pending when the schedule ends
	gated := p.measuring == nil
	for k := int64(0); ; k++ {
		wait, stop := p.pacer.Pace(time.Duration(p.clk.now()-startNs), k)
		if stop || ctx.Err() != nil {
			return
		}
		if wait > 0 {
			p.flush(ctx)
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		var buf []byte
		waited := false
		select {
		case buf = <-p.free:
		default:
			p.flush(ctx)
			waited = true // the in-flight bound holds this message back
			if p.pacer.Rate > 0 {
				p.blockedNs = startNs + int64(p.pacer.Intended(k))
			}
			select {
			case <-ctx.Done():
				return
			case buf = <-p.free:
			}
			p.blockedNs = 0
		}
		intended := startNs + int64(p.pacer.Intended(k))
		now := p.clk.now()
		if p.pacer.Rate <= 0 {
			intended = now
		}
		if !gated && intended >= p.measureStartNs {
			p.flush(ctx)
			select {
			case <-ctx.Done():
				p.free <- buf
				return
			case <-p.measuring:
			}
			gated = true
			now = p.clk.now()
			if p.pacer.Rate <= 0 {
				intended = max(now, p.measureStartNs)
			}
		}
		// A worker still behind schedule when the schedule ends does not
		// carry its backlog into the drain phase: those messages count as
		// offered but not sent.
		if d := p.pacer.Duration; d > 0 && time.Duration(now-startNs) >= d+p.lateStop() {
			p.free <- buf
			return
		}
		if intended >= p.measureStartNs {
			p.late(intended, now, waited)
		}
		send(ctx, buf, uint64(k), intended)
	}
}

// sendTimes are the intended and actual send times of a pending message.
type sendTimes struct{ intendedNs, sentNs int64 }

// maxPending bounds the messages handed to kafka-go in one WriteMessages call.
const maxPending = 64

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

// send builds message seq in buf and queues it for the writer; it is handed
// over at once unless more messages are due right away (see flush).
func (p *producer) send(ctx context.Context, buf []byte, seq uint64, intendedNs int64) {
	p.build(buf, seq, intendedNs)
	if len(p.pending) >= maxPending {
		p.flush(ctx)
	}
}

// flush hands the pending messages to the writer in one WriteMessages call
// and records their sends (or their failure). The loop calls it before it
// waits for anything, so a message is never held back while nothing else is
// due.
func (p *producer) flush(ctx context.Context) {
	if len(p.pending) == 0 {
		return
	}
	err := p.w.WriteMessages(ctx, p.pending...)
	label := ""
	if err != nil {
		label = errorLabel(err)
	}
	for i := range p.pending {
		m, at := &p.pending[i], p.pendingAt[i]
		if err != nil {
			p.free <- m.Value[:0]
			if at.intendedNs >= p.measureStartNs && ctx.Err() == nil {
				p.rec.RecordError(label, 1)
			}
		} else if at.intendedNs >= p.measureStartNs {
			p.rec.RecordSend(at.intendedNs, at.sentNs)
		}
		m.Key, m.Value = nil, nil // kafka-go copied the message
	}
	if err != nil {
		p.failed.Add(int64(len(p.pending)))
	} else {
		p.sent.Add(int64(len(p.pending)))
	}
	p.pending, p.pendingAt = p.pending[:0], p.pendingAt[:0]
}

// build appends message seq, in buf (a buffer from the free list), to the
// pending messages: chooses size, key and topic, fills the payload and writes
// the stamp with the actual send time, which it returns (unix ns). It does
// not allocate once buf has grown to the largest size.
func (p *producer) build(buf []byte, seq uint64, intendedNs int64) int64 {
	size := p.sizes.next(p.rng)
	if cap(buf) < size {
		buf = make([]byte, p.maxV)
	}
	v := buf[:size]
	p.fill.fill(v, p.rng)
	p.pending = append(p.pending, kafka.Message{
		Topic: p.topics[int(seq+uint64(p.id))%len(p.topics)],
		Key:   p.keys.pick(p.rng),
		Value: v,
	})
	sentNs := p.clk.now()
	putHeader(v, uint32(p.id), seq, intendedNs, sentNs)
	p.pendingAt = append(p.pendingAt, sendTimes{intendedNs, sentNs})
	return sentNs
}

// complete is the writer's Completion callback: it records acks or errors
// per message from the stamps and returns the buffers to the free list.
func (p *producer) complete(msgs []kafka.Message, err error) {
	now := p.clk.now()
	var werrs kafka.WriteErrors
	if err != nil {
		werrs = asWriteErrors(err)
	}
	// The highest acknowledged offset of the batch (one partition), for
	// the verifier's drain check.
	lastOff, lastIdx := int64(-1), -1
	var acked, failed int64 // added to the shared counters once per batch
	defer func() {
		p.acked.Add(acked)
		p.failed.Add(failed)
		if lastIdx >= 0 {
			p.verify.ackedOffset(msgs[lastIdx].Topic, msgs[lastIdx].Partition, lastOff)
		}
	}()
	for i := range msgs {
		v := msgs[i].Value
		st, serr := ReadStamp(v)
		merr := err
		if werrs != nil && i < len(werrs) {
			merr = werrs[i]
		}
		switch {
		case serr != nil:
			// Not ours: cannot happen unless a buffer was corrupted.
		case merr == nil:
			acked++
			if p.verify != nil {
				p.verify.ack(st.Producer, st.Seq)
				if p.offsets && msgs[i].Offset > lastOff {
					lastOff, lastIdx = msgs[i].Offset, i
				}
			}
			if st.IntendedNs >= p.measureStartNs {
				p.rec.RecordAck(st.IntendedNs, st.SentNs, now, len(v))
			}
		default:
			failed++
			if st.IntendedNs >= p.measureStartNs {
				p.rec.RecordError(errorLabel(merr), 1)
			}
		}
		p.free <- v[:0]
	}
}

// asWriteErrors returns the kafka.WriteErrors in err's chain, or nil. It is
// a separate function so that the success path of complete does not allocate.
func asWriteErrors(err error) kafka.WriteErrors {
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		return werrs
	}
	return nil
}

// close flushes the writer, waits for its completions and closes its
// transport's idle connections.
func (p *producer) close() {
	_ = p.w.Close()
	p.tr.CloseIdleConnections()
}
