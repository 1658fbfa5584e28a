package monitor

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/mskbench/mskbench/report"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expfmt (not code of this project) accepts what the JMX exporter writes:
// untyped families, trailing commas in label sets, Java's 1.2345678E10.
func TestExpfmtAcceptsJMXExporterOutput(t *testing.T) {
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(readFixture(t, "msk-jmx-exporter-a.txt")))
	if err != nil {
		t.Fatalf("expfmt rejects the JMX exporter fixture: %v", err)
	}
	mf := fams[famTopicCount]
	if mf == nil {
		t.Fatalf("no %s family", famTopicCount)
	}
	if mf.GetType() != dto.MetricType_UNTYPED {
		t.Errorf("type = %v, want UNTYPED", mf.GetType())
	}
	found := false
	for _, m := range mf.GetMetric() {
		l := labelMap(m)
		if _, topic := l["topic"]; !topic && l["name"] == "BytesInPerSec" {
			found = true
			if got := m.GetUntyped().GetValue(); got != 1.2345678e10 {
				t.Errorf("BytesInPerSec count = %v, want 1.2345678E10", got)
			}
			if len(m.GetLabel()) != 1 {
				t.Errorf("labels = %v, want only name (the trailing comma adds none)", m.GetLabel())
			}
		}
	}
	if !found {
		t.Error("no topic-less BytesInPerSec series")
	}
	if _, err := p.TextToMetricFamilies(strings.NewReader(readFixture(t, "msk-node-exporter-a.txt"))); err != nil {
		t.Errorf("expfmt rejects the node exporter fixture: %v", err)
	}
	// The filter keeps the exposition valid for expfmt and drops what we
	// do not read.
	text, err := filterExposition(strings.NewReader(readFixture(t, "msk-jmx-exporter-a.txt")))
	if err != nil {
		t.Fatal(err)
	}
	fams, err = p.TextToMetricFamilies(strings.NewReader(string(text)))
	if err != nil {
		t.Fatalf("filtered exposition: %v\n%s", err, text)
	}
	if fams["java_lang_Memory_HeapMemoryUsage_used"] != nil || strings.Contains(string(text), `topic="orders"`) {
		t.Errorf("filter kept lines it should drop:\n%s", text)
	}
	if fams[famReplicaManager] == nil || fams[famRequestMean] == nil {
		t.Errorf("filter dropped wanted families: %v", keys(fams))
	}
}

func keys(m map[string]*dto.MetricFamily) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Two scrapes 10 s apart of each fixture give the figures worked out in
// testdata/README.md.
func TestFixtureSample(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	t1 := t0.Add(10 * time.Second)
	var s report.BrokerSample
	for _, kind := range []string{"jmx", "node"} {
		a, err := parse(strings.NewReader(readFixture(t, "msk-"+kind+"-exporter-a.txt")), 1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := parse(strings.NewReader(readFixture(t, "msk-"+kind+"-exporter-b.txt")), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 1 || a[1] == nil || b[1] == nil {
			t.Fatalf("%s: brokers %v, want broker 1 only", kind, a)
		}
		fill(&s, a[1], b[1], t0, t1)
	}
	const mib = 1 << 20
	want := map[string]float64{
		"cpu_utilization":             0.55, // (4.5+1+4+1.5) s busy / (10 s × 2 CPUs)
		"network_rx_bytes_per_sec":    150 * mib,
		"network_tx_bytes_per_sec":    200 * mib, // lo excluded
		"disk_write_bytes_per_sec":    101 * mib, // both disks
		"disk_utilization":            0.42,      // the busier disk
		"bytes_in_per_sec":            50 * mib,
		"bytes_out_per_sec":           100 * mib,
		"messages_in_per_sec":         51200,
		"produce_requests_per_sec":    1000,
		"fetch_requests_per_sec":      200, // FetchConsumer, not FetchFollower
		"request_handler_idle":        0.75,
		"network_processor_idle":      0.8123,
		"produce_total_time_mean_ms":  4.0, // interval mean from Count and Mean
		"produce_total_time_p99_ms":   9,
		"produce_queue_time_mean_ms":  0.5,
		"produce_queue_time_p99_ms":   1,
		"fetch_total_time_mean_ms":    501,
		"fetch_total_time_p99_ms":     502,
		"fetch_queue_time_mean_ms":    0.25,
		"fetch_queue_time_p99_ms":     0.5,
		"under_replicated_partitions": 0,
		"partition_count":             612,
		"leader_count":                204,
		"produce_throttle_time_ms":    0,
		"fetch_throttle_time_ms":      0,
	}
	for _, name := range report.BrokerFigureNames() {
		got := s.BrokerFigure(name)
		w, ok := want[name]
		switch {
		case !ok && got != nil:
			t.Errorf("%s = %v, want not measured", name, *got)
		case ok && got == nil:
			t.Errorf("%s not measured, want %v", name, w)
		case ok && math.Abs(*got-w) > 1e-6*math.Max(1, math.Abs(w)):
			t.Errorf("%s = %v, want %v", name, *got, w)
		}
	}
}

func TestFillCounterReset(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a, b := newValues(), newValues()
	a.v[kBytesIn], b.v[kBytesIn] = 5000, 300 // broker restarted
	a.v[kBytesOut], b.v[kBytesOut] = 100, 400
	a.v[kParts], b.v[kParts] = 10, 12
	var s report.BrokerSample
	fill(&s, a, b, t0, t0.Add(2*time.Second))
	if s.BytesInPerSec == nil || *s.BytesInPerSec != 150 {
		t.Errorf("bytes in after a reset = %v, want 300 B / 2 s", s.BytesInPerSec)
	}
	if s.BytesOutPerSec == nil || *s.BytesOutPerSec != 150 {
		t.Errorf("bytes out = %v, want 150", s.BytesOutPerSec)
	}
	if s.PartitionCount == nil || *s.PartitionCount != 12 {
		t.Errorf("partitions = %v, want the last value 12", s.PartitionCount)
	}
	if s.CPUUtilization != nil || s.ProduceTotalTimeMeanMs != nil {
		t.Error("figures without data are set")
	}
	// No request completed in the interval: no mean, not 0.
	a.v[hkey("Produce", "TotalTimeMs", "count")], b.v[hkey("Produce", "TotalTimeMs", "count")] = 7, 7
	a.v[hkey("Produce", "TotalTimeMs", "mean")], b.v[hkey("Produce", "TotalTimeMs", "mean")] = 3, 3
	var s2 report.BrokerSample
	fill(&s2, a, b, t0, t0.Add(time.Second))
	if s2.ProduceTotalTimeMeanMs != nil {
		t.Errorf("mean with no request = %v, want nil", *s2.ProduceTotalTimeMeanMs)
	}
}

func TestEndpointTargets(t *testing.T) {
	got, err := EndpointTargets([]string{
		"http://b-3.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:11001/metrics",
		"http://b-3.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:11002",
		"http://kafka-a.internal:7071/metrics",
		"http://kafka-b.internal:7071/metrics",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		url    string
		broker int32
	}{
		{"http://b-3.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:11001/metrics", 3},
		{"http://b-3.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:11002/metrics", 3},
		{"http://kafka-a.internal:7071/metrics", 1},
		{"http://kafka-b.internal:7071/metrics", 2},
	}
	if len(got) != len(want) {
		t.Fatalf("targets = %+v", got)
	}
	for i, w := range want {
		if got[i].URL != w.url || got[i].Broker != w.broker {
			t.Errorf("target %d = %s broker %d, want %s broker %d", i, got[i].URL, got[i].Broker, w.url, w.broker)
		}
	}
	if _, err := EndpointTargets([]string{"b-1:11001", "ftp://x/"}); err == nil || !strings.Contains(err.Error(), `"b-1:11001"`) || !strings.Contains(err.Error(), "ftp://x/") {
		t.Errorf("err = %v, want both bad endpoints named", err)
	}
	om := OpenMonitoringTargets([]Broker{{ID: 2, Host: "b-2.demo.x.kafka.eu-west-1.amazonaws.com"}}, 0, 9100)
	if len(om) != 2 || om[0].URL != "http://b-2.demo.x.kafka.eu-west-1.amazonaws.com:11001/metrics" ||
		om[1].URL != "http://b-2.demo.x.kafka.eu-west-1.amazonaws.com:9100/metrics" || om[1].Broker != 2 {
		t.Errorf("open monitoring targets = %+v", om)
	}
}
