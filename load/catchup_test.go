package load

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// sumEndOffsets returns the messages in topic: the sum of its end offsets
// (the topic was never trimmed).
func sumEndOffsets(t *testing.T, adm adminOps, topic string, partitions int) int64 {
	t.Helper()
	offs, err := adm.offsets(context.Background(), topic, partitions, offsetEnd)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, o := range offs {
		n += o
	}
	return n
}

// TestConsumeOnlyFromEarliest fills a kept topic with one step, then reads
// it with consume-only steps (no producer worker) on the existing topic:
// from earliest every message is read and verified as another run's, with
// a catch-up time; from latest nothing is, and the step fails.
func TestConsumeOnlyFromEarliest(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Verify = true
		pl.Topics.Keep = true
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Consumers.Groups = 0
		fill, err := Run(t.Context(), pl, conn, Options{RunID: "fill"})
		if err != nil {
			t.Fatalf("Run fill: %v", err)
		}
		topic := "mskbench-test-fill-0-0"
		n := sumEndOffsets(t, testAdmin(t, cl, conn), topic, 4)
		if n == 0 || n != fill.Counters.Acked {
			t.Fatalf("filled topic holds %d messages, fill step acked %d: want equal and > 0", n, fill.Counters.Acked)
		}

		read := testPlan()
		read.Client = cl
		read.Verify = true
		read.Topics.Existing = topic
		read.Producers.Workers = 0
		read.Consumers.Groups, read.Consumers.PerGroup = 1, 2
		read.Consumers.Start = plan.StartOffset{Mode: plan.StartEarliest}
		read.Phases.Duration = plan.Duration(500 * time.Millisecond)
		step, err := Run(t.Context(), read, conn, Options{RunID: "read", Logf: t.Logf})
		if err != nil {
			t.Fatalf("Run read: %v", err)
		}
		t.Logf("counters %+v catch-up %+v verification %+v warnings %v", step.Counters, step.CatchUp, step.Verification, step.Warnings)
		if step.Counters.Consumed != n {
			t.Errorf("consumed %d, want every message of the topic: %d", step.Counters.Consumed, n)
		}
		cu := step.CatchUp
		if cu == nil {
			t.Fatal("CatchUp = nil in a consume-only step from earliest")
		}
		if cu.BacklogMessages != n || cu.ReadMessages != n || !cu.CaughtUp || cu.Seconds <= 0 || cu.Lag != 0 {
			t.Errorf("catch-up %+v: want backlog = read = %d, caught up with a time > 0 and lag 0", cu, n)
		}
		v := step.Verification
		if v == nil || v.Earlier == nil {
			t.Fatalf("verification %+v: want the earlier run's messages verified", v)
		}
		if e := v.Earlier; e.Messages != n || e.Gaps != 0 || e.Duplicated != 0 || e.Producers != 2 {
			t.Errorf("earlier runs %+v: want %d messages of 2 producers, no gap, no duplicate", e, n)
		}
		if v.Foreign != 0 || v.Problems() != 0 {
			t.Errorf("verification: foreign %d, problems %d, want 0 and 0", v.Foreign, v.Problems())
		}
		if why := report.StepFailure(&step); why != "" {
			t.Errorf("StepFailure = %q, want none", why)
		}
		if len(step.Timeline) == 0 || step.Timeline[len(step.Timeline)-1].BacklogLag != 0 {
			t.Errorf("timeline %v: want intervals ending with backlog lag 0", step.Timeline)
		}

		// From latest there is nothing to read: a failed step, never OK.
		read.Consumers.Start = plan.StartOffset{Mode: plan.StartLatest}
		read.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 0}
		read.Producers.Workers = 2 // rate 0: still consumers only
		step, err = Run(t.Context(), read, conn, Options{RunID: "latest"})
		if err != nil {
			t.Fatalf("Run latest: %v", err)
		}
		if step.Counters.Sent != 0 || step.Counters.Consumed != 0 {
			t.Errorf("latest, rate 0: sent %d consumed %d, want 0 and 0", step.Counters.Sent, step.Counters.Consumed)
		}
		if step.CatchUp != nil {
			t.Errorf("latest start: CatchUp %+v, want nil", step.CatchUp)
		}
		if n2 := sumEndOffsets(t, testAdmin(t, cl, conn), topic, 4); n2 != n {
			t.Errorf("a consumers-only step wrote into the existing topic: %d messages, want %d", n2, n)
		}

		// A timestamp start before the fill reads everything again.
		read.Consumers.Start = plan.StartOffset{Mode: plan.StartTimestamp, Ago: plan.Duration(time.Hour)}
		step, err = Run(t.Context(), read, conn, Options{RunID: "ts"})
		if err != nil {
			t.Fatalf("Run timestamp: %v", err)
		}
		if step.Counters.Consumed != n || step.CatchUp == nil || !step.CatchUp.CaughtUp {
			t.Errorf("timestamp(-1h): consumed %d, catch-up %+v, want %d caught up", step.Counters.Consumed, step.CatchUp, n)
		}

		// A group of the user's reads everything once; started again from
		// its committed offsets it has nothing left to read: a failed
		// step, never "OK" on nothing.
		read.Consumers.GroupID = "replay-" + string(cl)
		read.Consumers.Start = plan.StartOffset{Mode: plan.StartEarliest}
		step, err = Run(t.Context(), read, conn, Options{RunID: "replay"})
		if err != nil {
			t.Fatalf("Run replay: %v", err)
		}
		if step.Counters.Consumed != n {
			t.Errorf("group %s from earliest: consumed %d, want %d", read.Consumers.GroupID, step.Counters.Consumed, n)
		}
		read.Consumers.Start = plan.StartOffset{Mode: plan.StartCommitted}
		step, err = Run(t.Context(), read, conn, Options{RunID: "again"})
		if err != nil {
			t.Fatalf("Run committed: %v", err)
		}
		if step.Counters.Consumed != 0 || step.CatchUp == nil || step.CatchUp.BacklogMessages != 0 || !step.ReadNothing() {
			t.Errorf("committed start after a full read: consumed %d, catch-up %+v: want nothing read", step.Counters.Consumed, step.CatchUp)
		}
		if why := report.StepFailure(&step); !strings.Contains(why, "read nothing") {
			t.Errorf("StepFailure = %q, want a failure for reading nothing", why)
		}
	})
}

// TestBacklogCatchUp builds a backlog of N messages with the consumers not
// started, then reads it from the start while live producers keep a rate:
// every backlog message is read once (consumed = N + the live ones), its
// latency apart from the live messages', with a catch-up time.
func TestBacklogCatchUp(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		const n = 600

		// With no live load afterwards (rate 0/s), read from earliest:
		// consumed is the backlog, exactly.
		pl := testPlan()
		pl.Client = cl
		pl.Verify = true
		pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 0}
		pl.Consumers.Start = plan.StartOffset{Mode: plan.StartEarliest}
		pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
		pl.Phases.Backlog = plan.Backlog{Messages: n}
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "backlog0"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if cu := step.CatchUp; step.Counters.Consumed != n || cu == nil || cu.ReadMessages != n || !cu.CaughtUp || cu.Seconds <= 0 {
			t.Errorf("backlog alone: consumed %d, catch-up %+v: want %d read, caught up with a time > 0", step.Counters.Consumed, cu, n)
		}

		// With live producers at a rate meanwhile.
		pl = testPlan()
		pl.Client = cl
		pl.Verify = true
		pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 200}
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Phases.Backlog = plan.Backlog{Messages: n}
		var phases []string
		step, err = Run(t.Context(), pl, testConn(c), Options{RunID: "backlog", Logf: t.Logf,
			Progress: func(iv report.Interval) {
				if len(phases) == 0 || phases[len(phases)-1] != iv.Phase {
					phases = append(phases, iv.Phase)
				}
			}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		cu, cn := step.CatchUp, step.Counters
		t.Logf("counters %+v catch-up %+v phases %v warnings %v", cn, cu, phases, step.Warnings)
		if cu == nil {
			t.Fatal("CatchUp = nil with a backlog phase")
		}
		if cu.BuiltMessages != n || cu.BacklogMessages != n || cu.ReadMessages != n || !cu.CaughtUp || cu.Seconds <= 0 {
			t.Errorf("catch-up %+v: want %d built, in the backlog and read, caught up with a time > 0", cu, n)
		}
		if cn.Acked <= n || cn.Consumed != cn.Acked {
			t.Errorf("acked %d consumed %d: want the backlog and live messages, all read once", cn.Acked, cn.Consumed)
		}
		if got := step.Latency.BacklogEndToEnd.Count; got != n {
			t.Errorf("backlog end-to-end count %d, want %d", got, n)
		}
		if got := step.Latency.EndToEnd.Count; got != cn.Consumed-n {
			t.Errorf("live end-to-end count %d, want the live messages, %d", got, cn.Consumed-n)
		}
		if v := step.Verification; v == nil || v.Problems() != 0 || v.Earlier != nil {
			t.Errorf("verification %+v: want no problem and no earlier run", v)
		}
		if len(phases) == 0 || phases[0] != report.PhaseBacklog || !slices.Contains(phases, report.PhaseMeasure) {
			t.Errorf("phases %v: want backlog first, then measure", phases)
		}
		if step.Timeline[0].Phase != report.PhaseBacklog {
			t.Errorf("timeline starts with phase %q, want backlog", step.Timeline[0].Phase)
		}
	})
}

// TestBacklogTransactional: a backlog of transactional producers ends
// every partition with a commit marker no consumer reads; the catch-up
// still ends, at the last record.
func TestBacklogTransactional(t *testing.T) {
	c := embedded.ForTest(t, 3)
	const n = 400
	pl := testPlan()
	pl.Verify = true
	pl.Producers.Transactions = &plan.Transactions{MessagesPerTransaction: 50}
	pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 0}
	pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
	pl.Phases.Backlog = plan.Backlog{Messages: n}
	step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "txbacklog"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if cu := step.CatchUp; step.Counters.Consumed != n || cu == nil || cu.ReadMessages != n || !cu.CaughtUp || cu.Lag != 0 {
		t.Errorf("transactional backlog: consumed %d, catch-up %+v: want %d read and caught up (warnings %v)", step.Counters.Consumed, cu, n, step.Warnings)
	}
}

// TestBacklogWorkloads: with two workloads every one builds its backlog
// and catches up apart; the step's catch-up sums them.
func TestBacklogWorkloads(t *testing.T) {
	c := embedded.ForTest(t, 3)
	pl := testPlan()
	pl.Verify = true
	pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 0}
	pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
	pl.Phases.Backlog = plan.Backlog{Messages: 300}
	pl.Workloads = []plan.Workload{
		{Name: "a", Topics: pl.Topics, Producers: pl.Producers, Consumers: pl.Consumers},
		{Name: "b", Topics: pl.Topics, Producers: pl.Producers, Consumers: pl.Consumers},
	}
	step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "wlbacklog"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	cu := step.CatchUp
	if step.Counters.Consumed != 600 || cu == nil || cu.BuiltMessages != 600 || cu.BacklogMessages != 600 || cu.ReadMessages != 600 || !cu.CaughtUp {
		t.Errorf("two workloads of 300: consumed %d, catch-up %+v: want 600 built, read and caught up (warnings %v)", step.Counters.Consumed, cu, step.Warnings)
	}
	if v := step.Verification; v == nil || v.Problems() != 0 {
		t.Errorf("verification %+v: want no problem", v)
	}
}
