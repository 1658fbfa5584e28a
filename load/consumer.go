package load

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// GroupID returns the consumer group id of group g of a step:
// Prefix + runID + "-" + step index + "-g" + g.
func GroupID(p plan.Plan, runID string, g int) string {
	return p.Topics.Prefix + runID + "-" + strconv.Itoa(p.Index) + "-g" + strconv.Itoa(g)
}

// consumer is one kafka.Reader in a consumer group. Its counters are read by
// the run goroutine while it consumes.
type consumer struct {
	r   *kafka.Reader
	rec *report.Recorder
	clk clock
	// measureStartNs points at the step's measure start (unix ns); messages
	// intended before it are counted for draining but not recorded.
	measureStartNs *atomic.Int64
	verify         *verifier // nil unless Plan.Verify
	group          int       // index of the consumer group, for verify
	// parts caches the verifier's partition states; only run touches it.
	parts map[partKey]*partState

	// errs counts fetch and commit errors (not failed messages) for
	// Step.ResponseErrors.
	errs errorCounts

	consumed atomic.Int64 // stamped messages read, every phase
	foreign  atomic.Int64 // messages without an mskbench stamp (skipped)
}

type consumerConfig struct {
	group       string
	topics      []string
	existing    bool
	conn        *auth.Conn
	rec         *report.Recorder
	clk         clock
	measureFrom *atomic.Int64
	verify      *verifier
	groupIndex  int
}

func newConsumer(c plan.Consumers, cfg consumerConfig) (*consumer, error) {
	start := kafka.FirstOffset
	if cfg.existing {
		start = kafka.LastOffset
	}
	// c went through plan.WithDefaults: CommitInterval is never 0 (kafka-go
	// would commit synchronously per message), MaxWait never 0 (kafka-go's
	// 10 s would distort end-to-end latency).
	commit := c.CommitInterval.D()
	maxBytes := int(c.FetchMaxBytes)
	minBytes := min(int(c.FetchMinBytes), maxBytes)
	maxWait := c.MaxWait.D()
	rc := kafka.ReaderConfig{
		Brokers:           cfg.conn.Brokers,
		GroupID:           cfg.group,
		GroupTopics:       cfg.topics,
		Dialer:            cfg.conn.Dialer(),
		MinBytes:          minBytes,
		MaxBytes:          maxBytes,
		MaxWait:           maxWait,
		CommitInterval:    commit,
		StartOffset:       start,
		HeartbeatInterval: 500 * time.Millisecond,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    500 * time.Millisecond,
	}
	if err := rc.Validate(); err != nil {
		return nil, fmt.Errorf("consumer group %s: %w", cfg.group, err)
	}
	return &consumer{
		r:              kafka.NewReader(rc),
		rec:            cfg.rec,
		clk:            cfg.clk,
		measureStartNs: cfg.measureFrom,
		verify:         cfg.verify,
		group:          cfg.groupIndex,
		parts:          make(map[partKey]*partState),
	}, nil
}

// run fetches messages until ctx is done, then closes the reader (which
// commits and leaves the group). Fetch errors are counted, not fatal.
func (c *consumer) run(ctx context.Context) error {
	defer c.r.Close()
	for {
		m, err := c.r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if c.measureStartNs.Load() <= c.clk.now() {
				c.errs.add("consume: "+errorLabel(err), 1)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		now := c.clk.now()
		c.handle(&m, now)
		if err := c.r.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			c.errs.add("commit: "+errorLabel(err), 1)
		}
	}
}

// handle accounts for one message m read at nowNs (unix ns).
func (c *consumer) handle(m *kafka.Message, nowNs int64) {
	value := m.Value
	st, err := VerifyStamp(value)
	if c.verify != nil {
		k := partKey{m.Topic, m.Partition}
		ps := c.parts[k]
		if ps == nil {
			ps = c.verify.partition(c.group, k)
			c.parts[k] = ps
		}
		if c.verify.read(c.group, k, ps, m.Offset, st, err) {
			return // a redelivery: counted by the verifier only
		}
	}
	if errors.Is(err, ErrNotStamped) {
		c.foreign.Add(1)
		return
	}
	c.consumed.Add(1)
	switch {
	case st.IntendedNs < c.measureStartNs.Load():
	case err != nil:
		if c.verify == nil {
			c.rec.RecordError("corrupted", 1)
		}
	default:
		c.rec.RecordConsume(st.IntendedNs, nowNs, len(value))
	}
}
