package monitor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mskbench/mskbench/report"
)

// fixtureServer serves scrape a first, then b for every later request.
func fixtureServer(t *testing.T, a, b string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		if n.Add(1) == 1 {
			_, _ = w.Write([]byte(a))
			return
		}
		_, _ = w.Write([]byte(b))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// waitScrapes waits until every endpoint of m has n scrapes (ok or not),
// calling Tick while it waits when tick is set.
func waitScrapes(t *testing.T, m *Monitor, n int, tick bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		done := true
		for _, ep := range m.eps {
			ep.mu.Lock()
			if len(ep.hist) < n {
				done = false
			}
			ep.mu.Unlock()
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d scrapes per endpoint after 30 s", n)
		}
		if tick {
			m.Tick()
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runMonitor runs m until the returned stop is called; stop waits for Run
// to return and fails the test on its error.
func runMonitor(t *testing.T, m *Monitor) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
}

func history(m *Monitor, i int) []scrape {
	ep := m.eps[i]
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]scrape(nil), ep.hist...)
}

// The monitor scrapes a JMX and a node exporter over loopback and turns
// two scrapes into one sample per broker, with rates over the scrapes'
// real times.
func TestMonitorScrapesOpenMonitoringEndpoints(t *testing.T) {
	jmx, _ := fixtureServer(t, readFixture(t, "msk-jmx-exporter-a.txt"), readFixture(t, "msk-jmx-exporter-b.txt"))
	node, _ := fixtureServer(t, readFixture(t, "msk-node-exporter-a.txt"), readFixture(t, "msk-node-exporter-b.txt"))
	m, err := New(Config{
		Targets:  []Target{{URL: jmx.URL + "/metrics", Broker: 1, Host: "b-1"}, {URL: node.URL + "/metrics", Broker: 1, Host: "b-1"}},
		Interval: time.Hour, // only Tick scrapes after the first
		Timeout:  10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	// Exactly two scrapes per endpoint: the one Run starts with, and one
	// Tick (the interval is an hour).
	waitScrapes(t, m, 1, false)
	m.Tick()
	waitScrapes(t, m, 2, false)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	jh, nh := history(m, 0), history(m, 1)
	if len(jh) != 2 || len(nh) != 2 {
		t.Fatalf("%d and %d scrapes, want 2 each", len(jh), len(nh))
	}
	for _, h := range [][]scrape{jh, nh} {
		if h[0].err != nil || h[1].err != nil {
			t.Fatalf("scrape errors: %v, %v", h[0].err, h[1].err)
		}
	}
	// One interval from the first scrape to the last: each endpoint's
	// first scrape is the nearest to its start, its second to its end.
	iv := report.Interval{Start: minTime(jh[0].at, nh[0].at), End: maxTime(jh[1].at, nh[1].at), Phase: "measure"}
	got := m.Metrics([]report.Interval{iv})
	if got.Source != report.BrokerSourceOpenMonitoring {
		t.Errorf("source = %q", got.Source)
	}
	if len(got.Brokers) != 1 || got.Brokers[0].ID != 1 || got.Brokers[0].Host != "b-1" || len(got.Brokers[0].Samples) != 1 {
		t.Fatalf("brokers = %+v, want broker 1 with one sample", got.Brokers)
	}
	s := got.Brokers[0].Samples[0]
	if s.Phase != "measure" || !s.End.Equal(iv.End) {
		t.Errorf("sample interval %v..%v %q, want the interval's", s.Start, s.End, s.Phase)
	}
	dt := jh[1].at.Sub(jh[0].at).Seconds()
	if want := (1.2869966e10 - 1.2345678e10) / dt; s.BytesInPerSec == nil || !relNear(*s.BytesInPerSec, want) {
		t.Errorf("bytes in = %v, want %v (over the scrapes' %.6f s)", s.BytesInPerSec, want, dt)
	}
	if s.PartitionCount == nil || *s.PartitionCount != 612 {
		t.Errorf("partition count = %v", s.PartitionCount)
	}
	// The node exporter's figures are in the same sample.
	if s.NetworkTxBytesPerSec == nil || s.CPUUtilization == nil {
		t.Errorf("node exporter figures missing: tx %v cpu %v", s.NetworkTxBytesPerSec, s.CPUUtilization)
	}
	if len(got.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", got.Warnings)
	}
	for _, mm := range got.Missing {
		if mm.Metric == "bytes_in_per_sec" || mm.Metric == "cpu_utilization" {
			t.Errorf("missing lists a measured figure: %+v", mm)
		}
	}
	if err := m.Run(context.Background()); err == nil {
		t.Error("a second Run did not fail")
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func relNear(a, b float64) bool { d := a - b; return d < 1e-6*b && -d < 1e-6*b }

// A failing endpoint and one slower than the timeout become warnings; Run
// still stops at once when its context ends, and Tick never blocks.
func TestMonitorFailingAndSlowEndpoints(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "exporter down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	release := make(chan struct{})
	var once sync.Once
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers before the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer once.Do(func() { close(release) })

	m, err := New(Config{Source: report.BrokerSourcePrometheus,
		Targets:  []Target{{URL: failing.URL + "/metrics", Broker: 1}, {URL: slow.URL + "/metrics", Broker: 2}},
		Interval: time.Hour, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := runMonitor(t, m)
	for range 100 {
		m.Tick() // must not block however many ticks queue up
	}
	waitScrapes(t, m, 2, true)
	got := m.Metrics(nil)
	stop()
	if len(got.Brokers) != 0 {
		t.Errorf("brokers = %+v, want none", got.Brokers)
	}
	joined := strings.Join(got.Warnings, "\n")
	if !strings.Contains(joined, failing.URL+"/metrics: ") || !strings.Contains(joined, "503") {
		t.Errorf("warnings %q do not name the failing endpoint and its status", got.Warnings)
	}
	if !strings.Contains(joined, slow.URL+"/metrics: ") || !strings.Contains(joined, "deadline exceeded") {
		t.Errorf("warnings %q do not report the slow endpoint's timeout", got.Warnings)
	}
	if len(got.Missing) == 0 || got.Missing[0].Reason != "no successful scrape during the step" {
		t.Errorf("missing = %+v", got.Missing)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{Source: "jmx", Interval: time.Second, Timeout: 2 * time.Second})
	for _, want := range []string{`source "jmx"`, "shorter than the interval", "no endpoints"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
}

// Await returns once every endpoint has a scrape that started at or after
// the time given, asking for it with Tick (the interval is an hour, so
// only Tick can bring it).
func TestMonitorAwait(t *testing.T) {
	srv, _ := fixtureServer(t, readFixture(t, "msk-jmx-exporter-a.txt"), readFixture(t, "msk-jmx-exporter-b.txt"))
	m, err := New(Config{Targets: []Target{{URL: srv.URL + "/metrics", Broker: 1}, {URL: srv.URL + "/other", Broker: 2}},
		Interval: time.Hour, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	stop := runMonitor(t, m)
	waitScrapes(t, m, 1, false)
	after := time.Now()
	actx, acancel := context.WithTimeout(context.Background(), 30*time.Second)
	if err := m.Await(actx, after); err != nil {
		t.Fatalf("Await: %v", err)
	}
	acancel()
	for i := range m.eps {
		h := history(m, i)
		last := h[len(h)-1]
		if start := last.at.Add(-last.took / 2); start.Before(after) {
			t.Errorf("endpoint %d: last scrape started %s, before %s", i, start, after)
		}
	}
	// An endpoint that already has one returns at once, without a new scrape.
	n := len(history(m, 0))
	if err := m.Await(context.Background(), after); err != nil || len(history(m, 0)) != n {
		t.Errorf("second Await: %v, %d scrapes, want %d", err, len(history(m, 0)), n)
	}
	stop()
	// With Run stopped nothing scrapes: Await ends with its context.
	expired, ecancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer ecancel()
	if err := m.Await(expired, time.Now().Add(time.Hour)); err == nil {
		t.Error("Await after Run ended returned nil")
	}
}
