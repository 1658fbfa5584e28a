package load

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// testPlan is a small healthy step: 2 producers at 1000 msgs/s, 1 KiB
// messages, acks=all, one consumer group of 2.
func testPlan() plan.Plan {
	return plan.Plan{
		Scenario: "test",
		Topics:   plan.Topics{Count: 1, Partitions: 4, ReplicationFactor: 3, Prefix: "mskbench-test-"},
		Producers: plan.Producers{
			Workers:     2,
			Rate:        plan.Rate{Unit: plan.RateMsgs, PerSec: 1000},
			MessageSize: plan.SizeDist{Fixed: 1024},
			Keys:        plan.Keys{Mode: plan.KeysNone},
			Acks:        -1,
			Compression: "none",
			BatchSize:   100,
			BatchBytes:  1 << 20,
			Linger:      plan.Duration(2 * time.Millisecond),
			MaxInFlight: 1000,
			Retries:     plan.DefaultRetries,
		},
		Consumers: plan.Consumers{
			Groups: 1, PerGroup: 2,
			FetchMinBytes: 1, FetchMaxBytes: 1 << 20,
			MaxWait:        plan.Duration(100 * time.Millisecond),
			CommitInterval: plan.Duration(time.Second),
		},
		Phases: plan.Phases{
			Warmup:         plan.Duration(500 * time.Millisecond),
			Duration:       plan.Duration(2 * time.Second),
			DrainTimeout:   plan.Duration(10 * time.Second),
			ReportInterval: plan.Duration(500 * time.Millisecond),
		},
	}
}

func testConn(c *embedded.Cluster) *auth.Conn {
	return &auth.Conn{Brokers: c.Addrs(), Mechanism: "none", DialTimeout: 2 * time.Second}
}

// clients are the clients every integration test of the engine runs on.
var clients = []plan.Client{plan.ClientFranzGo, plan.ClientKafkaGo}

// eachClient runs f as one subtest per client, one after the other (they
// may share a cluster).
func eachClient(t *testing.T, f func(t *testing.T, c plan.Client)) {
	t.Helper()
	for _, c := range clients {
		t.Run(string(c), func(t *testing.T) { f(t, c) })
	}
}

// testAdmin returns an admin client of client c over conn, closed with the
// test.
func testAdmin(t testing.TB, c plan.Client, conn *auth.Conn) adminOps {
	t.Helper()
	d, err := driverFor(c)
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.newAdmin(conn)
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	t.Cleanup(a.close)
	return adminOps{a: a, brokers: conn.Brokers, dial: 2 * time.Second}
}

// topicPartitions returns topic → (partitions, replication factor) from
// fresh metadata (asked with franz-go; both clients' admin requests are
// tested by the runs themselves).
func topicPartitions(t *testing.T, conn *auth.Conn) map[string][2]int {
	t.Helper()
	ts, err := testAdmin(t, plan.ClientFranzGo, conn).a.topics(context.Background(), nil)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	out := map[string][2]int{}
	for name, tp := range ts {
		if tp.err != nil || tp.partitions == 0 {
			continue
		}
		out[name] = [2]int{tp.partitions, tp.replicas}
	}
	return out
}

func TestRunHealthy(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Verify = true
		var (
			phases      []string
			during      map[string][2]int
			progress    int
			warmupAcked int64
		)
		step, err := Run(t.Context(), pl, conn, Options{
			RunID: "healthy",
			Progress: func(iv report.Interval) {
				progress++
				if iv.Phase == report.PhaseWarmup {
					warmupAcked += iv.Acked
				}
				if len(phases) == 0 || phases[len(phases)-1] != iv.Phase {
					phases = append(phases, iv.Phase)
				}
				if iv.Phase == report.PhaseMeasure && during == nil {
					during = topicPartitions(t, conn)
				}
			},
			Logf: t.Logf,
		})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		cn := step.Counters
		t.Logf("counters %+v errors %v warnings %v", cn, step.Errors, step.Warnings)
		checkAccounted(t, &step)
		if step.Partial {
			t.Errorf("Partial = true, want false")
		}
		if cn.Sent == 0 {
			t.Fatalf("Sent = 0, want > 0")
		}
		if cn.Acked != cn.Sent {
			t.Errorf("Acked = %d, want Sent = %d", cn.Acked, cn.Sent)
		}
		if cn.Consumed != cn.Acked {
			t.Errorf("Consumed = %d, want Acked × 1 group = %d", cn.Consumed, cn.Acked)
		}
		if cn.Failed != 0 || len(step.Errors) != 0 {
			t.Errorf("Failed = %d, Errors = %v, want none", cn.Failed, step.Errors)
		}
		if cn.Lag != 0 {
			t.Errorf("Lag = %d, want 0", cn.Lag)
		}
		for _, w := range step.Warnings {
			// Warnings about time (the generator was the bottleneck, messages
			// were late) depend on how busy the machine is and are judged by
			// their own tests on synthetic figures; these say something was
			// lost, broken or left behind.
			for _, bad := range []string{"verify:", "teardown:", "consumers skipped", "encode plan", "drain timed out"} {
				if strings.HasPrefix(w, bad) {
					t.Errorf("warning %q, want none of that kind (verification on)", w)
				}
			}
		}
		if v := step.Verification; v == nil || !v.Complete || v.Problems() != 0 || v.Foreign != 0 || v.Redelivered != 0 {
			t.Errorf("Verification = %+v, want complete with no problems", v)
		}
		if g := step.Generator; g == nil || g.CPUSeconds <= 0 || g.CPUUtilization <= 0 {
			t.Errorf("Generator = %+v, want CPU figures", g)
		} else if runtime.GOOS == "linux" {
			// The host's accounting over the measured phase (/proc/stat):
			// filled, with this process's share above 0.
			if h := g.Host; h == nil || h.CPUs < 1 || h.Busy <= 0 || h.Process <= 0 || h.Busy > 1 || h.Other < 0 || h.Steal < 0 {
				t.Errorf("Generator.Host = %+v, want the host's CPU figures on Linux", h)
			}
		}
		// Offered is the schedule: 1000 msgs/s for 2 s, exactly.
		if cn.Offered != 2000 {
			t.Errorf("Offered = %d, want 2000", cn.Offered)
		}
		if step.Latency.Publish.Count == 0 || step.Latency.EndToEnd.Count == 0 {
			t.Errorf("latency counts publish %d end-to-end %d, want > 0",
				step.Latency.Publish.Count, step.Latency.EndToEnd.Count)
		}
		if want := []string{report.PhaseWarmup, report.PhaseMeasure, report.PhaseDrain}; !slices.Equal(phases, want) {
			t.Errorf("progress phases %v, want %v", phases, want)
		}
		// 1000 msgs/s for 0.5 s of warm-up, shown live but not in the step:
		// something, and never more than the 500 scheduled.
		if warmupAcked <= 0 || warmupAcked > 500 {
			t.Errorf("warm-up progress showed %d acked, want 1..500", warmupAcked)
		}
		name := "mskbench-test-healthy-0-0"
		if got := step.Topics; !slices.Equal(got, []string{name}) {
			t.Errorf("Topics = %v, want [%s]", got, name)
		}
		if got, want := during[name], [2]int{4, 3}; got != want {
			t.Errorf("during the run topic %s had (partitions, RF) %v, want %v", name, got, want)
		}
		if _, ok := topicPartitions(t, conn)[name]; ok {
			t.Errorf("topic %s still exists after the run, want deleted", name)
		}
	})
}

func TestRunOfferedRate(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 2000}
		pl.Producers.MessageSize = plan.SizeDist{Fixed: 100}
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(3 * time.Second)
		pl.Consumers.Groups = 0
		step, err := Run(t.Context(), pl, conn, Options{RunID: "rate"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkAccounted(t, &step)
		// Deterministic whatever the machine's speed: the offered count is the
		// schedule (2000 msgs/s for 3 s), every message sent was acknowledged
		// and is in the publish histogram, and nothing beyond the schedule was
		// sent. (How close Sent comes to Offered depends on the machine: a
		// starved generator sends late, and what the schedule still held at the
		// end is never sent.)
		cn := step.Counters
		if cn.Offered != 2000*3 {
			t.Errorf("Offered = %d, want %d", cn.Offered, 2000*3)
		}
		if cn.Sent <= 0 || cn.Sent > cn.Offered {
			t.Errorf("Sent = %d, want 1..Offered (%d)", cn.Sent, cn.Offered)
		}
		if cn.Acked != cn.Sent || cn.Failed != 0 {
			t.Errorf("Acked = %d, Failed = %d, want Acked = Sent = %d", cn.Acked, cn.Failed, cn.Sent)
		}
		if n := step.Latency.Publish.Count; n != cn.Acked {
			t.Errorf("publish histogram holds %d samples, want one per acked message (%d)", n, cn.Acked)
		}
	})
}

func TestRunKeepAndExisting(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Topics.Keep = true
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
		pl.Producers.Keys = plan.Keys{Mode: plan.KeysHot, Cardinality: 10, HotFraction: 0.5}
		if _, err := Run(t.Context(), pl, conn, Options{RunID: "keep"}); err != nil {
			t.Fatalf("Run keep: %v", err)
		}
		name := "mskbench-test-keep-0-0"
		if got, want := topicPartitions(t, conn)[name], [2]int{4, 3}; got != want {
			t.Fatalf("kept topic %s: (partitions, RF) %v, want %v", name, got, want)
		}

		// Reuse it as an existing topic: it must be written to and not deleted.
		pl.Topics.Keep = false
		pl.Topics.Existing = name
		step, err := Run(t.Context(), pl, conn, Options{RunID: "existing"})
		if err != nil {
			t.Fatalf("Run existing: %v", err)
		}
		if !slices.Equal(step.Topics, []string{name}) {
			t.Errorf("Topics = %v, want [%s]", step.Topics, name)
		}
		if step.Counters.Acked == 0 || step.Counters.Consumed != step.Counters.Acked {
			t.Errorf("existing topic: acked %d consumed %d, want equal and > 0 (warnings %v)",
				step.Counters.Acked, step.Counters.Consumed, step.Warnings)
		}
		if _, ok := topicPartitions(t, conn)[name]; !ok {
			t.Errorf("existing topic %s was deleted", name)
		}

		pl.Topics.Existing = "no-such-topic"
		if _, err := Run(t.Context(), pl, conn, Options{RunID: "missing"}); err == nil || !strings.Contains(err.Error(), "no-such-topic") {
			t.Errorf("Run with a missing existing topic: err = %v, want an error naming it", err)
		}
	})
}

func TestRunMaxRate(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Producers.Rate = plan.Rate{Unit: plan.RateMax}
		pl.Producers.MaxInFlight = 200
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Consumers.Groups = 0
		step, err := Run(t.Context(), pl, conn, Options{RunID: "max"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkAccounted(t, &step)
		if step.Counters.Acked == 0 || step.Counters.Acked != step.Counters.Sent {
			t.Errorf("max rate: sent %d acked %d, want equal and > 0", step.Counters.Sent, step.Counters.Acked)
		}
		if step.Counters.Offered != 0 {
			t.Errorf("max rate: Offered = %d, want 0 (unknown)", step.Counters.Offered)
		}
	})
}

func TestRunCancel(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Minute)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var cancelled time.Time
		step, err := Run(ctx, pl, conn, Options{RunID: "cancel", Progress: func(iv report.Interval) {
			if iv.Phase == report.PhaseMeasure && cancelled.IsZero() {
				cancelled = time.Now()
				cancel()
			}
		}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if !step.Partial {
			t.Errorf("Partial = false, want true")
		}
		checkAccounted(t, &step) // cut short: the rest of the minute is not offered
		// Not a timing assertion on speed: a minute-long step must stop well
		// before its end when cancelled.
		if took := time.Since(cancelled); took > 30*time.Second {
			t.Errorf("Run returned %s after cancellation, want it to stop the step", took)
		}
		if step.Counters.Acked == 0 {
			t.Errorf("Acked = 0, want the data measured before cancellation")
		}
		if _, ok := topicPartitions(t, conn)["mskbench-test-cancel-0-0"]; ok {
			t.Errorf("topic not deleted after a cancelled step")
		}
	})
}

func TestRunUnreachable(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		conn := &auth.Conn{Brokers: []string{"127.0.0.1:1"}, DialTimeout: time.Second}
		pl := testPlan()
		pl.Client = cl
		_, err := Run(t.Context(), pl, conn, Options{RunID: "down"})
		if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Fatalf("Run against 127.0.0.1:1: err = %v, want an error naming the address", err)
		}
	})
}

func testConnAddrs(addrs ...string) *auth.Conn {
	return &auth.Conn{Brokers: addrs, DialTimeout: time.Second}
}

func TestRunInvalidPlan(t *testing.T) {
	conn := testConnAddrs("127.0.0.1:1")
	for _, tc := range []struct {
		name   string
		modify func(*plan.Plan)
		want   string
	}{
		{"compression", func(p *plan.Plan) { p.Producers.Compression = "brotli" }, "brotli"},
		{"acks", func(p *plan.Plan) { p.Producers.Acks = 2 }, "acks 2"},
		{"keys", func(p *plan.Plan) { p.Producers.Keys = plan.Keys{Mode: plan.KeysRandom} }, "cardinality"},
		{"rate", func(p *plan.Plan) { p.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: -1} }, "rate"}, // 0/s runs consumers only
		{"duration", func(p *plan.Plan) { p.Phases.Duration = 0 }, "duration"},
		{"kafka-go idempotent", func(p *plan.Plan) {
			p.Client, p.Producers.Idempotent = plan.ClientKafkaGo, new(bool)
			*p.Producers.Idempotent = true
		}, "kafka-go has no idempotent producer"},
		{"kafka-go transactions", func(p *plan.Plan) {
			p.Client, p.Producers.Transactions = plan.ClientKafkaGo, &plan.Transactions{MessagesPerTransaction: 10}
		}, "kafka-go has no transactional producer"},
		{"kafka-go rack", func(p *plan.Plan) { p.Client, p.Consumers.Rack = plan.ClientKafkaGo, "use1-az1" }, "client.rack"},
		{"rack auto-az unset", func(p *plan.Plan) { p.Consumers.Rack = plan.RackAutoAZ }, plan.RackEnv},
		{"unknown client", func(p *plan.Plan) { p.Client = "sarama" }, "sarama"},
	} {
		p := testPlan()
		tc.modify(&p)
		_, err := Run(t.Context(), p, conn, Options{Getenv: func(string) string { return "" }})
		// The plan is checked before the cluster is contacted.
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("%s: err = %v, want a plan error mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestRunClientSettings runs short steps with each acks level and codec and
// keyed messages, checking that every message is acknowledged and read back
// intact (checksums verified by the consumers).
func TestRunClientSettings(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		for i, tc := range []struct {
			acks   plan.Acks
			comp   plan.Compression
			keys   plan.Keys
			topics int
		}{
			{plan.AcksNone, plan.CompressionSnappy, plan.Keys{Mode: plan.KeysRoundRobin, Cardinality: 7}, 1},
			{plan.AcksLeader, plan.CompressionLz4, plan.Keys{Mode: plan.KeysRandom, Cardinality: 100}, 3},
			{plan.AcksAll, plan.CompressionZstd, plan.Keys{Mode: plan.KeysNone}, 2},
			{plan.AcksAll, plan.CompressionGzip, plan.Keys{Mode: plan.KeysHot, Cardinality: 10, HotFraction: 0.9}, 1},
		} {
			pl := testPlan()
			pl.Client = cl
			pl.Index = i
			pl.Topics.Count = tc.topics
			pl.Producers.Acks = tc.acks
			pl.Producers.Compression = tc.comp
			pl.Producers.Keys = tc.keys
			pl.Producers.Compressibility = 0.5
			pl.Producers.MessageSize = plan.SizeDist{Min: 10, Max: 4000}
			pl.Consumers.PerGroup = 1
			pl.Phases.Warmup = 0
			pl.Phases.Duration = plan.Duration(300 * time.Millisecond)
			step, err := Run(t.Context(), pl, conn, Options{RunID: "settings"})
			if err != nil {
				t.Fatalf("acks %d %s: Run: %v", tc.acks, tc.comp, err)
			}
			cn := step.Counters
			if cn.Sent == 0 || cn.Acked != cn.Sent || cn.Consumed != cn.Acked || len(step.Errors) != 0 {
				t.Errorf("acks %d %s keys %s: sent %d acked %d consumed %d errors %v, want all equal and no errors",
					tc.acks, tc.comp, tc.keys.Mode, cn.Sent, cn.Acked, cn.Consumed, step.Errors)
			}
			if len(step.Topics) != tc.topics {
				t.Errorf("Topics = %v, want %d topics", step.Topics, tc.topics)
			}
		}
		left := topicPartitions(t, conn)
		for name := range left {
			if strings.HasPrefix(name, "mskbench-test-settings-") {
				t.Errorf("topic %s left behind", name)
			}
		}
	})
}

// TestRunNoGoroutineLeak runs a few steps and checks that the number of
// goroutines returns to where it was (kafka-go's idle connection reapers
// and the in-process cluster's connection handlers may take a moment to
// end: poll with a bounded wait).
func TestRunNoGoroutineLeak(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Verify = true
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(300 * time.Millisecond)
		settle := func(limit int) int {
			n := runtime.NumGoroutine()
			for deadline := time.Now().Add(15 * time.Second); n > limit && time.Now().Before(deadline); n = runtime.NumGoroutine() {
				time.Sleep(50 * time.Millisecond)
			}
			return n
		}
		// One step first: kfake starts its per-cluster goroutines lazily.
		if _, err := Run(t.Context(), pl, conn, Options{RunID: "leak0"}); err != nil {
			t.Fatalf("Run: %v", err)
		}
		// Baseline: wait until the count stops falling for half a second.
		before := runtime.NumGoroutine()
		for stable, deadline := 0, time.Now().Add(5*time.Second); stable < 5 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			if n := runtime.NumGoroutine(); n < before {
				before, stable = n, 0
			} else {
				stable++
			}
		}
		for i := range 3 {
			pl.Index = i + 1
			if _, err := Run(t.Context(), pl, conn, Options{RunID: "leak"}); err != nil {
				t.Fatalf("Run %d: %v", i, err)
			}
		}
		if after := settle(before); after > before {
			buf := make([]byte, 1<<20)
			t.Errorf("goroutines: %d before 3 steps, %d after; want no more\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
	})
}
