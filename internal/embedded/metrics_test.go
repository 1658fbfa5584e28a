package embedded

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// /metrics is valid Prometheus text (parsed by expfmt) with one series per
// broker of every per-broker family, and counts a produced record.
func TestMetricsHandler(t *testing.T) {
	c, err := Start(Config{Brokers: 2, Metrics: true, Opts: []kfake.Opt{kfake.SeedTopics(1, "m")}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.AllowAutoTopicCreation(), kgo.DefaultProduceTopic("m"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	c.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("expfmt: %v", err)
	}
	for _, name := range []string{"info", "bytes_in_total", "records_in_total", "bytes_out_total", "records_out_total", "produce_requests_total",
		"fetch_requests_total", "network_receive_bytes_total", "network_transmit_bytes_total", "partitions", "leaders"} {
		mf := fams["mskbench_broker_"+name]
		if mf == nil || len(mf.GetMetric()) != 2 {
			t.Errorf("family mskbench_broker_%s: %v, want one series per broker", name, mf)
		}
	}
	if fams["mskbench_broker_process_cpus"] == nil {
		t.Error("no process_cpus")
	}
	var records float64
	for _, m := range fams["mskbench_broker_records_in_total"].GetMetric() {
		records += m.GetCounter().GetValue()
	}
	if records != 1 {
		t.Errorf("records in = %v, want 1", records)
	}
}

func TestMetricsOff(t *testing.T) {
	c := ForTest(t, 1)
	if c.Counters() != nil {
		t.Error("counters without Config.Metrics")
	}
	rec := httptest.NewRecorder()
	c.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d, want 404", rec.Code)
	}
	if _, err := c.ServeMetrics(":0"); err == nil {
		t.Error("ServeMetrics without Config.Metrics did not fail")
	}
}
