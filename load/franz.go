package load

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// This file is the franz-go implementation of the client seam
// (github.com/twmb/franz-go: kgo for producers and consumers, kadm for
// admin requests).

// franzMetadataMinAge is the shortest time between two metadata refreshes
// of a producer or consumer, overriding kgo's 5 s: after a leader moved
// (NOT_LEADER_OR_FOLLOWER more than twice in a row) kgo waits that long
// before it looks again, and its records wait with it. The Java client
// retries after retry.backoff.ms (100 ms).
const franzMetadataMinAge = 500 * time.Millisecond

// franzTxnTimeout is the transaction timeout of transactional producers:
// a transaction open longer is aborted by the broker.
const franzTxnTimeout = time.Minute

// franzDriver builds franz-go clients.
type franzDriver struct{}

func (franzDriver) name() plan.Client { return plan.ClientFranzGo }

// franzCode returns the Kafka error code of a franz-go error.
func franzCode(err error) (int16, bool) {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Code, true
	}
	return 0, false
}

// franzLabel names franz-go's own errors like the engine names kafka-go's.
func franzLabel(err error) (string, bool) {
	switch {
	case errors.Is(err, kgo.ErrRecordTimeout):
		return "timeout", true
	case errors.Is(err, kgo.ErrClientClosed), errors.Is(err, kgo.ErrAborting):
		return "canceled", true
	case errors.Is(err, kgo.ErrRecordRetries):
		return "retries exhausted", true
	case errors.Is(err, kgo.ErrMaxBuffered):
		return "max buffered", true
	}
	return "", false
}

// brokerAddr is the host:port of a broker.
func brokerAddr(m kgo.BrokerMetadata) string {
	return net.JoinHostPort(m.Host, strconv.Itoa(int(m.Port)))
}

// throttleHook records throttled responses of one client into a recorder
// (kgo.HookBrokerThrottle): a producer's are produce responses, a
// consumer's fetch responses.
type throttleHook struct {
	rec   *report.Recorder
	fetch bool
}

// OnBrokerThrottle implements kgo.HookBrokerThrottle.
func (h throttleHook) OnBrokerThrottle(m kgo.BrokerMetadata, d time.Duration, _ bool) {
	h.rec.RecordThrottle(brokerAddr(m), h.fetch, d.Milliseconds())
}

// failedProduceHook counts produce requests that failed on the wire
// (kgo.HookBrokerRead, HookBrokerWrite): the error responses are counted
// by the producer's wire tap.
type failedProduceHook struct{ p *producer }

// OnBrokerRead implements kgo.HookBrokerRead.
func (h failedProduceHook) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == apiProduce && err != nil {
		h.p.countResponseError(err)
	}
}

// OnBrokerWrite implements kgo.HookBrokerWrite.
func (h failedProduceHook) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == apiProduce && err != nil {
		h.p.countResponseError(err)
	}
}

// batchSizesHook adds the uncompressed and compressed bytes of every
// batch the broker acknowledged (kgo.HookProduceBatchWritten) to the
// producer's counts, in the measure and drain phases.
type batchSizesHook struct{ p *producer }

// OnProduceBatchWritten implements kgo.HookProduceBatchWritten.
func (h batchSizesHook) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	if h.p.counting() {
		h.p.batchBytes.Add(int64(m.UncompressedBytes))
		h.p.batchWireBytes.Add(int64(m.CompressedBytes))
	}
}

// franzPartitioner returns the kgo partitioner of a partitioner and its
// name for the settings.
func franzPartitioner(p plan.Partitioner) (kgo.Partitioner, string) {
	switch p {
	case plan.PartitionRoundRobin:
		return kgo.RoundRobinPartitioner(), "round-robin (keys ignored)"
	case plan.PartitionHash:
		return kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
			var rr atomic.Uint64
			return func(r *kgo.Record, n int) int {
				if r.Key != nil {
					return keyPartition(r.Key, n)
				}
				return int(rr.Add(1) % uint64(n))
			}
		}), "hash (keyed: murmur2; unkeyed: round-robin)"
	default:
		// franz-go's default (KIP-794): 64 KiB per partition, adaptive to
		// partitions that are backed up; keyed records by murmur2.
		return kgo.UniformBytesPartitioner(stickyBytes, true, true, keyPartition), "sticky (keyed: murmur2; unkeyed: 64 KiB per partition, adaptive)"
	}
}

func franzCompression(c plan.Compression) (kgo.CompressionCodec, error) {
	switch strings.ToLower(string(c)) {
	case "", "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	default:
		return kgo.CompressionCodec{}, fmt.Errorf("compression %q: want none, gzip, snappy, lz4 or zstd", string(c))
	}
}

func franzAcks(a plan.Acks) (kgo.Acks, error) {
	switch a {
	case plan.AcksNone:
		return kgo.NoAck(), nil
	case plan.AcksLeader:
		return kgo.LeaderAck(), nil
	case plan.AcksAll:
		return kgo.AllISRAcks(), nil
	default:
		return kgo.Acks{}, fmt.Errorf("acks %d: want 0, 1 or -1 (all)", int(a))
	}
}

// franzProducer is one worker's kgo client. Each slot has its own
// *kgo.Record and promise, built once, so producing does not allocate on
// the engine's side: the record is rewritten in place for every message
// of its slot (kgo is done with it once its promise ran).
type franzProducer struct {
	p        *producer
	cl       *kgo.Client
	recs     []kgo.Record
	promises []func(*kgo.Record, error)
	// headers are the worker's record headers (producer.headers), shared
	// read-only by every record.
	headers []kgo.RecordHeader
	abort   context.Context
	set     report.ProducerSettings
}

func (franzDriver) newProducer(p *producer, cfg producerClientConfig) (producerClient, error) {
	pp := cfg.plan
	codec, err := franzCompression(pp.Compression)
	if err != nil {
		return nil, err
	}
	acks, err := franzAcks(pp.Acks)
	if err != nil {
		return nil, err
	}
	part, partName := franzPartitioner(pp.Partitioner)
	inflight := max(pp.MaxInFlight, 1)
	batchBytes := int64(pp.BatchBytes)
	if batchBytes > 0 && batchBytes < int64(cfg.maxRecord)+512 {
		// A record must fit a batch with its overhead.
		batchBytes = int64(cfg.maxRecord) + 512
	}
	inFlightRequests := plan.IdempotentMaxInFlightRequests
	if !cfg.idempotent && pp.MaxInFlightRequests > 0 {
		inFlightRequests = pp.MaxInFlightRequests
	}
	fp := &franzProducer{
		p:        p,
		recs:     make([]kgo.Record, len(cfg.slots)),
		promises: make([]func(*kgo.Record, error), len(cfg.slots)),
		abort:    cfg.abort,
	}
	for _, h := range p.headers {
		fp.headers = append(fp.headers, kgo.RecordHeader{Key: h.key, Value: h.value})
	}
	for i, s := range cfg.slots {
		fp.promises[i] = func(r *kgo.Record, err error) {
			t := newTally()
			p.settle(s, r.Partition, r.Offset, err, p.clk.now(), &t)
			p.done(&t)
		}
	}
	// The producer's wire tap counts error responses (retried or not);
	// kgo reports none of them.
	dial := tapDial(cfg.conn.DialFunc(), tapHooks{produceError: p.countResponseError, brokers: cfg.brokers})
	opts := append(cfg.conn.KgoOpts(),
		kgo.Dialer(dial),
		kgo.ClientID(cfg.clientID),
		kgo.RequiredAcks(acks),
		kgo.ProducerBatchCompression(codec),
		kgo.ProducerBatchMaxBytes(int32(min(batchBytes, 1<<31-1))),
		kgo.ProducerLinger(pp.Linger.D()),
		// The engine's in-flight bound is the back-pressure: kgo's own
		// buffer never fills.
		kgo.MaxBufferedRecords(inflight+1),
		kgo.RecordPartitioner(part),
		kgo.ProduceRequestTimeout(pp.RequestTimeout.D()),
		kgo.RecordRetries(pp.Retries),
		kgo.MetadataMinAge(franzMetadataMinAge),
		kgo.WithHooks(throttleHook{rec: p.rec}, failedProduceHook{p: p}, batchSizesHook{p: p}),
	)
	if !cfg.idempotent && cfg.txnID == "" {
		// Idempotent producers always keep IdempotentMaxInFlightRequests.
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(inFlightRequests))
	}
	var txn *report.TransactionSettings
	if cfg.txnID != "" {
		opts = append(opts, kgo.TransactionalID(cfg.txnID), kgo.TransactionTimeout(franzTxnTimeout))
		t := pp.Transactions
		txn = &report.TransactionSettings{TransactionalIDs: []string{cfg.txnID},
			MessagesPerTransaction: t.MessagesPerTransaction, DurationMs: ms(t.Duration.D()), AbortRatio: t.AbortRatio}
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("franz-go producer: %w", err)
	}
	fp.cl = cl
	fp.set = report.ProducerSettings{
		Acks:                pp.Acks.String(),
		Idempotent:          cfg.idempotent || cfg.txnID != "",
		MaxInFlightRequests: inFlightRequests,
		Partitioner:         partName,
		LingerMs:            ms(pp.Linger.D()),
		BatchBytes:          batchBytes,
		Compression:         pp.Compression.String(),
		RequestTimeoutMs:    ms(pp.RequestTimeout.D()),
		Retries:             pp.Retries,
		MaxBufferedRecords:  inflight + 1,
		MaxInFlight:         inflight,
		Transactions:        txn,
	}
	return fp, nil
}

func (fp *franzProducer) settings() report.ProducerSettings { return fp.set }

// send produces the slots' records; kgo never blocks here (its buffer is
// larger than the in-flight bound).
func (fp *franzProducer) send(_ context.Context, slots []*slot) error {
	for _, s := range slots {
		r := &fp.recs[s.index]
		// The send time as the record's timestamp: kgo would read the
		// clock again.
		*r = kgo.Record{Topic: s.topic, Key: s.key, Value: s.value, Headers: fp.headers, Context: fp.abort, Timestamp: time.Unix(0, s.sentNs)}
		fp.cl.Produce(fp.abort, r, fp.promises[s.index])
	}
	return nil
}

// blocked makes kgo stop lingering while the worker waits for the
// in-flight bound, as kgo does itself while its MaxBufferedRecords blocks
// a Produce call: the engine's bound is below kgo's (so that messages are
// stamped after the wait), and kgo would otherwise hold every batch for
// the full linger although the worker cannot add to it — throughput at
// rate max would be capped at max_in_flight ÷ (linger + round trip). A
// Flush under a context cancelled once a slot is free does that: kgo
// lingers nowhere while a Flush runs.
func (fp *franzProducer) blocked() func() {
	ctx, cancel := context.WithCancel(fp.abort)
	go func() { _ = fp.cl.Flush(ctx) }()
	return cancel
}

func (fp *franzProducer) beginTransaction() error { return fp.cl.BeginTransaction() }

// endTransaction flushes, then ends the transaction; it returns when the
// EndTxn request was sent (after the flush).
func (fp *franzProducer) endTransaction(ctx context.Context, commit bool) (int64, error) {
	if err := fp.cl.Flush(ctx); err != nil {
		return 0, fmt.Errorf("flush before ending the transaction: %w", err)
	}
	how := kgo.TryCommit
	if !commit {
		how = kgo.TryAbort
	}
	sent := fp.p.clk.now()
	if err := fp.cl.EndTransaction(ctx, how); err != nil {
		return sent, fmt.Errorf("end transaction: %w", err)
	}
	return sent, nil
}

// close waits for every promise until abort is cancelled, then closes the
// client, which fails what is still buffered or in flight.
func (fp *franzProducer) close(abort context.Context) {
	_ = fp.cl.Flush(abort)
	fp.cl.Close()
}

// franzConsumer is one kgo group member.
type franzConsumer struct {
	c       *consumer
	cl      *kgo.Client
	headers []header
	// cancel ends the client's own context: it bounds Close (closeBounded).
	cancel context.CancelFunc
	// blocking: rebalances wait for AllowRebalance after every poll.
	blocking bool
}

// consumerLeaveTimeout bounds a consumer's close, on both clients (its
// final commit and LeaveGroup): against a broker that stopped answering,
// kgo's Close waits for its request retries — 71 s were seen after a
// second interrupt — and kafka-go's Reader.Close 10–14 s
// (TestConsumerCloseBounded). A member that could not leave expires with
// its session (10 s) and teardown's group deletion waits for that.
const consumerLeaveTimeout = 5 * time.Second

func (franzDriver) newConsumer(c *consumer, cfg consumerClientConfig) (consumerClient, error) {
	cp := cfg.plan
	maxBytes := int32(min(int64(cp.FetchMaxBytes), 1<<31-1))
	minBytes := min(int32(min(int64(cp.FetchMinBytes), 1<<31-1)), maxBytes)
	iso := kgo.ReadUncommitted()
	if cfg.isolation == plan.ReadCommitted {
		iso = kgo.ReadCommitted()
	}
	opts := append(cfg.conn.KgoOpts(),
		// Tapped for the per-broker fetch figures only (kgo's hooks give
		// the throttle time).
		kgo.Dialer(tapDial(cfg.conn.DialFunc(), tapHooks{brokers: cfg.brokers})),
		kgo.ClientID(cfg.clientID),
		kgo.ConsumerGroup(cfg.group),
		kgo.ConsumeTopics(cfg.topics...),
		// Groups start at the offsets the engine committed for them at
		// setup (startPositions); a partition without one at the start.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(cp.MaxWait.D()),
		kgo.FetchMinBytes(minBytes),
		kgo.FetchMaxBytes(maxBytes),
		kgo.FetchIsolationLevel(iso),
		kgo.AutoCommitInterval(cp.CommitInterval.D()),
		kgo.AutoCommitCallback(func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			if err != nil {
				if !errors.Is(err, context.Canceled) && !errors.Is(err, kgo.ErrClientClosed) {
					c.commitError(err)
				}
				return
			}
			for _, t := range resp.Topics {
				for _, p := range t.Partitions {
					if p.ErrorCode != 0 {
						c.commitError(kerr.ErrorForCode(p.ErrorCode))
					}
				}
			}
		}),
		kgo.SessionTimeout(10*time.Second),
		kgo.RebalanceTimeout(10*time.Second),
		kgo.HeartbeatInterval(500*time.Millisecond),
		kgo.MetadataMinAge(franzMetadataMinAge),
		kgo.WithHooks(throttleHook{rec: c.rec, fetch: true}),
	)
	if cfg.rack != "" {
		opts = append(opts, kgo.Rack(cfg.rack))
	}
	if cfg.churn {
		// Rebalances are timed from these callbacks (consumers.churn). A
		// revoke callback of our own replaces kgo's default one, which
		// commits what was polled: it commits too, and rebalances wait
		// until a poll's records are handled (BlockRebalanceOnPoll; run
		// allows them after each poll), so every offset it commits was
		// handled.
		opts = append(opts,
			kgo.BlockRebalanceOnPoll(),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { franzRebalanced(c, true, m) }),
			kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, m map[string][]int32) {
				franzRebalanced(c, false, m)
				if err := cl.CommitUncommittedOffsets(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, kgo.ErrClientClosed) {
					c.commitError(err)
				}
			}),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { franzRebalanced(c, false, m) }),
		)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cl, err := kgo.NewClient(append(opts, kgo.WithContext(ctx))...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("consumer group %s: %w", cfg.group, err)
	}
	return &franzConsumer{c: c, cl: cl, cancel: cancel, blocking: cfg.churn}, nil
}

// franzRebalanced passes a group callback that moved partitions to c.
func franzRebalanced(c *consumer, assigned bool, m map[string][]int32) {
	for _, ps := range m {
		if len(ps) > 0 {
			c.rebalanced(assigned, c.clk.now())
			return
		}
	}
}

func (fc *franzConsumer) close() { fc.closeBounded() }

// closeBounded closes the client, cancelling its context after
// consumerLeaveTimeout so that a leave the cluster does not answer ends.
func (fc *franzConsumer) closeBounded() {
	t := time.AfterFunc(consumerLeaveTimeout, fc.cancel)
	fc.cl.Close()
	t.Stop()
	fc.cancel()
}

// run polls until ctx is done, then closes the client (which commits and
// leaves the group). Fetch errors are counted, not fatal.
func (fc *franzConsumer) run(ctx context.Context) {
	defer fc.closeBounded()
	for {
		fs := fc.cl.PollFetches(ctx)
		if ctx.Err() != nil {
			if fc.blocking {
				fc.handleRecords(fs) // the revoke at Close commits them
				fc.cl.AllowRebalance()
			}
			return
		}
		fs.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, kgo.ErrClientClosed) {
				fc.c.fetchError(err)
			}
		})
		fc.handleRecords(fs)
		if fc.blocking {
			fc.cl.AllowRebalance()
		}
		if fs.IsClientClosed() {
			return
		}
	}
}

// handleRecords hands every record of fs to the consumer.
func (fc *franzConsumer) handleRecords(fs kgo.Fetches) {
	// The records of one poll arrived together: one timestamp.
	now := fc.c.clk.now()
	fs.EachRecord(func(r *kgo.Record) {
		fc.headers = fc.headers[:0]
		for _, h := range r.Headers {
			fc.headers = append(fc.headers, header{h.Key, h.Value})
		}
		d := delivered{topic: r.Topic, partition: r.Partition, offset: r.Offset,
			key: r.Key, value: r.Value, headers: fc.headers}
		fc.c.handle(&d, now)
	})
}

// franzAdmin sends administrative requests with kadm over one kgo client.
type franzAdmin struct {
	cl  *kgo.Client
	adm *kadm.Client
}

func (franzDriver) newAdmin(conn *auth.Conn) (admin, error) {
	if len(conn.Brokers) == 0 {
		return nil, errors.New("no bootstrap brokers given")
	}
	cl, err := kgo.NewClient(append(conn.KgoOpts(),
		kgo.ClientID("mskbench-admin"),
		// Fresh metadata for the engine's polling (leaders, groups).
		kgo.MetadataMinAge(50*time.Millisecond),
		kgo.RetryTimeout(conn.DialTimeout+adminTimeout),
	)...)
	if err != nil {
		return nil, fmt.Errorf("franz-go admin client: %w", err)
	}
	return franzAdmin{cl: cl, adm: kadm.NewClient(cl)}, nil
}

func (a franzAdmin) close() { a.cl.Close() }

// metadata asks a broker directly (never kgo's cache).
func (a franzAdmin) metadata(ctx context.Context, topics []string) (*kmsg.MetadataResponse, error) {
	req := kmsg.NewPtrMetadataRequest()
	if topics != nil {
		req.Topics = make([]kmsg.MetadataRequestTopic, 0, len(topics))
		for _, t := range topics {
			rt := kmsg.NewMetadataRequestTopic()
			rt.Topic = kmsg.StringPtr(t)
			req.Topics = append(req.Topics, rt)
		}
	}
	return req.RequestWith(ctx, a.cl)
}

func (a franzAdmin) brokers(ctx context.Context) (map[int32]string, error) {
	res, err := a.metadata(ctx, []string{})
	if err != nil {
		return nil, err
	}
	out := make(map[int32]string, len(res.Brokers))
	for _, b := range res.Brokers {
		out[b.NodeID] = net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
	}
	return out, nil
}

func (a franzAdmin) topics(ctx context.Context, names []string) (map[string]topicState, error) {
	res, err := a.metadata(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]topicState, len(res.Topics))
	for _, t := range res.Topics {
		if t.Topic == nil {
			continue
		}
		st := topicState{err: kerr.ErrorForCode(t.ErrorCode), partitions: len(t.Partitions), leaderless: -1}
		if len(t.Partitions) > 0 {
			st.replicas = len(t.Partitions[0].Replicas)
		}
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 || p.Leader < 0 {
				st.leaderless = p.Partition
				break
			}
		}
		out[*t.Topic] = st
	}
	return out, nil
}

func (a franzAdmin) createTopics(ctx context.Context, names []string, t plan.Topics) (map[string]error, error) {
	configs := make(map[string]*string, len(t.Configs))
	for k, v := range t.Configs {
		configs[k] = kadm.StringPtr(v)
	}
	res, err := a.adm.CreateTopics(ctx, int32(t.Partitions), int16(t.ReplicationFactor), configs, names...)
	return errorsOf(res, err, func(r kadm.CreateTopicResponse) error { return r.Err })
}

// errorsOf returns each name's error of a kadm per-name response (err is
// the request's error).
func errorsOf[R any](res map[string]R, err error, errOf func(R) error) (map[string]error, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[string]error, len(res))
	for n, r := range res {
		out[n] = errOf(r)
	}
	return out, nil
}

func (a franzAdmin) deleteTopics(ctx context.Context, names []string) (map[string]error, error) {
	res, err := a.adm.DeleteTopics(ctx, names...)
	return errorsOf(res, err, func(r kadm.DeleteTopicResponse) error { return r.Err })
}

func (a franzAdmin) describeGroup(ctx context.Context, group string) (groupInfo, error) {
	res, err := a.adm.DescribeGroups(ctx, group)
	if err != nil {
		return groupInfo{}, err
	}
	g, ok := res[group]
	if !ok {
		return groupInfo{state: "not described"}, nil
	}
	if g.Err != nil {
		return groupInfo{}, g.Err
	}
	st := groupInfo{state: g.State, members: len(g.Members)}
	for _, m := range g.Members {
		c, ok := m.Assigned.AsConsumer()
		if !ok {
			continue
		}
		n := 0
		for _, t := range c.Topics {
			n += len(t.Partitions)
		}
		if n > 0 {
			st.assigned++
		}
	}
	return st, nil
}

func (a franzAdmin) listOffsets(ctx context.Context, topic string, at int64) (map[int32]int64, error) {
	var res kadm.ListedOffsets
	var err error
	switch at {
	case offsetEnd:
		res, err = a.adm.ListEndOffsets(ctx, topic)
	case offsetStart:
		res, err = a.adm.ListStartOffsets(ctx, topic)
	default:
		// kadm answers the end offset where no record is that recent.
		res, err = a.adm.ListOffsetsAfterMilli(ctx, at, topic)
	}
	if err != nil {
		return nil, err
	}
	out := make(map[int32]int64)
	for p, o := range res[topic] {
		if o.Err != nil {
			return nil, fmt.Errorf("partition %d: %w", p, o.Err)
		}
		out[p] = o.Offset
	}
	return out, nil
}

func (a franzAdmin) committedOffsets(ctx context.Context, group, topic string) (map[int32]int64, error) {
	res, err := a.adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := res.Error(); err != nil {
		return nil, err
	}
	out := make(map[int32]int64)
	for p, o := range res[topic] {
		if o.At >= 0 {
			out[p] = o.At
		}
	}
	return out, nil
}

func (a franzAdmin) commitOffsets(ctx context.Context, group, topic string, offsets map[int32]int64) error {
	os := make(kadm.Offsets)
	for p, o := range offsets {
		os.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	res, err := a.adm.CommitOffsets(ctx, group, os)
	if err != nil {
		return err
	}
	return res.Error()
}

func (a franzAdmin) listGroups(ctx context.Context, prefix string) ([]string, error) {
	res, err := a.adm.ListGroups(ctx)
	if err != nil {
		return nil, err
	}
	return withPrefix(maps.Keys(res), prefix), nil
}

func (a franzAdmin) deleteGroups(ctx context.Context, groups []string) (map[string]error, error) {
	res, err := a.adm.DeleteGroups(ctx, groups...)
	return errorsOf(res, err, func(r kadm.DeleteGroupResponse) error { return r.Err })
}
