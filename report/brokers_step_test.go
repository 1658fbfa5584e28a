package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"
)

// brokerStep returns a step with two broker sources: open monitoring (two
// brokers, two measure samples and one drain sample each; broker 2
// throttled produce requests) and CloudWatch (one minute, BurstBalance).
// The step's timeline matches the scraped samples.
func brokerStep() Step {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	iv := func(i int, phase string) Interval {
		return Interval{Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i+1) * time.Second), Phase: phase,
			ElapsedSeconds: float64(i + 1), Acked: 100, AckedBytes: 100 << 10}
	}
	s := Step{Index: 0, Label: "rate=100/s", MeasureStart: t0, MeasureEnd: t0.Add(2 * time.Second), MeasuredSeconds: 2,
		Timeline: []Interval{iv(0, PhaseMeasure), iv(1, PhaseMeasure), iv(2, PhaseDrain)}}
	s.Counters = Counters{Acked: 300, AckedBytes: 300 << 10, Consumed: 300, ConsumedBytes: 300 << 10}
	om := BrokerMetrics{Source: BrokerSourceOpenMonitoring, IntervalSeconds: 1}
	for _, b := range []struct {
		id   int32
		cpu  [3]float64
		thr  float64
		inMi float64
	}{{1, [3]float64{0.30, 0.50, 0.10}, 0, 1}, {2, [3]float64{0.40, 0.80, 0.20}, 12.5, 2}} {
		bs := BrokerSeries{ID: b.id, Host: "b-" + string(rune('0'+b.id)) + ".demo"}
		for i, ivl := range s.Timeline {
			bs.Samples = append(bs.Samples, BrokerSample{Start: ivl.Start, End: ivl.End, Phase: ivl.Phase,
				CPUUtilization: fp(b.cpu[i]), NetworkRxBytesPerSec: fp(b.inMi * MiB), NetworkTxBytesPerSec: fp(2 * b.inMi * MiB),
				BytesInPerSec: fp(b.inMi * MiB), BytesOutPerSec: fp(b.inMi * MiB), RequestHandlerIdle: fp(0.9 - b.cpu[i]),
				ProduceThrottleTimeMs: fp(b.thr * float64(i%2))})
		}
		om.Brokers = append(om.Brokers, bs)
	}
	sum := SummarizeBrokers(om, &BrokerCapacity{NetworkBytesPerSec: 10 * MiB})
	om.Summary = &sum
	cw := BrokerMetrics{Source: BrokerSourceCloudWatch, IntervalSeconds: 60, Brokers: []BrokerSeries{{ID: 1, Samples: []BrokerSample{{
		Start: t0, End: t0.Add(time.Minute), CPUUtilization: fp(0.35), BurstBalance: fp(0.42)}}}},
		Missing: []MissingMetric{{Metric: "BwInAllowanceExceeded", Reason: "needs monitoring level PER_BROKER or higher"}}}
	s.Brokers = []BrokerMetrics{om, cw}
	return s
}

func TestBrokerAggregates(t *testing.T) {
	s := brokerStep()
	got := s.Aggregates()
	for name, want := range map[string]float64{
		// Measure phase only: broker 2 peaks at 80%; its mean is 60%.
		"broker_cpu_max": 80, "broker_cpu_mean": 60,
		// Network: broker 2 sends 4 MiB/s of a 10 MiB/s NIC.
		"broker_network_max": 40, "broker_network_mean": 40,
		"broker_binding_mean":             60,
		"broker_max_bytes_in_per_sec":     2 * MiB,
		"broker_request_handler_idle_min": 10,
		"broker_throttle_time_max_ms":     12.5,
		"broker_burst_balance_min":        42,
		"broker_throttled":                1,
	} {
		if v, ok := got[name]; !ok || math.Abs(v-want) > 1e-9 {
			t.Errorf("%s = %v (%t), want %v", name, v, ok, want)
		}
	}
	for _, name := range []string{"broker_disk_max", "broker_under_replicated_max", "broker_allowance_exceeded_max"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s is set though no source measured it", name)
		}
	}
	if _, ok := (&Step{}).Aggregates()["broker_cpu_max"]; ok {
		t.Error("a step without broker metrics has broker_cpu_max")
	}
}

func TestBrokerChecks(t *testing.T) {
	for _, tt := range []struct {
		expr  string
		value float64
	}{
		{"broker_cpu_max < 60", 60}, {"broker_cpu_max < 60%", 60}, {"broker cpu mean <= 75 %", 75},
		{"broker_max_bytes_in_per_sec > 1MiB/s", MiB}, {"broker_max_bytes_in_per_sec > 1000B/s", 1000},
		{"broker_throttle_time_max_ms == 0", 0}, {"broker_throttle_time_max_ms < 1s", 1000},
	} {
		c, err := ParseCheck(tt.expr)
		if err != nil || c.Value != tt.value {
			t.Errorf("%q: %v, value %v; want %v", tt.expr, err, c.Value, tt.value)
		}
	}
	if _, err := ParseCheck("broker_cpu_max < 60ms"); err == nil || !strings.Contains(err.Error(), "a percentage 0..100") {
		t.Errorf("a latency unit on a percentage: %v", err)
	}
	checks, err := ParseChecks([]string{"broker_cpu_max < 90", "broker_cpu_mean < 50%", "broker_throttled == 0", "broker_disk_max < 50"})
	if err != nil {
		t.Fatal(err)
	}
	r := &Result{Steps: []Step{brokerStep(), {Label: "plain"}}}
	got := Evaluate(r, checks)
	want := []struct {
		passed bool
		detail string
	}{
		{true, ""}, {false, "no broker metrics in this step"},
		{false, "broker_cpu_mean = 60, want < 50"}, {false, "no broker metrics in this step"},
		{false, "broker_throttled = 1"}, {false, "no broker metrics"},
		{false, "no broker source of this step measured broker_disk_max"}, {false, "no broker metrics"},
	}
	for i, w := range want {
		if got[i].Passed != w.passed || !strings.Contains(got[i].Detail, w.detail) {
			t.Errorf("%s on step %d: passed %t, %q; want %t, %q", got[i].Expr, got[i].Step, got[i].Passed, got[i].Detail, w.passed, w.detail)
		}
	}
}

func TestRampVerdictBrokerCriteria(t *testing.T) {
	s := brokerStep()
	s.Throughput = Throughput{OfferedMsgsPerSec: 100, MsgsPerSec: 100}
	base := RampCriteria{MinAchievedRatio: 0.9, MaxErrorRate: 0.01}
	if ok, why := RampVerdict(s, base); !ok {
		t.Fatalf("without broker criteria: %s", why)
	}
	c := base
	c.MaxBrokerCPU = 0.6
	if ok, why := RampVerdict(s, c); !ok {
		t.Errorf("broker CPU 60%% at a 60%% limit failed: %s", why)
	}
	c.MaxBrokerCPU = 0.5
	ok, why := RampVerdict(s, c)
	if ok || why != "broker CPU 60.0% (broker 2, mean over the measured phase, open_monitoring) above the 50% limit" {
		t.Errorf("verdict %t %q", ok, why)
	}
	c = base
	c.StopOnThrottle = true
	ok, why = RampVerdict(s, c)
	if ok || !strings.Contains(why, "brokers throttled clients (produce throttle time up to 12.5 ms on broker 2, open_monitoring)") {
		t.Errorf("verdict %t %q", ok, why)
	}
	c.MaxBrokerCPU = 0.5
	if _, why := RampVerdict(Step{Throughput: s.Throughput, Counters: s.Counters}, c); !strings.Contains(why, "no broker CPU was measured") {
		t.Errorf("verdict without broker metrics: %q", why)
	}
	if got := c.String(); !strings.Contains(got, "broker CPU ≤ 50%, no broker throttling") {
		t.Errorf("criteria %q", got)
	}
}

func TestCompareBrokerCPU(t *testing.T) {
	base := &Result{Steps: []Step{brokerStep()}}
	cur := &Result{Steps: []Step{brokerStep()}}
	// The same load with 25% more broker CPU on broker 2.
	for i := range cur.Steps[0].Brokers[0].Brokers[1].Samples {
		s := &cur.Steps[0].Brokers[0].Brokers[1].Samples[i]
		*s.CPUUtilization *= 1.25
	}
	cur.Steps[0].Brokers[0].Summary = nil // recomputed from the samples
	c, err := Compare(base, cur, CompareOptions{MaxRegression: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]MetricChange{}
	for _, m := range c.Steps[0].Metrics {
		byName[m.Name] = m
	}
	if m := byName["broker_cpu_mean"]; !m.Regression || math.Abs(m.Base-60) > 1e-9 || math.Abs(m.Cur-75) > 1e-9 {
		t.Errorf("broker_cpu_mean %+v, want a regression 60 → 75", m)
	}
	var b strings.Builder
	if err := WriteComparison(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "broker cpu mean %") || !strings.Contains(b.String(), "rate=100/s broker cpu mean %") {
		t.Errorf("comparison:\n%s", b.String())
	}
	// Without broker metrics on one side there is no broker row.
	c, _ = Compare(base, &Result{Steps: []Step{{Label: "rate=100/s"}}}, CompareOptions{})
	for _, m := range c.Steps[0].Metrics {
		if strings.HasPrefix(m.Name, "broker_") {
			t.Errorf("broker row %s without broker metrics in the current step", m.Name)
		}
	}
}

func TestBrokerSummaryGolden(t *testing.T) {
	r := &Result{SchemaVersion: SchemaVersion, Tool: Tool{Name: "mskbench", Version: "v0.1.0"}, Scenario: Scenario{Name: "brokers"},
		Steps: []Step{brokerStep()}}
	var b bytes.Buffer
	if err := Summary(&b, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-brokers.golden", b.Bytes())

	var c bytes.Buffer
	if err := CSV(&c, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := map[string]string{}
	for i, k := range recs[0] {
		row[k] = recs[1][i]
	}
	// Totals: broker 1 took 1 MiB/s and broker 2 2 MiB/s over 3 s.
	for k, want := range map[string]string{"broker_sources": "open_monitoring;cloudwatch", "broker_binding": "cpu", "broker_cpu_max": "80",
		"broker_bytes_in": "1=3145728;2=6291456", "broker_disk_max": ""} {
		if row[k] != want {
			t.Errorf("csv %s = %q, want %q", k, row[k], want)
		}
	}

	var h bytes.Buffer
	if err := HTML(&h, r); err != nil {
		t.Fatal(err)
	}
	html := h.String()
	for _, want := range []string{"<h3>Brokers: open_monitoring, 2 brokers", "<h3>Brokers: cloudwatch, 1 brokers", "<td>2 (b-2.demo)</td><td>80.0%</td>",
		`<div class="break"></div><figure>`, "<title>Broker throttle</title>", "broker 2 produce", "THROTTLED: produce throttle time up to 12.5 ms"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}

// Merged load generators keep the brokers' figures of one of them: they
// measured the same cluster.
func TestMergeKeepsBrokerMetrics(t *testing.T) {
	a, b := Step{Label: "x"}, brokerStep()
	b.Label = "x"
	m, err := MergeSteps(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Brokers) != 2 || m.Brokers[0].Source != BrokerSourceOpenMonitoring {
		t.Errorf("merged brokers %+v, want the second input's two sources", m.Brokers)
	}
}
