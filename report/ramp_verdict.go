package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Defaults of the ramp criteria, the one place they are defined (a
// scenario's ramp block starts from them).
const (
	// DefaultMinAchievedRatio is the default [RampCriteria.MinAchievedRatio]:
	// a step keeps up when it acknowledges at least 99.5% of the offered
	// rate, the rule of AWS's own performance-testing framework for MSK.
	DefaultMinAchievedRatio = 0.995
	// DefaultMaxErrorRate is the default [RampCriteria.MaxErrorRate]: at
	// most 0.1% of the messages may fail.
	DefaultMaxErrorRate = 0.001
)

// String describes the criteria in words, e.g. "acked ≥ 99.5% of offered,
// publish p99 ≤ 50 ms, error rate ≤ 0.1%".
func (c RampCriteria) String() string {
	parts := []string{"acked ≥ " + rampPercent(c.MinAchievedRatio) + " of offered"}
	if c.MaxPublishP99Ms > 0 {
		parts = append(parts, "publish p99 ≤ "+strconv.FormatFloat(c.MaxPublishP99Ms, 'f', -1, 64)+" ms")
	}
	parts = append(parts, "error rate ≤ "+rampPercent(c.MaxErrorRate))
	if c.MaxBrokerCPU > 0 {
		parts = append(parts, "broker CPU ≤ "+rampPercent(c.MaxBrokerCPU))
	}
	if c.StopOnThrottle {
		parts = append(parts, "no broker throttling")
	}
	return strings.Join(parts, ", ")
}

// AchievedRatio returns Throughput.MsgsPerSec ÷ Throughput.OfferedMsgsPerSec
// of s, or 0 when s has no offered rate (rate: max).
func (s *Step) AchievedRatio() float64 {
	if s.Throughput.OfferedMsgsPerSec <= 0 {
		return 0
	}
	return s.Throughput.MsgsPerSec / s.Throughput.OfferedMsgsPerSec
}

// RampVerdict reports whether step s sustained its offered rate under c: it
// is complete (not partial), had an offered rate, acknowledged at least
// c.MinAchievedRatio of it, kept its publish p99 at or below
// c.MaxPublishP99Ms (when set) and its error rate (failed ÷ (acked +
// failed)) at or below c.MaxErrorRate, and, when c asks, kept the busiest
// broker's mean CPU at or below c.MaxBrokerCPU and saw no broker throttle
// (c.StopOnThrottle). A step that something other than the cluster
// limited ([Step.LimitedBy]: the load generator, or brokers throttling its
// responses) never passes, whatever c says: it did not measure the
// cluster, so its rate cannot be the cluster's limit. When it did not
// pass, reason names every condition that failed, separated by "; ". It
// is a pure function.
func RampVerdict(s Step, c RampCriteria) (ok bool, reason string) {
	if s.Partial {
		return false, "the step was cut short"
	}
	if s.Throughput.OfferedMsgsPerSec <= 0 {
		return false, "no offered rate was recorded (a ramp needs a rate, not max)"
	}
	var why []string
	switch s.LimitedBy() {
	case LimitGenerator:
		cause := s.Generator.Cause
		if cause == "" {
			cause = GeneratorCause(*s.Generator)
		}
		why = append(why, "GENERATOR BOUND: the load generator, not the cluster, capped this rate (cause: "+cause+", see the step's warning)")
	case LimitThrottle:
		why = append(why, fmt.Sprintf("THROTTLED: brokers throttled %d responses, a quota capped this rate", s.Throttle.Responses))
	}
	if ratio := s.AchievedRatio(); ratio < c.MinAchievedRatio {
		why = append(why, fmt.Sprintf("acked %s msgs/s, %s of the offered %s msgs/s (below %s)",
			fmtRate(s.Throughput.MsgsPerSec), rampPercent(ratio), fmtRate(s.Throughput.OfferedMsgsPerSec), rampPercent(c.MinAchievedRatio)))
	}
	if c.MaxPublishP99Ms > 0 {
		pub := s.Latency.Publish
		switch {
		case pub.Count == 0:
			why = append(why, "no publish latency was recorded")
		case pub.P99Ms > c.MaxPublishP99Ms:
			why = append(why, fmt.Sprintf("publish p99 %s ms above the %s ms target", fmtMs(pub.P99Ms), strconv.FormatFloat(c.MaxPublishP99Ms, 'f', -1, 64)))
		}
	}
	if n := s.Counters.Acked + s.Counters.Failed; n > 0 {
		if rate := float64(s.Counters.Failed) / float64(n); rate > c.MaxErrorRate {
			why = append(why, fmt.Sprintf("error rate %s (%d failed) above %s", rampPercent(rate), s.Counters.Failed, rampPercent(c.MaxErrorRate)))
		}
	} else {
		why = append(why, "no message was acknowledged")
	}
	why = append(why, brokerRampReasons(&s, c)...)
	if len(why) > 0 {
		return false, strings.Join(why, "; ")
	}
	return true, ""
}
