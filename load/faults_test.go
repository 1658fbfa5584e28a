package load

import (
	"context"
	"net"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// faultPlan is a short verified step (1.5 s): 2 producers at 500 msgs/s in total
// on partitions partitions, one group of 2 consumers.
func faultPlan(partitions int) plan.Plan {
	p := testPlan()
	p.Topics.Partitions = partitions
	p.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 500}
	p.Producers.MessageSize = plan.SizeDist{Fixed: 200}
	p.Phases.Warmup = plan.Duration(200 * time.Millisecond)
	p.Phases.Duration = plan.Duration(1500 * time.Millisecond)
	p.Phases.DrainTimeout = plan.Duration(5 * time.Second)
	p.Verify = true
	return p
}

// runBounded runs plan and fails the test when Run takes longer than its
// bound: duration + warm-up + drain timeout + producer grace + setup slack
// (generous: the machine may be loaded).
func runBounded(t *testing.T, pl plan.Plan, c *embedded.Cluster, opts Options) report.Step {
	t.Helper()
	opts.Logf = t.Logf
	start := time.Now()
	step, err := Run(t.Context(), pl, testConn(c), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	took := time.Since(start)
	bound := pl.Phases.Warmup.D() + pl.Phases.Duration.D() + 2*pl.Phases.DrainTimeout.D() + 20*time.Second
	if took > bound {
		t.Errorf("Run took %s, want at most %s (duration + drain + grace + setup)", took, bound)
	}
	t.Logf("took %s; counters %+v", took.Round(time.Millisecond), step.Counters)
	t.Logf("errors %v; response errors %v; verification %+v; warnings %q", step.Errors, step.ResponseErrors, step.Verification, step.Warnings)
	checkAccounted(t, &step)
	return step
}

// recordsIn counts the records of a produce request.
func recordsIn(req *kmsg.ProduceRequest) int64 {
	var n int64
	for _, tp := range req.Topics {
		for _, p := range tp.Partitions {
			b := p.Records
			for len(b) > 0 {
				var rb kmsg.RecordBatch
				if err := rb.ReadFrom(b); err != nil {
					break
				}
				n += int64(rb.NumRecords)
				b = b[12+int(rb.Length):]
			}
		}
	}
	return n
}

// TestVerifyCatchesDroppedWrites acknowledges some produce requests without
// storing them, at offsets beyond the log's end: verification must count
// exactly the dropped records as lost, and the drain must end once the
// consumers reached the end of the log (settleLogEnds), not wait for the
// acknowledged offsets.
func TestVerifyCatchesDroppedWrites(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		var requests, drops, dropped atomic.Int64
		kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
			kf.KeepControl()
			req := kreq.(*kmsg.ProduceRequest)
			if requests.Add(1)%7 != 0 || drops.Load() >= 5 {
				return nil, nil, false
			}
			drops.Add(1)
			dropped.Add(recordsIn(req))
			// Error code 0: success, nothing stored, at offsets the log
			// never reaches — a log truncated below acknowledged offsets
			// (an unclean leader election): the drain must end at the
			// log end all the same.
			resp, _ := produceErrorResponse(req, 0)
			for i := range resp.Topics {
				for j := range resp.Topics[i].Partitions {
					resp.Topics[i].Partitions[j].BaseOffset = 1 << 30
				}
			}
			return resp, nil, true
		})
		pl := faultPlan(4)
		pl.Client = cl
		pl.Phases.DrainTimeout = plan.Duration(20 * time.Second) // must end early: consumers reach the log end
		start := time.Now()
		step := runBounded(t, pl, c, Options{RunID: "dropped"})
		v := step.Verification
		if drops.Load() == 0 || v == nil {
			t.Fatalf("dropped %d requests, verification %v: want both", drops.Load(), v)
		}
		if v.Lost != dropped.Load() {
			t.Errorf("lost = %d, want the %d records acknowledged without being stored", v.Lost, dropped.Load())
		}
		if v.Duplicated != 0 || v.Corrupted != 0 || v.OutOfOrder != 0 || !v.Complete {
			t.Errorf("verification %+v, want complete, only lost", *v)
		}
		if took := time.Since(start); took > 15*time.Second {
			t.Errorf("Run took %s: the drain waited for lost messages instead of ending at the log end", took)
		}
		var lostEx int
		for _, e := range v.Examples {
			if e.Kind == "lost" {
				lostEx++
			}
		}
		if lostEx == 0 || lostEx > report.MaxVerificationExamples {
			t.Errorf("%d lost examples, want 1..%d", lostEx, report.MaxVerificationExamples)
		}
	})
}

// TestVerifyCatchesInjectedRecords writes extra copies of stamped messages,
// corrupted messages, foreign messages and messages with a valid stamp of
// another run into the step's topic mid-run: each must be counted exactly,
// and another run's messages are foreign: neither consumed nor in
// end-to-end latency.
func TestVerifyCatchesInjectedRecords(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		pl := faultPlan(3)
		pl.Client = cl
		const runID = "inject"
		topic := TopicNames(pl, runID)[0]
		const dups, corrupt, foreign, otherRun = 7, 4, 3, 5
		run := StampRun(pl.Topics.Prefix, runID, pl.Index)
		var once sync.Once
		var werr error
		inject := func() {
			w := &kafka.Writer{Addr: kafka.TCP(c.Addrs()...), Topic: topic, Balancer: &kafka.RoundRobin{},
				RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
			defer w.Close()
			var msgs []kafka.Message
			now := time.Now().UnixNano()
			for i := range dups + corrupt {
				v := make([]byte, 100)
				// Copies of messages producer 1 sent in the warm-up.
				putHeader(v, Stamp{Run: run, Producer: 1, Seq: uint64(i), IntendedNs: now, SentNs: now})
				if i >= dups {
					v[StampSize+1] ^= 0xff
				}
				msgs = append(msgs, kafka.Message{Value: v})
			}
			for i := range otherRun {
				// Another run's producer 1 (valid stamps, checksums hold),
				// new sequence numbers: only the run identity differs.
				v := make([]byte, 100)
				putHeader(v, Stamp{Run: run + 1, Producer: 1, Seq: uint64(1000 + i), IntendedNs: now, SentNs: now})
				msgs = append(msgs, kafka.Message{Value: v})
			}
			for range foreign {
				msgs = append(msgs, kafka.Message{Value: []byte("not an mskbench message")})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			werr = w.WriteMessages(ctx, msgs...)
		}
		step := runBounded(t, pl, c, Options{RunID: runID, Progress: func(iv report.Interval) {
			if iv.Phase == report.PhaseMeasure {
				once.Do(inject)
			}
		}})
		if werr != nil {
			t.Fatalf("inject: %v", werr)
		}
		v := step.Verification
		if v == nil {
			t.Fatalf("no verification")
		}
		want := report.Verification{Complete: true, Duplicated: dups, Corrupted: corrupt, Foreign: foreign + otherRun}
		got := *v
		got.Examples = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("verification %+v, want %+v", got, want)
		}
		// The copies were intended in the measured phase: consumed and in
		// end-to-end latency, like the step's messages; the other run's are
		// in neither.
		cn := step.Counters
		if cn.Consumed != cn.Acked+dups || step.Latency.EndToEnd.Count != cn.Consumed {
			t.Errorf("consumed %d, end-to-end samples %d; want acked %d + %d copies for both (none of the %d messages of another run)",
				cn.Consumed, step.Latency.EndToEnd.Count, cn.Acked, dups, otherRun)
		}
		for _, e := range v.Examples {
			if e.Kind == "corrupted" && (e.Producer != 1 || e.Sequence < dups || e.Topic != topic || e.Offset < 0) {
				t.Errorf("corrupted example %+v, want producer 1, sequence >= %d, topic %s, an offset", e, dups, topic)
			}
		}
	})
}

// TestFaultErrorResponses answers produce requests mid-run with
// NOT_LEADER_OR_FOLLOWER (4 times) and then REQUEST_TIMED_OUT (3 times),
// without storing them: every injected error is counted by code (retried or
// not), and no acknowledged message is lost or duplicated.
func TestFaultErrorResponses(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		pl := faultPlan(1) // one partition: one partition per produce request
		pl.Client = cl
		// No warm-up, so every answer counts; the first produce requests go
		// through (the producers start as they would), the next ones get
		// the injected errors, whatever the machine's speed: a count of
		// requests, not a moment in the run, turns the faults on.
		pl.Phases.Warmup = 0
		var seen atomic.Int64
		var injected [2]atomic.Int64 // not leader, timed out
		kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
			kf.KeepControl()
			code, i := int16(0), 0
			switch {
			case seen.Add(1) <= 3:
			case injected[0].Load() < 4:
				code, i = kerr.NotLeaderForPartition.Code, 0
			case injected[1].Load() < 3:
				code, i = kerr.RequestTimedOut.Code, 1
			}
			if code == 0 {
				return nil, nil, false
			}
			resp, n := produceErrorResponse(kreq.(*kmsg.ProduceRequest), code)
			injected[i].Add(int64(n))
			return resp, nil, true
		})
		step := runBounded(t, pl, c, Options{RunID: "faults"})
		nl, to := injected[0].Load(), injected[1].Load()
		if nl != 4 || to != 3 {
			t.Fatalf("injected %d not-leader and %d timed-out answers, want 4 and 3", nl, to)
		}
		re := step.ResponseErrors
		// An idempotent producer pipelines requests: the ones in flight
		// behind an injected error reach the broker with a sequence number
		// after the missing batch and are answered [45] (as Kafka does), a
		// count that depends on how many were in flight — never anything else.
		others := len(re) - 2
		if _, ok := re["[45] Out Of Order Sequence Number"]; ok {
			others--
		}
		if re["[6] Not Leader For Partition"] != nl || re["[7] Request Timed Out"] != to || others != 0 {
			t.Errorf("response errors %v, want [6]: %d and [7]: %d, and only [45] besides", re, nl, to)
		}
		v := step.Verification
		if v == nil || v.Problems() != 0 || !v.Complete {
			t.Errorf("verification %+v, want complete, nothing lost, duplicated, out of order or corrupted", v)
		}
		cn := step.Counters
		if cn.Acked == 0 || cn.Acked+cn.Failed != cn.Sent || cn.Consumed != cn.Acked {
			t.Errorf("sent %d acked %d failed %d consumed %d: want acked + failed = sent, consumed = acked",
				cn.Sent, cn.Acked, cn.Failed, cn.Consumed)
		}
	})
}

// TestFaultBrokerRemoved removes a broker mid-run: leadership moves, the run
// completes within its bound and no acknowledged message is lost.
func TestFaultBrokerRemoved(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		var once sync.Once
		var rerr error
		pl := faultPlan(6)
		pl.Client = cl
		// The consumers' rebalance after the broker left takes what the
		// machine gives it: the drain waits for them (it ends as soon as
		// they caught up).
		pl.Phases.DrainTimeout = plan.Duration(30 * time.Second)
		step := runBounded(t, pl, c, Options{RunID: "removed", Progress: func(iv report.Interval) {
			if iv.Phase == report.PhaseMeasure {
				once.Do(func() { rerr = c.Kfake().RemoveNode(0) }) // not 2: kfake never moves its controller
			}
		}})
		if rerr != nil {
			t.Fatalf("RemoveNode: %v", rerr)
		}
		v := step.Verification
		if v == nil || v.Lost != 0 || v.Corrupted != 0 || !v.Complete {
			t.Errorf("verification %+v, want complete, nothing lost or corrupted", v)
		}
		if step.Counters.Acked == 0 || step.Partial {
			t.Errorf("acked %d partial %t: want a complete step with acknowledged messages", step.Counters.Acked, step.Partial)
		}
		if step.Counters.Lag != 0 {
			t.Errorf("lag %d, want 0 (redeliveries after a rebalance are not counted as consumed)", step.Counters.Lag)
		}
		for _, w := range step.Warnings {
			if strings.HasPrefix(w, "teardown") {
				t.Errorf("warning %q: want the topic deleted after the controller moved", w)
			}
		}
	})
}

// TestSleepControlFaultStalledBroker stalls every produce request one broker (the first
// to receive one) receives
// until the test ends: the run must still finish within duration + drain
// timeout + grace, counting the aborted messages as failed.
func TestSleepControlFaultStalledBroker(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		var stalled atomic.Int64
		var target atomic.Int32 // the first broker a produce request reaches
		target.Store(-1)
		kf.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
			node := kf.CurrentNode()
			target.CompareAndSwap(-1, node)
			if node == target.Load() {
				stalled.Add(1)
				kf.SleepControl(func() { <-release })
			}
			return nil, nil, false
		})
		pl := faultPlan(6)
		pl.Client = cl
		// kfake places leaders at random: all six on the stalled broker
		// (p = 1/243) would leave no healthy one to answer. Once the topic
		// exists, two partitions move to each broker.
		topic := TopicNames(pl, "stalled")[0]
		ran, balanced := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(balanced)
			for kf.LeaderFor(topic, 5) < 0 { // an event: the step created its topic
				select {
				case <-ran:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			for p := range int32(6) {
				if err := kf.MoveTopicPartition(topic, p, p%3); err != nil {
					t.Errorf("move partition %d: %v", p, err)
				}
			}
		}()
		pl.Producers.MaxInFlight = 30 // fills within a second: the workers fall behind
		// Round-robin, so that every worker writes to every broker: a sticky
		// partitioner at this rate stays on one partition for seconds, which
		// may be on the stalled broker for both workers.
		pl.Producers.Partitioner = plan.PartitionRoundRobin
		pl.Phases.Warmup = 0
		pl.Phases.DrainTimeout = plan.Duration(time.Second)
		step := runBounded(t, pl, c, Options{RunID: "stalled"})
		close(ran)
		<-balanced
		if stalled.Load() == 0 {
			t.Fatalf("no request reached the stalled broker")
		}
		cn := step.Counters
		if cn.Acked == 0 || cn.Failed == 0 {
			t.Errorf("acked %d failed %d, want both > 0 (other brokers answer, the stalled one never)", cn.Acked, cn.Failed)
		}
		if cn.BehindScheduleSeconds <= 0 {
			t.Errorf("behind schedule for %g s, want > 0 (the in-flight bound filled up)", cn.BehindScheduleSeconds)
		}
		if v := step.Verification; v == nil || v.Lost != 0 || v.Corrupted != 0 {
			t.Errorf("verification %+v, want nothing lost or corrupted", v)
		}
	})
}

// TestRunSilentBroker points Run at a listener that accepts connections and
// never answers: it must fail within the connect timeout (bounded by twice
// the dial timeout, plus slack for a loaded machine), naming the address.
func TestRunSilentBroker(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var conns []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			ln.Close()
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
		})
		addr := ln.Addr().String()
		conn := testConnAddrs(addr)
		conn.DialTimeout = 500 * time.Millisecond
		start := time.Now()
		pl := testPlan()
		pl.Client = cl
		_, err = Run(t.Context(), pl, conn, Options{RunID: "silent"})
		took := time.Since(start)
		if err == nil || !strings.Contains(err.Error(), addr) {
			t.Fatalf("Run against a silent broker: err = %v, want an error naming %s", err, addr)
		}
		if took > 2*conn.DialTimeout+5*time.Second {
			t.Errorf("Run failed after %s, want within the connect timeout (2 × %s)", took, conn.DialTimeout)
		}
	})
}

// TestSleepControlRunCancelDuringDrain cancels a step while its drain waits for
// consumers whose fetches never return: Run must return promptly with
// Partial set.
func TestSleepControlRunCancelDuringDrain(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	t.Parallel() // waits more than it computes; exact counts, generous bounds
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		stall := stallOnce(t, c, kmsg.Fetch.Int16())
		pl := faultPlan(3)
		pl.Client = cl
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Phases.DrainTimeout = plan.Duration(time.Minute)
		pl.Phases.ReportInterval = plan.Duration(200 * time.Millisecond)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var cancelled time.Time
		step, err := Run(ctx, pl, testConn(c), Options{RunID: "canceldrain", Progress: func(iv report.Interval) {
			switch {
			case iv.Phase == report.PhaseMeasure:
				stall.Store(true)
			case iv.Phase == report.PhaseDrain && cancelled.IsZero():
				cancelled = time.Now()
				cancel()
			}
		}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		took := time.Since(cancelled)
		t.Logf("returned %s after cancellation; counters %+v; verification %+v", took, step.Counters, step.Verification)
		if cancelled.IsZero() || !step.Partial {
			t.Errorf("cancelled in the drain: %t, Partial = %t; want both", !cancelled.IsZero(), step.Partial)
		}
		if took > 20*time.Second {
			t.Errorf("Run returned %s after cancellation, want promptly (drain timeout is a minute)", took)
		}
		if v := step.Verification; v == nil || v.Complete {
			t.Errorf("verification %+v, want incomplete", v)
		}
	})
}
