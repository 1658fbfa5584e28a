package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/cwtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/monitor"
	"github.com/mskbench/mskbench/report"
)

// runResult runs `mskbench run args... -o FILE` and returns the result
// file and the summary printed.
func runResult(t *testing.T, args ...string) (*report.Result, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	stdout, stderr, err := runCLI(t, append(append([]string{"run"}, args...), "-q", "-o", out)...)
	if err != nil {
		t.Fatalf("run %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	res, err := report.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return res, stdout, out
}

// renderAll renders the result file as HTML and CSV with `mskbench report`.
func renderAll(t *testing.T, file string) (html string, rows []map[string]string) {
	t.Helper()
	h, stderr, err := runCLI(t, "report", file, "--format", "html")
	if err != nil {
		t.Fatalf("report --format html: %v\n%s", err, stderr)
	}
	c, stderr, err := runCLI(t, "report", file, "--format", "csv")
	if err != nil {
		t.Fatalf("report --format csv: %v\n%s", err, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(c)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("csv: %v, %d records", err, len(recs))
	}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, k := range recs[0] {
			m[k] = r[i]
		}
		rows = append(rows, m)
	}
	return h, rows
}

// wantContains fails the test for every want text does not hold, and
// shows (the start of) text once.
func wantContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	missing := false
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", what, want)
			missing = true
		}
	}
	if missing {
		t.Logf("%s:\n%s", what, text[:min(len(text), 4000)])
	}
}

// sampleSeconds is the time a sample's rates were measured over.
func sampleSeconds(s report.BrokerSample) float64 {
	if s.ScrapedFrom != nil && s.ScrapedTo != nil {
		return s.ScrapedTo.Sub(*s.ScrapedFrom).Seconds()
	}
	return s.End.Sub(s.Start).Seconds()
}

// A run on the embedded cluster scrapes its /metrics beside the step
// (source mskbench_broker) and shows broker CPU, network and bytes per
// broker in the summary, the result, the HTML report and the CSV. The
// records and bytes the brokers counted match what the clients
// acknowledged: every sample's counts are those between the scrapes
// nearest to its interval's bounds, so over the step they differ from the
// client's count (acknowledged in the measure and drain intervals) by at
// most the messages of the first and the last interval; the bytes are
// record batches as stored, the clients' key + value plus Kafka's framing.
// Without a warm-up: warm-up messages a slow generator delivers after the
// measure phase began count for the brokers, not for the clients (which
// classify by intended send time).
func TestRunEmbeddedBrokerMetrics(t *testing.T) {
	res, summary, file := runResult(t, "quickstart", "--duration", "2s", "--warmup", "0s")
	st := res.Steps[0]
	if len(st.Brokers) != 1 {
		t.Fatalf("step brokers: %d sources, want 1", len(st.Brokers))
	}
	bm := st.Brokers[0]
	if bm.Source != report.BrokerSourceMSKBenchBroker || len(bm.Brokers) != 3 || bm.Summary == nil {
		t.Fatalf("source %q, %d brokers, summary %v; want mskbench_broker, 3, a summary", bm.Source, len(bm.Brokers), bm.Summary)
	}
	// A slow or failed scrape is a warning, not an error: on a busy machine
	// an interval may have no sample (no scrape near its bounds). Its
	// records are then missing from the brokers' sum, and the bound below
	// widens by that interval's messages.
	for _, w := range bm.Warnings {
		t.Logf("scrape warning: %s", w)
	}
	gaps := map[int]bool{}
	var records, bytesIn float64
	for _, b := range bm.Brokers {
		if len(b.Samples) > len(st.Timeline) {
			t.Fatalf("broker %d: %d samples for %d intervals", b.ID, len(b.Samples), len(st.Timeline))
		}
		var brokerBytes float64
		leaders := -1.0 // the most partitions the broker led in any sample
		measured := 0
		for i := range st.Timeline {
			if i >= len(b.Samples) || b.Samples[i].MessagesInPerSec == nil {
				gaps[i] = true
				continue
			}
			s := b.Samples[i]
			if !s.End.Equal(st.Timeline[i].End) || s.Phase != st.Timeline[i].Phase {
				t.Errorf("broker %d sample %d: %s %s, want the interval's %s %s", b.ID, i, s.End, s.Phase, st.Timeline[i].End, st.Timeline[i].Phase)
			}
			for name, p := range map[string]*float64{"cpu": s.CPUUtilization, "network rx": s.NetworkRxBytesPerSec,
				"network tx": s.NetworkTxBytesPerSec, "bytes in": s.BytesInPerSec} {
				if p == nil {
					t.Fatalf("broker %d sample %d: %s not measured", b.ID, i, name)
				}
			}
			measured++
			records += *s.MessagesInPerSec * sampleSeconds(s)
			brokerBytes += *s.BytesInPerSec * sampleSeconds(s)
			if s.LeaderCount != nil {
				leaders = max(leaders, *s.LeaderCount)
			}
		}
		if measured == 0 {
			t.Fatalf("broker %d: no sample (warnings %q)", b.ID, bm.Warnings)
		}
		// kfake spreads the leaders at random: a broker takes bytes in
		// exactly when it leads partitions.
		if leaders < 0 || (leaders > 0) != (brokerBytes > 0) {
			t.Errorf("broker %d: led at most %v partitions (-1: never measured), %.0f bytes in", b.ID, leaders, brokerBytes)
		}
		bytesIn += brokerBytes
	}
	acked := float64(st.Counters.Acked)
	gaps[0], gaps[len(st.Timeline)-1] = true, true
	var tol float64
	for i := range gaps {
		tol += float64(st.Timeline[i].Acked)
	}
	if math.Abs(records-acked) > tol {
		t.Errorf("brokers counted %.0f records, clients acknowledged %.0f (want within %.0f: the first and last interval, and intervals without a sample)", records, acked, tol)
	}
	// Per record the brokers store the client's key + value and at most
	// ~100 bytes of record and batch framing (uncompressed).
	perRecord := float64(st.Counters.AckedBytes) / acked
	if records == 0 || bytesIn < records*perRecord*0.999 || bytesIn > records*(perRecord+100) {
		t.Errorf("brokers counted %.0f bytes for %.0f records; want %.0f B (key + value) each plus < 100 B framing", bytesIn, records, perRecord)
	}
	if bm.Summary.Binding != report.BrokerResourceCPU || bm.Summary.Peaks["cpu_utilization"].Value <= 0 {
		t.Errorf("summary binding %q, cpu peak %v", bm.Summary.Binding, bm.Summary.Peaks["cpu_utilization"])
	}

	wantContains(t, "summary", summary, "Brokers in step #1 (mskbench_broker, 3 brokers", "CPU PEAK", "NET RX MiB/s", "IN MiB", "— binding")
	html, rows := renderAll(t, file)
	wantContains(t, "html", html, "<title>Broker CPU</title>", "<title>Broker network</title>", "Brokers: mskbench_broker", "broker 2 tx")
	row := rows[0]
	if row["broker_sources"] != "mskbench_broker" || row["broker_binding"] != "cpu" || row["broker_cpu_max"] == "" || row["broker_max_network_rx_bytes_per_sec"] == "" {
		t.Errorf("csv broker columns: %v", row)
	}
	if got := strings.Count(row["broker_bytes_in"], "="); got != 3 {
		t.Errorf("csv broker_bytes_in %q: want 3 brokers", row["broker_bytes_in"])
	}
	// Checks read the broker figures.
	if _, stderr, err := runCLI(t, "report", file, "--check", "broker_cpu_max <= 100", "--check", "broker_max_bytes_in_per_sec > 0"); err != nil {
		t.Errorf("checks on broker figures failed: %v\n%s", err, stderr)
	}
}

// fixtureGap is the time between the recorded scrapes a and b of the
// exporter fixtures (monitor/testdata/README.md).
const fixtureGap = 10 * time.Second

// exporterReplay serves a recorded exposition pair at the pace it was
// recorded: every counter (a _Count or _total family) grows from its value
// in a by its recorded difference b − a every fixtureGap of wall time, so
// the rates a scraper computes are the recorded ones whatever the scrape
// times; gauges are a's on the first scrape and b's after it.
func exporterReplay(t *testing.T, a, b string) *httptest.Server {
	t.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		t.Fatalf("fixtures differ in length")
	}
	start := time.Now()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := n.Add(1) == 1
		k := time.Since(start).Seconds() / fixtureGap.Seconds()
		var out strings.Builder
		for i, la := range al {
			lb := bl[i]
			sa, sb := strings.LastIndexByte(la, ' '), strings.LastIndexByte(lb, ' ')
			if strings.HasPrefix(la, "#") || sa < 0 || sb < 0 {
				out.WriteString(la + "\n")
				continue
			}
			va, erra := strconv.ParseFloat(la[sa+1:], 64)
			vb, errb := strconv.ParseFloat(lb[sb+1:], 64)
			if erra != nil || errb != nil {
				out.WriteString(la + "\n")
				continue
			}
			name := la[:sa]
			if j := strings.IndexByte(name, '{'); j >= 0 {
				name = name[:j]
			}
			v := vb
			switch {
			case strings.HasSuffix(name, "_Count") || strings.HasSuffix(name, "_total"):
				v = va + k*(vb-va)
			case first:
				v = va
			}
			fmt.Fprintf(&out, "%s %s\n", la[:sa], strconv.FormatFloat(v, 'g', -1, 64))
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(out.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "monitor", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// open_monitoring: true scrapes the JMX and node exporters on the ports
// given of every broker host of the cluster metadata (127.0.0.1 for the
// in-process cluster), here serving MSK's recorded exposition text on
// loopback: the same sections as with the in-process counters, from the
// open-monitoring family names.
func TestRunOpenMonitoringFixtures(t *testing.T) {
	c := embedded.ForTest(t, 1)
	jmx := exporterReplay(t, readFixture(t, "msk-jmx-exporter-a.txt"), readFixture(t, "msk-jmx-exporter-b.txt"))
	node := exporterReplay(t, readFixture(t, "msk-node-exporter-a.txt"), readFixture(t, "msk-node-exporter-b.txt"))
	res, summary, file := runResult(t, "quickstart", "--brokers", c.Addrs()[0], "--duration", "2s", "--warmup", "1s",
		"--set", "topics.replication_factor=1", "--set", "cluster.instance_type=kafka.m7g.large",
		"--set", "cluster.monitoring.open_monitoring=true",
		"--set", "cluster.monitoring.jmx_port="+port(t, jmx), "--set", "cluster.monitoring.node_port="+port(t, node))
	st := res.Steps[0]
	if len(st.Brokers) != 1 || st.Brokers[0].Source != report.BrokerSourceOpenMonitoring {
		t.Fatalf("broker sources %+v, want open_monitoring", st.Brokers)
	}
	bm := st.Brokers[0]
	if len(bm.Brokers) != 1 || bm.Brokers[0].Host != "127.0.0.1" || len(bm.Brokers[0].Samples) == 0 {
		t.Fatalf("brokers %+v, want broker 0 on 127.0.0.1 with samples", bm.Brokers)
	}
	// The recorded rates (monitor/testdata/README.md): exactly in
	// proportion to each other within one exporter's scrape, and, over the
	// 1 s intervals of the measure phase, each within the jitter of the
	// scrape times (the client's) against the server's clock.
	// (An interval without a scrape near its bounds, on a busy machine, has
	// no figures: a warning of the source, skipped here.)
	measured := 0
	for i, s := range bm.Brokers[0].Samples {
		if s.BytesInPerSec == nil || s.BytesOutPerSec == nil || s.NetworkRxBytesPerSec == nil || s.NetworkTxBytesPerSec == nil {
			t.Logf("sample %d lacks bytes or network figures (warnings %q)", i, bm.Warnings)
			continue
		}
		if r := *s.BytesOutPerSec / *s.BytesInPerSec; math.Abs(r-2) > 1e-9 {
			t.Errorf("sample %d: bytes out / in = %v, want 2 (100 / 50 MiB/s)", i, r)
		}
		if r := *s.NetworkTxBytesPerSec / *s.NetworkRxBytesPerSec; math.Abs(r-4.0/3) > 1e-9 {
			t.Errorf("sample %d: network tx / rx = %v, want 4/3 (200 / 150 MiB/s)", i, r)
		}
		if s.Phase != report.PhaseMeasure {
			continue // the drain's last interval may be a few ms long
		}
		measured++
		for name, f := range map[string]struct {
			p    *float64
			want float64
		}{
			"cpu": {s.CPUUtilization, 0.55}, "network rx": {s.NetworkRxBytesPerSec, 150 * report.MiB}, "network tx": {s.NetworkTxBytesPerSec, 200 * report.MiB},
			"disk write": {s.DiskWriteBytesPerSec, 101 * report.MiB}, "disk utilisation": {s.DiskUtilization, 0.42},
			"bytes in": {s.BytesInPerSec, 50 * report.MiB}, "bytes out": {s.BytesOutPerSec, 100 * report.MiB},
			"request handler idle": {s.RequestHandlerIdle, 0.75}, "produce p99": {s.ProduceTotalTimeP99Ms, 9}, "partitions": {s.PartitionCount, 612},
		} {
			if f.p == nil || math.Abs(*f.p-f.want) > 0.25*f.want {
				t.Errorf("sample %d: %s = %v, want %v ± 25%%", i, name, f.p, f.want)
			}
		}
	}
	if measured == 0 {
		t.Fatalf("no measure-phase sample with figures: %+v (warnings %q)", bm.Brokers[0].Samples, bm.Warnings)
	}
	// kafka.m7g.large has a NIC and an EBS throughput in the catalogue: the
	// network is ranked too.
	var resources []string
	for _, u := range bm.Summary.Utilization {
		resources = append(resources, u.Resource)
	}
	if got := strings.Join(resources, ","); !strings.Contains(got, "cpu") || !strings.Contains(got, "network") || !strings.Contains(got, "disk") {
		t.Errorf("utilisation of %s, want cpu, disk and network", got)
	}
	wantContains(t, "summary", summary, "Brokers in step #1 (open_monitoring, 1 brokers", "0 (127.0.0.1)", "utilisation: ", "network")
	html, rows := renderAll(t, file)
	wantContains(t, "html", html, "<title>Broker CPU</title>", "<title>Broker throttle</title>", "Brokers: open_monitoring", "broker 0 produce")
	if row := rows[0]; row["broker_sources"] != "open_monitoring" || row["broker_network_mean"] == "" || row["broker_request_handler_idle_min"] == "" {
		t.Errorf("csv broker columns: %v", row)
	}
}

// risingCPU serves a node exporter whose two CPUs' busy time grows so that
// their utilisation rises linearly from 0 at start to 100% after rampUp:
// busy(t) = CPUs × t² / (2 × rampUp), so each later scrape sees more CPU.
func risingCPU(t *testing.T, rampUp time.Duration) *httptest.Server {
	t.Helper()
	start := time.Now()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		x := time.Since(start).Seconds()
		T := rampUp.Seconds()
		busy := x * x / (2 * T)
		if x > T {
			busy = T/2 + (x - T)
		}
		var b bytes.Buffer
		b.WriteString("# TYPE node_cpu_seconds_total counter\n")
		for cpu := range 2 {
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"idle\"} %g\n", cpu, 1000+x-busy)
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"user\"} %g\n", cpu, 500+busy*0.8)
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"system\"} %g\n", cpu, 100+busy*0.2)
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A ramp with max_broker_cpu stops at the first step whose busiest broker's
// mean CPU is above the limit, and the verdict names the signal. The
// brokers' CPU comes from a node exporter on loopback whose CPU rises over
// time, so the ramp must stop on it long before its max rate.
func TestRampStopsOnBrokerCPU(t *testing.T) {
	c := embedded.ForTest(t, 1)
	node := risingCPU(t, 10*time.Second)
	dir := t.TempDir()
	scen := filepath.Join(dir, "ramp.yaml")
	if err := os.WriteFile(scen, []byte(`name: ramp-cpu
cluster:
  monitoring:
    prometheus: [`+node.URL+`/metrics]
topics: {partitions: 1, replication_factor: 1}
producers: {workers: 1, message_size: 100B}
consumers: {groups: 0}
phases: {warmup: 0s, duration: 1s, report_interval: 250ms, drain_timeout: 5s}
ramp:
  start: 100/s
  step: 100/s
  max: 10000/s
  min_achieved_ratio: 0.5
  max_broker_cpu: 60%
`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, summary, _ := runResult(t, scen, "--brokers", c.Addrs()[0])
	if len(res.Limits) != 1 {
		t.Fatalf("limits %+v", res.Limits)
	}
	l := res.Limits[0]
	// A machine too busy to send even 100 msgs/s on time makes a step
	// generator bound, and a generator-bound step stops a ramp: then the
	// limit must say the generator capped it, at that step.
	if last := res.Steps[len(res.Steps)-1]; last.LimitedBy() == report.LimitGenerator && !strings.Contains(l.StopReason, "broker CPU") {
		t.Logf("this machine was too busy: %s was generator bound (%+v)", last.Label, *last.Generator)
		if l.CappedBy != report.LimitGenerator || l.StoppedAt != last.Ramp.Rate || last.Ramp.Passed {
			t.Fatalf("limit %+v: want the ramp capped by the generator at %s", l, last.Ramp.Rate)
		}
		return
	}
	if l.ReachedMax || l.StoppedAt == "" || !strings.Contains(l.StopReason, "broker CPU") || !strings.Contains(l.StopReason, "above the 60% limit") {
		t.Fatalf("limit %+v: want a stop on broker CPU", l)
	}
	if l.Criteria.MaxBrokerCPU != 0.6 {
		t.Errorf("criteria %+v", l.Criteria)
	}
	for i, st := range res.Steps {
		cpu, ok := st.Aggregates()["broker_cpu_mean"]
		if !ok || st.Ramp == nil {
			t.Fatalf("step %d: broker cpu %v (%t), ramp %+v", i, cpu, ok, st.Ramp)
		}
		last := i == len(res.Steps)-1
		switch {
		case !last && (!st.Ramp.Passed || cpu > 60):
			t.Errorf("step %d passed %t with broker CPU %.1f%%: want passed below 60%%", i, st.Ramp.Passed, cpu)
		case last && (st.Ramp.Passed || cpu <= 60):
			t.Errorf("last step passed %t with broker CPU %.1f%%: want failed above 60%%", st.Ramp.Passed, cpu)
		}
	}
	if !strings.Contains(summary, "broker CPU ≤ 60%") {
		t.Errorf("summary does not state the criterion:\n%s", summary)
	}
}

// cloudwatch: true reads the AWS/Kafka metrics of every broker of the
// metadata after the step, through the real SDK client (static
// credentials, no instance metadata) against a loopback endpoint.
func TestRunCloudWatch(t *testing.T) {
	c := embedded.ForTest(t, 1)
	f := &cwtest.Fake{Points: func(metric, broker string, from, to time.Time) map[int64]float64 {
		v := map[string]float64{"CpuUser": 31, "CpuSystem": 6, "BytesInPerSec": 2e5, "BurstBalance": 87.5, "UnderReplicatedPartitions": 0}
		x, ok := v[metric]
		if !ok || broker != "0" {
			return nil
		}
		return map[int64]float64{from.Unix(): x}
	}, MonitoringLevel: "DEFAULT"}
	url := cwtest.Start(t, f)
	t.Setenv("AWS_ENDPOINT_URL", url)
	const arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/bench/abc-1"
	res, summary, file := runResult(t, "quickstart", "--brokers", c.Addrs()[0], "--duration", "1s", "--warmup", "0s",
		"--set", "topics.replication_factor=1", "--set", "cluster.auth.cluster_arn="+arn,
		"--set", "cluster.instance_type=kafka.m7g.large", "--set", "cluster.monitoring.cloudwatch=true")
	if f.Calls() == 0 {
		t.Fatal("GetMetricData was never called")
	}
	for _, q := range f.Queries() {
		if q.Cluster != "bench" || (q.Broker != "0" && q.Metric != "StorageUsed") {
			t.Errorf("query %+v: want cluster bench, broker 0", q)
		}
	}
	st := res.Steps[0]
	if len(st.Brokers) != 1 || st.Brokers[0].Source != report.BrokerSourceCloudWatch {
		t.Fatalf("sources %+v, want cloudwatch", st.Brokers)
	}
	bm := st.Brokers[0]
	if len(bm.Brokers) != 1 || len(bm.Brokers[0].Samples) != 1 {
		t.Fatalf("brokers %+v", bm.Brokers)
	}
	s := bm.Brokers[0].Samples[0]
	if s.CPUUtilization == nil || math.Abs(*s.CPUUtilization-0.37) > 1e-9 || s.BurstBalance == nil || *s.BurstBalance != 0.875 {
		t.Errorf("sample %+v: want cpu 0.37, burst balance 0.875", s)
	}
	// The level read with DescribeClusterV2 explains what is missing.
	var leveled bool
	for _, m := range bm.Missing {
		leveled = leveled || (m.Metric == "BwInAllowanceExceeded" && strings.Contains(m.Reason, "the cluster's is DEFAULT"))
	}
	if !leveled {
		t.Errorf("missing %+v: want BwInAllowanceExceeded explained by the DEFAULT monitoring level", bm.Missing)
	}
	if got := st.Aggregates()["broker_burst_balance_min"]; got != 87.5 {
		t.Errorf("broker_burst_balance_min = %v, want 87.5", got)
	}
	if !strings.Contains(summary, "Brokers in step #1 (cloudwatch, 1 brokers, 60 s samples") {
		t.Errorf("summary:\n%s", summary)
	}
	html, _ := renderAll(t, file)
	if !strings.Contains(html, "(CloudWatch, one point per minute)") {
		t.Errorf("html does not chart the CloudWatch CPU")
	}
}

// The credit probe of the precondition reads BurstBalance from CloudWatch
// over the last minutes.
func TestCreditProbe(t *testing.T) {
	f := &cwtest.Fake{Points: func(metric, broker string, from, to time.Time) map[int64]float64 {
		if metric != "BurstBalance" {
			return nil
		}
		return map[int64]float64{to.Add(-time.Minute).Unix(): map[string]float64{"1": 42, "2": 0}[broker]}
	}}
	url := cwtest.Start(t, f)
	if (&brokerMonitoring{}).rampOptions().Credits != nil {
		t.Error("a credit probe without CloudWatch")
	}
	bm := &brokerMonitoring{cw: &monitor.CloudWatchConfig{ClusterARN: "arn:aws:kafka:eu-west-1:123456789012:cluster/bench/abc-1",
		Brokers: []int32{1, 2}, InstanceType: "kafka.m7g.large", Endpoint: url}}
	m, err := bm.rampOptions().Credits(context.Background())
	if err != nil || len(m.Brokers) != 2 {
		t.Fatalf("credits: %v, %+v", err, m)
	}
	from, to := f.Window()
	if to.Sub(from) < creditsWindow {
		t.Errorf("window %s .. %s, want at least %s", from, to, creditsWindow)
	}
	if bb := m.Brokers[1].Samples[0].BurstBalance; bb == nil || *bb != 0 {
		t.Errorf("broker 2 burst balance %v, want 0", bb)
	}
}
