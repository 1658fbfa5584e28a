package load

import "time"

// Plan is one fully resolved step of a scenario: every field is set (defaults
// applied, overrides and sweep values substituted) and has passed validation.
// The engine reads a Plan and never changes it. A Plan is plain data and safe
// to share between goroutines once built.
type Plan struct {
	// Scenario is the name of the scenario the step belongs to.
	Scenario string `json:"scenario"`
	// Index is the 0-based position of the step in the expanded sweep.
	Index int `json:"index"`
	// Label names the step by its sweep values, e.g. "partitions=12 message_size=1KiB";
	// "" when the scenario has no sweep.
	Label string `json:"label"`
	// Params holds the sweep values of this step by field name
	// (e.g. "topics.partitions" → "12"); nil without a sweep.
	Params map[string]string `json:"params,omitempty"`

	Brokers   []string  `json:"brokers"` // bootstrap host:port list, or ["embedded"]
	Topics    Topics    `json:"topics"`
	Producers Producers `json:"producers"`
	Consumers Consumers `json:"consumers"`
	Phases    Phases    `json:"phases"`
	// Verify turns on delivery verification of every consumed stamp.
	Verify bool `json:"verify"`
}

// Topics says which topics a step writes to and how they are created.
type Topics struct {
	Count             int               `json:"count"`              // topics created per step (>= 1)
	Partitions        int               `json:"partitions"`         // per topic (>= 1)
	ReplicationFactor int               `json:"replication_factor"` // per topic (>= 1)
	Configs           map[string]string `json:"configs,omitempty"`  // topic-level configs, e.g. "retention.ms": "3600000"
	Prefix            string            `json:"prefix"`             // topic name prefix, default "mskbench-"
	Keep              bool              `json:"keep"`               // do not delete the created topics at teardown
	// Existing, when not "", is the name of a pre-existing topic to use instead of
	// creating topics (explicit opt-in to write into it). It is never deleted.
	Existing string `json:"existing,omitempty"`
}

// Producers describes the producer worker pool.
type Producers struct {
	Workers int `json:"workers"` // producer workers, each its own kafka.Writer + kafka.Transport (>= 0)
	// Rate is the total offered rate across all workers.
	Rate        Rate     `json:"rate"`
	MessageSize SizeDist `json:"message_size"` // value size in bytes, including the stamp
	// Compressibility is the fraction (0..1) of each payload that is
	// compressible (zero bytes); the rest is random bytes. 0 = incompressible.
	Compressibility float64     `json:"compressibility"`
	Keys            Keys        `json:"keys"`
	Acks            Acks        `json:"acks"`
	Compression     Compression `json:"compression"`
	BatchSize       int         `json:"batch_size"`    // messages per batch (kafka-go BatchSize)
	BatchBytes      Size        `json:"batch_bytes"`   // max bytes per request (kafka-go BatchBytes)
	Linger          Duration    `json:"linger"`        // kafka-go BatchTimeout
	MaxInFlight     int         `json:"max_in_flight"` // max unacknowledged messages per worker (>= 1)
}

// Consumers describes the consumer groups. Groups == 0 means produce only.
type Consumers struct {
	Groups         int      `json:"groups"`          // consumer groups, each reads every message
	PerGroup       int      `json:"per_group"`       // kafka.Readers per group
	FetchMinBytes  Size     `json:"fetch_min_bytes"` // kafka-go MinBytes
	FetchMaxBytes  Size     `json:"fetch_max_bytes"` // kafka-go MaxBytes
	MaxWait        Duration `json:"max_wait"`        // kafka-go MaxWait
	CommitInterval Duration `json:"commit_interval"` // kafka-go CommitInterval (> 0: never per message)
}

// Phases are the time limits of a step.
type Phases struct {
	Warmup         Duration `json:"warmup"`          // load on, statistics discarded
	Duration       Duration `json:"duration"`        // measured phase
	DrainTimeout   Duration `json:"drain_timeout"`   // bound on waiting for acks and consumers after producers stop
	ReportInterval Duration `json:"report_interval"` // histogram rotation and progress interval
}

// Duration is a time.Duration that reads and writes as text ("30s", "1m30s").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Size is a number of bytes. It reads "1KiB", "1KB", "1.5MiB", "100B" or "100".
// KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024.
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

// Rate is a total offered rate: "5000/s" (messages), "50MB/s" or "50MiB/s"
// (value bytes), or "max".
type Rate struct {
	Unit   RateUnit `json:"-"`
	PerSec float64  `json:"-"` // messages/s for RateMsgs, bytes/s for RateBytes; 0 for RateMax
}

// SizeDist is a message size distribution. Exactly one form is used:
// Fixed > 0 (every message that size), Min/Max (uniform in [Min, Max]), or
// Weighted (sizes chosen with probability weight/sum of weights).
type SizeDist struct {
	Fixed    Size           `json:"fixed,omitempty"`
	Min      Size           `json:"min,omitempty"`
	Max      Size           `json:"max,omitempty"`
	Weighted []WeightedSize `json:"weighted,omitempty"`
}

// WeightedSize is one entry of a weighted size list.
type WeightedSize struct {
	Size   Size    `json:"size"`
	Weight float64 `json:"weight"`
}

// KeyMode says how message keys are chosen.
type KeyMode string

const (
	KeysNone       KeyMode = "none"        // no key: the balancer spreads messages round-robin
	KeysRandom     KeyMode = "random"      // uniform over Cardinality distinct keys
	KeysRoundRobin KeyMode = "round-robin" // cycle through Cardinality distinct keys
	KeysHot        KeyMode = "hot"         // HotFraction of messages use one hot key, the rest uniform over Cardinality
)

// Keys says how message keys are generated.
type Keys struct {
	Mode        KeyMode `json:"mode"`
	Cardinality int     `json:"cardinality,omitempty"`  // distinct keys (>= 1 unless Mode is none)
	HotFraction float64 `json:"hot_fraction,omitempty"` // 0..1, Mode hot only
}

// Acks is the producer acknowledgement level: 0, 1 or -1 ("all").
type Acks int

// Compression is a producer compression codec: "none", "gzip", "snappy", "lz4", "zstd".
type Compression string
