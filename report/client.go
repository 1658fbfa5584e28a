package report

import (
	"maps"
	"slices"
	"strings"
)

// ClientSettings are the effective settings of the Kafka client a step ran
// with: every knob the engine sets, defaults resolved (documented in
// docs/results.md). Durations are in milliseconds, sizes in bytes.
type ClientSettings struct {
	// Name is the client library: "franz-go" or "kafka-go".
	Name string `json:"name"`
	// Producer and Consumer are nil when the step had no producers or no
	// consumers.
	Producer *ProducerSettings `json:"producer,omitempty"`
	Consumer *ConsumerSettings `json:"consumer,omitempty"`
}

// ProducerSettings are the effective settings of every producer worker.
type ProducerSettings struct {
	// ClientIDs are the workers' client.id values, in worker order.
	ClientIDs []string `json:"client_ids"`
	// Acks is "0", "1" or "all".
	Acks string `json:"acks"`
	// Idempotent says whether the producers used a producer id and
	// sequence numbers (KIP-98).
	Idempotent bool `json:"idempotent"`
	// MaxInFlightRequests bounds produce requests in flight per broker
	// connection; 0 = no bound (kafka-go pipelines every partition's
	// batches).
	MaxInFlightRequests int `json:"max_in_flight_requests"`
	// Partitioner names the partitioner and its hash, e.g. "sticky
	// (keyed: murmur2)".
	Partitioner string `json:"partitioner"`
	// LingerMs is how long a batch waits to fill.
	LingerMs float64 `json:"linger_ms"`
	// BatchBytes is the most bytes per partition batch.
	BatchBytes int64 `json:"batch_bytes"`
	// BatchSize is the most messages per partition batch (kafka-go only;
	// 0 for franz-go, which batches by bytes).
	BatchSize int `json:"batch_size,omitempty"`
	// Compression is the codec.
	Compression string `json:"compression"`
	// RequestTimeoutMs bounds one produce request.
	RequestTimeoutMs float64 `json:"request_timeout_ms"`
	// Retries is how often a failed produce request is retried.
	Retries int `json:"retries"`
	// MaxBufferedRecords is the client's own bound on buffered records per
	// worker (franz-go; set above the engine's in-flight bound so that it
	// never blocks).
	MaxBufferedRecords int `json:"max_buffered_records,omitempty"`
	// MaxInFlight is the engine's bound on unacknowledged messages per
	// worker.
	MaxInFlight int `json:"max_in_flight"`
	// Transactions is set when the workers were transactional.
	Transactions *TransactionSettings `json:"transactions,omitempty"`
}

// TransactionSettings describe transactional producers.
type TransactionSettings struct {
	// TransactionalIDs are the workers' transactional ids.
	TransactionalIDs []string `json:"transactional_ids"`
	// MessagesPerTransaction or DurationMs ends a transaction.
	MessagesPerTransaction int     `json:"messages_per_transaction,omitempty"`
	DurationMs             float64 `json:"duration_ms,omitempty"`
	// AbortRatio is the share of transactions aborted.
	AbortRatio float64 `json:"abort_ratio"`
}

// ConsumerSettings are the effective settings of every consumer.
type ConsumerSettings struct {
	// ClientIDs are the consumers' client.id values, over all groups.
	ClientIDs []string `json:"client_ids"`
	// Isolation is "read_committed" or "read_uncommitted".
	Isolation string `json:"isolation"`
	// Rack is the client.rack ("" none).
	Rack string `json:"rack,omitempty"`
	// FetchMinBytes, FetchMaxBytes, MaxWaitMs and CommitIntervalMs are the
	// fetch and commit settings.
	FetchMinBytes    int64   `json:"fetch_min_bytes"`
	FetchMaxBytes    int64   `json:"fetch_max_bytes"`
	MaxWaitMs        float64 `json:"max_wait_ms"`
	CommitIntervalMs float64 `json:"commit_interval_ms"`
	// StartOffset is where new groups start: "earliest" for created
	// topics, "committed end offsets" for an existing topic.
	StartOffset string `json:"start_offset"`
}

// Throttle counts the responses brokers marked as throttled
// (throttle_time_ms > 0) during the measure and drain phases: a client
// quota, or the fixed quotas of MSK Express brokers. A step with any is
// flagged THROTTLED: its figures show the quota, not the cluster's
// capacity.
type Throttle struct {
	// ThrottleCounts sums produce and fetch responses.
	ThrottleCounts
	// Produce and Fetch split them by request.
	Produce ThrottleCounts `json:"produce"`
	Fetch   ThrottleCounts `json:"fetch"`
	// Brokers splits them by broker address (host:port).
	Brokers map[string]ThrottleCounts `json:"brokers,omitempty"`
}

// ThrottleCounts are throttled responses and their throttle times.
type ThrottleCounts struct {
	// Responses is the number of throttled responses.
	Responses int64 `json:"responses"`
	// TotalMs and MaxMs are the sum and the largest of their
	// throttle_time_ms.
	TotalMs int64 `json:"total_ms"`
	MaxMs   int64 `json:"max_ms"`
}

func (c *ThrottleCounts) add(o ThrottleCounts) {
	c.Responses += o.Responses
	c.TotalMs += o.TotalMs
	c.MaxMs = max(c.MaxMs, o.MaxMs)
}

// throttleKey is one broker's produce or fetch throttling.
type throttleKey struct {
	broker string
	fetch  bool
}

// merge adds o to t (t may be nil) and returns the result.
func (t *Throttle) merge(o *Throttle) *Throttle {
	if o == nil {
		return t
	}
	if t == nil {
		t = &Throttle{}
	}
	t.ThrottleCounts.add(o.ThrottleCounts)
	t.Produce.add(o.Produce)
	t.Fetch.add(o.Fetch)
	for b, c := range o.Brokers {
		if t.Brokers == nil {
			t.Brokers = make(map[string]ThrottleCounts)
		}
		x := t.Brokers[b]
		x.add(c)
		t.Brokers[b] = x
	}
	return t
}

// throttleFrom builds the Throttle of per-broker counts (nil when empty).
func throttleFrom(m map[throttleKey]ThrottleCounts) *Throttle {
	if len(m) == 0 {
		return nil
	}
	t := &Throttle{Brokers: make(map[string]ThrottleCounts)}
	for k, c := range m {
		t.ThrottleCounts.add(c)
		if k.fetch {
			t.Fetch.add(c)
		} else {
			t.Produce.add(c)
		}
		x := t.Brokers[k.broker]
		x.add(c)
		t.Brokers[k.broker] = x
	}
	return t
}

// Throttled reports whether any response of the step was throttled.
func (s *Step) Throttled() bool { return s.Throttle != nil && s.Throttle.Responses > 0 }

// Transactions counts the transactions of a step's transactional
// producers (measure and drain phases; a transaction belongs to the phase
// of its end).
type Transactions struct {
	// Committed and Aborted count transactions.
	Committed int64 `json:"committed"`
	Aborted   int64 `json:"aborted"`
	// Failed counts transactions whose end failed (neither committed nor
	// aborted as intended); their messages count as failed.
	Failed int64 `json:"failed,omitempty"`
}

// clientNames returns the distinct client names of r's steps, sorted.
func clientNames(r *Result) []string {
	set := map[string]bool{}
	for i := range r.Steps {
		if c := r.Steps[i].Client; c != nil && c.Name != "" {
			set[c.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// clientLine is the summary header line naming the client(s), "" when no
// step recorded one.
func clientLine(r *Result) string {
	names := clientNames(r)
	if len(names) == 0 {
		return ""
	}
	return "client " + strings.Join(names, ", ")
}
