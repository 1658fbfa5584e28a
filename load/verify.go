package load

import (
	"cmp"
	"maps"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mskbench/mskbench/report"
)

// seqRange is the half-open range of sequence numbers [lo, hi).
type seqRange struct{ lo, hi uint64 }

// maxSeqWindow bounds the bitmap of a seqTracker, in 64-bit words
// (2^14 words = 2^20 sequence numbers = 128 KiB).
const maxSeqWindow = 1 << 14

// seqTracker is a set of sequence numbers whose memory depends on how
// disordered the additions are, not on how many there are: every sequence
// number below base is settled (present, unless listed in missing) and a
// bitmap covers the window from base on. Numbers are added roughly in order
// (per partition in order, partitions interleaved), so base follows the
// lowest number not yet added; when the window would grow beyond
// maxSeqWindow words, its oldest holes move to missing (ranges). Memory is
// O(window + holes). Not safe for concurrent use.
type seqTracker struct {
	base    uint64
	words   []uint64 // words[head:]: bit i of words[head+i/64] is base+i
	head    int
	missing []seqRange // sorted, disjoint, all below base
	n       int64      // members
}

// add inserts seq and reports whether it was already present.
func (s *seqTracker) add(seq uint64) (dup bool) {
	if seq < s.base {
		if !s.removeMissing(seq) {
			return true
		}
		s.n++
		return false
	}
	i := seq - s.base
	if w := i / 64; w >= maxSeqWindow {
		s.slide(int(w - maxSeqWindow + 1))
		i = seq - s.base
	}
	w := s.head + int(i/64)
	for w >= len(s.words) {
		s.words = append(s.words, 0)
	}
	bit := uint64(1) << (i % 64)
	if s.words[w]&bit != 0 {
		return true
	}
	s.words[w] |= bit
	s.n++
	for s.head < len(s.words) && s.words[s.head] == ^uint64(0) {
		s.head++
		s.base += 64
	}
	if s.head == len(s.words) {
		s.words, s.head = s.words[:0], 0
	} else if s.head > 64 && s.head > len(s.words)/2 {
		s.words = s.words[:copy(s.words, s.words[s.head:])]
		s.head = 0
	}
	return false
}

// slide moves the first k words of the window below base, recording their
// zero bits as missing ranges. Its work is bounded by the window, however
// large k is (a stamp with a corrupted sequence number must not stall it).
func (s *seqTracker) slide(k int) {
	for ; k > 0 && s.head < len(s.words); k-- {
		x := s.words[s.head]
		s.head++
		for b := uint64(0); b < 64; {
			if x&(1<<b) != 0 {
				b++
				continue
			}
			e := b
			for e < 64 && x&(1<<e) == 0 {
				e++
			}
			s.addMissing(seqRange{s.base + b, s.base + e})
			b = e
		}
		s.base += 64
	}
	if k > 0 { // beyond the window: nothing was added there
		n := 64 * uint64(k)
		s.addMissing(seqRange{s.base, s.base + n})
		s.base += n
	}
	if s.head >= len(s.words) {
		s.words, s.head = s.words[:0], 0
	}
}

// addMissing appends r (above every missing range) to missing, merging it
// with the last range when they touch.
func (s *seqTracker) addMissing(r seqRange) {
	if n := len(s.missing); n > 0 && s.missing[n-1].hi == r.lo {
		s.missing[n-1].hi = r.hi
		return
	}
	s.missing = append(s.missing, r)
}

// removeMissing removes seq from missing and reports whether it was there.
func (s *seqTracker) removeMissing(seq uint64) bool {
	i, _ := slices.BinarySearchFunc(s.missing, seq, func(r seqRange, v uint64) int {
		switch {
		case r.hi <= v:
			return -1
		case r.lo > v:
			return 1
		}
		return 0
	})
	if i >= len(s.missing) || s.missing[i].lo > seq || s.missing[i].hi <= seq {
		return false
	}
	r := s.missing[i]
	switch {
	case r.lo == seq && r.hi == seq+1:
		s.missing = slices.Delete(s.missing, i, i+1)
	case r.lo == seq:
		s.missing[i].lo++
	case r.hi == seq+1:
		s.missing[i].hi--
	default:
		s.missing[i].hi = seq
		s.missing = slices.Insert(s.missing, i+1, seqRange{seq + 1, r.hi})
	}
	return true
}

// ranges returns the members of s as sorted, disjoint ranges.
func (s *seqTracker) ranges() []seqRange {
	var out []seqRange
	push := func(r seqRange) {
		if r.lo >= r.hi {
			return
		}
		if n := len(out); n > 0 && out[n-1].hi == r.lo {
			out[n-1].hi = r.hi
			return
		}
		out = append(out, r)
	}
	next := uint64(0)
	for _, m := range s.missing {
		push(seqRange{next, m.lo})
		next = m.hi
	}
	push(seqRange{next, s.base})
	for w, x := range s.words[s.head:] {
		for x != 0 {
			b := uint64(bits.TrailingZeros64(x))
			e := b
			for e < 64 && x&(1<<e) != 0 {
				e++
			}
			lo := s.base + uint64(w)*64
			push(seqRange{lo + b, lo + e})
			if e == 64 {
				break
			}
			x &^= (uint64(1) << e) - 1
		}
	}
	return out
}

// difference returns |a \ b| for sorted, disjoint range lists and calls
// example with the first numbers of a \ b, at most limit of them.
func difference(a, b []seqRange, limit int, example func(uint64)) int64 {
	var n int64
	j := 0
	for _, r := range a {
		lo := r.lo
		for lo < r.hi {
			for j < len(b) && b[j].hi <= lo {
				j++
			}
			hi := r.hi
			if j < len(b) && b[j].lo <= lo {
				lo = min(b[j].hi, r.hi)
				continue
			}
			if j < len(b) {
				hi = min(hi, b[j].lo)
			}
			for s := lo; s < hi && limit > 0; s++ {
				example(s)
				limit--
			}
			n += int64(hi - lo)
			lo = hi
		}
	}
	return n
}

// union returns the union of two sorted, disjoint range lists, sorted and
// disjoint (touching ranges merged).
func union(a, b []seqRange) []seqRange {
	out := make([]seqRange, 0, len(a)+len(b))
	push := func(r seqRange) {
		if r.lo >= r.hi {
			return
		}
		if n := len(out); n > 0 && out[n-1].hi >= r.lo {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			return
		}
		out = append(out, r)
	}
	for i, j := 0, 0; i < len(a) || j < len(b); {
		if j == len(b) || (i < len(a) && a[i].lo <= b[j].lo) {
			push(a[i])
			i++
		} else {
			push(b[j])
			j++
		}
	}
	return out
}

// size returns the number of sequence numbers in rs.
func size(rs []seqRange) int64 {
	var n int64
	for _, r := range rs {
		n += int64(r.hi - r.lo)
	}
	return n
}

// partState is what a consumer group knows about one partition: the next
// offset to read and, per producer, one more than the highest sequence
// number read from it (0: none yet).
type partState struct {
	mu   sync.Mutex
	next int64 // one past the highest offset read; 0 before the first
	last []uint64
}

// partKey names a partition of one of the step's topics.
type partKey struct {
	topic     string
	partition int
}

// groupState is the verification state of one consumer group.
type groupState struct {
	mu    sync.Mutex
	parts map[partKey]*partState
	seen  []lockedTracker // per producer
	// unique counts messages read for the first time (for the drain).
	unique atomic.Int64
}

// lockedTracker is a seqTracker with its own lock.
type lockedTracker struct {
	mu sync.Mutex
	t  seqTracker
}

// verifier checks delivery when Plan.Verify is set: every acknowledged
// message must be read intact by every consumer group, once per group, in
// order within its partition. Memory is bounded by the disorder of acks and
// reads (see seqTracker) and the number of partitions, not by the number of
// messages. Safe for concurrent use by producers' completions and
// consumers.
type verifier struct {
	producers int
	// readCommitted says the groups read with isolation read_committed:
	// a message of an aborted transaction they read is a problem
	// (AbortedSeen).
	readCommitted bool
	// transactional says acknowledged messages may still be aborted, so
	// the drain waits for offsets, never only for a count.
	transactional bool
	// notBeforeNs: stamps intended earlier come from another run (foreign).
	notBeforeNs int64
	acked       []lockedTracker // per producer
	groups      []*groupState
	// aborted holds, per producer, the sequence ranges of its aborted
	// transactions, in order (under abortMu).
	abortMu sync.Mutex
	aborted [][]seqRange

	// end: per partition, one past the highest acknowledged offset;
	// logEnd: the log end offsets the cluster reported, the same twice in
	// a row, after the producers finished (settleLogEnds; acks=all only).
	endMu  sync.Mutex
	end    map[partKey]int64
	logEnd map[partKey]int64

	dups, outOfOrder, corrupted, foreign, redelivered atomic.Int64

	// earlier, when not nil (catch-up steps), checks the stamped messages
	// of other runs instead of counting them as foreign.
	earlier *earlierRuns

	exMu     sync.Mutex
	examples []report.VerificationExample
	exCount  map[string]int
}

func newVerifier(producers, groups int, notBeforeNs int64) *verifier {
	v := &verifier{
		producers:   producers,
		notBeforeNs: notBeforeNs,
		acked:       make([]lockedTracker, producers),
		aborted:     make([][]seqRange, producers),
		groups:      make([]*groupState, groups),
		end:         make(map[partKey]int64),
		exCount:     make(map[string]int),
	}
	for g := range v.groups {
		v.groups[g] = &groupState{parts: make(map[partKey]*partState), seen: make([]lockedTracker, producers)}
	}
	return v
}

// example keeps e if fewer than report.MaxVerificationExamples of its kind
// were kept.
func (v *verifier) example(e report.VerificationExample) {
	v.exMu.Lock()
	if v.exCount[e.Kind] < report.MaxVerificationExamples {
		v.exCount[e.Kind]++
		v.examples = append(v.examples, e)
	}
	v.exMu.Unlock()
}

// ack records that producer p's message seq was acknowledged.
func (v *verifier) ack(p uint32, seq uint64) {
	if int(p) >= len(v.acked) {
		return
	}
	t := &v.acked[p]
	t.mu.Lock()
	t.t.add(seq)
	t.mu.Unlock()
}

// abortRange records that producer p's messages lo..hi-1 belong to an
// aborted transaction: never expected, and a problem when a read_committed
// group reads one. A nil v ignores it.
func (v *verifier) abortRange(p uint32, lo, hi uint64) {
	if v == nil || int(p) >= len(v.aborted) || hi <= lo {
		return
	}
	v.abortMu.Lock()
	rs := v.aborted[p]
	if n := len(rs); n > 0 && rs[n-1].hi == lo {
		rs[n-1].hi = hi
	} else {
		rs = append(rs, seqRange{lo, hi})
	}
	v.aborted[p] = rs
	v.abortMu.Unlock()
}

// ackedOffset records that a message at offset of topic/partition was
// acknowledged (only when acknowledgements carry offsets: acks 1 or all).
func (v *verifier) ackedOffset(topic string, partition int, offset int64) {
	if offset < 0 {
		return
	}
	k := partKey{topic, partition}
	v.endMu.Lock()
	if offset+1 > v.end[k] {
		v.end[k] = offset + 1
	}
	v.endMu.Unlock()
}

// partition returns group g's state of a partition, creating it.
func (v *verifier) partition(g int, k partKey) *partState {
	gs := v.groups[g]
	gs.mu.Lock()
	defer gs.mu.Unlock()
	ps := gs.parts[k]
	if ps == nil {
		ps = &partState{last: make([]uint64, v.producers)}
		gs.parts[k] = ps
	}
	return ps
}

// readOutcome is what the verifier made of a message: the consumer counts
// readCounted messages as consumed, and neither redeliveries nor foreign
// messages.
type readOutcome uint8

const (
	readCounted     readOutcome = iota // the step's message (possibly duplicated, out of order or corrupted)
	readRedelivered                    // an offset the group had already read
	readForeign                        // not the step's: no stamp, another run's, an unknown producer, older than the step
	readEarlier                        // an earlier run's, in a catch-up read: verified per producer (verifier.earlier), not consumed
)

// read checks one message read by group g at offset of ps (the state of
// k): st and stErr are the result of VerifyStamp on its value (stErr
// ErrOtherRun when the stamp is another run's). It says what the message
// is for the consumer's counts.
func (v *verifier) read(g int, k partKey, ps *partState, offset int64, st Stamp, stErr error) readOutcome {
	ex := func(kind string) report.VerificationExample {
		return report.VerificationExample{Kind: kind, Group: g, Producer: int(st.Producer), Sequence: st.Seq,
			Topic: k.topic, Partition: k.partition, Offset: offset}
	}
	ps.mu.Lock()
	if offset < ps.next {
		ps.mu.Unlock()
		v.redelivered.Add(1)
		return readRedelivered
	}
	ps.next = offset + 1
	switch {
	case stErr == nil && v.earlier != nil && (int(st.Producer) >= v.producers || st.IntendedNs < v.notBeforeNs):
		ps.mu.Unlock()
		v.earlier.read(g, st)
		return readEarlier
	case stErr == ErrNotStamped, stErr == ErrOtherRun, int(st.Producer) >= v.producers, st.IntendedNs < v.notBeforeNs:
		ps.mu.Unlock()
		if stErr == ErrNotStamped {
			st = Stamp{}
		}
		v.foreign.Add(1)
		v.example(ex("foreign"))
		return readForeign
	case stErr != nil:
		ps.mu.Unlock()
		v.corrupted.Add(1)
		v.example(ex("corrupted"))
		return readCounted
	}
	last := ps.last[st.Producer]
	ps.last[st.Producer] = max(last, st.Seq+1)
	ps.mu.Unlock()

	gs := v.groups[g]
	t := &gs.seen[st.Producer]
	t.mu.Lock()
	dup := t.t.add(st.Seq)
	t.mu.Unlock()
	switch {
	case dup:
		v.dups.Add(1)
		v.example(ex("duplicated"))
	case st.Seq+1 < last:
		gs.unique.Add(1)
		v.outOfOrder.Add(1)
		v.example(ex("out_of_order"))
	default:
		gs.unique.Add(1)
	}
	return readCounted
}

// caughtUp reports whether every group has read acked distinct messages,
// or (when offsets are known) every partition up to its highest
// acknowledged offset: then no acknowledged message can still arrive.
//
// With transactional producers only the offsets tell (acked counts
// messages that may yet be aborted, and read_uncommitted groups read
// aborted ones), so the count alone never ends the drain.
func (v *verifier) caughtUp(acked int64, offsetsKnown bool) bool {
	all := !v.transactional
	for _, gs := range v.groups {
		if gs.unique.Load() < acked {
			all = false
			break
		}
	}
	if all || !offsetsKnown {
		return all
	}
	v.endMu.Lock()
	defer v.endMu.Unlock()
	for g := range v.groups {
		for k, end := range v.end {
			ps := v.partition(g, k)
			ps.mu.Lock()
			next := ps.next
			ps.mu.Unlock()
			if le, ok := v.logEnd[k]; ok {
				end = min(end, le)
			}
			if next < end {
				return false
			}
		}
	}
	return true
}

// ackedEnds returns a copy of end: per partition, one past the highest
// acknowledged offset.
func (v *verifier) ackedEnds() map[partKey]int64 {
	v.endMu.Lock()
	defer v.endMu.Unlock()
	return maps.Clone(v.end)
}

// settledLogEnds records the log end offsets of partitions that reported
// the same one twice in a row after the producers finished: caughtUp waits
// for no offset beyond them. With acks=all an acknowledged offset beyond a
// settled log end is gone — a broker that acknowledged without storing, an
// unclean leader election that truncated the log — and no consumer will
// ever read it: the drain ends at the log end and counts it lost, instead
// of waiting out its timeout.
func (v *verifier) settledLogEnds(ends map[partKey]int64) {
	v.endMu.Lock()
	defer v.endMu.Unlock()
	if v.logEnd == nil {
		v.logEnd = make(map[partKey]int64, len(ends))
	}
	maps.Copy(v.logEnd, ends)
}

// uniques returns, per consumer group, the messages read for the first
// time (for the drain of a distributed run: DrainState.Unique).
func (v *verifier) uniques() []int64 {
	out := make([]int64, len(v.groups))
	for g, gs := range v.groups {
		out[g] = gs.unique.Load()
	}
	return out
}

// SeqRange is the half-open range of sequence numbers [Lo, Hi) of one
// producer, in a VerifyState.
type SeqRange struct {
	Lo uint64 `json:"lo"`
	Hi uint64 `json:"hi"`
}

// VerifyState is the verification data of one process, as sets of
// sequence numbers per producer id rather than counts, so that the states
// of every shard of a distributed run merge into exact figures
// (MergeVerification): a message one shard acknowledged and another
// shard's consumer read is neither lost nor counted twice, and a message a
// group read on two shards (a partition that moved) is a duplicate.
// Plain data (JSON).
type VerifyState struct {
	// Producers is the number of producer ids of the run (all shards).
	Producers int `json:"producers"`
	// Acked and Aborted hold, by producer id, the acknowledged sequence
	// numbers and those of aborted transactions (ids without any left out).
	Acked   map[int][]SeqRange `json:"acked,omitempty"`
	Aborted map[int][]SeqRange `json:"aborted,omitempty"`
	// Seen holds, per consumer group, by producer id, the sequence numbers
	// the group's members in this process read.
	Seen []map[int][]SeqRange `json:"seen"`
	// ReadCommitted: the groups read with isolation read_committed.
	ReadCommitted bool `json:"read_committed,omitempty"`
	// Counts of problems seen by one process alone.
	Duplicated  int64 `json:"duplicated"`
	OutOfOrder  int64 `json:"out_of_order"`
	Corrupted   int64 `json:"corrupted"`
	Foreign     int64 `json:"foreign"`
	Redelivered int64 `json:"redelivered"`
	// Examples are the problems this process kept as examples.
	Examples []report.VerificationExample `json:"examples,omitempty"`
}

// exported converts ranges to their exported form (nil when empty).
func exported(rs []seqRange) []SeqRange {
	if len(rs) == 0 {
		return nil
	}
	out := make([]SeqRange, len(rs))
	for i, r := range rs {
		out[i] = SeqRange{r.lo, r.hi}
	}
	return out
}

// internal converts exported ranges back, sorted and disjoint (a state
// decoded from another process is not trusted to be).
func internal(rs []SeqRange) []seqRange {
	in := make([]seqRange, 0, len(rs))
	for _, r := range rs {
		in = append(in, seqRange{r.Lo, r.Hi})
	}
	slices.SortFunc(in, func(a, b seqRange) int { return cmp.Compare(a.lo, b.lo) })
	return union(in, nil)
}

// state returns the verifier's data. Call it only after producers and
// consumers have stopped.
func (v *verifier) state() *VerifyState {
	st := &VerifyState{
		Producers: v.producers, ReadCommitted: v.readCommitted,
		Acked: make(map[int][]SeqRange), Aborted: make(map[int][]SeqRange),
		Seen:       make([]map[int][]SeqRange, len(v.groups)),
		Duplicated: v.dups.Load(), OutOfOrder: v.outOfOrder.Load(), Corrupted: v.corrupted.Load(),
		Foreign: v.foreign.Load(), Redelivered: v.redelivered.Load(),
	}
	for p := range v.acked {
		if rs := exported(v.acked[p].t.ranges()); rs != nil {
			st.Acked[p] = rs
		}
	}
	v.abortMu.Lock()
	for p, rs := range v.aborted {
		if rs := exported(rs); rs != nil {
			st.Aborted[p] = rs
		}
	}
	v.abortMu.Unlock()
	for g, gs := range v.groups {
		st.Seen[g] = make(map[int][]SeqRange)
		for p := range gs.seen {
			if rs := exported(gs.seen[p].t.ranges()); rs != nil {
				st.Seen[g][p] = rs
			}
		}
	}
	v.exMu.Lock()
	st.Examples = slices.Clone(v.examples)
	v.exMu.Unlock()
	return st
}

// result summarises the verification. complete says whether the drain
// caught up. Call it only after producers and consumers have stopped.
func (v *verifier) result(complete bool) *report.Verification {
	out := MergeVerification([]*VerifyState{v.state()}, complete)
	if v.earlier != nil {
		// A catch-up read's messages of earlier runs (never a distributed
		// step: those are refused, so VerifyState does not carry them).
		out.Earlier = v.earlier.result()
	}
	return out
}

// MergeVerification computes the verification of a run from the states of
// its processes (one for a run of one process), exactly: per producer id
// the acknowledged and aborted sets are the unions over the states, per
// group the read set is the union over the states, and
//
//	lost       = Σ_group Σ_producer |acked \ (read ∪ aborted)|
//	duplicated = Σ_state duplicated + Σ_group Σ_producer (Σ_state |read_state| − |∪ read_state|)
//
// (the second term: messages a group read in two processes). Out of order,
// corrupted, foreign and redelivered are per process and summed; examples
// are kept up to report.MaxVerificationExamples of each kind. complete
// says whether the drain caught up everywhere. Nil states are skipped.
func MergeVerification(states []*VerifyState, complete bool) *report.Verification {
	out := &report.Verification{Complete: complete}
	producers, groups := 0, 0
	readCommitted := false
	for _, st := range states {
		if st != nil {
			producers, groups = max(producers, st.Producers), max(groups, len(st.Seen))
			readCommitted = readCommitted || st.ReadCommitted
		}
	}
	acked := make([][]seqRange, producers)
	aborted := make([][]seqRange, producers)
	count := make(map[string]int)
	var examples []report.VerificationExample
	example := func(e report.VerificationExample) {
		if count[e.Kind] < report.MaxVerificationExamples {
			count[e.Kind]++
			examples = append(examples, e)
		}
	}
	for _, st := range states {
		if st == nil {
			continue
		}
		for p, rs := range st.Acked {
			if p >= 0 && p < producers {
				acked[p] = union(acked[p], internal(rs))
			}
		}
		for p, rs := range st.Aborted {
			if p >= 0 && p < producers {
				aborted[p] = union(aborted[p], internal(rs))
			}
		}
		out.Duplicated += st.Duplicated
		out.OutOfOrder += st.OutOfOrder
		out.Corrupted += st.Corrupted
		out.Foreign += st.Foreign
		out.Redelivered += st.Redelivered
		for _, e := range st.Examples {
			example(e)
		}
	}
	for g := range groups {
		for p := range producers {
			var seen []seqRange
			var sum int64
			for _, st := range states {
				if st == nil || g >= len(st.Seen) {
					continue
				}
				rs := internal(st.Seen[g][p])
				sum += size(rs)
				seen = union(seen, rs)
			}
			if n := sum - size(seen); n > 0 {
				out.Duplicated += n
				example(report.VerificationExample{Kind: "duplicated", Group: g, Producer: p, Partition: -1, Offset: -1})
			}
			// Committed messages (acked and not aborted) must all be read.
			out.Lost += difference(acked[p], union(seen, aborted[p]), report.MaxVerificationExamples, func(seq uint64) {
				example(report.VerificationExample{Kind: "lost", Group: g, Producer: p, Sequence: seq, Partition: -1, Offset: -1})
			})
			if readCommitted && len(aborted[p]) > 0 {
				// |aborted ∩ seen| = |aborted| − |aborted \ seen|.
				if n := size(aborted[p]) - difference(aborted[p], seen, 0, func(uint64) {}); n > 0 {
					out.AbortedSeen += n
					example(report.VerificationExample{Kind: "aborted_seen", Group: g, Producer: p, Partition: -1, Offset: -1})
				}
			}
		}
	}
	kinds := map[string]int{"lost": 0, "duplicated": 1, "out_of_order": 2, "corrupted": 3, "aborted_seen": 4, "foreign": 5}
	slices.SortStableFunc(examples, func(a, b report.VerificationExample) int { return kinds[a.Kind] - kinds[b.Kind] })
	out.Examples = examples
	return out
}

// earlierKey is the identity of a producer of another run, as its stamp
// tells it: the producer id (a stamp format that names its run adds the
// run here).
type earlierKey struct{ producer uint32 }

// earlierRuns checks the stamped messages of other runs that a catch-up
// read: per group and producer identity, the sequence numbers read, for
// duplicates (while reading) and gaps (at the end). Safe for concurrent use.
type earlierRuns struct {
	mu     sync.Mutex
	groups []map[earlierKey]*seqTracker
	// messages and dups are summed over groups.
	messages, dups atomic.Int64
}

func newEarlierRuns(groups int) *earlierRuns {
	e := &earlierRuns{groups: make([]map[earlierKey]*seqTracker, groups)}
	for g := range e.groups {
		e.groups[g] = make(map[earlierKey]*seqTracker)
	}
	return e
}

// read records that group g read the message of stamp st.
func (e *earlierRuns) read(g int, st Stamp) {
	k := earlierKey{st.Producer}
	e.mu.Lock()
	t := e.groups[g][k]
	if t == nil {
		t = &seqTracker{}
		e.groups[g][k] = t
	}
	dup := t.add(st.Seq)
	e.mu.Unlock()
	if dup {
		e.dups.Add(1)
	} else {
		e.messages.Add(1)
	}
}

// result summarises what was read; nil when nothing was. Call it after the
// consumers stopped.
func (e *earlierRuns) result() *report.EarlierRuns {
	if e.messages.Load()+e.dups.Load() == 0 {
		return nil
	}
	r := &report.EarlierRuns{Messages: e.messages.Load(), Duplicated: e.dups.Load()}
	ids := map[earlierKey]bool{}
	for _, ts := range e.groups {
		for k, t := range ts {
			ids[k] = true
			rs := t.ranges()
			for i := 1; i < len(rs); i++ {
				r.Gaps += int64(rs[i].lo - rs[i-1].hi)
			}
		}
	}
	r.Producers = len(ids)
	return r
}
