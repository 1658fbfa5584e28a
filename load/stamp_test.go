package load

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mskbench/mskbench/plan"
)

func TestStampRoundTrip(t *testing.T) {
	for _, s := range []Stamp{
		{},
		{Producer: 7, Seq: 42, IntendedNs: 1_700_000_000_000_000_000, SentNs: 1_700_000_000_000_001_000},
		{Producer: math.MaxUint32, Seq: math.MaxUint64, IntendedNs: math.MinInt64, SentNs: math.MaxInt64},
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
	// The checksum covers the fields: a corrupted producer id, sequence
	// number or timestamp is caught too.
	for _, i := range []int{3, 10, 20, 30} {
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
	f.Add(uint32(1), uint64(2), int64(3), int64(4), []byte("payload"))
	f.Add(uint32(0), uint64(0), int64(0), int64(0), []byte{})
	f.Fuzz(func(t *testing.T, producer uint32, seq uint64, intended, sent int64, payload []byte) {
		v := append(make([]byte, StampSize), payload...)
		s := Stamp{Producer: producer, Seq: seq, IntendedNs: intended, SentNs: sent}
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
		putStamp(v, Stamp{Producer: 1, Seq: uint64(i), IntendedNs: int64(i), SentNs: int64(i)})
		if _, err := VerifyStamp(v); err != nil {
			b.Fatal(err)
		}
	}
}

// The stamp's last field (the checksum) ends at StampSize, which is
// plan.MinMessageSize, the size scenarios validate messages against.
func TestStampSizeIsLayout(t *testing.T) {
	const checksumOffset, checksumSize = 31, 4
	if plan.MinMessageSize != checksumOffset+checksumSize {
		t.Errorf("plan.MinMessageSize = %d, want %d: the end of the stamp's checksum", plan.MinMessageSize, checksumOffset+checksumSize)
	}
	v := make([]byte, StampSize)
	putHeader(v, 1, 2, 3, 4)
	if _, err := VerifyStamp(v); err != nil {
		t.Errorf("a value of exactly StampSize bytes: %v", err)
	}
}

// putStamp writes s with the engine's putHeader (s.Checksum is ignored) and
// returns the checksum.
func putStamp(v []byte, s Stamp) uint32 {
	return putHeader(v, s.Producer, s.Seq, s.IntendedNs, s.SentNs)
}

// The checksum is the CRC-32C of the payload followed by the fields (the
// layout of format version 3), and a producer that keeps the payload's
// checksum writes the same stamp.
func TestStampChecksumLayout(t *testing.T) {
	v := make([]byte, 300)
	for i := range v {
		v[i] = byte(i * 7)
	}
	sum := putHeader(v, 3, 99, 1000, 2000)
	want := crc32.Checksum(append(append([]byte(nil), v[StampSize:]...), v[3:31]...), crc32.MakeTable(crc32.Castagnoli))
	if sum != want || binary.BigEndian.Uint32(v[31:]) != want {
		t.Errorf("checksum %08x, want CRC-32C(payload ‖ fields) = %08x", sum, want)
	}
	w := append([]byte(nil), v...)
	if got := putHeaderSum(w, 3, 99, 1000, 2000, payloadSum(v)); got != sum || !bytes.Equal(w, v) {
		t.Errorf("putHeaderSum = %08x, want %08x and the same bytes", got, sum)
	}
	if v[2] != 3 {
		t.Errorf("format version %d, want 3", v[2])
	}
}
