package monitor

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/cwtest"
	"github.com/mskbench/mskbench/report"
)

const cwTestARN = "arn:aws:kafka:eu-west-1:123456789012:cluster/demo/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"

func TestReadCloudWatchStandard(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	m0, m1 := t0.Unix(), t0.Add(time.Minute).Unix()
	f := &cwtest.Fake{PageSize: 5, Data: map[string]map[string]map[int64]float64{
		"CpuUser":                   {"1": {m0: 30, m1: 40}, "2": {m0: 50, m1: 55}, "3": {m0: 10}},
		"CpuSystem":                 {"1": {m0: 5, m1: 6}, "2": {m0: 10, m1: 12}, "3": {m0: 2}},
		"BytesInPerSec":             {"2": {m0: 52428800}},
		"BurstBalance":              {"1": {m0: 98.5}},
		"KafkaDataLogsDiskUsed":     {"3": {m1: 42}},
		"UnderReplicatedPartitions": {"2": {m1: 0}},
	}}
	url := cwtest.Start(t, f)
	t.Setenv("AWS_ENDPOINT_URL", url) // the SDK's own endpoint override
	// A measured window from 10:00:12 to 10:01:40 covers the periods
	// starting 10:00 and 10:01.
	got, err := ReadCloudWatch(context.Background(), CloudWatchConfig{
		ClusterARN: cwTestARN, Brokers: []int32{3, 1, 2}, InstanceType: "kafka.m7g.large", MonitoringLevel: LevelDefault,
	}, t0.Add(12*time.Second), t0.Add(100*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 0 {
		t.Fatalf("warnings: %q", got.Warnings)
	}
	if f.Calls() != 2 {
		t.Errorf("GetMetricData calls = %d, want 2 (one page of 5, then the rest)", f.Calls())
	}
	if from, to := f.Window(); !from.Equal(t0) || !to.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("window %s .. %s, want whole minutes 10:00 .. 10:02", from, to)
	}
	// Asked: the DEFAULT-level Standard metrics, per broker; not the
	// PER_BROKER ones, not StorageUsed (Express), not CPUCreditBalance (t3).
	asked := map[string]int{}
	queries := f.Queries()
	for _, q := range queries[:len(queries)/2+len(queries)%2] { // queries of the first call (the second repeats them)
		asked[q.Metric]++
		if q.Cluster != "demo" || q.Period != 60 {
			t.Errorf("query %+v: want cluster demo, period 60", q)
		}
	}
	want := map[string]int{"CpuUser": 3, "CpuSystem": 3, "BytesInPerSec": 3, "BytesOutPerSec": 3, "KafkaDataLogsDiskUsed": 3,
		"BurstBalance": 3, "TrafficShaping": 3, "UnderReplicatedPartitions": 3}
	if fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("queries per metric = %v, want %v", asked, want)
	}
	for _, q := range f.Queries() {
		if q.Metric == "BurstBalance" && q.Stat != "Minimum" || q.Metric == "CpuUser" && q.Stat != "Average" {
			t.Errorf("query %+v: wrong statistic", q)
		}
	}

	if len(got.Brokers) != 3 || got.Brokers[0].ID != 1 || got.Brokers[2].ID != 3 {
		t.Fatalf("brokers = %+v", got.Brokers)
	}
	b2 := got.Brokers[1]
	if len(b2.Samples) != 2 || !b2.Samples[0].Start.Equal(t0) || !b2.Samples[0].End.Equal(t0.Add(time.Minute)) {
		t.Fatalf("broker 2 samples = %+v", b2.Samples)
	}
	s := b2.Samples[0]
	if s.CPUUtilization == nil || math.Abs(*s.CPUUtilization-0.60) > 1e-9 {
		t.Errorf("broker 2 cpu = %v, want (50+10)/100", s.CPUUtilization)
	}
	if s.BytesInPerSec == nil || *s.BytesInPerSec != 52428800 {
		t.Errorf("bytes in = %v", s.BytesInPerSec)
	}
	if u := b2.Samples[1].UnderReplicatedPartitions; u == nil || *u != 0 {
		t.Errorf("URP = %v, want a measured 0", u)
	}
	if bb := got.Brokers[0].Samples[0].BurstBalance; bb == nil || *bb != 0.985 {
		t.Errorf("burst balance = %v, want 0.985", bb)
	}
	if d := got.Brokers[2].Samples[1].DataLogsDiskUsed; d == nil || *d != 0.42 {
		t.Errorf("disk used = %v, want 0.42 (period 10:01 of broker 3)", d)
	}
	reasons := map[string]string{}
	for _, m := range got.Missing {
		reasons[m.Metric] = m.Reason
	}
	for metric, want := range map[string]string{
		"BwInAllowanceExceeded": "needs monitoring level PER_BROKER", "ProduceThrottleTime": "needs monitoring level PER_BROKER",
		"StorageUsed": "Express brokers only", "CPUCreditBalance": "kafka.t3 brokers only",
		"TrafficShaping": "no data points", "BytesOutPerSec": "no data points",
	} {
		if !strings.Contains(reasons[metric], want) {
			t.Errorf("missing %s: %q, want %q", metric, reasons[metric], want)
		}
	}
	if _, ok := reasons["CpuUser"]; ok {
		t.Error("CpuUser listed as missing")
	}
	// The summary works on CloudWatch samples like on scraped ones.
	sum := report.SummarizeBrokers(got, nil)
	if sum.Binding != report.BrokerResourceCPU || sum.Peaks["cpu_utilization"].Value != 0.67 || sum.Peaks["cpu_utilization"].Broker != 2 {
		t.Errorf("summary = %+v", sum)
	}
}

func TestReadCloudWatchExpress(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f := &cwtest.Fake{Data: map[string]map[string]map[int64]float64{
		"StorageUsed":         {"": {t0.Unix(): 1e9, t0.Add(time.Minute).Unix(): 2e9}},
		"ProduceThrottleTime": {"1": {t0.Unix(): 12.5}},
	}}
	url := cwtest.Start(t, f)
	got, err := ReadCloudWatch(context.Background(), CloudWatchConfig{
		ClusterARN: cwTestARN, Brokers: []int32{1, 2, 3}, InstanceType: "express.m7g.large", MonitoringLevel: LevelPerBroker, Endpoint: url,
	}, t0, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.StorageUsedBytes == nil || *got.StorageUsedBytes != 2e9 {
		t.Errorf("storage used = %v, want the last value 2e9", got.StorageUsedBytes)
	}
	for _, q := range f.Queries() {
		if q.Metric == "StorageUsed" && q.Broker != "" {
			t.Errorf("StorageUsed asked per broker: %+v", q)
		}
		if q.Metric == "BurstBalance" || q.Metric == "BwInAllowanceExceeded" || q.Metric == "UnderReplicatedPartitions" {
			t.Errorf("asked Express for %s", q.Metric)
		}
	}
	reasons := map[string]string{}
	for _, m := range got.Missing {
		reasons[m.Metric] = m.Reason
	}
	for _, m := range []string{"BurstBalance", "BwInAllowanceExceeded", "BwOutAllowanceExceeded", "KafkaDataLogsDiskUsed", "UnderReplicatedPartitions"} {
		if reasons[m] != "not published for Express brokers" {
			t.Errorf("missing %s: %q", m, reasons[m])
		}
	}
	sum := report.SummarizeBrokers(got, nil)
	if !sum.Throttled || sum.Peaks["produce_throttle_time_ms"].Value != 12.5 {
		t.Errorf("summary = %+v, want throttled", sum)
	}
}

// A refused call is a warning, never an error that would fail the run.
func TestReadCloudWatchAccessDenied(t *testing.T) {
	f := &cwtest.Fake{Deny: true}
	url := cwtest.Start(t, f)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	got, err := ReadCloudWatch(context.Background(), CloudWatchConfig{ClusterARN: cwTestARN, Brokers: []int32{1}, Endpoint: url}, t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("err = %v, want a warning instead", err)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "AccessDenied") || !strings.Contains(got.Warnings[0], "cloudwatch:GetMetricData") {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestReadCloudWatchConfigErrors(t *testing.T) {
	now := time.Now()
	_, err := ReadCloudWatch(context.Background(), CloudWatchConfig{ClusterARN: "demo", MonitoringLevel: "FULL", Period: 90 * time.Second}, now, now)
	for _, want := range []string{"not an MSK cluster ARN", "no broker ids", "multiple of 60s", `monitoring level "FULL"`, "empty window"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if got := ClusterNameFromARN(cwTestARN); got != "demo" {
		t.Errorf("ClusterNameFromARN = %q", got)
	}
	if got := strconv.Quote(ClusterNameFromARN("arn:aws:kafka:eu-west-1:1:topic/demo/x/t")); got != `""` {
		t.Errorf("topic ARN gives cluster name %s", got)
	}
}

// ClusterMonitoring reads the monitoring level and the instance type with
// DescribeClusterV2 through the real SDK client (AWS_ENDPOINT_URL on
// loopback), and with them ReadCloudWatch names what the level does not
// publish rather than asking for it.
func TestClusterMonitoring(t *testing.T) {
	f := &cwtest.Fake{MonitoringLevel: LevelDefault, InstanceType: "kafka.m7g.large"}
	url := cwtest.Start(t, f)
	t.Setenv("AWS_ENDPOINT_URL", url)
	cfg := CloudWatchConfig{ClusterARN: cwTestARN, Brokers: []int32{1}}
	level, typ, err := ClusterMonitoring(context.Background(), cfg)
	if err != nil || level != LevelDefault || typ != "kafka.m7g.large" {
		t.Fatalf("ClusterMonitoring = %q, %q, %v; want DEFAULT, kafka.m7g.large", level, typ, err)
	}
	if f.Calls() != 0 {
		t.Errorf("%d GetMetricData calls, want none (a DescribeClusterV2 is not one)", f.Calls())
	}
	cfg.MonitoringLevel, cfg.InstanceType = level, typ
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	got, err := ReadCloudWatch(context.Background(), cfg, t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, m := range got.Missing {
		reasons[m.Metric] = m.Reason
	}
	if r := reasons["BwInAllowanceExceeded"]; !strings.Contains(r, "needs monitoring level PER_BROKER or higher (the cluster's is DEFAULT") {
		t.Errorf("BwInAllowanceExceeded missing as %q, want the monitoring level named", r)
	}
	for _, q := range f.Queries() {
		if q.Metric == "BwInAllowanceExceeded" {
			t.Errorf("asked a DEFAULT-level cluster for %s", q.Metric)
		}
	}
}
