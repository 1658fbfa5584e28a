package report

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// nightlies are ten synthetic nightly runs a day apart: the ninth doubles
// its latency, the fifth is generator bound, the third is partial.
func nightlies(t *testing.T) ([]*Result, []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 11))
	var rs []*Result
	var names []string
	for i := range 10 {
		shift := 0.0
		if i == 8 {
			shift = 1.0
		}
		r := synthRun(rng, shift, 12)
		r.Started = t0.Add(time.Duration(i) * 24 * time.Hour)
		r.Steps[0].Generator = &Generator{CPUUtilization: 0.3}
		if i == 4 {
			r.Steps[0].Generator = &Generator{CPUUtilization: 0.95, Bottleneck: true}
		}
		if i == 2 {
			r.Partial, r.Steps[0].Partial = true, true
		}
		rs = append(rs, r)
		names = append(names, "night-"+strconv.Itoa(i)+".json")
	}
	// Out of order on disk: NewHistory orders by start time.
	rs[0], rs[9] = rs[9], rs[0]
	names[0], names[9] = names[9], names[0]
	return rs, names
}

func TestHistory(t *testing.T) {
	rs, names := nightlies(t)
	h := NewHistory(rs, names, HistoryOptions{StatOptions: StatOptions{CompareOptions: CompareOptions{MaxRegression: 0.10}, Seed: 1, Bootstrap: 300}})
	if len(h.Runs) != 10 || h.Runs[0].Name != "night-0.json" || h.Runs[9].Name != "night-9.json" {
		t.Fatalf("runs not in start-time order: %v", h.Runs)
	}
	if h.Runs[0].Verdict != "-" || h.Runs[1].Baselines != 1 || h.Runs[9].Baselines != 7 {
		t.Errorf("baselines: first %q, second %d, last %d", h.Runs[0].Verdict, h.Runs[1].Baselines, h.Runs[9].Baselines)
	}
	slow := h.Runs[8]
	if slow.Verdict != "REGRESSION" || !strings.Contains(strings.Join(slow.Steps[0].Regressed, ","), "publish_p99_ms") {
		t.Errorf("doubled latency: verdict %q, regressed %v", slow.Verdict, slow.Steps[0].Regressed)
	}
	if !h.Runs[4].Steps[0].GeneratorBound || !h.Runs[2].Steps[0].Partial {
		t.Error("generator-bound or partial run not flagged")
	}

	var b bytes.Buffer
	if err := HistoryCSV(&b, h); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if len(rows) != 11 || rows[0][5] != "msgs_per_sec" || rows[9][len(rows[9])-2] != "REGRESSION" || rows[5][12] != "true" {
		t.Errorf("CSV rows: %v", rows)
	}

	b.Reset()
	if err := HistoryHTML(&b, h); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{"<title>mskbench history: synthetic</title>", "publish p99 ms", `class="regression"`, "— REGRESSION</title>",
		"— generator bound</title>", "— partial or throttled</title>", "night-8.json"} {
		if !strings.Contains(out, w) {
			t.Errorf("history page lacks %q", w)
		}
	}
	for _, bad := range []string{"<script", "src=", "<link", "https://"} {
		if strings.Contains(out, bad) {
			t.Errorf("history page contains %q: it must be self-contained", bad)
		}
	}
	if got := strings.Count(out, "<figure>"); got != len(historyMetrics) {
		t.Errorf("%d charts, want one per metric (%d)", got, len(historyMetrics))
	}
}
