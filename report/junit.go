package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// junitSuites and the types below are the JUnit XML report format as CI
// systems read it (Jenkins, GitLab, GitHub test reporters): testsuites →
// testsuite → testcase with an optional failure, error or skipped element.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	ID         int             `xml:"id,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr,omitempty"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// add appends c to s and counts it.
func (s *junitSuite) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// writeJUnit totals the suites and writes the document.
func writeJUnit(w io.Writer, doc junitSuites) error {
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header+string(b)+"\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func junitSeconds(secs float64) string { return strconv.FormatFloat(max(secs, 0), 'f', 3, 64) }

// StepFailure returns why step s counts as failed, or "" when it completed:
// it was cut short (partial), it offered messages and none was
// acknowledged ([Step.Failure], which also makes `run` exit 1), or a
// catch-up read read nothing. JUnit reports a failed step as an error,
// markdown in its verdict.
func StepFailure(s *Step) string {
	switch {
	case s.Partial:
		return "the step was cut short (partial): its figures cover only what was measured until then"
	case s.Failure() != "":
		return s.Failure()
	case s.ReadNothing():
		return fmt.Sprintf("the consumers read nothing from start %s: no message after the start position", s.CatchUp.Start)
	}
	return ""
}

// JUnit writes r as a JUnit XML report: one testsuite per step (named
// "<scenario> step <label>"), holding a testcase "step <label> completed"
// (an error when [StepFailure] says the step failed) and one testcase per
// check evaluated on the step (r.Checks), failed with the observed value,
// the threshold and the step when the check did not hold. A run without
// checks still gives one testcase per step; checks that could not be
// evaluated on any step (a run without steps) go into a testsuite "run".
// Labels become properties of every suite; step warnings its system-out.
// The output depends only on r.
func JUnit(w io.Writer, r *Result) error {
	scen := orDash(r.Scenario.Name)
	doc := junitSuites{Name: "mskbench " + scen}
	if !r.Started.IsZero() && r.Ended.After(r.Started) {
		doc.Time = junitSeconds(r.Ended.Sub(r.Started).Seconds())
	}
	props := []junitProperty{{"scenario", scen}, {"tool", describeTool(r)}, {"embedded", strconv.FormatBool(r.Embedded)}}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		props = append(props, junitProperty{"label." + k, r.Labels[k]})
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		label := stepLabel(s)
		suite := junitSuite{Name: scen + " step " + label, ID: i, Hostname: r.Host, Properties: props}
		if !s.Started.IsZero() {
			suite.Timestamp = s.Started.UTC().Format("2006-01-02T15:04:05")
			if s.Ended.After(s.Started) {
				suite.Time = junitSeconds(s.Ended.Sub(s.Started).Seconds())
			}
		}
		class := "mskbench." + scen + "." + label
		done := junitCase{Name: "step " + label + " completed", Classname: class, Time: suite.Time}
		if why := StepFailure(s); why != "" {
			done.Error = &junitProblem{Message: why, Type: "step", Text: fmt.Sprintf("step %s (index %d): %s", label, i, why)}
		}
		suite.add(done)
		for _, c := range r.Checks {
			if c.Step == i {
				suite.add(junitCheck(c, label, class))
			}
		}
		suite.SystemOut = strings.Join(s.Warnings, "\n")
		doc.Suites = append(doc.Suites, suite)
	}
	var orphans []CheckResult
	for _, c := range r.Checks {
		if c.Step < 0 || c.Step >= len(r.Steps) {
			orphans = append(orphans, c)
		}
	}
	if len(r.Steps) == 0 || len(orphans) > 0 {
		suite := junitSuite{Name: scen + " run", ID: len(r.Steps), Hostname: r.Host, Properties: props}
		class := "mskbench." + scen
		if len(r.Steps) == 0 {
			suite.add(junitCase{Name: "run measured at least one step", Classname: class, Time: "0.000",
				Error: &junitProblem{Message: "no steps were measured", Type: "run", Text: "no steps were measured"}})
		}
		for _, c := range orphans {
			suite.add(junitCheck(c, "-", class))
		}
		doc.Suites = append(doc.Suites, suite)
	}
	return writeJUnit(w, doc)
}

// junitCheck is the testcase of one check outcome on the step labelled step.
func junitCheck(c CheckResult, step, class string) junitCase {
	tc := junitCase{Name: c.Expr, Classname: class, Time: "0.000"}
	if c.Passed {
		return tc
	}
	threshold := c.Expr
	if pc, err := ParseCheck(c.Expr); err == nil {
		threshold = pc.Aggregate + " " + pc.Op + " " + fmtObserved(pc.Value)
	}
	observed := fmtObserved(c.Observed)
	if c.Observed == 0 && c.Detail != "" && !strings.Contains(c.Detail, " = ") { // not evaluated: no samples, no steps
		observed = "none (" + c.Detail + ")"
	}
	msg := fmt.Sprintf("observed %s, threshold %s, step %s", observed, threshold, step)
	text := fmt.Sprintf("check: %s\nobserved: %s\nthreshold: %s\nstep: %s", c.Expr, observed, threshold, step)
	if c.Detail != "" {
		text += "\ndetail: " + c.Detail
	}
	tc.Failure = &junitProblem{Message: msg, Type: "check", Text: text}
	return tc
}

// ComparisonJUnit writes c as a JUnit XML report: one testsuite per
// compared step, one testcase per compared metric (failed on a
// regression, skipped when the metric could not be compared). The failure
// message holds the baseline and current values, the relative change and
// the threshold, and for a comparison over several baselines the p-value
// and the confidence interval of the effect.
func ComparisonJUnit(w io.Writer, c *Comparison) error {
	doc := junitSuites{Name: "mskbench compare"}
	for i, s := range c.Steps {
		suite := junitSuite{Name: "compare step " + s.Label, ID: i}
		class := "mskbench.compare." + s.Label
		for _, m := range s.Metrics {
			cm := comparedMetric(m.Name)
			tc := junitCase{Name: s.Label + " " + cm.label, Classname: class, Time: "0.000"}
			switch {
			case s.NoVerdict != "":
				tc.Skipped = &junitSkipped{Message: "not judged: " + s.NoVerdict}
			case m.Skipped:
				why := "no samples in the baseline"
				if m.Note != "" {
					why = m.Note
				}
				tc.Skipped = &junitSkipped{Message: why}
			case m.Regression:
				msg := fmt.Sprintf("%s regressed: baseline %s, current %s (%s; max regression %s)",
					cm.label, fmtMetric(cm, m.Base), fmtMetric(cm, m.Cur), fmtRelative(m), fmtPercent(c.Options.MaxRegression))
				if m.Stats != nil {
					msg += fmt.Sprintf("; p = %s, %s CI of the effect %s", fmtP(m.Stats.PValue), fmtPercent(1-m.Stats.Alpha), fmtInterval(m.Stats.EffectLow, m.Stats.EffectHigh))
				}
				if m.Note != "" {
					msg += "; " + m.Note
				}
				tc.Failure = &junitProblem{Message: msg, Type: "regression", Text: msg + "\nbaseline: " + c.Baseline + "\ncurrent: " + c.Current}
			}
			suite.add(tc)
		}
		suite.SystemOut = strings.Join(c.Warnings, "\n")
		doc.Suites = append(doc.Suites, suite)
	}
	return writeJUnit(w, doc)
}
