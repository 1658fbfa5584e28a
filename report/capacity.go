package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// svgMark is a marker drawn on a chart: a circle (filled or as a ring)
// with a tooltip.
type svgMark struct {
	X, Y, R     string
	Fill, Color string
	Title       string
}

// capacityView is the capacity-planning section of the HTML report for a
// result of several steps (a sweep or a ramp): the latency–throughput
// chart and the ramp as tables.
type capacityView struct {
	Chart        *svgChart
	Precondition string
	RampHeader   []string
	RampRows     []htmlRow
	LimitHeader  []string
	LimitRows    []htmlRow
	Criteria     string
}

// Latency–throughput series: colour per latency kind, dash per percentile.
// End-to-end comes first so that publish, the number to quote, is drawn on
// top where the two coincide.
var capacityCurves = []struct {
	name, hist, color string
	pct               float64
	dash              string
	value             func(LatencySummary) float64
}{
	{"end-to-end p50", "end_to_end", colorEndToEnd, 50, "", func(l LatencySummary) float64 { return l.P50Ms }},
	{"end-to-end p99", "end_to_end", colorEndToEnd, 99, "7 4", func(l LatencySummary) float64 { return l.P99Ms }},
	{"end-to-end p99.9", "end_to_end", colorEndToEnd, 99.9, "2 3", func(l LatencySummary) float64 { return l.P999Ms }},
	{"publish p50", "publish", colorPublish, 50, "", func(l LatencySummary) float64 { return l.P50Ms }},
	{"publish p99", "publish", colorPublish, 99, "7 4", func(l LatencySummary) float64 { return l.P99Ms }},
	{"publish p99.9", "publish", colorPublish, 99.9, "2 3", func(l LatencySummary) float64 { return l.P999Ms }},
}

// Geometry of the latency–throughput chart: wider and taller than the
// per-step charts.
const (
	capacityW = 940
	capacityH = 380
)

// resize gives ch a width and height of w × h user units, keeping the
// margins of [newChart].
func resize(ch svgChart, w, h int) svgChart {
	ch.W, ch.H = w, h
	ch.PW, ch.PH = w-chartLeft-chartRight, h-chartTop-chartBottom
	ch.Bottom, ch.Right = chartTop+ch.PH, chartLeft+ch.PW
	ch.MidX, ch.MidY = chartLeft+ch.PW/2, chartTop+ch.PH/2
	return ch
}

// capacityX returns the throughput of s on the x axis of the capacity
// chart: MiB/s when bytes says so, acknowledged msgs/s otherwise.
func capacityX(s *Step, bytes bool) float64 {
	if bytes {
		return s.Throughput.MiBPerSec
	}
	return s.Throughput.MsgsPerSec
}

// capacityInBytes reports whether the capacity chart of r measures
// throughput in MiB/s: when its steps differ in message size (a message
// size sweep) or its ramp steps a byte rate, msgs/s would compare unlike
// messages.
func capacityInBytes(r *Result) bool {
	for i := range r.Steps {
		s := &r.Steps[i]
		for k := range s.Params {
			if strings.Contains(k, "message_size") {
				return true
			}
		}
		if s.Ramp != nil && strings.HasSuffix(s.Ramp.Rate, "B/s") {
			return true
		}
	}
	return false
}

const (
	colorSLO   = "#c62828"
	colorLimit = "#6a1b9a"
	colorBound = "#e8730c"
)

// newCapacityView returns the capacity section of r, or nil for a result
// of fewer than two steps without ramp verdicts.
func newCapacityView(r *Result) *capacityView {
	ramp := slices.ContainsFunc(r.Steps, func(s Step) bool { return s.Ramp != nil })
	if len(r.Steps) < 2 && !ramp {
		return nil
	}
	v := &capacityView{}
	if len(r.Steps) >= 2 {
		ch := latencyThroughputChart(r)
		v.Chart = &ch
	}
	if p := r.Precondition; p != nil {
		v.Precondition = "Precondition " + p.Mode + ": " + p.Outcome
	}
	v.RampHeader = []string{"step", "sweep point", "offered rate", "acked msgs/s", "acked / offered", "pub p99 ms", "verdict", "why"}
	for i := range r.Steps {
		s := &r.Steps[i]
		if s.Ramp == nil {
			continue
		}
		verdict := "pass"
		if !s.Ramp.Passed {
			verdict = "FAIL"
		}
		v.RampRows = append(v.RampRows, htmlRow{ID: htmlStepID(i), Partial: !s.Ramp.Passed, Cells: []string{
			stepLabel(s), orDash(s.Ramp.Point), s.Ramp.Rate, fmtRate(s.Throughput.MsgsPerSec), rampPercent(s.Ramp.AchievedRatio),
			fmtLat(s.Latency.Publish, s.Latency.Publish.P99Ms), verdict, s.Ramp.Reason}})
	}
	if len(r.Limits) > 0 {
		v.Criteria = r.Limits[0].Criteria.String()
	}
	v.LimitHeader = []string{"sweep point", "max sustainable rate", "acked msgs/s", "MiB/s", "pub p99 ms", "outcome"}
	for _, l := range r.Limits {
		row := []string{orDash(l.Point), "none", "-", "-", "-", ""}
		if l.Found {
			row[1], row[2], row[3], row[4] = l.Rate, fmtRate(l.MsgsPerSec), strconv.FormatFloat(l.MiBPerSec, 'f', 2, 64), fmtMs(l.PublishP99Ms)
		}
		row[5] = l.outcome()
		v.LimitRows = append(v.LimitRows, htmlRow{Cells: row})
	}
	return v
}

// sloLines returns the latency targets of r in ms by histogram: the ramp's
// publish p99 target and checks of the form "<latency> p99 < X" (or <=).
func sloLines(r *Result) []struct {
	label string
	ms    float64
} {
	var out []struct {
		label string
		ms    float64
	}
	seen := map[string]bool{}
	add := func(label string, ms float64) {
		if ms > 0 && !seen[label] {
			seen[label] = true
			out = append(out, struct {
				label string
				ms    float64
			}{label, ms})
		}
	}
	for _, l := range r.Limits {
		if l.Criteria.MaxPublishP99Ms > 0 {
			add("SLO publish p99 ≤ "+fmtObserved(l.Criteria.MaxPublishP99Ms)+" ms (ramp)", l.Criteria.MaxPublishP99Ms)
		}
	}
	for _, c := range r.Checks {
		pc, err := ParseCheck(c.Expr)
		if err != nil || (pc.Op != "<" && pc.Op != "<=") {
			continue
		}
		if h, ok := latencyHistogram(pc.Aggregate); ok && (h == "publish" || h == "end_to_end") {
			add("SLO "+pc.Aggregate+" "+pc.Op+" "+fmtObserved(pc.Value)+" (check)", pc.Value)
		}
	}
	return out
}

// latencyThroughputChart draws, across the steps of r, latency percentiles
// (publish and end-to-end p50, p99, p99.9; ms, log scale) against the
// achieved throughput (acknowledged msgs/s), one curve per sweep point of a
// ramp, with the latency targets as horizontal lines and the chosen limit
// of each ramp point as a vertical line. Steps that were generator bound
// or partial are ringed in orange.
func latencyThroughputChart(r *Result) svgChart {
	inBytes := capacityInBytes(r)
	xLabel := "acknowledged msgs/s"
	if inBytes {
		xLabel = "acknowledged MiB/s"
	}
	ch := resize(newChart("Latency against throughput",
		"each point is a step: its latency percentiles at the throughput it achieved; where the curves turn up is the knee",
		xLabel, "ms"), capacityW, capacityH)
	// Group steps into curves: one per ramp sweep point, else one.
	groups := map[string][]int{}
	var order []string
	for i := range r.Steps {
		g := ""
		if r.Steps[i].Ramp != nil {
			g = r.Steps[i].Ramp.Point
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range order {
		slices.SortStableFunc(groups[g], func(a, b int) int {
			return cmp.Compare(capacityX(&r.Steps[a], inBytes), capacityX(&r.Steps[b], inBytes))
		})
	}
	slos := sloLines(r)
	xhi, lo, hi := 0.0, math.Inf(1), 0.0
	for i := range r.Steps {
		s := &r.Steps[i]
		xhi = max(xhi, capacityX(s, inBytes))
		for _, c := range capacityCurves {
			l := s.Latency.Publish
			if c.hist == "end_to_end" {
				l = s.Latency.EndToEnd
			}
			if l.Count > 0 && c.value(l) > 0 {
				lo, hi = min(lo, c.value(l)), max(hi, c.value(l))
			}
		}
	}
	for _, s := range slos {
		lo, hi = min(lo, s.ms), max(hi, s.ms)
	}
	if xhi <= 0 || math.IsInf(lo, 1) {
		ch.Empty = "no throughput or latency recorded"
		return ch
	}
	xa, xt := linearAxis(0, xhi*1.05, float64(ch.Left), float64(ch.Right), fmtCount)
	ya, yt := logAxis(max(lo, 0.001), max(hi, 0.001), float64(ch.Bottom), float64(ch.Top))
	ch.XTicks, ch.YTicks = xt, yt
	for _, c := range capacityCurves {
		var pts []point
		any := false
		for gi, g := range order {
			if gi > 0 {
				pts = append(pts, point{}) // a gap between sweep points
			}
			for _, i := range groups[g] {
				s := &r.Steps[i]
				l := s.Latency.Publish
				if c.hist == "end_to_end" {
					l = s.Latency.EndToEnd
				}
				ok := l.Count > 0
				any = any || ok
				x := capacityX(s, inBytes)
				pts = append(pts, point{x, c.value(l), ok})
				if ok && c.pct == 99 {
					ch.Marks = append(ch.Marks, svgMark{X: fmtCoord(xa.pos(x)), Y: fmtCoord(ya.pos(max(c.value(l), ya.lo))), R: "3",
						Fill: c.color, Color: c.color, Title: fmt.Sprintf("step %s: %s %s ms at %s", stepLabel(s), c.name, fmtMs(c.value(l)), fmtCount(x))})
				}
			}
		}
		if !any {
			continue
		}
		se := newSeries(c.name, c.color, c.dash, pts, xa, ya)
		if c.pct == 99 {
			se.Width = "2.4"
		}
		ch.Series = append(ch.Series, se)
	}
	for _, s := range slos {
		ch.Series = append(ch.Series, newSeries(s.label, colorSLO, "4 3", []point{{xa.lo, s.ms, true}, {xa.hi, s.ms, true}}, xa, ya))
	}
	for _, l := range r.Limits {
		lx := l.MsgsPerSec
		if inBytes {
			lx = l.MiBPerSec
		}
		if !l.Found || lx <= 0 {
			continue
		}
		name := "limit " + l.Rate
		if l.Point != "" {
			name += " (" + l.Point + ")"
		}
		ch.Series = append(ch.Series, newSeries(name, colorLimit, "1 3", []point{{lx, ya.lo, true}, {lx, ya.hi, true}}, xa, ya))
		ch.Marks = append(ch.Marks, svgMark{X: fmtCoord(xa.pos(lx)), Y: fmtCoord(ya.pos(max(l.PublishP99Ms, ya.lo))), R: "5",
			Fill: colorLimit, Color: colorLimit, Title: fmt.Sprintf("%s: %s msgs/s at publish p99 %s ms", name, fmtRate(l.MsgsPerSec), fmtMs(l.PublishP99Ms))})
	}
	var flagged []string
	for i := range r.Steps {
		s := &r.Steps[i]
		bound := s.Generator != nil && s.Generator.Bottleneck
		if (!bound && !s.Partial) || s.Latency.Publish.Count == 0 {
			continue
		}
		why := "partial"
		if bound {
			why = "generator bound"
		}
		flagged = append(flagged, stepLabel(s)+" "+why)
		ch.Marks = append(ch.Marks, svgMark{X: fmtCoord(xa.pos(capacityX(s, inBytes))), Y: fmtCoord(ya.pos(max(s.Latency.Publish.P99Ms, ya.lo))), R: "7",
			Fill: "none", Color: colorBound, Title: "step " + stepLabel(s) + ": " + why})
	}
	if len(flagged) > 0 {
		ch.Caption += "; ringed in orange: " + strings.Join(flagged, ", ")
	}
	return ch
}
