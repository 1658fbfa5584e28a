package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// htmlT0 is the fixed start of the synthetic results of the HTML tests.
var htmlT0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// htmlSampleResult builds a deterministic two-step result through the
// Collector. The second step is partial and falls behind schedule (every
// 50th message is sent 40 ms late), so its publish latency tail lies far
// above its service time: coordinated omission made visible.
func htmlSampleResult(t *testing.T) *Result {
	t.Helper()
	r := &Result{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "mskbench", Version: "v0.2.0", Commit: "def5678"},
		Started:       htmlT0,
		Ended:         htmlT0.Add(30 * time.Second),
		Host:          "loadgen-2",
		GoVersion:     "go1.26.0",
		GOMAXPROCS:    2,
		NumCPU:        2,
		Scenario:      Scenario{Name: "html-smoke", Description: "two rates, one behind schedule", Source: "name: html-smoke\nrate: [500/s, 1000/s]\n", Spec: json.RawMessage(`{"name":"html-smoke","acks":"all"}`)},
		Connection:    Connection{Brokers: []string{"b-1:9098", "b-2:9098"}, Mechanism: "iam", Region: "eu-west-1", Dials: 4},
		Labels:        map[string]string{"job": "nightly", "commit": "def5678"},
		Partial:       true,
		Warnings:      []string{"run interrupted by signal"},
	}
	for step, rate := range []int{500, 1000} {
		c := NewCollector(1)
		p := c.NewRecorder()
		start := htmlT0.Add(time.Duration(step) * 15 * time.Second)
		at := func(d time.Duration) int64 { return start.Add(d).UnixNano() }
		c.Tick(start, start.Add(2*time.Second), PhaseWarmup)
		for sec := range 4 {
			base := time.Duration(2+sec) * time.Second
			for i := range rate {
				intended := base + time.Duration(i)*time.Second/time.Duration(rate)
				sent := intended + time.Duration(i%5)*50*time.Microsecond
				if step == 1 && i%50 == 0 {
					sent += 40 * time.Millisecond
				}
				acked := sent + time.Duration(1+i%10+sec)*time.Millisecond
				p.RecordSend(at(intended), at(sent))
				if step == 1 && i%200 == 7 {
					p.RecordError("[7] Request Timed Out", 1)
					continue
				}
				p.RecordAck(at(intended), at(sent), at(acked), 512)
				if sec < 3 {
					p.RecordConsume(at(intended), at(acked+2*time.Millisecond), 512)
				}
			}
			c.Tick(start.Add(base), start.Add(base+time.Second), PhaseMeasure)
		}
		c.Tick(start.Add(6*time.Second), start.Add(7*time.Second), PhaseDrain)
		info := StepInfo{
			Index:        step,
			Label:        map[int]string{500: "rate=500/s", 1000: "rate=1000/s"}[rate],
			Params:       map[string]string{"rate": map[int]string{500: "500/s", 1000: "1000/s"}[rate], "size": "512B"},
			Topics:       []string{"mskbench-html"},
			Plan:         json.RawMessage(`{"linger_ms":5,"acks":"all"}`),
			Start:        start,
			MeasureStart: start.Add(2 * time.Second),
			MeasureEnd:   start.Add(6 * time.Second),
			End:          start.Add(7 * time.Second),
			Offered:      int64(4 * rate),
			Generator:    &Generator{CPUSeconds: 0.8, CPUUtilization: 0.1},
		}
		if step == 1 {
			info.Partial = true
			info.Warnings = []string{"interrupted: drain cut short"}
			info.BehindScheduleSeconds = 0.5
			info.ResponseErrors = map[string]int64{"[7] Request Timed Out": 25}
			info.Verification = &Verification{Lost: 3, Examples: []VerificationExample{{Kind: "lost", Producer: 0, Sequence: 11, Partition: -1, Offset: -1}}}
		}
		r.Steps = append(r.Steps, c.Step(info))
	}
	r.Checks = []CheckResult{
		{Expr: "publish p99 < 20ms", Step: 0, Observed: r.Steps[0].Latency.Publish.P99Ms, Passed: true},
		{Expr: "publish p99 < 20ms", Step: 1, Observed: r.Steps[1].Latency.Publish.P99Ms, Passed: false, Detail: "observed above the limit"},
	}
	return r
}

func renderHTML(t *testing.T, r *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatalf("HTML() error: %v", err)
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	r := htmlSampleResult(t)
	out := renderHTML(t, r)
	for _, want := range []string{
		"<!DOCTYPE html>", "html-smoke", "two rates, one behind schedule", "mskbench v0.2.0 (def5678)",
		"2026-03-04T05:06:07Z", "PARTIAL", "rate=500/s", "rate=1000/s (partial)", `href="#step-1"`,
		"[7] Request Timed Out", "interrupted: drain cut short", "run interrupted by signal",
		"publish p99 &lt; 20ms", ">FAIL<", ">pass<", "Latency by percentile", "99.999%", "drain",
		"commit=def5678, job=nightly", "iam (eu-west-1)",
		"effective client settings", "\n  &#34;linger_ms&#34;: 5,", "validated scenario",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// 3 charts per step, each with its legend swatches, and the
	// latency–throughput chart of the capacity section.
	if got, want := strings.Count(out, "<figure>"), 3*len(r.Steps)+1; got != want {
		t.Errorf("HTML has %d charts, want %d", got, want)
	}
	if strings.Contains(out, "no timeline recorded") || strings.Contains(out, "no latency histograms") {
		t.Error("a chart of the sample result is empty")
	}
	// Self-contained: nothing loaded from elsewhere, no script.
	for _, bad := range []string{"<script", "src=", "<link", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("HTML contains %q: the page must be self-contained", bad)
		}
	}
	if r.Embedded || strings.Contains(out, EmbeddedNote) {
		t.Error("non-embedded result shows the embedded note")
	}
	golden(t, "report.html", []byte(out))
}

func TestHTMLDeterministic(t *testing.T) {
	r := htmlSampleResult(t)
	a := renderHTML(t, r)
	if b := renderHTML(t, r); a != b {
		t.Error("two renderings of the same result differ")
	}
	// A result read back from its JSON renders to the same bytes.
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatal(err)
	}
	read, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := renderHTML(t, read); a != b {
		t.Error("rendering of the decoded result differs from the original")
	}
}

func TestHTMLEscapes(t *testing.T) {
	r := htmlSampleResult(t)
	r.Scenario.Name = "<script>alert(1)</script>"
	r.Scenario.Source = "</pre><script>alert(2)</script>"
	r.Steps[0].Label = `"><img src=x onerror=alert(3)>`
	r.Warnings = []string{"</style><b>bold</b>"}
	r.Labels = map[string]string{"<i>": "</dd>"}
	out := renderHTML(t, r)
	for _, bad := range []string{"<script>", "<img", "<b>bold", "<i>", "</style><b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(3)&gt;", "&lt;/style&gt;&lt;b&gt;bold&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks escaped %q", want)
		}
	}
}

func TestHTMLWithoutData(t *testing.T) {
	tests := []struct {
		name string
		r    *Result
		want []string
	}{
		{"empty result", &Result{}, []string{"No steps were measured", "mskbench report: -"}},
		{"step without timeline or histograms", &Result{Steps: []Step{{Label: "bare", Counters: Counters{Acked: 5}}}},
			[]string{"bare", "no timeline recorded", "no latency histograms recorded"}},
		{"corrupt histogram", &Result{Steps: []Step{{Histograms: EncodedHistograms{PublishUs: "not a histogram"}}}},
			[]string{"#1", "publish histogram unreadable"}},
		{"timeline without times", &Result{Steps: []Step{{Timeline: []Interval{{Phase: PhaseMeasure, Acked: 10, MsgsPerSec: 10, PublishP50Ms: 1, PublishP99Ms: 3}, {Phase: PhaseDrain}}}}},
			[]string{"interval", "publish p99", "no latency histograms recorded"}},
		{"only zero latencies", &Result{Steps: []Step{{Timeline: []Interval{{Phase: PhaseMeasure, Acked: 10, MsgsPerSec: 10}}}}},
			[]string{"publish p50", ">0.001<"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := renderHTML(t, tt.r)
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
				t.Error("HTML contains NaN or Inf coordinates")
			}
		})
	}
}

func TestHTMLBanners(t *testing.T) {
	tests := []struct {
		name              string
		partial, embedded bool
	}{
		{"complete", false, false},
		{"partial", true, false},
		{"embedded", false, true},
		{"partial embedded", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := htmlSampleResult(t)
			r.Partial, r.Embedded = tt.partial, tt.embedded
			out := renderHTML(t, r)
			if got := strings.Contains(out, `class="banner partial"`) && strings.Contains(out, "PARTIAL: the run was interrupted"); got != tt.partial {
				t.Errorf("partial banner shown = %v, want %v", got, tt.partial)
			}
			if got := strings.Contains(out, `class="banner embedded" role="alert">`+EmbeddedNote); got != tt.embedded {
				t.Errorf("embedded banner shown = %v, want %v", got, tt.embedded)
			}
		})
	}
}

// tailY returns, per series of a chart, the SVG y of its right end
// (smaller is higher).
func tailY(t *testing.T, ch svgChart) map[string]float64 {
	t.Helper()
	last := map[string]float64{}
	for _, s := range ch.Series {
		if len(s.Lines) != 1 {
			t.Fatalf("series %s has %d lines, want 1", s.Name, len(s.Lines))
		}
		pts := strings.Fields(s.Lines[0])
		var x, y float64
		if _, err := fmt.Sscanf(pts[len(pts)-1], "%g,%g", &x, &y); err != nil {
			t.Fatal(err)
		}
		last[s.Name] = y
	}
	if len(last) != 3 {
		t.Fatalf("series %v, want publish, service and end-to-end", last)
	}
	return last
}

// The percentile chart of the step behind schedule shows publish latency
// far above service time in the tail (coordinated omission); in the step
// that kept up they coincide. The x axis is the log 1/(1−p) scale.
func TestHTMLPercentileChart(t *testing.T) {
	r := htmlSampleResult(t)
	ch := percentileChart(&r.Steps[1])
	if ch.Empty != "" {
		t.Fatalf("percentile chart empty: %s", ch.Empty)
	}
	var labels []string
	for _, tk := range ch.XTicks {
		labels = append(labels, tk.Label)
	}
	if got, want := strings.Join(labels, " "), "0% 90% 99% 99.9% 99.99% 99.999%"; got != want {
		t.Errorf("x ticks %q, want %q", got, want)
	}
	if got, want := ch.XTicks[2].Pos, fmtCoord(chartLeft+2.0/5*plotW); got != want {
		t.Errorf("99%% tick at x=%s, want %s (log 1/(1-p) scale)", got, want)
	}
	if y := tailY(t, ch); !(y["publish"] < y["service"]-20) {
		t.Errorf("step 1: publish tail at y=%v is not well above service at y=%v", y["publish"], y["service"])
	}
	if y := tailY(t, percentileChart(&r.Steps[0])); math.Abs(y["publish"]-y["service"]) > 5 {
		t.Errorf("step 0: publish tail at y=%v and service at y=%v differ, want them together", y["publish"], y["service"])
	}
}

func TestHTMLAxes(t *testing.T) {
	la, lt := logAxis(0.35, 42, 100, 0)
	if la.lo != 0.1 || la.hi != 100 {
		t.Errorf("logAxis(0.35, 42) = %v..%v, want 0.1..100", la.lo, la.hi)
	}
	var got []string
	for _, tk := range lt {
		got = append(got, tk.Label)
	}
	if g, w := strings.Join(got, " "), "0.1 1 10 100"; g != w {
		t.Errorf("log ticks %q, want %q", g, w)
	}
	if p := la.pos(10); math.Abs(p-100.0/3) > 1e-9 {
		t.Errorf("pos(10) = %v, want %v", p, 100.0/3)
	}
	na, nt := linearAxis(0, 1870, 0, 100, fmtCount)
	got = got[:0]
	for _, tk := range nt {
		got = append(got, tk.Label)
	}
	if g, w := strings.Join(got, " "), "0 500 1k 1.5k 2k"; g != w || na.hi != 2000 {
		t.Errorf("linear ticks %q up to %v, want %q up to 2000", g, na.hi, w)
	}
}
