package load

import (
	"context"
	"fmt"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// This file is the engine's seam to the Kafka client libraries. The engine
// (pacer, stamp, in-flight bound, recorders, verification, phases, fault
// accounting, error labels, teardown) is written once against the small
// interfaces below; franz*.go implements them with franz-go's kgo and kadm,
// kafkago*.go with segmentio/kafka-go. Each implementation only moves
// messages, records and admin requests between the engine and its library.

// driver is one client library: it builds the admin client, the producer
// client of a worker and the consumer client of a group member. A driver
// is stateless and safe for concurrent use.
type driver interface {
	// name is the client of the plan: plan.ClientFranzGo or ClientKafkaGo.
	name() plan.Client
	// newAdmin returns an admin client over conn.
	newAdmin(conn *auth.Conn) (admin, error)
	// newProducer returns the client of producer worker p, which calls
	// p.settle for every message it completes.
	newProducer(p *producer, cfg producerClientConfig) (producerClient, error)
	// newConsumer returns the client of consumer c, which calls c.handle
	// for every record it reads.
	newConsumer(c *consumer, cfg consumerClientConfig) (consumerClient, error)
}

// driverFor returns the driver of client c.
func driverFor(c plan.Client) (driver, error) {
	switch c.String() {
	case string(plan.ClientFranzGo):
		return franzDriver{}, nil
	case string(plan.ClientKafkaGo):
		return kafkaGoDriver{}, nil
	}
	return nil, fmt.Errorf("client %q: want franz-go or kafka-go", string(c))
}

// slot is one in-flight message buffer of a producer worker: the free list
// of a worker holds its slots, so their number is the in-flight bound. A
// slot carries its message from the engine to the client and back to
// producer.settle; the client may keep its own reusable record per slot
// (indexed by index) so that the hot path does not allocate. A slot belongs
// to the engine's run goroutine while free or being built, to the client
// from send until settle.
type slot struct {
	index int    // position among the worker's slots
	buf   []byte // value buffer, grown once to the largest message size
	value []byte // buf[:size]: the message value, stamp first
	// sum is the CRC-32C of value's payload (after the stamp), kept while
	// the payload stays (see producer.build).
	sum   uint32
	key   []byte // nil without a key
	topic string
	// topicIndex is topic's index among the worker's topics.
	topicIndex int
	seq        uint64 // the message's sequence number (also in the stamp)
	// intendedNs and sentNs are the intended and actual send times (unix
	// ns, also in the stamp).
	intendedNs, sentNs int64
}

// producerClient sends one worker's messages. send and endTransaction
// are called from the worker's run goroutine only; completions arrive on
// the client's goroutines.
type producerClient interface {
	// send hands the messages of slots to the client. Each of them is
	// later completed exactly once through producer.settle (possibly
	// before send returns) — unless send returns an error, which means
	// that the client took none of them.
	send(ctx context.Context, slots []*slot) error
	// beginTransaction starts a transaction (transactional clients only).
	beginTransaction() error
	// endTransaction flushes every message sent so far (waiting for its
	// completion), then commits (commit true) or aborts the transaction.
	// sentNs is when the commit (or abort) request was sent, after
	// the flush (unix ns); err is nil when the transaction ended as asked.
	endTransaction(ctx context.Context, commit bool) (sentNs int64, err error)
	// blocked is called when the worker waits for a free slot (the
	// in-flight bound is reached); the function it returns is called once
	// it has one. Clients that batch with a linger use it to stop
	// lingering meanwhile, as they do when their own buffer bound blocks
	// a producer.
	blocked() (unblocked func())
	// close waits for every completion (until abort is cancelled: then it
	// fails what is still in flight) and closes the client's connections.
	close(abort context.Context)
	// settings are the client's effective settings.
	settings() report.ProducerSettings
}

// producerClientConfig is what a producer client needs besides the plan.
type producerClientConfig struct {
	plan     plan.Producers
	conn     *auth.Conn
	clientID string
	txnID    string // "" unless transactional
	slots    []*slot
	maxValue int // bytes of the largest value
	// maxRecord is the bytes of the largest message: value, key and
	// headers (messageBytes).
	maxRecord  int
	meanValue  float64 // mean value size, bytes
	seed       uint64  // for the partitioner's random choices
	partitions int     // partitions per topic, for kafka-go's derived batch size
	topics     int
	idempotent bool
	// abort, when cancelled, fails every request in flight at once.
	abort context.Context
	// brokers counts what the client sends to each broker (its
	// connections go through tapDial with it).
	brokers *brokerStats
}

// consumerClient reads for one group member.
type consumerClient interface {
	// run reads records until ctx is done, calling consumer.handle for
	// each, committing offsets on its interval; before it returns it
	// commits, leaves the group and closes its connections. Fetch and
	// commit errors are counted through the consumer, never fatal.
	run(ctx context.Context)
	// close releases the client when run was never called.
	close()
}

// consumerClientConfig is what a consumer client needs besides the plan.
type consumerClientConfig struct {
	plan     plan.Consumers
	conn     *auth.Conn
	clientID string
	group    string
	topics   []string
	// Groups start at the offsets the engine committed for them at setup
	// (see startPositions); a partition without one starts at the log
	// start.
	isolation plan.Isolation
	rack      string
	// brokers counts what the client reads from each broker (its
	// connections go through tapDial with it).
	brokers *brokerStats
	// churn asks for the group's rebalance callbacks (consumer.rebalanced;
	// franz-go only).
	churn bool
}

// The special values of admin.listOffsets' at (Kafka's ListOffsets
// timestamps).
const (
	offsetEnd   = -1
	offsetStart = -2
)

// header is one record header as the engine sees it: a view into the
// client's memory, valid during the handle call.
type header struct {
	key   string
	value []byte
}

// delivered is one record a consumer read, as the engine sees it: views
// into the client's memory, valid only during the handle call.
type delivered struct {
	topic     string
	partition int32
	offset    int64
	key       []byte
	value     []byte
	headers   []header
}

// topicState is what admin metadata says about one topic.
type topicState struct {
	err        error // the topic's error (unknown, ...), nil when fine
	partitions int   // partitions visible
	replicas   int   // replicas of partition 0
	// leaderless is the first partition without a leader, -1 when every
	// partition has one.
	leaderless int32
}

// groupInfo is what describing a consumer group says.
type groupInfo struct {
	state    string // "Stable", "PreparingRebalance", ... ("Dead" when unknown)
	members  int
	assigned int // members holding at least one partition
}

// admin is the administrative client of a step. Its methods are safe for
// concurrent use; the engine's waits, retries and error wording (admin.go)
// are built on them.
type admin interface {
	// brokers returns the brokers of fresh cluster metadata: node id →
	// address (host:port, as the clients dial it).
	brokers(ctx context.Context) (map[int32]string, error)
	// topics returns fresh metadata of the named topics (every topic when
	// names is nil).
	topics(ctx context.Context, names []string) (map[string]topicState, error)
	// createTopics creates topics with t's partitions, replication factor
	// and configs, returning each topic's error (nil: created).
	createTopics(ctx context.Context, names []string, t plan.Topics) (map[string]error, error)
	// deleteTopics deletes topics, returning each topic's error.
	deleteTopics(ctx context.Context, names []string) (map[string]error, error)
	// describeGroup describes a consumer group.
	describeGroup(ctx context.Context, group string) (groupInfo, error)
	// listOffsets returns an offset of every partition of topic: its end
	// (at == offsetEnd), its log start (offsetStart), or for at >= 0 the
	// first offset whose record timestamp is at or after at (unix ms), the
	// end offset where there is none.
	listOffsets(ctx context.Context, topic string, at int64) (map[int32]int64, error)
	// committedOffsets returns the offsets committed for group on the
	// partitions of topic that have one.
	committedOffsets(ctx context.Context, group, topic string) (map[int32]int64, error)
	// commitOffsets commits offsets of topic for an empty group.
	commitOffsets(ctx context.Context, group, topic string, offsets map[int32]int64) error
	// listGroups returns the ids of the groups whose id starts with
	// prefix.
	listGroups(ctx context.Context, prefix string) ([]string, error)
	// deleteGroups deletes (empty) groups, returning each group's error.
	deleteGroups(ctx context.Context, groups []string) (map[string]error, error)
	// close closes the admin client's connections.
	close()
}
