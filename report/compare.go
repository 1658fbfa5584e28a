package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CompareOptions tune [Compare]. The zero value flags any worsening at all.
type CompareOptions struct {
	// MaxRegression is the largest tolerated relative worsening as a
	// fraction (0.10 = 10 %): a metric regresses when
	// (current − baseline) / baseline exceeds it in the bad direction
	// (latency or error rate up, throughput down).
	MaxRegression float64 `json:"max_regression"`
	// MinLatencyChangeMs is the smallest latency increase, in ms, that can
	// count as a regression, so that noise on sub-millisecond latencies
	// does not fail a nightly job. 0 disables the floor.
	MinLatencyChangeMs float64 `json:"min_latency_change_ms"`
	// IncludeBound judges baseline steps that another limit than the
	// cluster's capacity bounded ([Step.LimitedBy]: the load generator,
	// or broker throttling). By default they are left out of the verdict:
	// with one baseline the step's metrics are shown but marked neither
	// regressed nor improved ([StepComparison.NoVerdict]); with several
	// the run is excluded ([StepComparison.Excluded]).
	IncludeBound bool `json:"include_bound"`
}

// compareMetric is one row of a step comparison.
type compareMetric struct {
	name   string // key of Step.Aggregates
	label  string // column label in the table
	higher bool   // true when a higher value is better
	hist   string // latency histogram whose count must be > 0, or ""
}

// comparedMetrics are the key aggregates [Compare] reports, in table order.
var comparedMetrics = []compareMetric{
	{"msgs_per_sec", "msgs/s", true, ""},
	latencyMetric(latPublish, statP50),
	latencyMetric(latPublish, statP99),
	latencyMetric(latPublish, statP999),
	latencyMetric(latEndToEnd, statP99),
	{"error_rate", "error rate", false, ""},
}

// latencyMetric compares statistic stat of latency kind: aggregate
// "publish_p99_ms", labelled "pub p99 ms".
func latencyMetric(kind, stat int) compareMetric {
	k, st := LatencyKinds[kind], latencyStats[stat]
	return compareMetric{k.Name + "_" + st.key, strings.ToLower(k.Title) + " " + st.title + " ms", false, k.Name}
}

// Comparison is the outcome of [Compare]: the matched steps with the
// change of each key aggregate, plus remarks on what could not be
// compared. It is plain data; its JSON form (snake_case fields, fractions
// for relative values) is stable within a schema version.
type Comparison struct {
	// Options are the thresholds the comparison used.
	Options CompareOptions `json:"options"`
	// Baseline and Current describe the two results (tool, scenario, start).
	Baseline string `json:"baseline"`
	Current  string `json:"current"`
	// Baselines describe every baseline of a comparison over several
	// baseline runs ([CompareRuns]); Stats holds its options. Both are
	// empty for a comparison with one baseline.
	Baselines []string     `json:"baselines,omitempty"`
	Stats     *StatOptions `json:"stats,omitempty"`
	// Steps are the matched step pairs, in the current result's order.
	Steps []StepComparison `json:"steps"`
	// Warnings explain differences that make the comparison less
	// meaningful: unmatched steps, partial or embedded runs, a changed
	// scenario or offered rate.
	Warnings []string `json:"warnings,omitempty"`
}

// StepComparison compares one step of the baseline with the step of the
// current result that has the same label (or, without labels, index).
type StepComparison struct {
	// Label is the step's label ("#N" when it has none).
	Label string `json:"label"`
	// BaseIndex and CurIndex are the positions of the steps in their results.
	BaseIndex int `json:"base_index"`
	CurIndex  int `json:"cur_index"`
	// Metrics are the key aggregates, in a fixed order.
	Metrics []MetricChange `json:"metrics"`
	// Baselines and Excluded count, in a comparison over several
	// baselines, the baseline runs with a matching step and those left out
	// of the verdict (generator bound).
	Baselines int `json:"baselines,omitempty"`
	Excluded  int `json:"excluded,omitempty"`
	// NoVerdict, in a comparison with one baseline, says why the step was
	// not judged: the baseline step was limited by something other than
	// the cluster ([Step.LimitedBy]), so a change against it means
	// nothing. Its metrics then have neither Regression nor Improvement.
	// "" when the step was judged (always with CompareOptions.IncludeBound).
	NoVerdict string `json:"no_verdict,omitempty"`
}

// MetricChange is the change of one aggregate between two steps.
type MetricChange struct {
	// Name is the key of [Step.Aggregates], e.g. "publish_p99_ms".
	Name string `json:"name"`
	// Base and Cur are the values in the baseline and the current step, in
	// the unit of Name.
	Base float64 `json:"base"`
	Cur  float64 `json:"cur"`
	// Delta is Cur − Base.
	Delta float64 `json:"delta"`
	// Relative is Delta / Base; it is meaningful only when Base is not 0.
	Relative float64 `json:"relative"`
	// Skipped is true when the metric could not be compared (a latency
	// without samples in the baseline); Base, Cur and Delta are then 0.
	Skipped bool `json:"skipped,omitempty"`
	// Regression is true when the change is worse than the options allow.
	Regression bool `json:"regression"`
	// Improvement is true when the change is better by more than
	// MaxRegression.
	Improvement bool `json:"improvement,omitempty"`
	// Note explains a regression that is not a plain relative change
	// (e.g. "no samples").
	Note string `json:"note,omitempty"`
	// Stats is the statistical evidence of a comparison over several
	// baselines ([CompareRuns]); Base is then the baseline median.
	Stats *MetricStats `json:"stats,omitempty"`
}

// Regressions returns how many metrics regressed over all steps.
func (c *Comparison) Regressions() int {
	n := 0
	for _, s := range c.Steps {
		for _, m := range s.Metrics {
			if m.Regression {
				n++
			}
		}
	}
	return n
}

// ErrNoCommonSteps is returned (wrapped) by [Compare] when no step of the
// current result matches a step of the baseline.
var ErrNoCommonSteps = errors.New("no common steps")

// Compare compares the key aggregates (msgs/s, publish p50/p99/p99.9,
// end-to-end p99, error rate, and the brokers' mean and peak CPU when both
// steps measured it) of cur against base, step by step. Steps are
// matched by label when every step of both results has a distinct
// non-empty label, by position otherwise.
//
// A metric regresses when it moves in the bad direction by more than
// opts.MaxRegression relative to the baseline (and, for latencies, by at
// least opts.MinLatencyChangeMs). A baseline value of 0 makes any worsening
// a regression (e.g. errors where there were none). A latency that had
// samples in the baseline but none now is a regression too. Compare fails
// only when no step can be matched ([ErrNoCommonSteps]).
func Compare(base, cur *Result, opts CompareOptions) (*Comparison, error) {
	c := &Comparison{Options: opts, Baseline: describe(base), Current: describe(cur)}
	if base.Scenario.Name != cur.Scenario.Name {
		c.Warnings = append(c.Warnings, fmt.Sprintf("scenarios differ: baseline %s, current %s", orDash(base.Scenario.Name), orDash(cur.Scenario.Name)))
	}
	if base.Embedded != cur.Embedded {
		c.Warnings = append(c.Warnings, fmt.Sprintf("one run used the embedded cluster (baseline embedded=%t, current embedded=%t): the numbers are not comparable", base.Embedded, cur.Embedded))
	}
	if base.GOMAXPROCS != 0 && cur.GOMAXPROCS != 0 && base.GOMAXPROCS != cur.GOMAXPROCS {
		c.Warnings = append(c.Warnings, fmt.Sprintf("load generators differ: baseline GOMAXPROCS %d, current %d", base.GOMAXPROCS, cur.GOMAXPROCS))
	}
	if base.Partial {
		c.Warnings = append(c.Warnings, "the baseline run was interrupted (partial)")
	}
	if cur.Partial {
		c.Warnings = append(c.Warnings, "the current run was interrupted (partial)")
	}

	pairs, byLabel := matchSteps(base.Steps, cur.Steps)
	matchedBase := make([]bool, len(base.Steps))
	for _, p := range pairs {
		matchedBase[p[0]] = true
		bs, cs := &base.Steps[p[0]], &cur.Steps[p[1]]
		sc := compareStep(bs, cs, p[0], p[1], opts)
		if lim := bs.LimitedBy(); lim != "" && !opts.IncludeBound {
			sc.NoVerdict = "the baseline step was " + LimitText(lim)
			for i := range sc.Metrics {
				sc.Metrics[i].Regression, sc.Metrics[i].Improvement = false, false
			}
			c.Warnings = append(c.Warnings, fmt.Sprintf("step %s: not judged: the baseline step was %s (--include-bound judges it anyway)", stepLabel(cs), LimitText(lim)))
		}
		c.Steps = append(c.Steps, sc)
		c.Warnings = append(c.Warnings, limitWarnings("baseline", bs)...)
		c.Warnings = append(c.Warnings, limitWarnings("current", cs)...)
		bo, co := bs.Throughput.OfferedMsgsPerSec, cs.Throughput.OfferedMsgsPerSec
		if bo > 0 && co > 0 && math.Abs(co-bo) > 0.01*bo {
			c.Warnings = append(c.Warnings, fmt.Sprintf("step %s: offered rate differs (baseline %s/s, current %s/s)", stepLabel(cs), fmtRate(bo), fmtRate(co)))
		}
	}
	how := "position"
	if byLabel {
		how = "label"
	}
	for i := range base.Steps {
		if !matchedBase[i] {
			c.Warnings = append(c.Warnings, fmt.Sprintf("step %s of the baseline has no match in the current result (matched by %s)", stepLabel(&base.Steps[i]), how))
		}
	}
	matchedCur := make([]bool, len(cur.Steps))
	for _, p := range pairs {
		matchedCur[p[1]] = true
	}
	for i := range cur.Steps {
		if !matchedCur[i] {
			c.Warnings = append(c.Warnings, fmt.Sprintf("step %s of the current result has no match in the baseline (matched by %s)", stepLabel(&cur.Steps[i]), how))
		}
	}
	if len(pairs) == 0 {
		return c, fmt.Errorf("compare: %w between the baseline (%d steps) and the current result (%d steps)", ErrNoCommonSteps, len(base.Steps), len(cur.Steps))
	}
	return c, nil
}

// limitWarnings says when step s of one side (which) measured a limit
// other than the cluster's capacity: brokers throttling it (a quota) or the
// load generator being the bottleneck. Its figures are not comparable with
// an unlimited run.
func limitWarnings(which string, s *Step) []string {
	var out []string
	if s.Throttled() {
		out = append(out, fmt.Sprintf("step %s: THROTTLED in the %s run (%d responses, %d ms): it measured a quota, not the cluster",
			stepLabel(s), which, s.Throttle.Responses, s.Throttle.TotalMs))
	}
	if g := s.Generator; g != nil && g.Bottleneck {
		out = append(out, fmt.Sprintf("step %s: GENERATOR BOUND in the %s run: it measured the load generator, not the cluster", stepLabel(s), which))
	}
	return out
}

// matchSteps pairs steps (baseline position, current position) in the
// current result's order, by label when labels are usable.
func matchSteps(base, cur []Step) (pairs [][2]int, byLabel bool) {
	if uniqueLabels(base) && uniqueLabels(cur) {
		at := make(map[string]int, len(base))
		for i := range base {
			at[base[i].Label] = i
		}
		for j := range cur {
			if i, ok := at[cur[j].Label]; ok {
				pairs = append(pairs, [2]int{i, j})
			}
		}
		return pairs, true
	}
	for j := range min(len(base), len(cur)) {
		pairs = append(pairs, [2]int{j, j})
	}
	return pairs, false
}

func uniqueLabels(steps []Step) bool {
	seen := make(map[string]bool, len(steps))
	for i := range steps {
		l := steps[i].Label
		if l == "" || seen[l] {
			return false
		}
		seen[l] = true
	}
	return true
}

func compareStep(bs, cs *Step, bi, ci int, opts CompareOptions) StepComparison {
	sc := StepComparison{Label: stepLabel(cs), BaseIndex: bi, CurIndex: ci}
	ba, ca := bs.Aggregates(), cs.Aggregates()
	for _, m := range slices.Concat(comparedMetrics, brokerComparedMetrics(ba, ca)) {
		mc := MetricChange{Name: m.name}
		if m.hist != "" && ba[m.hist+"_count"] == 0 {
			mc.Skipped = true
			sc.Metrics = append(sc.Metrics, mc)
			continue
		}
		mc.Base, mc.Cur = ba[m.name], ca[m.name]
		mc.Delta = mc.Cur - mc.Base
		if mc.Base != 0 {
			mc.Relative = mc.Delta / math.Abs(mc.Base)
		}
		worse := mc.Delta // > 0 means worse
		if m.higher {
			worse = -worse
		}
		const eps = 1e-9 // tolerate float rounding at exactly the threshold
		switch {
		case m.hist != "" && ca[m.hist+"_count"] == 0:
			mc.Regression, mc.Note = true, "no samples"
		case worse > 0 && (mc.Base == 0 || worse/math.Abs(mc.Base) > opts.MaxRegression+eps):
			mc.Regression = m.hist == "" || worse >= opts.MinLatencyChangeMs
		case worse < 0 && mc.Base != 0 && -worse/math.Abs(mc.Base) > opts.MaxRegression+eps:
			mc.Improvement = true
		}
		sc.Metrics = append(sc.Metrics, mc)
	}
	return sc
}

func describe(r *Result) string {
	return fmt.Sprintf("%s  scenario %s  host %s  started %s", describeTool(r), orDash(r.Scenario.Name), orDash(r.Host), fmtTime(r.Started))
}

// WriteComparison writes c as text: the two results, one table per
// matched step (baseline, current, absolute and relative change, and a
// REGRESSION or "improved" mark), the warnings and a verdict line. The
// output depends only on c.
func WriteComparison(w io.Writer, c *Comparison) error {
	if c.Stats != nil {
		return writeStatComparison(w, c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "baseline: %s\ncurrent:  %s\n", c.Baseline, c.Current)
	threshold := "max regression " + fmtPercent(c.Options.MaxRegression)
	if c.Options.MinLatencyChangeMs > 0 {
		threshold += ", latency changes below " + fmtMs(c.Options.MinLatencyChangeMs) + " ms ignored"
	}
	b.WriteString(threshold + "\n")
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "\nStep %s\n", s.Label)
		if s.NoVerdict != "" {
			fmt.Fprintf(&b, "  NOT JUDGED: %s\n", s.NoVerdict)
		}
		t := table{header: []string{"  METRIC", "BASELINE", "CURRENT", "CHANGE", "CHANGE %"}}
		marks := []string{""}
		for _, m := range s.Metrics {
			cm := comparedMetric(m.Name)
			row := []string{"  " + cm.label, "-", "-", "-", "-"}
			switch {
			case m.Skipped:
			case m.Note == "no samples":
				row[1] = fmtMetric(cm, m.Base)
			default:
				row[1], row[2], row[3] = fmtMetric(cm, m.Base), fmtMetric(cm, m.Cur), fmtDelta(cm, m.Delta)
				row[4] = fmtRelative(m)
			}
			mark := ""
			switch {
			case m.Regression && m.Note != "":
				mark = "REGRESSION (" + m.Note + ")"
			case m.Regression:
				mark = "REGRESSION"
			case m.Improvement:
				mark = "improved"
			}
			t.rows = append(t.rows, row)
			marks = append(marks, mark)
		}
		// The marks go after the right-aligned numbers, left aligned.
		var tb strings.Builder
		t.write(&tb)
		lines := strings.Split(strings.TrimSuffix(tb.String(), "\n"), "\n")
		width := 0
		for _, l := range lines {
			width = max(width, utf8.RuneCountInString(l))
		}
		for i, l := range lines {
			if marks[i] != "" {
				l += strings.Repeat(" ", width-utf8.RuneCountInString(l)) + "  " + marks[i]
			}
			b.WriteString(l + "\n")
		}
	}
	writeWarnings(&b, c.Warnings)
	b.WriteString("\n")
	if n := c.Regressions(); n > 0 {
		fmt.Fprintf(&b, "REGRESSION in %d metric(s) (max regression %s): %s\n", n, fmtPercent(c.Options.MaxRegression), strings.Join(c.regressed(), ", "))
	} else {
		fmt.Fprintf(&b, "OK: no regression beyond %s in %d step(s)%s\n", fmtPercent(c.Options.MaxRegression), len(c.Steps), notJudged(c))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}

func fmtMetric(m compareMetric, v float64) string {
	switch {
	case isBrokerPercent(m.name):
		return strconv.FormatFloat(v, 'f', 1, 64)
	case m.name == "error_rate":
		return fmtPercent(v)
	case m.higher:
		return fmtRate(v)
	default:
		return fmtMs(v)
	}
}

func fmtDelta(m compareMetric, d float64) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	if m.name == "error_rate" {
		return sign + strconv.FormatFloat(d*100, 'f', 3, 64) + "pp"
	}
	return sign + fmtMetric(m, d)
}

func fmtRelative(m MetricChange) string {
	switch {
	case m.Base == 0 && m.Cur == 0:
		return "0.0%"
	case m.Base == 0:
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", m.Relative*100)
}

// fmtPercent formats a fraction as a percentage with up to 3 decimals.
func fmtPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100*1000)/1000, 'f', -1, 64) + "%"
}

// notJudged returns ", N not judged (...)" for the steps of c without a
// verdict, "" when every step was judged.
func notJudged(c *Comparison) string {
	var labels []string
	for _, s := range c.Steps {
		if s.NoVerdict != "" {
			labels = append(labels, s.Label)
		}
	}
	if len(labels) == 0 {
		return ""
	}
	return fmt.Sprintf(", %d of them not judged (%s: the baseline was limited by the generator or throttling)", len(labels), strings.Join(labels, ", "))
}
