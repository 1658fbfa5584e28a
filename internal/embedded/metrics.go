package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"google.golang.org/protobuf/proto"
)

// Broker metrics of the in-process cluster (Config.Metrics). They count
// what the kfake brokers really handled, per broker, with atomic counters:
//
//   - produce requests and the record batches in them (bytes as stored,
//     and records), seen through a kfake control function that observes
//     every Produce request without handling it (ControlKey, CurrentNode);
//   - fetch requests and the record batches of their responses, and the
//     bytes each broker's connections received and sent, seen through a
//     counting wrapper around each broker's listener (the fetch response
//     is decoded only to count its batches; needs a plaintext listener);
//   - partitions (replicas) and leaders per broker, from a Metadata
//     request when /metrics is scraped;
//   - the CPU time of the whole process (getrusage), which hosts every
//     broker (and, for `run --embedded`, the load generator too).
//
// Families (Prometheus text format; package monitor reads them as source
// "mskbench_broker"):
//
//	mskbench_broker_info{broker,host}                1
//	mskbench_broker_bytes_in_total{broker}           counter, record-batch bytes produced
//	mskbench_broker_records_in_total{broker}         counter, records produced
//	mskbench_broker_bytes_out_total{broker}          counter, record-batch bytes fetched
//	mskbench_broker_records_out_total{broker}        counter, records fetched
//	mskbench_broker_produce_requests_total{broker}   counter
//	mskbench_broker_fetch_requests_total{broker}     counter
//	mskbench_broker_network_receive_bytes_total{broker}   counter, bytes read from clients
//	mskbench_broker_network_transmit_bytes_total{broker}  counter, bytes written to clients
//	mskbench_broker_partitions{broker}               gauge, partition replicas hosted
//	mskbench_broker_leaders{broker}                  gauge, partitions led
//	mskbench_broker_process_cpu_seconds_total{mode="user"|"system"}  counter
//	mskbench_broker_process_cpus                     gauge, GOMAXPROCS
//
// Records are counted from the batch headers (v2 record batches), so
// bytes are as stored (compressed when the producer compressed).

// BrokerCounters are one broker's counts since the cluster started.
type BrokerCounters struct {
	// ID is the broker's node id (0, 1, ...); Addr its host:port.
	ID   int32
	Addr string
	// BytesIn and RecordsIn are the record batches of produce requests
	// (bytes as stored); BytesOut and RecordsOut those of fetch responses.
	BytesIn, RecordsIn, BytesOut, RecordsOut int64
	// ProduceRequests and FetchRequests count requests received.
	ProduceRequests, FetchRequests int64
	// NetworkRx and NetworkTx are bytes read from and written to the
	// broker's client connections.
	NetworkRx, NetworkTx int64
}

// brokerStats are the atomic counters behind BrokerCounters.
type brokerStats struct {
	bytesIn, recordsIn, bytesOut, recordsOut atomic.Int64
	produceReqs, fetchReqs, netRx, netTx     atomic.Int64
}

// metrics holds the counters of a cluster with Config.Metrics.
type metrics struct {
	listeners atomic.Int32 // listeners made so far: the next one's node id
	mu        sync.Mutex
	brokers   map[int32]*brokerStats
	client    *kgo.Client // for Metadata at scrape time, made on first use
	server    *http.Server
	serveDone chan struct{}
}

func newMetrics() *metrics { return &metrics{brokers: map[int32]*brokerStats{}} }

func (m *metrics) broker(id int32) *brokerStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.brokers[id]
	if st == nil {
		st = &brokerStats{}
		m.brokers[id] = st
	}
	return st
}

// wrapListen wraps a kfake listen function: kfake makes broker i's
// listener i-th, so the call index is the node id.
func (m *metrics) wrapListen(fn func(network, address string) (net.Listener, error)) func(network, address string) (net.Listener, error) {
	return func(network, address string) (net.Listener, error) {
		ln, err := fn(network, address)
		if err != nil {
			return nil, err
		}
		id := m.listeners.Add(1) - 1
		return &countingListener{Listener: ln, st: m.broker(id)}, nil
	}
}

// observeProduce counts every Produce request per broker without handling
// it (returns not handled, so kfake processes it as usual).
func (c *Cluster) observeProduce() {
	c.kc.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		r, ok := req.(*kmsg.ProduceRequest)
		if !ok {
			return nil, nil, false
		}
		st := c.metrics.broker(c.kc.CurrentNode())
		st.produceReqs.Add(1)
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				n, recs := batchStats(p.Records)
				st.bytesIn.Add(n)
				st.recordsIn.Add(recs)
			}
		}
		return nil, nil, false
	})
}

// batchStats returns the bytes and the record count of a run of record
// batches (magic v2: the record count is the int32 at byte 57 of a batch).
func batchStats(b []byte) (bytes, records int64) {
	bytes = int64(len(b))
	for len(b) >= 61 {
		n := int(int32(binary.BigEndian.Uint32(b[8:12]))) + 12
		if n < 61 || n > len(b) || b[16] != 2 {
			break
		}
		records += int64(int32(binary.BigEndian.Uint32(b[57:61])))
		b = b[n:]
	}
	return bytes, records
}

// countingListener counts the bytes of every connection it accepts.
type countingListener struct {
	net.Listener
	st *brokerStats
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, st: l.st, fetches: map[int32]int16{}}, nil
}

// countingConn counts bytes both ways, notes the correlation id and
// version of every Fetch request it reads, and counts the record batches
// of the matching responses it writes.
type countingConn struct {
	net.Conn
	st *brokerStats

	// Read side (the connection's reader goroutine only).
	hdr    [12]byte // size, api key, version, correlation id of the current request
	hdrN   int
	remain int // bytes of the current request after its header
	broken bool

	// Write side (the writer goroutine only).
	pending []byte

	mu      sync.Mutex
	fetches map[int32]int16 // correlation id → Fetch version
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.st.netRx.Add(int64(n))
		c.scanRequests(p[:n])
	}
	return n, err
}

// scanRequests follows the request framing (int32 size, then the header:
// int16 api key, int16 version, int32 correlation id).
func (c *countingConn) scanRequests(b []byte) {
	for len(b) > 0 && !c.broken {
		if c.remain > 0 {
			k := min(c.remain, len(b))
			c.remain -= k
			b = b[k:]
			continue
		}
		k := copy(c.hdr[c.hdrN:], b)
		c.hdrN += k
		b = b[k:]
		if c.hdrN < len(c.hdr) {
			return
		}
		c.hdrN = 0
		size := int(int32(binary.BigEndian.Uint32(c.hdr[0:4])))
		if size < 8 || size > 1<<30 {
			c.broken = true // not Kafka framing (TLS?): stop parsing, keep counting bytes
			return
		}
		c.remain = size - 8
		if key := int16(binary.BigEndian.Uint16(c.hdr[4:6])); key == int16(kmsg.Fetch) {
			c.st.fetchReqs.Add(1)
			c.mu.Lock()
			c.fetches[int32(binary.BigEndian.Uint32(c.hdr[8:12]))] = int16(binary.BigEndian.Uint16(c.hdr[6:8]))
			c.mu.Unlock()
		}
	}
}

// Write counts p before writing it, so that a client never sees a
// response before it is counted.
func (c *countingConn) Write(p []byte) (int, error) {
	c.st.netTx.Add(int64(len(p)))
	c.scanResponses(p)
	return c.Conn.Write(p)
}

// scanResponses splits the written bytes into response frames (int32
// size, int32 correlation id, ...) and counts the batches of Fetch
// responses. kfake writes one whole frame per Write, which is parsed in
// place; partial frames are buffered.
func (c *countingConn) scanResponses(b []byte) {
	if len(c.pending) > 0 {
		c.pending = append(c.pending, b...)
		b = c.pending
	}
	for len(b) >= 8 {
		size := int(int32(binary.BigEndian.Uint32(b[0:4])))
		if size < 4 || size > 1<<30 {
			c.pending = nil
			return
		}
		if len(b) < 4+size {
			break
		}
		c.response(b[4 : 4+size])
		b = b[4+size:]
	}
	if len(b) == 0 {
		c.pending = c.pending[:0]
		return
	}
	c.pending = append(c.pending[:0], b...)
}

// response counts the record batches of frame (correlation id onwards) if
// it answers a Fetch request.
func (c *countingConn) response(frame []byte) {
	corr := int32(binary.BigEndian.Uint32(frame[0:4]))
	c.mu.Lock()
	version, ok := c.fetches[corr]
	delete(c.fetches, corr)
	c.mu.Unlock()
	if !ok {
		return
	}
	body := frame[4:]
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = version
	if resp.IsFlexible() {
		// The flexible response header ends with its tagged fields.
		body = skipTags(body)
		if body == nil {
			return
		}
	}
	if err := resp.ReadFrom(body); err != nil {
		return
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			n, recs := batchStats(p.RecordBatches)
			c.st.bytesOut.Add(n)
			c.st.recordsOut.Add(recs)
		}
	}
}

// skipTags skips a tagged-field section (uvarint count, then per field a
// uvarint tag, uvarint size and the data); nil when malformed.
func skipTags(b []byte) []byte {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil
	}
	b = b[k:]
	for range n {
		if _, k = binary.Uvarint(b); k <= 0 {
			return nil
		}
		b = b[k:]
		size, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < size {
			return nil
		}
		b = b[k+int(size):]
	}
	return b
}

// Counters returns the counts of every broker since the cluster started,
// by broker id; nil when the cluster was started without Config.Metrics.
// It is safe for concurrent use.
func (c *Cluster) Counters() []BrokerCounters {
	if c.metrics == nil {
		return nil
	}
	out := make([]BrokerCounters, len(c.addrs))
	for i := range out {
		st := c.metrics.broker(int32(i))
		out[i] = BrokerCounters{ID: int32(i), Addr: c.addrs[i],
			BytesIn: st.bytesIn.Load(), RecordsIn: st.recordsIn.Load(), BytesOut: st.bytesOut.Load(), RecordsOut: st.recordsOut.Load(),
			ProduceRequests: st.produceReqs.Load(), FetchRequests: st.fetchReqs.Load(), NetworkRx: st.netRx.Load(), NetworkTx: st.netTx.Load()}
	}
	return out
}

// placement returns the partition replicas and leaders per broker, from
// a Metadata request of the cluster's own client; ok is false when it
// fails (e.g. a cluster that requires TLS or SASL).
func (c *Cluster) placement(ctx context.Context) (replicas, leaders map[int32]int, ok bool) {
	c.metrics.mu.Lock()
	if c.metrics.client == nil {
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.DialTimeout(2*time.Second))
		if err != nil {
			c.metrics.mu.Unlock()
			return nil, nil, false
		}
		c.metrics.client = cl
	}
	cl := c.metrics.client
	c.metrics.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	md, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		return nil, nil, false
	}
	replicas, leaders = map[int32]int{}, map[int32]int{}
	for _, t := range md.Topics {
		if t.IsInternal {
			continue
		}
		for _, p := range t.Partitions {
			leaders[p.Leader]++
			for _, r := range p.Replicas {
				replicas[r]++
			}
		}
	}
	return replicas, leaders, true
}

// MetricsHandler returns an http.Handler that writes the broker metrics in
// the Prometheus text format (families above). It answers 404 when the
// cluster was started without Config.Metrics.
func (c *Cluster) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.metrics == nil {
			http.Error(w, "broker metrics are off (embedded.Config.Metrics)", http.StatusNotFound)
			return
		}
		var buf bytes.Buffer
		if err := c.writeMetrics(r.Context(), &buf); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		_, _ = w.Write(buf.Bytes())
	})
}

func (c *Cluster) writeMetrics(ctx context.Context, w *bytes.Buffer) error {
	counters := c.Counters()
	replicas, leaders, placed := c.placement(ctx)
	label := func(k, v string) *dto.LabelPair { return &dto.LabelPair{Name: proto.String(k), Value: proto.String(v)} }
	fam := func(name, help string, typ dto.MetricType, value func(BrokerCounters) float64, labels func(BrokerCounters) []*dto.LabelPair) *dto.MetricFamily {
		mf := &dto.MetricFamily{Name: proto.String("mskbench_broker_" + name), Help: proto.String(help), Type: typ.Enum()}
		for _, b := range counters {
			m := &dto.Metric{Label: []*dto.LabelPair{label("broker", strconv.Itoa(int(b.ID)))}}
			if labels != nil {
				m.Label = append(m.Label, labels(b)...)
			}
			v := value(b)
			if typ == dto.MetricType_COUNTER {
				m.Counter = &dto.Counter{Value: proto.Float64(v)}
			} else {
				m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
			}
			mf.Metric = append(mf.Metric, m)
		}
		return mf
	}
	counter, gauge := dto.MetricType_COUNTER, dto.MetricType_GAUGE
	fams := []*dto.MetricFamily{
		fam("info", "The in-process broker's address.", gauge, func(BrokerCounters) float64 { return 1 },
			func(b BrokerCounters) []*dto.LabelPair { return []*dto.LabelPair{label("host", b.Addr)} }),
		fam("bytes_in_total", "Record-batch bytes in produce requests (as stored).", counter, func(b BrokerCounters) float64 { return float64(b.BytesIn) }, nil),
		fam("records_in_total", "Records in produce requests.", counter, func(b BrokerCounters) float64 { return float64(b.RecordsIn) }, nil),
		fam("bytes_out_total", "Record-batch bytes in fetch responses (as stored).", counter, func(b BrokerCounters) float64 { return float64(b.BytesOut) }, nil),
		fam("records_out_total", "Records in fetch responses.", counter, func(b BrokerCounters) float64 { return float64(b.RecordsOut) }, nil),
		fam("produce_requests_total", "Produce requests received.", counter, func(b BrokerCounters) float64 { return float64(b.ProduceRequests) }, nil),
		fam("fetch_requests_total", "Fetch requests received.", counter, func(b BrokerCounters) float64 { return float64(b.FetchRequests) }, nil),
		fam("network_receive_bytes_total", "Bytes read from the broker's client connections.", counter, func(b BrokerCounters) float64 { return float64(b.NetworkRx) }, nil),
		fam("network_transmit_bytes_total", "Bytes written to the broker's client connections.", counter, func(b BrokerCounters) float64 { return float64(b.NetworkTx) }, nil),
	}
	if placed {
		fams = append(fams,
			fam("partitions", "Partition replicas hosted (leaders and followers).", gauge, func(b BrokerCounters) float64 { return float64(replicas[b.ID]) }, nil),
			fam("leaders", "Partitions led.", gauge, func(b BrokerCounters) float64 { return float64(leaders[b.ID]) }, nil))
	}
	if user, sys, ok := processCPU(); ok {
		fams = append(fams, &dto.MetricFamily{Name: proto.String("mskbench_broker_process_cpu_seconds_total"),
			Help: proto.String("CPU time of the process that runs every in-process broker."), Type: counter.Enum(),
			Metric: []*dto.Metric{
				{Label: []*dto.LabelPair{label("mode", "user")}, Counter: &dto.Counter{Value: proto.Float64(user)}},
				{Label: []*dto.LabelPair{label("mode", "system")}, Counter: &dto.Counter{Value: proto.Float64(sys)}},
			}})
	}
	fams = append(fams, &dto.MetricFamily{Name: proto.String("mskbench_broker_process_cpus"),
		Help: proto.String("CPUs the process may use (GOMAXPROCS)."), Type: gauge.Enum(),
		Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(float64(runtime.GOMAXPROCS(0)))}}}})
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range fams {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("encode %s: %w", mf.GetName(), err)
		}
	}
	return nil
}

// ServeMetrics serves MetricsHandler at /metrics on addr until the
// cluster is closed and returns the URL it listens on. An address without
// a host (":9100") listens on loopback; port 0 picks a free port. The
// cluster must have been started with Config.Metrics.
func (c *Cluster) ServeMetrics(addr string) (string, error) {
	if c.metrics == nil {
		return "", fmt.Errorf("embedded cluster: metrics are off (embedded.Config.Metrics)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("embedded cluster: metrics address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return "", fmt.Errorf("embedded cluster: metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", c.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	c.metrics.mu.Lock()
	if c.metrics.server != nil {
		c.metrics.mu.Unlock()
		ln.Close()
		return "", fmt.Errorf("embedded cluster: metrics are already served")
	}
	c.metrics.server, c.metrics.serveDone = srv, done
	c.metrics.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return "http://" + ln.Addr().String() + "/metrics", nil
}

// closeMetrics stops the metrics server and the metadata client.
func (c *Cluster) closeMetrics() {
	if c.metrics == nil {
		return
	}
	c.metrics.mu.Lock()
	srv, done, cl := c.metrics.server, c.metrics.serveDone, c.metrics.client
	c.metrics.server, c.metrics.client = nil, nil
	c.metrics.mu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(ctx)
		cancel()
		<-done
	}
	if cl != nil {
		cl.Close()
	}
}
