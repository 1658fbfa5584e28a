package load

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
	"github.com/segmentio/kafka-go/protocol/produce"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// batchesIn returns the record batches of one partition of a produce
// request.
func batchesIn(records []byte) []kmsg.RecordBatch {
	var out []kmsg.RecordBatch
	for b := records; len(b) > 0; {
		var rb kmsg.RecordBatch
		if err := rb.ReadFrom(b); err != nil {
			break
		}
		out = append(out, rb)
		b = b[12+int(rb.Length):]
	}
	return out
}

// TestIdempotenceIsOn watches what reaches the brokers (kfake control
// functions that observe and pass every request on): a franz-go producer
// asks for a producer id (InitProducerID) and sends batches carrying it
// with sequence numbers that increase per partition without a gap; a
// kafka-go producer has neither. The result records which.
func TestIdempotenceIsOn(t *testing.T) {
	for _, tc := range []struct {
		client     plan.Client
		idempotent bool
	}{{plan.ClientFranzGo, true}, {plan.ClientKafkaGo, false}} {
		t.Run(string(tc.client), func(t *testing.T) {
			c := embedded.ForTest(t, 3)
			kf := c.Kfake()
			var inits atomic.Int64
			kf.ControlKey(kmsg.InitProducerID.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
				kf.KeepControl()
				inits.Add(1)
				return nil, nil, false
			})
			var mu sync.Mutex
			type pidPart struct {
				pid       int64
				partition int32
			}
			next := map[pidPart]int32{} // next expected sequence
			var batches, noPID, gaps int64
			kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
				kf.KeepControl()
				req := kreq.(*kmsg.ProduceRequest)
				mu.Lock()
				defer mu.Unlock()
				for _, tp := range req.Topics {
					for _, p := range tp.Partitions {
						for _, rb := range batchesIn(p.Records) {
							batches++
							if rb.ProducerID < 0 {
								noPID++
								continue
							}
							k := pidPart{rb.ProducerID, p.Partition}
							if want, ok := next[k]; ok && rb.FirstSequence != want {
								gaps++
							}
							next[k] = rb.FirstSequence + rb.NumRecords
						}
					}
				}
				return nil, nil, false
			})
			pl := testPlan()
			pl.Client = tc.client
			pl.Consumers.Groups = 0
			pl.Phases.Warmup = 0
			pl.Phases.Duration = plan.Duration(time.Second)
			step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "idem"})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkAccounted(t, &step)
			mu.Lock()
			defer mu.Unlock()
			t.Logf("InitProducerID %d, batches %d (without producer id %d), sequence gaps %d, producer ids × partitions %d",
				inits.Load(), batches, noPID, gaps, len(next))
			if step.Counters.Acked == 0 || step.Counters.Acked != step.Counters.Sent {
				t.Fatalf("acked %d of %d", step.Counters.Acked, step.Counters.Sent)
			}
			if tc.idempotent {
				if inits.Load() < int64(pl.Producers.Workers) || noPID != 0 || gaps != 0 || len(next) == 0 {
					t.Errorf("InitProducerID %d (want >= %d workers), %d batches without a producer id, %d sequence gaps; want an id per worker and gapless sequences",
						inits.Load(), pl.Producers.Workers, noPID, gaps)
				}
				var pids []int64
				for k := range next {
					if !slices.Contains(pids, k.pid) {
						pids = append(pids, k.pid)
					}
				}
				if len(pids) != pl.Producers.Workers {
					t.Errorf("%d producer ids in the batches, want one per worker (%d)", len(pids), pl.Producers.Workers)
				}
			} else if inits.Load() != 0 || noPID != batches {
				t.Errorf("kafka-go: InitProducerID %d, %d of %d batches without a producer id; want none and all", inits.Load(), noPID, batches)
			}
			if cs := step.Client; cs == nil || cs.Name != string(tc.client) || cs.Producer == nil || cs.Producer.Idempotent != tc.idempotent {
				t.Errorf("client settings %+v, want %s, idempotent %t", cs, tc.client, tc.idempotent)
			} else if want := []string{"mskbench-producer-0", "mskbench-producer-1"}; !slices.Equal(cs.Producer.ClientIDs, want) {
				t.Errorf("producer client ids %v, want %v", cs.Producer.ClientIDs, want)
			}
		})
	}
}

// TestTransactions runs transactional producers (franz-go) that abort a
// quarter of their transactions: EndTxn reaches the brokers both ways, a
// read_committed group reads every committed message exactly once and none
// of the aborted ones, commits are timed; a read_uncommitted group reads the
// aborted ones too, which is not a problem for it.
func TestTransactions(t *testing.T) {
	for _, iso := range []plan.Isolation{plan.ReadCommitted, plan.ReadUncommitted} {
		t.Run(string(iso), func(t *testing.T) {
			c := embedded.ForTest(t, 3)
			kf := c.Kfake()
			var commits, aborts atomic.Int64
			kf.ControlKey(kmsg.EndTxn.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
				kf.KeepControl()
				if kreq.(*kmsg.EndTxnRequest).Commit {
					commits.Add(1)
				} else {
					aborts.Add(1)
				}
				return nil, nil, false
			})
			pl := testPlan()
			pl.Verify = true
			pl.Producers.Transactions = &plan.Transactions{MessagesPerTransaction: 40, AbortRatio: 0.25}
			pl.Producers.MessageSize = plan.SizeDist{Fixed: 200}
			pl.Consumers.Isolation = iso
			pl.Consumers.PerGroup = 1
			pl.Phases.Warmup = 0
			pl.Phases.Duration = plan.Duration(1500 * time.Millisecond)
			step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "txn", Logf: t.Logf})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkAccounted(t, &step)
			cn, v, x := step.Counters, step.Verification, step.Transactions
			t.Logf("EndTxn commit %d abort %d; counters %+v; transactions %+v; verification %+v; commit %+v",
				commits.Load(), aborts.Load(), cn, x, v, step.Latency.Commit)
			if commits.Load() == 0 || aborts.Load() == 0 {
				t.Fatalf("EndTxn: %d commits, %d aborts; want both", commits.Load(), aborts.Load())
			}
			if x == nil || x.Committed != commits.Load() || x.Aborted != aborts.Load() || x.Failed != 0 {
				t.Errorf("transactions %+v, want %d committed and %d aborted as observed", x, commits.Load(), aborts.Load())
			}
			// A quarter of the transactions of each worker, spread evenly.
			if total := commits.Load() + aborts.Load(); aborts.Load() < total/4-2 || aborts.Load() > total/4+2 {
				t.Errorf("%d of %d transactions aborted, want about a quarter", aborts.Load(), total)
			}
			if step.Latency.Commit.Count != commits.Load() {
				t.Errorf("commit latency has %d samples, want one per commit (%d)", step.Latency.Commit.Count, commits.Load())
			}
			if cn.Aborted == 0 || cn.Failed != 0 || cn.Acked != cn.Sent {
				t.Errorf("sent %d acked %d failed %d aborted %d: want all acknowledged, some aborted", cn.Sent, cn.Acked, cn.Failed, cn.Aborted)
			}
			if v == nil || !v.Complete || v.Lost != 0 || v.Duplicated != 0 || v.Corrupted != 0 || v.AbortedSeen != 0 {
				t.Errorf("verification %+v, want complete: every committed message once, no aborted one counted", v)
			}
			switch iso {
			case plan.ReadCommitted:
				if cn.Consumed != cn.Acked-cn.Aborted || cn.Lag != 0 {
					t.Errorf("consumed %d, lag %d; want acked − aborted = %d, lag 0", cn.Consumed, cn.Lag, cn.Acked-cn.Aborted)
				}
			case plan.ReadUncommitted:
				if cn.Consumed != cn.Acked {
					t.Errorf("read_uncommitted consumed %d, want every acknowledged message (%d), aborted ones too", cn.Consumed, cn.Acked)
				}
			}
			if cs := step.Client; cs == nil || cs.Consumer == nil || cs.Consumer.Isolation != string(iso) ||
				cs.Producer.Transactions == nil || len(cs.Producer.Transactions.TransactionalIDs) != pl.Producers.Workers {
				t.Errorf("client settings %+v, want isolation %s and a transactional id per worker", cs, iso)
			}
		})
	}
}

// TestThrottleCounted answers every produce request of a produce-only step
// with a synthesized success carrying a known throttle time: the step
// counts exactly the throttled responses and their total, per broker, and
// is flagged THROTTLED.
func TestThrottleCounted(t *testing.T) {
	const throttleMs = 3
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		var answered atomic.Int64
		kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
			kf.KeepControl()
			req := kreq.(*kmsg.ProduceRequest)
			resp, _ := produceErrorResponse(req, 0)
			resp.ThrottleMillis = throttleMs
			answered.Add(1)
			return resp, nil, true
		})
		pl := testPlan()
		pl.Client = cl
		pl.Consumers.Groups = 0
		pl.Phases.Warmup = 0 // every response falls in the measured phase or the drain
		pl.Phases.Duration = plan.Duration(time.Second)
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "throttle"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		th := step.Throttle
		t.Logf("answered %d produce requests; throttle %+v", answered.Load(), th)
		if answered.Load() == 0 || th == nil {
			t.Fatalf("answered %d, throttle %v: want both", answered.Load(), th)
		}
		n := answered.Load()
		if th.Responses != n || th.TotalMs != n*throttleMs || th.MaxMs != throttleMs || th.Produce.Responses != n || th.Fetch.Responses != 0 {
			t.Errorf("throttle %+v, want %d produce responses, %d ms in total, max %d ms", th, n, n*throttleMs, throttleMs)
		}
		var perBroker int64
		for b, bc := range th.Brokers {
			if !slices.Contains(c.Addrs(), b) {
				t.Errorf("throttle of broker %q, not one of %v", b, c.Addrs())
			}
			perBroker += bc.Responses
		}
		if perBroker != n {
			t.Errorf("per broker %d responses, want %d", perBroker, n)
		}
		var timeline int64
		for _, iv := range step.Timeline {
			timeline += iv.Throttled
		}
		if timeline != n {
			t.Errorf("intervals count %d throttled responses, want %d", timeline, n)
		}
		agg := step.Aggregates()
		if agg["throttled_responses"] != float64(n) || agg["throttle_ms"] != float64(n*throttleMs) {
			t.Errorf("aggregates throttled_responses %g throttle_ms %g", agg["throttled_responses"], agg["throttle_ms"])
		}
	})
}

// TestRackIsSent sets consumers.rack (from the environment with auto-az):
// every fetch of the franz-go consumers carries it (KIP-392), so a broker
// with a rack-aware replica selector can serve it from a follower.
func TestRackIsSent(t *testing.T) {
	c := embedded.ForTest(t, 3)
	kf := c.Kfake()
	var mu sync.Mutex
	racks := map[string]int{}
	kf.ControlKey(kmsg.Fetch.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		kf.KeepControl()
		mu.Lock()
		racks[kreq.(*kmsg.FetchRequest).Rack]++
		mu.Unlock()
		return nil, nil, false
	})
	pl := testPlan()
	pl.Consumers.Rack = plan.RackAutoAZ
	pl.Phases.Warmup = 0
	pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
	env := func(k string) string {
		if k == plan.RackEnv {
			return "use1-az2"
		}
		return ""
	}
	step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "rack", Getenv: env})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(racks) != 1 || racks["use1-az2"] == 0 {
		t.Errorf("fetch requests by rack %v, want all from use1-az2", racks)
	}
	if cs := step.Client; cs == nil || cs.Consumer == nil || cs.Consumer.Rack != "use1-az2" {
		t.Errorf("client settings %+v, want rack use1-az2", cs)
	}
	if step.Counters.Consumed != step.Counters.Acked {
		t.Errorf("consumed %d of %d", step.Counters.Consumed, step.Counters.Acked)
	}
}

// fakeRoundTripper answers metadata requests with one topic of 4
// partitions and produce requests with a given error code, counting them.
type fakeRoundTripper struct {
	metadata, produce atomic.Int64
	code              atomic.Int32
}

func (f *fakeRoundTripper) RoundTrip(_ context.Context, _ net.Addr, req kafka.Request) (kafka.Response, error) {
	switch r := req.(type) {
	case *metadataAPI.Request:
		f.metadata.Add(1)
		return &metadataAPI.Response{Topics: []metadataAPI.ResponseTopic{{Name: r.TopicNames[0],
			Partitions: make([]metadataAPI.ResponsePartition, 4)}}}, nil
	case *produce.Request:
		f.produce.Add(1)
		return &produce.Response{Topics: []produce.ResponseTopic{{Topic: "t",
			Partitions: []produce.ResponsePartition{{ErrorCode: int16(f.code.Load())}}}}}, nil
	}
	return nil, errors.New("unexpected request")
}

// TestKafkaGoMetadataCache checks the cache of countingTransport: kafka-go's
// Writer looks up the topic's partitions for every message; the wrapper
// answers from its last answer (at most a second old), asks again at once
// after a produce answer that means the metadata moved (NOT_LEADER), and
// keeps topics apart.
func TestKafkaGoMetadataCache(t *testing.T) {
	p, _ := benchProducer(t, plan.Keys{Mode: plan.KeysNone}, plan.SizeDist{Fixed: 100})
	rt := &fakeRoundTripper{}
	ct := newCountingTransport(rt, p, nil)
	lookup := func(topic string) {
		t.Helper()
		resp, err := ct.RoundTrip(t.Context(), nil, &metadataAPI.Request{TopicNames: []string{topic}})
		if err != nil || len(resp.(*metadataAPI.Response).Topics[0].Partitions) != 4 {
			t.Fatalf("metadata of %s: %v, %v", topic, resp, err)
		}
	}
	for range 1000 {
		lookup("a")
	}
	if n := rt.metadata.Load(); n != 1 {
		t.Errorf("1000 lookups sent %d metadata requests, want 1", n)
	}
	lookup("b")
	lookup("a")
	if n := rt.metadata.Load(); n != 2 {
		t.Errorf("a second topic: %d metadata requests, want 2", n)
	}
	rt.code.Store(int32(kerr.NotLeaderForPartition.Code))
	if _, err := ct.RoundTrip(t.Context(), nil, &produce.Request{}); err != nil {
		t.Fatal(err)
	}
	lookup("a")
	if n := rt.metadata.Load(); n != 3 {
		t.Errorf("after NOT_LEADER: %d metadata requests, want 3 (refreshed at once)", n)
	}
	if got := p.errs.snapshot()["[6] Not Leader For Partition"]; got != 1 {
		t.Errorf("NOT_LEADER answers counted %d, want 1", got)
	}
	// Multi-topic and auto-creating lookups are never cached.
	for range 3 {
		if _, err := ct.RoundTrip(t.Context(), nil, &metadataAPI.Request{TopicNames: []string{"a"}, AllowAutoTopicCreation: true}); err != nil {
			t.Fatal(err)
		}
	}
	if n := rt.metadata.Load(); n != 6 {
		t.Errorf("auto-creating lookups: %d metadata requests, want 6", n)
	}
}

// TestMurmur2 checks the partition of keyed messages against the Java
// client's placement as kafka-go (Murmur2Balancer) and franz-go
// (StickyKeyPartitioner's default hasher) implement it.
func TestMurmur2(t *testing.T) {
	kgoHash := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 2000 {
		key := make([]byte, rng.IntN(40))
		for j := range key {
			key[j] = byte(rng.Uint32())
		}
		if i%3 == 0 {
			key = []byte("key-" + string(rune('a'+i%26)))
		}
		n := 1 + rng.IntN(100)
		parts := make([]int, n)
		for p := range parts {
			parts[p] = p
		}
		want := (kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: key}, parts...)
		if got := keyPartition(key, n); got != want {
			t.Fatalf("key %x over %d partitions: %d, kafka-go's Murmur2Balancer %d", key, n, got, want)
		}
		if got := kgoHash.Partition(&kgo.Record{Key: key}, n); got != want {
			t.Fatalf("key %x over %d partitions: franz-go %d, kafka-go %d", key, n, got, want)
		}
	}
}

// TestSticky checks the unkeyed sticky partitioner: about stickyBytes per
// partition, then another one, every partition used.
func TestSticky(t *testing.T) {
	s := newSticky(1)
	const n, size = 6, 1000
	var runs []int
	last, run := -1, 0
	seen := map[int]bool{}
	for range 2000 {
		p := s.pick(n, size)
		seen[p] = true
		if p != last && last >= 0 {
			runs = append(runs, run)
			run = 0
		}
		last = p
		run++
	}
	if len(seen) != n {
		t.Errorf("used %d of %d partitions", len(seen), n)
	}
	for _, r := range runs {
		if want := (stickyBytes + size - 1) / size; r != want {
			t.Fatalf("runs %v, want %d messages per partition", runs, want)
		}
	}
}

// fakeConn is a net.Conn over two buffers, reading in chunks of random
// sizes so that the tap meets frames split anywhere.
type fakeConn struct {
	net.Conn
	in  *bytes.Reader
	out bytes.Buffer
	rng *rand.Rand
}

func (c *fakeConn) Read(b []byte) (int, error) {
	if c.in.Len() == 0 {
		return 0, io.EOF
	}
	n := 1 + c.rng.IntN(min(len(b), 7))
	return c.in.Read(b[:n])
}

func (c *fakeConn) Write(b []byte) (int, error) { return c.out.Write(b) }

// frame returns a Kafka frame: size prefix and body.
func frame(body []byte) []byte { return binary.BigEndian.AppendUint32(nil, uint32(len(body))) }

// TestTapFollowsTheStream writes requests and reads responses through a
// tapped connection, in pieces of random sizes: it reports the throttle
// time of fetch responses (old and flexible versions) and the error codes
// of produce responses, and nothing for other requests or unknown
// correlation ids.
func TestTapFollowsTheStream(t *testing.T) {
	var mu sync.Mutex
	var throttles []int64
	var codes []int16
	hooks := tapHooks{
		fetchThrottle: func(_ string, ms int64) { mu.Lock(); throttles = append(throttles, ms); mu.Unlock() },
		produceError: func(err error) {
			var ke *kerr.Error
			if errors.As(err, &ke) {
				mu.Lock()
				codes = append(codes, ke.Code)
				mu.Unlock()
			}
		},
	}
	req := func(key, version int16, corr int32, extra int) []byte {
		b := binary.BigEndian.AppendUint16(nil, uint16(key))
		b = binary.BigEndian.AppendUint16(b, uint16(version))
		b = binary.BigEndian.AppendUint32(b, uint32(corr))
		b = append(b, make([]byte, extra)...)
		return append(frame(b), b...)
	}
	var requests, responses []byte
	requests = append(requests, req(apiFetch, 10, 1, 50)...)
	requests = append(requests, req(apiMetadata, 9, 2, 10)...)
	requests = append(requests, req(apiFetch, 13, 3, 30)...)
	requests = append(requests, req(apiProduce, 9, 4, 100)...)
	// Fetch v10: correlation id, throttle, then a large body.
	fetch10 := binary.BigEndian.AppendUint32(nil, 1)
	fetch10 = binary.BigEndian.AppendUint32(fetch10, 250)
	fetch10 = append(fetch10, make([]byte, 5000)...)
	// Metadata: not followed.
	meta := append(binary.BigEndian.AppendUint32(nil, 2), make([]byte, 40)...)
	// Fetch v13 (flexible): correlation id, no header tags, throttle.
	fetch13 := append(binary.BigEndian.AppendUint32(nil, 3), 0)
	fetch13 = binary.BigEndian.AppendUint32(fetch13, 17)
	fetch13 = append(fetch13, make([]byte, 300)...)
	// Produce v9 (flexible) with one partition answering NOT_LEADER.
	pr := kmsg.NewPtrProduceResponse()
	pr.Version = 9
	rt := kmsg.NewProduceResponseTopic()
	rt.Topic = "t"
	rp := kmsg.NewProduceResponseTopicPartition()
	rp.ErrorCode = kerr.NotLeaderForPartition.Code
	rt.Partitions = append(rt.Partitions, rp, kmsg.NewProduceResponseTopicPartition())
	pr.Topics = append(pr.Topics, rt)
	produce9 := append(append(binary.BigEndian.AppendUint32(nil, 4), 0), pr.AppendTo(nil)...)
	// A response to nothing we asked (correlation id 99).
	stray := binary.BigEndian.AppendUint32(nil, 99)
	stray = binary.BigEndian.AppendUint32(stray, 1000)
	for _, body := range [][]byte{fetch10, meta, fetch13, produce9, stray} {
		responses = append(responses, append(frame(body), body...)...)
	}
	fc := &fakeConn{in: bytes.NewReader(responses), rng: rand.New(rand.NewPCG(3, 4))}
	dial := tapDial(func(context.Context, string, string) (net.Conn, error) { return fc, nil }, hooks)
	conn, err := dial(context.Background(), "tcp", "b-1:9092")
	if err != nil {
		t.Fatal(err)
	}
	for rest := requests; len(rest) > 0; {
		n := min(len(rest), 1+fc.rng.IntN(9))
		if _, err := conn.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	buf := make([]byte, 64)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if !slices.Equal(throttles, []int64{250, 17}) {
		t.Errorf("fetch throttles %v, want [250 17]", throttles)
	}
	if !slices.Equal(codes, []int16{kerr.NotLeaderForPartition.Code}) {
		t.Errorf("produce error codes %v, want [6]", codes)
	}
	if !bytes.Equal(fc.out.Bytes(), requests) {
		t.Errorf("the tap changed the bytes written")
	}
}

// apiMetadata is the Metadata API key (only tests need it).
const apiMetadata = 3

// TestClientSettingsRecorded checks the effective settings a step
// records: the derived kafka-go batch size, franz-go's in-flight requests,
// the partitioner and its hash, per-worker client ids.
func TestClientSettingsRecorded(t *testing.T) {
	c := embedded.ForTest(t, 3)
	eachClient(t, func(t *testing.T, cl plan.Client) {
		pl := testPlan()
		pl.Client = cl
		pl.Producers.BatchSize = 0 // derived on kafka-go
		pl.Producers.Workers = 3
		pl.Producers.ClientID = "quota-test"
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(300 * time.Millisecond)
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "settings-" + string(cl)})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		cs := step.Client
		if cs == nil || cs.Producer == nil || cs.Consumer == nil {
			t.Fatalf("client settings %+v, want producer and consumer settings", cs)
		}
		p := cs.Producer
		if want := []string{"quota-test-0", "quota-test-1", "quota-test-2"}; !slices.Equal(p.ClientIDs, want) {
			t.Errorf("client ids %v, want %v", p.ClientIDs, want)
		}
		if p.Acks != "all" || p.Retries != plan.DefaultRetries || p.RequestTimeoutMs != 10000 || p.MaxInFlight != 1000 {
			t.Errorf("producer settings %+v", p)
		}
		switch cl {
		case plan.ClientKafkaGo:
			// min(1 MiB / 1 KiB, 1000 in flight / 4 partitions) = 250.
			if p.BatchSize != 250 || p.Idempotent || p.MaxInFlightRequests != 0 {
				t.Errorf("kafka-go settings %+v, want batch size 250, not idempotent", p)
			}
		case plan.ClientFranzGo:
			if p.BatchSize != 0 || !p.Idempotent || p.MaxInFlightRequests != 5 || p.MaxBufferedRecords != 1001 {
				t.Errorf("franz-go settings %+v, want idempotent with 5 requests in flight", p)
			}
		}
		if p.Partitioner == "" || !bytes.Contains([]byte(p.Partitioner), []byte("murmur2")) {
			t.Errorf("partitioner %q, want it to name murmur2", p.Partitioner)
		}
		if cs.Consumer.Isolation != "read_uncommitted" || len(cs.Consumer.ClientIDs) != 2 {
			t.Errorf("consumer settings %+v", cs.Consumer)
		}
	})
}
