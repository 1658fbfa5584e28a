package plan

import (
	"fmt"
	"strings"
	"time"
)

// This file holds the settings of issue 13's workloads: topic groups
// (Workload), where consumers start (StartOffset), the backlog phase
// (Backlog), record headers (Headers), payloads from sample files
// (Payload) and consumer churn (Churn).

// Workload is one named group of topics with its own producers and
// consumer groups (the scenario's workloads: list). A step with several
// workloads runs them at the same time, each on its own topics, and
// reports each apart and in total. A scenario's workload inherits every
// field of the scenario's topics, producers and consumers blocks it does
// not write; the plan holds the resolved values.
type Workload struct {
	// Name names the workload in results, topic and group names: letters,
	// digits, '.', '_' and '-', unique within the step.
	Name string `json:"name"`
	// Topics, Producers and Consumers are the workload's settings, in the
	// shape of the plan's blocks of the same names.
	Topics    Topics    `json:"topics"`
	Producers Producers `json:"producers"`
	Consumers Consumers `json:"consumers"`
}

// WorkloadList returns the workloads of the step: Workloads, or for a plan
// without them the one implicit workload of its Topics, Producers and
// Consumers, named "" (its topics and groups are named as they always
// were).
func (p Plan) WorkloadList() []Workload {
	if len(p.Workloads) > 0 {
		return p.Workloads
	}
	return []Workload{{Topics: p.Topics, Producers: p.Producers, Consumers: p.Consumers}}
}

// StartMode says where a consumer group starts reading.
type StartMode string

// The start modes.
const (
	// StartLatest (the default) starts at the end of every partition as
	// the step begins: a consumer reads what is produced during the step.
	// The end offsets are committed for the (new) groups before any
	// member joins, so nothing produced in between is skipped.
	StartLatest StartMode = "latest"
	// StartEarliest starts at the log start of every partition: every
	// message still in the topic.
	StartEarliest StartMode = "earliest"
	// StartCommitted starts at the offsets committed for the group
	// (Consumers.GroupID names it); partitions without a committed
	// offset start at the earliest.
	StartCommitted StartMode = "committed"
	// StartTimestamp starts at the first message of every partition with
	// a timestamp at or after StartOffset.At (or StartOffset.Ago before
	// the step begins).
	StartTimestamp StartMode = "timestamp"
)

// StartOffset is where the consumer groups of a step start: "latest",
// "earliest", "committed", "timestamp(2026-01-02T15:04:05Z)" (RFC 3339)
// or "timestamp(-10m)" (that long before the step begins). The zero value
// is latest. It reads and writes as that text (also in JSON).
type StartOffset struct {
	// Mode is the start mode; "" means StartLatest.
	Mode StartMode
	// At is the absolute time of a timestamp start (zero when Ago is used).
	At time.Time
	// Ago is the time before the step begins of a relative timestamp start.
	Ago Duration
}

// ParseStartOffset reads a start offset as StartOffset describes.
func ParseStartOffset(s string) (StartOffset, error) {
	v := strings.TrimSpace(s)
	switch m := StartMode(strings.ToLower(v)); m {
	case "", StartLatest:
		return StartOffset{Mode: StartLatest}, nil
	case StartEarliest, StartCommitted:
		return StartOffset{Mode: m}, nil
	}
	const want = "want latest, earliest, committed, timestamp(RFC3339 time) or timestamp(-duration), e.g. timestamp(2026-01-02T15:04:05Z) or timestamp(-10m)"
	arg, ok := strings.CutPrefix(strings.ToLower(v), "timestamp(")
	if !ok || !strings.HasSuffix(arg, ")") {
		return StartOffset{}, fmt.Errorf("invalid start %q: %s", v, want)
	}
	arg = strings.TrimSpace(v[len("timestamp(") : len(v)-1])
	if rest, ok := strings.CutPrefix(arg, "-"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d <= 0 {
			return StartOffset{}, fmt.Errorf("invalid start %q: %q is not a positive duration such as 10m; %s", v, rest, want)
		}
		return StartOffset{Mode: StartTimestamp, Ago: Duration(d)}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, arg)
	if err != nil {
		return StartOffset{}, fmt.Errorf("invalid start %q: %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z; %s", v, arg, want)
	}
	return StartOffset{Mode: StartTimestamp, At: t.UTC()}, nil
}

// ModeOrDefault returns Mode, or StartLatest when it is empty.
func (o StartOffset) ModeOrDefault() StartMode {
	if o.Mode == "" {
		return StartLatest
	}
	return o.Mode
}

// String writes o in the form ParseStartOffset reads.
func (o StartOffset) String() string {
	switch m := o.ModeOrDefault(); m {
	case StartTimestamp:
		if o.At.IsZero() {
			return "timestamp(-" + o.Ago.String() + ")"
		}
		return "timestamp(" + o.At.UTC().Format(time.RFC3339Nano) + ")"
	default:
		return string(m)
	}
}

// TimeFor returns the time a timestamp start reads from for a step that
// begins at begin: At, or begin − Ago.
func (o StartOffset) TimeFor(begin time.Time) time.Time {
	if !o.At.IsZero() {
		return o.At
	}
	return begin.Add(-o.Ago.D())
}

// UnmarshalText reads a start offset as ParseStartOffset does.
func (o *StartOffset) UnmarshalText(text []byte) error {
	v, err := ParseStartOffset(string(text))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// MarshalText writes o as String does.
func (o StartOffset) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Backlog is the backlog phase of a step (phases.backlog): before the
// measured phase, every workload's producers build a backlog while the
// consumers are paused; then the consumers resume and the measured phase
// runs with the producers at Producers.Rate (which may then be 0). The
// zero value is no backlog phase. Exactly one of Messages, Size and
// Duration is set.
type Backlog struct {
	// Messages is the backlog of every workload in messages, over all its
	// producer workers (each sends its share: Messages ÷ workers, the
	// first Messages mod workers one more).
	Messages int64 `json:"messages,omitempty"`
	// Size is the backlog of every workload in bytes (key + value +
	// headers): ⌈Size ÷ mean message bytes⌉ messages.
	Size Size `json:"size,omitempty"`
	// Duration builds the backlog for this long at Rate.
	Duration Duration `json:"duration,omitempty"`
	// Rate is the total offered rate of every workload while it builds the
	// backlog (default max).
	Rate Rate `json:"rate"`
}

// Active reports whether b asks for a backlog phase.
func (b Backlog) Active() bool { return b.Messages > 0 || b.Size > 0 || b.Duration > 0 }

// MessagesFor returns the backlog in messages for a mean message of
// meanBytes (key + value + headers): Messages, or ⌈Size ÷ meanBytes⌉; 0
// for a backlog by duration.
func (b Backlog) MessagesFor(meanBytes float64) int64 {
	switch {
	case b.Messages > 0:
		return b.Messages
	case b.Size > 0 && meanBytes > 0:
		n := int64(float64(b.Size) / meanBytes)
		if float64(n)*meanBytes < float64(b.Size) {
			n++
		}
		return n
	}
	return 0
}

// Headers are the record headers every message carries
// (producers.headers): Count headers, each with a key of KeySize bytes
// and a value of ValueSize bytes. The zero value is no headers. Their
// bytes count towards the message's bytes (key + value + headers).
type Headers struct {
	// Count is the number of headers per message (>= 0).
	Count int `json:"count,omitempty"`
	// KeySize is the length in bytes of each header key (>= 0; a scenario
	// defaults it to 8 when Count > 0).
	KeySize Size `json:"key_size,omitempty"`
	// ValueSize is the length in bytes of each header value (>= 0; a
	// scenario defaults it to 32 when Count > 0).
	ValueSize Size `json:"value_size,omitempty"`
}

// Bytes returns the bytes of the headers of one message: Count × (KeySize
// + ValueSize).
func (h Headers) Bytes() int64 { return int64(h.Count) * (int64(h.KeySize) + int64(h.ValueSize)) }

// PayloadOrder says which sample record a message carries.
type PayloadOrder string

// The payload orders.
const (
	// PayloadCycle (the default) sends the records in turn over the merged
	// schedule of a workload's workers: message i carries record i mod n.
	PayloadCycle PayloadOrder = "cycle"
	// PayloadSample picks a record uniformly at random for every message.
	PayloadSample PayloadOrder = "sample"
)

// ParsePayloadOrder reads cycle or sample (case-insensitive).
func ParsePayloadOrder(s string) (PayloadOrder, error) {
	switch o := PayloadOrder(strings.ToLower(strings.TrimSpace(s))); o {
	case PayloadCycle, PayloadSample:
		return o, nil
	case "":
		return PayloadCycle, nil
	}
	return "", fmt.Errorf("invalid payload order %q: want cycle or sample", strings.TrimSpace(s))
}

// UnmarshalText reads an order as ParsePayloadOrder does.
func (o *PayloadOrder) UnmarshalText(text []byte) error {
	v, err := ParsePayloadOrder(string(text))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// MarshalText writes the order name.
func (o PayloadOrder) MarshalText() ([]byte, error) { return []byte(o), nil }

// Payload says where message values come from (producers.payload). The
// zero value generates them (Producers.MessageSize, Compressibility).
// With File, every value is the stamp followed by one record of the
// sample, byte for byte: its size is the stamp plus the record.
type Payload struct {
	// File is a file of newline-delimited records (each line one record,
	// without its newline; empty lines are skipped) or a directory whose
	// regular files are one record each (in name order). A relative path
	// is relative to the working directory of mskbench.
	File string `json:"file,omitempty"`
	// Order is cycle (default) or sample.
	Order PayloadOrder `json:"order,omitempty"`
}

// Active reports whether p takes values from a sample file.
func (p Payload) Active() bool { return p.File != "" }

// Churn makes consumer group members leave and rejoin during the measured
// phase (consumers.churn): every Every, Members members of each group
// leave (their client closes, leaving the group) and a new member with
// the same client id joins in their place. The zero value is no churn.
// franz-go only: its group callbacks time the rebalances.
type Churn struct {
	// Every is the time between churn events (> 0); the next event waits
	// for the group to settle after the previous one.
	Every Duration `json:"every,omitempty"`
	// Members is how many members of each group leave and rejoin per event
	// (1 ..= Consumers.PerGroup; a scenario defaults it to 1).
	Members int `json:"members,omitempty"`
}

// Active reports whether c asks for churn.
func (c Churn) Active() bool { return c.Every > 0 }

// CatchUp reports whether the step's consumers have a backlog to read when
// the measured phase begins: a backlog phase, or a workload reading an
// existing topic from a start other than latest. Such a step has no
// warm-up: its consumers are paused until the measured phase, which starts
// with them reading the backlog.
func (p Plan) CatchUp() bool {
	if p.Phases.Backlog.Active() {
		return true
	}
	for _, w := range p.WorkloadList() {
		if w.Topics.Existing != "" && w.Consumers.Groups > 0 && w.Consumers.Start.ModeOrDefault() != StartLatest {
			return true
		}
	}
	return false
}
