package report

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// stepOf records acks with the given publish latencies (ms) into a fresh
// collector and returns its step.
func stepOf(t *testing.T, latMs []int, failed int) Step {
	t.Helper()
	c := NewCollector(0)
	r := c.NewRecorder()
	for _, ms := range latMs {
		r.RecordSend(ns(0), ns(0))
		r.RecordAck(ns(0), ns(0), ns(time.Duration(ms)*time.Millisecond), 100)
	}
	r.RecordError("timeout", failed)
	c.Tick(sec(0), sec(2), PhaseMeasure)
	return c.Step(StepInfo{Label: "s", Offered: int64(len(latMs) + failed)})
}

func TestMergeSteps(t *testing.T) {
	fast := make([]int, 990)
	for i := range fast {
		fast[i] = 1
	}
	slow := make([]int, 10)
	for i := range slow {
		slow[i] = 100
	}
	a, b := stepOf(t, fast, 1), stepOf(t, slow, 2)
	m, err := MergeSteps(a, b)
	if err != nil {
		t.Fatal(err)
	}
	// The union's p99.9 is in the slow generator's range; averaging the two
	// p99.9s would give about 50 ms.
	if !near(m.Latency.Publish.P999Ms, 100) || !near(m.Latency.Publish.P50Ms, 1) {
		t.Errorf("merged publish = %+v, want p50 1 ms and p99.9 100 ms", m.Latency.Publish)
	}
	if m.Counters.Acked != 1000 || m.Counters.Failed != 3 || m.Errors["timeout"] != 3 {
		t.Errorf("merged acked %d failed %d errors %v, want 1000, 3, timeout=3", m.Counters.Acked, m.Counters.Failed, m.Errors)
	}
	if m.Throughput.MsgsPerSec != 500 || m.MeasuredSeconds != 2 {
		t.Errorf("merged %v msgs/s over %v s, want 500 (495+5) over 2 s", m.Throughput.MsgsPerSec, m.MeasuredSeconds)
	}
	h, err := m.Histogram("publish")
	if err != nil || h.Count() != 1000 {
		t.Errorf("merged publish histogram = %v, %v, want 1000 values", h, err)
	}
	// The intervals are aligned (both 0..2 s): one merged interval, exact.
	if len(m.Timeline) != 1 || len(m.Warnings) != 0 {
		t.Fatalf("timeline %v warnings %q, want one interval and no warning", m.Timeline, m.Warnings)
	}
	iv := m.Timeline[0]
	if iv.Acked != 1000 || iv.Failed != 3 || iv.MsgsPerSec != 500 || iv.PublishP99Ms != m.Latency.Publish.P99Ms || iv.Errors["timeout"] != 3 {
		t.Errorf("merged interval acked %d failed %d %v msgs/s p99 %v errors %v, want 1000, 3, 500, the step's p99, timeout=3",
			iv.Acked, iv.Failed, iv.MsgsPerSec, iv.PublishP99Ms, iv.Errors)
	}
	if ih, ok, err := iv.Histogram("publish"); err != nil || !ok || ih.Count() != 1000 {
		t.Errorf("merged interval histogram = %v, %v, %v, want 1000 values", ih, ok, err)
	}
	if _, err := MergeSteps(); err == nil {
		t.Error("MergeSteps() succeeded, want error")
	}
	bad := a
	bad.Histograms.PublishUs = "garbage"
	if _, err := MergeSteps(a, bad); err == nil {
		t.Error("MergeSteps with a corrupt histogram succeeded, want error")
	}
}

func TestMergeResults(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &Result{SchemaVersion: 1, Scenario: Scenario{Name: "s"}, Started: t0, Ended: t0.Add(time.Minute),
		Connection: Connection{Dials: 3}, Checks: []CheckResult{{Expr: "p99 < 1ms"}},
		Steps: []Step{stepOf(t, []int{1, 2}, 0)}}
	b := &Result{SchemaVersion: 1, Scenario: Scenario{Name: "other"}, Started: t0.Add(-time.Second), Ended: t0.Add(2 * time.Minute),
		Connection: Connection{Dials: 4, Reconnects: 1}, Partial: true,
		Steps: []Step{stepOf(t, []int{3}, 1)}}
	m, err := MergeResults([]*Result{a, b}, []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Steps) != 1 || m.Steps[0].Counters.Acked != 3 || m.Steps[0].Counters.Failed != 1 {
		t.Errorf("merged steps %+v, want one step with 3 acked and 1 failed", m.Steps)
	}
	if !m.Started.Equal(b.Started) || !m.Ended.Equal(b.Ended) || !m.Partial || m.Checks != nil {
		t.Errorf("merged run: started %v ended %v partial %t checks %v", m.Started, m.Ended, m.Partial, m.Checks)
	}
	if m.Connection.Dials != 7 || m.Connection.Reconnects != 1 {
		t.Errorf("connection %+v, want the counts summed", m.Connection)
	}
	if len(m.Warnings) != 2 || m.Warnings[0] != `merged scenario "s" with "other"` {
		t.Errorf("warnings %q", m.Warnings)
	}
	if a.Checks == nil || len(a.Steps) != 1 || a.Steps[0].Counters.Acked != 2 {
		t.Error("MergeResults modified its input")
	}
	b.Steps = append(b.Steps, b.Steps[0])
	if _, err := MergeResults([]*Result{a, b}, []string{"a.json"}); err == nil || err.Error() != "input 2 has 2 steps, a.json has 1: not the same run" {
		t.Errorf("different step counts: %v", err)
	}
	if _, err := MergeResults(nil, nil); err == nil {
		t.Error("MergeResults(nil) succeeded")
	}
}

// TestMergeStepsTimelines: intervals that do not align, or carry no
// histograms, drop the timeline with a reason; behind-schedule seconds are
// the longest, warnings are kept once.
func TestMergeStepsTimelines(t *testing.T) {
	a, b := stepOf(t, []int{1, 2}, 0), stepOf(t, []int{3}, 0)
	a.Counters.BehindScheduleSeconds, b.Counters.BehindScheduleSeconds = 1.5, 0.5
	a.Warnings, b.Warnings = []string{"w", "x"}, []string{"w"}
	m, err := MergeSteps(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Counters.BehindScheduleSeconds != 1.5 {
		t.Errorf("behind_schedule_seconds = %v, want 1.5 (the longest)", m.Counters.BehindScheduleSeconds)
	}
	if len(m.Warnings) != 2 {
		t.Errorf("warnings %q, want w and x once each", m.Warnings)
	}
	late := b
	late.Timeline = slices.Clone(b.Timeline)
	late.Timeline[0].Start = late.Timeline[0].Start.Add(time.Second)
	late.Timeline[0].End = late.Timeline[0].End.Add(time.Second)
	if m, _ := MergeSteps(a, late); m.Timeline != nil || len(m.Warnings) != 3 || !strings.Contains(m.Warnings[2], "do not align") {
		t.Errorf("misaligned: timeline %v warnings %q, want none and a warning", m.Timeline, m.Warnings)
	}
	old := b
	old.Timeline = slices.Clone(b.Timeline)
	old.Timeline[0].Histograms = nil
	if m, _ := MergeSteps(a, old); m.Timeline != nil || !strings.Contains(strings.Join(m.Warnings, ";"), "without histograms") {
		t.Errorf("no histograms: timeline %v warnings %q, want none and a warning", m.Timeline, m.Warnings)
	}
}

// TestMergeProblems: results of different scenarios, of the same run, or
// measured at different times are not merged silently.
func TestMergeProblems(t *testing.T) {
	at := func(id, scenario string, start time.Time) *Result {
		st := stepOf(t, []int{1}, 0)
		st.MeasureStart, st.MeasureEnd = start, start.Add(30*time.Second)
		return &Result{RunID: id, Scenario: Scenario{Name: scenario}, Steps: []Step{st}}
	}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	names := []string{"a.json", "b.json"}
	if p := MergeProblems([]*Result{at("a", "s", t0), at("b", "s", t0.Add(time.Second))}, names); len(p) != 0 {
		t.Errorf("concurrent runs of one scenario: %q, want no problem", p)
	}
	for _, tc := range []struct {
		a, b *Result
		want string
	}{
		{at("a", "s", t0), at("b", "s", t0.Add(2*time.Minute)), "step 1: the measured windows do not overlap"},
		{at("a", "s", t0), at("b", "other", t0), `a.json is scenario "s", b.json is "other"`},
		{at("a", "s", t0), at("a", "s", t0), "hold the same run (run id a)"},
		{at("a+c", "s", t0), at("c", "s", t0), "hold the same run (run id c)"},
	} {
		p := MergeProblems([]*Result{tc.a, tc.b}, names)
		if len(p) != 1 || !strings.Contains(p[0], tc.want) {
			t.Errorf("problems %q, want one containing %q", p, tc.want)
		}
	}
	m, err := MergeResults([]*Result{at("a", "s", t0), at("b", "s", t0)}, names)
	if err != nil || m.RunID != "a+b" {
		t.Errorf("merged run id %q (%v), want a+b", m.RunID, err)
	}
}

// TestSummaryShards: the summary of a distributed step lists its shards,
// names a missing one and a generator-bound one, and reports cross-shard
// end-to-end latency apart.
func TestSummaryShards(t *testing.T) {
	c := NewCollector(1)
	r := c.NewRecorder()
	r.RecordConsumeCross(ns(0), ns(3*time.Millisecond), 10)
	c.Tick(sec(0), sec(1), PhaseMeasure)
	st := c.Step(StepInfo{Label: "s"})
	st.Shards = []ShardFigures{
		{Index: 0, Host: "a", ProducerIDsFrom: 0, ProducerIDsTo: 2, Generator: &Generator{CPUUtilization: 0.95, Bottleneck: true}},
		{Index: 1, Missing: true},
	}
	var b strings.Builder
	if err := Summary(&b, &Result{Steps: []Step{st}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"2 shards", "MISSING", "95% GENERATOR BOUND", "Cross-shard end-to-end (1 messages", "p50 3.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// A generator bottleneck travels through a merge: one bound load generator
// makes the merged step bound, so compare, the ramp and size --from see it.
func TestMergeStepsGenerator(t *testing.T) {
	free := Step{Label: "a", Generator: &Generator{CPUSeconds: 1, CPUUtilization: 0.2, LateInFlight: 3,
		Host: &HostCPU{CPUs: 4, Busy: 0.3, Process: 0.2, Other: 0.1}}}
	bound := Step{Label: "a", Generator: &Generator{CPUSeconds: 2, CPUUtilization: 0.95, LateGenerator: 40, Bottleneck: true,
		Cause: CauseGeneratorCPU, Host: &HostCPU{CPUs: 2, Busy: 0.97, Process: 0.95, Other: 0.02}}}
	m, err := MergeSteps(free, bound, Step{Label: "a"})
	if err != nil {
		t.Fatal(err)
	}
	g := m.Generator
	if g == nil || !g.Bottleneck || m.LimitedBy() != LimitGenerator || g.CPUSeconds != 3 || g.CPUUtilization != 0.95 ||
		g.LateGenerator != 40 || g.LateInFlight != 3 || g.Cause != CauseGeneratorCPU || g.Host == nil || g.Host.CPUs != 2 {
		t.Errorf("merged generator %+v (host %+v), want bound with the bound generator's cause and host, sums of the counts", g, g.Host)
	}
	if free.Generator.Bottleneck || free.Generator.CPUSeconds != 1 {
		t.Errorf("input modified: %+v", free.Generator)
	}
	if m, _ := MergeSteps(free, free); m.Generator == nil || m.Generator.Bottleneck || m.Generator.Host == nil {
		t.Errorf("two free generators: %+v, want not bound, with host figures", m.Generator)
	}
}

// TestMergeStepsCatchUpAndChurn merges two generators' catch-up steps that
// churned their own groups: the catch-up counts add up, the slower one's
// time and caught-up state win and the rate is recomputed; every rebalance
// is kept, named by its input; earlier runs found add up.
func TestMergeStepsCatchUpAndChurn(t *testing.T) {
	a, b := stepOf(t, []int{1, 2}, 0), stepOf(t, []int{3}, 0)
	a.CatchUp = &CatchUp{Start: "earliest", BacklogMessages: 1000, ReadMessages: 1000, ReadBytes: 1 << 20, CaughtUp: true, Seconds: 2, MsgsPerSec: 500, MiBPerSec: 0.5}
	b.CatchUp = &CatchUp{Start: "earliest", BacklogMessages: 1000, ReadMessages: 600, ReadBytes: 3 << 19, CaughtUp: false, Seconds: 4, MsgsPerSec: 150, MiBPerSec: 0.375, Lag: 400}
	a.Churn = &Churn{EverySeconds: 1, Members: 1, Events: 2, Rebalances: []Rebalance{{Group: 0, AtSeconds: 1}, {Group: 0, AtSeconds: 2}}}
	b.Churn = &Churn{EverySeconds: 1, Members: 1, Events: 1, Rebalances: []Rebalance{{Group: 0, AtSeconds: 1.5}}}
	a.Verification = &Verification{Complete: true, Earlier: &EarlierRuns{Producers: 2, Messages: 10, Gaps: 1}}
	b.Verification = &Verification{Complete: true, Earlier: &EarlierRuns{Producers: 3, Messages: 5, Duplicated: 2}}
	m, err := MergeSteps(a, b)
	if err != nil {
		t.Fatal(err)
	}
	c := m.CatchUp
	if c == nil || c.BacklogMessages != 2000 || c.ReadMessages != 1600 || c.ReadBytes != 5<<19 || c.CaughtUp || c.Seconds != 4 || c.Lag != 400 ||
		!near(c.MsgsPerSec, 400) || !near(c.MiBPerSec, 0.625) {
		t.Errorf("merged catch-up %+v, want backlog 2000, read 1600 (2.5 MiB), not caught up, 4 s, lag 400, 400 msgs/s, 0.625 MiB/s", c)
	}
	ch := m.Churn
	if ch == nil || ch.Events != 3 || len(ch.Rebalances) != 3 || ch.Rebalances[0].Input != 1 || ch.Rebalances[2].Input != 2 || ch.Rebalances[2].AtSeconds != 1.5 {
		t.Errorf("merged churn %+v, want 3 events and 3 rebalances, inputs 1, 1, 2", ch)
	}
	if e := m.Verification.Earlier; e == nil || *e != (EarlierRuns{Producers: 3, Messages: 15, Gaps: 1, Duplicated: 2}) {
		t.Errorf("merged earlier runs %+v, want 3 producers, 15 messages, 1 gap, 2 duplicated", e)
	}
	if a.Churn.Rebalances[0].Input != 0 || a.Verification.Earlier.Messages != 10 {
		t.Error("MergeSteps modified its inputs")
	}
	var sum strings.Builder
	writeChurn(&sum, &m)
	if !strings.Contains(sum.String(), "0 (input 2)") {
		t.Errorf("the merged summary does not name a rebalance's input:\n%s", sum.String())
	}
	one, err := MergeSteps(a)
	if err != nil || one.Churn.Rebalances[0].Input != 0 {
		t.Errorf("a single step's rebalances gained an input: %+v, %v", one.Churn, err)
	}
}
