package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
	case l.CappedBy == LimitGenerator:
		return "the load generator capped the ramp at " + l.StoppedAt + ", not the cluster: its limit is higher (" + l.StopReason + ")"
	case l.CappedBy == LimitThrottle:
		return "broker throttling (a quota) capped the ramp at " + l.StoppedAt + ", not the cluster's capacity (" + l.StopReason + ")"
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
