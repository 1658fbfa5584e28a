package report

import (
	_ "embed"
	"html/template"
	"math"
	"strconv"
	"time"
)

// The broker part of the HTML report (see [HTML]): per step with broker
// metrics, three charts on the time axis of the client charts — broker CPU,
// network and throttle time per broker — and per source the per-broker
// table and utilisation lines of the terminal summary. Steps without
// broker metrics render as before.

// htmlBrokersSource is the "brokers" template, html_brokers.tmpl, added to
// the page template; its data is htmlStep.Brokers.
//
//go:embed html_brokers.tmpl
var htmlBrokersSource string

// htmlBrokersTemplate is the page template with the "brokers" block
// defined; [HTML] executes htmlTemplate, which then has it.
var htmlBrokersTemplate = template.Must(htmlTemplate.New("brokers").Parse(htmlBrokersSource))

// htmlBrokers is one source of a step's broker metrics on the page.
type htmlBrokers struct {
	Title  string
	Header []string
	Rows   [][]string
	Lines  []string
	Alert  bool // throttled or scrapes failed
}

// newHTMLBrokers returns the broker sections of s (nil without broker metrics).
func newHTMLBrokers(s *Step) []htmlBrokers {
	var out []htmlBrokers
	for _, ss := range summaries(s) {
		hb := htmlBrokers{Title: brokerSourceTitle(ss.m, ss.sum), Header: brokerTableHeader(),
			Lines: brokerLines(s, ss), Alert: ss.sum.Throttled || len(ss.m.Warnings) > 0}
		rows := brokerRows(ss.m)
		for _, r := range rows {
			hb.Rows = append(hb.Rows, brokerTableCells(r))
		}
		if len(rows) > 1 {
			hb.Rows = append(hb.Rows, brokerTotalsRow(rows))
		}
		out = append(out, hb)
	}
	return out
}

// brokerColors tell brokers apart in the broker charts.
var brokerColors = []string{"#1f62b4", "#e8730c", "#2a9d3a", "#c23b3b", "#7b4fb0", "#8c5a2b", "#d45fa8", "#6b6b6b"}

// brokerChartSpec says what a broker chart plots.
type brokerChartSpec struct {
	title, caption, yLabel, empty string
	// figures are plotted per broker (one dash style each), scaled by scale.
	figures []struct{ name, suffix, dash string }
	scale   float64
}

// brokerCharts returns the broker charts of s, nil when s has no broker
// metrics.
func brokerCharts(s *Step) []svgChart {
	if len(s.Brokers) == 0 {
		return nil
	}
	specs := []brokerChartSpec{
		{title: "Broker CPU", caption: "user + system CPU per broker and interval, on the time axis of the client charts",
			yLabel: "% CPU", empty: "no broker CPU figures in this step", scale: 100,
			figures: []struct{ name, suffix, dash string }{{"cpu_utilization", "", ""}}},
		{title: "Broker network", caption: "bytes per second sent (solid) and received (dashed) per broker",
			yLabel: "MiB/s", empty: "no broker network figures in this step", scale: 1.0 / MiB,
			figures: []struct{ name, suffix, dash string }{{"network_tx_bytes_per_sec", " tx", ""}, {"network_rx_bytes_per_sec", " rx", "5 3"}}},
		{title: "Broker throttle", caption: "produce (solid) and fetch (dashed) throttle time per broker: above 0 a quota held clients back " +
			"(from open monitoring's JMX exporter or CloudWatch PER_BROKER)",
			yLabel: "ms", empty: "no throttle figures in this step", scale: 1,
			figures: []struct{ name, suffix, dash string }{{"produce_throttle_time_ms", " produce", ""}, {"fetch_throttle_time_ms", " fetch", "5 3"}}},
	}
	out := make([]svgChart, 0, len(specs))
	for _, sp := range specs {
		out = append(out, brokerChart(s, sp))
	}
	out[0].NewRow = true
	return out
}

// brokerSource returns the source a chart of the figures takes its lines
// from: the first scraped source that measured any of them, else CloudWatch.
func brokerSource(s *Step, sp brokerChartSpec) *BrokerMetrics {
	var found *BrokerMetrics
	for i := range s.Brokers {
		m := &s.Brokers[i]
		for _, b := range m.Brokers {
			for j := range b.Samples {
				for _, f := range sp.figures {
					if b.Samples[j].BrokerFigure(f.name) != nil && (found == nil || found.Source == BrokerSourceCloudWatch) {
						found = m
					}
				}
			}
		}
	}
	return found
}

func brokerChart(s *Step, sp brokerChartSpec) svgChart {
	ch := newChart(sp.title, sp.caption, "", sp.yLabel)
	tl := s.Timeline
	m := brokerSource(s, sp)
	if len(tl) == 0 || m == nil {
		ch.Empty = sp.empty
		if len(tl) == 0 {
			ch.Empty = "no timeline recorded"
		}
		return ch
	}
	xa, xt, mids, bands, unit := timelineAxis(tl)
	ch.XTicks, ch.Bands, ch.XLabel = xt, bands, unit
	// xs of a sample: its midpoint on the timeline's clock, or (without
	// usable times) the interval it belongs to. A CloudWatch period is
	// longer than the step's intervals: it is drawn flat from its start to
	// its end, clipped to the axis.
	cloudWatch := m.Source == BrokerSourceCloudWatch
	elapsed := func(t time.Time) float64 { return tl[0].ElapsedSeconds + t.Sub(tl[0].End).Seconds() }
	xOf := func(smp *BrokerSample) []float64 {
		switch {
		case unit == "interval":
			var xs []float64
			for i, iv := range tl {
				// The interval of a scraped sample; every interval a
				// CloudWatch period overlaps.
				if iv.End.Equal(smp.End) || (cloudWatch && iv.Start.Before(smp.End) && iv.End.After(smp.Start)) {
					xs = append(xs, mids[i])
				}
			}
			return xs
		case cloudWatch:
			x0, x1 := max(elapsed(smp.Start), xa.lo), min(elapsed(smp.End), xa.hi)
			if x0 >= x1 {
				return nil
			}
			return []float64{x0, x1}
		}
		x := elapsed(smp.Start.Add(smp.End.Sub(smp.Start) / 2))
		if x < xa.lo || x > xa.hi {
			return nil
		}
		return []float64{x}
	}
	type line struct {
		name, color, dash string
		pts               []point
	}
	var lines []line
	top := 0.0
	for bi, b := range m.Brokers {
		for _, f := range sp.figures {
			l := line{name: "broker " + strconv.Itoa(int(b.ID)) + f.suffix, color: brokerColors[bi%len(brokerColors)], dash: f.dash}
			any := false
			for j := range b.Samples {
				smp := &b.Samples[j]
				v := smp.BrokerFigure(f.name)
				for _, x := range xOf(smp) {
					if v == nil {
						l.pts = append(l.pts, point{x, 0, false})
						continue
					}
					y := *v * sp.scale
					top, any = math.Max(top, y), true
					l.pts = append(l.pts, point{x, y, true})
				}
			}
			if any {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		ch.Empty = sp.empty
		ch.XTicks, ch.Bands = nil, nil
		return ch
	}
	if m.Source == BrokerSourceCloudWatch {
		ch.Caption += " (CloudWatch, one point per minute)"
	}
	hi := math.Max(top*1.05, 1e-9)
	if sp.scale == 100 {
		hi = math.Max(top, 100) // CPU: always the whole 0..100% range
	}
	ya, yt := linearAxis(0, hi, chartTop+plotH, chartTop, fmtCount)
	ch.YTicks = yt
	for _, l := range lines {
		ch.Series = append(ch.Series, newSeries(l.name, l.color, l.dash, l.pts, xa, ya))
	}
	return ch
}
