package monitor

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"regexp"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families read from the exporters. The names are those MSK open
// monitoring publishes (see testdata/README.md for their sources).
const (
	// node exporter (port 11002)
	famNodeCPU      = "node_cpu_seconds_total"
	famNodeNetRx    = "node_network_receive_bytes_total"
	famNodeNetTx    = "node_network_transmit_bytes_total"
	famNodeDiskW    = "node_disk_written_bytes_total"
	famNodeDiskBusy = "node_disk_io_time_seconds_total"

	// JMX exporter (port 11001)
	famTopicCount     = "kafka_server_BrokerTopicMetrics_Count"
	famRequestCount   = "kafka_network_RequestMetrics_Count"
	famRequestMean    = "kafka_network_RequestMetrics_Mean"
	famRequestP99     = "kafka_network_RequestMetrics_99thPercentile"
	famHandlerCount   = "kafka_server_KafkaRequestHandlerPool_Count"
	famHandlerRate    = "kafka_server_KafkaRequestHandlerPool_OneMinuteRate"
	famSocketServer   = "kafka_network_SocketServer_Value"
	famReplicaManager = "kafka_server_ReplicaManager_Value"
	famProduceQuota   = "kafka_server_Produce_throttle_time"
	famFetchQuota     = "kafka_server_Fetch_throttle_time"

	// `mskbench broker` (internal/embedded); every family but the process
	// ones carries a broker="<id>" label.
	mskbenchPrefix = "mskbench_broker_"
)

// wantedFamilies are the families parse keeps; every other line is dropped
// before parsing (a broker's JMX exporter writes thousands of lines, most
// of them per topic and partition).
var wantedFamilies = map[string]bool{
	famNodeCPU: true, famNodeNetRx: true, famNodeNetTx: true, famNodeDiskW: true, famNodeDiskBusy: true,
	famTopicCount: true, famRequestCount: true, famRequestMean: true, famRequestP99: true,
	famHandlerCount: true, famHandlerRate: true, famSocketServer: true, famReplicaManager: true,
	famProduceQuota: true, famFetchQuota: true,
}

// Keys of a values map. Counters are cumulative (rates are taken between
// two scrapes); gauges are used as read.
const (
	kCPUBusy  = "cpu_busy_seconds"   // counter: user + system over all CPUs
	kCPUs     = "cpus"               // gauge: CPUs seen
	kNetRx    = "net_rx_bytes"       // counter
	kNetTx    = "net_tx_bytes"       // counter
	kDiskW    = "disk_written_bytes" // counter
	kBytesIn  = "bytes_in"           // counter
	kBytesOut = "bytes_out"          // counter
	kMsgsIn   = "messages_in"        // counter
	kMsgsOut  = "messages_out"       // counter (mskbench_broker only)
	kProdReq  = "produce_requests"   // counter
	kFetchReq = "fetch_requests"     // counter
	kIdleNs   = "handler_idle_ns"    // counter: RequestHandlerAvgIdlePercent meter count (ns idle per thread)
	kIdleRate = "handler_idle_rate"  // gauge: its one-minute rate, 0..1
	kNetIdle  = "network_idle"       // gauge 0..1
	kURP      = "under_replicated"   // gauge
	kParts    = "partitions"         // gauge
	kLeaders  = "leaders"            // gauge
	kProdQT   = "produce_quota_throttle_ms"
	kFetchQT  = "fetch_quota_throttle_ms"
)

// histogram keys: "<request>/<name>/{count,mean,p99}", e.g. "Produce/TotalTimeMs/mean".
func hkey(request, name, stat string) string { return request + "/" + name + "/" + stat }

// values are the figures one scrape gave for one broker.
type values struct {
	v map[string]float64
	// diskBusy is node_disk_io_time_seconds_total by device.
	diskBusy map[string]float64
	// host is the broker's host when the endpoint names it
	// (mskbench_broker_info).
	host string
	// mskbench is true for values read from `mskbench broker` families.
	mskbench bool
}

func newValues() *values { return &values{v: map[string]float64{}, diskBusy: map[string]float64{}} }

func (vs *values) add(k string, x float64) { vs.v[k] += x }

// skipDisk matches devices node exporter users usually exclude: partitions,
// RAM disks, loop and floppy devices (node exporter's own default).
var skipDisk = regexp.MustCompile(`^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`)

// filterExposition copies the lines of in that belong to wanted families
// (and `mskbench broker` families) to a buffer: HELP and TYPE lines and
// samples. Per-topic BrokerTopicMetrics series are dropped; the broker
// total is the series without a topic label.
func filterExposition(in io.Reader) ([]byte, error) {
	var out bytes.Buffer
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var name []byte
		switch {
		case len(line) == 0:
			continue
		case line[0] == '#':
			f := bytes.Fields(line)
			if len(f) < 3 || (string(f[1]) != "HELP" && string(f[1]) != "TYPE") {
				continue
			}
			name = f[2]
		default:
			i := bytes.IndexAny(line, "{ \t")
			if i < 0 {
				continue
			}
			name = line[:i]
		}
		if !wantedFamilies[string(name)] && !bytes.HasPrefix(name, []byte(mskbenchPrefix)) {
			continue
		}
		if line[0] != '#' && string(name) == famTopicCount && bytes.Contains(line, []byte(`topic="`)) {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// parse reads one scrape (Prometheus text exposition format, as the JMX and
// node exporters and `mskbench broker` write it) into values by broker.
// Families of the JMX and node exporters belong to broker defaultID;
// `mskbench broker` families carry their own broker label.
func parse(in io.Reader, defaultID int32) (map[int32]*values, error) {
	text, err := filterExposition(in)
	if err != nil {
		return nil, fmt.Errorf("read exposition: %w", err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse exposition: %w", err)
	}
	out := map[int32]*values{}
	broker := func(id int32) *values {
		if out[id] == nil {
			out[id] = newValues()
		}
		return out[id]
	}
	for name, mf := range fams {
		if strings.HasPrefix(name, mskbenchPrefix) {
			parseMSKBench(name, mf, broker)
			continue
		}
		vs := broker(defaultID)
		for l, x := range samples(mf) {
			switch name {
			case famNodeCPU:
				if l["mode"] == "user" || l["mode"] == "system" {
					vs.add(kCPUBusy, x)
				}
				if l["mode"] == "idle" {
					vs.add(kCPUs, 1)
				}
			case famNodeNetRx, famNodeNetTx:
				if l["device"] == "lo" {
					continue
				}
				vs.add(map[string]string{famNodeNetRx: kNetRx, famNodeNetTx: kNetTx}[name], x)
			case famNodeDiskW:
				if !skipDisk.MatchString(l["device"]) {
					vs.add(kDiskW, x)
				}
			case famNodeDiskBusy:
				if !skipDisk.MatchString(l["device"]) {
					vs.diskBusy[l["device"]] += x
				}
			case famTopicCount:
				if _, perTopic := l["topic"]; perTopic {
					continue
				}
				switch l["name"] {
				case "BytesInPerSec":
					vs.add(kBytesIn, x)
				case "BytesOutPerSec":
					vs.add(kBytesOut, x)
				case "MessagesInPerSec":
					vs.add(kMsgsIn, x)
				}
			case famRequestCount, famRequestMean, famRequestP99:
				req := l["request"]
				if l["name"] == "RequestsPerSec" {
					// One series per request version: sum them. Kafka
					// splits fetches into FetchConsumer and FetchFollower
					// (replication); clients send FetchConsumer.
					if k, ok := map[string]string{"Produce": kProdReq, "FetchConsumer": kFetchReq}[req]; ok && name == famRequestCount {
						vs.add(k, x)
					}
					continue
				}
				stat := map[string]string{famRequestCount: "count", famRequestMean: "mean", famRequestP99: "p99"}[name]
				vs.v[hkey(req, l["name"], stat)] = x
			case famHandlerCount, famHandlerRate:
				if l["name"] == "RequestHandlerAvgIdlePercent" {
					vs.v[map[string]string{famHandlerCount: kIdleNs, famHandlerRate: kIdleRate}[name]] = x
				}
			case famSocketServer:
				if l["name"] == "NetworkProcessorAvgIdlePercent" {
					vs.v[kNetIdle] = x
				}
			case famReplicaManager:
				if k, ok := map[string]string{"UnderReplicatedPartitions": kURP, "PartitionCount": kParts, "LeaderCount": kLeaders}[l["name"]]; ok {
					vs.v[k] = x
				}
			case famProduceQuota, famFetchQuota:
				// The highest client's average throttle time.
				k := map[string]string{famProduceQuota: kProdQT, famFetchQuota: kFetchQT}[name]
				if cur, ok := vs.v[k]; !ok || x > cur {
					vs.v[k] = x
				}
			}
		}
	}
	for id, vs := range out {
		if len(vs.v) == 0 && len(vs.diskBusy) == 0 && vs.host == "" {
			delete(out, id)
		}
	}
	return out, nil
}

// mskbenchKeys maps `mskbench broker` families (without the prefix) to
// value keys. docs/monitoring.md and internal/embedded document them.
var mskbenchKeys = map[string]string{
	"bytes_in_total":               kBytesIn,
	"bytes_out_total":              kBytesOut,
	"records_in_total":             kMsgsIn,
	"records_out_total":            kMsgsOut,
	"produce_requests_total":       kProdReq,
	"fetch_requests_total":         kFetchReq,
	"network_receive_bytes_total":  kNetRx,
	"network_transmit_bytes_total": kNetTx,
	"partitions":                   kParts,
	"leaders":                      kLeaders,
}

// mskbenchProcessBroker is the pseudo broker that holds the process-wide
// figures of `mskbench broker` until they are copied to every broker.
const mskbenchProcessBroker = -1 << 30

func parseMSKBench(name string, mf *dto.MetricFamily, broker func(int32) *values) {
	short := strings.TrimPrefix(name, mskbenchPrefix)
	for l, x := range samples(mf) {
		switch short {
		case "process_cpu_seconds_total":
			vs := broker(mskbenchProcessBroker)
			vs.mskbench = true
			vs.add(kCPUBusy, x)
			continue
		case "process_cpus":
			vs := broker(mskbenchProcessBroker)
			vs.mskbench = true
			vs.v[kCPUs] = x
			continue
		}
		id, err := strconv.ParseInt(l["broker"], 10, 32)
		if err != nil {
			continue
		}
		vs := broker(int32(id))
		vs.mskbench = true
		if short == "info" {
			vs.host = l["host"]
			continue
		}
		if k, ok := mskbenchKeys[short]; ok {
			vs.v[k] = x
		}
	}
}

// spreadProcess copies the process-wide figures of `mskbench broker` (CPU)
// to every broker of the scrape: they share the process, as brokers on one
// host share its CPUs.
func spreadProcess(byBroker map[int32]*values) {
	p, ok := byBroker[mskbenchProcessBroker]
	if !ok {
		return
	}
	delete(byBroker, mskbenchProcessBroker)
	for _, vs := range byBroker {
		for k, x := range p.v {
			vs.v[k] = x
		}
	}
}

// samples yields the labels and value of every untyped, counter or gauge
// sample of mf.
func samples(mf *dto.MetricFamily) iter.Seq2[map[string]string, float64] {
	return func(yield func(map[string]string, float64) bool) {
		for _, m := range mf.GetMetric() {
			x, ok := metricValue(m)
			if ok && !yield(labelMap(m), x) {
				return
			}
		}
	}
}

func metricValue(m *dto.Metric) (float64, bool) {
	switch {
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	}
	return 0, false
}

func labelMap(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}
