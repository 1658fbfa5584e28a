package monitor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mskbench/mskbench/report"
)

// CloudWatch namespace and dimensions of MSK.
const (
	cwNamespace  = "AWS/Kafka"
	cwDimCluster = "Cluster Name"
	cwDimBroker  = "Broker ID"
)

// MSK monitoring levels (cluster EnhancedMonitoring), lowest first.
const (
	LevelDefault              = "DEFAULT"
	LevelPerBroker            = "PER_BROKER"
	LevelPerTopicPerBroker    = "PER_TOPIC_PER_BROKER"
	LevelPerTopicPerPartition = "PER_TOPIC_PER_PARTITION"
)

var levelRank = map[string]int{LevelDefault: 0, LevelPerBroker: 1, LevelPerTopicPerBroker: 2, LevelPerTopicPerPartition: 3}

// Which brokers publish a CloudWatch metric.
const (
	cwBoth     = iota // Standard and Express
	cwStandard        // Standard brokers only
	cwExpress         // Express brokers only
	cwT3              // Standard kafka.t3.* brokers only
)

// cwMetric is one AWS/Kafka metric mskbench reads, and where it goes.
type cwMetric struct {
	name  string
	stat  string // CloudWatch statistic
	level string // lowest monitoring level that publishes it (Standard brokers, as AWS documents)
	kind  int    // cwBoth, cwStandard, ...
	// set stores a data point in a sample; nil for cluster-level metrics.
	set func(s *report.BrokerSample, v float64)
	// cluster is true for metrics with the Cluster Name dimension only.
	cluster bool
}

// cwMetrics are the metrics ReadCloudWatch asks for. Levels and broker
// types follow the MSK developer guide ("Amazon MSK metrics for monitoring
// Standard / Express brokers with CloudWatch") and AWS's MSK agent toolkit
// (monitor-and-alarm.md, 2026-06): Express brokers publish no
// KafkaDataLogsDiskUsed, BurstBalance, allowance-exceeded counters or
// UnderReplicatedPartitions, and StorageUsed instead.
var cwMetrics = []cwMetric{
	{name: "CpuUser", stat: "Average", level: LevelDefault, kind: cwBoth},
	{name: "CpuSystem", stat: "Average", level: LevelDefault, kind: cwBoth},
	{name: "BytesInPerSec", stat: "Average", level: LevelDefault, kind: cwBoth, set: func(s *report.BrokerSample, v float64) { s.BytesInPerSec = ptr(v) }},
	{name: "BytesOutPerSec", stat: "Average", level: LevelDefault, kind: cwBoth, set: func(s *report.BrokerSample, v float64) { s.BytesOutPerSec = ptr(v) }},
	{name: "KafkaDataLogsDiskUsed", stat: "Maximum", level: LevelDefault, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.DataLogsDiskUsed = ptr(v / 100) }},
	{name: "BurstBalance", stat: "Minimum", level: LevelDefault, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.BurstBalance = ptr(v / 100) }},
	{name: "CPUCreditBalance", stat: "Minimum", level: LevelDefault, kind: cwT3, set: func(s *report.BrokerSample, v float64) { s.CPUCreditBalance = ptr(v) }},
	{name: "BwInAllowanceExceeded", stat: "Sum", level: LevelPerBroker, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.BwInAllowanceExceeded = ptr(v) }},
	{name: "BwOutAllowanceExceeded", stat: "Sum", level: LevelPerBroker, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.BwOutAllowanceExceeded = ptr(v) }},
	{name: "TrafficShaping", stat: "Sum", level: LevelDefault, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.TrafficShaping = ptr(v) }},
	{name: "ProduceThrottleTime", stat: "Average", level: LevelPerBroker, kind: cwBoth, set: func(s *report.BrokerSample, v float64) { s.ProduceThrottleTimeMs = ptr(v) }},
	{name: "FetchThrottleTime", stat: "Average", level: LevelPerBroker, kind: cwBoth, set: func(s *report.BrokerSample, v float64) { s.FetchThrottleTimeMs = ptr(v) }},
	{name: "UnderReplicatedPartitions", stat: "Maximum", level: LevelDefault, kind: cwStandard, set: func(s *report.BrokerSample, v float64) { s.UnderReplicatedPartitions = ptr(v) }},
	{name: "StorageUsed", stat: "Maximum", level: LevelDefault, kind: cwExpress, cluster: true},
}

// CloudWatchMetricNames returns the AWS/Kafka metrics ReadCloudWatch reads.
func CloudWatchMetricNames() []string {
	out := make([]string, len(cwMetrics))
	for i, m := range cwMetrics {
		out[i] = m.name
	}
	return out
}

// CloudWatchConfig says which cluster's CloudWatch metrics to read.
type CloudWatchConfig struct {
	// ClusterARN is the MSK cluster (required); the cluster name (the
	// "Cluster Name" dimension) and, without Region, the region are read
	// from it.
	ClusterARN string
	// Brokers are the broker ids ("Broker ID" dimension; MSK numbers them
	// 1, 2, ...). Required.
	Brokers []int32
	// InstanceType is the broker type, e.g. "kafka.m7g.large" or
	// "express.m7g.large"; it says which metrics exist ("" = unknown:
	// every metric is asked for).
	InstanceType string
	// MonitoringLevel is the cluster's enhanced monitoring level (DEFAULT,
	// PER_BROKER, ...); "" = unknown. Metrics above it are not asked for.
	MonitoringLevel string
	// Period is the CloudWatch period (default and minimum 60 s; a
	// multiple of 60 s).
	Period time.Duration
	// AWS is an already loaded SDK configuration (e.g. the one
	// authentication used). When nil, the SDK's default chain is loaded
	// with Region, Profile and Endpoint.
	AWS *aws.Config
	// Region overrides the ARN's region; Profile names a shared-config
	// profile; Endpoint overrides the CloudWatch endpoint (a VPC endpoint,
	// or tests). AWS_ENDPOINT_URL is honoured as by every SDK client.
	Region, Profile, Endpoint string
}

// ClusterNameFromARN returns the cluster name of an MSK cluster ARN
// (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID), or "".
func ClusterNameFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kafka" {
		return ""
	}
	res := strings.Split(parts[5], "/")
	if len(res) < 3 || res[0] != "cluster" || res[1] == "" {
		return ""
	}
	return res[1]
}

func regionFromARN(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[3]
	}
	return ""
}

// ReadCloudWatch reads the AWS/Kafka metrics of every broker over
// [start, end) — a step's measured window, widened to whole periods —
// with GetMetricData, into one sample per broker and period. Call it after
// the step, when CloudWatch has the data points (MSK publishes them once a
// minute, with a delay of a minute or more: a late call finds more).
//
// Metrics the broker type or the monitoring level does not publish are not
// asked for and are listed in Missing with the reason, as are metrics that
// had no data point. A failed call (credentials, permissions: it needs
// cloudwatch:GetMetricData) is a warning in the result, not an error: the
// error is only for an invalid configuration.
func ReadCloudWatch(ctx context.Context, cfg CloudWatchConfig, start, end time.Time) (report.BrokerMetrics, error) {
	cluster := ClusterNameFromARN(cfg.ClusterARN)
	var errs []error
	if cluster == "" {
		errs = append(errs, fmt.Errorf("monitor: cloudwatch: %q is not an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID)", cfg.ClusterARN))
	}
	if len(cfg.Brokers) == 0 {
		errs = append(errs, errors.New("monitor: cloudwatch: no broker ids"))
	}
	if cfg.Period == 0 {
		cfg.Period = time.Minute
	}
	if cfg.Period < time.Minute || cfg.Period%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("monitor: cloudwatch: period %s: want a multiple of 60s", cfg.Period))
	}
	if _, ok := levelRank[cfg.MonitoringLevel]; cfg.MonitoringLevel != "" && !ok {
		errs = append(errs, fmt.Errorf("monitor: cloudwatch: monitoring level %q: want DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION", cfg.MonitoringLevel))
	}
	if !end.After(start) {
		errs = append(errs, fmt.Errorf("monitor: cloudwatch: empty window %s .. %s", start, end))
	}
	if err := errors.Join(errs...); err != nil {
		return report.BrokerMetrics{}, err
	}
	out := report.BrokerMetrics{Source: report.BrokerSourceCloudWatch, IntervalSeconds: cfg.Period.Seconds()}
	from := start.Truncate(cfg.Period)
	to := end.Truncate(cfg.Period)
	if to.Before(end) {
		to = to.Add(cfg.Period)
	}

	// The queries: every applicable metric per broker (cluster metrics once).
	type query struct {
		m      cwMetric
		broker int32
	}
	var queries []query
	for _, m := range cwMetrics {
		if why := cwSkip(cfg, m); why != "" {
			out.Missing = append(out.Missing, report.MissingMetric{Metric: m.name, Reason: why})
			continue
		}
		if m.cluster {
			queries = append(queries, query{m: m, broker: -1})
			continue
		}
		for _, b := range cfg.Brokers {
			queries = append(queries, query{m: m, broker: b})
		}
	}

	ac, err := cloudWatchAWS(ctx, cfg)
	if err != nil {
		out.Warnings = append(out.Warnings, err.Error())
		return out, nil
	}
	client := cloudwatch.NewFromConfig(ac)
	points := map[string]map[int64]float64{} // query id → unix time → value
	ids := make([]string, len(queries))
	for i := range queries {
		ids[i] = "q" + strconv.Itoa(i)
	}
	const maxQueries = 500 // GetMetricData's limit per call
	for lo := 0; lo < len(queries); lo += maxQueries {
		hi := min(lo+maxQueries, len(queries))
		in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: cwtypes.ScanByTimestampAscending}
		for i := lo; i < hi; i++ {
			q := queries[i]
			dims := []cwtypes.Dimension{{Name: aws.String(cwDimCluster), Value: aws.String(cluster)}}
			if q.broker >= 0 {
				dims = append(dims, cwtypes.Dimension{Name: aws.String(cwDimBroker), Value: aws.String(strconv.Itoa(int(q.broker)))})
			}
			in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
				Id: aws.String(ids[i]),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String(cwNamespace), MetricName: aws.String(q.m.name), Dimensions: dims},
					Period: aws.Int32(int32(cfg.Period.Seconds())),
					Stat:   aws.String(q.m.stat),
				},
			})
		}
		p := cloudwatch.NewGetMetricDataPaginator(client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("cloudwatch GetMetricData for cluster %s (needs cloudwatch:GetMetricData): %v", cluster, err))
				return out, nil
			}
			for _, r := range page.MetricDataResults {
				id := aws.ToString(r.Id)
				if points[id] == nil {
					points[id] = map[int64]float64{}
				}
				for j, ts := range r.Timestamps {
					if j < len(r.Values) {
						points[id][ts.Unix()] = r.Values[j]
					}
				}
				if r.StatusCode == cwtypes.StatusCodePartialData || r.StatusCode == cwtypes.StatusCodeForbidden || r.StatusCode == cwtypes.StatusCodeInternalError {
					out.Warnings = append(out.Warnings, fmt.Sprintf("cloudwatch %s: status %s", id, r.StatusCode))
				}
			}
		}
	}

	// Samples per broker and period.
	samples := map[int32]map[int64]*report.BrokerSample{}
	sample := func(b int32, ts int64) *report.BrokerSample {
		if samples[b] == nil {
			samples[b] = map[int64]*report.BrokerSample{}
		}
		s := samples[b][ts]
		if s == nil {
			t := time.Unix(ts, 0).UTC()
			s = &report.BrokerSample{Start: t, End: t.Add(cfg.Period)}
			samples[b][ts] = s
		}
		return s
	}
	cpu := map[int32]map[int64][2]*float64{} // user, system
	seen := map[string]bool{}
	for i, q := range queries {
		pts := points[ids[i]]
		if len(pts) > 0 {
			seen[q.m.name] = true
		}
		if q.m.cluster {
			var last int64 = -1
			for ts, v := range pts {
				if ts > last {
					last, out.StorageUsedBytes = ts, ptr(v)
				}
			}
			continue
		}
		for ts, v := range pts {
			s := sample(q.broker, ts)
			switch q.m.name {
			case "CpuUser", "CpuSystem":
				if cpu[q.broker] == nil {
					cpu[q.broker] = map[int64][2]*float64{}
				}
				c := cpu[q.broker][ts]
				if q.m.name == "CpuUser" {
					c[0] = ptr(v)
				} else {
					c[1] = ptr(v)
				}
				cpu[q.broker][ts] = c
			default:
				q.m.set(s, v)
			}
		}
	}
	for b, byTS := range cpu {
		for ts, c := range byTS {
			if c[0] != nil && c[1] != nil {
				sample(b, ts).CPUUtilization = ptr(clamp01((*c[0] + *c[1]) / 100))
			}
		}
	}
	for _, m := range cwMetrics {
		if cwSkip(cfg, m) == "" && !seen[m.name] {
			out.Missing = append(out.Missing, report.MissingMetric{Metric: m.name, Reason: cwNoData(cfg, m)})
		}
	}
	ids32 := append([]int32(nil), cfg.Brokers...)
	sort.Slice(ids32, func(i, j int) bool { return ids32[i] < ids32[j] })
	for _, b := range ids32 {
		bs := report.BrokerSeries{ID: b}
		var tss []int64
		for ts := range samples[b] {
			tss = append(tss, ts)
		}
		sort.Slice(tss, func(i, j int) bool { return tss[i] < tss[j] })
		for _, ts := range tss {
			bs.Samples = append(bs.Samples, *samples[b][ts])
		}
		if len(bs.Samples) > 0 {
			out.Brokers = append(out.Brokers, bs)
		}
	}
	return out, nil
}

// cwSkip says why metric m is not asked for on cfg's cluster, or "".
func cwSkip(cfg CloudWatchConfig, m cwMetric) string {
	express := strings.HasPrefix(cfg.InstanceType, "express.")
	known := cfg.InstanceType != ""
	switch {
	case known && express && (m.kind == cwStandard || m.kind == cwT3):
		return "not published for Express brokers"
	case known && !express && m.kind == cwExpress:
		return "published for Express brokers only"
	case known && m.kind == cwT3 && !strings.HasPrefix(cfg.InstanceType, "kafka.t3."):
		return "published for kafka.t3 brokers only"
	case cfg.MonitoringLevel != "" && levelRank[cfg.MonitoringLevel] < levelRank[m.level]:
		return fmt.Sprintf("needs monitoring level %s or higher (the cluster's is %s; above DEFAULT CloudWatch charges per metric)", m.level, cfg.MonitoringLevel)
	}
	return ""
}

// cwNoData is the reason for a metric that was asked for and had no data.
func cwNoData(cfg CloudWatchConfig, m cwMetric) string {
	r := "no data points in the window"
	if cfg.MonitoringLevel == "" && m.level != LevelDefault {
		r += fmt.Sprintf(" (it needs monitoring level %s or higher)", m.level)
	}
	if cfg.InstanceType == "" && m.kind != cwBoth {
		r += " (it exists only for " + map[int]string{cwStandard: "Standard", cwExpress: "Express", cwT3: "kafka.t3"}[m.kind] + " brokers)"
	}
	return r + "; CloudWatch may also not have it yet: MSK publishes once a minute, with a delay"
}

// cloudWatchAWS returns the SDK configuration for cfg: cfg.AWS, or the
// default chain with cfg's region, profile and endpoint (the same steps
// as package auth, without importing it and its Kafka clients).
func cloudWatchAWS(ctx context.Context, cfg CloudWatchConfig) (aws.Config, error) {
	region := cfg.Region
	if region == "" {
		region = regionFromARN(cfg.ClusterARN)
	}
	if cfg.AWS != nil {
		ac := cfg.AWS.Copy()
		if cfg.Region != "" || ac.Region == "" {
			ac.Region = region
		}
		if cfg.Endpoint != "" {
			ac.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		return ac, nil
	}
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(cfg.Endpoint))
	}
	ac, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("cloudwatch: load AWS configuration: %w", err)
	}
	return ac, nil
}
