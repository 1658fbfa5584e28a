package plan

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Client names the Kafka client library a step runs on: its producers,
// consumers and admin requests. The zero value means [ClientFranzGo].
type Client string

// The clients.
const (
	// ClientFranzGo is github.com/twmb/franz-go (kgo and kadm), the default:
	// idempotent by default, transactions, rack-aware fetching, broker
	// throttling reported by a hook.
	ClientFranzGo Client = "franz-go"
	// ClientKafkaGo is github.com/segmentio/kafka-go: no idempotent or
	// transactional producer (segmentio/kafka-go#797, #233) and no
	// client.rack.
	ClientKafkaGo Client = "kafka-go"
)

// Clients returns the accepted Client values, the default first.
func Clients() []string { return []string{string(ClientFranzGo), string(ClientKafkaGo)} }

// ParseClient reads a client name: franz-go or kafka-go (case-insensitive).
func ParseClient(s string) (Client, error) {
	switch c := Client(strings.ToLower(strings.TrimSpace(s))); c {
	case ClientFranzGo, ClientKafkaGo:
		return c, nil
	}
	return "", fmt.Errorf("invalid client %q: want franz-go or kafka-go", strings.TrimSpace(s))
}

// UnmarshalText reads a client as ParseClient does.
func (c *Client) UnmarshalText(text []byte) error {
	v, err := ParseClient(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalText writes the client name ("franz-go" for the zero value).
func (c Client) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// String returns the client name; the zero value is "franz-go".
func (c Client) String() string {
	if c == "" {
		return string(ClientFranzGo)
	}
	return string(c)
}

// Partitioner says how a producer picks the partition of a message.
type Partitioner string

// The partitioners. Keyed messages are placed by the murmur2 hash of their
// key (the Java client's Utils.murmur2, positive, modulo the partition
// count) with sticky and hash, so a key lands where a Java producer would
// put it.
const (
	// PartitionSticky (the default) sends unkeyed messages to one
	// partition until about 64 KiB went there, then moves on (KIP-480 and
	// KIP-794, the Java client's default); keyed messages by murmur2.
	PartitionSticky Partitioner = "sticky"
	// PartitionRoundRobin spreads every message, keyed or not, over the
	// partitions in turn.
	PartitionRoundRobin Partitioner = "round-robin"
	// PartitionHash places keyed messages by murmur2 and unkeyed messages
	// round-robin.
	PartitionHash Partitioner = "hash"
)

// ParsePartitioner reads sticky, round-robin or hash (case-insensitive).
func ParsePartitioner(s string) (Partitioner, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "round_robin" || v == "roundrobin" {
		v = string(PartitionRoundRobin)
	}
	switch p := Partitioner(v); p {
	case PartitionSticky, PartitionRoundRobin, PartitionHash:
		return p, nil
	}
	return "", fmt.Errorf("invalid partitioner %q: want sticky, round-robin or hash", strings.TrimSpace(s))
}

// UnmarshalText reads a partitioner as ParsePartitioner does; empty text
// is the zero value (the default).
func (p *Partitioner) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = ""
		return nil
	}
	v, err := ParsePartitioner(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalText writes the partitioner name.
func (p Partitioner) MarshalText() ([]byte, error) { return []byte(p), nil }

// String returns the partitioner name.
func (p Partitioner) String() string { return string(p) }

// Isolation is the isolation level of consumers' fetches.
type Isolation string

// The isolation levels.
const (
	// ReadUncommitted reads every record written, aborted transactions
	// included.
	ReadUncommitted Isolation = "read_uncommitted"
	// ReadCommitted reads records of committed transactions (and
	// non-transactional records) only, each once its transaction's commit
	// marker is written: its end-to-end latency includes that wait.
	ReadCommitted Isolation = "read_committed"
)

// ParseIsolation reads read_committed or read_uncommitted ("-" for "_"
// accepted).
func ParseIsolation(s string) (Isolation, error) {
	v := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	switch i := Isolation(v); i {
	case ReadCommitted, ReadUncommitted:
		return i, nil
	}
	return "", fmt.Errorf("invalid isolation %q: want read_committed or read_uncommitted", strings.TrimSpace(s))
}

// UnmarshalText reads an isolation level as ParseIsolation does; empty
// text is the zero value (the default).
func (i *Isolation) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*i = ""
		return nil
	}
	v, err := ParseIsolation(string(text))
	if err != nil {
		return err
	}
	*i = v
	return nil
}

// MarshalText writes the isolation level.
func (i Isolation) MarshalText() ([]byte, error) { return []byte(i), nil }

// String returns the isolation level.
func (i Isolation) String() string { return string(i) }

// RackAutoAZ is the Consumers.Rack value that takes the rack from the
// environment variable [RackEnv] on the load generator.
const RackAutoAZ = "auto-az"

// RackEnv names the environment variable `rack: auto-az` reads: the
// availability-zone id of the host (e.g. use1-az2), which is what MSK
// brokers carry as broker.rack. mskbench never asks the instance-metadata
// service itself; docs/clients.md shows how to fill the variable on EC2,
// ECS and EKS.
const RackEnv = "MSKBENCH_RACK"

// Transactions makes every producer worker transactional (franz-go
// only): each worker has its own transactional id, begins a transaction,
// sends MessagesPerTransaction messages (or for Duration), flushes and
// commits — or aborts a share AbortRatio of its transactions, spread
// evenly: transaction t (from 0) aborts when ⌊(t+1)·r⌋ > ⌊t·r⌋.
type Transactions struct {
	// MessagesPerTransaction ends a transaction after this many messages
	// (>= 1). Exactly one of it and Duration is set.
	MessagesPerTransaction int `json:"messages_per_transaction,omitempty"`
	// Duration ends a transaction this long after its first message (> 0).
	Duration Duration `json:"duration,omitempty"`
	// AbortRatio is the share 0..1 of transactions aborted instead of
	// committed (default 0).
	AbortRatio float64 `json:"abort_ratio"`
}

// Defaults of the client settings.
const (
	// DefaultRequestTimeout bounds one produce request (both clients'
	// default).
	DefaultRequestTimeout = 10 * time.Second
	// DefaultRetries is how often a failed produce request is retried.
	DefaultRetries = 10
	// DefaultProducerClientID and DefaultConsumerClientID prefix the
	// client ids of the workers: prefix + "-" + worker index.
	DefaultProducerClientID = "mskbench-producer"
	DefaultConsumerClientID = "mskbench-consumer"
	// IdempotentMaxInFlightRequests is the most produce requests per
	// connection an idempotent producer may have in flight (Kafka's limit;
	// franz-go always uses it when idempotent).
	IdempotentMaxInFlightRequests = 5
)

// DefaultProducerWorkers is the default Producers.Workers:
// max(2, min(GOMAXPROCS, 8)). One worker per available core keeps every
// core busy without workers queueing behind each other; two at least, so
// one worker waiting for its client never stalls the schedule; at most 8,
// since each worker opens its own connections to every broker.
func DefaultProducerWorkers() int { return max(2, min(runtime.GOMAXPROCS(0), 8)) }

// IdempotentFor returns whether the producers are idempotent on client c:
// Idempotent when set, otherwise true on franz-go with acks all (like the
// Java producer since Kafka 3.0) and false on kafka-go, which has none.
func (p Producers) IdempotentFor(c Client) bool {
	if p.Idempotent != nil {
		return *p.Idempotent
	}
	return c.String() == string(ClientFranzGo) && p.Acks == AcksAll
}

// IsolationOrDefault returns Consumers.Isolation, or its default when
// unset: read_committed when the producers are transactional, else
// read_uncommitted (the Kafka default).
func (p Plan) IsolationOrDefault() Isolation {
	return Workload{Producers: p.Producers, Consumers: p.Consumers}.IsolationOrDefault()
}

// IsolationOrDefault returns the workload's Consumers.Isolation, or its
// default as [Plan.IsolationOrDefault] says.
func (w Workload) IsolationOrDefault() Isolation {
	if w.Consumers.Isolation != "" {
		return w.Consumers.Isolation
	}
	if w.Producers.Transactions != nil {
		return ReadCommitted
	}
	return ReadUncommitted
}

// ClientProblems returns what p asks of its client that the client cannot
// do, and the client settings that contradict each other, keyed by the
// scenario path of the offending field ("producers.idempotent"); nil when
// there is none. It is the one table of what each client supports:
// scenarios reports these problems at their file:line:column, and the
// engine refuses a plan that has any.
func (p Plan) ClientProblems() []Problem {
	c := p.Client.String()
	if c != string(ClientFranzGo) && c != string(ClientKafkaGo) {
		pb := problem("client", "unknown client %q; want franz-go or kafka-go", string(p.Client))
		pb.Value, pb.Choices = string(p.Client), Clients()
		return []Problem{pb}
	}
	if len(p.Workloads) == 0 {
		return clientProblems(p.Client, p.Producers, p.Consumers, "")
	}
	var out []Problem
	for i, w := range p.Workloads {
		out = append(out, clientProblems(p.Client, w.Producers, w.Consumers, fmt.Sprintf("workloads[%d].", i))...)
	}
	return out
}

// clientProblems returns the ClientProblems of one workload's producers and
// consumers on client cl, their fields prefixed with prefix.
func clientProblems(cl Client, pr Producers, cs Consumers, prefix string) []Problem {
	var out []Problem
	problem := func(field, format string, args ...any) Problem {
		return problem(prefix+field, format, args...)
	}
	kafkaGo := cl.String() == string(ClientKafkaGo)
	idem := pr.IdempotentFor(cl)
	if kafkaGo && pr.Idempotent != nil && *pr.Idempotent {
		out = append(out, problem("producers.idempotent", "kafka-go has no idempotent producer (segmentio/kafka-go#797); use client franz-go or leave {producers.idempotent} unset (false on kafka-go)"))
	}
	if pr.Idempotent != nil && *pr.Idempotent && pr.Acks != AcksAll {
		out = append(out, problem("producers.idempotent", "an idempotent producer needs acks all, got acks %s", pr.Acks))
	}
	switch n := pr.MaxInFlightRequests; {
	case n < 0:
		out = append(out, problem("producers.max_in_flight_requests", "must not be negative (0 = the client's default), got %d", n))
	case n > 0 && kafkaGo:
		out = append(out, problem("producers.max_in_flight_requests", "kafka-go has no limit of requests in flight per connection (it pipelines every partition's batches); use client franz-go or leave it unset"))
	case n > 0 && idem && n != IdempotentMaxInFlightRequests:
		out = append(out, problem("producers.max_in_flight_requests", "an idempotent franz-go producer keeps up to %d requests in flight per broker (Kafka's limit), got %d; set {producers.idempotent} false to choose another value", IdempotentMaxInFlightRequests, n))
	}
	if t := pr.Transactions; t != nil {
		if kafkaGo {
			out = append(out, problem("producers.transactions", "kafka-go has no transactional producer (segmentio/kafka-go#233, #897); use client franz-go"))
		}
		if pr.Idempotent != nil && !*pr.Idempotent {
			out = append(out, problem("producers.transactions", "a transactional producer is idempotent; remove {producers.idempotent}: false"))
		} else if pr.Acks != AcksAll {
			out = append(out, problem("producers.transactions", "a transactional producer needs acks all, got acks %s", pr.Acks))
		}
		switch {
		case t.MessagesPerTransaction < 0:
			out = append(out, problem("producers.transactions.messages_per_transaction", "must be at least 1, got %d", t.MessagesPerTransaction))
		case (t.MessagesPerTransaction > 0) == (t.Duration > 0):
			out = append(out, problem("producers.transactions", "give exactly one of {producers.transactions.messages_per_transaction} and {producers.transactions.duration}"))
		}
		if !(t.AbortRatio >= 0 && t.AbortRatio <= 1) {
			out = append(out, problem("producers.transactions.abort_ratio", "must be between 0 and 1, got %g", t.AbortRatio))
		}
	}
	if cs.Rack != "" && kafkaGo {
		out = append(out, problem("consumers.rack", "kafka-go cannot fetch from a follower in its rack (no client.rack; segmentio/kafka-go PR #1434 is open); use client franz-go or remove {consumers.rack}"))
	}
	if cs.Churn.Active() && cs.Groups > 0 && kafkaGo {
		out = append(out, problem("consumers.churn", "kafka-go's Reader reports no group rebalance (no revoke or assign callbacks), so rebalances cannot be timed; use client franz-go or remove {consumers.churn}"))
	}
	if pr.Retries < 0 {
		out = append(out, problem("producers.retries", "must not be negative, got %d", pr.Retries))
	}
	if pr.RequestTimeout < 0 {
		out = append(out, problem("producers.request_timeout", "must not be negative"))
	}
	return out
}
