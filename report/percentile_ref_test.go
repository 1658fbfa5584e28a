package report

import (
	"bufio"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The reference percentiles are values the Java HdrHistogram (Debian's
// libhdrhistogram-java 2.1.11) reports for the histograms in
// testdata/reference/histograms.txt; testdata/reference/gen.sh regenerates
// golden.txt from them. The histograms themselves come from
// referenceHistograms, written by `go test -run TestReferencePercentiles
// -update-reference`.
var updateReference = flag.Bool("update-reference", false, "rewrite testdata/reference/histograms.txt (then run gen.sh)")

// referencePercentiles are the percentiles gen.sh asks Java for, in order.
var referencePercentiles = []float64{0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100}

// referenceHistograms returns the deterministic test histograms: small
// counts where q·n is rarely whole, counts where it often is (100, 1000,
// 10000), the 1800-sample case from the issue, and wide distributions.
func referenceHistograms() []*Histogram {
	var out []*Histogram
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{1, 2, 3, 7, 10, 99, 100, 101, 999, 1000, 1001, 1800, 1999, 10000, 12345, 100000} {
		for shape := range 3 {
			h := NewHistogram()
			for range n {
				var v int64
				switch shape {
				case 0: // uniform 1 µs .. 50 ms
					v = 1 + rng.Int64N(50_000)
				case 1: // log-normal around 5 ms with a long tail
					v = int64(math.Exp(rng.NormFloat64()*1.2 + math.Log(5000)))
				default: // few distinct values, many ties
					v = []int64{800, 5_000, 5_001, 29_807, 34_655}[rng.IntN(5)]
				}
				h.RecordUs(v)
			}
			out = append(out, h)
		}
	}
	return out
}

func TestReferencePercentiles(t *testing.T) {
	dir := filepath.Join("testdata", "reference")
	hists := referenceHistograms()
	if *updateReference {
		var b strings.Builder
		for _, h := range hists {
			enc, err := h.Encode()
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(enc + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, "histograms.txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote histograms.txt; now run testdata/reference/gen.sh to refresh golden.txt")
	}
	f, err := os.Open(filepath.Join(dir, "golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	encoded, err := os.ReadFile(filepath.Join(dir, "histograms.txt"))
	if err != nil {
		t.Fatal(err)
	}
	encs := strings.Fields(string(encoded))
	if len(encs) != len(hists) {
		t.Fatalf("histograms.txt has %d histograms, referenceHistograms %d: regenerate with -update-reference and gen.sh", len(encs), len(hists))
	}
	line := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != len(referencePercentiles)+3 {
			t.Fatalf("golden.txt line %d: %d fields, want %d", line+1, len(fields), len(referencePercentiles)+3)
		}
		h, err := DecodeHistogram(encs[line])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		if h.Count() != n {
			t.Fatalf("histogram %d: count %d, Java read %d", line, h.Count(), n)
		}
		for i, p := range referencePercentiles {
			want, _ := strconv.ParseInt(fields[1+i], 10, 64)
			if got := h.Percentile(p); got != want {
				t.Errorf("histogram %d (n=%d): p%v = %d µs, Java HdrHistogram says %d", line, n, p, got, want)
			}
		}
		wantMax, _ := strconv.ParseInt(fields[len(fields)-2], 10, 64)
		if got := h.Max(); got != wantMax {
			t.Errorf("histogram %d: max = %d, Java says %d", line, got, wantMax)
		}
		wantMean, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
		if got := h.Mean(); math.Abs(got-wantMean) > 1e-9*math.Max(1, wantMean) {
			t.Errorf("histogram %d: mean = %v, Java says %v", line, got, wantMean)
		}
		line++
	}
	if line != len(hists) {
		t.Errorf("golden.txt has %d lines, want %d", line, len(hists))
	}
}

// TestDecodeRecomputesPercentiles: a result file whose summary was written
// with hdrhistogram-go's rounded rank is read back with the reference
// percentiles, recomputed from its encoded histogram.
func TestDecodeRecomputesPercentiles(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 1800; v++ {
		h.RecordUs(v * 10)
	}
	enc, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	stale := h.Summary()
	stale.P999Ms = 17.98 // rank 1798 (nearest), as an older mskbench wrote it
	r := &Result{SchemaVersion: SchemaVersion, Steps: []Step{{
		Latency:    Latency{Publish: stale},
		Histograms: EncodedHistograms{PublishUs: enc},
	}}}
	var b strings.Builder
	if err := Encode(&b, r); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	// Rank 1799 of 1800: 17990 µs (3 significant digits: highest equivalent 17999).
	if p := got.Steps[0].Latency.Publish.P999Ms; p != usToMs(h.Percentile(99.9)) || p < 17.99 {
		t.Errorf("decoded p99.9 = %v ms, want the reference %v ms", p, usToMs(h.Percentile(99.9)))
	}
}
