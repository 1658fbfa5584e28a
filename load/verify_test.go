package load

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/mskbench/mskbench/report"
)

// TestSeqTracker compares a seqTracker with a map under disordered
// additions, duplicates and holes, including holes that fall out of the
// window.
func TestSeqTracker(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s seqTracker
	ref := map[uint64]bool{}
	add := func(seq uint64) {
		t.Helper()
		if got, want := s.add(seq), ref[seq]; got != want {
			t.Fatalf("add(%d) dup = %t, want %t", seq, got, want)
		}
		ref[seq] = true
	}
	// 8 "partitions" progressing at different speeds, some holes.
	const n = 200_000
	for base := uint64(0); base < n; base += 8 {
		for p := range uint64(8) {
			if seq := base + p; rng.IntN(1000) != 0 { // ~0.1% holes
				add(seq)
			}
		}
		if rng.IntN(50) == 0 {
			add(base / 2) // an old one again (duplicate, or a hole filled late)
		}
	}
	// Far ahead: the window slides and the holes become missing ranges.
	add(n + 64*maxSeqWindow*3)
	add(n + 5)
	add(3) // duplicate below base
	want := slices.Sorted(func(yield func(uint64) bool) {
		for k := range ref {
			if !yield(k) {
				return
			}
		}
	})
	var got []uint64
	for _, r := range s.ranges() {
		for x := r.lo; x < r.hi; x++ {
			got = append(got, x)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ranges hold %d numbers, want %d (equal sets)", len(got), len(want))
	}
	if s.n != int64(len(want)) {
		t.Errorf("n = %d, want %d", s.n, len(want))
	}
	if w := len(s.words) - s.head; w > maxSeqWindow {
		t.Errorf("window %d words, want <= %d", w, maxSeqWindow)
	}
	// Fill a missing hole: no longer reported missing, not a duplicate.
	if len(s.missing) == 0 {
		t.Fatalf("no missing ranges after the window slid")
	}
	hole := s.missing[0].lo
	if s.add(hole) {
		t.Errorf("add(%d) of a missing number = dup, want new", hole)
	}
	if !s.add(hole) {
		t.Errorf("second add(%d) = new, want dup", hole)
	}
}

// TestSeqTrackerHugeJump adds a sequence number far beyond the window (a
// corrupted stamp header): it must not take time proportional to the jump.
func TestSeqTrackerHugeJump(t *testing.T) {
	var s seqTracker
	for seq := range uint64(1000) {
		if seq != 500 {
			s.add(seq)
		}
	}
	s.add(1 << 62)
	s.add(500)
	r := s.ranges()
	if len(r) != 2 || r[0] != (seqRange{0, 1000}) || r[1] != (seqRange{1 << 62, 1<<62 + 1}) {
		t.Errorf("ranges %v, want [{0 1000} {2^62 2^62+1}]", r)
	}
}

// TestSeqTrackerInOrderMemory checks that in-order additions keep no state
// beyond the watermark.
func TestSeqTrackerInOrderMemory(t *testing.T) {
	var s seqTracker
	for seq := range uint64(1 << 20) {
		s.add(seq)
	}
	if s.base != 1<<20 || len(s.words) != 0 || len(s.missing) != 0 {
		t.Errorf("after 2^20 in-order adds: base %d, %d words, %d missing ranges; want 2^20, 0, 0",
			s.base, len(s.words), len(s.missing))
	}
}

func TestDifference(t *testing.T) {
	a := []seqRange{{0, 10}, {20, 30}}
	b := []seqRange{{2, 4}, {8, 22}, {25, 26}}
	var ex []uint64
	// a \ b = {0,1,4,5,6,7,22,23,24,26,27,28,29}
	if got := difference(a, b, 5, func(s uint64) { ex = append(ex, s) }); got != 13 {
		t.Errorf("difference = %d, want 13", got)
	}
	if want := []uint64{0, 1, 4, 5, 6}; !slices.Equal(ex, want) {
		t.Errorf("examples %v, want %v", ex, want)
	}
	if got := difference(b, nil, 0, nil); got != 2+14+1 {
		t.Errorf("difference(b, nil) = %d, want 17", got)
	}
}

func TestVerifier(t *testing.T) {
	v := newVerifier(2, 2, 100)
	const n = 1000
	st := func(p uint32, seq uint64) Stamp { return Stamp{Producer: p, Seq: seq, IntendedNs: 1000} }
	k0, k1 := partKey{"t", 0}, partKey{"t", 1}
	// Producer p writes seq to partition seq%2 at offset 2·(seq/2)+p... keep
	// it simple: each producer has its own partition, offset = seq.
	var wg sync.WaitGroup
	for p := range uint32(2) {
		wg.Go(func() {
			for seq := range uint64(n) {
				v.ack(p, seq)
				v.ackedOffset("t", int(p), int64(seq))
			}
		})
		// Group 0 reads everything, concurrently with the acks.
		wg.Go(func() {
			ps := v.partition(0, partKey{"t", int(p)})
			for seq := range uint64(n) {
				v.read(0, partKey{"t", int(p)}, ps, int64(seq), st(p, seq), nil)
			}
		})
	}
	wg.Wait()
	if v.caughtUp(2*n, true) {
		t.Errorf("caughtUp after group 0 read all, group 1 nothing: want false")
	}
	// Group 1: partition 0 complete but 3 lost (offsets 0..2 never stored:
	// the log starts at offset 3 with seq 3); partition 1 has a duplicate
	// copy of seq 10 at offset n, a redelivery of offsets 5..7 and two
	// swapped messages.
	ps0, ps1 := v.partition(1, k0), v.partition(1, k1)
	for seq := uint64(3); seq < n; seq++ {
		v.read(1, k0, ps0, int64(seq), st(0, seq), nil)
	}
	for seq := uint64(0); seq < n; seq++ {
		s := seq
		switch seq {
		case 20:
			s = 21
		case 21:
			s = 20
		}
		v.read(1, k1, ps1, int64(seq), st(1, s), nil)
		if seq == 7 {
			for off := int64(5); off <= 7; off++ {
				if got := v.read(1, k1, ps1, off, st(1, uint64(off)), nil); got != readRedelivered {
					t.Errorf("read of offset %d again: outcome %d, want readRedelivered", off, got)
				}
			}
		}
	}
	v.read(1, k1, ps1, n, st(1, 10), nil)                           // duplicate
	v.read(1, k1, ps1, n+1, st(1, 11), ErrChecksum)                 // corrupted
	v.read(1, k1, ps1, n+2, Stamp{}, ErrNotStamped)                 // foreign: no stamp
	v.read(1, k1, ps1, n+3, st(7, 0), nil)                          // foreign: unknown producer
	v.read(1, k1, ps1, n+4, Stamp{Producer: 1, IntendedNs: 5}, nil) // foreign: older than the step
	if !v.caughtUp(2*n, true) {
		t.Errorf("caughtUp with every partition read to its end: want true (lost messages cannot arrive)")
	}
	if v.caughtUp(2*n, false) {
		t.Errorf("caughtUp without offsets and 3 messages missing: want false")
	}
	got := v.result(true)
	want := report.Verification{Complete: true, Lost: 3, Duplicated: 1, OutOfOrder: 1, Corrupted: 1, Foreign: 3, Redelivered: 3}
	ex := got.Examples
	got.Examples = nil
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("result = %+v, want %+v", *got, want)
	}
	kinds := map[string]int{}
	for _, e := range ex {
		kinds[e.Kind]++
	}
	if kinds["lost"] != 3 || kinds["duplicated"] != 1 || kinds["corrupted"] != 1 || kinds["foreign"] != 3 || kinds["out_of_order"] != 1 {
		t.Errorf("example kinds %v, want lost 3, duplicated 1, out_of_order 1, corrupted 1, foreign 3", kinds)
	}
	if e := ex[0]; e.Kind != "lost" || e.Group != 1 || e.Producer != 0 || e.Sequence != 0 || e.Offset != -1 {
		t.Errorf("first example %+v, want lost group 1 producer 0 seq 0 offset -1", e)
	}
	for _, e := range ex {
		if e.Kind == "duplicated" && (e.Producer != 1 || e.Sequence != 10 || e.Partition != 1 || e.Offset != n) {
			t.Errorf("duplicate example %+v, want producer 1 seq 10 partition 1 offset %d", e, n)
		}
	}
}

// BenchmarkVerifierRead measures the per-message cost of verification on
// the consumer side (4 partitions, 2 producers, in order per partition).
func BenchmarkVerifierRead(b *testing.B) {
	v := newVerifier(2, 1, 0)
	var ps [4]*partState
	for i := range ps {
		ps[i] = v.partition(0, partKey{"t", i})
	}
	var offsets [4]int64
	b.ReportAllocs()
	for i := range b.N {
		seq := uint64(i / 2)
		part := int(seq % 4)
		if v.read(0, partKey{"t", part}, ps[part], offsets[part], Stamp{Producer: uint32(i % 2), Seq: seq, IntendedNs: 1}, nil) != readCounted {
			b.Fatal("unexpected redelivery or foreign message")
		}
		offsets[part]++
	}
	if v.dups.Load() != 0 || v.outOfOrder.Load() != 0 {
		b.Fatalf("dups %d out of order %d, want 0", v.dups.Load(), v.outOfOrder.Load())
	}
}

// With transactions, acknowledged messages of aborted transactions are not
// expected: a read_committed group reading one counts as aborted_seen, a
// committed message it missed as lost; a read_uncommitted group may read
// aborted ones.
func TestVerifierAborted(t *testing.T) {
	for _, rc := range []bool{true, false} {
		v := newVerifier(1, 1, 0)
		v.readCommitted, v.transactional = rc, true
		k := partKey{"t", 0}
		for seq := range uint64(20) {
			v.ack(0, seq)
		}
		v.abortRange(0, 5, 10)
		v.abortRange(0, 10, 12) // touching ranges merge
		ps := v.partition(0, k)
		off := int64(0)
		for _, seq := range []uint64{0, 1, 2, 3, 4, 7, 12, 13, 14, 15, 16, 17, 18} { // 19 missing, 7 aborted
			v.read(0, k, ps, off, Stamp{Seq: seq, IntendedNs: 1}, nil)
			off++
		}
		r := v.result(true)
		wantSeen := int64(1)
		if !rc {
			wantSeen = 0
		}
		if r.Lost != 1 || r.AbortedSeen != wantSeen || r.Duplicated != 0 {
			t.Errorf("read_committed %t: lost %d (want 1: seq 19), aborted seen %d (want %d)", rc, r.Lost, r.AbortedSeen, wantSeen)
		}
		if got := v.aborted[0]; len(got) != 1 || got[0] != (seqRange{5, 12}) {
			t.Errorf("aborted ranges %v, want [{5 12}]", got)
		}
		if v.caughtUp(20, false) {
			t.Errorf("caughtUp by count with transactions: want false (offsets only)")
		}
	}
}

func TestUnion(t *testing.T) {
	got := union([]seqRange{{0, 3}, {10, 12}}, []seqRange{{2, 5}, {5, 6}, {12, 13}, {20, 21}})
	want := []seqRange{{0, 6}, {10, 13}, {20, 21}}
	if !slices.Equal(got, want) {
		t.Errorf("union = %v, want %v", got, want)
	}
	if size(want) != 10 {
		t.Errorf("size = %d, want 10", size(want))
	}
}

// TestMergeVerification: states of two processes merge exactly: a message
// one acknowledged and the other read is not lost, one read by the same
// group in both is a duplicate, one never read is lost.
func TestMergeVerification(t *testing.T) {
	// Producer 0 on process A, producer 1 on B; one group with a member on each.
	a := &VerifyState{Producers: 2, Acked: map[int][]SeqRange{0: {{0, 10}}},
		Seen: []map[int][]SeqRange{{0: {{0, 5}}, 1: {{0, 3}}}}}
	b := &VerifyState{Producers: 2, Acked: map[int][]SeqRange{1: {{0, 4}}},
		Seen: []map[int][]SeqRange{{0: {{4, 10}}, 1: {{2, 3}}}}, Duplicated: 1}
	v := MergeVerification([]*VerifyState{a, b}, true)
	// Producer 0: read 0..4 on A and 4..9 on B: 4 twice. Producer 1: 0..2
	// on A, 2 again on B, 3 never.
	if v.Lost != 1 || v.Duplicated != 1+1+1 || !v.Complete {
		t.Errorf("merged: lost %d duplicated %d complete %v, want 1, 3, true", v.Lost, v.Duplicated, v.Complete)
	}
	if len(v.Examples) == 0 || v.Examples[0].Kind != "lost" || v.Examples[0].Producer != 1 || v.Examples[0].Sequence != 3 {
		t.Errorf("examples %+v, want the lost message 1/3 first", v.Examples)
	}
	// One state alone is the single-process verification.
	one := newVerifier(1, 1, 0)
	for seq := range uint64(3) {
		one.ack(0, seq)
	}
	if r := one.result(true); r.Lost != 3 {
		t.Errorf("nothing read: lost %d, want 3", r.Lost)
	}
}
