package shard

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/report"
)

// synthStep is a step of shard i as load would hand it over: intervals
// aligned to t0 with histograms, and a verification state in which shard i
// acknowledged its producer's 0..n-1 and read shard (i+1) mod N's.
func synthStep(i, shards, n, intervals int, t0 time.Time) (report.Step, *load.VerifyState) {
	col := report.NewCollector(1)
	rec := col.NewRecorder()
	var seq int64
	for k := range intervals {
		start := t0.Add(time.Duration(k) * time.Second)
		for range n / intervals {
			ns := start.UnixNano() + seq%1000*int64(time.Microsecond)
			rec.RecordSend(ns, ns)
			rec.RecordAck(ns, ns, ns+int64(time.Millisecond)*(1+seq%7), 100)
			rec.RecordConsume(ns, ns+2*int64(time.Millisecond), 100)
			seq++
		}
		col.Tick(start, start.Add(time.Second), report.PhaseMeasure)
	}
	st := col.Step(report.StepInfo{Label: "s", MeasureStart: t0, MeasureEnd: t0.Add(time.Duration(intervals) * time.Second),
		Offered: int64(n), Warnings: []string{"same on every shard"}})
	st.Shards = []report.ShardFigures{{Index: i, ProducerIDsFrom: i, ProducerIDsTo: i + 1, ConsumersPerGroup: 1}}
	all := []load.SeqRange{{Lo: 0, Hi: uint64(n)}}
	v := &load.VerifyState{Producers: shards, Acked: map[int][]load.SeqRange{i: all},
		Seen: []map[int][]load.SeqRange{{(i + 1) % shards: all}}}
	return st, v
}

func testConn(c *embedded.Cluster) *auth.Conn {
	return &auth.Conn{Brokers: c.Addrs(), Mechanism: "none", DialTimeout: 2 * time.Second}
}

// coordination runs one step of a run of n shards in goroutines of this
// process (each its own clients, as separate processes would have): join,
// topics ready, start, drain, hand-over. It returns shard 0's merged step
// and how long the barrier (join + start) and the hand-over with the merge
// took. lose lists shards that stop after the start, as if killed.
// Every shard hands over perShard messages in intervals aligned intervals.
const perShard, intervals = 1000, 10

func coordination(t testing.TB, c *embedded.Cluster, runID string, n int, lose map[int]bool) (report.Step, time.Duration, time.Duration) {
	// A bound, so that a coordination that never completes fails the
	// test instead of hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	t0 := time.Now().Truncate(time.Second)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		merged  report.Step
		barrier time.Duration
		finish  time.Duration
		errs    []error
	)
	begin := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(err error) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("shard %d: %w", i, err))
				mu.Unlock()
			}
			lostAfter := time.Duration(0)
			if len(lose) > 0 {
				lostAfter = 2 * time.Second // keep the test short; beats every 200 ms
			}
			r, err := Join(ctx, Config{Conn: testConn(c), RunID: runID, Prefix: "mskbench-", Index: i, Count: n,
				BarrierTimeout: time.Minute, LostAfter: lostAfter})
			if err != nil {
				fail(err)
				return
			}
			defer r.Close()
			co := r.Step()
			if err := co.TopicsReady(ctx, nil); err != nil {
				fail(err)
				return
			}
			if _, err := co.Start(ctx); err != nil {
				fail(err)
				return
			}
			if i == 0 {
				mu.Lock()
				barrier = time.Since(begin)
				mu.Unlock()
			}
			if lose[i] {
				r.stop() // silent from now on, as if killed
				r.bg.Wait()
				r.cl.Close()
				r.clClosed = true
				return
			}
			st, v := synthStep(i, n, perShard, intervals, t0)
			// Wait for the event — every shard drained — polling like the
			// engine's drain, until the test's context ends.
			for !co.Drained(load.DrainState{ProducersDone: true, Groups: 1, Acked: perShard, Consumed: perShard}) {
				select {
				case <-ctx.Done():
					fail(fmt.Errorf("the shards never all drained: %w", ctx.Err()))
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			f0 := time.Now()
			m, err := co.Finish(ctx, st, v)
			if err != nil {
				fail(err)
				return
			}
			if i == 0 {
				mu.Lock()
				merged, finish = m, time.Since(f0)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return merged, barrier, finish
}

// TestCoordination: three shards in one process pass the barrier, drain
// together and shard 0 merges their steps exactly: counters and histogram
// counts are the sums, the aligned timelines merge interval by interval,
// the shared warning is kept once.
func TestCoordination(t *testing.T) {
	c, err := embedded.Start(embedded.Config{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m, _, _ := coordination(t, c, "coord1", 3, nil)
	if m.Counters.Acked != 3*perShard || m.Counters.Offered != 3*perShard || m.Latency.Publish.Count != 3*perShard || m.Latency.EndToEnd.Count != 3*perShard {
		t.Errorf("merged counters %+v publish %d e2e %d, want %d each", m.Counters, m.Latency.Publish.Count, m.Latency.EndToEnd.Count, 3*perShard)
	}
	if len(m.Timeline) != intervals || m.Timeline[0].Acked != 3*perShard/intervals {
		t.Errorf("timeline %d intervals, first acked %d; want %d and %d", len(m.Timeline), m.Timeline[0].Acked, intervals, 3*perShard/intervals)
	}
	// Each shard read what the next one acknowledged: nothing lost.
	if v := m.Verification; v == nil || v.Lost != 0 || v.Duplicated != 0 || !v.Complete {
		t.Errorf("verification %+v, want complete, nothing lost", v)
	}
	if len(m.Shards) != 3 || m.Shards[2].ProducerIDsFrom != 2 || m.Partial {
		t.Errorf("shards %+v partial %v, want 3 shards, none missing", m.Shards, m.Partial)
	}
	if strings.Count(strings.Join(m.Warnings, "\n"), "same on every shard") != 1 {
		t.Errorf("warnings %q, want the shared one once", m.Warnings)
	}
	if raw, _ := json.Marshal(m); len(raw) == 0 {
		t.Error("merged step does not encode")
	}
}

// TestCoordinationLostShard: a shard that goes silent after the start is
// lost: shard 0 merges without it, marks the step partial and names it.
func TestCoordinationLostShard(t *testing.T) {
	c, err := embedded.Start(embedded.Config{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m, _, _ := coordination(t, c, "coord2", 3, map[int]bool{1: true})
	if !m.Partial || len(m.Shards) != 3 || !m.Shards[1].Missing || m.Counters.Acked != 2*perShard {
		t.Errorf("partial %v shards %+v acked %d, want partial, shard 1 missing, %d", m.Partial, m.Shards, m.Counters.Acked, 2*perShard)
	}
	// Shard 1 read what shard 2 acknowledged: without its data that is
	// unread, and the verification says it is not complete.
	if v := m.Verification; v == nil || v.Complete || v.Lost != perShard {
		t.Errorf("verification %+v, want incomplete with %d unread", v, perShard)
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), "shards 1 missing") {
		t.Errorf("warnings %q do not name shard 1", m.Warnings)
	}
}

// TestJoinMissingShard: the barrier times out naming the shard that never
// arrived, and shard 0 deletes the control topic.
func TestJoinMissingShard(t *testing.T) {
	c, err := embedded.Start(embedded.Config{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Join(context.Background(), Config{Conn: testConn(c), RunID: "miss", Prefix: "mskbench-", Index: 0, Count: 2, BarrierTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "shard 1 never arrived") {
		t.Fatalf("Join = %v, want shard 1 never arrived", err)
	}
	// Shard 1 now finds no control topic: shard 0 never arrived, for it.
	_, err = Join(context.Background(), Config{Conn: testConn(c), RunID: "miss", Prefix: "mskbench-", Index: 1, Count: 2, BarrierTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "shard 0 never arrived") {
		t.Fatalf("Join = %v, want shard 0 never arrived", err)
	}
}

// BenchmarkCoordination measures a distributed step's coordination cost
// for 2, 4 and 8 shards in one process against the in-process cluster:
// the barrier (from the start of the run until shard 0 has announced the
// step's start: join with the clock pings, topics ready, every shard
// ready; the schedule itself begins 0.5 s later, the start's lead), the
// hand-over with shard 0's merge (from shard 0's Finish to the merged step:
// the other shards' drain states and results arriving, the merge), and the
// merged step's encoded size (steps of 10 one-second intervals of 100
// messages per shard, with per-interval histograms).
func BenchmarkCoordination(b *testing.B) {
	c, err := embedded.Start(embedded.Config{Brokers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, n := range []int{2, 4, 8} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			var barrier, finish time.Duration
			var size int
			for k := range b.N {
				m, bt, ft := coordination(b, c, fmt.Sprintf("bench%d-%d", n, k), n, nil)
				barrier, finish = barrier+bt, finish+ft
				raw, _ := json.Marshal(m)
				size = len(raw)
			}
			b.ReportMetric(float64(barrier.Milliseconds())/float64(b.N), "barrier-ms/op")
			b.ReportMetric(float64(finish.Milliseconds())/float64(b.N), "handover+merge-ms/op")
			b.ReportMetric(float64(size), "merged-bytes")
		})
	}
}

// TestClockOffset: the offset is bounded by each ping's round trip and
// the broker's millisecond; pings narrow it; disjoint pings fall back to
// the narrowest.
func TestClockOffset(t *testing.T) {
	ms := int64(time.Millisecond)
	// A clock 5 ms behind the cluster: pings with 0.4 ms round trips, the
	// broker stamping 5 ms later, truncated to whole ms.
	var samples []clockSample
	for k := range int64(5) {
		t0 := 1_000*ms + k*ms/5 // local
		stamp := (t0 + 5*ms + ms/5) / ms * ms
		samples = append(samples, clockSample{sentNs: t0, ackedNs: t0 + 2*ms/5, brokerNs: stamp})
	}
	o, b := clockOffset(samples)
	if d := o - 5*ms; d > b || -d > b || b > ms {
		t.Errorf("offset %s ± %s, want 5ms within a bound below 1ms", time.Duration(o), time.Duration(b))
	}
	one, b1 := clockOffset(samples[:1])
	if b1 < b || one-b1 > 5*ms || one+b1 < 5*ms {
		t.Errorf("one ping: %s ± %s, want a wider interval holding 5ms than five pings' ±%s", time.Duration(one), time.Duration(b1), time.Duration(b))
	}
	// A clock step between two pings: the intervals do not meet.
	step := []clockSample{{0, ms, 10 * ms}, {100 * ms, 100*ms + ms/2, 50 * ms}}
	if _, b := clockOffset(step); b > ms {
		t.Errorf("disjoint pings: bound %s, want the narrowest ping's", time.Duration(b))
	}
}
