package report

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
)

func ingestJUnit(t *testing.T, write func(*bytes.Buffer) error) []junit.Suite {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest(b.Bytes())
	if err != nil {
		t.Fatalf("go-junit cannot read the report: %v\n%s", err, b.String())
	}
	return suites
}

// A JUnit reader the project did not write finds a suite per step, a
// testcase per check and step plus the completion case, failures with
// observed value, threshold and step, and the partial step as an error.
func TestJUnit(t *testing.T) {
	r := sampleResult(t, false)
	suites := ingestJUnit(t, func(b *bytes.Buffer) error { return JUnit(b, r) })
	if len(suites) != 2 {
		t.Fatalf("%d suites, want one per step (2)", len(suites))
	}
	byName := map[string]junit.Test{}
	for _, s := range suites {
		for _, tc := range s.Tests {
			byName[s.Name+" / "+tc.Name] = tc
		}
	}
	want := map[string]junit.Status{
		"smoke step rate=1000/s / step rate=1000/s completed": junit.StatusPassed,
		"smoke step rate=1000/s / publish p99 < 50ms":         junit.StatusPassed,
		"smoke step rate=2000/s / step rate=2000/s completed": junit.StatusError,
		"smoke step rate=2000/s / error_rate < 0.001":         junit.StatusFailed,
	}
	for name, status := range want {
		tc, ok := byName[name]
		if !ok {
			t.Errorf("no testcase %q; have %v", name, byName)
			continue
		}
		if tc.Status != status {
			t.Errorf("%s: status %s, want %s", name, tc.Status, status)
		}
	}
	if got := len(byName); got != len(want) {
		t.Errorf("%d testcases, want %d", got, len(want))
	}
	fail := byName["smoke step rate=2000/s / error_rate < 0.001"]
	for _, w := range []string{"observed 0.0045", "threshold error_rate < 0.001", "step rate=2000/s"} {
		if fail.Error == nil || !strings.Contains(fail.Error.Error(), w) && !strings.Contains(fail.Message, w) {
			t.Errorf("failure %+v lacks %q", fail, w)
		}
	}
	if s := suites[0]; s.Properties["label.ci"] != "nightly" || s.Properties["scenario"] != "smoke" {
		t.Errorf("suite properties %v, want the labels and the scenario", s.Properties)
	}
	if suites[1].Totals.Failed != 1 || suites[1].Totals.Error != 1 {
		t.Errorf("step 2 totals %+v, want 1 failed and 1 error", suites[1].Totals)
	}
}

// A run without checks still reports each step; a run without steps is an
// error.
func TestJUnitWithoutChecks(t *testing.T) {
	r := sampleResult(t, false)
	r.Checks = nil
	r.Steps = r.Steps[:1]
	suites := ingestJUnit(t, func(b *bytes.Buffer) error { return JUnit(b, r) })
	if len(suites) != 1 || len(suites[0].Tests) != 1 || suites[0].Tests[0].Status != junit.StatusPassed {
		t.Errorf("one step, no checks: %+v, want one passed testcase", suites)
	}
	r.Steps = nil
	r.Checks = []CheckResult{{Expr: "p99 < 1ms", Step: -1, Detail: "no steps were measured"}}
	suites = ingestJUnit(t, func(b *bytes.Buffer) error { return JUnit(b, r) })
	if len(suites) != 1 || suites[0].Totals.Error != 1 || suites[0].Totals.Failed != 1 {
		t.Errorf("no steps: %+v, want an error and the failed check", suites)
	}
}

func TestComparisonJUnit(t *testing.T) {
	base, cur := cmpResults()
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	suites := ingestJUnit(t, func(b *bytes.Buffer) error { return ComparisonJUnit(b, c) })
	if len(suites) != len(c.Steps) {
		t.Fatalf("%d suites, want one per compared step (%d)", len(suites), len(c.Steps))
	}
	failed := 0
	for i, s := range suites {
		if len(s.Tests) != len(comparedMetrics) {
			t.Errorf("suite %s: %d testcases, want one per metric", s.Name, len(s.Tests))
		}
		for j, tc := range s.Tests {
			m := c.Steps[i].Metrics[j]
			want := junit.StatusPassed
			switch {
			case m.Regression:
				want = junit.StatusFailed
				failed++
				if !strings.Contains(tc.Message, "baseline") || !strings.Contains(tc.Message, "max regression 10%") {
					t.Errorf("failure message %q lacks the values and threshold", tc.Message)
				}
			case m.Skipped:
				want = junit.StatusSkipped
			}
			if tc.Status != want {
				t.Errorf("%s %s: status %s, want %s", s.Name, tc.Name, tc.Status, want)
			}
		}
	}
	if failed != c.Regressions() || failed == 0 {
		t.Errorf("%d failed testcases, want the %d regressions", failed, c.Regressions())
	}
}

func TestMarkdownGolden(t *testing.T) {
	r := sampleResult(t, true)
	r.Warnings = []string{"a <b> | c"}
	var b bytes.Buffer
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{"## mskbench: smoke", "> **Note:**", "> **PARTIAL:**", "| STEP |", "❌ partial", "⚠️ generator bound",
		"`publish p99 < 50ms`", "❌ FAIL", "**Verdict: FAIL**", "- a &lt;b&gt; | c", "`ci=nightly`"} {
		if !strings.Contains(out, w) {
			t.Errorf("markdown lacks %q", w)
		}
	}
	golden(t, "summary.md", b.Bytes())

	base, cur := cmpResults()
	c, _ := Compare(base, cur, CompareOptions{MaxRegression: 0.10})
	b.Reset()
	if err := ComparisonMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "❌ REGRESSION") || !strings.Contains(b.String(), "**Verdict: REGRESSION**") {
		t.Errorf("comparison markdown:\n%s", b.String())
	}
	golden(t, "compare.md", b.Bytes())
}

// A comparison over several baselines renders its statistics in markdown
// (golden) and in the JUnit failure message.
func TestStatComparisonOutputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var bases []*Result
	for range 5 {
		bases = append(bases, synthRun(rng, 0, 10))
	}
	c, err := CompareRuns(bases, synthRun(rng, 1.0, 10), StatOptions{CompareOptions: CompareOptions{MaxRegression: 0.10}, Seed: 1, Bootstrap: 300})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := ComparisonMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"regression = p < 0.01 and worse than 10%", "| baseline median | baseline range |", "CI 99%", "❌ REGRESSION"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("markdown lacks %q:\n%s", w, b.String())
		}
	}
	golden(t, "compare-stats.md", b.Bytes())
	suites := ingestJUnit(t, func(b *bytes.Buffer) error { return ComparisonJUnit(b, c) })
	found := false
	for _, tc := range suites[0].Tests {
		if tc.Status == junit.StatusFailed && strings.Contains(tc.Message, "p = ") && strings.Contains(tc.Message, "99% CI of the effect [+") {
			found = true
		}
	}
	if !found {
		t.Errorf("no JUnit failure with the p-value and the CI: %+v", suites[0].Tests)
	}
}
