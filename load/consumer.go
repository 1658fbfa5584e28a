package load

import (
	"context"
	"strconv"
	"sync/atomic"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// GroupID returns the consumer group id of group g of a step:
// Prefix + runID + "-" + step index + "-g" + g, or with
// Consumers.GroupID that id (one group) or GroupID + "-" + g.
func GroupID(p plan.Plan, runID string, g int) string {
	if id := p.Consumers.GroupID; id != "" {
		if p.Consumers.Groups <= 1 {
			return id
		}
		return id + "-" + strconv.Itoa(g)
	}
	return p.Topics.Prefix + runID + "-" + strconv.Itoa(p.Index) + "-g" + strconv.Itoa(g)
}

// consumer is one member of a consumer group: its client, which reads,
// and the engine's accounting of what it read (handle), written once for
// both clients. Its counters are read by the run goroutine while it
// consumes.
type consumer struct {
	cl       consumerClient
	clientID string
	rec      *report.Recorder
	clk      clock
	// measureStartNs points at the step's measure start (unix ns); messages
	// intended before it are counted for draining but not recorded.
	measureStartNs *atomic.Int64
	verify         *verifier // nil unless Plan.Verify
	group          int       // index of the consumer group, for verify
	// run is the step's run identity (StampRun): a stamp with another is
	// foreign.
	runStamp uint64
	// parts caches the verifier's partition states; only the client's
	// reading goroutine touches it.
	parts map[partKey]*partState
	// cross tells messages of other shards from this shard's own (nil in
	// a run of one process: every message is its own).
	cross *crossShard
	// catch, in a catch-up step, follows the backlog; then every message
	// read is counted as consumed: a backlog phase's with its latency
	// (backlog end-to-end), other runs' and unstamped ones without.
	catch *catchUp
	// stepStartNs is when the step began: stamps intended earlier are
	// another run's.
	stepStartNs int64
	// churn, with consumers.churn, is the group's rebalance tracker.
	churn *groupChurn
	// newClient builds a new client for this member (a churned member's
	// replacement); stop and done end the current one (see
	// step.startConsumer).
	newClient func() (consumerClient, error)
	stop      context.CancelFunc
	done      chan struct{}

	// errs counts fetch and commit errors (not failed messages) for
	// Step.ResponseErrors.
	errs errorCounts

	consumed atomic.Int64 // stamped messages of the step read, every phase
	foreign  atomic.Int64 // messages without the step's stamp (skipped): none, or another run's
}

// consumerConfig is what newConsumer needs besides the plan.
type consumerConfig struct {
	index       int // over all groups, for the client id
	group       string
	groupIndex  int
	topics      []string
	conn        *auth.Conn
	driver      driver
	rec         *report.Recorder
	clk         clock
	measureFrom *atomic.Int64
	verify      *verifier
	rack        string // resolved
	brokers     *brokerStats
	run         uint64      // StampRun of the step
	cross       *crossShard // nil for a run of one process
	catch       *catchUp
	stepStartNs int64
	churn       *groupChurn
}

// newConsumer builds one group member with its client (which starts
// joining its group).
func newConsumer(p plan.Plan, cfg consumerConfig) (*consumer, error) {
	c := &consumer{
		rec:            cfg.rec,
		clk:            cfg.clk,
		measureStartNs: cfg.measureFrom,
		verify:         cfg.verify,
		group:          cfg.groupIndex,
		runStamp:       cfg.run,
		parts:          make(map[partKey]*partState),
		cross:          cfg.cross,
		catch:          cfg.catch,
		stepStartNs:    cfg.stepStartNs,
		churn:          cfg.churn,
	}
	ccfg := consumerClientConfig{
		plan:      p.Consumers,
		conn:      cfg.conn,
		clientID:  p.Consumers.ClientID + "-" + strconv.Itoa(cfg.index),
		group:     cfg.group,
		topics:    cfg.topics,
		isolation: p.IsolationOrDefault(),
		rack:      cfg.rack,
		brokers:   cfg.brokers,
		churn:     cfg.churn != nil,
	}
	c.clientID = ccfg.clientID
	c.newClient = func() (consumerClient, error) { return cfg.driver.newConsumer(c, ccfg) }
	cl, err := c.newClient()
	if err != nil {
		return nil, err
	}
	c.cl = cl
	return c, nil
}

// run reads until ctx is done (see consumerClient.run). It returns nil.
func (c *consumer) run(ctx context.Context) error {
	c.cl.run(ctx)
	return nil
}

// measuring reports whether the measured phase has begun (errors are
// counted from then on).
func (c *consumer) measuring() bool { return c.measureStartNs.Load() <= c.clk.now() }

// fetchError counts a failed fetch.
func (c *consumer) fetchError(err error) {
	if c.measuring() {
		c.errs.add("consume: "+errorLabel(err), 1)
	}
}

// commitError counts a failed offset commit.
func (c *consumer) commitError(err error) {
	if c.measuring() {
		c.errs.add("commit: "+errorLabel(err), 1)
	}
}

// throttled records a fetch response broker throttled for ms.
func (c *consumer) throttled(broker string, ms int64) {
	c.rec.RecordThrottle(broker, true, ms)
}

// rebalanced records a rebalance callback of the member at nowNs: its
// partitions revoked (or lost), or assigned.
func (c *consumer) rebalanced(assigned bool, nowNs int64) {
	if c.churn != nil {
		c.churn.callback(assigned, nowNs)
	}
}

// handle accounts for one record d read at nowNs (unix ns): the shared
// handler of both clients' reading loops.
func (c *consumer) handle(d *delivered, nowNs int64) {
	value := d.value
	st, err := VerifyStamp(value)
	if err != ErrNotStamped && st.Run != c.runStamp && (c.catch == nil || st.IntendedNs >= c.stepStartNs) {
		// Another run's (or step's) message, whether or not its checksum
		// holds: foreign, like one without a stamp — except, in a catch-up
		// read, messages stamped before this step began: those of earlier
		// runs, verified per producer as such (verifier.earlier).
		err = ErrOtherRun
	}
	k := partKey{d.topic, int(d.partition)}
	bytes := messageBytes(d.key, value, d.headers)
	if c.catch != nil {
		c.catch.read(c.group, k, d.offset, bytes, nowNs)
	}
	if c.churn != nil {
		c.churn.read(st, err, nowNs, c.stepStartNs)
	}
	if c.verify != nil {
		ps := c.parts[k]
		if ps == nil {
			ps = c.verify.partition(c.group, k)
			c.parts[k] = ps
		}
		switch c.verify.read(c.group, k, ps, d.offset, st, err) {
		case readRedelivered:
			return // counted by the verifier only
		case readForeign:
			c.foreign.Add(1)
			if c.catch != nil {
				c.rec.RecordRead(bytes)
			}
			return
		case readEarlier:
			c.rec.RecordRead(bytes) // another run's message
			return
		}
	} else if err == ErrNotStamped || err == ErrOtherRun {
		c.foreign.Add(1)
		if c.catch != nil {
			c.rec.RecordRead(bytes)
		}
		return
	}
	if c.catch != nil && err == nil && st.IntendedNs < c.stepStartNs {
		c.rec.RecordRead(bytes) // another run's message
		return
	}
	c.consumed.Add(1)
	intended, cross := st.IntendedNs, false
	if c.cross != nil && err == nil {
		intended, cross = c.cross.intended(st)
	}
	switch {
	case intended < c.measureStartNs.Load():
		if c.catch != nil && err == nil {
			c.rec.RecordBacklogConsume(st.IntendedNs, nowNs, bytes)
		}
	case err != nil:
		if c.verify == nil {
			c.rec.RecordError("corrupted", 1)
		}
	case cross:
		c.rec.RecordConsumeCross(intended, nowNs, bytes)
	default:
		c.rec.RecordConsume(intended, nowNs, bytes)
	}
}

// crossShard classifies the messages a consumer of a distributed run reads
// by the shard whose producer sent them: end-to-end latency of a message
// from another shard spans two machines' clocks, so it is recorded apart
// (report's end_to_end_cross), its intended send time moved onto this
// process's clock by the difference of the two shards' clock offsets.
// Safe for concurrent use.
type crossShard struct {
	index  int32   // this shard
	owners []int32 // shard of every producer id (Shard.Owner)
	// shift holds, per shard, nanoseconds to add to its stamps' intended
	// times (Start.Shift); set before the measured phase, nil: none.
	shift atomic.Pointer[[]int64]
}

// intended returns the intended send time of st on this process's clock
// and whether another shard produced it.
func (x *crossShard) intended(st Stamp) (int64, bool) {
	if int(st.Producer) >= len(x.owners) {
		return st.IntendedNs, false // foreign: counted by the verifier
	}
	o := x.owners[st.Producer]
	if o == x.index {
		return st.IntendedNs, false
	}
	if sh := x.shift.Load(); sh != nil && int(o) < len(*sh) {
		return st.IntendedNs + (*sh)[o], true
	}
	return st.IntendedNs, true
}
