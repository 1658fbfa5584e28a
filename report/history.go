package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultHistoryWindow is how many earlier runs of the same scenario each
// run of a [History] is compared with.
const DefaultHistoryWindow = 7

// HistoryOptions tune [NewHistory].
type HistoryOptions struct {
	// StatOptions decide each run's verdict ([CompareRuns]).
	StatOptions
	// Window is the number of earlier runs of the same scenario a run is
	// compared with (0 means [DefaultHistoryWindow]).
	Window int
}

// History is the key metrics of a series of runs (nightly results) in
// start-time order, each run judged against the runs before it.
type History struct {
	Options HistoryOptions
	Runs    []HistoryRun
}

// HistoryRun is one run of a [History].
type HistoryRun struct {
	// Name is the file the run was read from.
	Name     string
	Started  time.Time
	Scenario string
	// Tool is the mskbench build, Labels the run's labels.
	Tool   string
	Labels map[string]string
	// Partial is true when the run was interrupted.
	Partial bool
	// Baselines is the number of earlier runs it was compared with (0 for
	// the first run of a scenario); Verdict is "-" (nothing to compare
	// with), "ok", "REGRESSION" or the reason it could not be compared.
	Baselines int
	Verdict   string
	// Steps are the run's steps in order.
	Steps []HistoryPoint
}

// HistoryPoint is the key metrics of one step of a run.
type HistoryPoint struct {
	Step string
	// Metrics by the names of [Step.Aggregates]: msgs_per_sec,
	// publish_p50_ms, publish_p99_ms, publish_p999_ms, end_to_end_p99_ms,
	// error_rate and cpu_utilization; a latency without samples and a CPU
	// figure of a step without generator figures are absent.
	Metrics map[string]float64
	// GeneratorBound, Partial and Throttled flag steps whose figures are
	// not the cluster's alone. Throttled (broker throttling) is false until
	// results record it.
	GeneratorBound, Partial, Throttled bool
	// Regressed names the metrics that regressed against the earlier runs.
	Regressed []string
}

// historyMetrics are the columns of the history, in order, with how they
// are shown.
var historyMetrics = []struct {
	name, label string
	hist        string
}{
	{"msgs_per_sec", "acked msgs/s", ""},
	{"publish_p50_ms", "publish p50 ms", "publish"},
	{"publish_p99_ms", "publish p99 ms", "publish"},
	{"publish_p999_ms", "publish p99.9 ms", "publish"},
	{"end_to_end_p99_ms", "end-to-end p99 ms", "end_to_end"},
	{"error_rate", "error rate", ""},
	{"cpu_utilization", "generator CPU", ""},
}

// NewHistory orders results by start time (then name) and judges each run
// against up to opts.Window earlier runs of the same scenario with
// [CompareRuns] (one earlier run: the relative threshold alone; several:
// the statistical verdict). names name the results (file names), in the
// order of results.
func NewHistory(results []*Result, names []string, opts HistoryOptions) *History {
	if opts.Window <= 0 {
		opts.Window = DefaultHistoryWindow
	}
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := results[a].Started.Compare(results[b].Started); c != 0 {
			return c
		}
		return cmp.Compare(names[a], names[b])
	})
	h := &History{Options: opts}
	var sorted []*Result
	for _, i := range idx {
		r := results[i]
		run := HistoryRun{Name: names[i], Started: r.Started, Scenario: r.Scenario.Name, Tool: describeTool(r), Labels: r.Labels, Partial: r.Partial, Verdict: "-"}
		for si := range r.Steps {
			s := &r.Steps[si]
			agg := stepAggregates(s)
			p := HistoryPoint{Step: stepLabel(s), Metrics: map[string]float64{}, Partial: s.Partial,
				GeneratorBound: s.Generator != nil && s.Generator.Bottleneck}
			for _, m := range historyMetrics {
				switch {
				case m.hist != "" && agg[m.hist+"_count"] == 0:
				case m.name == "cpu_utilization" && s.Generator == nil:
				default:
					p.Metrics[m.name] = agg[m.name]
				}
			}
			run.Steps = append(run.Steps, p)
		}
		var prev []*Result
		for j := len(sorted) - 1; j >= 0 && len(prev) < opts.Window; j-- {
			if sorted[j].Scenario.Name == r.Scenario.Name {
				prev = append([]*Result{sorted[j]}, prev...)
			}
		}
		if len(prev) > 0 {
			run.Baselines = len(prev)
			c, err := CompareRuns(prev, r, opts.StatOptions)
			switch {
			case err != nil:
				run.Verdict = "not comparable: " + err.Error()
			case c.Regressions() > 0:
				run.Verdict = "REGRESSION"
			default:
				run.Verdict = "ok"
			}
			if err == nil {
				for _, sc := range c.Steps {
					for _, m := range sc.Metrics {
						if m.Regression && sc.CurIndex < len(run.Steps) {
							p := &run.Steps[sc.CurIndex]
							p.Regressed = append(p.Regressed, m.Name)
						}
					}
				}
			}
		}
		sorted = append(sorted, r)
		h.Runs = append(h.Runs, run)
	}
	return h
}

// HistoryCSV writes one row per run and step: file, started (RFC 3339),
// scenario, tool, step, the key metrics (empty when absent), the flags
// generator_bound, partial and throttled, the number of baselines, the
// run's verdict and the regressed metrics (";"-separated).
func HistoryCSV(w io.Writer, h *History) error {
	cw := csv.NewWriter(w)
	header := []string{"file", "started", "scenario", "tool", "step"}
	for _, m := range historyMetrics {
		header = append(header, m.name)
	}
	header = append(header, "generator_bound", "partial", "throttled", "baselines", "verdict", "regressed")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write history csv: %w", err)
	}
	for _, run := range h.Runs {
		for _, p := range run.Steps {
			row := []string{run.Name, fmtTime(run.Started), run.Scenario, run.Tool, p.Step}
			for _, m := range historyMetrics {
				v, ok := p.Metrics[m.name]
				if ok {
					row = append(row, fmtFloat(v))
				} else {
					row = append(row, "")
				}
			}
			row = append(row, strconv.FormatBool(p.GeneratorBound), strconv.FormatBool(p.Partial || run.Partial), strconv.FormatBool(p.Throttled),
				strconv.Itoa(run.Baselines), run.Verdict, strings.Join(p.Regressed, ";"))
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write history csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write history csv: %w", err)
	}
	return nil
}

// historyPage is the data of the history page template.
type historyPage struct {
	Title, Method string
	Header        []string
	Rows          []historyRow
	Charts        []svgChart
}

type historyRow struct {
	Cells               []string
	Regression, Flagged bool
}

// Marker colours of the history charts.
const (
	colorRegression = "#c62828"
	colorPartial    = "#777777"
)

// HistoryHTML writes h as one self-contained HTML page (inline SVG, no
// scripts or external assets): a chart per key metric over the runs (x =
// run start time, one line per step label), with regressions as red dots,
// generator-bound steps ringed in orange and partial or throttled ones in
// grey; then a table of every run and step with its verdict.
func HistoryHTML(w io.Writer, h *History) error {
	p := historyPage{Title: "mskbench history"}
	scen := map[string]bool{}
	for _, r := range h.Runs {
		scen[r.Scenario] = true
	}
	if len(scen) == 1 {
		p.Title += ": " + orDash(h.Runs[0].Scenario)
	}
	o := h.Options
	p.Method = fmt.Sprintf("Each run is compared with up to %d earlier runs of its scenario: one earlier run by the relative threshold (worse than %s), several by the statistical test of mskbench compare (p < %s and worse than %s).",
		o.Window, fmtPercent(o.MaxRegression), strconv.FormatFloat(cmp.Or(o.Alpha, DefaultAlpha), 'g', -1, 64), fmtPercent(o.MaxRegression))
	p.Header = []string{"started", "scenario", "step"}
	for _, m := range historyMetrics {
		p.Header = append(p.Header, m.label)
	}
	p.Header = append(p.Header, "flags", "baselines", "verdict", "file")
	for _, run := range h.Runs {
		for _, pt := range run.Steps {
			row := historyRow{Cells: []string{fmtTime(run.Started), orDash(run.Scenario), pt.Step}}
			for _, m := range historyMetrics {
				v, ok := pt.Metrics[m.name]
				switch {
				case !ok:
					row.Cells = append(row.Cells, "-")
				case m.name == "error_rate" || m.name == "cpu_utilization":
					row.Cells = append(row.Cells, fmtPercent(v))
				case m.name == "msgs_per_sec":
					row.Cells = append(row.Cells, fmtRate(v))
				default:
					row.Cells = append(row.Cells, fmtMs(v))
				}
			}
			var flags []string
			if pt.GeneratorBound {
				flags = append(flags, "generator bound")
			}
			if pt.Partial || run.Partial {
				flags = append(flags, "partial")
			}
			if pt.Throttled {
				flags = append(flags, "throttled")
			}
			verdict := run.Verdict
			if len(pt.Regressed) > 0 {
				verdict += ": " + strings.Join(pt.Regressed, ", ")
			}
			row.Cells = append(row.Cells, strings.Join(flags, ", "), strconv.Itoa(run.Baselines), verdict, run.Name)
			row.Regression, row.Flagged = len(pt.Regressed) > 0, len(flags) > 0
			p.Rows = append(p.Rows, row)
		}
	}
	for _, m := range historyMetrics {
		p.Charts = append(p.Charts, historyChart(h, m.name, m.label))
	}
	var buf bytes.Buffer
	if err := historyTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("render history: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// historyColors tell the steps' lines apart.
var historyColors = []string{colorPublish, colorEndToEnd, colorService, "#6a1b9a", "#00838f", "#5d4037"}

// historyChart draws metric over the runs of h: x = the run's position in
// start-time order (labelled with its start date, or time when the runs
// span less than two days), one line per step label.
func historyChart(h *History, metric, label string) svgChart {
	ch := newChart(label, "per run, in start-time order; red dot = regression, orange ring = generator bound, grey ring = partial or throttled", "run (start time, UTC)", label)
	var steps []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range h.Runs {
		for _, p := range r.Steps {
			if v, ok := p.Metrics[metric]; ok {
				lo, hi = min(lo, v), max(hi, v)
				if !slices.Contains(steps, p.Step) {
					steps = append(steps, p.Step)
				}
			}
		}
	}
	if len(steps) == 0 {
		ch.Empty = "no data"
		return ch
	}
	n := len(h.Runs)
	xa := axis{lo: -0.5, hi: float64(n) - 0.5, from: chartLeft, to: chartLeft + plotW}
	layout := "2006-01-02"
	switch span := h.Runs[n-1].Started.Sub(h.Runs[0].Started); {
	case span < 2*time.Hour:
		layout = "15:04:05"
	case span < 48*time.Hour:
		layout = "01-02 15:04"
	}
	every := max(1, (n+5)/6) // at most about six labels
	for i, r := range h.Runs {
		if i%every == 0 || i == n-1 {
			ch.XTicks = append(ch.XTicks, svgTick{Pos: fmtCoord(xa.pos(float64(i))), Label: r.Started.UTC().Format(layout)})
		}
	}
	fraction := metric == "error_rate" || metric == "cpu_utilization"
	if hi-lo < 1e-12 {
		switch {
		case hi == 0 && fraction:
			hi = 0.01
		case hi == 0:
			hi = 1
		default:
			lo, hi = lo*0.9, hi*1.1
		}
	}
	pad := (hi - lo) * 0.08
	ya, yt := linearAxis(max(0, lo-pad), hi+pad, chartTop+plotH, chartTop, func(v float64) string {
		if fraction {
			return fmtPercent(v)
		}
		return fmtCount(v)
	})
	ch.YTicks = yt
	for si, step := range steps {
		var pts []point
		for i, r := range h.Runs {
			for _, p := range r.Steps {
				if p.Step != step {
					continue
				}
				v, ok := p.Metrics[metric]
				if !ok {
					continue
				}
				pts = append(pts, point{float64(i), v, true})
				mx, my := fmtCoord(xa.pos(float64(i))), fmtCoord(ya.pos(v))
				title := fmt.Sprintf("%s step %s: %s", fmtTime(r.Started), step, strconv.FormatFloat(v, 'g', 5, 64))
				switch {
				case slices.Contains(p.Regressed, metric):
					ch.Marks = append(ch.Marks, svgMark{X: mx, Y: my, R: "4.5", Fill: colorRegression, Color: colorRegression, Title: title + " — REGRESSION"})
				case p.GeneratorBound:
					ch.Marks = append(ch.Marks, svgMark{X: mx, Y: my, R: "6", Fill: "none", Color: colorBound, Title: title + " — generator bound"})
				case p.Partial || r.Partial || p.Throttled:
					ch.Marks = append(ch.Marks, svgMark{X: mx, Y: my, R: "6", Fill: "none", Color: colorPartial, Title: title + " — partial or throttled"})
				}
			}
		}
		ch.Series = append(ch.Series, newSeries("step "+step, historyColors[si%len(historyColors)], "", pts, xa, ya))
	}
	return ch
}

var historyTemplate = template.Must(template.Must(htmlTemplate.Clone()).New("history").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{template "style"}}td{white-space:nowrap}td.text{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:6em}
tr.regression td{background:#fde2e1}tr.flagged td:nth-last-child(4){color:#b35c00;font-weight:600}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="note">{{.Method}}</p>
<div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}</div>
<h2>Runs</h2>
<table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Regression}} class="regression"{{else if .Flagged}} class="flagged"{{end}}>{{range $i, $c := .Cells}}<td{{if or (eq $i 1) (eq $i 10) (ge $i 12)}} class="text"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</body>
</html>
`))
