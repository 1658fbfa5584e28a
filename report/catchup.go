package report

import (
	"fmt"
	"strings"
)

// CatchUp is how the consumer groups of a catch-up step read their backlog:
// a step with a backlog phase (phases.backlog), or one reading an existing
// topic from a start other than latest. The backlog of a group is every
// partition from the group's start offset up to the partition's end offset
// when the consumers start (after the backlog phase, if any); the catch-up
// ends when every group has read every partition up to there (its lag is
// then zero). Messages produced later are live and not part of it. The
// consumers are started after the backlog is built; the measured phase
// begins once their groups are stable, and whatever they read while joining
// is counted in its first interval.
type CatchUp struct {
	// Start is where the groups started (consumers.start).
	Start string `json:"start"`
	// BacklogMessages is the offsets to read at resume, summed over
	// groups (records plus any transaction markers in the range).
	BacklogMessages int64 `json:"backlog_messages"`
	// BuiltMessages and BuildSeconds are the messages the backlog phase
	// acknowledged and how long it took; 0 without a backlog phase.
	BuiltMessages int64   `json:"built_messages,omitempty"`
	BuildSeconds  float64 `json:"build_seconds,omitempty"`
	// ReadMessages and ReadBytes are the backlog records read and their
	// bytes (key, value and headers), summed over groups.
	ReadMessages int64 `json:"read_messages"`
	ReadBytes    int64 `json:"read_bytes"`
	// CaughtUp says every group read its backlog before the consumers
	// stopped.
	CaughtUp bool `json:"caught_up"`
	// Seconds is the catch-up time: from the consumers' start (joining
	// their groups included) until the last group read its backlog (until
	// the consumers stopped when not CaughtUp).
	Seconds float64 `json:"seconds"`
	// MsgsPerSec and MiBPerSec are the catch-up read rate: ReadMessages
	// and ReadBytes over Seconds (summed over groups; the timeline has
	// the rate per interval).
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MiBPerSec  float64 `json:"mib_per_sec"`
	// Lag is the backlog not read when the consumers stopped.
	Lag int64 `json:"lag"`
}

// EarlierRuns is what verification found in messages stamped by other runs
// (or earlier steps) that a catch-up read: per producer identity found in
// the stamps (the producer id; with stamps that carry a run identity, that
// too), the sequence numbers read. A stamp of format 3 does not name its
// run, so two runs with the same producer ids on one topic look like one:
// their overlap counts as duplicated. Gaps also come from sends that failed
// in that run, from retention and from topics not read, so neither count
// fails the verification; both are warned about.
type EarlierRuns struct {
	// Producers is the number of producer identities found.
	Producers int `json:"producers"`
	// Messages counts distinct stamped messages read, summed over groups.
	Messages int64 `json:"messages"`
	// Gaps counts sequence numbers missing between the lowest and the
	// highest read of each producer, summed over groups.
	Gaps int64 `json:"gaps"`
	// Duplicated counts messages whose producer and sequence number were
	// read before at another offset, summed over groups.
	Duplicated int64 `json:"duplicated"`
}

// merge adds the catch-up of another load generator, whose groups read
// the same backlog apart, to c: counts summed, caught up when both were,
// the longer time, and the rates recomputed over it.
func (c *CatchUp) merge(o *CatchUp) *CatchUp {
	if o == nil {
		return c
	}
	if c == nil {
		m := *o
		return &m
	}
	m := *c
	m.BacklogMessages += o.BacklogMessages
	m.BuiltMessages += o.BuiltMessages
	m.BuildSeconds = max(m.BuildSeconds, o.BuildSeconds)
	m.ReadMessages += o.ReadMessages
	m.ReadBytes += o.ReadBytes
	m.CaughtUp = c.CaughtUp && o.CaughtUp
	m.Seconds = max(c.Seconds, o.Seconds)
	m.Lag += o.Lag
	m.MsgsPerSec, m.MiBPerSec = 0, 0
	if m.Seconds > 0 {
		m.MsgsPerSec = float64(m.ReadMessages) / m.Seconds
		m.MiBPerSec = float64(m.ReadBytes) / m.Seconds / MiB
	}
	return &m
}

// merge adds the earlier runs other groups found (another load
// generator's, another workload's) to e: counts summed (they are summed
// over groups), the most producer identities either found — the same
// identities show in every group and, a stamp's run identity naming the
// run's step, in every workload's topics.
func (e *EarlierRuns) merge(o *EarlierRuns) *EarlierRuns {
	if o == nil {
		return e
	}
	if e == nil {
		m := *o
		return &m
	}
	return &EarlierRuns{Producers: max(e.Producers, o.Producers), Messages: e.Messages + o.Messages,
		Gaps: e.Gaps + o.Gaps, Duplicated: e.Duplicated + o.Duplicated}
}

// ReadNothing reports whether s is a catch-up step whose consumers read
// nothing: a failed step, never a verified one.
func (s *Step) ReadNothing() bool { return s.CatchUp != nil && s.Counters.Consumed == 0 }

// writeCatchUp writes the catch-up of s, if any.
func writeCatchUp(b *strings.Builder, s *Step) {
	c := s.CatchUp
	if c == nil {
		return
	}
	fmt.Fprintf(b, "\nCatch-up of step %s (start %s): backlog %d messages", stepLabel(s), Sanitize(c.Start), c.BacklogMessages)
	if c.BuiltMessages > 0 {
		fmt.Fprintf(b, " (built: %d in %.2f s)", c.BuiltMessages, c.BuildSeconds)
	}
	if c.CaughtUp {
		fmt.Fprintf(b, ", caught up in %.3f s", c.Seconds)
	} else {
		fmt.Fprintf(b, ", NOT caught up after %.3f s (%d not read)", c.Seconds, c.Lag)
	}
	fmt.Fprintf(b, "; read %d messages at %s msgs/s, %.2f MiB/s", c.ReadMessages, fmtRate(c.MsgsPerSec), c.MiBPerSec)
	if l := s.Latency.BacklogEndToEnd; l.Count > 0 {
		fmt.Fprintf(b, "; backlog e2e p50 %s ms, p99 %s ms", fmtMs(l.P50Ms), fmtMs(l.P99Ms))
	}
	b.WriteString(".\n")
	if s.ReadNothing() {
		b.WriteString("  FAILED: the consumers read nothing: no message after the start position\n")
	}
	if v := s.Verification; v != nil && v.Earlier != nil {
		e := v.Earlier
		fmt.Fprintf(b, "  messages of earlier runs: %d from %d producers, %d gaps, %d duplicated\n",
			e.Messages, e.Producers, e.Gaps, e.Duplicated)
	}
}
