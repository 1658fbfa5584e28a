package report

import (
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
	if m.Timeline != nil || len(m.Warnings) != 1 {
		t.Errorf("timeline %v warnings %q, want no timeline and one warning", m.Timeline, m.Warnings)
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
