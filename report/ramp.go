package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMinAchievedRatio is the default [RampCriteria.MinAchievedRatio]:
// a step keeps up when it acknowledges at least 99.5% of the offered rate,
// the rule of AWS's own performance-testing framework for MSK.
const DefaultMinAchievedRatio = 0.995

// RampCriteria are the conditions a ramp step must meet for its offered
// rate to count as sustained. The zero value accepts any step that
// acknowledged something; set MinAchievedRatio to [DefaultMinAchievedRatio]
// for the usual rule.
type RampCriteria struct {
	// MinAchievedRatio is the lowest acceptable Throughput.MsgsPerSec ÷
	// Throughput.OfferedMsgsPerSec (acknowledged over offered, measure phase),
	// in 0..1.
	MinAchievedRatio float64 `json:"min_achieved_ratio"`
	// MaxPublishP99Ms is the latency target: the highest acceptable publish
	// p99 in milliseconds (0 = no latency target).
	MaxPublishP99Ms float64 `json:"max_publish_p99_ms,omitempty"`
	// MaxErrorRate is the highest acceptable failed ÷ (acked + failed), 0..1.
	MaxErrorRate float64 `json:"max_error_rate"`
}

// String describes the criteria in words, e.g. "acked ≥ 99.5% of offered,
// publish p99 ≤ 50 ms, error rate ≤ 0.1%".
func (c RampCriteria) String() string {
	parts := []string{"acked ≥ " + rampPercent(c.MinAchievedRatio) + " of offered"}
	if c.MaxPublishP99Ms > 0 {
		parts = append(parts, "publish p99 ≤ "+strconv.FormatFloat(c.MaxPublishP99Ms, 'f', -1, 64)+" ms")
	}
	parts = append(parts, "error rate ≤ "+rampPercent(c.MaxErrorRate))
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
// failed)) at or below c.MaxErrorRate. When it did not, reason names every
// condition that failed, separated by "; ". It is a pure function.
func RampVerdict(s Step, c RampCriteria) (ok bool, reason string) {
	if s.Partial {
		return false, "the step was cut short"
	}
	if s.Throughput.OfferedMsgsPerSec <= 0 {
		return false, "no offered rate was recorded (a ramp needs a rate, not max)"
	}
	var why []string
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
	if len(why) > 0 {
		return false, strings.Join(why, "; ")
	}
	return true, ""
}

// RampStep records the ramp verdict of one step (see [Step.Ramp]).
type RampStep struct {
	// Point is the label of the sweep point the step belongs to ("" without
	// a sweep).
	Point string `json:"point"`
	// Rate is the offered rate of the step as written, e.g. "4000/s" or "20MB/s".
	Rate string `json:"rate"`
	// AchievedRatio is acked ÷ offered msgs/s over the measure phase.
	AchievedRatio float64 `json:"achieved_ratio"`
	// Passed reports whether the step met the criteria of its [Limit].
	Passed bool `json:"passed"`
	// Reason says why it did not; "" when it passed.
	Reason string `json:"reason,omitempty"`
}

// Limit is the outcome of a ramp at one sweep point: the highest offered
// rate that met the criteria ("max sustainable throughput at p99 ≤ X ms").
type Limit struct {
	// Point is the label of the sweep point ("" without a sweep).
	Point string `json:"point"`
	// Params are the sweep values of the point.
	Params map[string]string `json:"params,omitempty"`
	// Criteria are the conditions every step was judged by.
	Criteria RampCriteria `json:"criteria"`
	// Found reports whether at least one step met the criteria. When false,
	// even the first rate of the ramp was too much.
	Found bool `json:"found"`
	// Rate is the highest offered rate that met the criteria, as written
	// ("4000/s", "20MB/s"); "" when none did.
	Rate string `json:"rate,omitempty"`
	// Step is the Index of that step in [Result.Steps]; -1 when none.
	Step int `json:"step"`
	// OfferedMsgsPerSec, MsgsPerSec and MiBPerSec are the offered and
	// acknowledged throughput of that step (msgs/s, MiB = 2^20 bytes per s).
	OfferedMsgsPerSec float64 `json:"offered_msgs_per_sec,omitempty"`
	MsgsPerSec        float64 `json:"msgs_per_sec,omitempty"`
	MiBPerSec         float64 `json:"mib_per_sec,omitempty"`
	// PublishP99Ms is the publish p99 of that step in milliseconds.
	PublishP99Ms float64 `json:"publish_p99_ms,omitempty"`
	// StoppedAt is the rate of the first step that failed ("" when none did).
	StoppedAt string `json:"stopped_at,omitempty"`
	// StopReason says why that step failed.
	StopReason string `json:"stop_reason,omitempty"`
	// ReachedMax is true when every rate up to the ramp's max passed: the
	// limit lies above the tested range.
	ReachedMax bool `json:"reached_max"`
	// Partial is true when the ramp was interrupted before a verdict.
	Partial bool `json:"partial"`
}

// Precondition records the preparation run before the first step (see
// [Result.Precondition]).
type Precondition struct {
	// Mode is the precondition as written, e.g. "deplete-credits".
	Mode string `json:"mode"`
	// Started and Ended bound it.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// LoadedSeconds is how long load was applied, in seconds.
	LoadedSeconds float64 `json:"loaded_seconds"`
	// Threshold is the fraction of the peak below which throughput counts as
	// dropped (0..1).
	Threshold float64 `json:"threshold"`
	// PeakMiBPerSec is the highest windowed average of acknowledged MiB/s;
	// FinalMiBPerSec the last one (MiB = 2^20 bytes).
	PeakMiBPerSec  float64 `json:"peak_mib_per_sec"`
	FinalMiBPerSec float64 `json:"final_mib_per_sec"`
	// Depleted is true when throughput fell below Threshold × peak: the
	// burst credits are taken to be spent.
	Depleted bool `json:"depleted"`
	// Partial is true when the run was interrupted during the precondition.
	Partial bool `json:"partial"`
	// Outcome says what happened, in words.
	Outcome string `json:"outcome"`
}

// writeRamp appends the ramp sections of the summary (precondition, ramp
// verdicts per step, limits per sweep point); nothing when r has none.
func writeRamp(b *strings.Builder, r *Result) {
	if p := r.Precondition; p != nil {
		fmt.Fprintf(b, "\nPrecondition %s: %s\n", p.Mode, p.Outcome)
	}
	t := table{}
	for i := range r.Steps {
		s := &r.Steps[i]
		if s.Ramp == nil {
			continue
		}
		verdict := "pass"
		if !s.Ramp.Passed {
			verdict = "FAIL"
		}
		t.rows = append(t.rows, []string{"  " + verdict + "  " + stepLabel(s), rampPercent(s.Ramp.AchievedRatio) + " acked", s.Ramp.Reason})
	}
	if len(t.rows) > 0 {
		b.WriteString("\nRamp steps:\n")
		t.write(b)
	}
	if len(r.Limits) == 0 {
		return
	}
	fmt.Fprintf(b, "\nMax sustainable throughput (%s):\n", r.Limits[0].Criteria)
	width := 0
	for _, l := range r.Limits {
		width = max(width, utf8.RuneCountInString(orDash(l.Point)))
	}
	for _, l := range r.Limits {
		point := orDash(l.Point)
		fmt.Fprintf(b, "  %s%s  ", point, strings.Repeat(" ", width-utf8.RuneCountInString(point)))
		if l.Found {
			fmt.Fprintf(b, "%s (%s msgs/s, %s MiB/s, publish p99 %s ms)", l.Rate, fmtRate(l.MsgsPerSec),
				strconv.FormatFloat(l.MiBPerSec, 'f', 2, 64), fmtMs(l.PublishP99Ms))
		} else {
			b.WriteString("none")
		}
		if o := l.outcome(); o != "" {
			b.WriteString("; " + o)
		}
		b.WriteString("\n")
	}
}

// outcome says how the ramp of l ended: interrupted, the limit above the
// tested range, or which rate failed and why; "" otherwise.
func (l Limit) outcome() string {
	switch {
	case l.Partial:
		return "interrupted"
	case l.ReachedMax:
		return "every rate up to the ramp's max passed: the limit is higher"
	case l.StoppedAt != "":
		return l.StoppedAt + " failed: " + l.StopReason
	}
	return ""
}

// rampPercent formats a 0..1 fraction as a percentage with up to two
// decimals ("99.5%", "100%").
func rampPercent(f float64) string {
	return rampTrimZeros(strconv.FormatFloat(f*100, 'f', 2, 64)) + "%"
}

func rampTrimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
