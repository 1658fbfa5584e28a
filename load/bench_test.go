package load

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

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

// benchPlan is the max-rate step both throughput benchmarks use: values of
// benchSize bytes (incompressible), acks=all, 4 workers, 12 partitions, no
// consumers.
func benchPlan(b *testing.B) plan.Plan {
	p := testPlan()
	p.Producers.MessageSize = plan.SizeDist{Fixed: benchSize(b)}
	p.Topics = plan.Topics{Count: 1, Partitions: 12, ReplicationFactor: 3, Prefix: "mskbench-bench-"}
	p.Producers.Workers = 4
	p.Producers.Rate = plan.Rate{Unit: plan.RateMax}
	p.Producers.Linger = plan.Duration(5 * time.Millisecond)
	p.Producers.MaxInFlight = 2000
	p.Consumers.Groups = 0
	p.Phases.Warmup = plan.Duration(500 * time.Millisecond)
	p.Phases.Duration = plan.Duration(2 * time.Second)
	return p
}

// BenchmarkWriterBaseline is the reference: a bare kafka-go Writer loop per
// worker with the same settings as BenchmarkRunMaxRate (async, acks=all,
// batch size, linger, in-flight bound), without stamps, pacing or
// recording. Compare its msgs/s with BenchmarkRunMaxRate's.
func BenchmarkWriterBaseline(b *testing.B) {
	conn := benchConn(b)
	pl := benchPlan(b)
	topic := "mskbench-bench-baseline-" + time.Now().Format("150405.000")
	adm := admin{conn: conn}
	if _, err := adm.createTopics(b.Context(), []string{topic}, pl.Topics); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = adm.deleteTopics(context.Background(), []string{topic}) })
	if err := adm.waitLeaders(b.Context(), []string{topic}, pl.Topics.Partitions); err != nil {
		b.Fatal(err)
	}
	pr := pl.Producers
	value := make([]byte, pl.Producers.MessageSize.Fixed)
	warmup, dur := pl.Phases.Warmup.D(), pl.Phases.Duration.D()
	for b.Loop() {
		start := time.Now()
		from, to := start.Add(warmup), start.Add(warmup+dur)
		var wg sync.WaitGroup
		var acked, failed atomic.Int64
		for range pr.Workers {
			wg.Go(func() {
				sem := make(chan struct{}, pr.MaxInFlight)
				msg := [1]kafka.Message{{Value: value}}
				w := &kafka.Writer{
					Addr: kafka.TCP(conn.Brokers...), Topic: topic, Balancer: &kafka.RoundRobin{},
					BatchSize: pr.BatchSize, BatchBytes: int64(pr.BatchBytes), BatchTimeout: pr.Linger.D(),
					RequiredAcks: kafka.RequireAll, Async: true, Transport: conn.Transport(),
					Completion: func(msgs []kafka.Message, err error) {
						// Count like the engine: acks inside the measured window.
						if now := time.Now(); now.After(from) && now.Before(to) {
							if err != nil {
								failed.Add(int64(len(msgs)))
							} else {
								acked.Add(int64(len(msgs)))
							}
						}
						for range msgs {
							<-sem
						}
					},
				}
				for time.Now().Before(to) {
					sem <- struct{}{}
					if err := w.WriteMessages(context.Background(), msg[:]...); err != nil {
						<-sem
					}
				}
				_ = w.Close()
			})
		}
		wg.Wait()
		if n := failed.Load(); n > 0 {
			b.Errorf("%d messages failed", n)
		}
		b.ReportMetric(float64(acked.Load())/dur.Seconds(), "msgs/s")
	}
}

// BenchmarkRunMaxRate runs the engine at max rate (benchPlan) and reports
// acknowledged msgs/s over the measured window.
func BenchmarkRunMaxRate(b *testing.B) {
	conn := benchConn(b)
	pl := benchPlan(b)
	var rate float64
	n := 0
	for b.Loop() {
		step, err := Run(b.Context(), pl, conn, Options{RunID: "bench" + time.Now().Format("150405.000")})
		if err != nil {
			b.Fatal(err)
		}
		if step.Counters.Failed > 0 {
			b.Errorf("%d messages failed: %v", step.Counters.Failed, step.Errors)
		}
		rate += step.Throughput.MsgsPerSec
		n++
		b.Logf("acked %d sent %d measured %.2fs thr %.0f pub p50 %.1fms", step.Counters.Acked, step.Counters.Sent, step.MeasuredSeconds, step.Throughput.MsgsPerSec, step.Latency.Publish.P50Ms)
	}
	b.ReportMetric(rate/float64(n), "msgs/s")
}
