package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// cmpStep builds a step with the figures Compare reads.
func cmpStep(label string, msgs, p50, p99, p999, e2e99 float64, acked, failed int64) Step {
	s := Step{Label: label, Counters: Counters{Acked: acked, Failed: failed}}
	s.Throughput.MsgsPerSec, s.Throughput.OfferedMsgsPerSec = msgs, msgs
	s.Latency.Publish = LatencySummary{Count: acked, P50Ms: p50, P99Ms: p99, P999Ms: p999}
	if e2e99 > 0 {
		s.Latency.EndToEnd = LatencySummary{Count: acked, P99Ms: e2e99}
	}
	return s
}

func cmpResults() (base, cur *Result) {
	base = &Result{Tool: Tool{Name: "mskbench", Version: "v0.1.0"}, Scenario: Scenario{Name: "nightly"}, Host: "ci-1", Started: t0}
	base.Steps = []Step{
		cmpStep("rate=1000/s", 1000, 2.0, 10.0, 20.0, 15.0, 60000, 0),
		cmpStep("rate=2000/s", 2000, 3.0, 12.0, 30.0, 20.0, 120000, 0),
	}
	cur = &Result{Tool: Tool{Name: "mskbench", Version: "v0.2.0"}, Scenario: Scenario{Name: "nightly"}, Host: "ci-1", Started: t0.Add(86400e9)}
	cur.Steps = []Step{
		// within 10 %: msgs −1 %, p50 +5 %, p99 exactly +10 %, p99.9 −50 % (improved)
		cmpStep("rate=1000/s", 990, 2.1, 11.0, 10.0, 15.0, 60000, 0),
		// regressions: msgs −15 %, p99 +25 %, errors where there were none, e2e gone
		cmpStep("rate=2000/s", 1700, 3.0, 15.0, 30.0, 0, 100000, 10),
	}
	cur.Steps[1].Throughput.OfferedMsgsPerSec = 2000 // open model: the offered rate stays
	return base, cur
}

func TestCompare(t *testing.T) {
	base, cur := cmpResults()
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) != 2 {
		t.Fatalf("compared %d steps, want 2", len(c.Steps))
	}
	type flags struct{ regression, improvement bool }
	want := map[string][]flags{
		// msgs/s, p50, p99, p99.9, e2e p99, error rate
		"rate=1000/s": {{}, {}, {}, {improvement: true}, {}, {}},
		"rate=2000/s": {{regression: true}, {}, {regression: true}, {}, {regression: true}, {regression: true}},
	}
	for _, s := range c.Steps {
		for i, m := range s.Metrics {
			w := want[s.Label][i]
			if m.Regression != w.regression || m.Improvement != w.improvement {
				t.Errorf("%s %s: regression %t improvement %t, want %t %t (%+v)", s.Label, m.Name, m.Regression, m.Improvement, w.regression, w.improvement, m)
			}
		}
	}
	if got := c.Regressions(); got != 4 {
		t.Errorf("Regressions() = %d, want 4", got)
	}
	p99 := c.Steps[1].Metrics[2]
	if p99.Name != "publish_p99_ms" || p99.Base != 12 || p99.Cur != 15 || p99.Delta != 3 || p99.Relative != 0.25 {
		t.Errorf("p99 change = %+v, want 12 → 15, +3, +25%%", p99)
	}
	if e2e := c.Steps[1].Metrics[4]; e2e.Note != "no samples" {
		t.Errorf("e2e without samples: %+v, want the note \"no samples\"", e2e)
	}

	// A looser threshold removes the relative regressions but not the
	// errors appearing from zero nor the missing samples.
	c, err = Compare(base, cur, CompareOptions{MaxRegression: 0.30})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Regressions(); got != 2 {
		t.Errorf("with 30%%: Regressions() = %d, want 2 (error rate from 0, e2e samples gone)", got)
	}
}

func TestCompareMinLatencyChange(t *testing.T) {
	base := &Result{Steps: []Step{cmpStep("a", 100, 0.2, 0.4, 0.8, 0, 1000, 0)}}
	cur := &Result{Steps: []Step{cmpStep("a", 100, 0.3, 0.6, 2.0, 0, 1000, 0)}}
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Regressions(); got != 3 {
		t.Errorf("without a floor: %d regressions, want 3 (p50, p99, p99.9)", got)
	}
	c, _ = Compare(base, cur, CompareOptions{MaxRegression: 0.10, MinLatencyChangeMs: 0.5})
	if got := c.Regressions(); got != 1 || !c.Steps[0].Metrics[3].Regression {
		t.Errorf("with a 0.5 ms floor: %d regressions, want only p99.9 (+1.2 ms)", got)
	}
	if m := c.Steps[0].Metrics[4]; !m.Skipped || m.Regression {
		t.Errorf("e2e without samples in either run: %+v, want skipped", m)
	}
}

func TestCompareMatching(t *testing.T) {
	// By label, whatever the order; unmatched steps are warnings.
	base := &Result{Steps: []Step{cmpStep("a", 100, 1, 2, 3, 0, 10, 0), cmpStep("b", 200, 1, 2, 3, 0, 10, 0), cmpStep("gone", 1, 1, 1, 1, 0, 1, 0)}}
	cur := &Result{Steps: []Step{cmpStep("b", 200, 1, 2, 3, 0, 10, 0), cmpStep("a", 50, 1, 2, 3, 0, 10, 0), cmpStep("new", 1, 1, 1, 1, 0, 1, 0)}}
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) != 2 || c.Steps[0].Label != "b" || c.Steps[0].BaseIndex != 1 || c.Steps[1].Label != "a" || c.Steps[1].BaseIndex != 0 {
		t.Fatalf("matched %+v, want b↔1 then a↔0", c.Steps)
	}
	if !c.Steps[1].Metrics[0].Regression || c.Steps[0].Metrics[0].Regression {
		t.Errorf("throughput regression should be on a only: %+v", c.Steps)
	}
	warn := strings.Join(c.Warnings, "\n")
	for _, w := range []string{"step gone of the baseline has no match", "step new of the current result has no match", "offered rate differs"} {
		if !strings.Contains(warn, w) {
			t.Errorf("warnings lack %q:\n%s", w, warn)
		}
	}

	// Without usable labels, by position.
	base.Steps[1].Label, cur.Steps[1].Label = "", ""
	c, err = Compare(base, cur, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) != 3 || c.Steps[1].BaseIndex != 1 || c.Steps[1].CurIndex != 1 {
		t.Errorf("by position: %+v, want 3 pairs i↔i", c.Steps)
	}

	// Nothing in common is an error.
	_, err = Compare(&Result{Steps: []Step{{Label: "x"}}}, &Result{Steps: []Step{{Label: "y"}}}, CompareOptions{})
	if !errors.Is(err, ErrNoCommonSteps) {
		t.Errorf("no common steps: err = %v, want ErrNoCommonSteps", err)
	}
}

func TestCompareWarnings(t *testing.T) {
	base, cur := cmpResults()
	cur.Scenario.Name, cur.Embedded, cur.Partial = "other", true, true
	base.GOMAXPROCS, cur.GOMAXPROCS = 2, 8
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	warn := strings.Join(c.Warnings, "\n")
	for _, w := range []string{"scenarios differ: baseline nightly, current other", "embedded cluster", "current run was interrupted", "GOMAXPROCS 2, current 8"} {
		if !strings.Contains(warn, w) {
			t.Errorf("warnings lack %q:\n%s", w, warn)
		}
	}
}

func TestWriteComparisonGolden(t *testing.T) {
	base, cur := cmpResults()
	for _, tt := range []struct {
		name string
		opts CompareOptions
	}{
		{"compare-regression.golden", CompareOptions{MaxRegression: 0.10}},
		{"compare-ok.golden", CompareOptions{MaxRegression: 10, MinLatencyChangeMs: 0.5}},
	} {
		b2, c2 := base, cur
		if tt.name == "compare-ok.golden" {
			c2 = &Result{Tool: cur.Tool, Scenario: cur.Scenario, Host: cur.Host, Started: cur.Started, Steps: cur.Steps[:1]}
			b2 = &Result{Tool: base.Tool, Scenario: base.Scenario, Host: base.Host, Started: base.Started, Steps: base.Steps[:1]}
		}
		c, err := Compare(b2, c2, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteComparison(&b, c); err != nil {
			t.Fatal(err)
		}
		golden(t, tt.name, b.Bytes())
		var again bytes.Buffer
		_ = WriteComparison(&again, c)
		if !bytes.Equal(b.Bytes(), again.Bytes()) {
			t.Errorf("%s: output is not deterministic", tt.name)
		}
	}
}

// A step the brokers throttled, or whose generator was the bottleneck,
// measured something else than the cluster: compare says so, for either side.
func TestCompareFlagsLimitedSteps(t *testing.T) {
	base, cur := cmpResults()
	base.Steps[0].Generator = &Generator{Bottleneck: true}
	cur.Steps[1].Throttle = &Throttle{ThrottleCounts: ThrottleCounts{Responses: 12, TotalMs: 340, MaxMs: 50}}
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	warn := strings.Join(c.Warnings, "\n")
	for _, w := range []string{
		"step rate=1000/s: GENERATOR BOUND in the baseline run",
		"step rate=2000/s: THROTTLED in the current run (12 responses, 340 ms)",
	} {
		if !strings.Contains(warn, w) {
			t.Errorf("warnings lack %q:\n%s", w, warn)
		}
	}
	if strings.Count(warn, "THROTTLED") != 1 || strings.Count(warn, "GENERATOR BOUND") != 1 {
		t.Errorf("warnings flag other steps too:\n%s", warn)
	}
}

// TestCompareLimitedBaseline: a baseline step that the load generator or
// broker throttling limited is shown but not judged (issue 8: "pub p99
// −88.9 % improved" only because the baseline was generator bound), unless
// IncludeBound; a limited current step keeps its verdict and is flagged.
func TestCompareLimitedBaseline(t *testing.T) {
	base, cur := cmpResults()
	// Step 0 of the baseline: generator bound, inflated latencies; step 1:
	// throttled.
	base.Steps[0].Latency.Publish.P99Ms = 100
	base.Steps[0].Generator = &Generator{CPUUtilization: 0.97, Bottleneck: true}
	base.Steps[1].Throttle = &Throttle{ThrottleCounts: ThrottleCounts{Responses: 12, TotalMs: 3400}}
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range c.Steps {
		if s.NoVerdict == "" {
			t.Errorf("step %s: judged, want NoVerdict (the baseline was limited)", s.Label)
		}
		for _, m := range s.Metrics {
			if m.Regression || m.Improvement {
				t.Errorf("step %d %s: regression %t improvement %t, want neither", i, m.Name, m.Regression, m.Improvement)
			}
		}
	}
	if !strings.Contains(c.Steps[0].NoVerdict, "generator bound") || !strings.Contains(c.Steps[1].NoVerdict, "throttled") {
		t.Errorf("NoVerdict = %q, %q; want generator bound, throttled", c.Steps[0].NoVerdict, c.Steps[1].NoVerdict)
	}
	if p99 := c.Steps[0].Metrics[2]; p99.Base != 100 || p99.Cur != 11 {
		t.Errorf("p99 of the unjudged step = %+v, want the figures still shown (100 → 11)", p99)
	}
	var out bytes.Buffer
	if err := WriteComparison(&out, c); err != nil {
		t.Fatal(err)
	}
	if txt := out.String(); strings.Contains(txt, "improved") || strings.Contains(txt, "REGRESSION") || !strings.Contains(txt, "NOT JUDGED") || !strings.Contains(txt, "2 of them not judged") {
		t.Errorf("text comparison marks an unjudged step or does not say it was not judged:\n%s", txt)
	}

	// Asked for, the steps are judged as before.
	c, err = Compare(base, cur, CompareOptions{MaxRegression: 0.10, IncludeBound: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Steps[0].NoVerdict != "" || !c.Steps[0].Metrics[2].Improvement || c.Regressions() != 4 {
		t.Errorf("IncludeBound: NoVerdict %q, p99 improvement %t, %d regressions; want judged, improved, 4", c.Steps[0].NoVerdict, c.Steps[0].Metrics[2].Improvement, c.Regressions())
	}

	// A limited current step is judged (a nightly job must not pass
	// because its own run was limited) and named in the warnings.
	base, cur = cmpResults()
	cur.Steps[1].Generator = &Generator{Bottleneck: true}
	c, err = Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	if c.Steps[1].NoVerdict != "" || c.Regressions() != 4 || !strings.Contains(strings.Join(c.Warnings, "\n"), "GENERATOR BOUND in the current run") {
		t.Errorf("limited current step: NoVerdict %q, %d regressions, warnings %q", c.Steps[1].NoVerdict, c.Regressions(), c.Warnings)
	}
}

// TestCompareRunsExcludesThrottled: with several baselines a throttled
// baseline step is excluded like a generator-bound one.
func TestCompareRunsExcludesThrottled(t *testing.T) {
	var bases []*Result
	for range 3 {
		b, _ := cmpResults()
		bases = append(bases, b)
	}
	bases[0].Steps[0].Throttle = &Throttle{ThrottleCounts: ThrottleCounts{Responses: 1}}
	_, cur := cmpResults()
	c, err := CompareRuns(bases, cur, StatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Steps[0].Excluded; got != 1 {
		t.Errorf("step 0: %d baselines excluded, want 1 (throttled)", got)
	}
	c, _ = CompareRuns(bases, cur, StatOptions{CompareOptions: CompareOptions{IncludeBound: true}})
	if got := c.Steps[0].Excluded; got != 0 {
		t.Errorf("IncludeBound: %d excluded, want 0", got)
	}
}
