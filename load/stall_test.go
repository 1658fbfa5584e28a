package load

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// checkAccounted asserts that every offered message of step s ends in
// exactly one place: offered = acked + failed + unsent (rate mode; in
// max-rate mode nothing is offered), sent = acked + failed, the failures
// by label sum to failed, and every acknowledged message is in the publish
// histogram.
func checkAccounted(t *testing.T, s *report.Step) {
	t.Helper()
	c := s.Counters
	if c.Offered > 0 && c.Acked+c.Failed+c.Unsent != c.Offered {
		t.Errorf("acked %d + failed %d + unsent %d = %d, want offered %d (every offered message in exactly one place)",
			c.Acked, c.Failed, c.Unsent, c.Acked+c.Failed+c.Unsent, c.Offered)
	}
	if c.Acked+c.Failed != c.Sent {
		t.Errorf("acked %d + failed %d, want sent %d", c.Acked, c.Failed, c.Sent)
	}
	var errs int64
	for _, n := range s.Errors {
		errs += n
	}
	if errs != c.Failed {
		t.Errorf("errors by label %v sum to %d, want failed %d", s.Errors, errs, c.Failed)
	}
	h, err := s.Histogram("publish")
	if err != nil {
		t.Fatalf("publish histogram: %v", err)
	}
	if h.Count() != c.Acked {
		t.Errorf("publish histogram holds %d samples, want every acknowledged message (%d)", h.Count(), c.Acked)
	}
	if (c.Unsent > 0) != (c.UnsentReason != "") {
		t.Errorf("unsent %d with reason %q: want a reason exactly when some are unsent", c.Unsent, c.UnsentReason)
	}
}

// TestSleepControlStallAccounting stops every produce request (the broker
// stalled, like SIGSTOP) from a moment in the measure phase until after the
// schedule ended, at 500 msgs/s with an in-flight bound of 50, on both
// clients:
//   - released in the drain: every sent message is acknowledged (late) and
//     in the publish histogram, the backlog the producers never sent is
//     counted as unsent with its reason, and behind-schedule time covers the
//     stall up to the end of the schedule;
//   - never released: the messages in flight when the drain ended fail with
//     the label labelUnacknowledged (not "canceled");
//   - never released and the step cut short: the rest is unsent because of
//     the cut.
//
// In every case offered = acked + failed + unsent, and the summary says how
// many offered messages were never sent.
func TestSleepControlStallAccounting(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	t.Parallel() // waits more than it computes; exact counts
	for _, tc := range []struct {
		name    string
		release bool // release the stall 3.5 s after it began (in the drain)
		cut     bool // cancel the step 0.5 s into the stall
	}{
		{"released in the drain", true, false},
		{"outlasts the drain", false, false},
		{"cut short", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachClient(t, func(t *testing.T, cl plan.Client) {
				c := embedded.ForTest(t, 1)
				kf := c.Kfake()
				release := make(chan struct{})
				var releaseOnce sync.Once
				releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
				t.Cleanup(releaseAll)
				var on atomic.Bool
				var stalled atomic.Int64
				kf.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
					kf.KeepControl()
					if on.Load() {
						stalled.Add(1)
						kf.SleepControl(func() { <-release })
					}
					return nil, nil, false
				})
				pl := coPlan(500, 50, 2*time.Second)
				pl.Client = cl
				pl.Topics.ReplicationFactor = 1
				pl.Phases.Warmup = plan.Duration(200 * time.Millisecond)
				pl.Phases.ReportInterval = plan.Duration(250 * time.Millisecond)
				pl.Phases.DrainTimeout = plan.Duration(time.Second)
				if tc.release {
					pl.Phases.DrainTimeout = plan.Duration(30 * time.Second)
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				var stallAt time.Time
				var once, cutOnce sync.Once
				step, err := Run(ctx, pl, testConn(c), Options{RunID: "stallacct", Logf: t.Logf, Progress: func(iv report.Interval) {
					if iv.Phase != report.PhaseMeasure {
						return
					}
					once.Do(func() {
						stallAt = time.Now()
						on.Store(true)
						if tc.release {
							time.AfterFunc(3500*time.Millisecond, releaseAll)
						}
					})
					if tc.cut && time.Since(stallAt) >= 500*time.Millisecond {
						cutOnce.Do(cancel)
					}
				}})
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				cn := step.Counters
				t.Logf("stalled %d requests; counters %+v; errors %v; warnings %q", stalled.Load(), cn, step.Errors, step.Warnings)
				if stalled.Load() == 0 {
					t.Fatalf("no produce request was stalled")
				}
				checkAccounted(t, &step)
				if cn.Unsent == 0 {
					t.Errorf("unsent 0, want the backlog of the stall")
				}
				// The in-flight bound (50 at 500 msgs/s: 0.1 s of schedule)
				// fills at most 0.1 s after the stall began: from then on the
				// worker is behind until the end of the measured window.
				want := step.MeasureEnd.Sub(stallAt) - 300*time.Millisecond
				if got := time.Duration(cn.BehindScheduleSeconds * float64(time.Second)); got < want {
					t.Errorf("behind schedule for %s, want at least %s (the stall up to the end of the measured window)", got, want)
				}
				unack := step.Errors[labelUnacknowledged]
				switch {
				case tc.release:
					if cn.Failed != 0 || step.Partial {
						t.Errorf("failed %d (%v), partial %t: want every sent message acknowledged after the release", cn.Failed, step.Errors, step.Partial)
					}
					if !strings.Contains(cn.UnsentReason, "behind") {
						t.Errorf("unsent reason %q, want the schedule ending while behind", cn.UnsentReason)
					}
				case tc.cut:
					if !step.Partial || !strings.Contains(cn.UnsentReason, "cut short") {
						t.Errorf("partial %t, unsent reason %q: want a partial step cut short", step.Partial, cn.UnsentReason)
					}
					fallthrough
				default:
					if unack == 0 || unack != cn.Failed {
						t.Errorf("errors %v: want every failure labelled %q (in flight when the drain ended)", step.Errors, labelUnacknowledged)
					}
				}
				var sum strings.Builder
				if err := report.Summary(&sum, &report.Result{Steps: []report.Step{step}}); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(sum.String(), report.UnsentLine(cn)) {
					t.Errorf("summary does not say %q:\n%s", report.UnsentLine(cn), sum.String())
				}
			})
		})
	}
}

// TestRunNothingAcknowledged answers every produce request with
// MESSAGE_TOO_LARGE, on both clients: the step acknowledged nothing, so it
// is a failed step (report.Step.Failure, exit code 1 in cmd), with every
// failure counted by code, and it is not blamed on the load generator.
func TestRunNothingAcknowledged(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 1)
		kf := c.Kfake()
		var answered atomic.Int64
		kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
			kf.KeepControl()
			resp, n := produceErrorResponse(kreq.(*kmsg.ProduceRequest), kerr.MessageTooLarge.Code)
			answered.Add(int64(n))
			return resp, nil, true
		})
		pl := coPlan(200, 50, time.Second)
		pl.Client = cl
		pl.Topics.ReplicationFactor = 1
		step := runBounded(t, pl, c, Options{RunID: "toolarge"})
		if answered.Load() == 0 {
			t.Fatalf("no produce request was answered")
		}
		checkAccounted(t, &step)
		cn := step.Counters
		const label = "[10] Message Size Too Large"
		if cn.Acked != 0 || cn.Failed == 0 || step.Errors[label] != cn.Failed {
			t.Errorf("acked %d failed %d errors %v: want nothing acknowledged, every failure %q", cn.Acked, cn.Failed, step.Errors, label)
		}
		f := step.Failure()
		if !strings.Contains(f, "no message was acknowledged") || !strings.Contains(f, label) {
			t.Errorf("Failure() = %q, want nothing acknowledged with the count by code", f)
		}
		if g := step.Generator; g != nil && g.Bottleneck {
			t.Errorf("generator %+v: a step whose every message failed is not generator bound", *g)
		}
		var sum strings.Builder
		if err := report.Summary(&sum, &report.Result{Steps: []report.Step{step}}); err != nil {
			t.Fatal(err)
		}
		if s := sum.String(); !strings.Contains(s, "FAILED: "+f) || strings.Contains(s, "GENERATOR BOUND") {
			t.Errorf("summary, want the failure and no GENERATOR BOUND:\n%s", s)
		}
	})
}
