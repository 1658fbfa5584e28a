package load

import "math/rand/v2"

// murmur2 is the 32-bit MurmurHash2 of the Java client's
// org.apache.kafka.common.utils.Utils.murmur2 (seed 0x9747b28c), with which
// its default partitioner places keyed records: partition =
// (murmur2(key) & 0x7fffffff) % partitions. Both clients place keyed
// messages with it, so a key lands where a Java producer puts it.
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	i := 0
	for ; n-i >= 4; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch n - i {
	case 3:
		h ^= uint32(data[i+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[i+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[i])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// keyPartition returns the partition of a keyed message among n.
func keyPartition(key []byte, n int) int {
	return int((murmur2(key) & 0x7fffffff) % uint32(n))
}

// stickyBytes is how many value bytes an unkeyed sticky partitioner sends
// to one partition before it moves on (franz-go's and, with its default
// batch.size of 16 KiB ×4, about the Java client's).
const stickyBytes = 64 << 10

// sticky places unkeyed messages of one producer worker on one partition
// until about stickyBytes went there, then on another chosen at random
// (KIP-480), so that batches fill before linger ends. Not safe for
// concurrent use: one per worker, called from its run goroutine.
type sticky struct {
	rng     *rand.Rand
	current int // -1 before the first message
	bytes   int
}

func newSticky(seed uint64) *sticky {
	return &sticky{rng: rand.New(rand.NewPCG(seed, 0x5717c)), current: -1}
}

// pick returns the partition among n of an unkeyed message of size bytes.
func (s *sticky) pick(n, size int) int {
	if s.current < 0 || s.current >= n || s.bytes >= stickyBytes {
		next := s.rng.IntN(n)
		if n > 1 && next == s.current {
			next = (next + 1 + s.rng.IntN(n-1)) % n
		}
		s.current, s.bytes = next, 0
	}
	s.bytes += size
	return s.current
}
