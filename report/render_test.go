package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// sampleResult builds a deterministic two-step result through the Collector.
func sampleResult(t *testing.T, embedded bool) *Result {
	t.Helper()
	r := &Result{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "mskbench", Version: "v0.1.0", Commit: "abc1234"},
		Started:       t0,
		Ended:         t0.Add(95 * time.Second),
		Host:          "loadgen-1",
		GoVersion:     "go1.26.0",
		GOMAXPROCS:    2,
		NumCPU:        2,
		Embedded:      embedded,
		Scenario:      Scenario{Name: "smoke", Source: "name: smoke\nrate: 1000/s\n", Spec: json.RawMessage(`{"name":"smoke"}`)},
		Labels:        map[string]string{"ci": "nightly"},
	}
	for step, rate := range []int{1000, 2000} {
		c := NewCollector(1)
		p, q := c.NewRecorder(), c.NewRecorder()
		start := t0.Add(time.Duration(step) * 45 * time.Second)
		at := func(d time.Duration) int64 { return start.Add(d).UnixNano() }
		// warm-up: slow, must not show up anywhere
		p.RecordAck(at(0), at(0), at(500*time.Millisecond), 1024)
		c.Tick(start, start.Add(5*time.Second), PhaseWarmup)
		for sec := range 3 {
			base := time.Duration(5+sec) * time.Second
			for i := range rate {
				intended := base + time.Duration(i)*time.Second/time.Duration(rate)
				sent := intended + time.Duration(i%7)*100*time.Microsecond
				if step == 1 && i%100 == 0 {
					sent += 15 * time.Millisecond // behind schedule
				}
				acked := sent + time.Duration(1+i%20)*time.Millisecond
				rec := p
				if i%2 == 1 {
					rec = q
				}
				rec.RecordSend(at(intended), at(sent))
				if step == 1 && i%250 == 0 {
					rec.RecordError("[6] Not Leader For Partition", 1)
					continue
				}
				rec.RecordAck(at(intended), at(sent), at(acked), 1024)
				rec.RecordConsume(at(intended), at(acked+3*time.Millisecond), 1024)
			}
			c.Tick(start.Add(base), start.Add(base+time.Second), PhaseMeasure)
		}
		if step == 1 {
			p.RecordError("timeout", 2)
		}
		c.Tick(start.Add(8*time.Second), start.Add(9*time.Second), PhaseDrain)
		info := StepInfo{
			Index:        step,
			Label:        "rate=" + map[int]string{1000: "1000/s", 2000: "2000/s"}[rate],
			Params:       map[string]string{"rate": map[int]string{1000: "1000/s", 2000: "2000/s"}[rate], "size": "1KiB"},
			Plan:         json.RawMessage(`{"rate":` + map[int]string{1000: "1000", 2000: "2000"}[rate] + `}`),
			Topics:       []string{"mskbench-smoke"},
			Start:        start,
			MeasureStart: start.Add(5 * time.Second),
			MeasureEnd:   start.Add(8 * time.Second),
			End:          start.Add(9 * time.Second),
			Offered:      int64(3 * rate),
			Embedded:     embedded,
		}
		info.Verification = &Verification{Complete: true}
		info.Generator = &Generator{CPUSeconds: 1.2, CPUUtilization: 0.2}
		if step == 1 {
			info.Partial = true
			info.Warnings = []string{"interrupted: drain cut short"}
			info.BehindScheduleSeconds = 2.5
			info.ResponseErrors = map[string]int64{"[6] Not Leader For Partition": 30, "connection closed": 2}
			info.Generator = &Generator{CPUSeconds: 5.6, CPUUtilization: 0.93, LateGenerator: 60, Bottleneck: true}
			info.Verification = &Verification{Lost: 2, Duplicated: 1, Redelivered: 40, Examples: []VerificationExample{
				{Kind: "lost", Producer: 0, Sequence: 17, Partition: -1, Offset: -1},
				{Kind: "lost", Producer: 1, Sequence: 3, Partition: -1, Offset: -1},
				{Kind: "duplicated", Producer: 1, Sequence: 9, Topic: "mskbench-smoke", Partition: 2, Offset: 1234},
			}}
		}
		r.Steps = append(r.Steps, c.Step(info))
	}
	r.Partial = true
	r.Checks = []CheckResult{
		{Expr: "publish p99 < 50ms", Step: 0, Observed: r.Steps[0].Latency.Publish.P99Ms, Passed: true},
		{Expr: "error_rate < 0.001", Step: 1, Observed: 0.0045, Passed: false, Detail: "0.45% of messages failed"},
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestSummaryGolden(t *testing.T) {
	tests := []struct {
		name     string
		embedded bool
	}{
		{"summary.golden", false},
		{"summary-embedded.golden", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Summary(&b, sampleResult(t, tt.embedded)); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if got := strings.HasPrefix(out, EmbeddedNote+"\n"); got != tt.embedded {
				t.Errorf("summary starts with the embedded note = %v, want %v", got, tt.embedded)
			}
			for _, want := range []string{"rate=1000/s", "rate=2000/s (partial)", "[6] Not Leader For Partition", "timeout", "interrupted: drain cut short", "FAIL", "PARTIAL"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q", want)
				}
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

func TestSummaryDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	r := sampleResult(t, false)
	if err := Summary(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := Summary(&b, r); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("two renderings of the same result differ")
	}
}

func TestSummaryEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := Summary(&b, &Result{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "no steps were measured") {
		t.Errorf("empty summary = %q, want a no steps line", b.String())
	}
}

func TestCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, sampleResult(t, false)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("CSV has %d lines, want header + 2 steps", len(lines))
	}
	if h, r := strings.Count(lines[0], ","), strings.Count(lines[1], ","); h != r {
		t.Errorf("header has %d commas, first row %d", h, r)
	}
	golden(t, "steps.csv", b.Bytes())
}

// A result written to a file and read back renders exactly like the original.
func TestRoundTrip(t *testing.T) {
	for _, embedded := range []bool{false, true} {
		orig := sampleResult(t, embedded)
		path := filepath.Join(t.TempDir(), "result.json")
		if err := WriteFile(path, orig); err != nil {
			t.Fatal(err)
		}
		read, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for name, render := range map[string]func(*bytes.Buffer, *Result) error{
			"Summary": func(b *bytes.Buffer, r *Result) error { return Summary(b, r) },
			"CSV":     func(b *bytes.Buffer, r *Result) error { return CSV(b, r) },
			"Encode":  func(b *bytes.Buffer, r *Result) error { return Encode(b, r) },
		} {
			var a, b bytes.Buffer
			if err := render(&a, orig); err != nil {
				t.Fatal(err)
			}
			if err := render(&b, read); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("embedded=%v: %s of the read result differs from the original", embedded, name)
			}
		}
		if embedded && read.Note != EmbeddedNote {
			t.Errorf("note = %q, want the embedded note in the file", read.Note)
		}
		// The stored histograms decode to the same summaries.
		for i := range read.Steps {
			h, err := read.Steps[i].Histogram("publish")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := h.Summary(), orig.Steps[i].Latency.Publish; got != want {
				t.Errorf("step %d: decoded publish summary %+v, want %+v", i, got, want)
			}
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Errorf("directory holds %d entries after WriteFile, want only the result (no temp files)", len(entries))
		}
	}
}

func TestWriteFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, &Result{Host: "new"}); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Host != "new" || r.SchemaVersion != SchemaVersion || r.Tool.Name != "mskbench" {
		t.Errorf("read host %q schema %d tool %q, want new, %d, mskbench", r.Host, r.SchemaVersion, r.Tool.Name, SchemaVersion)
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "missing", "r.json"), &Result{}); err == nil {
		t.Error("WriteFile into a missing directory succeeded, want error")
	}
}

func TestReadFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		notRes  bool   // want ErrNotResult
		want    string // substring of the error
	}{
		{"not json", "hello", true, "invalid JSON"},
		{"other json", `{"name":"x"}`, true, "no schema_version"},
		{"array", `[1,2]`, true, "not an mskbench result"},
		{"zero version", `{"schema_version":0}`, true, "invalid schema_version 0"},
		{"newer", `{"schema_version":99}`, false, "upgrade mskbench"},
		{"bad field type", `{"schema_version":1,"steps":"x"}`, false, "decode result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if err == nil {
				t.Fatal("ReadFile succeeded, want error")
			}
			if got := errors.Is(err, ErrNotResult); got != tt.notRes {
				t.Errorf("errors.Is(err, ErrNotResult) = %v, want %v (err: %v)", got, tt.notRes, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q lacks %q or the path", err, tt.want)
			}
		})
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("ReadFile(missing) succeeded, want error")
	}
}

// The progress line has a header naming every column with its unit, the
// cells line up with it, and the warm-up (which records no latency and no
// bytes) shows "-" rather than zeros.
func TestProgress(t *testing.T) {
	measure := Interval{Phase: PhaseMeasure, ElapsedSeconds: 12, Acked: 5000, MsgsPerSec: 5000, MiBPerSec: 4.8828125,
		PublishP50Ms: 1.5, PublishP99Ms: 12.25, Failed: 3, Lag: 42, BehindSchedule: 7, Step: "rate=5000/s"}
	warmup := Interval{Phase: PhaseWarmup, ElapsedSeconds: 1, Acked: 1988, MsgsPerSec: 1988, Step: "1"}
	header := ProgressHeader()
	for _, title := range []string{"STEP", "PHASE", "TIME s", "ACKED msg/s", "MiB/s", "PUB p50 ms", "PUB p99 ms", "E2E p50 ms", "E2E p99 ms", "FAILED", "LAG", "BEHIND"} {
		if !strings.Contains(header, title) {
			t.Errorf("header %q lacks %q", header, title)
		}
	}
	for _, tt := range []struct {
		iv   Interval
		want string
	}{
		{measure, "rate=5000/s   measure     12.0         5000     4.88        1.50        12.2           -           -       3       42       7"},
		{warmup, "1             warmup       1.0         1988        -           -           -           -           -       0        0       0"},
	} {
		got := ProgressLine(tt.iv)
		if got != tt.want {
			t.Errorf("ProgressLine() =\n%q\nwant\n%q", got, tt.want)
		}
		if len(got) != len(strings.TrimRight(header, " ")) && utf8.RuneCountInString(got) != utf8.RuneCountInString(header) {
			t.Errorf("line %q and header %q are not aligned", got, header)
		}
		if strings.ContainsAny(got, "\r\n\033\b") {
			t.Errorf("progress line contains control characters: %q", got)
		}
	}
}

// The summary's legend explains every abbreviated column, BEHIND included.
func TestSummaryLegend(t *testing.T) {
	var b bytes.Buffer
	if err := Summary(&b, &Result{Steps: []Step{{Label: "x"}}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PUB = ", "SVC = ", "E2E = ", "BEHIND = messages sent more than 10ms after their intended send time"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary legend lacks %q:\n%s", want, b.String())
		}
	}
}

func TestHGRM(t *testing.T) {
	r := sampleResult(t, false)
	var b bytes.Buffer
	if err := HGRM(&b, &r.Steps[0], "publish"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "       Value     Percentile") && !strings.Contains(out, "Percentile") {
		t.Errorf("hgrm output lacks the header: %q", out[:min(80, len(out))])
	}
	if !strings.Contains(out, "#[Max     =       20.") {
		t.Errorf("hgrm output lacks a max of about 20 ms in ms units:\n%s", out)
	}
	if err := HGRM(&b, &r.Steps[0], "bogus"); err == nil {
		t.Error("HGRM(bogus) succeeded, want error")
	}
}

func TestAggregates(t *testing.T) {
	r := sampleResult(t, false)
	s := &r.Steps[1]
	m := s.Aggregates()
	if m["publish_p99_ms"] != s.Latency.Publish.P99Ms || m["msgs_per_sec"] != s.Throughput.MsgsPerSec || m["failed"] != float64(s.Counters.Failed) {
		t.Errorf("aggregates do not match the step: %v", m)
	}
	want := float64(s.Counters.Failed) / float64(s.Counters.Acked+s.Counters.Failed)
	if m["error_rate"] != want || want == 0 {
		t.Errorf("error_rate = %v, want %v (non-zero)", m["error_rate"], want)
	}
}

// The summary names the client in its header, flags a throttled step with
// its brokers, and counts transactions.
func TestSummaryClientThrottleTransactions(t *testing.T) {
	r := &Result{Steps: []Step{{Label: "client=franz-go", Client: &ClientSettings{Name: "franz-go"},
		Throttle: &Throttle{ThrottleCounts: ThrottleCounts{Responses: 3, TotalMs: 90, MaxMs: 40},
			Produce: ThrottleCounts{Responses: 2, TotalMs: 50, MaxMs: 40}, Fetch: ThrottleCounts{Responses: 1, TotalMs: 40, MaxMs: 40},
			Brokers: map[string]ThrottleCounts{"b-1:9098": {Responses: 3, TotalMs: 90, MaxMs: 40}}},
		Transactions: &Transactions{Committed: 9, Aborted: 3},
		Counters:     Counters{Aborted: 300}},
		{Label: "client=kafka-go", Client: &ClientSettings{Name: "kafka-go"}}}}
	var b strings.Builder
	if err := Summary(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{
		"client franz-go, kafka-go\n",
		"Step client=franz-go: THROTTLED: brokers throttled 3 responses (produce 2, fetch 1) for 90 ms in total, at most 40 ms at once.",
		"  b-1:9098  3 responses  90 ms  max 40 ms",
		"Transactions in step client=franz-go: 9 committed, 3 aborted (300 messages).",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	if strings.Count(out, "THROTTLED") != 1 {
		t.Errorf("summary flags the unthrottled step too:\n%s", out)
	}
}

// GeneratorCause tells the tool's own limit from contention for its host
// (issue 8: at 14–27 % process CPU the diagnosis advised adding workers,
// which cannot help a busy host).
func TestGeneratorCause(t *testing.T) {
	host := func(busy, process, steal float64) *HostCPU {
		return &HostCPU{CPUs: 2, Busy: busy, Process: process, Other: max(0, busy-process), Steal: steal}
	}
	tests := []struct {
		name string
		g    Generator
		want string
	}{
		// Not a bottleneck: no cause, whatever the figures.
		{"not bound", Generator{CPUUtilization: 0.95, Host: host(1, 0.95, 0)}, ""},
		// The tool's own CPU at the saturation mark.
		{"own CPU", Generator{Bottleneck: true, CPUUtilization: 0.92, Host: host(0.95, 0.92, 0)}, CauseGeneratorCPU},
		{"own CPU, host unknown", Generator{Bottleneck: true, CPUUtilization: 0.9}, CauseGeneratorCPU},
		// The probe of issue 8: 20 % process CPU on a host others kept busy.
		{"host busy", Generator{Bottleneck: true, CPUUtilization: 0.2, Host: host(0.97, 0.2, 0.01)}, CauseHostBusy},
		// Saturated host, but mostly by this process (GOMAXPROCS below the CPUs, say).
		{"host busy with us", Generator{Bottleneck: true, CPUUtilization: 0.6, Host: host(0.9, 0.6, 0)}, CauseGeneratorCPU},
		// Others share the host but it is not saturated: not their fault.
		{"others, host not saturated", Generator{Bottleneck: true, CPUUtilization: 0.1, Host: host(0.6, 0.1, 0)}, CausePacing},
		// The hypervisor stole 15 %: that decides, even on a busy host.
		{"steal", Generator{Bottleneck: true, CPUUtilization: 0.2, Host: host(0.8, 0.2, 0.15)}, CauseSteal},
		{"steal below the mark", Generator{Bottleneck: true, CPUUtilization: 0.2, Host: host(0.3, 0.2, 0.05)}, CausePacing},
		// Nothing saturated: the pacing loop or the client.
		{"pacing", Generator{Bottleneck: true, CPUUtilization: 0.15, Host: host(0.2, 0.15, 0)}, CausePacing},
		{"unknown host", Generator{Bottleneck: true, CPUUtilization: 0.15}, CauseUnknown},
	}
	for _, tt := range tests {
		if got := GeneratorCause(tt.g); got != tt.want {
			t.Errorf("%s: GeneratorCause = %q, want %q", tt.name, got, tt.want)
		}
		g := tt.g
		g.Cause = GeneratorCause(g)
		advice := CauseAdvice(g)
		if (advice == "") != (tt.want == "") {
			t.Errorf("%s: advice %q for cause %q", tt.name, advice, tt.want)
		}
		// Only a cause that more workers could help suggests them.
		if more := strings.Contains(advice, "try more producer workers"); more != (tt.want == CausePacing || tt.want == CauseUnknown) {
			t.Errorf("%s: advice %q: suggests more workers %t", tt.name, advice, more)
		}
	}
}

// The summary of a generator-bound step gives the host's figures and the
// cause instead of a blanket "add producer workers".
func TestSummaryGeneratorCause(t *testing.T) {
	s := Step{Label: "rate=2000/s", Counters: Counters{BehindSchedule: 300, BehindScheduleSeconds: 2}}
	s.Generator = &Generator{Bottleneck: true, CPUUtilization: 0.2, LateGenerator: 300,
		Host: &HostCPU{CPUs: 2, Busy: 0.97, Process: 0.2, Other: 0.77, Steal: 0.01}}
	s.Generator.Cause = GeneratorCause(*s.Generator)
	var b strings.Builder
	writeGenerator(&b, &s)
	for _, want := range []string{"Host CPU (2 CPUs): 97% busy (this process 20%, other processes 77%), 1% stolen",
		"busy with other processes", "more producer workers cannot help"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}
