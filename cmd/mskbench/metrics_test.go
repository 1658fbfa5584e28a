package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/mskbench/mskbench/report"
)

// ":port" serves on loopback only, and the endpoint answers a scrape.
func TestLiveMetricsListen(t *testing.T) {
	f := &liveFlags{listen: ":0"}
	var logged []string
	l, err := f.start("quickstart", func(format string, a ...any) { logged = append(logged, format) })
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	if !strings.HasPrefix(l.addr, "127.0.0.1:") {
		t.Errorf("listening on %s, want loopback", l.addr)
	}
	resp, err := http.Get("http://" + l.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil || fams["mskbench_info"] == nil {
		t.Errorf("scrape: %v\n%s", err, body)
	}
	if len(logged) == 0 || !strings.Contains(logged[0], "live metrics at") {
		t.Errorf("address not printed: %v", logged)
	}
	if _, err := (&liveFlags{push: "gateway:9091"}).start("x", t.Logf); err == nil {
		t.Error("--push without a scheme: no error")
	}
	if l, err := (&liveFlags{}).start("x", t.Logf); l != nil || err != nil {
		t.Errorf("no flags: %v, %v; want nothing", l, err)
	}
}

// A real run pushes its final figures to a Pushgateway (a loopback server
// that parses what it receives): the acked counter matches the result.
func TestRunPushesMetrics(t *testing.T) {
	var mu sync.Mutex
	var got map[string]*dto.MetricFamily
	var path string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got, path = fams, r.URL.Path
		mu.Unlock()
	}))
	defer gw.Close()
	out := t.TempDir() + "/r.json"
	_, stderr, err := runCLI(t, "run", "quickstart", "--embedded", "-q", "--duration", "1s", "--warmup", "0s",
		"-o", out, "--push", gw.URL, "--metrics-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(path, "/metrics/job/mskbench/instance/") {
		t.Errorf("pushed to %q", path)
	}
	acked := got["mskbench_messages_acked_total"]
	if acked == nil || acked.GetMetric()[0].GetCounter().GetValue() <= 0 {
		t.Fatalf("pushed metrics lack a positive acked counter: %v", got)
	}
	res, err := report.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if v := acked.GetMetric()[0].GetCounter().GetValue(); v != float64(res.Steps[0].Counters.Acked) {
		t.Errorf("pushed acked_total %v, the result acked %d (no warm-up)", v, res.Steps[0].Counters.Acked)
	}
	if !strings.Contains(stderr, "live metrics at http://127.0.0.1:") || !strings.Contains(stderr, "metrics pushed to") {
		t.Errorf("stderr lacks the metrics address or the push:\n%s", stderr)
	}
}
