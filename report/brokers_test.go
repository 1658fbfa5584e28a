package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func fp(v float64) *float64 { return &v }

// sample returns a measure-phase sample ending at second end.
func sample(end int, phase string, set func(*BrokerSample)) BrokerSample {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := BrokerSample{Start: t0.Add(time.Duration(end-1) * time.Second), End: t0.Add(time.Duration(end) * time.Second), Phase: phase}
	set(&s)
	return s
}

func TestSummarizeBrokersBinding(t *testing.T) {
	m := BrokerMetrics{Source: BrokerSourceOpenMonitoring, Brokers: []BrokerSeries{
		{ID: 1, Samples: []BrokerSample{
			// Warm-up samples are ignored once measure samples exist: this
			// CPU spike must not be the peak.
			sample(1, "warmup", func(s *BrokerSample) { s.CPUUtilization = fp(0.99) }),
			sample(2, "measure", func(s *BrokerSample) {
				s.CPUUtilization, s.DiskUtilization, s.NetworkTxBytesPerSec = fp(0.40), fp(0.20), fp(50<<20)
				s.RequestHandlerIdle = fp(0.8)
			}),
			sample(3, "measure", func(s *BrokerSample) {
				s.CPUUtilization, s.DiskUtilization, s.NetworkTxBytesPerSec = fp(0.60), fp(0.30), fp(70<<20)
				s.RequestHandlerIdle = fp(0.6)
			}),
		}},
		{ID: 2, Samples: []BrokerSample{
			sample(2, "measure", func(s *BrokerSample) {
				s.CPUUtilization, s.DiskUtilization, s.NetworkTxBytesPerSec = fp(0.30), fp(0.70), fp(10<<20)
				s.ProduceThrottleTimeMs = fp(0)
			}),
			sample(3, "measure", func(s *BrokerSample) {
				s.CPUUtilization, s.DiskUtilization = fp(0.30), fp(0.50)
				s.ProduceThrottleTimeMs = fp(0)
			}),
		}},
	}}

	t.Run("no capacity: cpu or disk", func(t *testing.T) {
		got := SummarizeBrokers(m, nil)
		if got.Samples != 4 {
			t.Errorf("samples = %d, want 4 (measure phase only)", got.Samples)
		}
		if p := got.Peaks["cpu_utilization"]; p.Value != 0.60 || p.Broker != 1 || p.At.Second() != 3 {
			t.Errorf("cpu peak = %+v, want 0.60 on broker 1 at :03", p)
		}
		if p := got.Peaks["request_handler_idle"]; p.Value != 0.6 {
			t.Errorf("request handler idle 'peak' = %v, want the lowest, 0.6", p.Value)
		}
		// Means: cpu broker 1 = 0.5, broker 2 = 0.3; disk broker 1 = 0.25,
		// broker 2 = 0.6. Disk binds on broker 2; the network has no
		// capacity and is not ranked.
		if got.Binding != BrokerResourceDisk {
			t.Fatalf("binding = %q, want disk; utilization %+v", got.Binding, got.Utilization)
		}
		if len(got.Utilization) != 2 {
			t.Fatalf("utilization = %+v, want cpu and disk only", got.Utilization)
		}
		d := got.Utilization[0]
		if d.Broker != 2 || !approx(d.Mean, 0.6) || d.Peak != 0.7 {
			t.Errorf("disk = %+v, want mean 0.6 on broker 2, peak 0.7", d)
		}
		if c := got.Utilization[1]; c.Resource != BrokerResourceCPU || !approx(c.Mean, 0.5) || c.Broker != 1 {
			t.Errorf("cpu = %+v, want mean 0.5 on broker 1", c)
		}
		if got.Throttled {
			t.Error("throttled with throttle times of 0")
		}
	})
	t.Run("network capacity known", func(t *testing.T) {
		// 80 MiB/s NIC: broker 1 sends 50 and 70 MiB/s, mean 0.75 > disk 0.6.
		got := SummarizeBrokers(m, &BrokerCapacity{NetworkBytesPerSec: 80 << 20})
		if got.Binding != BrokerResourceNetwork {
			t.Fatalf("binding = %q, want network; %+v", got.Binding, got.Utilization)
		}
		n := got.Utilization[0]
		if !approx(n.Mean, 0.75) || n.Broker != 1 || !approx(n.Peak, 70.0/80) || !strings.Contains(n.Basis, "80 MiB/s") {
			t.Errorf("network = %+v", n)
		}
	})
	t.Run("disk throughput capacity raises disk", func(t *testing.T) {
		mm := BrokerMetrics{Brokers: []BrokerSeries{{ID: 3, Samples: []BrokerSample{
			sample(1, "", func(s *BrokerSample) {
				s.DiskUtilization, s.DiskWriteBytesPerSec, s.CPUUtilization = fp(0.1), fp(100<<20), fp(0.5)
			}),
		}}}}
		got := SummarizeBrokers(mm, &BrokerCapacity{DiskWriteBytesPerSec: 125 << 20})
		if got.Binding != BrokerResourceDisk || !approx(got.Utilization[0].Mean, 0.8) {
			t.Errorf("binding %q %+v, want disk at 0.8 (100 of 125 MiB/s)", got.Binding, got.Utilization)
		}
		if got.Samples != 1 {
			t.Errorf("samples = %d, want 1 (no phase marked: all samples)", got.Samples)
		}
	})
	t.Run("throttle", func(t *testing.T) {
		mm := BrokerMetrics{Brokers: []BrokerSeries{{ID: 1, Samples: []BrokerSample{
			sample(1, "measure", func(s *BrokerSample) { s.FetchThrottleTimeMs = fp(12) }),
		}}}}
		got := SummarizeBrokers(mm, nil)
		if !got.Throttled || got.Binding != "" {
			t.Errorf("throttled %t binding %q, want throttled and no binding (no utilisation measured)", got.Throttled, got.Binding)
		}
	})
	t.Run("nothing measured", func(t *testing.T) {
		got := SummarizeBrokers(BrokerMetrics{}, nil)
		if got.Binding != "" || got.Peaks != nil || got.Utilization != nil {
			t.Errorf("empty summary = %+v", got)
		}
	})
}

// Unmeasured figures are absent from JSON; a measured 0 is written.
func TestBrokerSampleJSONDistinguishesZero(t *testing.T) {
	s := BrokerSample{UnderReplicatedPartitions: fp(0)}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"under_replicated_partitions":0`) {
		t.Errorf("measured 0 missing: %s", b)
	}
	if strings.Contains(string(b), "cpu_utilization") {
		t.Errorf("unmeasured figure written: %s", b)
	}
	var back BrokerSample
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CPUUtilization != nil || back.UnderReplicatedPartitions == nil || *back.UnderReplicatedPartitions != 0 {
		t.Errorf("round trip = %+v", back)
	}
}

// Every figure name maps to its own field, in the order of the struct's
// JSON fields, so the table cannot silently miss or mix up a field.
func TestBrokerFigureTable(t *testing.T) {
	var s BrokerSample
	names := BrokerFigureNames()
	for i, n := range names {
		if s.BrokerFigure(n) != nil {
			t.Fatalf("%s set on a zero sample", n)
		}
		// Set figure i through JSON and read it back through the table.
		if err := json.Unmarshal([]byte(`{"`+n+`": `+jsonNum(i+1)+`}`), &s); err != nil {
			t.Fatal(err)
		}
		v := s.BrokerFigure(n)
		if v == nil || *v != float64(i+1) {
			t.Errorf("BrokerFigure(%q) = %v, want %d", n, v, i+1)
		}
		s = BrokerSample{}
	}
	b, _ := json.Marshal(BrokerSample{})
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	// The zero sample has start/end only; every other field is a figure.
	var full BrokerSample
	for _, n := range names {
		_ = json.Unmarshal([]byte(`{"`+n+`": 1}`), &full)
	}
	b, _ = json.Marshal(full)
	_ = json.Unmarshal(b, &fields)
	if got, want := len(fields), len(names)+2; got != want {
		t.Errorf("sample with every figure has %d JSON fields, want %d (figures + start, end): table out of date", got, want)
	}
}

func jsonNum(i int) string { b, _ := json.Marshal(i); return string(b) }

func approx(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
