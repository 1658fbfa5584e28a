package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// DefaultAlpha is the default significance level of [CompareRuns].
const DefaultAlpha = 0.01

// DefaultBootstrap is the default number of bootstrap replicates of
// [CompareRuns].
const DefaultBootstrap = 2000

// StatOptions tune [CompareRuns].
type StatOptions struct {
	CompareOptions
	// Alpha is the significance level (0 < Alpha < 1; 0 means
	// [DefaultAlpha]): a regression needs a p-value below it, and the
	// confidence intervals have level 1 − Alpha.
	Alpha float64 `json:"alpha"`
	// Bootstrap is the number of bootstrap replicates (0 means
	// [DefaultBootstrap]).
	Bootstrap int `json:"bootstrap"`
	// Seed seeds the bootstrap's random number generator, so that the
	// same inputs always give the same figures.
	Seed uint64 `json:"seed"`
}

// MetricStats is the statistical evidence for one metric of one step in a
// comparison over several baseline runs. Values are in the unit of the
// metric; relative figures are fractions of the baseline median.
type MetricStats struct {
	// Baselines is the number of baseline runs the metric was compared
	// with; Excluded the number left out (generator bound or throttled).
	Baselines int `json:"baselines"`
	Excluded  int `json:"excluded,omitempty"`
	// BaseMedian is the median over the baseline runs; BaseMin, BaseMax
	// and BaseMAD (median absolute deviation × 1.4826, a robust standard
	// deviation) their spread.
	BaseMedian float64 `json:"base_median"`
	BaseMin    float64 `json:"base_min"`
	BaseMax    float64 `json:"base_max"`
	BaseMAD    float64 `json:"base_mad"`
	// BaseBound is the one-sided 1 − Alpha hierarchical bootstrap bound
	// on the baseline's metric in the bad direction (upper for latencies
	// and the error rate, lower for throughput).
	BaseBound float64 `json:"base_bound"`
	// EffectLow and EffectHigh bound the two-sided 1 − Alpha hierarchical
	// bootstrap confidence interval of the relative effect (current −
	// baseline) / baseline; nil when the baseline median is 0.
	EffectLow  *float64 `json:"effect_low,omitempty"`
	EffectHigh *float64 `json:"effect_high,omitempty"`
	// PRun is the one-sided p-value of the run-level prediction test (is
	// the current run worse than a new baseline run would be?); PRank that
	// of the Mann–Whitney U test of the current run's per-interval figures
	// against the pooled baseline intervals, or -1 when either side had
	// fewer than two per-interval figures (PValue is then PRun). PValue is
	// the larger of the two: the intersection–union test, significant only
	// when both are.
	PRun   float64 `json:"p_run"`
	PRank  float64 `json:"p_rank"`
	PValue float64 `json:"p_value"`
	// Alpha is the significance level; Significant is PValue < Alpha.
	Alpha       float64 `json:"alpha"`
	Significant bool    `json:"significant"`
	// Intervals and BaseIntervals count the per-interval figures of the
	// current run and of all baseline runs together.
	Intervals     int `json:"intervals"`
	BaseIntervals int `json:"base_intervals"`
}

// CompareRuns compares cur against several baseline runs of the same
// scenario, step by step (steps matched as [Compare] does, for each
// baseline). With a single baseline it is exactly [Compare] with
// opts.CompareOptions.
//
// The unit of replication is the run: samples within a run are
// autocorrelated, so they cannot count as independent observations. For
// each key metric (msgs/s, publish p50/p99/p99.9, end-to-end p99, error
// rate) of a step, with k ≥ 2 usable baseline runs:
//
//   - Scale. Latencies and throughput are analysed as logarithms (their
//     changes are multiplicative), the error rate as it is.
//   - Run-level prediction test. With z̄ and s² the mean and variance of
//     the k baseline values, the current value z is tested against the
//     predictive distribution of a new run: T = d·(z − z̄) / (s·√(1 + 1/k))
//     with k − 1 degrees of freedom (Student's t; d = +1 when higher is
//     worse, −1 for throughput), PRun = P(t > T). s² is floored at the
//     within-run sampling variance of the runs' values, estimated from
//     their per-interval figures (variance of the mean of an AR(1) series:
//     variance ÷ n·(1 − ρ)/(1 + ρ)), so that identical-looking baselines
//     do not make a run-to-run test infinitely sensitive.
//   - Rank test. Mann–Whitney U of the current run's per-interval figures
//     against the pooled per-interval figures of the baseline runs,
//     one-sided in the bad direction: PRank. It detects a shift of the
//     whole distribution rather than one outlying run value.
//   - Verdict. A metric regresses only when PValue = max(PRun, PRank) <
//     Alpha (an intersection–union test, of level Alpha without
//     multiplicity correction) AND the relative effect (current −
//     baseline median) / baseline median is worse than MaxRegression (AND,
//     for latencies, worse by at least MinLatencyChangeMs). A zero
//     baseline median makes any significant worsening a regression.
//   - Effect size. A hierarchical bootstrap (baseline runs resampled,
//     then intervals within each run, and the current run's intervals)
//     gives the 1 − Alpha confidence interval of the relative effect and
//     a one-sided bound on the baseline's metric. It is seeded
//     (opts.Seed), so the same files always give the same figures.
//
// Baseline steps limited by something other than the cluster
// ([Step.LimitedBy]: the load generator, broker throttling) are excluded
// unless opts.IncludeBound, and named in the warnings; so are metrics with
// fewer than two usable baselines (then skipped). CompareRuns fails only
// when no step of cur matches a step of any baseline ([ErrNoCommonSteps]).
func CompareRuns(bases []*Result, cur *Result, opts StatOptions) (*Comparison, error) {
	if len(bases) == 0 {
		return nil, fmt.Errorf("compare: no baseline")
	}
	if len(bases) == 1 {
		return Compare(bases[0], cur, opts.CompareOptions)
	}
	if !(opts.Alpha > 0 && opts.Alpha < 1) {
		opts.Alpha = DefaultAlpha
	}
	if opts.Bootstrap <= 0 {
		opts.Bootstrap = DefaultBootstrap
	}
	c := &Comparison{Options: opts.CompareOptions, Stats: &opts, Current: describe(cur),
		Baseline: fmt.Sprintf("%d baseline runs", len(bases))}
	seen := map[string]bool{}
	warn := func(s string) {
		if !seen[s] {
			seen[s] = true
			c.Warnings = append(c.Warnings, s)
		}
	}
	// matched[j] lists, for current step j, the matched step of each baseline.
	matched := make([][]*Step, len(cur.Steps))
	for bi, b := range bases {
		c.Baselines = append(c.Baselines, describe(b))
		pairOpts := opts.CompareOptions
		pairOpts.IncludeBound = true // limited baselines are excluded below, not left unjudged
		pair, err := Compare(b, cur, pairOpts)
		for _, w := range pair.Warnings {
			warn(fmt.Sprintf("baseline %d: %s", bi+1, w))
		}
		if err != nil {
			continue
		}
		pairs, _ := matchSteps(b.Steps, cur.Steps)
		for _, p := range pairs {
			matched[p[1]] = append(matched[p[1]], &b.Steps[p[0]])
		}
	}
	for j := range cur.Steps {
		if len(matched[j]) == 0 {
			continue
		}
		cs := &cur.Steps[j]
		var use []*Step
		excluded := 0
		for _, bs := range matched[j] {
			if !opts.IncludeBound && bs.LimitedBy() != "" {
				excluded++
				continue
			}
			use = append(use, bs)
		}
		if excluded > 0 {
			warn(fmt.Sprintf("step %s: %d baseline run(s) were generator bound or throttled and are excluded from the verdict (--include-bound keeps them)", stepLabel(cs), excluded))
		}
		if cs.Generator != nil && cs.Generator.Bottleneck {
			warn(fmt.Sprintf("step %s: the current run was generator bound: its latencies include the tool's own queueing", stepLabel(cs)))
		}
		c.Steps = append(c.Steps, compareStepRuns(use, excluded, cs, j, opts))
	}
	if len(c.Steps) == 0 {
		return c, fmt.Errorf("compare: %w between the %d baselines and the current result (%d steps)", ErrNoCommonSteps, len(bases), len(cur.Steps))
	}
	return c, nil
}

// stepFigures returns, per compared metric, the per-interval figures of
// the measure-phase intervals of s: msgs/s, error rate and latency
// percentiles from the interval histograms (or, for results without them,
// the interval's own p50/p99 fields where it has them).
func stepFigures(s *Step) map[string][]float64 {
	out := map[string][]float64{}
	for i := range s.Timeline {
		iv := &s.Timeline[i]
		if iv.Phase != PhaseMeasure {
			continue
		}
		out["msgs_per_sec"] = append(out["msgs_per_sec"], iv.MsgsPerSec)
		if n := iv.Acked + iv.Failed; n > 0 {
			out["error_rate"] = append(out["error_rate"], float64(iv.Failed)/float64(n))
		}
		for _, kind := range []string{"publish", "end_to_end"} {
			h, ok, err := iv.Histogram(kind)
			if err != nil {
				continue
			}
			if !ok { // an older result: the interval's own quantiles
				if kind == "publish" && iv.Acked > 0 {
					out["publish_p50_ms"] = append(out["publish_p50_ms"], iv.PublishP50Ms)
					out["publish_p99_ms"] = append(out["publish_p99_ms"], iv.PublishP99Ms)
				}
				if kind == "end_to_end" && iv.Consumed > 0 {
					out["end_to_end_p99_ms"] = append(out["end_to_end_p99_ms"], iv.EndToEndP99Ms)
				}
				continue
			}
			if h.Count() == 0 {
				continue
			}
			for _, q := range []struct {
				suffix string
				p      float64
			}{{"_p50_ms", 50}, {"_p99_ms", 99}, {"_p999_ms", 99.9}} {
				out[kind+q.suffix] = append(out[kind+q.suffix], usToMs(h.Percentile(q.p)))
			}
		}
	}
	return out
}

// statScale maps a metric value to the analysis scale: the logarithm for
// latencies and throughput (floored at 1 µs or 0.001 msgs/s), the value
// itself for the error rate.
func statScale(name string, v float64) float64 {
	if name == "error_rate" {
		return v
	}
	return math.Log(max(v, 1e-3))
}

// statUnscale is the inverse of statScale.
func statUnscale(name string, z float64) float64 {
	if name == "error_rate" {
		return z
	}
	return math.Exp(z)
}

func scaled(name string, v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = statScale(name, x)
	}
	return out
}

func compareStepRuns(bases []*Step, excluded int, cs *Step, ci int, opts StatOptions) StepComparison {
	sc := StepComparison{Label: stepLabel(cs), BaseIndex: -1, CurIndex: ci, Baselines: len(bases) + excluded, Excluded: excluded}
	if len(bases) > 0 {
		sc.BaseIndex = bases[0].Index
	}
	curAgg, curFig := cs.Aggregates(), stepFigures(cs)
	baseAgg := make([]map[string]float64, len(bases))
	baseFig := make([]map[string][]float64, len(bases))
	for i, b := range bases {
		baseAgg[i], baseFig[i] = b.Aggregates(), stepFigures(b)
	}
	for mi, m := range comparedMetrics {
		mc := MetricChange{Name: m.name}
		var raw []float64
		var samples []runSample
		var pooled []float64
		for i := range bases {
			if m.hist != "" && baseAgg[i][m.hist+"_count"] == 0 {
				continue
			}
			v := baseAgg[i][m.name]
			iv := scaled(m.name, baseFig[i][m.name])
			raw = append(raw, v)
			samples = append(samples, runSample{value: statScale(m.name, v), intervals: iv})
			pooled = append(pooled, iv...)
		}
		k := len(samples)
		if k < 2 {
			mc.Skipped = true
			mc.Note = fmt.Sprintf("fewer than 2 usable baseline runs (%d)", k)
			if k == 0 && m.hist != "" {
				mc.Note = "no samples in the baselines"
			}
			sc.Metrics = append(sc.Metrics, mc)
			continue
		}
		st := &MetricStats{Baselines: k, Excluded: excluded, Alpha: opts.Alpha,
			BaseMedian: median(raw), BaseMin: slicesMin(raw), BaseMax: slicesMax(raw), BaseMAD: mad(raw)}
		mc.Stats = st
		mc.Base = st.BaseMedian
		if m.hist != "" && curAgg[m.hist+"_count"] == 0 {
			mc.Regression, mc.Note = true, "no samples"
			st.PRun, st.PRank, st.PValue = 0, -1, 0
			sc.Metrics = append(sc.Metrics, mc)
			continue
		}
		mc.Cur = curAgg[m.name]
		mc.Delta = mc.Cur - mc.Base
		if mc.Base != 0 {
			mc.Relative = mc.Delta / math.Abs(mc.Base)
		}
		dir := 1.0 // +1: higher is worse
		if m.higher {
			dir = -1
		}
		cur := runSample{value: statScale(m.name, mc.Cur), intervals: scaled(m.name, curFig[m.name])}
		st.Intervals, st.BaseIntervals = len(cur.intervals), len(pooled)

		// Run-level prediction test.
		zs := make([]float64, k)
		var within float64
		for i, s := range samples {
			zs[i] = s.value
			within += varianceOfMean(s.intervals)
		}
		within /= float64(k)
		zbar, s2 := meanVar(zs)
		s2 = max(s2, within)
		diff := dir * (cur.value - zbar)
		switch {
		case s2 > 0:
			st.PRun = 1 - StudentTCDF(diff/math.Sqrt(s2*(1+1/float64(k))), float64(k-1))
		case diff > 0:
			st.PRun = 0
		default:
			st.PRun = 1
		}
		// Rank test over intervals.
		st.PRank = -1
		st.PValue = st.PRun
		if len(cur.intervals) >= 2 && len(pooled) >= 2 {
			mw := MannWhitneyU(cur.intervals, pooled)
			st.PRank = mw.PGreater
			if dir < 0 {
				st.PRank = mw.PLess
			}
			st.PValue = max(st.PRun, st.PRank)
		}
		st.Significant = st.PValue < opts.Alpha

		// Effect size and baseline bound from the hierarchical bootstrap.
		centres, curs := hierarchicalBootstrap(samples, cur, opts.Bootstrap, opts.Seed+uint64(ci)*31+uint64(mi))
		if dir > 0 {
			st.BaseBound = statUnscale(m.name, quantile(centres, 1-opts.Alpha))
		} else {
			st.BaseBound = statUnscale(m.name, quantile(centres, opts.Alpha))
		}
		if st.BaseMedian != 0 {
			eff := make([]float64, len(centres))
			for i := range centres {
				eff[i] = (statUnscale(m.name, curs[i]) - statUnscale(m.name, centres[i])) / math.Abs(statUnscale(m.name, centres[i]))
				if m.name == "error_rate" {
					eff[i] = (curs[i] - centres[i]) / math.Abs(st.BaseMedian)
				}
			}
			lo, hi := quantile(eff, opts.Alpha/2), quantile(eff, 1-opts.Alpha/2)
			st.EffectLow, st.EffectHigh = &lo, &hi
		}

		worse := dir * mc.Delta
		const eps = 1e-9
		practical := worse > 0 && (mc.Base == 0 || worse/math.Abs(mc.Base) > opts.MaxRegression+eps)
		if m.hist != "" && worse < opts.MinLatencyChangeMs {
			practical = false
		}
		switch {
		case practical && st.Significant:
			mc.Regression = true
		case practical:
			mc.Note = "not significant"
		case worse < 0 && mc.Base != 0 && -worse/math.Abs(mc.Base) > opts.MaxRegression+eps:
			mc.Improvement = true
		}
		sc.Metrics = append(sc.Metrics, mc)
	}
	return sc
}

func slicesMin(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// writeWarnings writes an indented "Warnings:" section, nothing when ws
// is empty.
func writeWarnings(b *strings.Builder, ws []string) {
	if len(ws) == 0 {
		return
	}
	b.WriteString("\nWarnings:\n")
	for _, w := range ws {
		fmt.Fprintf(b, "  %s\n", w)
	}
}

// regressed names the metrics that regressed, "<step> <metric>", in order.
func (c *Comparison) regressed() []string {
	var names []string
	for _, s := range c.Steps {
		for _, m := range s.Metrics {
			if m.Regression {
				names = append(names, s.Label+" "+comparedMetric(m.Name).label)
			}
		}
	}
	return names
}

// fmtP formats a p-value: "<0.0001" below that, 2 significant digits
// otherwise, "-" when it was not computed (negative).
func fmtP(p float64) string {
	switch {
	case p < 0:
		return "-"
	case p < 0.0001:
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

// fmtInterval formats a confidence interval of a relative effect, e.g.
// "[+2.1%, +9.8%]", or "-" when unknown.
func fmtInterval(lo, hi *float64) string {
	if lo == nil || hi == nil {
		return "-"
	}
	return fmt.Sprintf("[%+.1f%%, %+.1f%%]", *lo*100, *hi*100)
}

// writeStatComparison is [WriteComparison] for a comparison over several
// baselines: per step a table of the baseline median and range, the
// current value, the relative effect with its confidence interval, the
// p-value and the verdict; then warnings and a verdict line.
func writeStatComparison(w io.Writer, c *Comparison) error {
	var b strings.Builder
	o := c.Stats
	fmt.Fprintf(&b, "current:  %s\nbaseline: %s\n", c.Current, c.Baseline)
	for i, d := range c.Baselines {
		fmt.Fprintf(&b, "  %d  %s\n", i+1, d)
	}
	fmt.Fprintf(&b, "regression = p < %s (run-level prediction test and Mann–Whitney U over intervals, both one-sided) and worse than %s",
		strconv.FormatFloat(o.Alpha, 'g', -1, 64), fmtPercent(o.MaxRegression))
	if o.MinLatencyChangeMs > 0 {
		b.WriteString(", latency changes below " + fmtMs(o.MinLatencyChangeMs) + " ms ignored")
	}
	fmt.Fprintf(&b, "; %s CI from a hierarchical bootstrap (%d replicates, seed %d)\n", fmtPercent(1-o.Alpha), o.Bootstrap, o.Seed)
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "\nStep %s (%d baseline runs", s.Label, s.Baselines)
		if s.Excluded > 0 {
			fmt.Fprintf(&b, ", %d excluded: generator bound or throttled", s.Excluded)
		}
		b.WriteString(")\n")
		t := table{header: []string{"  METRIC", "BASE MEDIAN", "BASE RANGE", "CURRENT", "EFFECT", "CI " + fmtPercent(1-o.Alpha), "P", "VERDICT"}}
		for _, m := range s.Metrics {
			cm := comparedMetric(m.Name)
			row := []string{"  " + cm.label, "-", "-", "-", "-", "-", "-", ""}
			if st := m.Stats; st != nil {
				row[1] = fmtMetric(cm, st.BaseMedian)
				row[2] = fmtMetric(cm, st.BaseMin) + ".." + fmtMetric(cm, st.BaseMax)
				if m.Note != "no samples" {
					row[3], row[4] = fmtMetric(cm, m.Cur), fmtRelative(m)
					row[5], row[6] = fmtInterval(st.EffectLow, st.EffectHigh), fmtP(st.PValue)
				}
			}
			switch {
			case m.Regression && m.Note != "":
				row[7] = "REGRESSION (" + m.Note + ")"
			case m.Regression:
				row[7] = "REGRESSION"
			case m.Improvement:
				row[7] = "improved"
			case m.Note != "":
				row[7] = m.Note
			}
			t.rows = append(t.rows, row)
		}
		t.write(&b)
	}
	writeWarnings(&b, c.Warnings)
	b.WriteString("\n")
	if n := c.Regressions(); n > 0 {
		fmt.Fprintf(&b, "REGRESSION in %d metric(s) (p < %s, worse than %s): %s\n", n, strconv.FormatFloat(o.Alpha, 'g', -1, 64), fmtPercent(o.MaxRegression), strings.Join(c.regressed(), ", "))
	} else {
		fmt.Fprintf(&b, "OK: no significant regression beyond %s in %d step(s) against %d baselines\n", fmtPercent(o.MaxRegression), len(c.Steps), len(c.Baselines))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}
