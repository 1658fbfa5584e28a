package load

import (
	"math/bits"
	"sync/atomic"
)

// seqSet is a set of sequence numbers in [0, seqSetCap), stored as a bitmap
// in chunks allocated on first use. mark is safe for concurrent use and does
// not allocate except when it touches a new chunk.
type seqSet struct {
	chunks [seqSetChunks]atomic.Pointer[seqChunk]
}

const (
	seqChunkBits = 1 << 20                     // sequence numbers per chunk (128 KiB)
	seqSetChunks = 4096                        // chunks per set
	seqSetCap    = seqChunkBits * seqSetChunks // 2^32 sequence numbers per producer
)

type seqChunk [seqChunkBits / 64]atomic.Uint64

// mark adds seq and reports whether it was already present. ok is false
// when seq is out of range (not tracked).
func (s *seqSet) mark(seq uint64) (dup, ok bool) {
	if seq >= seqSetCap {
		return false, false
	}
	ci := seq / seqChunkBits
	c := s.chunks[ci].Load()
	if c == nil {
		c = new(seqChunk)
		if !s.chunks[ci].CompareAndSwap(nil, c) {
			c = s.chunks[ci].Load()
		}
	}
	off := seq % seqChunkBits
	bit := uint64(1) << (off % 64)
	old := c[off/64].Or(bit)
	return old&bit != 0, true
}

// missingFrom counts the members of s that are not in t (s \ t). It must not
// run concurrently with mark.
func (s *seqSet) missingFrom(t *seqSet) int64 {
	var n int64
	for i := range s.chunks {
		a := s.chunks[i].Load()
		if a == nil {
			continue
		}
		b := t.chunks[i].Load()
		for w := range a {
			x := a[w].Load()
			if b != nil {
				x &^= b[w].Load()
			}
			n += int64(bits.OnesCount64(x))
		}
	}
	return n
}

// verifier checks delivery when Plan.Verify is set: every acknowledged
// message must be read by every consumer group, exactly once per group. It
// is safe for concurrent use by producers' completions and consumers.
type verifier struct {
	acked []seqSet // per producer
	// seen[g][p]: sequence numbers of producer p read by group g.
	seen [][]seqSet
	// unique[g] and dups[g]: messages group g read for the first time / again.
	unique []atomic.Int64
	dups   []atomic.Int64
}

func newVerifier(producers, groups int) *verifier {
	v := &verifier{
		acked:  make([]seqSet, producers),
		seen:   make([][]seqSet, groups),
		unique: make([]atomic.Int64, groups),
		dups:   make([]atomic.Int64, groups),
	}
	for g := range v.seen {
		v.seen[g] = make([]seqSet, producers)
	}
	return v
}

// ack records that producer p's message seq was acknowledged.
func (v *verifier) ack(p uint32, seq uint64) {
	if int(p) < len(v.acked) {
		v.acked[p].mark(seq)
	}
}

// consumed records that group g read producer p's message seq. Messages of
// producers outside this step are ignored.
func (v *verifier) consumed(g int, p uint32, seq uint64) {
	if int(p) >= len(v.acked) {
		return
	}
	dup, ok := v.seen[g][p].mark(seq)
	switch {
	case !ok:
	case dup:
		v.dups[g].Add(1)
	default:
		v.unique[g].Add(1)
	}
}

// caughtUp reports whether every group has read at least acked distinct
// messages.
func (v *verifier) caughtUp(acked int64) bool {
	for g := range v.unique {
		if v.unique[g].Load() < acked {
			return false
		}
	}
	return true
}

// lost returns, per group, how many acknowledged messages the group never
// read. Call it only after producers and consumers have stopped.
func (v *verifier) lost() []int64 {
	out := make([]int64, len(v.seen))
	for g := range v.seen {
		for p := range v.acked {
			out[g] += v.acked[p].missingFrom(&v.seen[g][p])
		}
	}
	return out
}
