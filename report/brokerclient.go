package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// writeBrokerClient writes the per-broker client-side figures of the
// measured phase of s (Step.BrokerClient) and names the slowest broker.
func writeBrokerClient(b *strings.Builder, s *Step) {
	totals := BrokerClientTotals(s, PhaseMeasure)
	if len(totals) == 0 {
		return
	}
	fmt.Fprintf(b, "\nPer broker in step %s, as the clients saw it (measured phase):\n", stepLabel(s))
	t := table{header: []string{"  BROKER", "ADDRESS", "PRODUCE REQ/S", "PRODUCE MiB/S", "SERVICE MS", "FETCH MiB/S", "ERRORS"}}
	for _, x := range totals {
		id := strconv.Itoa(int(x.ID))
		if x.ID < 0 {
			id = "?"
		}
		svc := "-"
		if x.ProduceResponses > 0 {
			svc = strconv.FormatFloat(x.ProduceServiceTimeMeanMs, 'f', 2, 64)
		}
		t.rows = append(t.rows, []string{"  " + id, x.Host,
			ratePerSec(float64(x.ProduceRequests), x.Seconds, 0), ratePerSec(float64(x.ProduceBytes)/(1<<20), x.Seconds, 2),
			svc, ratePerSec(float64(x.FetchBytes)/(1<<20), x.Seconds, 2), strconv.FormatInt(x.Errors, 10)})
	}
	t.write(b)
	b.WriteString("  SERVICE = mean time from a produce request written to its response read (network, queueing,\n" +
		"  the broker's work and, with acks=all, replication); a broker leads the partitions it is sent.\n")
	if sl, median, ok := SlowestBroker(totals); ok {
		fmt.Fprintf(b, "  Slowest broker: %d (%s), %.2f ms per produce request against a median of %.2f ms", sl.ID, sl.Host, sl.ProduceServiceTimeMeanMs, median)
		if median > 0 {
			fmt.Fprintf(b, " (%.1f×)", sl.ProduceServiceTimeMeanMs/median)
		}
		b.WriteString(".\n")
	}
}

// ratePerSec formats v per second over secs with prec decimals ("-" without
// time).
func ratePerSec(v, secs float64, prec int) string {
	if secs <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v/secs, 'f', prec, 64)
}

// brokerClientChart charts the clients' mean produce service time per
// broker and interval (Step.BrokerClient) on the time axis of the client
// charts: a slow broker stands out as its own line. A sample is placed at
// the interval of the timeline it ends with (the engine samples both at
// the same instants).
func brokerClientChart(s *Step) svgChart {
	ch := newChart("Produce service time per broker",
		"mean time from a produce request written to its response read, per broker and interval, as the clients measured it",
		"", "ms")
	tl := s.Timeline
	if len(tl) == 0 {
		ch.Empty = "no timeline recorded"
		return ch
	}
	xa, xt, mids, bands, unit := timelineAxis(tl)
	ch.XTicks, ch.Bands, ch.XLabel = xt, bands, unit
	at := make(map[time.Time]int, len(tl))
	for i, iv := range tl {
		at[iv.End] = i
	}
	type line struct {
		name, color string
		pts         []point
	}
	var lines []line
	top := 0.0
	for bi, b := range s.BrokerClient {
		l := line{name: "broker " + strconv.Itoa(int(b.ID)), color: brokerColors[bi%len(brokerColors)]}
		for _, x := range b.Samples {
			i, ok := at[x.End]
			if !ok {
				continue
			}
			if x.ProduceResponses == 0 {
				l.pts = append(l.pts, point{mids[i], 0, false})
				continue
			}
			top = math.Max(top, x.ProduceServiceTimeMeanMs)
			l.pts = append(l.pts, point{mids[i], x.ProduceServiceTimeMeanMs, true})
		}
		if slices.ContainsFunc(l.pts, func(p point) bool { return p.ok }) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		ch.Empty = "no produce requests answered in this step"
		ch.XTicks, ch.Bands = nil, nil
		return ch
	}
	ya, yt := linearAxis(0, math.Max(top*1.05, 1e-9), chartTop+plotH, chartTop, fmtCount)
	ch.YTicks = yt
	for _, l := range lines {
		ch.Series = append(ch.Series, newSeries(l.name, l.color, "", l.pts, xa, ya))
	}
	return ch
}
