package load

import (
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

	// end: per partition, one past the highest acknowledged offset.
	endMu sync.Mutex
	end   map[partKey]int64

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
			if next < end {
				return false
			}
		}
	}
	return true
}

// result summarises the verification. complete says whether the drain
// caught up. Call it only after producers and consumers have stopped.
func (v *verifier) result(complete bool) *report.Verification {
	var lost, abortedSeen int64
	acked := make([][]seqRange, v.producers)
	for p := range v.acked {
		acked[p] = v.acked[p].t.ranges()
	}
	v.abortMu.Lock()
	aborted := v.aborted
	v.abortMu.Unlock()
	for g, gs := range v.groups {
		for p := range acked {
			seen := gs.seen[p].t.ranges()
			// Committed messages (acked and not aborted) must all be read.
			lost += difference(acked[p], union(seen, aborted[p]), report.MaxVerificationExamples, func(seq uint64) {
				v.example(report.VerificationExample{Kind: "lost", Group: g, Producer: p, Sequence: seq, Partition: -1, Offset: -1})
			})
			if v.readCommitted && len(aborted[p]) > 0 {
				// |aborted ∩ seen| = |aborted| − |aborted \ seen|.
				n := size(aborted[p]) - difference(aborted[p], seen, 0, func(uint64) {})
				if n > 0 {
					abortedSeen += n
					v.example(report.VerificationExample{Kind: "aborted_seen", Group: g, Producer: p, Partition: -1, Offset: -1})
				}
			}
		}
	}
	var earlier *report.EarlierRuns
	if v.earlier != nil {
		earlier = v.earlier.result()
	}
	kinds := map[string]int{"lost": 0, "duplicated": 1, "out_of_order": 2, "corrupted": 3, "aborted_seen": 4, "foreign": 5}
	ex := slices.Clone(v.examples)
	slices.SortStableFunc(ex, func(a, b report.VerificationExample) int { return kinds[a.Kind] - kinds[b.Kind] })
	return &report.Verification{
		Complete:    complete,
		Lost:        lost,
		Duplicated:  v.dups.Load(),
		OutOfOrder:  v.outOfOrder.Load(),
		Corrupted:   v.corrupted.Load(),
		Foreign:     v.foreign.Load(),
		Redelivered: v.redelivered.Load(),
		AbortedSeen: abortedSeen,
		Earlier:     earlier,
		Examples:    ex,
	}
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
