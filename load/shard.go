package load

import (
	"context"
	"time"

	"github.com/mskbench/mskbench/plan"

	"github.com/mskbench/mskbench/report"
)

// Shard is this process's place in a run that spans several processes (a
// distributed run: `mskbench run --shards N`). Every shard runs the same
// plan; the scenario's totals are split between them by the pure functions
// below, so that the shares add up to the totals exactly and the merged
// offered schedule is exactly the scenario's. The zero value, like
// Shard{Index: 0, Count: 1}, is a run of one process: every share is the
// whole. A Shard is plain data.
type Shard struct {
	Index int // 0 <= Index < Count
	Count int // >= 1; 0 means 1
}

// count returns Count, at least 1.
func (s Shard) count() int { return max(s.Count, 1) }

// Split returns shard s's share of n items numbered 0..n-1 as the half-open
// range [lo, hi): contiguous ranges in shard order, the remainder going to
// the first shards. With q = ⌊n/N⌋ and r = n mod N:
//
//	lo(i) = i·q + min(i, r)
//	hi(i) = lo(i) + q + (1 if i < r, else 0)
//
// so the ranges of shards 0..N-1 partition 0..n-1 and their sizes differ by
// at most one. When N > n, shards n..N-1 get the empty range [n, n): a share
// is never a fraction of an item (an item is a producer worker or a
// consumer, each its own client with its own connections).
func (s Shard) Split(n int) (lo, hi int) {
	if n <= 0 {
		return 0, 0
	}
	N, i := s.count(), min(max(s.Index, 0), s.count()-1)
	q, r := n/N, n%N
	lo = i*q + min(i, r)
	hi = lo + q
	if i < r {
		hi++
	}
	return lo, hi
}

// Workers returns the producer workers of shard s out of the scenario's
// total: the global worker indexes [lo, hi) of Split(total). A worker keeps
// its global index everywhere it matters: it is its producer id in the
// stamp (so the ids of all shards are distinct, 0..total-1, and a consumer
// on any shard verifies every producer's sequence), and its place w in the
// global schedule, whose message i is intended at start + i/R and sent by
// worker i mod total (see Pacer). The union of the shards' schedules is
// therefore exactly the scenario's, with no message twice and none missing.
//
// With more shards than workers (N > total) shards total..N-1 run no
// producer and offer nothing; they still consume their share and take part
// in the barrier and the merge. Give producers.workers at least N to load
// the cluster from every shard.
func (s Shard) Workers(total int) (lo, hi int) { return s.Split(total) }

// Consumers returns how many members of every consumer group run on shard
// s: the size of Split(perGroup). Groups are named from the run id, so the
// members of all shards form one group of perGroup members; shards
// perGroup..N-1 run none.
func (s Shard) Consumers(perGroup int) int {
	lo, hi := s.Split(perGroup)
	return hi - lo
}

// Rate returns the share of the total offered rate (msgs/s) that shard s
// sends, for logs and per-shard figures: total·(hi−lo)/workers for its
// workers [lo, hi). The schedule itself is not scaled: each worker paces
// by the total rate and its global index (see Workers). 0 for max rate
// (total <= 0) or no workers.
func (s Shard) Rate(total float64, workers int) float64 {
	lo, hi := s.Workers(workers)
	if total <= 0 || workers <= 0 {
		return 0
	}
	return total * float64(hi-lo) / float64(workers)
}

// ConnectRate returns shard s's share of the cluster's budget of new
// connections per second (the scenario's connect_rate, e.g. MSK IAM's 100
// new connections per second per broker): total / N, so that N shards
// together stay within the budget. 0 (no cap) stays 0.
func (s Shard) ConnectRate(total float64) float64 {
	if total <= 0 {
		return total
	}
	return total / float64(s.count())
}

// Owner returns the shard whose share of n items holds item i (the shard
// that runs producer id i of n workers), or -1 when i is out of range.
func (s Shard) Owner(i, n int) int {
	if i < 0 || i >= n {
		return -1
	}
	N := s.count()
	q, r := n/N, n%N
	// The first r shards hold q+1 items each, the others q.
	if i < r*(q+1) {
		return i / (q + 1)
	}
	return r + (i-r*(q+1))/q
}

// owners returns Owner(i, n) for every producer id i of n workers.
func (s Shard) owners(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(s.Owner(i, n))
	}
	return out
}

// offeredBy returns how many messages of the merged schedule at rate msgs/s
// with an intended time t, from <= t < to, are sent by the workers [lo, hi)
// of the total: of the messages i in that window (see scheduledBetween),
// those with i mod workers in [lo, hi). Summed over the shards' workers it
// is scheduledBetween exactly. rate must be > 0.
func offeredBy(rate float64, workers, lo, hi int, from, to time.Duration) int64 {
	if to <= from || hi <= lo || workers <= 0 {
		return 0
	}
	if lo == 0 && hi == workers {
		return scheduledBetween(rate, from, to)
	}
	// below(x) counts i in [0, x) with i mod workers in [lo, hi).
	below := func(x int64) int64 {
		w, n := int64(workers), int64(hi-lo)
		return x/w*n + min(max(x%w-int64(lo), 0), n)
	}
	return below(firstAtOrAfter(rate, to)) - below(firstAtOrAfter(rate, from))
}

// Coordinator connects one shard's step with the other shards of a
// distributed run (Options.Coordinator): package shard implements it over
// a control topic on the cluster under test. Run calls it from its own
// goroutine, at four points of the step, in this order.
type Coordinator interface {
	// TopicsReady is called once the step's topics exist: on shard 0 after
	// it created them (or found the existing topic) and they have leaders,
	// so that it can tell the others; on every other shard instead of
	// creating them, returning once shard 0 said they exist. An error
	// ends the step during setup.
	TopicsReady(ctx context.Context, topics []string) error
	// Start is called when this shard is set up (producer clients built,
	// every consumer group stable with the members of all shards). It
	// returns when every shard is: the start barrier of the step. An
	// error ends the step during setup.
	Start(ctx context.Context) (Start, error)
	// Drained is called at every poll of the drain phase with this shard's
	// state and reports whether the consumers of all shards have read
	// everything the producers of all shards acknowledged.
	Drained(DrainState) bool
	// Finish is called after the drain, once this shard's producers and
	// consumers have stopped and before teardown, with this shard's step
	// (its verification left out) and verification state (nil without
	// verification). Every shard but 0 hands them to shard 0 and returns
	// its own step. Shard 0 returns once every other shard handed over its
	// step or was lost, so that teardown deletes nothing still in use,
	// with the step merged from all of them (verification from
	// MergeVerification, partial and naming the shards that are missing).
	// An error keeps this shard's own step, marked partial.
	Finish(ctx context.Context, st report.Step, v *VerifyState) (report.Step, error)
}

// Start is the agreed start of a step, from Coordinator.Start.
type Start struct {
	// At is when every shard's schedule starts (the warm-up, then the
	// measure phase and every report interval follow at the same offsets),
	// on this process's clock.
	At time.Time
	// Shift holds, per shard, what to add to the intended send time in the
	// stamp of a message that shard produced to read it on this process's
	// clock: the difference of the two shards' clock offsets against the
	// cluster (o_producer − o_this). Cross-shard end-to-end latency is
	// consume time − (intended + Shift); nil means no correction.
	Shift []time.Duration
}

// DrainState is one shard's view of the drain, for Coordinator.Drained.
// Counts cover every phase of the step.
type DrainState struct {
	// ProducersDone is true once this shard's producers have ended.
	ProducersDone bool `json:"producers_done"`
	// Groups is the step's number of consumer groups.
	Groups int `json:"groups"`
	// Acked is the messages this shard's producers acknowledged, less
	// those of aborted transactions.
	Acked int64 `json:"acked"`
	// Consumed is the stamped messages this shard's consumers read, summed
	// over groups.
	Consumed int64 `json:"consumed"`
	// Unique is, per consumer group, the distinct messages this shard's
	// members read (with verification; nil without).
	Unique []int64 `json:"unique,omitempty"`
}

// GlobalDrained reports whether the drain states of all shards say that
// every consumer group read everything acknowledged: every shard's
// producers ended and, per group, the distinct messages its members of all
// shards read (with verification), or else the messages all consumers
// read, reach the acknowledged messages of all shards (× groups). A
// message a group read on two shards (a partition moved in a rebalance)
// counts twice, as a redelivery counts in the single-process drain without
// verification.
func GlobalDrained(states []DrainState, groups int) bool {
	var acked, consumed int64
	unique := make([]int64, groups)
	verified := true
	for _, st := range states {
		if !st.ProducersDone {
			return false
		}
		acked += st.Acked
		consumed += st.Consumed
		if len(st.Unique) != groups {
			verified = false
			continue
		}
		for g, n := range st.Unique {
			unique[g] += n
		}
	}
	if groups == 0 {
		return true
	}
	if !verified {
		return consumed >= acked*int64(groups)
	}
	for _, n := range unique {
		if n < acked {
			return false
		}
	}
	return true
}

// ShardUnsupported names the first setting of p that a distributed run
// does not split between its shards, "" when there is none: workloads
// (every shard would run every workload's totals), a backlog phase or a
// catch-up read (one backlog and one catch-up clock per step), consumer
// churn, a scenario-named group (consumers.group_id) and a start other
// than latest (start positions are decided by one process for the groups
// of all). Such a step runs in one process only.
func ShardUnsupported(p plan.Plan) string {
	if len(p.Workloads) > 0 {
		return "workloads"
	}
	if p.Phases.Backlog.Active() {
		return "phases.backlog"
	}
	c := p.Consumers
	switch {
	case c.Groups <= 0:
		return ""
	case c.Churn.Active():
		return "consumers.churn"
	case c.GroupID != "":
		return "consumers.group_id"
	case c.Start.ModeOrDefault() != plan.StartLatest:
		return "consumers.start " + c.Start.String()
	}
	return ""
}
