package report

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func renderHLog(t *testing.T, r *Result, step int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := HLog(&b, r, step); err != nil {
		t.Fatalf("HLog: %v", err)
	}
	return b.Bytes()
}

// hlogWant is what a reader must find for one line of the log.
type hlogWant struct {
	tag             string
	startMs, endMs  int64
	count, p99, max int64
}

// wantHLog lists the histograms the log of step s must hold, in order.
func wantHLog(t *testing.T, s *Step) []hlogWant {
	t.Helper()
	var out []hlogWant
	for i := range s.Timeline {
		iv := &s.Timeline[i]
		for _, name := range []string{"publish", "service", "send_delay", "end_to_end"} {
			h, _, err := iv.Histogram(name)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, hlogWant{name, iv.Start.UnixMilli(), iv.End.UnixMilli(), h.Count(), h.h.ValueAtPercentile(99), h.Max()})
		}
	}
	return out
}

// hdrhistogram-go's own log reader reads every interval of every kind back,
// with its tag, absolute start and end times and the same counts.
func TestHLogGoReader(t *testing.T) {
	r := sampleResult(t, false)
	s := &r.Steps[1]
	log := renderHLog(t, r, 1)
	for _, line := range []string{
		"#[Histogram log format version 1.3]\n",
		"#[StartTime: " + hlogSeconds(s.Timeline[0].Start) + " (seconds since epoch), ",
		"#[BaseTime: " + hlogSeconds(s.Timeline[0].Start) + " (seconds since epoch)]\n",
		"\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
		"\nTag=publish,0.000,1.000,",
	} {
		if !bytes.Contains(log, []byte(line)) {
			t.Errorf("log lacks %q:\n%.600s", line, log)
		}
	}
	rd := hdrhistogram.NewHistogramLogReader(bytes.NewReader(log))
	want := wantHLog(t, s)
	for i, w := range want {
		h, err := rd.NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("histogram %d: %v, %v; want %+v", i, h, err, w)
		}
		got := hlogWant{h.Tag(), h.StartTimeMs(), h.EndTimeMs(), h.TotalCount(), h.ValueAtPercentile(99), h.Max()}
		if got != w {
			t.Errorf("histogram %d: got %+v, want %+v", i, got, w)
		}
	}
	if h, err := rd.NextIntervalHistogram(); h != nil || err != nil {
		t.Errorf("after the last interval: %v, %v; want the end of the log", h, err)
	}
}

// A producer-only step leaves the end-to-end tag out; a step without
// per-interval histograms and a bad step index are errors.
func TestHLogKindsAndErrors(t *testing.T) {
	r := sampleResult(t, false)
	for i := range r.Steps[0].Timeline {
		if h := r.Steps[0].Timeline[i].Histograms; h != nil {
			h.EndToEndUs = ""
		}
	}
	log := string(renderHLog(t, r, 0))
	if strings.Contains(log, "Tag=end_to_end") || !strings.Contains(log, "Tag=send_delay") {
		t.Errorf("producer-only step: log tags wrong:\n%.800s", log)
	}
	for _, step := range []int{-1, 2} {
		if err := HLog(&bytes.Buffer{}, r, step); err == nil {
			t.Errorf("step %d: no error", step)
		}
	}
	r.Steps[0].Timeline[0].Histograms = nil
	if err := HLog(&bytes.Buffer{}, r, 0); err == nil || !strings.Contains(err.Error(), "no per-interval histograms") {
		t.Errorf("step without interval histograms: err %v", err)
	}
}

// javaHdrHistogram returns the java binary and HdrHistogram's jar, or skips.
func javaHdrHistogram(t *testing.T) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not installed: skipping the check with Java's HistogramLogReader")
	}
	jar = "/usr/share/java/hdrhistogram.jar" // Debian: libhdrhistogram-java
	if _, err := os.Stat(jar); err != nil {
		t.Skipf("%s absent (apt-get install libhdrhistogram-java): skipping the check with Java's HistogramLogReader", jar)
	}
	return java, jar
}

// The reference implementation reads the log: Java's HistogramLogReader
// finds every interval with its tag, times and counts, and
// HistogramLogProcessor accumulates a tag into the step's histogram.
func TestHLogJavaReader(t *testing.T) {
	java, jar := javaHdrHistogram(t)
	r := sampleResult(t, false)
	s := &r.Steps[1]
	dir := t.TempDir()
	path := filepath.Join(dir, "step.hlog")
	if err := os.WriteFile(path, renderHLog(t, r, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs(filepath.Join("testdata", "hlog", "ReadLog.java"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(java, "-cp", jar, src, path).CombinedOutput()
	if err != nil {
		t.Fatalf("java ReadLog: %v\n%s", err, out)
	}
	want := wantHLog(t, s)
	sc := bufio.NewScanner(bytes.NewReader(out))
	i := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 {
			t.Fatalf("java line %q", sc.Text())
		}
		if i >= len(want) {
			t.Fatalf("java read more histograms than written: %q", sc.Text())
		}
		var n [5]int64
		for j := range n {
			if n[j], err = strconv.ParseInt(f[j+1], 10, 64); err != nil {
				t.Fatalf("java line %q: %v", sc.Text(), err)
			}
		}
		got := hlogWant{f[0], n[0], n[1], n[2], n[3], n[4]}
		w := want[i]
		// Java's p99 is the reference percentile; compare it with ours.
		h, _, _ := s.Timeline[i/4].Histogram(w.tag)
		w.p99 = h.Percentile(99)
		if got != w {
			t.Errorf("java histogram %d: got %+v, want %+v", i, got, w)
		}
		i++
	}
	if i != len(want) {
		t.Errorf("java read %d histograms, want %d", i, len(want))
	}

	// HistogramLogProcessor: accumulate the publish tag, in ms.
	base := filepath.Join(dir, "publish")
	cmd := exec.Command(java, "-cp", jar, "org.HdrHistogram.HistogramLogProcessor",
		"-i", path, "-o", base, "-tag", "publish", "-outputValueUnitRatio", "1000")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("HistogramLogProcessor: %v\n%s", err, out)
	}
	hgrm, err := os.ReadFile(base + ".hgrm")
	if err != nil {
		t.Fatal(err)
	}
	step, _ := s.Histogram("publish")
	m := regexp.MustCompile(`Total count\s*=\s*(\d+)`).FindSubmatch(hgrm)
	if m == nil || string(m[1]) != strconv.FormatInt(step.Count(), 10) {
		t.Errorf("HistogramLogProcessor's accumulated publish histogram: total count %q, want %d:\n%s", m, step.Count(), hgrm)
	}
	wantMax := "#[Max     =       " + strconv.FormatFloat(float64(step.Max())/1000, 'f', 3, 64)
	if !bytes.Contains(hgrm, []byte(wantMax)) {
		t.Errorf("HistogramLogProcessor's max: want %q in\n%s", wantMax, hgrm)
	}
}

// hdrHistogramJS returns node and the directory holding hdr-histogram-js
// (node_modules), or skips: $MSKBENCH_HDRJS_DIR, else .ci/node (where
// .ci/run installs it with npm).
func hdrHistogramJS(t *testing.T) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed: skipping the check with hdr-histogram-js's HistogramLogReader")
	}
	dir := os.Getenv("MSKBENCH_HDRJS_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".ci", "node")
	}
	modules, err = filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "hdr-histogram-js")); err != nil {
		t.Skipf("hdr-histogram-js not in %s (npm install --prefix %s hdr-histogram-js@3): skipping the check with its HistogramLogReader", modules, dir)
	}
	return node, modules
}

// hdr-histogram-js reads the log too: every interval with its tag, times,
// count, reference p99 and max.
func TestHLogJSReader(t *testing.T) {
	node, modules := hdrHistogramJS(t)
	r := sampleResult(t, false)
	s := &r.Steps[1]
	path := filepath.Join(t.TempDir(), "step.hlog")
	if err := os.WriteFile(path, renderHLog(t, r, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "hlog", "readlog.js"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node readlog.js: %v\n%s", err, out)
	}
	want := wantHLog(t, s)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("hdr-histogram-js read %d histograms, want %d:\n%s", len(lines), len(want), out)
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Fatalf("js line %q", line)
		}
		var n [5]int64
		for j := range n {
			if n[j], err = strconv.ParseInt(f[j+1], 10, 64); err != nil {
				t.Fatalf("js line %q: %v", line, err)
			}
		}
		w := want[i]
		h, _, _ := s.Timeline[i/4].Histogram(w.tag)
		w.p99 = h.Percentile(99) // the reference percentile, as Java's
		if got := (hlogWant{f[0], n[0], n[1], n[2], n[3], n[4]}); got != w {
			t.Errorf("js histogram %d: got %+v, want %+v", i, got, w)
		}
	}
}
