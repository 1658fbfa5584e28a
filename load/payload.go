package load

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/mskbench/mskbench/plan"
)

// sizeChooser picks message value sizes (bytes, stamp included) from a
// SizeDist. Sizes below StampSize are raised to StampSize. It is owned by one
// worker and not safe for concurrent use.
type sizeChooser struct {
	fixed    int
	min, max int       // uniform in [min, max] when fixed == 0 and cum == nil
	cum      []float64 // cumulative weights for the weighted form
	sizes    []int     // sizes matching cum
}

func newSizeChooser(d plan.SizeDist) (sizeChooser, error) {
	clamp := func(s plan.Size) int { return max(int(s), StampSize) }
	switch {
	case len(d.Weighted) > 0:
		var c sizeChooser
		total := 0.0
		for _, w := range d.Weighted {
			if w.Weight < 0 {
				return sizeChooser{}, fmt.Errorf("message size %d: negative weight %g", w.Size, w.Weight)
			}
			total += w.Weight
			c.cum = append(c.cum, total)
			c.sizes = append(c.sizes, clamp(w.Size))
		}
		if total <= 0 {
			return sizeChooser{}, fmt.Errorf("weighted message sizes: weights sum to %g, want > 0", total)
		}
		for i := range c.cum {
			c.cum[i] /= total
		}
		return c, nil
	case d.Fixed > 0:
		return sizeChooser{fixed: clamp(d.Fixed)}, nil
	case d.Max > 0:
		if d.Min > d.Max {
			return sizeChooser{}, fmt.Errorf("message size: min %d > max %d", d.Min, d.Max)
		}
		lo, hi := clamp(d.Min), clamp(d.Max)
		if lo == hi {
			return sizeChooser{fixed: lo}, nil
		}
		return sizeChooser{min: lo, max: hi}, nil
	default:
		return sizeChooser{}, fmt.Errorf("message size: no size given")
	}
}

// next returns the next size using rng. It does not allocate.
func (c *sizeChooser) next(rng *rand.Rand) int {
	switch {
	case c.fixed > 0:
		return c.fixed
	case c.cum != nil:
		return c.sizes[searchCDF(c.cum, rng.Float64())]
	default:
		return c.min + rng.IntN(c.max-c.min+1)
	}
}

// maxSize is the largest size next can return.
func (c *sizeChooser) maxSize() int {
	switch {
	case c.fixed > 0:
		return c.fixed
	case c.cum != nil:
		m := 0
		for _, s := range c.sizes {
			m = max(m, s)
		}
		return m
	default:
		return c.max
	}
}

// mean is the expected size (bytes) of next.
func (c *sizeChooser) mean() float64 {
	switch {
	case c.fixed > 0:
		return float64(c.fixed)
	case c.cum != nil:
		m, prev := 0.0, 0.0
		for i, s := range c.sizes {
			m += float64(s) * (c.cum[i] - prev)
			prev = c.cum[i]
		}
		return m
	default:
		return float64(c.min+c.max) / 2
	}
}

// keyChooser picks message keys from byte slices built once. It is owned by
// one worker and not safe for concurrent use. A nil key means "no key".
// Its random draws come from its own generator with a fixed seed per
// worker (keySeed), so that the key sequence of a run repeats.
type keyChooser struct {
	mode plan.KeyMode
	keys [][]byte
	hot  float64
	next int // round-robin position
	// worker and workers place the worker's messages in the merged
	// schedule of its workload (sequential keys): message k of worker w is
	// message k·workers + w.
	worker, workers uint64
	// cdf is the cumulative distribution of zipf key ranks (cdf[i] is the
	// probability of a rank at most i+1); nil for other modes.
	cdf []float64
	rng *rand.Rand
}

// keySeed seeds the key generator of every worker (with the worker index).
const keySeed = 0x6b6579 // "key"

// newKeyChooser pre-builds the keys of worker of workers (one of them when
// workers < 1). worker also offsets the round-robin start so workers do
// not all begin on the same key.
func newKeyChooser(k plan.Keys, worker, workers int) (keyChooser, error) {
	switch k.Mode {
	case "", plan.KeysNone:
		return keyChooser{mode: plan.KeysNone}, nil
	case plan.KeysRandom, plan.KeysUniform, plan.KeysRoundRobin, plan.KeysHot, plan.KeysSequential, plan.KeysZipf:
	default:
		return keyChooser{}, fmt.Errorf("key mode %q: want none, random, uniform, round-robin, hot, sequential or zipf", k.Mode)
	}
	if k.Cardinality < 1 {
		return keyChooser{}, fmt.Errorf("key mode %s: cardinality %d, want >= 1", k.Mode, k.Cardinality)
	}
	if k.Mode == plan.KeysHot && (k.HotFraction < 0 || k.HotFraction > 1) {
		return keyChooser{}, fmt.Errorf("key mode hot: hot_fraction %g, want 0..1", k.HotFraction)
	}
	if k.Mode == plan.KeysZipf && !(k.Exponent > 0) {
		return keyChooser{}, fmt.Errorf("key mode zipf: exponent %g, want > 0", k.Exponent)
	}
	first := int64(0)
	if k.Mode == plan.KeysSequential {
		if k.First < 0 {
			return keyChooser{}, fmt.Errorf("key mode sequential: first %d, want >= 0", k.First)
		}
		first = k.First
	}
	keys := make([][]byte, k.Cardinality)
	for i := range keys {
		keys[i] = strconv.AppendInt([]byte("key-"), first+int64(i), 10)
	}
	c := keyChooser{mode: k.Mode, keys: keys, hot: k.HotFraction, next: worker % k.Cardinality,
		worker: uint64(worker), workers: uint64(max(workers, 1)),
		rng: rand.New(rand.NewPCG(keySeed, uint64(worker)))}
	if k.Mode == plan.KeysZipf {
		c.cdf = zipfCDF(k.Cardinality, k.Exponent)
	}
	return c, nil
}

// searchCDF returns the first index i of the cumulative distribution cum
// (ascending, ending at 1) with cum[i] > u, for u in [0, 1): the outcome u
// draws. It does not allocate.
func searchCDF(cum []float64, u float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cum[m] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// zipfCDF returns the cumulative distribution of ranks 1..n with
// probability proportional to 1/rank^s.
func zipfCDF(n int, s float64) []float64 {
	cdf := make([]float64, n)
	sum := 0.0
	for i := range cdf {
		sum += math.Pow(float64(i+1), -s)
		cdf[i] = sum
	}
	for i := range cdf {
		cdf[i] /= sum
	}
	cdf[n-1] = 1
	return cdf
}

// zipfShare returns the probability of rank r (1-based) among n ranks of
// exponent s.
func zipfShare(r, n int, s float64) float64 {
	sum := 0.0
	for i := 1; i <= n; i++ {
		sum += math.Pow(float64(i), -s)
	}
	return math.Pow(float64(r), -s) / sum
}

// maxLen returns the length of the longest key in bytes (0 without keys).
func (c *keyChooser) maxLen() int {
	m := 0
	for _, k := range c.keys {
		m = max(m, len(k))
	}
	return m
}

// keyed reports whether messages carry keys (and so need a hash balancer).
func (c *keyChooser) keyed() bool { return c.mode != plan.KeysNone }

// pick returns the key of the worker's message seq (nil without keys). It
// does not allocate.
func (c *keyChooser) pick(seq uint64) []byte {
	switch c.mode {
	case plan.KeysRandom, plan.KeysUniform:
		return c.keys[c.rng.IntN(len(c.keys))]
	case plan.KeysRoundRobin:
		k := c.keys[c.next]
		c.next++
		if c.next == len(c.keys) {
			c.next = 0
		}
		return k
	case plan.KeysHot:
		if c.rng.Float64() < c.hot {
			return c.keys[0]
		}
		return c.keys[c.rng.IntN(len(c.keys))]
	case plan.KeysSequential:
		return c.keys[(seq*c.workers+c.worker)%uint64(len(c.keys))]
	case plan.KeysZipf:
		return c.keys[searchCDF(c.cdf, c.rng.Float64())]
	default:
		return nil
	}
}

// payloadFiller fills the payload part of message values: a compressible
// share of zero bytes followed by bytes copied from a random buffer built once,
// at a varying offset so consecutive messages differ. It is owned by one
// worker and not safe for concurrent use.
type payloadFiller struct {
	random          []byte
	compressibility float64
}

// randomSlack is how much larger than the largest payload the random buffer
// is, so that copies start at many different offsets.
const randomSlack = 64 << 10

func newPayloadFiller(maxValue int, compressibility float64, rng *rand.Rand) (payloadFiller, error) {
	if compressibility < 0 || compressibility > 1 {
		return payloadFiller{}, fmt.Errorf("compressibility %g, want 0..1", compressibility)
	}
	buf := make([]byte, max(maxValue-StampSize, 0)+randomSlack)
	for i := 0; i+8 <= len(buf); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			buf[i+j] = byte(v >> (8 * j))
		}
	}
	return payloadFiller{random: buf, compressibility: compressibility}, nil
}

// fill writes the payload into value[StampSize:]. It does not allocate.
func (f *payloadFiller) fill(value []byte, rng *rand.Rand) {
	p := value[StampSize:]
	z := int(float64(len(p)) * f.compressibility)
	clear(p[:z])
	r := p[z:]
	off := rng.IntN(len(f.random) - len(r) + 1)
	copy(r, f.random[off:])
}
