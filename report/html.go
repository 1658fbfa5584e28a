package report

import (
	"bytes"
	_ "embed"
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
//     omission: time messages waited before they could be sent;
//
// and, for a step with broker metrics, broker CPU, network and throttle
// time per broker on the same time axis, and a table per broker
// (html_brokers.go).
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
	Brokers        []htmlBrokers // html_brokers.go
	Plan           string
}

func newHTMLPage(r *Result) htmlPage {
	sc, steps := redactScenario(r.Scenario, r.Steps)
	rr := *r
	rr.Scenario, rr.Steps = sc, steps
	r = &rr
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

	for _, c := range summaryColumns {
		p.Header = append(p.Header, c.html)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		p.Rows = append(p.Rows, htmlRow{ID: htmlStepID(i), Partial: s.Partial, Cells: summaryRow(s)})
		for _, w := range workloadRows(s) {
			p.Rows = append(p.Rows, htmlRow{ID: htmlStepID(i), Partial: s.Partial, Cells: summaryRow(&w)})
		}
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

	hs.LatencyHeader = []string{"latency (ms)", "count"}
	for _, st := range latencyStats {
		hs.LatencyHeader = append(hs.LatencyHeader, st.title)
	}
	for _, k := range LatencyKinds {
		l := *k.Summary(&s.Latency)
		if k.Optional && l.Count == 0 {
			continue
		}
		row := htmlRow{Cells: []string{k.Display + " (" + k.Definition + ")", strconv.FormatInt(l.Count, 10)}}
		for _, st := range latencyStats {
			row.Cells = append(row.Cells, fmtLat(l, st.value(l)))
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
	hs.Charts = append(hs.Charts, brokerCharts(s)...) // under the client charts, same time axis
	if len(s.BrokerClient) > 0 {
		ch := brokerClientChart(s)
		ch.NewRow = len(s.Brokers) == 0
		hs.Charts = append(hs.Charts, ch)
	}
	hs.Brokers = newHTMLBrokers(s)
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
	NewRow         bool // starts a new row of charts (the broker charts)
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
		// 1 µs of slack: ElapsedSeconds was measured on the monotonic
		// clock, Start and End read back from a result file are wall times.
		if d <= 0 || iv.ElapsedSeconds-d < prev-1e-6 {
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
// of its drain and backlog intervals.
func timelineAxis(tl []Interval) (axis, []svgTick, []float64, []svgBand, string) {
	starts, ends, unit := timelineX(tl)
	xa, xt := linearAxis(starts[0], ends[len(ends)-1], chartLeft, chartLeft+plotW, fmtCount)
	mids := make([]float64, len(tl))
	var bands []svgBand
	for i, iv := range tl {
		mids[i] = (starts[i] + ends[i]) / 2
		if iv.Phase == PhaseDrain || iv.Phase == PhaseBacklog {
			x0, x1 := xa.pos(starts[i]), xa.pos(ends[i])
			label := ""
			if i == 0 || tl[i-1].Phase != iv.Phase {
				label = iv.Phase
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
	// The timeline keeps p50 and p99 of publish and end-to-end latency.
	pub, e2e := LatencyKinds[latPublish], LatencyKinds[latEndToEnd]
	lines := []line{
		{pub.Display + " p50", pub.Color, "", func(iv Interval) (float64, bool) { return iv.PublishP50Ms, iv.Acked > 0 }},
		{pub.Display + " p99", pub.Color, "5 3", func(iv Interval) (float64, bool) { return iv.PublishP99Ms, iv.Acked > 0 }},
		{e2e.Display + " p50", e2e.Color, "", func(iv Interval) (float64, bool) { return iv.EndToEndP50Ms, iv.Consumed > 0 }},
		{e2e.Display + " p99", e2e.Color, "5 3", func(iv Interval) (float64, bool) { return iv.EndToEndP99Ms, iv.Consumed > 0 }},
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
	lo, hi := math.Inf(1), 0.0
	var kinds []int // indexes into LatencyKinds of the curves drawn
	var pts [][]point
	var problems []string
	for i, k := range LatencyKinds {
		if k.Color == "" {
			continue
		}
		h, err := s.Histogram(k.Name)
		if err != nil {
			problems = append(problems, k.Display+" histogram unreadable: "+err.Error())
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
		kinds = append(kinds, i)
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
	for i, ki := range kinds {
		k := LatencyKinds[ki]
		s := newSeries(k.Display, k.Color, "", pts[i], xa, ya)
		if ki == latPublish {
			// Drawn first and wider, so it shows around service time
			// where the two coincide (no coordinated omission).
			s.Width = "3.2"
		}
		ch.Series = append(ch.Series, s)
	}
	return ch
}

// htmlSource is the page template, report/html.tmpl; htmlPage is its data.
//
//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))
