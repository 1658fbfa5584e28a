package report

import (
	"strings"
	"testing"
)

// rampSample is the HTML sample as a ramp of two rates at one sweep point
// with a 15 ms publish p99 target: the first rate passes, the second not.
func rampSample(t *testing.T) *Result {
	t.Helper()
	r := htmlSampleResult(t)
	crit := RampCriteria{MinAchievedRatio: DefaultMinAchievedRatio, MaxPublishP99Ms: 15, MaxErrorRate: 0.001}
	r.Steps[0].Ramp = &RampStep{Point: "partitions=12", Rate: "500/s", AchievedRatio: 1, Passed: true}
	r.Steps[1].Ramp = &RampStep{Point: "partitions=12", Rate: "1000/s", AchievedRatio: 0.99, Reason: "publish p99 above the 15 ms target; acked 990 msgs/s"}
	r.Limits = []Limit{{Point: "partitions=12", Criteria: crit, Found: true, Rate: "500/s", Step: 0,
		MsgsPerSec: r.Steps[0].Throughput.MsgsPerSec, PublishP99Ms: r.Steps[0].Latency.Publish.P99Ms, StoppedAt: "1000/s", StopReason: "publish p99 above the target"}}
	r.Precondition = &Precondition{Mode: "deplete-credits", Outcome: "throughput fell to 40 MiB/s"}
	return r
}

func TestCapacityView(t *testing.T) {
	r := rampSample(t)
	v := newCapacityView(r)
	if v == nil || v.Chart == nil {
		t.Fatal("a ramp has no capacity view")
	}
	names := map[string]bool{}
	for _, s := range v.Chart.Series {
		names[s.Name] = true
	}
	for _, n := range []string{"publish p50", "publish p99", "publish p99.9", "end-to-end p99",
		"SLO publish p99 ≤ 15 ms (ramp)", "SLO publish_p99_ms < 20 (check)", "limit 500/s (partitions=12)"} {
		if !names[n] {
			t.Errorf("capacity chart lacks series %q; has %v", n, names)
		}
	}
	colors := map[string]string{}
	for _, s := range v.Chart.Series {
		kind, _, _ := strings.Cut(s.Name, " ")
		if c, ok := colors[kind]; ok && c != s.Color {
			t.Errorf("%s drawn in %s and %s: one colour per latency kind", kind, c, s.Color)
		}
		colors[kind] = s.Color
	}
	if colors["publish"] == colors["end-to-end"] {
		t.Error("publish and end-to-end share a colour")
	}
	if len(v.RampRows) != 2 || v.RampRows[1].Cells[6] != "FAIL" || len(v.LimitRows) != 1 || v.LimitRows[0].Cells[1] != "500/s" {
		t.Errorf("ramp tables: %+v / %+v", v.RampRows, v.LimitRows)
	}
	out := renderHTML(t, r)
	for _, w := range []string{"<h2>Capacity</h2>", "Latency against throughput", "<h3>Ramp steps</h3>",
		"Max sustainable throughput (acked ≥ 99.5% of offered, publish p99 ≤ 15 ms", "Precondition deplete-credits", "<title>limit 500/s"} {
		if !strings.Contains(out, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(out, "<pre>Ramp steps") || strings.Contains(out, "<pre>Precondition") {
		t.Error("the ramp is still a text dump")
	}
	// One step without a ramp: no capacity section.
	r.Steps, r.Limits, r.Precondition = r.Steps[:1], nil, nil
	r.Steps[0].Ramp = nil
	if newCapacityView(r) != nil {
		t.Error("a single step has a capacity view")
	}
}

// The drain phase is shaded and labelled, and the throughput line does not
// fall into it.
func TestThroughputChartDrain(t *testing.T) {
	r := htmlSampleResult(t)
	s := &r.Steps[0]
	ch := throughputChart(s)
	if len(ch.Bands) == 0 || ch.Bands[0].Label != "drain" {
		t.Fatalf("no labelled drain band: %+v", ch.Bands)
	}
	measured := 0
	for _, iv := range s.Timeline {
		if iv.Phase == PhaseMeasure {
			measured++
		}
	}
	for _, se := range ch.Series {
		if se.Name != "acked" {
			continue
		}
		if len(se.Lines) != 1 || strings.Count(se.Lines[0], ",") != measured {
			t.Errorf("acked line %q: want %d measure points and nothing in the drain", se.Lines, measured)
		}
	}
}
