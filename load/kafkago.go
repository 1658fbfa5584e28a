package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// This file is the kafka-go implementation of the client seam
// (segmentio/kafka-go: Writer, Reader, Client); the transport wrapper of
// its producers is in kafkago_transport.go.

// minLinger replaces a zero linger: kafka-go treats BatchTimeout 0 as 1 s.
const minLinger = time.Microsecond

// kafkaGoDriver builds kafka-go clients.
type kafkaGoDriver struct{}

func (kafkaGoDriver) name() plan.Client { return plan.ClientKafkaGo }

// kafkaGoCode returns the Kafka error code of a kafka-go error: a
// kafka.Error, or the first error of kafka.WriteErrors.
func kafkaGoCode(err error) (int16, bool) {
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		return int16(kerr), true
	}
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil {
				return kafkaGoCode(e)
			}
		}
	}
	return 0, false
}

// kafkaGoLabel names kafka-go's own errors.
func kafkaGoLabel(err error) (string, bool) {
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) {
		return "message too large", true
	}
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil {
				return errorLabel(e), true
			}
		}
	}
	return "", false
}

// kafkaTitle is the title of a Kafka error code as kafka-go spells it
// ("Not Leader For Partition"): the one spelling of error labels, for
// both clients.
func kafkaTitle(code int16) string { return kafka.Error(code).Title() }

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

// derivedBatchSize is kafka-go's BatchSize when the plan leaves it 0:
// min(⌈batch bytes ÷ mean message size⌉, ⌈in-flight bound ÷ partitions
// written⌉), at least 1. kafka-go allocates (and zeroes) room for
// BatchSize messages in every partition batch it opens, and a batch can
// never hold more than the worker's in-flight messages spread over its
// partitions.
func derivedBatchSize(batchBytes plan.Size, meanSize float64, inFlight, partitions int) int {
	n := math.MaxInt32
	if meanSize > 0 && batchBytes > 0 {
		n = int(math.Ceil(float64(batchBytes) / meanSize))
	}
	if partitions > 0 {
		n = min(n, (inFlight+partitions-1)/partitions)
	}
	return max(n, 1)
}

// kafkaGoBalancer returns the kafka-go balancer of a partitioner and its
// name for the settings: keyed messages by murmur2 (like the Java client)
// with sticky and hash; unkeyed ones sticky, or round-robin.
func kafkaGoBalancer(p plan.Partitioner, seed uint64) (kafka.Balancer, string) {
	rr := &kafka.RoundRobin{}
	switch p {
	case plan.PartitionRoundRobin:
		return rr, "round-robin (keys ignored)"
	case plan.PartitionHash:
		return kafka.BalancerFunc(func(m kafka.Message, partitions ...int) int {
			if m.Key != nil {
				return partitions[keyPartition(m.Key, len(partitions))]
			}
			return rr.Balance(m, partitions...)
		}), "hash (keyed: murmur2; unkeyed: round-robin)"
	default:
		st := newSticky(seed)
		return kafka.BalancerFunc(func(m kafka.Message, partitions ...int) int {
			if m.Key != nil {
				return partitions[keyPartition(m.Key, len(partitions))]
			}
			return partitions[st.pick(len(partitions), len(m.Value))]
		}), "sticky (keyed: murmur2; unkeyed: 64 KiB per partition)"
	}
}

// kafkaGoProducer is one worker's kafka.Writer (async, with its own
// transport) over the engine's producer.
type kafkaGoProducer struct {
	p    *producer
	w    *kafka.Writer
	tr   *kafka.Transport
	ct   *countingTransport
	msgs []kafka.Message // reused by send; kafka-go copies them
	// headers are the worker's record headers (producer.headers), shared
	// read-only by every message.
	headers []kafka.Header
	set     report.ProducerSettings
}

func (kafkaGoDriver) newProducer(p *producer, cfg producerClientConfig) (producerClient, error) {
	pp := cfg.plan
	codec, err := compressionCodec(pp.Compression)
	if err != nil {
		return nil, err
	}
	acks, err := requiredAcks(pp.Acks)
	if err != nil {
		return nil, err
	}
	if cfg.txnID != "" || cfg.idempotent {
		return nil, errors.New("kafka-go has no idempotent or transactional producer")
	}
	linger := pp.Linger.D()
	if linger <= 0 {
		linger = minLinger
	}
	batchBytes := int64(pp.BatchBytes)
	if batchBytes > 0 && batchBytes < int64(cfg.maxRecord)+128 {
		// kafka-go rejects a message larger than BatchBytes outright.
		batchBytes = int64(cfg.maxRecord) + 128
	}
	batchSize := pp.BatchSize
	if batchSize <= 0 {
		batchSize = derivedBatchSize(pp.BatchBytes, cfg.meanValue, max(pp.MaxInFlight, 1), cfg.partitions*max(cfg.topics, 1))
	}
	bal, balName := kafkaGoBalancer(pp.Partitioner, cfg.seed)
	kp := &kafkaGoProducer{p: p, tr: cfg.conn.Transport(), msgs: make([]kafka.Message, 0, maxPending)}
	for _, h := range p.headers {
		kp.headers = append(kp.headers, kafka.Header{Key: h.key, Value: h.value})
	}
	kp.tr.ClientID = cfg.clientID
	// The transport dials through the Conn's TLS-performing dialer,
	// tapped for the throttle time of produce responses (its RoundTrip
	// sees them, but not which broker answered).
	kp.tr.TLS = nil
	kp.tr.Dial = tapDial(cfg.conn.DialFunc(), tapHooks{produceThrottle: func(broker string, ms int64) {
		p.rec.RecordThrottle(broker, false, ms)
	}, brokers: cfg.brokers})
	kp.ct = newCountingTransport(kp.tr, p, cfg.abort)
	kp.w = &kafka.Writer{
		Addr:     kafka.TCP(cfg.conn.Brokers...),
		Balancer: bal,
		// Retriable errors (a leader that moved, a broker that went away)
		// are retried, as a real producer would; every failed attempt is
		// counted by countingTransport, and Run aborts requests still
		// waiting after the drain phase.
		MaxAttempts:     pp.Retries + 1,
		WriteBackoffMin: 50 * time.Millisecond,
		WriteBackoffMax: 500 * time.Millisecond,
		WriteTimeout:    pp.RequestTimeout.D(),
		BatchSize:       batchSize,
		BatchBytes:      batchBytes,
		BatchTimeout:    linger,
		RequiredAcks:    acks,
		Async:           true,
		Completion:      kp.complete,
		Compression:     codec,
		Transport:       kp.ct,
	}
	kp.set = report.ProducerSettings{
		Acks:             pp.Acks.String(),
		Partitioner:      balName,
		LingerMs:         ms(linger),
		BatchBytes:       batchBytes,
		BatchSize:        batchSize,
		Compression:      pp.Compression.String(),
		RequestTimeoutMs: ms(pp.RequestTimeout.D()),
		Retries:          pp.Retries,
		MaxInFlight:      max(pp.MaxInFlight, 1),
	}
	return kp, nil
}

// ms converts d to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (kp *kafkaGoProducer) settings() report.ProducerSettings { return kp.set }

// blocked does nothing: kafka-go's batches end at BatchTimeout, or
// BatchSize messages, whatever the writer's caller waits for.
func (kp *kafkaGoProducer) blocked() func() { return func() {} }

func (kp *kafkaGoProducer) beginTransaction() error {
	return errors.New("kafka-go has no transactional producer")
}

func (kp *kafkaGoProducer) endTransaction(context.Context, bool) (int64, error) {
	return 0, errors.New("kafka-go has no transactional producer")
}

// send hands the slots' messages to kafka-go in one WriteMessages call.
func (kp *kafkaGoProducer) send(ctx context.Context, slots []*slot) error {
	for _, s := range slots {
		kp.msgs = append(kp.msgs, kafka.Message{Topic: s.topic, Key: s.key, Value: s.value, Headers: kp.headers, WriterData: s})
	}
	err := kp.w.WriteMessages(ctx, kp.msgs...)
	clear(kp.msgs)
	kp.msgs = kp.msgs[:0]
	return err
}

// complete is the writer's Completion callback (one partition batch, on a
// writer goroutine): every message settles from its slot.
func (kp *kafkaGoProducer) complete(msgs []kafka.Message, err error) {
	now := kp.p.clk.now()
	var werrs kafka.WriteErrors
	if err != nil {
		werrs = asWriteErrors(err)
	}
	t := newTally()
	for i := range msgs {
		s, ok := msgs[i].WriterData.(*slot)
		if !ok {
			continue // not ours: cannot happen
		}
		merr := err
		if werrs != nil && i < len(werrs) {
			merr = werrs[i]
		}
		kp.p.settle(s, int32(msgs[i].Partition), msgs[i].Offset, merr, now, &t)
	}
	kp.p.done(&t)
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

// close flushes the writer and waits for its completions (requests still
// waiting when abort is cancelled fail at once, see countingTransport),
// then closes the transport's idle connections.
func (kp *kafkaGoProducer) close(context.Context) {
	_ = kp.w.Close()
	kp.tr.CloseIdleConnections()
}

// kafkaGoConsumer is one kafka.Reader in a consumer group.
type kafkaGoConsumer struct {
	c *consumer
	r *kafka.Reader
	// headers is reused for every record's headers.
	headers []header
}

func (kafkaGoDriver) newConsumer(c *consumer, cfg consumerClientConfig) (consumerClient, error) {
	// Groups start at the offsets the engine committed for them at setup
	// (startPositions); a partition without one at the start.
	start := kafka.FirstOffset
	if cfg.rack != "" {
		return nil, errors.New("kafka-go has no client.rack")
	}
	if cfg.churn {
		return nil, errors.New("kafka-go reports no rebalance: consumers.churn is franz-go only")
	}
	cp := cfg.plan
	// cp went through plan.WithDefaults: CommitInterval is never 0 (kafka-go
	// would commit synchronously per message), MaxWait never 0 (kafka-go's
	// 10 s would distort end-to-end latency).
	maxBytes := int(cp.FetchMaxBytes)
	minBytes := min(int(cp.FetchMinBytes), maxBytes)
	d := cfg.conn.Dialer()
	d.ClientID = cfg.clientID
	// The reader dials through the Conn's TLS-performing dialer, tapped
	// so that the throttle time of every fetch response is seen (kafka-go
	// does not report it).
	dial := cfg.conn.DialFunc()
	d.TLS = nil
	d.DialFunc = tapDial(dial, tapHooks{fetchThrottle: c.throttled, brokers: cfg.brokers})
	iso := kafka.ReadUncommitted
	if cfg.isolation == plan.ReadCommitted {
		iso = kafka.ReadCommitted
	}
	rc := kafka.ReaderConfig{
		Brokers:           cfg.conn.Brokers,
		GroupID:           cfg.group,
		GroupTopics:       cfg.topics,
		Dialer:            d,
		MinBytes:          minBytes,
		MaxBytes:          maxBytes,
		MaxWait:           cp.MaxWait.D(),
		CommitInterval:    cp.CommitInterval.D(),
		StartOffset:       start,
		IsolationLevel:    iso,
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
	return &kafkaGoConsumer{c: c, r: kafka.NewReader(rc)}, nil
}

func (kc *kafkaGoConsumer) close() { kc.closeBounded() }

// closeBounded closes the reader (its final commit and LeaveGroup), waiting
// at most consumerLeaveTimeout: kafka-go's Close takes no context and waited
// 10–14 s for a cluster that stopped answering. A close still running then
// goes on by itself; the member that could not leave expires with its
// session, which teardown's group deletion waits for (as with franz-go).
func (kc *kafkaGoConsumer) closeBounded() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = kc.r.Close()
	}()
	t := time.NewTimer(consumerLeaveTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// run fetches messages until ctx is done, then closes the reader (which
// commits and leaves the group). Fetch errors are counted, not fatal.
func (kc *kafkaGoConsumer) run(ctx context.Context) {
	defer kc.closeBounded()
	for {
		m, err := kc.r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			kc.c.fetchError(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		now := kc.c.clk.now()
		kc.headers = kc.headers[:0]
		for _, h := range m.Headers {
			kc.headers = append(kc.headers, header{h.Key, h.Value})
		}
		d := delivered{topic: m.Topic, partition: int32(m.Partition), offset: m.Offset,
			key: m.Key, value: m.Value, headers: kc.headers}
		kc.c.handle(&d, now)
		if err := kc.r.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			kc.c.commitError(err)
		}
	}
}

// kafkaGoAdmin sends administrative requests with kafka.Client. Every call
// uses a new kafka.Transport so that metadata is never served from
// kafka-go's cache.
type kafkaGoAdmin struct {
	conn *auth.Conn
}

func (kafkaGoDriver) newAdmin(conn *auth.Conn) (admin, error) { return kafkaGoAdmin{conn: conn}, nil }

func (kafkaGoAdmin) close() {}

// do runs f with a fresh client and closes its connections afterwards.
func (a kafkaGoAdmin) do(ctx context.Context, f func(ctx context.Context, c *kafka.Client) error) error {
	if len(a.conn.Brokers) == 0 {
		return errors.New("no bootstrap brokers given")
	}
	t := a.conn.Transport()
	defer t.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(a.conn.Brokers...), Transport: t, Timeout: adminTimeout}
	return f(ctx, c)
}

func (a kafkaGoAdmin) metadata(ctx context.Context, topics []string) (*kafka.MetadataResponse, error) {
	var res *kafka.MetadataResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
		return err
	})
	return res, err
}

func (a kafkaGoAdmin) brokers(ctx context.Context) (map[int32]string, error) {
	res, err := a.metadata(ctx, []string{})
	if err != nil {
		return nil, err
	}
	out := make(map[int32]string, len(res.Brokers))
	for _, b := range res.Brokers {
		out[int32(b.ID)] = net.JoinHostPort(b.Host, strconv.Itoa(b.Port))
	}
	return out, nil
}

func (a kafkaGoAdmin) topics(ctx context.Context, names []string) (map[string]topicState, error) {
	res, err := a.metadata(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]topicState, len(res.Topics))
	for _, t := range res.Topics {
		st := topicState{err: t.Error, partitions: len(t.Partitions), leaderless: -1}
		if len(t.Partitions) > 0 {
			st.replicas = len(t.Partitions[0].Replicas)
		}
		for _, p := range t.Partitions {
			if p.Error != nil || p.Leader.Host == "" {
				st.leaderless = int32(p.ID)
				break
			}
		}
		out[t.Name] = st
	}
	return out, nil
}

func (a kafkaGoAdmin) createTopics(ctx context.Context, names []string, t plan.Topics) (map[string]error, error) {
	keys := make([]string, 0, len(t.Configs))
	for k := range t.Configs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]kafka.ConfigEntry, 0, len(keys))
	for _, k := range keys {
		entries = append(entries, kafka.ConfigEntry{ConfigName: k, ConfigValue: t.Configs[k]})
	}
	req := &kafka.CreateTopicsRequest{}
	for _, n := range names {
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic:             n,
			NumPartitions:     t.Partitions,
			ReplicationFactor: t.ReplicationFactor,
			ConfigEntries:     entries,
		})
	}
	var res *kafka.CreateTopicsResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.CreateTopics(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]error, len(names))
	for _, n := range names {
		out[n] = res.Errors[n]
	}
	return out, nil
}

func (a kafkaGoAdmin) deleteTopics(ctx context.Context, names []string) (map[string]error, error) {
	var res *kafka.DeleteTopicsResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res.Errors, nil
}

func (a kafkaGoAdmin) describeGroup(ctx context.Context, group string) (groupInfo, error) {
	var res *kafka.DescribeGroupsResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		return err
	})
	if err != nil {
		return groupInfo{}, err
	}
	for _, g := range res.Groups {
		if g.GroupID != group {
			continue
		}
		if g.Error != nil {
			return groupInfo{}, g.Error
		}
		st := groupInfo{state: g.GroupState, members: len(g.Members)}
		for _, m := range g.Members {
			n := 0
			for _, t := range m.MemberAssignments.Topics {
				n += len(t.Partitions)
			}
			if n > 0 {
				st.assigned++
			}
		}
		return st, nil
	}
	return groupInfo{state: "not described"}, nil
}

func (a kafkaGoAdmin) listOffsets(ctx context.Context, topic string, at int64) (map[int32]int64, error) {
	res, err := a.metadata(ctx, []string{topic})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, t := range res.Topics {
		if t.Name == topic {
			n = len(t.Partitions)
		}
	}
	reqs := make([]kafka.OffsetRequest, n)
	for p := range reqs {
		reqs[p] = kafka.OffsetRequest{Partition: p, Timestamp: at}
	}
	out := make(map[int32]int64, n)
	err = a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		res, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
		if err != nil {
			return err
		}
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return fmt.Errorf("partition %d: %w", po.Partition, po.Error)
			}
			switch at {
			case offsetEnd:
				out[int32(po.Partition)] = po.LastOffset
			case offsetStart:
				out[int32(po.Partition)] = po.FirstOffset
			default:
				// No entry: no record that recent (the broker answers
				// offset -1); the caller reads from the end then.
				for o := range po.Offsets {
					if o >= 0 {
						out[int32(po.Partition)] = o
					}
				}
			}
		}
		return nil
	})
	if err == nil && at >= 0 && len(out) < n {
		ends, err := a.listOffsets(ctx, topic, offsetEnd)
		if err != nil {
			return nil, err
		}
		for p, e := range ends {
			if _, ok := out[p]; !ok {
				out[p] = e
			}
		}
	}
	return out, err
}

func (a kafkaGoAdmin) committedOffsets(ctx context.Context, group, topic string) (map[int32]int64, error) {
	res, err := a.metadata(ctx, []string{topic})
	if err != nil {
		return nil, err
	}
	var parts []int
	for _, t := range res.Topics {
		if t.Name == topic {
			for _, p := range t.Partitions {
				parts = append(parts, p.ID)
			}
		}
	}
	out := make(map[int32]int64, len(parts))
	err = a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		res, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
		if err != nil {
			return err
		}
		if res.Error != nil {
			return res.Error
		}
		for _, p := range res.Topics[topic] {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
			}
			if p.CommittedOffset >= 0 {
				out[int32(p.Partition)] = p.CommittedOffset
			}
		}
		return nil
	})
	return out, err
}

func (a kafkaGoAdmin) commitOffsets(ctx context.Context, group, topic string, offsets map[int32]int64) error {
	commits := make([]kafka.OffsetCommit, 0, len(offsets))
	for p, o := range offsets {
		commits = append(commits, kafka.OffsetCommit{Partition: int(p), Offset: o})
	}
	return a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		res, err := c.OffsetCommit(ctx, &kafka.OffsetCommitRequest{
			GroupID: group, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{topic: commits},
		})
		if err != nil {
			return err
		}
		for _, p := range res.Topics[topic] {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
			}
		}
		return nil
	})
}

func (a kafkaGoAdmin) listGroups(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		res, err := c.ListGroups(ctx, &kafka.ListGroupsRequest{})
		if err != nil {
			return err
		}
		if res.Error != nil {
			return res.Error
		}
		out = withPrefix(func(yield func(string) bool) {
			for _, g := range res.Groups {
				if !yield(g.GroupID) {
					return
				}
			}
		}, prefix)
		return nil
	})
	return out, err
}

// deleteGroups sends each group's DeleteGroups to its coordinator:
// kafka-go does not route the request.
func (a kafkaGoAdmin) deleteGroups(ctx context.Context, groups []string) (map[string]error, error) {
	out := make(map[string]error, len(groups))
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		for _, g := range groups {
			fc, err := c.FindCoordinator(ctx, &kafka.FindCoordinatorRequest{Key: g, KeyType: kafka.CoordinatorKeyTypeConsumer})
			switch {
			case err != nil:
				return fmt.Errorf("find the coordinator of group %s: %w", g, err)
			case fc.Error != nil:
				out[g] = fc.Error
				continue
			case fc.Coordinator == nil:
				out[g] = errors.New("no coordinator in the answer")
				continue
			}
			addr := kafka.TCP(net.JoinHostPort(fc.Coordinator.Host, strconv.Itoa(fc.Coordinator.Port)))
			res, err := c.DeleteGroups(ctx, &kafka.DeleteGroupsRequest{Addr: addr, GroupIDs: []string{g}})
			if err != nil {
				return err
			}
			out[g] = res.Errors[g]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
