package load

import (
	"sync"
	"testing"
)

func TestSeqSet(t *testing.T) {
	var s, u seqSet
	for _, seq := range []uint64{0, 1, 63, 64, seqChunkBits - 1, seqChunkBits, 5 * seqChunkBits} {
		if dup, ok := s.mark(seq); dup || !ok {
			t.Errorf("first mark(%d) = (%t, %t), want (false, true)", seq, dup, ok)
		}
		if dup, ok := s.mark(seq); !dup || !ok {
			t.Errorf("second mark(%d) = (%t, %t), want (true, true)", seq, dup, ok)
		}
	}
	if _, ok := s.mark(seqSetCap); ok {
		t.Errorf("mark(seqSetCap) ok = true, want false (out of range)")
	}
	u.mark(1)
	u.mark(seqChunkBits)
	u.mark(999) // in u only: not counted
	if got := s.missingFrom(&u); got != 5 {
		t.Errorf("missingFrom = %d, want 5", got)
	}
}

func TestVerifier(t *testing.T) {
	v := newVerifier(2, 2)
	const n = 1000
	var wg sync.WaitGroup
	for p := range uint32(2) {
		wg.Go(func() {
			for seq := range uint64(n) {
				v.ack(p, seq)
			}
		})
		// Group 0 reads everything, concurrently with the acks.
		wg.Go(func() {
			for seq := range uint64(n) {
				v.consumed(0, p, seq)
			}
		})
	}
	wg.Wait()
	// Group 1 misses 3 messages of producer 1 and reads 2 twice.
	for p := range uint32(2) {
		for seq := range uint64(n) {
			if p == 1 && seq < 3 {
				continue
			}
			v.consumed(1, p, seq)
		}
	}
	v.consumed(1, 0, 10)
	v.consumed(1, 0, 11)
	v.consumed(1, 7, 0) // unknown producer: ignored
	if got := v.lost(); got[0] != 0 || got[1] != 3 {
		t.Errorf("lost = %v, want [0 3]", got)
	}
	if d0, d1 := v.dups[0].Load(), v.dups[1].Load(); d0 != 0 || d1 != 2 {
		t.Errorf("dups = [%d %d], want [0 2]", d0, d1)
	}
	if v.caughtUp(2 * n) {
		t.Errorf("caughtUp(%d) = true with group 1 missing 3, want false", 2*n)
	}
	if !v.caughtUp(2*n - 3) {
		t.Errorf("caughtUp(%d) = false, want true", 2*n-3)
	}
}
