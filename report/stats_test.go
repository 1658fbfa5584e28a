package report

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Reference values computed with SciPy 1.10.1 (Debian python3-scipy):
//
//	stats.mannwhitneyu(x, y, alternative=..., method="asymptotic")
//	stats.t.cdf(t, df)
func TestMannWhitneyU(t *testing.T) {
	tests := []struct {
		name          string
		x, y          []float64
		u             float64
		greater, less float64
	}{
		// Complete separation; scipy: U=0.0, p(less)=0.006092890177672406.
		{"separated", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 0, math.NaN(), 0.006092890177672406},
		// Ties across samples; scipy: U=39.5, p(greater)=0.9180671265054771, p(less)=0.0924376571737825.
		{"ties",
			[]float64{1.1, 2.2, 2.2, 3.3, 4.4, 5.5, 5.5, 6.6, 7.7, 8.8, 9.9, 10.0},
			[]float64{2.2, 3.3, 5.5, 6.6, 6.6, 11.0, 12.1, 13.2, 14.3, 5.5},
			39.5, 0.9180671265054771, 0.0924376571737825},
		// scipy: U=17.0, p(greater)=0.055673443266570206.
		{"small", []float64{19, 22, 16, 29, 24}, []float64{20, 11, 17, 12}, 17, 0.055673443266570206, math.NaN()},
	}
	for _, tt := range tests {
		got := MannWhitneyU(tt.x, tt.y)
		if got.U != tt.u {
			t.Errorf("%s: U = %v, want %v", tt.name, got.U, tt.u)
		}
		if !math.IsNaN(tt.greater) && math.Abs(got.PGreater-tt.greater) > 1e-9 {
			t.Errorf("%s: p(greater) = %v, want %v", tt.name, got.PGreater, tt.greater)
		}
		if !math.IsNaN(tt.less) && math.Abs(got.PLess-tt.less) > 1e-9 {
			t.Errorf("%s: p(less) = %v, want %v", tt.name, got.PLess, tt.less)
		}
	}
	if got := MannWhitneyU(nil, []float64{1}); got.PGreater != 1 || got.PLess != 1 {
		t.Errorf("empty sample: %+v, want p-values 1", got)
	}
	if got := MannWhitneyU([]float64{3, 3}, []float64{3, 3, 3}); got.PGreater != 1 || got.PLess != 1 {
		t.Errorf("all tied: %+v, want p-values 1", got)
	}
}

func TestStudentTCDF(t *testing.T) {
	for _, tt := range []struct{ t, df, want float64 }{
		{2.447, 6, 0.9750029928138298},
		{1.0, 1, 0.7500000000000002},
		{3.1427, 6, 0.9900004012625593},
		{-1.5, 3, 0.11529193262241141},
		{0.5, 30, 0.6896384975574363},
		{4.0, 2, 0.9714045207910317},
		{0, 5, 0.5},
	} {
		if got := StudentTCDF(tt.t, tt.df); math.Abs(got-tt.want) > 1e-10 {
			t.Errorf("StudentTCDF(%v, %v) = %v, want %v", tt.t, tt.df, got, tt.want)
		}
	}
	if !math.IsNaN(StudentTCDF(1, 0)) {
		t.Error("df 0: want NaN")
	}
}

func TestRobustStatistics(t *testing.T) {
	v := []float64{7, 1, 3, 5}
	if got := median(v); got != 4 {
		t.Errorf("median = %v, want 4", got)
	}
	if got := quantile(v, 0.25); got != 2.5 { // numpy.quantile([1,3,5,7], 0.25) = 2.5
		t.Errorf("quantile 0.25 = %v, want 2.5", got)
	}
	if got := mad([]float64{1, 2, 3, 4, 100}); math.Abs(got-1.4826) > 1e-12 { // deviations 2,1,0,1,97 → median 1
		t.Errorf("mad = %v, want 1.4826", got)
	}
	if v[0] != 7 {
		t.Error("median sorted its input")
	}
	// An AR(1) series with ρ = 0.5 has an effective size n/3.
	ar := make([]float64, 4000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i < len(ar); i++ {
		ar[i] = 0.5*ar[i-1] + rng.NormFloat64()
	}
	_, variance := meanVar(ar)
	if got, want := varianceOfMean(ar), variance*3/float64(len(ar)); math.Abs(got-want)/want > 0.15 {
		t.Errorf("varianceOfMean of AR(1) ρ=0.5: %v, want about %v", got, want)
	}
}

// synthRun builds a one-step result whose per-interval publish latencies
// and throughput follow a run effect (between-run spread) plus
// autocorrelated interval noise, with shift applied to the latency.
func synthRun(rng *rand.Rand, shift float64, intervals int) *Result {
	c := NewCollector(0)
	rec := c.NewRecorder()
	runEffect := 0.08 * rng.NormFloat64()
	noise := 0.0
	for i := range intervals {
		noise = 0.6*noise + 0.1*rng.NormFloat64()
		scale := math.Exp(runEffect+noise) * (1 + shift)
		start := t0.Add(time.Duration(i) * time.Second)
		n := 200 + rng.IntN(5)
		for j := range n {
			at := start.Add(time.Duration(j) * time.Second / time.Duration(n)).UnixNano()
			lat := int64(float64(2*time.Millisecond) * scale * (0.5 + rng.ExpFloat64()))
			rec.RecordSend(at, at)
			rec.RecordAck(at, at, at+lat, 100)
		}
		c.Tick(start, start.Add(time.Second), PhaseMeasure)
	}
	s := c.Step(StepInfo{Label: "rate=200/s", Start: t0, MeasureStart: t0, MeasureEnd: t0.Add(time.Duration(intervals) * time.Second), End: t0.Add(time.Duration(intervals) * time.Second)})
	return &Result{SchemaVersion: SchemaVersion, Scenario: Scenario{Name: "synthetic"}, Steps: []Step{s}}
}

// Identical runs rarely regress (false positives) and a doubled latency
// always does (power), with the practical threshold at 0 so that the
// statistics alone decide.
func TestCompareRunsCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	runs := make([]*Result, 40)
	for i := range runs {
		runs[i] = synthRun(rng, 0, 12)
	}
	opts := StatOptions{Bootstrap: 200, Seed: 1}
	falsePos, comparisons := 0, 0
	for i := 7; i < len(runs); i++ {
		c, err := CompareRuns(runs[i-7:i], runs[i], opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range c.Steps[0].Metrics {
			if m.Stats == nil {
				continue
			}
			comparisons++
			if m.Stats.Significant && m.Relative*sign(m.Name) > 0 {
				falsePos++
			}
		}
	}
	t.Logf("identical synthetic runs: %d of %d metric comparisons significant at α = 0.01", falsePos, comparisons)
	if falsePos > comparisons/20 {
		t.Errorf("%d of %d comparisons of identical runs significant at α = 0.01: the test is far too liberal", falsePos, comparisons)
	}
	slow := synthRun(rng, 1.0, 12)
	c, err := CompareRuns(runs[:7], slow, StatOptions{CompareOptions: CompareOptions{MaxRegression: 0.10}, Seed: 1, Bootstrap: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Steps[0].Metrics {
		if m.Name == "publish_p50_ms" || m.Name == "publish_p99_ms" {
			st := m.Stats
			if !m.Regression || st.EffectLow == nil || *st.EffectLow <= 0 || st.BaseBound < st.BaseMedian {
				t.Errorf("%s doubled: regression %v, stats %+v (CI %v..%v)", m.Name, m.Regression, st, orNaN(st.EffectLow), orNaN(st.EffectHigh))
			}
		}
		if m.Name == "msgs_per_sec" && m.Regression {
			t.Errorf("throughput unchanged but flagged: %+v", m.Stats)
		}
	}
	// Deterministic: the same inputs give the same figures.
	again, _ := CompareRuns(runs[:7], slow, StatOptions{CompareOptions: CompareOptions{MaxRegression: 0.10}, Seed: 1, Bootstrap: 500})
	if *again.Steps[0].Metrics[2].Stats.EffectLow != *c.Steps[0].Metrics[2].Stats.EffectLow {
		t.Error("two comparisons of the same files differ")
	}
}

func sign(name string) float64 {
	if name == "msgs_per_sec" {
		return -1
	}
	return 1
}

// orNaN returns *p, or NaN for nil.
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// One baseline is exactly Compare; generator-bound baselines are excluded
// unless asked, and too few baselines skip the metric.
func TestCompareRunsOptions(t *testing.T) {
	base, cur := cmpResults()
	one, err := CompareRuns([]*Result{base}, cur, StatOptions{CompareOptions: CompareOptions{MaxRegression: 0.1}})
	want, _ := Compare(base, cur, CompareOptions{MaxRegression: 0.1})
	if err != nil || one.Stats != nil || one.Regressions() != want.Regressions() || len(one.Steps) != len(want.Steps) {
		t.Errorf("one baseline: %+v, %v; want Compare's %+v", one, err, want)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	bases := []*Result{synthRun(rng, 0, 10), synthRun(rng, 0, 10), synthRun(rng, 0, 10)}
	for _, b := range bases[1:] {
		b.Steps[0].Generator = &Generator{Bottleneck: true}
	}
	c, err := CompareRuns(bases, synthRun(rng, 0, 10), StatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Steps[0].Metrics[1]; !m.Skipped || m.Note == "" {
		t.Errorf("1 usable baseline: metric %+v, want skipped", m)
	}
	if len(c.Warnings) == 0 {
		t.Error("no warning about generator-bound baselines")
	}
	c, _ = CompareRuns(bases, synthRun(rng, 0, 10), StatOptions{CompareOptions: CompareOptions{IncludeBound: true}})
	if m := c.Steps[0].Metrics[1]; m.Skipped || m.Stats.Baselines != 3 {
		t.Errorf("--include-bound: metric %+v, want 3 baselines", m)
	}
}
