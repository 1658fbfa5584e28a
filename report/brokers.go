package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// Broker metrics: what the brokers themselves measured during a step, beside
// what the clients saw. Package monitor fills these types from Prometheus
// endpoints (MSK open monitoring, any JMX / node exporter, `mskbench broker`)
// and from CloudWatch; this file only defines the data and the pure step
// summary ([SummarizeBrokers]), so a result with broker metrics renders,
// compares and sizes without any AWS or Kafka code.
//
// A step holds one [BrokerMetrics] per source. Every figure of a
// [BrokerSample] is a pointer: nil means "not measured" (the source does
// not publish it, the scrape failed, or the cluster's monitoring level
// hides it) and is omitted from JSON, which is different from a measured 0.

// Broker metric sources ([BrokerMetrics.Source]).
const (
	// BrokerSourceOpenMonitoring is MSK open monitoring: the JMX exporter
	// (port 11001) and node exporter (port 11002) of every broker host.
	BrokerSourceOpenMonitoring = "open_monitoring"
	// BrokerSourcePrometheus is an explicit list of Prometheus endpoints
	// (cluster.monitoring.prometheus) exposing the same JMX / node exporter
	// families, e.g. a self-managed Kafka.
	BrokerSourcePrometheus = "prometheus"
	// BrokerSourceCloudWatch is the AWS/Kafka CloudWatch namespace, read
	// after the step (one data point per minute at best).
	BrokerSourceCloudWatch = "cloudwatch"
	// BrokerSourceMSKBenchBroker is the /metrics endpoint of the
	// in-process cluster (`mskbench broker --metrics-listen`, `run
	// --embedded`): it counts what the in-process brokers really handled.
	BrokerSourceMSKBenchBroker = "mskbench_broker"
)

// Resources a step can be bound by ([BrokerSummary.Binding]).
const (
	BrokerResourceCPU     = "cpu"
	BrokerResourceDisk    = "disk"
	BrokerResourceNetwork = "network"
	// BrokerResourceIngress and BrokerResourceEgress are an Express
	// broker's throughput quotas (bytes in / out against
	// [BrokerCapacity.IngressBytesPerSec] / EgressBytesPerSec).
	BrokerResourceIngress = "ingress_quota"
	BrokerResourceEgress  = "egress_quota"
)

// BrokerMetrics is what one source recorded about the brokers during one
// step. It is plain data and not safe for concurrent mutation.
type BrokerMetrics struct {
	// Source is one of the BrokerSource* constants.
	Source string `json:"source"`
	// IntervalSeconds is the nominal length of a sample: the report
	// interval for scraped sources, the CloudWatch period (60 or more) for
	// CloudWatch.
	IntervalSeconds float64 `json:"interval_seconds"`
	// Brokers holds one series per broker, ordered by broker id.
	Brokers []BrokerSeries `json:"brokers"`
	// StorageUsedBytes is the cluster's storage in use at the end of the
	// step (CloudWatch StorageUsed, Express brokers), in bytes.
	StorageUsedBytes *float64 `json:"storage_used_bytes,omitempty"`
	// Missing lists the figures this source could not measure, each with
	// the reason (not published by the exporter, needs a higher CloudWatch
	// monitoring level, not available on Express brokers, ...).
	Missing []MissingMetric `json:"missing,omitempty"`
	// Warnings are failed or slow scrapes and similar remarks. They never
	// fail a run.
	Warnings []string `json:"warnings,omitempty"`
	// Summary is [SummarizeBrokers] of this source, filled in by whoever
	// assembles the step (nil until then).
	Summary *BrokerSummary `json:"summary,omitempty"`
}

// MissingMetric is a figure a source did not provide, and why.
type MissingMetric struct {
	// Metric is the source's own name of it (e.g. "BwInAllowanceExceeded"
	// or "node_disk_io_time_seconds_total"), or the BrokerSample JSON
	// field name.
	Metric string `json:"metric"`
	// Reason says why, in words.
	Reason string `json:"reason"`
}

// BrokerSeries is one broker's samples.
type BrokerSeries struct {
	// ID is the Kafka broker id (MSK: 1, 2, ...; the in-process cluster:
	// 0, 1, ...).
	ID int32 `json:"id"`
	// Host is the broker's host name (or host:port), when known.
	Host string `json:"host,omitempty"`
	// Samples are in time order. For scraped sources there is one per
	// report interval of the step ([Interval] Start/End), for CloudWatch
	// one per period.
	Samples []BrokerSample `json:"samples"`
}

// BrokerSample is what one broker did during one interval. Rates are
// averages over the interval computed from two scrapes of counters
// (counter resets are handled); gauges are the value at the end. Every
// field except the times is nil when not measured.
type BrokerSample struct {
	// Start and End are the interval the sample belongs to (the step's
	// report interval, or the CloudWatch period).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Phase is the engine's phase of the interval ("warmup", "measure",
	// "drain"); empty when unknown.
	Phase string `json:"phase,omitempty"`
	// ScrapedFrom and ScrapedTo are the times of the two scrapes the rates
	// were computed from, when they differ from Start/End (scrapes are not
	// synchronised with the engine's interval boundaries).
	ScrapedFrom *time.Time `json:"scraped_from,omitempty"`
	ScrapedTo   *time.Time `json:"scraped_to,omitempty"`

	// CPUUtilization is user + system CPU time ÷ (wall time × CPUs), 0..1:
	// node_cpu_seconds_total{mode="user"|"system"} over all CPUs, or
	// CloudWatch (CpuUser + CpuSystem) ÷ 100. For mskbench_broker it is
	// the in-process cluster's whole process (every broker reports the
	// same figure, like brokers sharing one host).
	CPUUtilization *float64 `json:"cpu_utilization,omitempty"`
	// NetworkRxBytesPerSec and NetworkTxBytesPerSec are the host's network
	// bytes per second received / sent, every interface but lo
	// (node_network_{receive,transmit}_bytes_total); for mskbench_broker
	// the broker's Kafka connections.
	NetworkRxBytesPerSec *float64 `json:"network_rx_bytes_per_sec,omitempty"`
	NetworkTxBytesPerSec *float64 `json:"network_tx_bytes_per_sec,omitempty"`
	// DiskWriteBytesPerSec is bytes written per second to all disks
	// (node_disk_written_bytes_total).
	DiskWriteBytesPerSec *float64 `json:"disk_write_bytes_per_sec,omitempty"`
	// DiskUtilization is the fraction of the interval the busiest disk
	// was busy, 0..1 (node_disk_io_time_seconds_total).
	DiskUtilization *float64 `json:"disk_utilization,omitempty"`
	// DataLogsDiskUsed is the fraction of the Kafka data volume in use,
	// 0..1 (CloudWatch KafkaDataLogsDiskUsed ÷ 100).
	DataLogsDiskUsed *float64 `json:"data_logs_disk_used,omitempty"`

	// BytesInPerSec and BytesOutPerSec are the broker's Kafka bytes per
	// second from and to clients (BrokerTopicMetrics BytesInPerSec /
	// BytesOutPerSec without a topic, or CloudWatch BytesInPerSec /
	// BytesOutPerSec): record batches as stored, replication excluded.
	BytesInPerSec  *float64 `json:"bytes_in_per_sec,omitempty"`
	BytesOutPerSec *float64 `json:"bytes_out_per_sec,omitempty"`
	// MessagesInPerSec is records produced per second
	// (BrokerTopicMetrics MessagesInPerSec); MessagesOutPerSec records
	// fetched per second (mskbench_broker only: Kafka has no such meter).
	MessagesInPerSec  *float64 `json:"messages_in_per_sec,omitempty"`
	MessagesOutPerSec *float64 `json:"messages_out_per_sec,omitempty"`
	// ProduceRequestsPerSec and FetchRequestsPerSec are requests per
	// second (RequestMetrics RequestsPerSec, request Produce / FetchConsumer).
	ProduceRequestsPerSec *float64 `json:"produce_requests_per_sec,omitempty"`
	FetchRequestsPerSec   *float64 `json:"fetch_requests_per_sec,omitempty"`

	// RequestHandlerIdle is the request handler threads' idle fraction,
	// 0..1 (KafkaRequestHandlerPool RequestHandlerAvgIdlePercent).
	RequestHandlerIdle *float64 `json:"request_handler_idle,omitempty"`
	// NetworkProcessorIdle is the network threads' idle fraction, 0..1
	// (SocketServer NetworkProcessorAvgIdlePercent).
	NetworkProcessorIdle *float64 `json:"network_processor_idle,omitempty"`

	// Produce and fetch (consumer) request times in milliseconds, from
	// RequestMetrics TotalTimeMs and RequestQueueTimeMs. *MeanMs is the
	// mean over the interval when the exporter publishes the histogram's
	// count (else the exporter's mean); *P99Ms is the exporter's 99th
	// percentile (Kafka's recent-biased reservoir, not the interval's).
	ProduceTotalTimeMeanMs *float64 `json:"produce_total_time_mean_ms,omitempty"`
	ProduceTotalTimeP99Ms  *float64 `json:"produce_total_time_p99_ms,omitempty"`
	ProduceQueueTimeMeanMs *float64 `json:"produce_queue_time_mean_ms,omitempty"`
	ProduceQueueTimeP99Ms  *float64 `json:"produce_queue_time_p99_ms,omitempty"`
	FetchTotalTimeMeanMs   *float64 `json:"fetch_total_time_mean_ms,omitempty"`
	FetchTotalTimeP99Ms    *float64 `json:"fetch_total_time_p99_ms,omitempty"`
	FetchQueueTimeMeanMs   *float64 `json:"fetch_queue_time_mean_ms,omitempty"`
	FetchQueueTimeP99Ms    *float64 `json:"fetch_queue_time_p99_ms,omitempty"`

	// UnderReplicatedPartitions, PartitionCount and LeaderCount are the
	// broker's counts at the end of the interval (ReplicaManager;
	// PartitionCount counts replicas, leaders and followers).
	UnderReplicatedPartitions *float64 `json:"under_replicated_partitions,omitempty"`
	PartitionCount            *float64 `json:"partition_count,omitempty"`
	LeaderCount               *float64 `json:"leader_count,omitempty"`

	// ProduceThrottleTimeMs and FetchThrottleTimeMs are the mean time
	// requests were throttled by quotas, in milliseconds (RequestMetrics
	// ThrottleTimeMs, or CloudWatch ProduceThrottleTime /
	// FetchThrottleTime). Non-zero means a quota held clients back.
	ProduceThrottleTimeMs *float64 `json:"produce_throttle_time_ms,omitempty"`
	FetchThrottleTimeMs   *float64 `json:"fetch_throttle_time_ms,omitempty"`

	// CloudWatch only. BurstBalance is the EBS burst credits left, 0..1
	// (BurstBalance ÷ 100); CPUCreditBalance the t3 CPU credits left
	// (credits); BwInAllowanceExceeded / BwOutAllowanceExceeded the packets
	// shaped because the EC2 network allowance was exceeded and
	// TrafficShaping the packets dropped by shaping, each summed over the
	// period (counts).
	BurstBalance           *float64 `json:"burst_balance,omitempty"`
	CPUCreditBalance       *float64 `json:"cpu_credit_balance,omitempty"`
	BwInAllowanceExceeded  *float64 `json:"bw_in_allowance_exceeded,omitempty"`
	BwOutAllowanceExceeded *float64 `json:"bw_out_allowance_exceeded,omitempty"`
	TrafficShaping         *float64 `json:"traffic_shaping,omitempty"`
}

// BrokerCapacity is what one broker can sustain, when known (from the
// sizing catalogue: EBS throughput and NIC bandwidth of a Standard broker,
// the throughput quotas of an Express broker). Zero fields are unknown.
type BrokerCapacity struct {
	// NetworkBytesPerSec is the NIC bandwidth per direction (bytes/s).
	NetworkBytesPerSec float64 `json:"network_bytes_per_sec,omitempty"`
	// DiskWriteBytesPerSec is the storage throughput (bytes/s).
	DiskWriteBytesPerSec float64 `json:"disk_write_bytes_per_sec,omitempty"`
	// IngressBytesPerSec and EgressBytesPerSec are Express quotas (bytes/s).
	IngressBytesPerSec float64 `json:"ingress_bytes_per_sec,omitempty"`
	EgressBytesPerSec  float64 `json:"egress_bytes_per_sec,omitempty"`
}

// BrokerPeak is the highest value of one figure in a step and where it was.
type BrokerPeak struct {
	// Value is in the unit of the figure it summarises.
	Value float64 `json:"value"`
	// Broker is the id of the broker it was measured on.
	Broker int32 `json:"broker"`
	// At is the end of the interval it was measured in.
	At time.Time `json:"at"`
}

// BrokerUtilization is how close one resource came to its capacity.
type BrokerUtilization struct {
	// Resource is one of the BrokerResource* constants.
	Resource string `json:"resource"`
	// Mean is the highest over brokers of the broker's mean utilisation
	// over the summarised intervals, 0..1 (or above 1 when a stated
	// capacity was exceeded): the sustained figure sizing uses.
	Mean float64 `json:"mean"`
	// Peak is the highest utilisation of any broker in any interval.
	Peak float64 `json:"peak"`
	// Broker is the broker with the highest Mean.
	Broker int32 `json:"broker"`
	// Basis says how it was computed, e.g. "cpu_utilization" or
	// "network_tx_bytes_per_sec / 119.2 MiB/s".
	Basis string `json:"basis"`
}

// BrokerSummary is the per-step digest of a [BrokerMetrics]: peak values
// and the resource that bound. It covers the measure-phase samples, or
// every sample when none is marked "measure".
type BrokerSummary struct {
	// Samples is the number of broker samples summarised.
	Samples int `json:"samples"`
	// Peaks of the figures, by BrokerSample JSON field name (only figures
	// that were measured). For the idle fractions the "peak" is the
	// lowest value (the busiest moment).
	Peaks map[string]BrokerPeak `json:"peaks,omitempty"`
	// Utilization lists the resources whose utilisation could be computed,
	// highest Mean first.
	Utilization []BrokerUtilization `json:"utilization,omitempty"`
	// Binding is the resource with the highest sustained utilisation
	// (Utilization[0].Resource); "" when none could be computed.
	Binding string `json:"binding,omitempty"`
	// Throttled is true when any broker throttled produce or fetch
	// requests (throttle time > 0), or shaped traffic (allowance exceeded).
	Throttled bool `json:"throttled,omitempty"`
}

// brokerFigure is one BrokerSample field: its JSON name and accessor.
type brokerFigure struct {
	name string
	get  func(*BrokerSample) *float64
	// lowIsBusy marks idle fractions, whose interesting extreme is the minimum.
	lowIsBusy bool
}

// brokerFigures lists every figure of BrokerSample, in field order. It is
// the one table the summary (and later renderers) iterate.
var brokerFigures = []brokerFigure{
	{"cpu_utilization", func(s *BrokerSample) *float64 { return s.CPUUtilization }, false},
	{"network_rx_bytes_per_sec", func(s *BrokerSample) *float64 { return s.NetworkRxBytesPerSec }, false},
	{"network_tx_bytes_per_sec", func(s *BrokerSample) *float64 { return s.NetworkTxBytesPerSec }, false},
	{"disk_write_bytes_per_sec", func(s *BrokerSample) *float64 { return s.DiskWriteBytesPerSec }, false},
	{"disk_utilization", func(s *BrokerSample) *float64 { return s.DiskUtilization }, false},
	{"data_logs_disk_used", func(s *BrokerSample) *float64 { return s.DataLogsDiskUsed }, false},
	{"bytes_in_per_sec", func(s *BrokerSample) *float64 { return s.BytesInPerSec }, false},
	{"bytes_out_per_sec", func(s *BrokerSample) *float64 { return s.BytesOutPerSec }, false},
	{"messages_in_per_sec", func(s *BrokerSample) *float64 { return s.MessagesInPerSec }, false},
	{"messages_out_per_sec", func(s *BrokerSample) *float64 { return s.MessagesOutPerSec }, false},
	{"produce_requests_per_sec", func(s *BrokerSample) *float64 { return s.ProduceRequestsPerSec }, false},
	{"fetch_requests_per_sec", func(s *BrokerSample) *float64 { return s.FetchRequestsPerSec }, false},
	{"request_handler_idle", func(s *BrokerSample) *float64 { return s.RequestHandlerIdle }, true},
	{"network_processor_idle", func(s *BrokerSample) *float64 { return s.NetworkProcessorIdle }, true},
	{"produce_total_time_mean_ms", func(s *BrokerSample) *float64 { return s.ProduceTotalTimeMeanMs }, false},
	{"produce_total_time_p99_ms", func(s *BrokerSample) *float64 { return s.ProduceTotalTimeP99Ms }, false},
	{"produce_queue_time_mean_ms", func(s *BrokerSample) *float64 { return s.ProduceQueueTimeMeanMs }, false},
	{"produce_queue_time_p99_ms", func(s *BrokerSample) *float64 { return s.ProduceQueueTimeP99Ms }, false},
	{"fetch_total_time_mean_ms", func(s *BrokerSample) *float64 { return s.FetchTotalTimeMeanMs }, false},
	{"fetch_total_time_p99_ms", func(s *BrokerSample) *float64 { return s.FetchTotalTimeP99Ms }, false},
	{"fetch_queue_time_mean_ms", func(s *BrokerSample) *float64 { return s.FetchQueueTimeMeanMs }, false},
	{"fetch_queue_time_p99_ms", func(s *BrokerSample) *float64 { return s.FetchQueueTimeP99Ms }, false},
	{"under_replicated_partitions", func(s *BrokerSample) *float64 { return s.UnderReplicatedPartitions }, false},
	{"partition_count", func(s *BrokerSample) *float64 { return s.PartitionCount }, false},
	{"leader_count", func(s *BrokerSample) *float64 { return s.LeaderCount }, false},
	{"produce_throttle_time_ms", func(s *BrokerSample) *float64 { return s.ProduceThrottleTimeMs }, false},
	{"fetch_throttle_time_ms", func(s *BrokerSample) *float64 { return s.FetchThrottleTimeMs }, false},
	{"burst_balance", func(s *BrokerSample) *float64 { return s.BurstBalance }, true},
	{"cpu_credit_balance", func(s *BrokerSample) *float64 { return s.CPUCreditBalance }, true},
	{"bw_in_allowance_exceeded", func(s *BrokerSample) *float64 { return s.BwInAllowanceExceeded }, false},
	{"bw_out_allowance_exceeded", func(s *BrokerSample) *float64 { return s.BwOutAllowanceExceeded }, false},
	{"traffic_shaping", func(s *BrokerSample) *float64 { return s.TrafficShaping }, false},
}

// BrokerFigureNames returns the JSON names of every [BrokerSample] figure
// in field order, the keys [BrokerSummary.Peaks] may hold.
func BrokerFigureNames() []string {
	out := make([]string, len(brokerFigures))
	for i, f := range brokerFigures {
		out[i] = f.name
	}
	return out
}

// BrokerFigure returns the named figure of s (a BrokerSample JSON field
// name), nil when s did not measure it or the name is unknown.
func (s *BrokerSample) BrokerFigure(name string) *float64 {
	for _, f := range brokerFigures {
		if f.name == name {
			return f.get(s)
		}
	}
	return nil
}

// resourceBasis is one way to turn a sample into a utilisation of a resource.
type resourceBasis struct {
	resource string
	basis    string
	util     func(*BrokerSample) (float64, bool)
}

// SummarizeBrokers returns the peaks of m and the resource that bound, over
// the measure-phase samples of m (every sample when none is marked
// "measure"). capacity may be nil. It is a pure function.
//
// Utilisation per resource, each per sample, 0..1:
//
//	cpu      = cpu_utilization
//	disk     = max(disk_utilization, disk_write_bytes_per_sec / capacity.DiskWriteBytesPerSec)
//	network  = max(network_rx, network_tx bytes/s) / capacity.NetworkBytesPerSec   (only with a capacity)
//	ingress  = bytes_in_per_sec / capacity.IngressBytesPerSec                      (only with a capacity)
//	egress   = bytes_out_per_sec / capacity.EgressBytesPerSec                      (only with a capacity)
//
// Each resource's Mean is the highest over brokers of that broker's mean
// utilisation; Binding is the resource with the highest Mean (ties: the
// order above). Without a network capacity the network is not ranked (an
// unknown NIC cannot bind), though its bytes/s peaks are reported.
func SummarizeBrokers(m BrokerMetrics, capacity *BrokerCapacity) BrokerSummary {
	var c BrokerCapacity
	if capacity != nil {
		c = *capacity
	}
	bases := []resourceBasis{
		{BrokerResourceCPU, "cpu_utilization", func(s *BrokerSample) (float64, bool) { return deref(s.CPUUtilization) }},
		{BrokerResourceDisk, diskBasis(c), func(s *BrokerSample) (float64, bool) {
			u, ok := deref(s.DiskUtilization)
			if w, wok := deref(s.DiskWriteBytesPerSec); wok && c.DiskWriteBytesPerSec > 0 {
				u, ok = math.Max(u, w/c.DiskWriteBytesPerSec), true
			}
			return u, ok
		}},
	}
	if c.NetworkBytesPerSec > 0 {
		bases = append(bases, resourceBasis{BrokerResourceNetwork,
			fmt.Sprintf("max(network_rx, network_tx bytes/s) / %s", perSec(c.NetworkBytesPerSec)),
			func(s *BrokerSample) (float64, bool) {
				rx, rok := deref(s.NetworkRxBytesPerSec)
				tx, tok := deref(s.NetworkTxBytesPerSec)
				return math.Max(rx, tx) / c.NetworkBytesPerSec, rok || tok
			}})
	}
	if c.IngressBytesPerSec > 0 {
		bases = append(bases, resourceBasis{BrokerResourceIngress, "bytes_in_per_sec / " + perSec(c.IngressBytesPerSec),
			func(s *BrokerSample) (float64, bool) {
				v, ok := deref(s.BytesInPerSec)
				return v / c.IngressBytesPerSec, ok
			}})
	}
	if c.EgressBytesPerSec > 0 {
		bases = append(bases, resourceBasis{BrokerResourceEgress, "bytes_out_per_sec / " + perSec(c.EgressBytesPerSec),
			func(s *BrokerSample) (float64, bool) {
				v, ok := deref(s.BytesOutPerSec)
				return v / c.EgressBytesPerSec, ok
			}})
	}

	measureOnly := false
	for _, b := range m.Brokers {
		for _, s := range b.Samples {
			if s.Phase == "measure" {
				measureOnly = true
			}
		}
	}
	var sum BrokerSummary
	sum.Peaks = map[string]BrokerPeak{}
	type acc struct {
		total float64
		n     int
		peak  float64
	}
	util := make([]BrokerUtilization, len(bases))
	seen := make([]bool, len(bases))
	for _, b := range m.Brokers {
		accs := make([]acc, len(bases))
		for i := range b.Samples {
			s := &b.Samples[i]
			if measureOnly && s.Phase != "measure" {
				continue
			}
			sum.Samples++
			for _, f := range brokerFigures {
				v := f.get(s)
				if v == nil {
					continue
				}
				p, ok := sum.Peaks[f.name]
				if !ok || (f.lowIsBusy && *v < p.Value) || (!f.lowIsBusy && *v > p.Value) {
					sum.Peaks[f.name] = BrokerPeak{Value: *v, Broker: b.ID, At: s.End}
				}
			}
			for _, t := range []*float64{s.ProduceThrottleTimeMs, s.FetchThrottleTimeMs, s.BwInAllowanceExceeded, s.BwOutAllowanceExceeded} {
				if t != nil && *t > 0 {
					sum.Throttled = true
				}
			}
			for j, rb := range bases {
				if u, ok := rb.util(s); ok {
					accs[j].total += u
					accs[j].n++
					accs[j].peak = math.Max(accs[j].peak, u)
				}
			}
		}
		for j, a := range accs {
			if a.n == 0 {
				continue
			}
			mean := a.total / float64(a.n)
			if !seen[j] || mean > util[j].Mean {
				util[j].Mean, util[j].Broker = mean, b.ID
			}
			util[j].Peak = math.Max(util[j].Peak, a.peak)
			seen[j] = true
		}
	}
	for j, rb := range bases {
		if seen[j] {
			u := util[j]
			u.Resource, u.Basis = rb.resource, rb.basis
			sum.Utilization = append(sum.Utilization, u)
		}
	}
	slices.SortStableFunc(sum.Utilization, func(a, b BrokerUtilization) int { return cmp.Compare(b.Mean, a.Mean) })
	if len(sum.Utilization) > 0 {
		sum.Binding = sum.Utilization[0].Resource
	}
	if len(sum.Peaks) == 0 {
		sum.Peaks = nil
	}
	return sum
}

func diskBasis(c BrokerCapacity) string {
	if c.DiskWriteBytesPerSec > 0 {
		return "max(disk_utilization, disk_write_bytes_per_sec / " + perSec(c.DiskWriteBytesPerSec) + ")"
	}
	return "disk_utilization"
}

// perSec formats a capacity in bytes/s as MiB/s.
func perSec(bytesPerSec float64) string {
	return fmt.Sprintf("%.4g MiB/s", bytesPerSec/(1<<20))
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}
