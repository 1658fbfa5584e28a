package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// HLogMaxValueUnitRatio is the ratio by which [HLog] divides each
// interval's maximum (µs) for the Interval_Max column: 1000, so the column
// is in milliseconds. The histograms themselves keep their µs values; give
// HdrHistogram's HistogramLogProcessor `-outputValueUnitRatio 1000` to print
// milliseconds.
const HLogMaxValueUnitRatio = 1000.0

// HLog writes the per-interval histograms of step s of r in the
// HdrHistogram interval log format version 1.3 (the .hlog files of
// HistogramLogWriter, read by HistogramLogReader and HistogramLogProcessor
// in Java, hdrhistogram-go and hdr-histogram-js): a comment naming the run,
// the format version, StartTime and BaseTime (both the step's first
// interval start, seconds since the epoch), the legend line, then per
// timeline interval (measure and drain phases) one line per latency kind:
//
//	Tag=<kind>,<start>,<length>,<max>,<histogram>
//
// where kind is "publish", "service", "send_delay" or "end_to_end", start is
// seconds since BaseTime, length is seconds, max is the interval's largest
// value in milliseconds ([HLogMaxValueUnitRatio]) and histogram is the V2
// compressed, base64 encoded histogram of values in µs. A kind without
// any sample in the step is left out; a kind that has samples gets a line
// (possibly an empty histogram) for every interval, so every tag covers
// the same time range. Lines are in time order, kinds in [HistogramNames]
// order within an interval.
//
// One log covers one step: a multi-step result (sweep, ramp) gives one log
// per step, selected by index. It fails when the step's timeline carries no
// per-interval histograms (results of older versions, merged results).
func HLog(w io.Writer, r *Result, step int) error {
	if step < 0 || step >= len(r.Steps) {
		return fmt.Errorf("hlog: step %d: the result has %d step(s)", step, len(r.Steps))
	}
	s := &r.Steps[step]
	if len(s.Timeline) == 0 {
		return fmt.Errorf("hlog: step %s has no timeline", stepLabel(s))
	}
	kinds := make([]string, 0, 4)
	for i := range s.Timeline {
		if _, ok, _ := s.Timeline[i].Histogram("publish"); !ok {
			return fmt.Errorf("hlog: step %s has no per-interval histograms (written by an older mskbench, or merged)", stepLabel(s))
		}
	}
	for _, k := range LatencyKinds {
		for i := range s.Timeline {
			if h := s.Timeline[i].Histograms; h != nil && *k.Encoded(h) != "" {
				kinds = append(kinds, k.Name)
				break
			}
		}
	}
	base := s.Timeline[0].Start
	var b strings.Builder
	fmt.Fprintf(&b, "#[%s interval log: scenario %s, step %s; values in microseconds, Interval_Max in milliseconds; tags %s]\n",
		describeTool(r), orDash(r.Scenario.Name), stepLabel(s), strings.Join(kinds, ", "))
	b.WriteString("#[Histogram log format version 1.3]\n")
	fmt.Fprintf(&b, "#[StartTime: %s (seconds since epoch), %s]\n", hlogSeconds(base), base.UTC().Format(time.UnixDate))
	fmt.Fprintf(&b, "#[BaseTime: %s (seconds since epoch)]\n", hlogSeconds(base))
	b.WriteString(`"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"` + "\n")
	empty := ""
	for i := range s.Timeline {
		iv := &s.Timeline[i]
		for _, name := range kinds {
			h, _, err := iv.Histogram(name)
			if err != nil {
				return fmt.Errorf("hlog: step %s: %w", stepLabel(s), err)
			}
			enc := ""
			if k, _ := latencyKind(name); iv.Histograms != nil {
				enc = *k.Encoded(iv.Histograms)
			}
			if enc == "" {
				if empty == "" {
					if empty, err = NewHistogram().Encode(); err != nil {
						return fmt.Errorf("hlog: %w", err)
					}
				}
				enc = empty
			}
			fmt.Fprintf(&b, "Tag=%s,%.3f,%.3f,%.3f,%s\n", name, iv.Start.Sub(base).Seconds(), iv.End.Sub(iv.Start).Seconds(),
				float64(h.Max())/HLogMaxValueUnitRatio, enc)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write hlog: %w", err)
	}
	return nil
}

// hlogSeconds formats t as seconds since the epoch with millisecond
// precision, as HistogramLogWriter does.
func hlogSeconds(t time.Time) string {
	ms := t.UnixMilli()
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}

// describeTool names the build that wrote r, e.g. "mskbench v0.2.0 (abc1234)".
func describeTool(r *Result) string {
	tool := r.Tool.Name
	if tool == "" {
		tool = "mskbench"
	}
	if r.Tool.Version != "" {
		tool += " " + r.Tool.Version
	}
	if r.Tool.Commit != "" {
		tool += " (" + r.Tool.Commit + ")"
	}
	return tool
}
