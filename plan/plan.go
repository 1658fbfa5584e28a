// Package plan holds the plain data that flows from a scenario to the
// engine: [Plan] (one fully resolved step), its parts (Topics, Producers,
// Consumers, Phases), the value types users write (Duration, Size, Rate,
// SizeDist, Keys, Acks, Compression, Percent) with their one text form for
// YAML, --set, flags and JSON, the authentication settings [Auth] with their
// one validation, the broker-metrics settings [Monitoring], and the one
// table of defaults ([Defaults], [DefaultAuth], [DefaultMonitoring]).
//
// Both scenarios (which builds plans) and load (which runs them) import
// plan, so that parsing a scenario links no Kafka client. plan imports the
// standard library only: no Kafka client, no AWS SDK, no YAML, nothing of
// mskbench. Every type here is plain data, safe to share between
// goroutines once built.
package plan

import "time"

// Plan is one fully resolved step of a scenario: every field is set (defaults
// applied, overrides and sweep values substituted) and has passed validation.
// The engine reads a Plan and never changes it; for a field left at a zero
// that is not valid it falls back to [Defaults] (see [Plan.WithDefaults]),
// so a hand-built Plan behaves like one from a scenario. A Plan is plain data
// and safe to share between goroutines once built. Its JSON form is recorded
// in every result step ("plan"), so field names and tags are part of the
// result schema.
type Plan struct {
	// Scenario is the name of the scenario the step belongs to.
	Scenario string `json:"scenario"`
	// Index is the 0-based position of the step in the run; topic and group
	// names derive from it, so it must be unique within a run.
	Index int `json:"index"`
	// Label names the step by its sweep values, e.g. "partitions=12 message_size=1KiB";
	// "" when the scenario has no sweep.
	Label string `json:"label"`
	// Params holds the sweep values of this step by field name
	// (e.g. "topics.partitions" → "12"); nil without a sweep.
	Params map[string]string `json:"params,omitempty"`

	// Brokers is the bootstrap host:port list, or ["embedded"] for the
	// in-process cluster; empty when the brokers are discovered from
	// Auth.ClusterARN.
	Brokers []string `json:"brokers"`
	// Topics, Producers, Consumers and Phases are the step's settings, in
	// the shape of the scenario blocks of the same names.
	Topics    Topics    `json:"topics"`
	Producers Producers `json:"producers"`
	Consumers Consumers `json:"consumers"`
	Phases    Phases    `json:"phases"`
	// Verify turns on delivery verification of every consumed stamp
	// (default true).
	Verify bool `json:"verify"`
	// Client is the Kafka client library of the step's producers,
	// consumers and admin requests (default franz-go; see [Client] and
	// [Plan.ClientProblems] for what each supports).
	Client Client `json:"client"`
	// Workloads, when not empty, are the step's topic groups, each with
	// its own topics, producers and consumers, run at the same time; the
	// engine then ignores Topics, Producers and Consumers above (the
	// scenario's blocks every workload inherited from). Without them the
	// step is one implicit workload of Topics, Producers and Consumers
	// (see [Plan.WorkloadList]).
	Workloads []Workload `json:"workloads,omitempty"`
}

// Name names the step in logs: its Label, or the scenario's name for a step
// without one.
func (p Plan) Name() string {
	if p.Label == "" {
		return p.Scenario
	}
	return p.Label
}

// Topics says which topics a step writes to and how they are created.
type Topics struct {
	// Count is the number of topics created per step (>= 1; default 1; must
	// be 1 with Existing).
	Count int `json:"count"`
	// Partitions per topic (>= 1; default 6).
	Partitions int `json:"partitions"`
	// ReplicationFactor per topic (>= 1 and at most the broker count;
	// default 3).
	ReplicationFactor int `json:"replication_factor"`
	// Configs are topic-level configs, e.g. "retention.ms": "3600000".
	Configs map[string]string `json:"configs,omitempty"`
	// Prefix starts every created topic and group name (default
	// "mskbench-"): Prefix + run id + "-" + step index + "-" + topic index.
	// It must not be empty unless Existing is set: teardown deletes only
	// the topics the step created, by name.
	Prefix string `json:"prefix"`
	// Keep leaves the created topics in place at teardown.
	Keep bool `json:"keep"`
	// Existing, when not "", is the name of a pre-existing topic to use instead of
	// creating topics (explicit opt-in to write into it). It is never deleted.
	Existing string `json:"existing,omitempty"`
}

// Producers describes the producer worker pool.
type Producers struct {
	// Workers is the number of producer workers (>= 0; default 2), each with
	// its own client and connections, like a separate producer process. 0
	// runs consumers only (with Topics.Existing).
	Workers int `json:"workers"`
	// Rate is the total offered rate across all workers (default 1000/s), an
	// open model: a slow cluster does not lower it.
	Rate Rate `json:"rate"`
	// MessageSize is the distribution of value sizes in bytes, the stamp
	// included (so every size is at least [MinMessageSize]; default 1KiB).
	MessageSize SizeDist `json:"message_size"`
	// Compressibility is the fraction (0..1) of each payload that is
	// compressible (zero bytes); the rest is random bytes. 0 = incompressible
	// (default 0.5).
	Compressibility float64 `json:"compressibility"`
	// Keys says how message keys are chosen (default none).
	Keys Keys `json:"keys"`
	// Acks is the acknowledgement level (default all).
	Acks Acks `json:"acks"`
	// Compression is the producer codec (default none).
	Compression Compression `json:"compression"`
	// BatchSize is the most messages per partition batch (>= 0), kafka-go
	// only (its BatchSize; franz-go batches by bytes). 0, the default,
	// derives it: min(⌈BatchBytes ÷ mean message size⌉, ⌈MaxInFlight ÷
	// partitions written⌉), since kafka-go allocates room for BatchSize
	// messages in every batch it opens and a batch never holds more than a
	// worker's in-flight messages over its partitions.
	BatchSize int `json:"batch_size"`
	// BatchBytes is the most bytes per partition batch (>= 1; default 1MiB;
	// franz-go ProducerBatchMaxBytes, kafka-go BatchBytes). It must hold the
	// largest message.
	BatchBytes Size `json:"batch_bytes"`
	// Linger is how long a batch waits to fill (>= 0; default 5ms;
	// franz-go ProducerLinger, kafka-go BatchTimeout). 0 sends at once.
	Linger Duration `json:"linger"`
	// MaxInFlight bounds unacknowledged messages per worker (>= 1; default
	// 2000): the back-pressure of the open model, and at rate max the queue
	// in front of the cluster.
	MaxInFlight int `json:"max_in_flight"`
	// Idempotent makes the producers idempotent (KIP-98: a producer id and
	// per-partition sequence numbers, so retries never duplicate); nil
	// means the client's default ([Producers.IdempotentFor]: true on
	// franz-go with acks all, false on kafka-go, which refuses true).
	Idempotent *bool `json:"idempotent,omitempty"`
	// MaxInFlightRequests bounds produce requests in flight per broker
	// connection (>= 0; 0 = the client's default: 5 on franz-go; kafka-go
	// takes no value). Idempotent franz-go producers always use 5.
	MaxInFlightRequests int `json:"max_in_flight_requests,omitempty"`
	// Partitioner picks partitions (default sticky; see [Partitioner]).
	Partitioner Partitioner `json:"partitioner"`
	// RequestTimeout bounds one produce request (> 0; default 10s;
	// franz-go ProduceRequestTimeout, kafka-go WriteTimeout).
	RequestTimeout Duration `json:"request_timeout"`
	// Retries is how often a failed produce request is retried before its
	// messages fail (>= 0; default 10).
	Retries int `json:"retries"`
	// ClientID prefixes the Kafka client.id of each worker: ClientID + "-"
	// + worker index (default "mskbench-producer"), so client quotas can
	// be tested.
	ClientID string `json:"client_id"`
	// Transactions, when set, makes every worker transactional (franz-go
	// only; see [Transactions]).
	Transactions *Transactions `json:"transactions,omitempty"`
	// Headers are the record headers of every message (default none; see
	// [Headers]).
	Headers Headers `json:"headers,omitzero"`
	// Payload, when active, takes message values from a sample file (see
	// [Payload]); MessageSize and Compressibility are then unused.
	Payload Payload `json:"payload,omitzero"`
}

// Consumers describes the consumer groups. Groups == 0 means produce only.
type Consumers struct {
	// Groups is the number of consumer groups (>= 0; default 1); each reads
	// every message.
	Groups int `json:"groups"`
	// PerGroup is the number of consumers in each group (>= 1 when Groups >
	// 0; default 2); more than the partitions leaves some idle.
	PerGroup int `json:"per_group"`
	// FetchMinBytes is the least a fetch waits for (>= 1; default 1B;
	// kafka-go MinBytes).
	FetchMinBytes Size `json:"fetch_min_bytes"`
	// FetchMaxBytes is the most a fetch returns (>= FetchMinBytes; default
	// 10MiB; kafka-go MaxBytes).
	FetchMaxBytes Size `json:"fetch_max_bytes"`
	// MaxWait bounds how long a fetch waits for FetchMinBytes (> 0; default
	// 250ms; kafka-go MaxWait).
	MaxWait Duration `json:"max_wait"`
	// CommitInterval is how often offsets are committed (> 0, never per
	// message; default 1s; kafka-go CommitInterval).
	CommitInterval Duration `json:"commit_interval"`
	// Isolation is the fetch isolation level; "" means
	// [Plan.IsolationOrDefault]: read_committed with transactional
	// producers, read_uncommitted otherwise.
	Isolation Isolation `json:"isolation,omitempty"`
	// Rack is the client.rack of the consumers, so that brokers with a
	// replica selector (MSK: replica.selector.class =
	// RackAwareReplicaSelector) serve fetches from a follower in the same
	// availability zone (KIP-392; franz-go only). [RackAutoAZ] reads it
	// from the environment variable [RackEnv]. "" sets none.
	Rack string `json:"rack,omitempty"`
	// ClientID prefixes the Kafka client.id of each consumer: ClientID +
	// "-" + consumer index, counted over all groups (default
	// "mskbench-consumer").
	ClientID string `json:"client_id"`
	// Start is where the groups start reading (default latest; see
	// [StartOffset]).
	Start StartOffset `json:"start"`
	// GroupID, when not "", is the id of the consumer group instead of
	// the run's own name (Groups 1), or the prefix of the ids GroupID +
	// "-" + group index; such groups are the user's and never deleted.
	// Start committed needs it.
	GroupID string `json:"group_id,omitempty"`
	// Churn makes members leave and rejoin during the measured phase
	// (default none; see [Churn]).
	Churn Churn `json:"churn,omitzero"`
}

// Phases are the time limits of a step.
type Phases struct {
	// Warmup is the load before measuring, statistics discarded (>= 0;
	// default 5s).
	Warmup Duration `json:"warmup"`
	// Duration is the measured phase (> 0; default 60s).
	Duration Duration `json:"duration"`
	// DrainTimeout bounds waiting for acks and consumers after producers
	// stop (> 0 in effect; default 10s; 0 means the default).
	DrainTimeout Duration `json:"drain_timeout"`
	// ReportInterval is the histogram rotation and progress interval (> 0
	// and <= Duration; default 1s).
	ReportInterval Duration `json:"report_interval"`
	// Backlog, when active, is a phase before the measured one that builds
	// a backlog with the consumers paused (see [Backlog]).
	Backlog Backlog `json:"backlog,omitzero"`
}

// MinMessageSize is the smallest message value the engine sends, in bytes:
// the stamp every value starts with (load.StampSize, whose layout is in
// load/stamp.go). Every size of Producers.MessageSize must be at least this.
const MinMessageSize = 45

// Duration is a time.Duration that reads and writes as text ("30s",
// "1m30s", "250ms"; "0" is zero). Negative durations are rejected when read.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Size is a number of bytes. It reads "1KiB", "1KB", "1.5MiB", "100B" or "100"
// (units case-insensitive, fractions rounded to whole bytes, never negative)
// and writes the shortest exact form. KB/MB/GB are powers of 1000,
// KiB/MiB/GiB powers of 1024. In JSON it is a string or a number of bytes.
type Size int64

// RateUnit says what a Rate counts.
type RateUnit int

const (
	// RateMax sends as fast as the in-flight bound allows.
	RateMax RateUnit = iota
	// RateMsgs counts messages per second.
	RateMsgs
	// RateBytes counts value bytes per second.
	RateBytes
)

// Rate is a total offered rate across all workers: "5000/s" (messages),
// "50MB/s" or "50MiB/s" (value bytes), or "max". The zero Rate is max. It
// reads and writes as text (also in JSON); [Rate.MsgsPerSec] is the one
// conversion of a byte rate into messages per second.
type Rate struct {
	// Unit says what PerSec counts.
	Unit RateUnit `json:"-"`
	// PerSec is messages/s for RateMsgs, value bytes/s for RateBytes
	// (> 0 to be valid), 0 for RateMax.
	PerSec float64 `json:"-"`
}

// SizeDist is a message size distribution in bytes. Exactly one form is
// used: Fixed > 0 (every message that size), Min/Max (uniform in [Min, Max]),
// or Weighted (sizes chosen with probability weight / sum of weights). The
// one-line text form is "1KiB", "100B..2KiB" or "100B:3,10KiB:1".
type SizeDist struct {
	// Fixed, when > 0, is the size of every message.
	Fixed Size `json:"fixed,omitempty"`
	// Min and Max bound a uniform distribution (Min <= Max).
	Min Size `json:"min,omitempty"`
	Max Size `json:"max,omitempty"`
	// Weighted lists sizes with their relative weights (> 0).
	Weighted []WeightedSize `json:"weighted,omitempty"`
}

// WeightedSize is one entry of a weighted size list.
type WeightedSize struct {
	Size   Size    `json:"size"`   // bytes, stamp included
	Weight float64 `json:"weight"` // relative weight, > 0
}

// KeyMode says how message keys are chosen.
type KeyMode string

const (
	KeysNone       KeyMode = "none"        // no key: the balancer spreads messages round-robin
	KeysRandom     KeyMode = "random"      // uniform over Cardinality distinct keys (the same as uniform)
	KeysUniform    KeyMode = "uniform"     // uniform over Cardinality distinct keys
	KeysRoundRobin KeyMode = "round-robin" // each worker cycles through Cardinality distinct keys
	KeysHot        KeyMode = "hot"         // HotFraction of messages use one hot key, the rest uniform over Cardinality
	// KeysSequential gives the merged schedule of a workload's workers the
	// keys First, First+1, ... First+Cardinality-1 in turn: message i
	// carries key First + i mod Cardinality (a key range, KIP-1299 style).
	KeysSequential KeyMode = "sequential"
	// KeysZipf draws keys of rank 1..Cardinality with probability
	// proportional to 1/rank^Exponent (key-0 is the most frequent).
	KeysZipf KeyMode = "zipf"
)

// Keys says how message keys are generated. A key is the text "key-"
// followed by its number in decimal (key-0 ... key-999).
type Keys struct {
	// Mode is none, random, uniform, round-robin, hot, sequential or zipf
	// (default none).
	Mode KeyMode `json:"mode"`
	// Cardinality is the number of distinct keys (>= 1 unless Mode is none;
	// a scenario defaults it to 1000 for keyed modes).
	Cardinality int `json:"cardinality,omitempty"`
	// HotFraction is the share 0..1 of messages with the hot key (Mode hot
	// only; a scenario defaults it to 0.8).
	HotFraction float64 `json:"hot_fraction,omitempty"`
	// Exponent is the exponent S of a zipf distribution (> 0; Mode zipf
	// only; a scenario defaults it to 1).
	Exponent float64 `json:"exponent,omitempty"`
	// First is the number of the first key of a sequential range (>= 0;
	// Mode sequential only).
	First int64 `json:"first,omitempty"`
}

// Keyed reports whether messages carry keys.
func (k Keys) Keyed() bool { return k.Mode != "" && k.Mode != KeysNone }

// Acks is the producer acknowledgement level: 0, 1 or -1 ("all").
type Acks int

// Compression is a producer compression codec: "none", "gzip", "snappy", "lz4", "zstd".
type Compression string
