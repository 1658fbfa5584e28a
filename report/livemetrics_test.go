package report

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// liveSample feeds the intervals of the sample result's two steps.
func liveSample(t *testing.T) (*LiveMetrics, *Result) {
	t.Helper()
	r := sampleResult(t, false)
	m := NewLiveMetrics("smoke")
	for i := range r.Steps {
		m.SetStep(stepLabel(&r.Steps[i]), r.Steps[i].Throughput.OfferedMsgsPerSec)
		for _, iv := range r.Steps[i].Timeline {
			m.Update(iv)
		}
	}
	return m, r
}

func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range labels {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("%s has no metric with labels %v", name, labels)
	return 0
}

// The Prometheus text exposition parses with expfmt's own parser and
// carries the counters, rates, errors and latency quantiles.
func TestLiveMetricsText(t *testing.T) {
	m, r := liveSample(t)
	var b bytes.Buffer
	if err := m.Write(&b, expfmt.NewFormat(expfmt.TypeTextPlain)); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(&b)
	if err != nil {
		t.Fatalf("expfmt cannot parse the exposition: %v", err)
	}
	var acked, failed int64
	for _, s := range r.Steps {
		acked += s.Counters.Acked
		failed += s.Counters.Failed
	}
	if got := metricValue(t, fams, "mskbench_messages_acked_total", nil); got != float64(acked) {
		t.Errorf("acked_total %v, want %d", got, acked)
	}
	if got := metricValue(t, fams, "mskbench_messages_failed_total", nil); got != float64(failed) {
		t.Errorf("failed_total %v, want %d", got, failed)
	}
	if got := metricValue(t, fams, "mskbench_message_errors_total", map[string]string{"error": "timeout"}); got != 2 {
		t.Errorf("errors{timeout} %v, want 2", got)
	}
	last := r.Steps[1].Timeline[len(r.Steps[1].Timeline)-1]
	if got := metricValue(t, fams, "mskbench_info", map[string]string{"scenario": "smoke", "step": "rate=2000/s", "phase": last.Phase}); got != 1 {
		t.Errorf("info %v", got)
	}
	if got := metricValue(t, fams, "mskbench_offered_messages_per_second", map[string]string{"step": "rate=2000/s"}); got != 2000 {
		t.Errorf("offered rate %v, want 2000", got)
	}
	// The last interval with samples: feed a measure interval again and check its p99.
	iv := r.Steps[1].Timeline[1]
	m.Update(iv)
	b.Reset()
	if err := m.Write(&b, expfmt.NewFormat(expfmt.TypeTextPlain)); err != nil {
		t.Fatal(err)
	}
	if fams, err = p.TextToMetricFamilies(&b); err != nil {
		t.Fatal(err)
	}
	want := iv.PublishP99Ms / 1000
	if got := metricValue(t, fams, "mskbench_interval_latency_seconds", map[string]string{"kind": "publish", "quantile": "0.99", "phase": "measure"}); math.Abs(got-want) > 1e-12 {
		t.Errorf("publish p99 %v s, want %v", got, want)
	}
	for _, kind := range HistogramNames() {
		if h, ok, _ := iv.Histogram(kind); ok && h.Count() > 0 { // a kind without samples has no series
			metricValue(t, fams, "mskbench_interval_latency_seconds", map[string]string{"kind": kind, "quantile": "0.5"})
		}
	}
	if got := metricValue(t, fams, "mskbench_acked_messages_per_second", nil); got != iv.MsgsPerSec {
		t.Errorf("acked rate %v, want %v", got, iv.MsgsPerSec)
	}
}

// The handler negotiates OpenMetrics, which expfmt's OpenMetrics decoder
// reads, and plain text otherwise.
func TestLiveMetricsHandler(t *testing.T) {
	m, _ := liveSample(t)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("content type %q, want OpenMetrics", ct)
	}
	if !bytes.HasSuffix(body, []byte("# EOF\n")) {
		t.Errorf("OpenMetrics exposition does not end in # EOF:\n%s", body)
	}
	dec := expfmt.NewDecoder(bytes.NewReader(body), expfmt.FmtOpenMetrics_1_0_0)
	names := map[string]bool{}
	for {
		var f dto.MetricFamily
		err := dec.Decode(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("expfmt's OpenMetrics decoder: %v\n%s", err, body)
		}
		names[f.GetName()] = true
	}
	for _, n := range []string{"mskbench_messages_acked", "mskbench_consumer_lag_messages", "mskbench_info"} {
		if !names[n] && !names[n+"_total"] {
			t.Errorf("OpenMetrics lacks %s; has %v", n, names)
		}
	}
	resp, err = srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("default content type %q, want text/plain", ct)
	}
}

// PushMetrics PUTs the text format to the group URL of a Pushgateway; a
// loopback server parses what it receives.
func TestPushMetrics(t *testing.T) {
	m, _ := liveSample(t)
	var got map[string]*dto.MetricFamily
	var method, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, path = r.Method, r.URL.Path
		p := expfmt.NewTextParser(model.UTF8Validation)
		var err error
		if got, err = p.TextToMetricFamilies(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	u := PushURL(srv.URL+"/", "mskbench", "loadgen 1")
	if err := PushMetrics(context.Background(), srv.Client(), u, m); err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPut || path != "/metrics/job/mskbench/instance/loadgen 1" {
		t.Errorf("push: %s %s", method, path)
	}
	if _, ok := got["mskbench_messages_acked_total"]; !ok {
		t.Errorf("pushed metrics lack the acked counter: %v", got)
	}
	if PushURL("http://gw:9091/metrics/job/x", "y", "") != "http://gw:9091/metrics/job/x" {
		t.Error("a full group URL is not kept")
	}
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer fail.Close()
	if err := PushMetrics(context.Background(), fail.Client(), fail.URL, m); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("push to a failing gateway: %v", err)
	}
}
