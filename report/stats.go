package report

import (
	"math"
	"math/rand/v2"
	"slices"
)

// This file holds the statistics behind [CompareRuns]: the Mann–Whitney U
// rank test, Student's t distribution, a robust spread and the
// hierarchical bootstrap. They are pure functions over plain slices.

// MannWhitney is the outcome of [MannWhitneyU] for samples x and y.
type MannWhitney struct {
	// U is the Mann–Whitney U statistic of x: the number of pairs (xᵢ, yⱼ)
	// with xᵢ > yⱼ plus half the ties. U of y is len(x)·len(y) − U.
	U float64
	// Z is the standardised U (normal approximation with the tie
	// correction of the variance, no continuity correction).
	Z float64
	// PGreater is the one-sided p-value of the alternative "x tends to be
	// larger than y" (normal approximation with continuity correction, as
	// scipy.stats.mannwhitneyu(x, y, alternative="greater",
	// method="asymptotic") computes it); PLess that of "x tends to be
	// smaller".
	PGreater, PLess float64
}

// MannWhitneyU runs the Mann–Whitney U test (Wilcoxon rank-sum) of x
// against y: the samples are ranked together (ties get their mean rank),
// U = R₁ − n₁(n₁+1)/2 where R₁ is the rank sum of x, and the p-values come
// from the normal approximation with mean n₁n₂/2, variance
// n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1))) over tie groups of size t, and a
// continuity correction of 0.5. It is meant for samples of ten or more
// values each. With an empty sample, or when every value is tied, both
// p-values are 1.
func MannWhitneyU(x, y []float64) MannWhitney {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return MannWhitney{PGreater: 1, PLess: 1}
	}
	type obs struct {
		v    float64
		isX  bool
		rank float64
	}
	all := make([]obs, 0, n1+n2)
	for _, v := range x {
		all = append(all, obs{v: v, isX: true})
	}
	for _, v := range y {
		all = append(all, obs{v: v})
	}
	slices.SortFunc(all, func(a, b obs) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	n := float64(n1 + n2)
	var tieSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // mean of ranks i+1 .. j
		for k := i; k < j; k++ {
			all[k].rank = rank
		}
		t := float64(j - i)
		tieSum += t*t*t - t
		i = j
	}
	var r1 float64
	for _, o := range all {
		if o.isX {
			r1 += o.rank
		}
	}
	fn1, fn2 := float64(n1), float64(n2)
	u := r1 - fn1*(fn1+1)/2
	mu := fn1 * fn2 / 2
	sigma := math.Sqrt(fn1 * fn2 / 12 * ((n + 1) - tieSum/(n*(n-1))))
	if !(sigma > 0) {
		return MannWhitney{U: u, PGreater: 1, PLess: 1}
	}
	return MannWhitney{
		U:        u,
		Z:        (u - mu) / sigma,
		PGreater: normalSF((u - mu - 0.5) / sigma),
		PLess:    normalCDF((u - mu + 0.5) / sigma),
	}
}

// normalCDF is the standard normal distribution function Φ(z).
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// normalSF is 1 − Φ(z), accurate in the upper tail.
func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// StudentTCDF returns P(T ≤ t) for Student's t distribution with df > 0
// degrees of freedom: with x = df/(df + t²), P(T ≤ t) = 1 − I_x(df/2, 1/2)/2
// for t ≥ 0 (and symmetric for t < 0), I the regularized incomplete beta
// function. It returns NaN for df ≤ 0.
func StudentTCDF(t, df float64) float64 {
	if !(df > 0) || math.IsNaN(t) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		if t > 0 {
			return 1
		}
		return 0
	}
	tail := 0.5 * regIncBeta(df/(df+t*t), df/2, 0.5)
	if t >= 0 {
		return 1 - tail
	}
	return tail
}

// regIncBeta is the regularized incomplete beta function I_x(a, b) for
// a, b > 0 and 0 ≤ x ≤ 1, by the continued fraction of Numerical Recipes
// (§6.4) evaluated with the modified Lentz method; the symmetry
// I_x(a, b) = 1 − I_{1−x}(b, a) keeps x in the range where it converges
// fast.
func regIncBeta(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	if x > (a+1)/(a+b+2) {
		return 1 - regIncBeta(1-x, b, a)
	}
	lga, _ := math.Lgamma(a)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	front := math.Exp(lgab - lga - lgb + a*math.Log(x) + b*math.Log1p(-x))
	const tiny, eps = 1e-300, 1e-15
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	f := d
	// step applies one coefficient of the continued fraction and returns
	// the factor it changed f by.
	step := func(num float64) float64 {
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		f *= d * c
		return d * c
	}
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		step(fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)))                     // even coefficient
		delta := step(-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))) // odd coefficient
		if math.Abs(delta-1) < eps {
			break
		}
	}
	return front * f / a
}

// median returns the median of v (the mean of the middle two for an even
// count), NaN for an empty slice. v is not modified.
func median(v []float64) float64 {
	return quantile(v, 0.5)
}

// quantile returns the q-quantile (0..1) of v with linear interpolation
// between order statistics (the default of R and numpy), NaN for an empty
// slice. v is not modified.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// mad returns the median absolute deviation of v from its median, scaled
// by 1.4826 so that it estimates the standard deviation of normal data.
func mad(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	m := median(v)
	dev := make([]float64, len(v))
	for i, x := range v {
		dev[i] = math.Abs(x - m)
	}
	return 1.4826 * median(dev)
}

// meanVar returns the mean and the sample variance (n − 1 denominator) of
// v; the variance is 0 for fewer than two values.
func meanVar(v []float64) (mean, variance float64) {
	if len(v) == 0 {
		return math.NaN(), 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v)-1)
}

// varianceOfMean estimates the sampling variance of the mean of a series
// of per-interval figures that are autocorrelated in time: the sample
// variance divided by the effective sample size n·(1 − ρ)/(1 + ρ), ρ the
// lag-1 autocorrelation clamped to 0 .. 0.95 (an AR(1) approximation).
// It returns 0 for fewer than two values.
func varianceOfMean(v []float64) float64 {
	n := len(v)
	if n < 2 {
		return 0
	}
	mean, variance := meanVar(v)
	if variance == 0 {
		return 0
	}
	var c1 float64
	for i := 1; i < n; i++ {
		c1 += (v[i] - mean) * (v[i-1] - mean)
	}
	rho := c1 / float64(n-1) / variance
	rho = min(max(rho, 0), 0.95)
	neff := float64(n) * (1 - rho) / (1 + rho)
	return variance / max(neff, 1)
}

// runSample is one run's figure of a metric on the analysis scale (see
// statMetric.transform) with its per-interval figures.
type runSample struct {
	value     float64
	intervals []float64
}

// hierarchicalBootstrap resamples the baseline runs (level 1) and, within
// each resampled run, its intervals (level 2), b times with a PCG generator
// seeded with seed. A resampled run's value is its value shifted by the
// change of its mean per-interval figure under the level-2 resampling (the
// run's own sampling noise); a replicate's centre is the median of its
// resampled runs' values. The current run cur is perturbed the same way.
// It returns the replicates' centres and the matching perturbed current
// values, both on the analysis scale.
func hierarchicalBootstrap(base []runSample, cur runSample, b int, seed uint64) (centres, curs []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x6d736b62656e6368)) // "mskbench"
	centres, curs = make([]float64, b), make([]float64, b)
	vals := make([]float64, len(base))
	for r := range b {
		for i := range base {
			vals[i] = perturb(base[rng.IntN(len(base))], rng)
		}
		centres[r] = median(vals)
		curs[r] = perturb(cur, rng)
	}
	return centres, curs
}

// perturb returns s.value shifted by the change of the mean of s's
// per-interval figures when they are resampled with replacement.
func perturb(s runSample, rng *rand.Rand) float64 {
	n := len(s.intervals)
	if n < 2 {
		return s.value
	}
	var orig, re float64
	for _, v := range s.intervals {
		orig += v
	}
	for range n {
		re += s.intervals[rng.IntN(n)]
	}
	return s.value + (re-orig)/float64(n)
}
