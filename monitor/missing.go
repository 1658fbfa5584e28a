package monitor

import (
	"fmt"

	"github.com/mskbench/mskbench/report"
)

// exporterFigures are the figures the JMX and node exporters can give, with
// the families they come from (for Missing reasons).
var exporterFigures = []struct{ figure, from string }{
	{"cpu_utilization", famNodeCPU + ` (node exporter)`},
	{"network_rx_bytes_per_sec", famNodeNetRx + ` (node exporter)`},
	{"network_tx_bytes_per_sec", famNodeNetTx + ` (node exporter)`},
	{"disk_write_bytes_per_sec", famNodeDiskW + ` (node exporter)`},
	{"disk_utilization", famNodeDiskBusy + ` (node exporter)`},
	{"bytes_in_per_sec", famTopicCount + `{name="BytesInPerSec"} without a topic label`},
	{"bytes_out_per_sec", famTopicCount + `{name="BytesOutPerSec"} without a topic label`},
	{"messages_in_per_sec", famTopicCount + `{name="MessagesInPerSec"} without a topic label`},
	{"produce_requests_per_sec", famRequestCount + `{name="RequestsPerSec",request="Produce"}`},
	{"fetch_requests_per_sec", famRequestCount + `{name="RequestsPerSec",request="FetchConsumer"}`},
	{"request_handler_idle", famHandlerCount + `{name="RequestHandlerAvgIdlePercent"}`},
	{"network_processor_idle", famSocketServer + `{name="NetworkProcessorAvgIdlePercent"}`},
	{"produce_total_time_mean_ms", famRequestMean + `{name="TotalTimeMs",request="Produce"} (or no produce request completed)`},
	{"produce_total_time_p99_ms", famRequestP99 + `{name="TotalTimeMs",request="Produce"}`},
	{"produce_queue_time_mean_ms", famRequestMean + `{name="RequestQueueTimeMs",request="Produce"} (or no produce request completed)`},
	{"produce_queue_time_p99_ms", famRequestP99 + `{name="RequestQueueTimeMs",request="Produce"}`},
	{"fetch_total_time_mean_ms", famRequestMean + `{name="TotalTimeMs",request="FetchConsumer"} (or no consumer fetch completed)`},
	{"fetch_total_time_p99_ms", famRequestP99 + `{name="TotalTimeMs",request="FetchConsumer"}`},
	{"fetch_queue_time_mean_ms", famRequestMean + `{name="RequestQueueTimeMs",request="FetchConsumer"} (or no consumer fetch completed)`},
	{"fetch_queue_time_p99_ms", famRequestP99 + `{name="RequestQueueTimeMs",request="FetchConsumer"}`},
	{"under_replicated_partitions", famReplicaManager + `{name="UnderReplicatedPartitions"}`},
	{"partition_count", famReplicaManager + `{name="PartitionCount"}`},
	{"leader_count", famReplicaManager + `{name="LeaderCount"}`},
	{"produce_throttle_time_ms", famRequestMean + `{name="ThrottleTimeMs",request="Produce"} or ` + famProduceQuota},
	{"fetch_throttle_time_ms", famRequestMean + `{name="ThrottleTimeMs",request="FetchConsumer"} or ` + famFetchQuota},
}

// mskbenchFigures are the figures `mskbench broker` counts.
var mskbenchFigures = map[string]bool{
	"cpu_utilization": true, "network_rx_bytes_per_sec": true, "network_tx_bytes_per_sec": true,
	"bytes_in_per_sec": true, "bytes_out_per_sec": true, "messages_in_per_sec": true, "messages_out_per_sec": true,
	"produce_requests_per_sec": true, "fetch_requests_per_sec": true, "partition_count": true, "leader_count": true,
}

// missing lists the figures of m's source that no sample has.
func missing(m report.BrokerMetrics) []report.MissingMetric {
	have := map[string]bool{}
	for _, b := range m.Brokers {
		for i := range b.Samples {
			for _, n := range report.BrokerFigureNames() {
				if b.Samples[i].BrokerFigure(n) != nil {
					have[n] = true
				}
			}
		}
	}
	var out []report.MissingMetric
	if m.Source == report.BrokerSourceMSKBenchBroker {
		for _, f := range exporterFigures {
			switch {
			case !mskbenchFigures[f.figure]:
				out = append(out, report.MissingMetric{Metric: f.figure, Reason: "the in-process cluster does not measure it"})
			case !have[f.figure]:
				out = append(out, report.MissingMetric{Metric: f.figure, Reason: "not in the scrapes of mskbench broker's /metrics"})
			}
		}
		return out
	}
	for _, f := range exporterFigures {
		if have[f.figure] {
			continue
		}
		reason := "no successful scrape during the step"
		if len(m.Brokers) > 0 {
			reason = fmt.Sprintf("no %s in the scrapes", f.from)
		}
		out = append(out, report.MissingMetric{Metric: f.figure, Reason: reason})
	}
	return out
}
