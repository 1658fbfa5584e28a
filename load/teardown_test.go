package load

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// stallOnce returns a switch: once it is on, the cluster holds every
// request of key (kfake's SleepControl) until the test ends.
func stallOnce(t *testing.T, c *embedded.Cluster, key int16) *atomic.Bool {
	kf := c.Kfake()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stall := new(atomic.Bool)
	kf.ControlKey(key, func(kmsg.Request) (kmsg.Response, error, bool) {
		kf.KeepControl()
		if stall.Load() {
			kf.SleepControl(func() { <-release })
		}
		return nil, nil, false
	})
	return stall
}

// wantNoLeftovers fails the test when left lists anything.
func wantNoLeftovers(t *testing.T, left *Leftovers) {
	t.Helper()
	if !left.Empty() {
		t.Errorf("leftovers: topics %v groups %v, want none", left.Topics(), left.Groups())
	}
}

// TestSleepControlRunHurried cancels a step whose produce requests never
// return and closes Options.Hurry at once (a second interrupt): the
// producers are aborted without their grace, the step is returned partial,
// and teardown still deletes the topic, leaving nothing listed.
func TestSleepControlRunHurried(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	t.Parallel()
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		stall := stallOnce(t, c, kmsg.Produce.Int16())
		pl := faultPlan(3)
		pl.Client = cl
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Minute)
		pl.Phases.DrainTimeout = plan.Duration(time.Minute)
		pl.Phases.ReportInterval = plan.Duration(100 * time.Millisecond)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		hurry := make(chan struct{})
		left := new(Leftovers)
		var ticks int
		step, err := Run(ctx, pl, testConn(c), Options{RunID: "hurry", Logf: t.Logf, Hurry: hurry, Leftovers: left,
			Progress: func(iv report.Interval) {
				if iv.Phase != report.PhaseMeasure {
					return
				}
				switch ticks++; ticks {
				case 1:
					stall.Store(true)
				case 3:
					cancel()
					close(hurry)
				}
			}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if !step.Partial {
			t.Errorf("Partial = false, want true")
		}
		if !slices.ContainsFunc(step.Warnings, func(w string) bool { return strings.Contains(w, "hurried") }) {
			t.Errorf("warnings %q: want the producers aborted by the hurry", step.Warnings)
		}
		if _, ok := topicPartitions(t, testConn(c))["mskbench-test-hurry-0-0"]; ok {
			t.Errorf("topic left behind after a hurried step")
		}
		wantNoLeftovers(t, left)
	})
}

// TestRunDeletesItsGroups runs a step on a topic it creates and one on an
// existing topic (where its groups commit offsets): afterwards the cluster
// lists none of the run's groups, and groups that were there before — one
// of another application, one of another mskbench run — are untouched.
func TestRunDeletesItsGroups(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		adm := testAdmin(t, cl, conn)
		ctx := t.Context()
		if _, err := adm.createTopics(ctx, []string{"orders"}, plan.Topics{Partitions: 2, ReplicationFactor: 3}); err != nil {
			t.Fatal(err)
		}
		if err := adm.waitLeaders(ctx, []string{"orders"}, 2); err != nil {
			t.Fatal(err)
		}
		before := []string{"orders-app", "mskbench-test-other-0-g0"}
		commitEnds(t, adm, before, "orders", 2)
		pl := testPlan()
		pl.Client = cl
		pl.Consumers.Groups = 2
		pl.Consumers.PerGroup = 1
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(300 * time.Millisecond)
		left := new(Leftovers)
		for i, existing := range []string{"", "orders"} {
			pl.Index = i
			pl.Topics.Existing = existing
			step, err := Run(ctx, pl, conn, Options{RunID: "grp", Logf: t.Logf, Leftovers: left})
			if err != nil {
				t.Fatalf("Run (existing %q): %v", existing, err)
			}
			if step.Counters.Consumed == 0 {
				t.Fatalf("existing %q: nothing consumed: the groups never worked", existing)
			}
		}
		gs, err := adm.listGroups(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			if strings.HasPrefix(g, "mskbench-test-grp-") {
				t.Errorf("group %s left behind", g)
			}
		}
		for _, g := range before {
			if !slices.Contains(gs, g) {
				t.Errorf("pre-existing group %s was deleted (groups now %v)", g, gs)
			}
		}
		wantNoLeftovers(t, left)
	})
}

// TestRunInterruptedDuringTopicCreation cancels the run while the cluster
// holds its CreateTopics request, then lets the cluster create the topic:
// Run must not abandon the request (the topic would be left behind,
// unnamed) but wait for its answer and delete the topic.
func TestRunInterruptedDuringTopicCreation(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		returned := make(chan struct{})
		answered := make(chan struct{})
		kf.ControlKey(kmsg.CreateTopics.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
			defer close(answered)
			cancel() // the interrupt arrives while the cluster creates the topic
			// Hold the answer (this blocks the in-process cluster): until Run
			// gave up on it, or long enough for a client that waits for it.
			select {
			case <-returned:
			case <-time.After(time.Second):
			}
			return nil, nil, false // the cluster creates the topic
		})
		pl := testPlan()
		pl.Client = cl
		left := new(Leftovers)
		var logs []string
		_, err := Run(ctx, pl, testConn(c), Options{RunID: "creating", Leftovers: left, Logf: func(f string, a ...any) {
			logs = append(logs, fmt.Sprintf(f, a...))
			t.Logf(f, a...)
		}})
		close(returned)
		if err == nil {
			t.Fatal("Run: no error after an interrupt during setup")
		}
		<-answered
		name := "mskbench-test-creating-0-0"
		if _, ok := topicPartitions(t, testConn(c))[name]; ok {
			t.Errorf("topic %s left behind after an interrupt during its creation (Run: %v; logs %q)", name, err, logs)
		}
		if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "deleted topics "+name) }) {
			t.Errorf("logs %q: want the topic's deletion", logs)
		}
		wantNoLeftovers(t, left)
	})
}

// TestRunTeardownOwnBudget runs 100 producer workers at a connect rate of
// 2 connections/s: their dials are booked far beyond the step and its
// teardown bound, yet teardown (on the admin budget) deletes the topic.
func TestRunTeardownOwnBudget(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		a := plan.DefaultAuth()
		a.Mechanism = plan.MechanismNone
		a.ConnectRate = 2
		conn, err := auth.Connect(t.Context(), auth.Config{Auth: a, Brokers: c.Addrs(), DialTimeout: 2 * time.Second, Client: cl}, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		pl := testPlan()
		pl.Client = cl
		pl.Producers.Workers = 100
		pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 200}
		pl.Consumers.Groups = 0
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
		pl.Phases.DrainTimeout = plan.Duration(time.Second)
		left := new(Leftovers)
		var teardownWarnings []string
		step, err := Run(t.Context(), pl, conn, Options{RunID: "budget", Leftovers: left, Logf: func(f string, args ...any) {
			if msg := fmt.Sprintf(f, args...); strings.Contains(msg, "teardown") {
				teardownWarnings = append(teardownWarnings, msg)
			}
		}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		t.Logf("dials %d; counters %+v", conn.Dials(), step.Counters)
		if len(teardownWarnings) > 0 {
			t.Errorf("teardown: %q", teardownWarnings)
		}
		if _, ok := topicPartitions(t, testConn(c))["mskbench-test-budget-0-0"]; ok {
			t.Errorf("topic left behind by a teardown behind 100 workers' connections")
		}
		wantNoLeftovers(t, left)
	})
}

// commitEnds commits the end offsets of topic's partitions for groups (a
// group with offsets and no member, as a finished consumer leaves it).
func commitEnds(t *testing.T, adm adminOps, groups []string, topic string, partitions int) {
	t.Helper()
	ends, err := adm.offsets(t.Context(), topic, partitions, offsetEnd)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if err := adm.commitStart(t.Context(), g, topic, ends); err != nil {
			t.Fatal(err)
		}
	}
}
