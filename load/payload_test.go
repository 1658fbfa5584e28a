package load

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

func TestSizeChooser(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name     string
		d        plan.SizeDist
		min, max int
		mean     float64
	}{
		{"fixed", plan.SizeDist{Fixed: 1000}, 1000, 1000, 1000},
		{"fixed below the stamp is raised", plan.SizeDist{Fixed: 10}, StampSize, StampSize, StampSize},
		{"uniform", plan.SizeDist{Min: 100, Max: 300}, 100, 300, 200},
		{"weighted", plan.SizeDist{Weighted: []plan.WeightedSize{{Size: 100, Weight: 3}, {Size: 1000, Weight: 1}}}, 100, 1000, 325},
	} {
		c, err := newSizeChooser(tc.d)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := c.mean(); math.Abs(got-tc.mean) > 1e-9 {
			t.Errorf("%s: mean = %g, want %g", tc.name, got, tc.mean)
		}
		if got := c.maxSize(); got != tc.max {
			t.Errorf("%s: maxSize = %d, want %d", tc.name, got, tc.max)
		}
		const n = 100000
		sum, lo, hi := 0.0, math.MaxInt, 0
		for range n {
			s := c.next(rng)
			sum += float64(s)
			lo, hi = min(lo, s), max(hi, s)
		}
		if lo != tc.min || hi != tc.max {
			t.Errorf("%s: sampled range [%d, %d], want [%d, %d]", tc.name, lo, hi, tc.min, tc.max)
		}
		if got := sum / n; math.Abs(got-tc.mean) > 0.02*tc.mean {
			t.Errorf("%s: sampled mean %g, want %g ± 2%%", tc.name, got, tc.mean)
		}
	}
	for _, d := range []plan.SizeDist{{}, {Min: 5, Max: 4}, {Weighted: []plan.WeightedSize{{Size: 100, Weight: 0}}}, {Weighted: []plan.WeightedSize{{Size: 100, Weight: -1}}}} {
		if _, err := newSizeChooser(d); err == nil {
			t.Errorf("newSizeChooser(%+v): nil error, want one", d)
		}
	}
}

func TestKeyChooser(t *testing.T) {
	count := func(k plan.Keys, n int) map[string]int {
		c, err := newKeyChooser(k, 0, 1)
		if err != nil {
			t.Fatalf("newKeyChooser(%+v): %v", k, err)
		}
		m := map[string]int{}
		for i := range n {
			m[string(c.pick(uint64(i)))]++
		}
		return m
	}
	if got := count(plan.Keys{Mode: plan.KeysNone}, 10); got[""] != 10 {
		t.Errorf("none: keys %v, want only nil keys", got)
	}
	rr := count(plan.Keys{Mode: plan.KeysRoundRobin, Cardinality: 5}, 100)
	for k, n := range rr {
		if n != 20 {
			t.Errorf("round-robin: key %q used %d times, want 20", k, n)
		}
	}
	if len(rr) != 5 {
		t.Errorf("round-robin: %d distinct keys, want 5", len(rr))
	}
	if got := count(plan.Keys{Mode: plan.KeysRandom, Cardinality: 50}, 10000); len(got) != 50 {
		t.Errorf("random: %d distinct keys, want 50", len(got))
	}
	hot := count(plan.Keys{Mode: plan.KeysHot, Cardinality: 100, HotFraction: 0.8}, 10000)
	// 80% hot plus 1/100 of the rest.
	if n := hot["key-0"]; n < 7800 || n > 8200 {
		t.Errorf("hot: hot key used %d of 10000 times, want about 8020", n)
	}
	if got := count(plan.Keys{Mode: plan.KeysUniform, Cardinality: 50}, 10000); len(got) != 50 {
		t.Errorf("uniform: %d distinct keys, want 50", len(got))
	}
	for _, k := range []plan.Keys{{Mode: "bogus"}, {Mode: plan.KeysRandom}, {Mode: plan.KeysHot, Cardinality: 2, HotFraction: 2},
		{Mode: plan.KeysZipf, Cardinality: 10}, {Mode: plan.KeysSequential, Cardinality: 10, First: -1}} {
		if _, err := newKeyChooser(k, 0, 1); err == nil {
			t.Errorf("newKeyChooser(%+v): nil error, want one", k)
		}
	}
}

// Sequential keys run through the range over the merged schedule of the
// workers: message k of worker w is message k·workers + w and carries key
// first + (k·workers + w) mod cardinality.
func TestKeysSequential(t *testing.T) {
	const workers = 3
	k := plan.Keys{Mode: plan.KeysSequential, Cardinality: 7, First: 100}
	got := map[int]string{}
	for w := range workers {
		c, err := newKeyChooser(k, w, workers)
		if err != nil {
			t.Fatal(err)
		}
		for seq := range 10 {
			got[seq*workers+w] = string(c.pick(uint64(seq)))
		}
	}
	for i := range 10 * workers {
		if want := "key-" + strconv.Itoa(100+i%7); got[i] != want {
			t.Errorf("message %d of the merged schedule has key %q, want %q", i, got[i], want)
		}
	}
}

// Zipf keys: the share of the top keys is the zipf probability within a
// tolerance of 5 binomial standard deviations. The seed is fixed, so the
// counts are the same on every run: the test cannot flake.
func TestKeysZipf(t *testing.T) {
	const n, card, s = 200_000, 1000, 1.1
	c, err := newKeyChooser(plan.Keys{Mode: plan.KeysZipf, Cardinality: card, Exponent: s}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for i := range n {
		counts[string(c.pick(uint64(i)))]++
	}
	for rank := 1; rank <= 3; rank++ {
		p := zipfShare(rank, card, s)
		want, sd := n*p, math.Sqrt(n*p*(1-p))
		got := float64(counts["key-"+strconv.Itoa(rank-1)])
		t.Logf("rank %d: %.0f messages, expected %.0f ± %.0f (share %.4f)", rank, got, want, sd, p)
		if math.Abs(got-want) > 5*sd {
			t.Errorf("rank %d key drawn %.0f times of %d, want %.0f ± %.0f (5 sd)", rank, got, n, want, 5*sd)
		}
	}
	if c1, c2 := counts["key-0"], counts["key-1"]; c1 <= c2 {
		t.Errorf("key-0 drawn %d times, key-1 %d: want key-0 the most frequent", c1, c2)
	}
}

// deflated returns the DEFLATE-compressed size of b.
func deflated(t *testing.T, b []byte) int {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

func TestPayloadCompressibility(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const size = 10000
	for _, c := range []float64{0, 0.5, 0.9} {
		f, err := newPayloadFiller(size, c, rng)
		if err != nil {
			t.Fatal(err)
		}
		// Two consecutive values must differ (no repeated blocks across a batch).
		a, b := make([]byte, size), make([]byte, size)
		f.fill(a, rng)
		f.fill(b, rng)
		if c < 1 && bytes.Equal(a[StampSize:], b[StampSize:]) {
			t.Errorf("compressibility %g: consecutive payloads are identical", c)
		}
		ratio := float64(deflated(t, a[StampSize:])) / float64(size-StampSize)
		if want := 1 - c; math.Abs(ratio-want) > 0.05 {
			t.Errorf("compressibility %g: compressed/raw = %.3f, want about %.2f", c, ratio, want)
		}
	}
	if _, err := newPayloadFiller(100, 1.5, rng); err == nil {
		t.Errorf("compressibility 1.5: nil error, want one")
	}
}

func TestErrorLabel(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{kafka.NotLeaderForPartition, "[6] Not Leader For Partition"},
		{fmt.Errorf("produce: %w", kafka.RequestTimedOut), "[7] Request Timed Out"},
		{kafka.WriteErrors{nil, kafka.NotEnoughReplicas}, "[19] Not Enough Replicas"},
		// franz-go's errors get the same labels.
		{kerr.NotLeaderForPartition, "[6] Not Leader For Partition"},
		{fmt.Errorf("produce: %w", kerr.RequestTimedOut), "[7] Request Timed Out"},
		{kerr.SaslAuthenticationFailed, "[58] SASL Authentication Failed"},
		{kgo.ErrRecordTimeout, "timeout"},
		{kgo.ErrClientClosed, "canceled"},
		{context.Canceled, "canceled"},
		{context.DeadlineExceeded, "timeout"},
		{io.EOF, "connection closed"},
		{errors.New("boom"), "other"},
	} {
		if got := errorLabel(tc.err); got != tc.want {
			t.Errorf("errorLabel(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestProducerPathAllocs(t *testing.T) {
	for _, keys := range []plan.Keys{{Mode: plan.KeysRandom, Cardinality: 100}, {Mode: plan.KeysZipf, Cardinality: 1000, Exponent: 1.2},
		{Mode: plan.KeysSequential, Cardinality: 100, First: 5}} {
		t.Run(string(keys.Mode), func(t *testing.T) { producerPathAllocs(t, keys) })
	}
}

func producerPathAllocs(t *testing.T, keys plan.Keys) {
	p, _ := benchProducer(t, keys,
		plan.SizeDist{Weighted: []plan.WeightedSize{{Size: 100, Weight: 1}, {Size: 2000, Weight: 1}}})
	seq := uint64(0)
	step := func() {
		s := p.free.tryGet()
		intended := p.clk.now()
		sent := p.build(s, seq, intended, p.clk.now())
		p.rec.RecordSend(intended, sent)
		p.pending = p.pending[:0]
		t := newTally()
		p.settle(s, 0, int64(seq), nil, p.clk.now(), &t)
		p.done(&t)
		seq++
	}
	for range 1000 { // grow every buffer and histogram once
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("per-message producer path: %v allocs, want 0", allocs)
	}
	if got := p.acked.Load(); got != int64(seq) {
		t.Errorf("acked = %d, want %d", got, seq)
	}
}

// A value from a payload sample costs a copy of its record: no allocation.
func TestProducerPathSampleAllocs(t *testing.T) {
	p, _ := benchProducer(t, plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 100})
	p.sample = &sample{records: [][]byte{[]byte("one"), make([]byte, 900)}, sums: []uint32{1, 2}, maxLen: 900}
	p.maxV = StampSize + 900
	seq := uint64(0)
	step := func() {
		s := p.free.tryGet()
		p.build(s, seq, p.clk.now(), p.clk.now())
		p.pending = p.pending[:0]
		tl := newTally()
		p.settle(s, 0, int64(seq), nil, p.clk.now(), &tl)
		seq++
	}
	for range 100 {
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("per-message path with a sample: %v allocs, want 0", allocs)
	}
}

// benchProducer is a producer without a client, for the per-message path
// of the engine (what both clients share).
func benchProducer(b testing.TB, keys plan.Keys, sizes plan.SizeDist) (*producer, *report.Collector) {
	col := report.NewCollector(0)
	sc, err := newSizeChooser(sizes)
	if err != nil {
		b.Fatal(err)
	}
	pl := plan.Plan{Producers: plan.Producers{
		MessageSize: sizes, Keys: keys, Compressibility: 0.5, Acks: -1, MaxInFlight: 16,
	}}
	p, err := newProducer(pl, producerConfig{
		id: 0, workers: 1, rate: 1000, topics: []string{"a", "b"}, sizes: &sc,
		rec: col.NewRecorder(), clk: newClock(), seed: 1,
	})
	if err != nil {
		b.Fatal(err)
	}
	return p, col
}

// BenchmarkProducerPath measures the engine's own per-message work: take a
// buffer, choose size and key, fill the payload, stamp, record the send,
// then the completion (read stamp, record the ack, return the buffer).
// It must report 0 allocs/op.
func BenchmarkProducerPath(b *testing.B) {
	for _, bc := range []struct {
		name  string
		keys  plan.Keys
		sizes plan.SizeDist
	}{
		{"fixed-1KiB-nokey", plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 1024}},
		{"weighted-hotkey", plan.Keys{Mode: plan.KeysHot, Cardinality: 1000, HotFraction: 0.3},
			plan.SizeDist{Weighted: []plan.WeightedSize{{Size: 100, Weight: 5}, {Size: 1024, Weight: 3}, {Size: 10240, Weight: 1}}}},
		{"fixed-1KiB-zipf", plan.Keys{Mode: plan.KeysZipf, Cardinality: 100_000, Exponent: 1}, plan.SizeDist{Fixed: 1024}},
		{"fixed-1KiB-sequential", plan.Keys{Mode: plan.KeysSequential, Cardinality: 100_000}, plan.SizeDist{Fixed: 1024}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, _ := benchProducer(b, bc.keys, bc.sizes)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s := p.free.tryGet()
				intended := p.clk.now()
				sent := p.build(s, uint64(i), intended, p.clk.now())
				p.rec.RecordSend(intended, sent)
				p.pending = p.pending[:0]
				t := newTally()
				p.settle(s, 0, int64(i), nil, p.clk.now(), &t)
				p.done(&t)
			}
		})
	}
}
