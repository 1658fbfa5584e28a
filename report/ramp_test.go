package report

import (
	"bytes"
	"strings"
	"testing"
)

// rampStep builds a step with the figures RampVerdict reads.
func rampStep(offered, acked float64, p99 float64, ackedN, failed int64) Step {
	s := Step{Label: "rate=1000/s"}
	s.Throughput.OfferedMsgsPerSec = offered
	s.Throughput.MsgsPerSec = acked
	s.Counters.Acked, s.Counters.Failed = ackedN, failed
	if ackedN > 0 {
		s.Latency.Publish = LatencySummary{Count: ackedN, P99Ms: p99}
	}
	return s
}

func TestRampVerdict(t *testing.T) {
	std := RampCriteria{MinAchievedRatio: DefaultMinAchievedRatio, MaxPublishP99Ms: 50, MaxErrorRate: 0.001}
	partial := rampStep(1000, 1000, 5, 1000, 0)
	partial.Partial = true
	bound := rampStep(1000, 1000, 5, 10000, 0)
	bound.Generator = &Generator{CPUUtilization: 0.95, Bottleneck: true}
	throttled := rampStep(1000, 1000, 5, 10000, 0)
	throttled.Throttle = &Throttle{ThrottleCounts: ThrottleCounts{Responses: 7}}
	tests := []struct {
		name   string
		step   Step
		c      RampCriteria
		ok     bool
		reason []string // substrings of the reason
	}{
		// Acked exactly the offered rate, fast, no errors.
		{"keeps up", rampStep(1000, 1000, 5, 10000, 0), std, true, nil},
		// 99.5% is the boundary and passes.
		{"at the ratio", rampStep(1000, 995, 5, 9950, 0), std, true, nil},
		// Just below 99.5%: the cluster no longer keeps up.
		{"below the ratio", rampStep(1000, 994, 5, 9940, 0), std, false, []string{"acked 994 msgs/s, 99.4% of the offered 1000 msgs/s (below 99.5%)"}},
		// The latency target is inclusive.
		{"p99 at target", rampStep(1000, 1000, 50, 10000, 0), std, true, nil},
		{"p99 above target", rampStep(1000, 1000, 50.5, 10000, 0), std, false, []string{"publish p99 50.50 ms above the 50 ms target"}},
		// Without a latency target any p99 passes.
		{"no latency target", rampStep(1000, 1000, 5000, 10000, 0), RampCriteria{MinAchievedRatio: 0.995, MaxErrorRate: 0.001}, true, nil},
		// 1 failure in 10001 is below 0.1%; 20 are above.
		{"few errors", rampStep(1000, 1000, 5, 10000, 1), std, true, nil},
		{"many errors", rampStep(1000, 1000, 5, 10000, 20), std, false, []string{"error rate 0.2% (20 failed) above 0.1%"}},
		// Every failing condition is named.
		{"all at once", rampStep(1000, 500, 80, 5000, 100), std, false, []string{"50% of the offered", "publish p99 80.00 ms above the 50 ms target", "error rate"}},
		// A cut-short step never counts.
		{"partial", partial, std, false, []string{"cut short"}},
		// rate: max has no offered rate to compare with.
		{"no offered rate", rampStep(0, 1000, 5, 1000, 0), std, false, []string{"no offered rate"}},
		// Keeping up while the generator was the bottleneck (or a quota
		// throttled) measured the tool (the quota), not the cluster: it
		// never passes, even with the loosest criteria (issue 8).
		{"generator bound", bound, std, false, []string{"GENERATOR BOUND"}},
		{"generator bound, zero criteria", bound, RampCriteria{}, false, []string{"GENERATOR BOUND"}},
		{"throttled", throttled, std, false, []string{"THROTTLED: brokers throttled 7 responses"}},
		// Nothing acknowledged at all.
		{"nothing acked", rampStep(1000, 0, 0, 0, 0), std, false, []string{"no message was acknowledged", "no publish latency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := RampVerdict(tt.step, tt.c)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v (reason %q)", ok, tt.ok, reason)
			}
			if ok && reason != "" {
				t.Errorf("passed with reason %q, want none", reason)
			}
			for _, want := range tt.reason {
				if !strings.Contains(reason, want) {
					t.Errorf("reason %q, want it to contain %q", reason, want)
				}
			}
		})
	}
}

func TestRampCriteriaString(t *testing.T) {
	c := RampCriteria{MinAchievedRatio: 0.995, MaxPublishP99Ms: 50, MaxErrorRate: 0.001}
	if got, want := c.String(), "acked ≥ 99.5% of offered, publish p99 ≤ 50 ms, error rate ≤ 0.1%"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	c.MaxPublishP99Ms = 0
	if got, want := c.String(), "acked ≥ 99.5% of offered, error rate ≤ 0.1%"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestSummaryRamp checks that the ramp sections appear only for results
// that have them, and say what was found.
func TestSummaryRamp(t *testing.T) {
	var plain bytes.Buffer
	r := sampleResult(t, false)
	if err := Summary(&plain, r); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Ramp steps", "Max sustainable", "Precondition"} {
		if strings.Contains(plain.String(), s) {
			t.Errorf("summary of a result without a ramp mentions %q", s)
		}
	}

	crit := RampCriteria{MinAchievedRatio: 0.995, MaxPublishP99Ms: 50, MaxErrorRate: 0.001}
	r.Steps[0].Label, r.Steps[1].Label = "partitions=12 rate=1000/s", "partitions=12 rate=2000/s"
	r.Steps[0].Ramp = &RampStep{Point: "partitions=12", Rate: "1000/s", AchievedRatio: 1, Passed: true}
	r.Steps[1].Ramp = &RampStep{Point: "partitions=12", Rate: "2000/s", AchievedRatio: 0.7, Reason: "acked 1400 msgs/s"}
	r.Limits = []Limit{
		{Point: "partitions=12", Criteria: crit, Found: true, Rate: "1000/s", Step: 0, MsgsPerSec: 1000, MiBPerSec: 0.98, PublishP99Ms: 4.2, StoppedAt: "2000/s", StopReason: "acked 1400 msgs/s"},
		{Point: "partitions=48", Criteria: crit, Step: -1, StoppedAt: "1000/s", StopReason: "publish p99 90 ms"},
		{Point: "partitions=96", Criteria: crit, Found: true, Rate: "8000/s", Step: 5, ReachedMax: true},
	}
	r.Precondition = &Precondition{Mode: "deplete-credits", Outcome: "throughput fell to 40 MiB/s"}
	var b bytes.Buffer
	if err := Summary(&b, r); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"Precondition deplete-credits: throughput fell to 40 MiB/s",
		"Ramp steps:",
		"  pass  partitions=12 rate=1000/s  100% acked\n",
		"  FAIL  partitions=12 rate=2000/s   70% acked  acked 1400 msgs/s\n",
		"Max sustainable throughput (acked ≥ 99.5% of offered, publish p99 ≤ 50 ms, error rate ≤ 0.1%):",
		"  partitions=12  1000/s (1000 msgs/s, 0.98 MiB/s, publish p99 4.200 ms); 2000/s failed: acked 1400 msgs/s\n",
		"  partitions=48  none; 1000/s failed: publish p99 90 ms\n",
		"  partitions=96  8000/s (0.00 msgs/s, 0.00 MiB/s, publish p99 0.000 ms); every rate up to the ramp's max passed: the limit is higher\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}
