package load

import (
	"testing"
	"time"
)

// TestShardSplit: the shares of every shard partition 0..n-1 in order,
// differ by at most one, give the remainder to the first shards, and are
// empty for the shards beyond n when N > n.
func TestShardSplit(t *testing.T) {
	for _, tc := range []struct {
		n, N int
		want [][2]int
	}{
		{10, 3, [][2]int{{0, 4}, {4, 7}, {7, 10}}},
		{9, 3, [][2]int{{0, 3}, {3, 6}, {6, 9}}},
		{2, 4, [][2]int{{0, 1}, {1, 2}, {2, 2}, {2, 2}}},
		{0, 2, [][2]int{{0, 0}, {0, 0}}},
		{5, 1, [][2]int{{0, 5}}},
	} {
		for i, w := range tc.want {
			lo, hi := Shard{Index: i, Count: tc.N}.Split(tc.n)
			if lo != w[0] || hi != w[1] {
				t.Errorf("Split(%d) of shard %d/%d = [%d,%d), want [%d,%d)", tc.n, i, tc.N, lo, hi, w[0], w[1])
			}
		}
	}
	// Exhaustively: a partition, sizes within one, Owner the inverse.
	for N := 1; N <= 9; N++ {
		for n := 0; n <= 40; n++ {
			next, minSize, maxSize := 0, n, 0
			for i := range N {
				s := Shard{Index: i, Count: N}
				lo, hi := s.Split(n)
				if lo != next || hi < lo {
					t.Fatalf("n=%d N=%d shard %d: [%d,%d) does not follow %d", n, N, i, lo, hi, next)
				}
				for w := lo; w < hi; w++ {
					if o := s.Owner(w, n); o != i {
						t.Fatalf("n=%d N=%d: Owner(%d) = %d, want %d", n, N, w, o, i)
					}
				}
				if s.Consumers(n) != hi-lo {
					t.Fatalf("Consumers(%d) = %d, want %d", n, s.Consumers(n), hi-lo)
				}
				next, minSize, maxSize = hi, min(minSize, hi-lo), max(maxSize, hi-lo)
			}
			if next != n || maxSize-minSize > 1 {
				t.Fatalf("n=%d N=%d: covered %d, sizes %d..%d", n, N, next, minSize, maxSize)
			}
		}
	}
	if o := (Shard{Index: 0, Count: 3}).Owner(7, 7); o != -1 {
		t.Errorf("Owner out of range = %d, want -1", o)
	}
	// The zero value is a run of one process.
	if lo, hi := (Shard{}).Split(7); lo != 0 || hi != 7 {
		t.Errorf("zero Shard: [%d,%d), want [0,7)", lo, hi)
	}
}

// TestShardRates: rate and connection budget shares add up to the totals.
func TestShardRates(t *testing.T) {
	var rate, conn float64
	for i := range 3 {
		s := Shard{Index: i, Count: 3}
		rate += s.Rate(1000, 10)
		conn += s.ConnectRate(100)
	}
	if rate != 1000 || conn < 99.999 || conn > 100.001 {
		t.Errorf("shares sum to %v msgs/s and %v connections/s, want 1000 and 100", rate, conn)
	}
	if r := (Shard{Index: 3, Count: 4}).Rate(1000, 2); r != 0 {
		t.Errorf("shard beyond the workers: rate %v, want 0", r)
	}
	if c := (Shard{Index: 0, Count: 4}).ConnectRate(0); c != 0 {
		t.Errorf("no cap stays no cap: %v", c)
	}
}

// TestOfferedBy: the shards' shares of the schedule sum to the schedule,
// exactly, for awkward rates, worker counts and windows.
func TestOfferedBy(t *testing.T) {
	for _, rate := range []float64{1, 7, 1000, 3333.3} {
		for _, workers := range []int{1, 3, 8} {
			for _, N := range []int{1, 2, 3, 5} {
				from, to := 250*time.Millisecond, 2*time.Second+333*time.Millisecond
				var sum int64
				for i := range N {
					lo, hi := Shard{Index: i, Count: N}.Workers(workers)
					sum += offeredBy(rate, workers, lo, hi, from, to)
				}
				if want := scheduledBetween(rate, from, to); sum != want {
					t.Errorf("rate %v workers %d N %d: shares sum to %d, want %d", rate, workers, N, sum, want)
				}
			}
		}
	}
}

// TestGlobalDrained: the drain ends only when every shard's producers
// ended and every group read what all shards acknowledged.
func TestGlobalDrained(t *testing.T) {
	a := DrainState{ProducersDone: true, Acked: 10, Consumed: 12, Unique: []int64{12}}
	b := DrainState{ProducersDone: true, Acked: 5, Consumed: 2, Unique: []int64{2}}
	if GlobalDrained([]DrainState{a, b}, 1) {
		t.Error("14 of 15 read: drained")
	}
	b.Unique, b.Consumed = []int64{3}, 3
	if !GlobalDrained([]DrainState{a, b}, 1) {
		t.Error("15 of 15 read: not drained")
	}
	b.ProducersDone = false
	if GlobalDrained([]DrainState{a, b}, 1) {
		t.Error("producers still running: drained")
	}
}
