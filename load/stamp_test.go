package load

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

func TestStampRoundTrip(t *testing.T) {
	for _, s := range []Stamp{
		{},
		{Run: StampRun("mskbench-", "abc", 2), Shard: 3, Producer: 7, Seq: 42, IntendedNs: 1_700_000_000_000_000_000, SentNs: 1_700_000_000_000_001_000},
		{Run: math.MaxUint64, Shard: math.MaxUint16, Producer: math.MaxUint32, Seq: math.MaxUint64, IntendedNs: math.MinInt64, SentNs: math.MaxInt64},
	} {
		for _, payload := range []int{0, 1, 1000} {
			v := make([]byte, StampSize+payload)
			for i := range payload {
				v[StampSize+i] = byte(i * 7)
			}
			sum := putStamp(v, s)
			got, err := VerifyStamp(v)
			if err != nil {
				t.Fatalf("VerifyStamp(putHeader(%+v)) with %d payload bytes: %v", s, payload, err)
			}
			want := s
			want.Checksum = sum
			if got != want {
				t.Errorf("round trip: got %+v, want %+v", got, want)
			}
		}
	}
}

func TestStampErrors(t *testing.T) {
	v := make([]byte, StampSize+10)
	putStamp(v, Stamp{Producer: 1, Seq: 2})
	if _, err := ReadStamp(v[:StampSize-1]); !errors.Is(err, ErrNotStamped) {
		t.Errorf("short value: err = %v, want ErrNotStamped", err)
	}
	for _, i := range []int{0, 1, 2} {
		bad := bytes.Clone(v)
		bad[i]++
		if _, err := ReadStamp(bad); !errors.Is(err, ErrNotStamped) {
			t.Errorf("byte %d changed (magic/version): err = %v, want ErrNotStamped", i, err)
		}
	}
	bad := bytes.Clone(v)
	bad[StampSize+3] ^= 1
	if _, err := VerifyStamp(bad); !errors.Is(err, ErrChecksum) {
		t.Errorf("payload bit flipped: err = %v, want ErrChecksum", err)
	}
	if _, err := ReadStamp(bad); err != nil {
		t.Errorf("ReadStamp does not check the payload: err = %v, want nil", err)
	}
	// The checksum covers the fields: a corrupted run, shard, producer id,
	// sequence number or timestamp is caught too.
	for _, i := range []int{3, 10, 12, 15, 20, 30, 40} {
		bad := bytes.Clone(v)
		bad[i] ^= 0x10
		if _, err := VerifyStamp(bad); !errors.Is(err, ErrChecksum) {
			t.Errorf("stamp byte %d flipped: err = %v, want ErrChecksum", i, err)
		}
	}
}

func TestStampAllocs(t *testing.T) {
	v := make([]byte, 1024)
	allocs := testing.AllocsPerRun(100, func() {
		putStamp(v, Stamp{Producer: 1, Seq: 2, IntendedNs: 3, SentNs: 4})
		if _, err := VerifyStamp(v); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("PutStamp + VerifyStamp: %v allocs, want 0", allocs)
	}
}

func FuzzStamp(f *testing.F) {
	f.Add(uint64(9), uint16(1), uint32(1), uint64(2), int64(3), int64(4), []byte("payload"))
	f.Add(uint64(0), uint16(0), uint32(0), uint64(0), int64(0), int64(0), []byte{})
	f.Fuzz(func(t *testing.T, run uint64, shard uint16, producer uint32, seq uint64, intended, sent int64, payload []byte) {
		v := append(make([]byte, StampSize), payload...)
		s := Stamp{Run: run, Shard: shard, Producer: producer, Seq: seq, IntendedNs: intended, SentNs: sent}
		s.Checksum = putStamp(v, s)
		got, err := VerifyStamp(v)
		if err != nil || got != s {
			t.Fatalf("round trip: got %+v, %v; want %+v", got, err, s)
		}
		// Arbitrary bytes must never panic the decoder.
		_, _ = VerifyStamp(payload)
	})
}

func BenchmarkStamp(b *testing.B) {
	v := make([]byte, 1024)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range v {
		v[i] = byte(rng.Uint32())
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for i := 0; b.Loop(); i++ {
		putStamp(v, Stamp{Run: 5, Shard: 1, Producer: 1, Seq: uint64(i), IntendedNs: int64(i), SentNs: int64(i)})
		if _, err := VerifyStamp(v); err != nil {
			b.Fatal(err)
		}
	}
}

// The stamp's last field (the checksum) ends at StampSize, which is
// plan.MinMessageSize, the size scenarios validate messages against.
func TestStampSizeIsLayout(t *testing.T) {
	const checksumOffset, checksumSize = 41, 4
	if plan.MinMessageSize != checksumOffset+checksumSize || stampSumAt != checksumOffset {
		t.Errorf("plan.MinMessageSize = %d, checksum at %d; want %d, %d: the end of the stamp's checksum",
			plan.MinMessageSize, stampSumAt, checksumOffset+checksumSize, checksumOffset)
	}
	v := make([]byte, StampSize)
	putHeader(v, Stamp{Run: 1, Shard: 2, Producer: 3, Seq: 4, IntendedNs: 5, SentNs: 6})
	if _, err := VerifyStamp(v); err != nil {
		t.Errorf("a value of exactly StampSize bytes: %v", err)
	}
}

// putStamp writes s with the engine's putHeader (s.Checksum is ignored) and
// returns the checksum.
func putStamp(v []byte, s Stamp) uint32 {
	return putHeader(v, s)
}

// The stamp's bytes are the layout of format version 4 (docs/results.md):
// the fields at their offsets, big endian, then the CRC-32C of the payload
// followed by the fields; a producer that keeps the payload's checksum
// writes the same stamp.
func TestStampLayout(t *testing.T) {
	v := make([]byte, 300)
	for i := range v {
		v[i] = byte(i * 7)
	}
	st := Stamp{Run: 0x0102030405060708, Shard: 0x090a, Producer: 3, Seq: 99, IntendedNs: 1000, SentNs: 2000}
	sum := putHeader(v, st)
	be := binary.BigEndian
	if string(v[:2]) != "mb" || v[2] != 4 || be.Uint64(v[3:]) != st.Run || be.Uint16(v[11:]) != st.Shard ||
		be.Uint32(v[13:]) != st.Producer || be.Uint64(v[17:]) != st.Seq || be.Uint64(v[25:]) != 1000 || be.Uint64(v[33:]) != 2000 {
		t.Errorf("stamp bytes % x, want the version 4 layout of %+v", v[:StampSize], st)
	}
	want := crc32.Checksum(append(append([]byte(nil), v[StampSize:]...), v[3:41]...), crc32.MakeTable(crc32.Castagnoli))
	if sum != want || be.Uint32(v[41:]) != want {
		t.Errorf("checksum %08x, want CRC-32C(payload ‖ fields) = %08x", sum, want)
	}
	w := append([]byte(nil), v...)
	if got := putHeaderSum(w, st, payloadSum(v)); got != sum || !bytes.Equal(w, v) {
		t.Errorf("putHeaderSum = %08x, want %08x and the same bytes", got, sum)
	}
	// A version 3 stamp (no run identity) is not one of ours.
	v[2] = 3
	if _, err := ReadStamp(v); !errors.Is(err, ErrNotStamped) {
		t.Errorf("version 3: err = %v, want ErrNotStamped", err)
	}
}

// StampRun differs between runs, steps and prefixes, and is the same for
// the same three (every shard of a run).
func TestStampRun(t *testing.T) {
	a := StampRun("mskbench-", "r1", 0)
	if a != StampRun("mskbench-", "r1", 0) {
		t.Errorf("StampRun is not deterministic")
	}
	for _, o := range []uint64{StampRun("mskbench-", "r2", 0), StampRun("mskbench-", "r1", 1), StampRun("other-", "r1", 0), StampRun("mskbench-", "r", 10)} {
		if o == a {
			t.Errorf("StampRun collides: %x", a)
		}
	}
}

// A consumer counts a message with a valid stamp of another run as
// foreign, with or without verification: not consumed, not in end-to-end
// latency.
func TestConsumerOtherRunForeign(t *testing.T) {
	for _, verify := range []bool{false, true} {
		col := report.NewCollector(1)
		var from atomic.Int64
		c := &consumer{rec: col.NewRecorder(), clk: newClock(), measureStartNs: &from, runStamp: 7, parts: map[partKey]*partState{}}
		if verify {
			c.verify = newVerifier(2, 1, 0)
		}
		now := c.clk.now()
		for i, run := range []uint64{7, 8, 7} {
			v := make([]byte, 100)
			putHeader(v, Stamp{Run: run, Producer: 1, Seq: uint64(i), IntendedNs: now, SentNs: now})
			c.handle(&delivered{topic: "t", offset: int64(i), value: v}, now+1000)
		}
		col.Tick(time.Unix(0, now), time.Unix(0, now+1), report.PhaseMeasure)
		st := col.Step(report.StepInfo{})
		if c.consumed.Load() != 2 || c.foreign.Load() != 1 || st.Counters.Consumed != 2 || st.Latency.EndToEnd.Count != 2 {
			t.Errorf("verify %t: consumed %d, foreign %d, recorded %d, end-to-end samples %d; want 2, 1, 2, 2",
				verify, c.consumed.Load(), c.foreign.Load(), st.Counters.Consumed, st.Latency.EndToEnd.Count)
		}
	}
}
