package load

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// The end-to-end benchmarks below compare the engine with bare client
// loops of the same settings (make bench-e2e runs each in its own process,
// alternating, against `mskbench broker` in another process): msgs/s over
// the measured window, the process's CPU seconds per million messages
// ("cpu-s/M", from getrusage: the generator alone, the broker being another
// process) and its peak RSS ("peak-RSS-MB", VmHWM). The bare loops use the
// clients directly — no stamps, pacing, recording or verification.

// benchConn returns the cluster benchmarks run against: the brokers in
// MSKBENCH_BENCH_BROKERS (comma-separated host:port, e.g. an external
// `mskbench broker`), else an in-process cluster of 3 brokers.
func benchConn(b *testing.B) *auth.Conn {
	if env := os.Getenv("MSKBENCH_BENCH_BROKERS"); env != "" {
		return &auth.Conn{Brokers: strings.Split(env, ","), DialTimeout: 5 * time.Second}
	}
	c := embedded.ForTest(b, 3)
	return &auth.Conn{Brokers: c.Addrs(), DialTimeout: 5 * time.Second}
}

// benchSize is the value size of the throughput benchmarks:
// MSKBENCH_BENCH_SIZE (e.g. "100B"), else 1 KiB.
func benchSize(b *testing.B) plan.Size {
	if env := os.Getenv("MSKBENCH_BENCH_SIZE"); env != "" {
		s, err := plan.ParseSize(env)
		if err != nil {
			b.Fatalf("MSKBENCH_BENCH_SIZE: %v", err)
		}
		return s
	}
	return 1024
}

// benchPlan is the max-rate step every producer benchmark uses: values of
// benchSize bytes (incompressible), acks=all, no compression, the default
// workers (plan.DefaultProducerWorkers) and client settings, 12
// partitions, RF 3, no consumers.
func benchPlan(b *testing.B, c plan.Client) plan.Plan {
	p := plan.Defaults()
	p.Client = c
	p.Producers.MessageSize = plan.SizeDist{Fixed: benchSize(b)}
	p.Producers.Compressibility = 0
	p.Topics = plan.Topics{Count: 1, Partitions: 12, ReplicationFactor: 3, Prefix: "mskbench-bench-"}
	p.Producers.Rate = plan.Rate{Unit: plan.RateMax}
	p.Consumers.Groups = 0
	p.Phases.Warmup = plan.Duration(time.Second)
	p.Phases.Duration = plan.Duration(5 * time.Second)
	if d := os.Getenv("MSKBENCH_BENCH_DURATION"); d != "" {
		v, err := time.ParseDuration(d)
		if err != nil {
			b.Fatalf("MSKBENCH_BENCH_DURATION: %v", err)
		}
		p.Phases.Duration = plan.Duration(v)
	}
	return p.WithDefaults()
}

// reportProcess reports cpu-s/M for n messages over cpu and the peak RSS.
func reportProcess(b *testing.B, n int64, cpu time.Duration) {
	if n > 0 {
		b.ReportMetric(cpu.Seconds()/(float64(n)/1e6), "cpu-s/M")
	}
	if kb := peakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
}

// peakRSSKiB is the process's peak resident set (VmHWM), 0 when unknown.
func peakRSSKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// benchValues returns n distinct values of size bytes (random): the bare
// loops send them in turn, like the engine, whose messages differ. (A bare
// loop sending one buffer again and again keeps it in the CPU cache, so
// the client's copy of it costs far less than a real producer's.)
func benchValues(n int, size plan.Size) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([][]byte, n)
	for i := range vals {
		vals[i] = make([]byte, size)
		for j := range vals[i] {
			vals[i][j] = byte(rng.Uint32())
		}
	}
	return vals
}

// benchTopic creates a fresh topic for a bare loop and deletes it after.
func benchTopic(b *testing.B, conn *auth.Conn, t plan.Topics, name string) {
	adm := testAdmin(b, plan.ClientFranzGo, conn)
	if _, err := adm.createTopics(b.Context(), []string{name}, t); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = adm.deleteTopics(context.Background(), []string{name}) })
	if err := adm.waitLeaders(b.Context(), []string{name}, t.Partitions); err != nil {
		b.Fatal(err)
	}
}

// window counts acknowledgements inside [from, to).
type window struct {
	from, to time.Time
	acked    atomic.Int64
	failed   atomic.Int64
}

func (w *window) count(n int64, err error) {
	if now := time.Now(); now.After(w.from) && now.Before(w.to) {
		if err != nil {
			w.failed.Add(n)
		} else {
			w.acked.Add(n)
		}
	}
}

// report reports the window's msgs/s and process figures; failed
// messages fail the benchmark.
func (w *window) report(b *testing.B, pl plan.Plan, cpu time.Duration) {
	if n := w.failed.Load(); n > 0 {
		b.Errorf("%d messages failed", n)
	}
	b.ReportMetric(float64(w.acked.Load())/pl.Phases.Duration.D().Seconds(), "msgs/s")
	reportProcess(b, w.acked.Load(), cpu)
}

// produceRequests counts a bare kgo loop's produce requests inside the
// window (a kgo hook): how many, their bytes on the wire and their service
// time (written to read), for the same figures the engine's result carries
// per broker (steps[].broker_client).
type produceRequests struct {
	w               *window
	n, bytes, svcNs atomic.Int64
}

func (pr *produceRequests) OnBrokerE2E(_ kgo.BrokerMetadata, key int16, e kgo.BrokerE2E) {
	if key != 0 || e.Err() != nil {
		return
	}
	if now := time.Now(); now.After(pr.w.from) && now.Before(pr.w.to) {
		pr.n.Add(1)
		pr.bytes.Add(int64(e.BytesWritten))
		pr.svcNs.Add(int64(e.TimeToWrite + e.ReadWait + e.TimeToRead))
	}
}

func (pr *produceRequests) report(b *testing.B, pl plan.Plan) {
	reportRequests(b, pl, pr.n.Load(), pr.bytes.Load(), float64(pr.svcNs.Load())/1e6)
}

// reportRequests reports the measured window's produce requests per
// second, their mean size in KB and their mean service time.
func reportRequests(b *testing.B, pl plan.Plan, n, bytes int64, svcSumMs float64) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64(n)/pl.Phases.Duration.D().Seconds(), "reqs/s")
	b.ReportMetric(float64(bytes)/float64(n)/1000, "KB/req")
	b.ReportMetric(svcSumMs/float64(n), "svc-ms")
}

// measureCPU returns the process CPU time between the window's bounds,
// sampled by a goroutine that wakes at each.
func measureCPU(w *window) func() time.Duration {
	var cpu0, cpu1 time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(time.Until(w.from))
		cpu0, _ = processCPU()
		time.Sleep(time.Until(w.to))
		cpu1, _ = processCPU()
	}()
	return func() time.Duration { <-done; return cpu1 - cpu0 }
}

// BenchmarkBareKgo is the franz-go reference: per worker a kgo client
// produces in a loop (a new *kgo.Record per message, as applications do;
// max_in_flight distinct values in turn) with the settings of
// BenchmarkRunMaxRate/franz-go:
// acks=all, idempotent, linger, batch bytes, no compression, franz-go's
// default partitioner, the in-flight bound as kgo's MaxBufferedRecords.
func BenchmarkBareKgo(b *testing.B) {
	conn := benchConn(b)
	pl := benchPlan(b, plan.ClientFranzGo)
	topic := "mskbench-bench-kgo-" + time.Now().Format("150405.000")
	benchTopic(b, conn, pl.Topics, topic)
	pr := pl.Producers
	for b.Loop() {
		start := time.Now()
		w := &window{from: start.Add(pl.Phases.Warmup.D()), to: start.Add(pl.Phases.Warmup.D() + pl.Phases.Duration.D())}
		cpu := measureCPU(w)
		reqs := &produceRequests{w: w}
		var wg sync.WaitGroup
		for i := range pr.Workers {
			vals := benchValues(pr.MaxInFlight, pr.MessageSize.Fixed)
			cl, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.ClientID("bare-kgo-"+strconv.Itoa(i)),
				kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()),
				kgo.ProducerLinger(pr.Linger.D()), kgo.ProducerBatchMaxBytes(int32(pr.BatchBytes)),
				kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.MaxBufferedRecords(pr.MaxInFlight),
				kgo.DisableClientMetrics(), kgo.WithHooks(reqs))
			if err != nil {
				b.Fatal(err)
			}
			wg.Go(func() {
				defer cl.Close()
				promise := func(_ *kgo.Record, err error) { w.count(1, err) }
				for k := 0; time.Now().Before(w.to); k++ {
					cl.Produce(context.Background(), &kgo.Record{Value: vals[k%len(vals)]}, promise)
				}
				_ = cl.Flush(context.Background())
			})
		}
		wg.Wait()
		w.report(b, pl, cpu())
		reqs.report(b, pl)
	}
}

// BenchmarkBareWriter is the kafka-go reference: per worker a kafka-go
// Writer loop (async, acks=all, the batch size the engine derives, linger,
// the in-flight bound, round-robin; max_in_flight distinct values in turn)
// with the settings of BenchmarkRunMaxRate/kafka-go.
func BenchmarkBareWriter(b *testing.B) {
	conn := benchConn(b)
	pl := benchPlan(b, plan.ClientKafkaGo)
	topic := "mskbench-bench-writer-" + time.Now().Format("150405.000")
	benchTopic(b, conn, pl.Topics, topic)
	pr := pl.Producers
	batchSize := derivedBatchSize(pr.BatchBytes, float64(pr.MessageSize.Fixed), pr.MaxInFlight, pl.Topics.Partitions)
	for b.Loop() {
		start := time.Now()
		w := &window{from: start.Add(pl.Phases.Warmup.D()), to: start.Add(pl.Phases.Warmup.D() + pl.Phases.Duration.D())}
		cpu := measureCPU(w)
		var wg sync.WaitGroup
		for range pr.Workers {
			wg.Go(func() {
				sem := make(chan struct{}, pr.MaxInFlight)
				msgs := make([]kafka.Message, maxPending)
				vals := benchValues(pr.MaxInFlight+maxPending, pr.MessageSize.Fixed)
				next := 0
				kw := &kafka.Writer{
					Addr: kafka.TCP(conn.Brokers...), Topic: topic, Balancer: &kafka.RoundRobin{},
					BatchSize: batchSize, BatchBytes: int64(pr.BatchBytes), BatchTimeout: pr.Linger.D(),
					RequiredAcks: kafka.RequireAll, Async: true, Transport: conn.Transport(),
					Completion: func(ms []kafka.Message, err error) {
						w.count(int64(len(ms)), err)
						for range ms {
							<-sem
						}
					},
				}
				for time.Now().Before(w.to) {
					// Like the engine at max rate: as many messages per call as
					// the in-flight bound lets through, at most maxPending.
					n := 0
					for n < len(msgs) {
						msgs[n].Value = vals[next%len(vals)]
						next++
						if n > 0 {
							select {
							case sem <- struct{}{}:
							default:
								goto write
							}
						} else {
							sem <- struct{}{}
						}
						n++
					}
				write:
					if err := kw.WriteMessages(context.Background(), msgs[:n]...); err != nil {
						for range n {
							<-sem
						}
					}
				}
				_ = kw.Close()
			})
		}
		wg.Wait()
		w.report(b, pl, cpu())
	}
}

// BenchmarkRunMaxRate runs the engine at max rate (benchPlan) on each
// client and reports acknowledged msgs/s over the measured window and the
// generator's CPU seconds per million messages.
func BenchmarkRunMaxRate(b *testing.B) {
	for _, c := range clients {
		b.Run(string(c), func(b *testing.B) {
			conn := benchConn(b)
			pl := benchPlan(b, c)
			for b.Loop() {
				step, err := Run(b.Context(), pl, conn, Options{RunID: "bench" + time.Now().Format("150405.000")})
				if err != nil {
					b.Fatal(err)
				}
				if step.Counters.Failed > 0 {
					b.Errorf("%d messages failed: %v", step.Counters.Failed, step.Errors)
				}
				b.ReportMetric(step.Throughput.MsgsPerSec, "msgs/s")
				if g := step.Generator; g != nil {
					reportProcess(b, int64(step.Throughput.MsgsPerSec*step.MeasuredSeconds), time.Duration(g.CPUSeconds*float64(time.Second)))
				}
				var n, bytes int64
				var svc float64
				for _, br := range step.BrokerClient {
					for _, sm := range br.Samples {
						if sm.Phase == report.PhaseMeasure {
							n, bytes, svc = n+sm.ProduceRequests, bytes+sm.ProduceBytes, svc+sm.ProduceServiceTimeSumMs
						}
					}
				}
				reportRequests(b, pl, n, bytes, svc)
				b.Logf("acked %d sent %d measured %.2fs pub p50 %.1fms batch size %d", step.Counters.Acked, step.Counters.Sent,
					step.MeasuredSeconds, step.Latency.Publish.P50Ms, step.Client.Producer.BatchSize)
			}
		})
	}
}

// Consumer benchmarks read a pre-filled topic: MSKBENCH_BENCH_TOPIC
// (created and filled with MSKBENCH_BENCH_FILL stamped messages of
// benchSize bytes by BenchmarkFillTopic when it does not exist yet; 3 M by
// default), from the start, with a new group each time.

func benchFill() int64 {
	if env := os.Getenv("MSKBENCH_BENCH_FILL"); env != "" {
		n, err := strconv.ParseInt(env, 10, 64)
		if err == nil && n > 0 {
			return n
		}
	}
	return 3_000_000
}

func benchTopicName(b *testing.B) string {
	if t := os.Getenv("MSKBENCH_BENCH_TOPIC"); t != "" {
		return t
	}
	// The stamp's format version in the name: a topic filled by an older
	// build holds messages this one counts as foreign.
	return "mskbench-bench-backlog-v" + strconv.Itoa(StampVersion) + "-" + benchSize(b).String()
}

// benchRun is the run identity of the pre-filled topic's stamps, which the
// consumer benchmarks' consumers take as their own.
var benchRun = StampRun("mskbench-bench-", "backlog", 0)

// BenchmarkFillTopic fills the consumer benchmarks' topic (12 partitions,
// RF 3) with stamped messages, once: it does nothing when the topic exists.
func BenchmarkFillTopic(b *testing.B) {
	conn := benchConn(b)
	topic, n := benchTopicName(b), benchFill()
	pl := benchPlan(b, plan.ClientFranzGo)
	for b.Loop() {
		adm := testAdmin(b, plan.ClientFranzGo, conn)
		if ts, err := adm.a.topics(b.Context(), []string{topic}); err == nil && ts[topic].err == nil && ts[topic].partitions > 0 {
			b.Logf("topic %s exists", topic)
			continue
		}
		if _, err := adm.createTopics(b.Context(), []string{topic}, pl.Topics); err != nil {
			b.Fatal(err)
		}
		if err := adm.waitLeaders(b.Context(), []string{topic}, pl.Topics.Partitions); err != nil {
			b.Fatal(err)
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.DefaultProduceTopic(topic),
			kgo.ProducerLinger(5*time.Millisecond), kgo.MaxBufferedRecords(10000), kgo.DisableClientMetrics(),
			kgo.ProducerBatchCompression(kgo.NoCompression()))
		if err != nil {
			b.Fatal(err)
		}
		var failed atomic.Int64
		now := time.Now().UnixNano()
		size := int(benchSize(b))
		for i := range n {
			v := make([]byte, size)
			putHeader(v, Stamp{Run: benchRun, Seq: uint64(i), IntendedNs: now, SentNs: now})
			cl.Produce(context.Background(), &kgo.Record{Value: v}, func(_ *kgo.Record, err error) {
				if err != nil {
					failed.Add(1)
				}
			})
		}
		if err := cl.Flush(context.Background()); err != nil || failed.Load() > 0 {
			b.Fatalf("fill: %v, %d failed", err, failed.Load())
		}
		cl.Close()
		b.Logf("filled %s with %d messages of %d bytes", topic, n, size)
	}
}

// consumeWindow times reading n messages: from the first message to the
// n-th, with the process CPU of that span.
type consumeWindow struct {
	n          int64
	got        atomic.Int64
	start, end time.Time
	cpu0, cpu1 time.Duration
	done       chan struct{}
	once       sync.Once
}

func newConsumeWindow(n int64) *consumeWindow { return &consumeWindow{n: n, done: make(chan struct{})} }

// add counts k messages read; it marks the start at the first and the end
// at the n-th.
func (w *consumeWindow) add(k int64) {
	if w.got.Add(k) >= w.n {
		w.once.Do(func() {
			w.end = time.Now()
			w.cpu1, _ = processCPU()
			close(w.done)
		})
	}
}

func (w *consumeWindow) begin() {
	w.start = time.Now()
	w.cpu0, _ = processCPU()
}

func (w *consumeWindow) report(b *testing.B) {
	secs := w.end.Sub(w.start).Seconds()
	b.ReportMetric(float64(w.n)/secs, "msgs/s")
	reportProcess(b, w.n, w.cpu1-w.cpu0)
}

// BenchmarkConsume reads the pre-filled topic with the engine's consumer
// on each client (its client, the shared handler: stamp checksum,
// verification, end-to-end recording), one group of one member.
func BenchmarkConsume(b *testing.B) {
	for _, c := range clients {
		b.Run(string(c), func(b *testing.B) {
			conn := benchConn(b)
			topic, n := benchTopicName(b), benchFill()
			pl := benchPlan(b, c)
			pl.Consumers.Groups, pl.Consumers.PerGroup = 1, 1
			d, err := driverFor(c)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				col := report.NewCollector(1)
				var from atomic.Int64
				vf := newVerifier(1, 1, 0)
				w := newConsumeWindow(n)
				cons, err := newConsumer(pl, consumerConfig{group: "mskbench-bench-" + time.Now().Format("150405.000000"),
					topics: []string{topic}, conn: conn, driver: d, rec: col.NewRecorder(), clk: newClock(),
					measureFrom: &from, verify: vf, run: benchRun})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(b.Context())
				go func() {
					// The engine's consumers have no per-message hook: poll the
					// counter.
					for w.got.Load() == 0 {
						if c := cons.consumed.Load(); c > 0 {
							w.begin()
							w.add(c)
						}
						time.Sleep(100 * time.Microsecond)
					}
					for {
						select {
						case <-w.done:
							cancel()
							return
						case <-ctx.Done():
							return
						case <-time.After(time.Millisecond):
							w.add(cons.consumed.Load() - w.got.Load())
						}
					}
				}()
				cons.run(ctx)
				cancel()
				w.report(b)
			}
		})
	}
}

// BenchmarkBareConsume reads the pre-filled topic with a bare loop of
// each client: a kgo group consumer polling and counting records; a
// kafka-go Reader fetching, counting and committing on the same interval.
func BenchmarkBareConsume(b *testing.B) {
	b.Run(string(plan.ClientFranzGo), func(b *testing.B) {
		conn := benchConn(b)
		topic, n := benchTopicName(b), benchFill()
		pl := benchPlan(b, plan.ClientFranzGo)
		for b.Loop() {
			cl, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.ConsumerGroup("bare-"+time.Now().Format("150405.000000")),
				kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
				kgo.FetchMaxWait(pl.Consumers.MaxWait.D()), kgo.FetchMaxBytes(int32(pl.Consumers.FetchMaxBytes)),
				kgo.AutoCommitInterval(pl.Consumers.CommitInterval.D()), kgo.DisableClientMetrics())
			if err != nil {
				b.Fatal(err)
			}
			w := newConsumeWindow(n)
			for w.got.Load() < n {
				fs := cl.PollFetches(b.Context())
				if k := int64(fs.NumRecords()); k > 0 {
					if w.got.Load() == 0 {
						w.begin()
					}
					w.add(k)
				}
			}
			cl.Close()
			w.report(b)
		}
	})
	b.Run(string(plan.ClientKafkaGo), func(b *testing.B) {
		conn := benchConn(b)
		topic, n := benchTopicName(b), benchFill()
		pl := benchPlan(b, plan.ClientKafkaGo)
		for b.Loop() {
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: conn.Brokers, GroupID: "bare-" + time.Now().Format("150405.000000"),
				GroupTopics: []string{topic}, StartOffset: kafka.FirstOffset, MinBytes: 1, MaxBytes: int(pl.Consumers.FetchMaxBytes),
				MaxWait: pl.Consumers.MaxWait.D(), CommitInterval: pl.Consumers.CommitInterval.D()})
			w := newConsumeWindow(n)
			for w.got.Load() < n {
				m, err := r.FetchMessage(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				if w.got.Load() == 0 {
					w.begin()
				}
				w.add(1)
				_ = r.CommitMessages(b.Context(), m)
			}
			r.Close()
			w.report(b)
		}
	})
}
