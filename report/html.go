package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HTML writes r as one self-contained HTML page to w: the run header (with
// [EmbeddedNote] in a banner for embedded runs and a banner for partial
// runs), the summary table of [Summary], run warnings, checks, ramp limits
// and, per step, its latency quantiles, counters, errors, remarks and three
// inline SVG charts drawn without JavaScript:
//
//   - throughput over time: acknowledged (and consumed) msgs/s per interval
//     of the measure and drain phases, with the offered rate dashed;
//   - latency over time: publish and end-to-end p50 and p99 per interval
//     (ms, log scale);
//   - latency by percentile: publish, service and end-to-end latency from the
//     step's histograms, x = percentile on the log scale 1/(1−p) from 0 to
//     99.999%, y = ms (log scale). Publish above service shows coordinated
//     omission: time messages waited before they could be sent.
//
// The page loads nothing (no scripts, fonts or links) and works offline.
// Every string of r is escaped by html/template. The output depends only on
// r (times in UTC, maps in key order), so the same result always renders to
// the same bytes. A histogram that cannot be decoded is noted on the page
// instead of failing the render; the error returned is a write error.
func HTML(w io.Writer, r *Result) error {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, newHTMLPage(r)); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// htmlPage is the data of the page template.
type htmlPage struct {
	Title       string
	Scenario    string
	Description string
	Note        string
	Embedded    bool
	Partial     bool
	Meta        []htmlPair
	Labels      []htmlPair
	Header      []string
	Rows        []htmlRow
	Warnings    []string
	Checks      []htmlCheck
	Ramp        string
	Capacity    *capacityView
	Steps       []htmlStep
	Source      string
	Spec        string
}

type htmlPair struct{ Key, Value string }

type htmlRow struct {
	ID      string
	Cells   []string
	Partial bool
}

type htmlCheck struct {
	Passed                        bool
	Expr, Step, Observed, Details string
}

type htmlStep struct {
	ID, Label      string
	Partial        bool
	Meta           []htmlPair
	LatencyHeader  []string
	Latency        []htmlRow
	Counters       []htmlPair
	Errors         []htmlPair
	ResponseErrors []htmlPair
	Remarks        string
	Alert          bool
	Warnings       []string
	Charts         []svgChart
	Plan           string
}

func newHTMLPage(r *Result) htmlPage {
	tool := r.Tool.Name
	if tool == "" {
		tool = "mskbench"
	}
	p := htmlPage{
		Title:       tool + " report: " + orDash(r.Scenario.Name),
		Scenario:    orDash(r.Scenario.Name),
		Description: r.Scenario.Description,
		Embedded:    r.Embedded,
		Partial:     r.Partial,
		Note:        r.Note,
		Warnings:    r.Warnings,
		Source:      r.Scenario.Source,
		Spec:        indentJSON(r.Scenario.Spec),
	}
	if r.Embedded && p.Note == "" {
		p.Note = EmbeddedNote
	}
	if r.Tool.Version != "" {
		tool += " " + r.Tool.Version
	}
	if r.Tool.Commit != "" {
		tool += " (" + r.Tool.Commit + ")"
	}
	took := "-"
	if !r.Started.IsZero() && r.Ended.After(r.Started) {
		took = r.Ended.Sub(r.Started).Round(time.Second).String()
	}
	p.Meta = []htmlPair{
		{"tool", tool},
		{"host", orDash(r.Host)},
		{"started", fmtTime(r.Started)},
		{"ended", fmtTime(r.Ended)},
		{"took", took},
		{"load generator", fmt.Sprintf("%s, GOMAXPROCS %d, %d CPUs", orDash(r.GoVersion), r.GOMAXPROCS, r.NumCPU)},
	}
	if c := r.Connection; c.Mechanism != "" || len(c.Brokers) > 0 {
		conn := orDash(c.Mechanism)
		if c.Region != "" {
			conn += " (" + c.Region + ")"
		}
		conn += fmt.Sprintf(", %d dials, %d reconnects", c.Dials, c.Reconnects)
		if len(c.Brokers) > 0 {
			conn += ", brokers " + strings.Join(c.Brokers, " ")
		}
		p.Meta = append(p.Meta, htmlPair{"connection", conn})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		p.Labels = append(p.Labels, htmlPair{k, r.Labels[k]})
	}

	p.Header = []string{"step", "offered msgs/s", "acked msgs/s", "MiB/s", "pub p50", "pub p99", "pub p99.9", "pub max", "svc p99", "e2e p50", "e2e p99", "acked", "consumed", "failed", "behind"}
	for i := range r.Steps {
		s := &r.Steps[i]
		p.Rows = append(p.Rows, htmlRow{ID: htmlStepID(i), Partial: s.Partial, Cells: summaryRow(s)})
		p.Steps = append(p.Steps, newHTMLStep(i, s))
	}
	for _, c := range r.Checks {
		step := strconv.Itoa(c.Step)
		if c.Step >= 0 && c.Step < len(r.Steps) {
			step = stepLabel(&r.Steps[c.Step])
		}
		p.Checks = append(p.Checks, htmlCheck{Passed: c.Passed, Expr: c.Expr, Step: step,
			Observed: strconv.FormatFloat(c.Observed, 'g', 6, 64), Details: c.Detail})
	}
	var ramp strings.Builder
	writeRamp(&ramp, r)
	p.Ramp = strings.TrimSpace(ramp.String())
	p.Capacity = newCapacityView(r)
	return p
}

func htmlStepID(i int) string { return "step-" + strconv.Itoa(i) }

func newHTMLStep(i int, s *Step) htmlStep {
	hs := htmlStep{ID: htmlStepID(i), Label: stepLabel(s), Partial: s.Partial, Warnings: s.Warnings}
	if len(s.Params) > 0 {
		hs.Meta = append(hs.Meta, htmlPair{"params", strings.ReplaceAll(joinPairs(s.Params), ";", ", ")})
	}
	if len(s.Topics) > 0 {
		hs.Meta = append(hs.Meta, htmlPair{"topics", strings.Join(s.Topics, ", ")})
	}
	hs.Meta = append(hs.Meta,
		htmlPair{"measured", fmtTime(s.MeasureStart) + " … " + fmtTime(s.MeasureEnd) + " (" + strconv.FormatFloat(s.MeasuredSeconds, 'f', 1, 64) + " s)"},
		htmlPair{"consumer groups", strconv.Itoa(s.ConsumerGroups)},
	)

	hs.LatencyHeader = []string{"latency (ms)", "count", "p50", "p90", "p95", "p99", "p99.9", "p99.99", "max", "mean"}
	for _, l := range []struct {
		name string
		s    LatencySummary
	}{
		{"publish (ack − intended send)", s.Latency.Publish},
		{"service (ack − actual send)", s.Latency.Service},
		{"send delay (actual − intended send)", s.Latency.SendDelay},
		{"end-to-end (consume − intended send)", s.Latency.EndToEnd},
	} {
		row := htmlRow{Cells: []string{l.name, strconv.FormatInt(l.s.Count, 10)}}
		for _, v := range []float64{l.s.P50Ms, l.s.P90Ms, l.s.P95Ms, l.s.P99Ms, l.s.P999Ms, l.s.P9999Ms, l.s.MaxMs, l.s.MeanMs} {
			row.Cells = append(row.Cells, fmtLat(l.s, v))
		}
		hs.Latency = append(hs.Latency, row)
	}

	c, tp := s.Counters, s.Throughput
	hs.Counters = []htmlPair{
		{"offered", strconv.FormatInt(c.Offered, 10)},
		{"sent", strconv.FormatInt(c.Sent, 10)},
		{"acked", strconv.FormatInt(c.Acked, 10)},
		{"failed", strconv.FormatInt(c.Failed, 10)},
		{"consumed", strconv.FormatInt(c.Consumed, 10)},
		{"lag", strconv.FormatInt(c.Lag, 10)},
		{"behind schedule", strconv.FormatInt(c.BehindSchedule, 10)},
		{"acked MiB/s", strconv.FormatFloat(tp.MiBPerSec, 'f', 2, 64)},
		{"consumed msgs/s", fmtRate(tp.ConsumedMsgsPerSec)},
		{"consumed MiB/s", strconv.FormatFloat(tp.ConsumedMiBPerSec, 'f', 2, 64)},
	}
	hs.Errors = htmlCounts(s.Errors)
	hs.ResponseErrors = htmlCounts(s.ResponseErrors)

	var b strings.Builder
	writeGenerator(&b, s)
	writeVerification(&b, s)
	if c.Lag > 0 {
		fmt.Fprintf(&b, "\n%d messages not consumed by the end of the drain phase (lag).\n", c.Lag)
	}
	if c.Clamped > 0 {
		fmt.Fprintf(&b, "\n%d latency values outside 0..60 s were clamped.\n", c.Clamped)
	}
	hs.Remarks = strings.TrimSpace(b.String())
	hs.Alert = (s.Generator != nil && s.Generator.Bottleneck) || s.Verification.Problems() > 0 || c.Lag > 0

	hs.Charts = []svgChart{throughputChart(s), latencyTimelineChart(s), percentileChart(s)}
	hs.Plan = indentJSON(s.Plan)
	return hs
}

// indentJSON returns raw indented for reading, or as it is when it is not
// valid JSON.
func indentJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// htmlCounts returns label counts most frequent first, ties by label.
func htmlCounts(m map[string]int64) []htmlPair {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(x, y string) int { return cmpInt64(m[y], m[x]) })
	var out []htmlPair
	for _, k := range keys {
		out = append(out, htmlPair{k, strconv.FormatInt(m[k], 10)})
	}
	return out
}

// Chart geometry in SVG user units.
const (
	chartW      = 460
	chartH      = 250
	chartLeft   = 58
	chartRight  = 28 // room for the last x tick label
	chartTop    = 12
	chartBottom = 40
	plotW       = chartW - chartLeft - chartRight
	plotH       = chartH - chartTop - chartBottom
)

// Series colours: one hue per latency, shared by every chart.
const (
	colorPublish  = "#1f62b4"
	colorService  = "#e8730c"
	colorEndToEnd = "#2a9d3a"
	colorOffered  = "#777777"
)

// svgChart is the template data of one chart. Coordinates are formatted
// strings so the output does not depend on the template's float printing.
type svgChart struct {
	Title, Caption string
	W, H           int
	Left, Top      int
	PW, PH         int
	Bottom         int // y of the x axis
	Right          int // x of the right edge of the plot
	MidX, MidY     int // centre of the plot
	XLabel, YLabel string
	XTicks, YTicks []svgTick
	Bands          []svgBand
	Series         []svgSeries
	Marks          []svgMark
	Empty          string
}

type svgTick struct {
	Pos, Label string
}

type svgBand struct {
	X, W, Label string
}

type svgSeries struct {
	Name, Color, Dash string
	Width             string   // stroke width
	Lines             []string // polyline point lists; a gap splits the series
	Dots              []svgDot // single points that have no neighbours
}

type svgDot struct{ X, Y string }

func newChart(title, caption, xLabel, yLabel string) svgChart {
	return svgChart{Title: title, Caption: caption, W: chartW, H: chartH, Left: chartLeft, Top: chartTop,
		PW: plotW, PH: plotH, Bottom: chartTop + plotH, Right: chartLeft + plotW,
		MidX: chartLeft + plotW/2, MidY: chartTop + plotH/2, XLabel: xLabel, YLabel: yLabel}
}

// axis maps data values to SVG coordinates: lo → from, hi → to, linearly
// or on a log10 scale.
type axis struct {
	lo, hi   float64
	from, to float64
	log      bool
}

func (a axis) pos(v float64) float64 {
	lo, hi := a.lo, a.hi
	if a.log {
		v = math.Log10(max(v, lo))
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	if hi <= lo {
		return a.from
	}
	return a.from + (v-lo)/(hi-lo)*(a.to-a.from)
}

func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// linearAxis returns an axis from lo to hi widened to whole multiples of a
// 1-2-5 step giving about five ticks, and those ticks.
func linearAxis(lo, hi, from, to float64, label func(float64) string) (axis, []svgTick) {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	a := axis{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step, from: from, to: to}
	var ticks []svgTick
	for i := 0; ; i++ {
		v := a.lo + float64(i)*step
		if v > a.hi+step/2 {
			break
		}
		ticks = append(ticks, svgTick{Pos: fmtCoord(a.pos(v)), Label: label(v)})
	}
	return a, ticks
}

// logAxis returns a log10 axis over whole decades covering lo..hi (lo > 0)
// with a tick per decade, and at 2 and 5 too when it spans few decades.
func logAxis(lo, hi, from, to float64) (axis, []svgTick) {
	dlo := math.Floor(math.Log10(lo))
	dhi := math.Ceil(math.Log10(hi))
	if dhi <= dlo {
		dhi = dlo + 1
	}
	a := axis{lo: math.Pow(10, dlo), hi: math.Pow(10, dhi), from: from, to: to, log: true}
	mults := []float64{1}
	if dhi-dlo <= 2 {
		mults = []float64{1, 2, 5}
	}
	var ticks []svgTick
	for d := dlo; d <= dhi; d++ {
		for _, m := range mults {
			v := m * math.Pow(10, d)
			if v > a.hi*1.0001 {
				break
			}
			ticks = append(ticks, svgTick{Pos: fmtCoord(a.pos(v)), Label: strconv.FormatFloat(roundMs(v), 'g', -1, 64)})
		}
	}
	return a, ticks
}

// fmtCount formats a tick value compactly: 1500 → "1.5k", 2000000 → "2M".
func fmtCount(v float64) string {
	switch {
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case math.Abs(v) >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// point is one data point before scaling; ok false marks a gap.
type point struct {
	x, y float64
	ok   bool
}

func newSeries(name, color, dash string, pts []point, xa, ya axis) svgSeries {
	s := svgSeries{Name: name, Color: color, Dash: dash, Width: "1.6"}
	var cur []string
	flush := func() {
		switch len(cur) {
		case 0:
		case 1:
			xy := strings.Split(cur[0], ",")
			s.Dots = append(s.Dots, svgDot{X: xy[0], Y: xy[1]})
		default:
			s.Lines = append(s.Lines, strings.Join(cur, " "))
		}
		cur = nil
	}
	for _, p := range pts {
		if !p.ok {
			flush()
			continue
		}
		cur = append(cur, fmtCoord(xa.pos(p.x))+","+fmtCoord(ya.pos(p.y)))
	}
	flush()
	return s
}

// timelineX returns, per interval of the step's timeline, its start and end
// in seconds since the step started (from ElapsedSeconds), or interval
// numbers when the timeline carries no usable times.
func timelineX(tl []Interval) (starts, ends []float64, unit string) {
	usable := true
	prev := math.Inf(-1)
	for _, iv := range tl {
		d := iv.End.Sub(iv.Start).Seconds()
		if d <= 0 || iv.ElapsedSeconds-d < prev-1e-9 {
			usable = false
			break
		}
		prev = iv.ElapsedSeconds
	}
	for i, iv := range tl {
		if usable {
			ends = append(ends, iv.ElapsedSeconds)
			starts = append(starts, iv.ElapsedSeconds-iv.End.Sub(iv.Start).Seconds())
		} else {
			starts = append(starts, float64(i))
			ends = append(ends, float64(i+1))
		}
	}
	if usable {
		return starts, ends, "seconds since the step started"
	}
	return starts, ends, "interval"
}

// timelineAxis returns the x axis of a timeline chart and the shaded bands
// of its drain intervals.
func timelineAxis(tl []Interval) (axis, []svgTick, []float64, []svgBand, string) {
	starts, ends, unit := timelineX(tl)
	xa, xt := linearAxis(starts[0], ends[len(ends)-1], chartLeft, chartLeft+plotW, fmtCount)
	mids := make([]float64, len(tl))
	var bands []svgBand
	for i, iv := range tl {
		mids[i] = (starts[i] + ends[i]) / 2
		if iv.Phase == PhaseDrain {
			x0, x1 := xa.pos(starts[i]), xa.pos(ends[i])
			label := ""
			if i == 0 || tl[i-1].Phase != PhaseDrain {
				label = "drain"
			}
			bands = append(bands, svgBand{X: fmtCoord(x0), W: fmtCoord(x1 - x0), Label: label})
		}
	}
	return xa, xt, mids, bands, unit
}

func throughputChart(s *Step) svgChart {
	ch := newChart("Throughput", "acknowledged and consumed messages per second, per interval", "", "msgs/s")
	tl := s.Timeline
	if len(tl) == 0 {
		ch.Empty = "no timeline recorded"
		return ch
	}
	xa, xt, mids, bands, unit := timelineAxis(tl)
	ch.XTicks, ch.Bands, ch.XLabel = xt, bands, unit
	top := s.Throughput.OfferedMsgsPerSec
	consumed := false
	for _, iv := range tl {
		top = max(top, iv.MsgsPerSec, iv.ConsumedMsgsPerSec)
		consumed = consumed || iv.Consumed > 0
	}
	// Headroom keeps a flat line at the offered rate off the frame.
	ya, yt := linearAxis(0, top*1.05, chartTop+plotH, chartTop, fmtCount)
	ch.YTicks = yt
	acked := make([]point, len(tl))
	cons := make([]point, len(tl))
	for i, iv := range tl {
		// The drain phase is shaded and labelled: producers have stopped,
		// so its acks are not a throughput collapse and are not drawn.
		measured := iv.Phase != PhaseDrain
		acked[i] = point{mids[i], iv.MsgsPerSec, measured}
		cons[i] = point{mids[i], iv.ConsumedMsgsPerSec, measured}
	}
	if s.Counters.Offered > 0 {
		o := s.Throughput.OfferedMsgsPerSec
		ch.Series = append(ch.Series, newSeries("offered (measure phase)", colorOffered, "6 4",
			[]point{{xa.lo, o, true}, {xa.hi, o, true}}, xa, ya))
	}
	ch.Series = append(ch.Series, newSeries("acked", colorPublish, "", acked, xa, ya))
	if consumed {
		ch.Series = append(ch.Series, newSeries("consumed (all groups)", colorEndToEnd, "", cons, xa, ya))
	}
	return ch
}

func latencyTimelineChart(s *Step) svgChart {
	ch := newChart("Latency over time", "p50 and p99 per interval (log scale)", "", "ms")
	tl := s.Timeline
	if len(tl) == 0 {
		ch.Empty = "no timeline recorded"
		return ch
	}
	xa, xt, mids, bands, unit := timelineAxis(tl)
	ch.XTicks, ch.Bands, ch.XLabel = xt, bands, unit
	type line struct {
		name, color, dash string
		v                 func(Interval) (float64, bool)
	}
	lines := []line{
		{"publish p50", colorPublish, "", func(iv Interval) (float64, bool) { return iv.PublishP50Ms, iv.Acked > 0 }},
		{"publish p99", colorPublish, "5 3", func(iv Interval) (float64, bool) { return iv.PublishP99Ms, iv.Acked > 0 }},
		{"end-to-end p50", colorEndToEnd, "", func(iv Interval) (float64, bool) { return iv.EndToEndP50Ms, iv.Consumed > 0 }},
		{"end-to-end p99", colorEndToEnd, "5 3", func(iv Interval) (float64, bool) { return iv.EndToEndP99Ms, iv.Consumed > 0 }},
	}
	lo, hi := math.Inf(1), 0.0
	pts := make([][]point, len(lines))
	for li, l := range lines {
		for i, iv := range tl {
			v, ok := l.v(iv)
			pts[li] = append(pts[li], point{mids[i], v, ok})
			if ok {
				if v > 0 {
					lo = min(lo, v)
				}
				hi = max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) && hi == 0 && !slices.ContainsFunc(tl, func(iv Interval) bool { return iv.Acked > 0 || iv.Consumed > 0 }) {
		ch.Empty = "no latencies recorded"
		ch.XTicks, ch.Bands = nil, nil
		return ch
	}
	if math.IsInf(lo, 1) {
		lo = hi
	}
	ya, yt := logAxis(max(lo, 0.001), max(hi, 0.001), chartTop+plotH, chartTop)
	ch.YTicks = yt
	for li, l := range lines {
		if slices.ContainsFunc(pts[li], func(p point) bool { return p.ok }) {
			ch.Series = append(ch.Series, newSeries(l.name, l.color, l.dash, pts[li], xa, ya))
		}
	}
	return ch
}

// percentileTicks are the x ticks of the percentile chart: x = log10(1/(1−p)).
var percentileTicks = []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}

// percentileMaxX is the right end of the percentile axis: 99.999%.
const percentileMaxX = 5

func percentileChart(s *Step) svgChart {
	ch := newChart("Latency by percentile",
		"from the step's histograms; publish above service = time spent waiting to be sent (coordinated omission)",
		"percentile", "ms")
	type curve struct {
		name, hist, color string
	}
	curves := []curve{
		{"publish", "publish", colorPublish},
		{"service", "service", colorService},
		{"end-to-end", "end_to_end", colorEndToEnd},
	}
	lo, hi := math.Inf(1), 0.0
	var names []string
	var pts [][]point
	var problems []string
	for _, c := range curves {
		h, err := s.Histogram(c.hist)
		if err != nil {
			problems = append(problems, c.name+" histogram unreadable: "+err.Error())
			continue
		}
		n := h.Count()
		if n == 0 {
			continue
		}
		// Beyond 1/(1−p) = n the histogram holds no more information.
		xEnd := min(percentileMaxX, math.Log10(float64(n)))
		var ps []point
		for i := 0; ; i++ {
			x := min(float64(i)*0.05, xEnd)
			q := max(1-math.Pow(10, -x), 1/float64(n))
			v := usToMs(h.Percentile(100 * q))
			ps = append(ps, point{x, v, true})
			if x >= xEnd {
				break
			}
		}
		ps = append(ps, point{xEnd, usToMs(h.Max()), true})
		for _, p := range ps {
			if p.y > 0 {
				lo = min(lo, p.y)
			}
			hi = max(hi, p.y)
		}
		names = append(names, c.name)
		pts = append(pts, ps)
	}
	if len(pts) == 0 {
		ch.Empty = "no latency histograms recorded"
		if len(problems) > 0 {
			ch.Empty = strings.Join(problems, "; ")
		}
		return ch
	}
	if len(problems) > 0 {
		ch.Caption += "; " + strings.Join(problems, "; ")
	}
	if math.IsInf(lo, 1) {
		lo = hi
	}
	hi = max(hi, 0.001)
	xa := axis{lo: 0, hi: percentileMaxX, from: chartLeft, to: chartLeft + plotW}
	for i, l := range percentileTicks {
		ch.XTicks = append(ch.XTicks, svgTick{Pos: fmtCoord(xa.pos(float64(i))), Label: l})
	}
	ya, yt := logAxis(max(lo, 0.001), hi, chartTop+plotH, chartTop)
	ch.YTicks = yt
	for i, name := range names {
		var color string
		for _, c := range curves {
			if c.name == name {
				color = c.color
			}
		}
		s := newSeries(name, color, "", pts[i], xa, ya)
		if name == "publish" {
			// Drawn first and wider, so it shows around service time
			// where the two coincide (no coordinated omission).
			s.Width = "3.2"
		}
		ch.Series = append(ch.Series, s)
	}
	return ch
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{template "style"}}</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{with .Description}}<p class="desc">{{.}}</p>{{end}}
{{if .Embedded}}<div class="banner embedded" role="alert">{{.Note}}</div>{{end}}
{{if .Partial}}<div class="banner partial" role="alert">PARTIAL: the run was interrupted; results cover what was measured until then.</div>{{end}}
<dl class="meta">
{{range .Meta}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{end}}{{if .Labels}}<dt>labels</dt><dd>{{range $i, $l := .Labels}}{{if $i}}, {{end}}{{$l.Key}}={{$l.Value}}{{end}}</dd>
{{end}}{{if and .Note (not .Embedded)}}<dt>note</dt><dd>{{.Note}}</dd>
{{end}}</dl>

<h2>Summary</h2>
{{if .Rows}}<div class="wrap"><table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}{{$r := .}}<tr{{if .Partial}} class="partial"{{end}}>{{range $i, $c := .Cells}}{{if $i}}<td>{{$c}}</td>{{else}}<td><a href="#{{$r.ID}}">{{$c}}</a></td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table></div>
<p class="note">Latencies in ms. pub = ack − intended send (the number to quote), svc = ack − actual send, e2e = consume − intended send. Rates over the measured phase; MiB = 2^20 bytes.</p>
{{else}}<p>No steps were measured.</p>
{{end}}
{{with .Warnings}}<h2>Warnings</h2>
<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}
{{with .Checks}}<h2>Checks</h2>
<table class="fit">
<thead><tr><th>verdict</th><th>check</th><th>step</th><th>observed</th><th class="text">detail</th></tr></thead>
<tbody>
{{range .}}<tr><td class="{{if .Passed}}pass{{else}}fail{{end}}">{{if .Passed}}pass{{else}}FAIL{{end}}</td><td>{{.Expr}}</td><td>{{.Step}}</td><td>{{.Observed}}</td><td class="text">{{.Details}}</td></tr>
{{end}}</tbody>
</table>
{{end}}
{{with .Capacity}}<h2>Capacity</h2>
{{with .Precondition}}<p>{{.}}</p>
{{end}}{{with .Chart}}<div class="charts">{{template "chart" .}}</div>
{{end}}{{if .RampRows}}<h3>Ramp steps</h3>
<table class="fit">
<thead><tr>{{range $i, $h := .RampHeader}}<th{{if eq $i 7}} class="text"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range .RampRows}}{{$r := .}}<tr>{{range $i, $c := .Cells}}{{if eq $i 0}}<td><a href="#{{$r.ID}}">{{$c}}</a></td>{{else if eq $i 6}}<td class="{{if $r.Partial}}fail{{else}}pass{{end}}">{{$c}}</td>{{else if eq $i 7}}<td class="text">{{$c}}</td>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{if .LimitRows}}<h3>Max sustainable throughput{{with .Criteria}} ({{.}}){{end}}</h3>
<table class="fit">
<thead><tr>{{range $i, $h := .LimitHeader}}<th{{if eq $i 5}} class="text"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range .LimitRows}}<tr>{{range $i, $c := .Cells}}{{if eq $i 5}}<td class="text">{{$c}}</td>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}
{{range .Steps}}
<h2 id="{{.ID}}">Step {{.Label}}{{if .Partial}} (partial){{end}}</h2>
<dl class="meta">
{{range .Meta}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{end}}</dl>
<div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}</div>
<h3>Latency</h3>
<div class="wrap"><table>
<thead><tr>{{range .LatencyHeader}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Latency}}<tr>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
<h3>Counters</h3>
<div class="counters">{{range .Counters}}<span>{{.Key}} <b>{{.Value}}</b></span>{{end}}</div>
{{with .Errors}}<h3>Failed messages by error</h3>
<table><tbody>{{range .}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</tbody></table>
{{end}}{{with .ResponseErrors}}<h3>Error responses (every failed attempt, retried or not)</h3>
<table><tbody>{{range .}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</tbody></table>
{{end}}{{if .Remarks}}<h3>Load generator and delivery</h3>
<pre{{if .Alert}} class="alert"{{end}}>{{.Remarks}}</pre>
{{end}}{{with .Warnings}}<h3>Warnings</h3>
<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{with .Plan}}<details><summary>effective client settings (plan)</summary><pre>{{.}}</pre></details>
{{end}}{{end}}
{{if or .Source .Spec}}<h2>Scenario as run</h2>
{{with .Source}}<details><summary>scenario source</summary><pre>{{.}}</pre></details>
{{end}}{{with .Spec}}<details><summary>validated scenario (JSON)</summary><pre>{{.}}</pre></details>
{{end}}{{end}}
</body>
</html>
{{define "style"}}body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0 auto;padding:16px 24px;max-width:1440px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.desc{color:#555;margin:0 0 8px}
.banner{padding:10px 14px;margin:10px 0;border-radius:4px;font-weight:600}
.embedded{background:#fff4ce;border:1px solid #e0b000}.partial{background:#fde2e1;border:1px solid #d33}
.alert{background:#fde2e1;border:1px solid #d33;border-radius:4px;padding:8px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}dl.meta dt{color:#666}dl.meta dd{margin:0}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
td.text,th.text{overflow-wrap:anywhere;text-align:left;min-width:12em}
table{max-width:100%}
th{background:#f4f4f4;font-weight:600}td:first-child,th:first-child{text-align:left}
tr.partial td:first-child{color:#c00}
td.pass{color:#17803d;font-weight:600}td.fail{color:#c00;font-weight:700}
.wrap{overflow-x:auto}
pre{background:#f7f7f7;border:1px solid #e4e4e4;padding:8px;overflow-x:auto;margin:6px 0}
.counters{display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0}.counters span b{font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0;border:1px solid #e4e4e4;border-radius:4px;padding:6px}
figcaption{font-size:12px;color:#555;max-width:460px}
figcaption b{font-size:14px;color:#222;display:block}
.legend{list-style:none;padding:0;margin:2px 0 0;font-size:12px;display:flex;flex-wrap:wrap;gap:2px 12px}
svg text{font:11px system-ui,sans-serif;fill:#444}svg text.band{fill:#888}
.note{color:#555;font-size:12px}
{{end}}{{define "chart"}}{{$c := .}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}">
<title>{{.Title}}</title>
<rect x="{{.Left}}" y="{{.Top}}" width="{{.PW}}" height="{{.PH}}" fill="#fff" stroke="#bbb"/>
{{if .Empty}}<text x="{{.Left}}" y="{{.Top}}" dx="12" dy="24">{{.Empty}}</text>
{{else}}{{range .Bands}}<rect x="{{.X}}" y="{{$c.Top}}" width="{{.W}}" height="{{$c.PH}}" fill="#ececec"/>{{if .Label}}<text x="{{.X}}" y="{{$c.Top}}" dx="3" dy="11" class="band">{{.Label}}</text>{{end}}
{{end}}{{range .YTicks}}<line x1="{{$c.Left}}" x2="{{$c.Right}}" y1="{{.Pos}}" y2="{{.Pos}}" stroke="#e2e2e2"/><text x="{{$c.Left}}" y="{{.Pos}}" dx="-4" dy="4" text-anchor="end">{{.Label}}</text>
{{end}}{{range .XTicks}}<line x1="{{.Pos}}" x2="{{.Pos}}" y1="{{$c.Top}}" y2="{{$c.Bottom}}" stroke="#e2e2e2"/><text x="{{.Pos}}" y="{{$c.Bottom}}" dy="14" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Series}}{{$s := .}}{{range .Lines}}<polyline points="{{.}}" fill="none" stroke="{{$s.Color}}" stroke-width="{{$s.Width}}"{{with $s.Dash}} stroke-dasharray="{{.}}"{{end}}/>
{{end}}{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="2.5" fill="{{$s.Color}}"/>
{{end}}{{end}}{{range .Marks}}<circle cx="{{.X}}" cy="{{.Y}}" r="{{.R}}" fill="{{.Fill}}" stroke="{{.Color}}" stroke-width="2"><title>{{.Title}}</title></circle>
{{end}}<text x="{{.MidX}}" y="{{.H}}" dy="-6" text-anchor="middle">{{.XLabel}}</text>
<text transform="translate(14 {{.MidY}}) rotate(-90)" text-anchor="middle">{{.YLabel}}</text>
{{end}}</svg>
<figcaption><b>{{.Title}}</b>{{.Caption}}
{{with .Series}}<ul class="legend">{{range .}}<li><svg width="22" height="8" aria-hidden="true"><line x1="0" x2="22" y1="4" y2="4" stroke="{{.Color}}" stroke-width="2"{{with .Dash}} stroke-dasharray="{{.}}"{{end}}/></svg> {{.Name}}</li>{{end}}</ul>{{end}}
</figcaption>
</figure>
{{end}}`))
