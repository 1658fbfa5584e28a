// Package load is the mskbench engine: it turns one plan.Plan into a
// report.Step by creating topics, joining consumer groups, driving producer
// workers on an open-model schedule (Pacer), stamping every message value
// (Stamp), verifying delivery, and running the warm-up, measure, drain and
// teardown phases. Run is synchronous and stops with its context; live
// progress is a callback (Options.Progress). It never writes to stdout.
//
// load imports plan (its input), auth (connections), report (recorders and
// the step it returns) and kafka-go. It must not import scenarios, sizing,
// ramp, cmd or a YAML decoder: the engine runs plans, whoever built them.
package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// Bounds of the engine's own waits (not settings: plan.Defaults holds those).
const (
	// cancelDrain bounds the drain after the context was cancelled: stop
	// load, drain briefly, return what was measured.
	cancelDrain = 2 * time.Second
	// drainPoll is how often the drain phase checks whether consumers caught up.
	drainPoll = 20 * time.Millisecond
	// producerGrace bounds how long producers may still wait for the
	// cluster after the drain phase before their requests are aborted (at
	// most the drain timeout).
	producerGrace = 5 * time.Second
	// teardownTimeout bounds topic deletion.
	teardownTimeout = 30 * time.Second
)

// Options are the caller's hooks into Run. The zero value is valid.
type Options struct {
	// Progress, when not nil, is called with every interval (warm-up,
	// measure and drain) right after it ends, from one goroutine (the one
	// that called Run). It must return quickly.
	Progress func(report.Interval)
	// Logf, when not nil, receives informational messages and warnings
	// (phase changes, topic creation and deletion). Called from Run's goroutine.
	Logf func(format string, args ...any)
	// RunID names this run in topic and consumer group names:
	// Prefix + RunID + "-" + step index + "-" + topic index. "" means a
	// base-36 timestamp.
	RunID string
	// Embedded marks the step as run against the in-process cluster.
	Embedded bool
}

// offeredRate returns the total schedule rate in msgs/s of r, 0 for max
// rate: r.MsgsPerSec(meanSize), that is msgs/s = bytes/s ÷ mean size (bytes,
// stamp included) for a byte rate. A rate the schedule cannot follow (not
// above 0, or not finite) is an error.
func offeredRate(r plan.Rate, meanSize float64) (float64, error) {
	if r.IsMax() {
		return 0, nil
	}
	v := r.MsgsPerSec(meanSize)
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("rate %s (%g msgs/s at a mean size of %g bytes): want more than 0 msgs/s", r, v, meanSize)
	}
	return v, nil
}

// Run runs one step synchronously: setup (topics, consumer groups joined and
// assigned), warm-up (load on, statistics discarded), measure
// (p.Phases.Duration), drain (producers stop and flush, consumers catch up
// to acked × groups, bounded by DrainTimeout) and teardown (deletes only the
// topics it created, unless Keep). It returns only after every goroutine it
// started has ended. Fields of p left at an invalid zero take their
// plan.Defaults value (plan.Plan.WithDefaults); the step records the plan
// as run.
//
// Errors during setup (unreachable brokers — the error names the addresses
// tried —, topic creation, groups that never become stable, an invalid plan)
// are returned with a zero Step. Once load has started, Run always returns
// the step and a nil error: delivery failures are counted in the step. If ctx
// is cancelled after load started, Run stops the producers, drains for at most
// two seconds, tears down and returns the step so far with Partial = true and
// a nil error; if ctx is cancelled during setup it returns ctx's error.
// Run is safe to call from several goroutines for different plans.
func Run(ctx context.Context, p plan.Plan, conn *auth.Conn, opts Options) (report.Step, error) {
	if conn == nil {
		return report.Step{}, errors.New("load: nil connection")
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	runID := opts.RunID
	if runID == "" {
		runID = strconv.FormatInt(time.Now().Unix(), 36)
	}
	p = p.WithDefaults()
	ph := p.Phases
	interval := ph.ReportInterval.D()
	drainTimeout := ph.DrainTimeout.D()
	if ph.Duration.D() <= 0 {
		return report.Step{}, fmt.Errorf("step %d: duration %s, want > 0", p.Index, ph.Duration.D())
	}
	if ph.Warmup.D() < 0 {
		return report.Step{}, fmt.Errorf("step %d: warmup %s, want >= 0", p.Index, ph.Warmup.D())
	}
	workers := max(p.Producers.Workers, 0)
	groups, perGroup := max(p.Consumers.Groups, 0), p.Consumers.PerGroup
	var rate float64
	if workers > 0 {
		sc, err := newSizeChooser(p.Producers.MessageSize)
		if err != nil {
			return report.Step{}, fmt.Errorf("step %d: %w", p.Index, err)
		}
		if rate, err = offeredRate(p.Producers.Rate, sc.mean()); err != nil {
			return report.Step{}, fmt.Errorf("step %d: %w", p.Index, err)
		}
	}

	stepStart := time.Now()
	clk := newClock()
	// Producers are built (and the plan checked) before touching the cluster.
	topics := TopicNames(p, runID)
	col := report.NewCollector(groups)
	var vf *verifier
	if p.Verify {
		vf = newVerifier(workers, groups, clk.now())
	}
	seed := uint64(time.Now().UnixNano())
	abortCtx, abortRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	defer abortRequests(nil)
	prods := make([]*producer, workers)
	for i := range prods {
		pr, err := newProducer(p.Producers, producerConfig{
			id: i, workers: workers, rate: rate,
			schedule: ph.Warmup.D() + ph.Duration.D(),
			topics:   topics, conn: conn, rec: col.NewRecorder(), clk: clk, seed: seed,
			abort: abortCtx,
		})
		if err != nil {
			return report.Step{}, fmt.Errorf("step %d: producer: %w", p.Index, err)
		}
		pr.verify = vf
		prods[i] = pr
	}
	adm := admin{conn: conn}
	if _, err := adm.ping(ctx); err != nil {
		return report.Step{}, err
	}
	var warnings []string
	warnf := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		warnings = append(warnings, msg)
		logf("warning: %s", msg)
	}

	// Topics.
	existing := p.Topics.Existing != ""
	partitions := p.Topics.Partitions
	var created []string
	tornDown := false
	teardown := func() {
		if tornDown {
			return
		}
		tornDown = true
		if len(created) == 0 {
			return
		}
		if p.Topics.Keep {
			logf("keeping topics %s", strings.Join(created, ","))
			return
		}
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), teardownTimeout)
		defer cancel()
		if err := adm.deleteTopics(tctx, created); err != nil {
			warnf("teardown: %v", err)
			return
		}
		logf("deleted topics %s", strings.Join(created, ","))
	}
	defer teardown()
	if existing {
		n, err := adm.existingPartitions(ctx, p.Topics.Existing)
		if err != nil {
			return report.Step{}, err
		}
		partitions = n
		logf("using existing topic %s (%d partitions)", p.Topics.Existing, n)
	} else {
		var err error
		created, err = adm.createTopics(ctx, topics, p.Topics)
		if err != nil {
			return report.Step{}, err
		}
		logf("created topics %s (%d partitions, replication factor %d)",
			strings.Join(created, ","), partitions, p.Topics.ReplicationFactor)
		if err := adm.waitLeaders(ctx, topics, partitions); err != nil {
			return report.Step{}, err
		}
	}

	var measureFrom atomic.Int64
	measureFrom.Store(math.MaxInt64)
	groupIDs := make([]string, groups)
	for g := range groupIDs {
		groupIDs[g] = GroupID(p, runID, g)
	}
	if existing && groups > 0 {
		// Before any reader exists: the groups must still be empty.
		if err := adm.commitEndOffsets(ctx, groupIDs, p.Topics.Existing, partitions); err != nil {
			return report.Step{}, err
		}
	}
	var cons []*consumer
	for g := range groupIDs {
		for range perGroup {
			c, err := newConsumer(p.Consumers, consumerConfig{
				group: groupIDs[g], topics: topics, existing: existing, conn: conn,
				rec: col.NewRecorder(), clk: clk, measureFrom: &measureFrom,
				verify: vf, groupIndex: g,
			})
			if err != nil {
				for _, c := range cons {
					c.r.Close()
				}
				return report.Step{}, err
			}
			cons = append(cons, c)
		}
	}
	if total := partitions * len(topics); groups > 0 && perGroup > total {
		warnf("%d consumers per group but only %d partitions: %d consumers per group stay idle",
			perGroup, total, perGroup-total)
	}

	consCtx, stopConsumers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopConsumers()
	var cg errgroup.Group
	for _, c := range cons {
		cg.Go(func() error { return c.run(consCtx) })
	}
	if groups > 0 {
		logf("waiting for %d consumer groups of %d to join", groups, perGroup)
		if err := waitGroups(ctx, adm, groupIDs, perGroup, min(perGroup, partitions*len(topics))); err != nil {
			stopConsumers()
			_ = cg.Wait()
			return report.Step{}, err
		}
	}

	// Load.
	startNs := clk.now()
	measureStartNs := startNs + int64(ph.Warmup.D())
	measureEndNs := measureStartNs + int64(ph.Duration.D())
	measureFrom.Store(measureStartNs)
	measuring := make(chan struct{})
	startMeasuring := sync.OnceFunc(func() { close(measuring) })
	defer startMeasuring()
	prodCtx, stopProducers := context.WithCancel(ctx)
	defer stopProducers()
	var pg errgroup.Group
	for _, pr := range prods {
		pr.measureStartNs = measureStartNs
		pr.measuring = measuring
		pg.Go(func() error { return pr.run(prodCtx, startNs) })
	}
	producersDone := make(chan struct{})
	go func() {
		_ = pg.Wait()
		close(producersDone)
	}()

	lastTick := clk.time(startNs)
	var prevSent, prevAcked, prevFailed, prevConsumed int64
	tick := func(end time.Time, phase string) {
		iv := col.Tick(lastTick, end, phase)
		// Warm-up records are filtered out before they reach the collector;
		// show the live counts anyway so progress does not look stalled.
		sent, acked, failed, consumed := totalSent(prods), totalAcked(prods), totalFailed(prods), totalConsumed(cons)
		if phase == report.PhaseWarmup {
			iv.Sent, iv.Acked, iv.Failed, iv.Consumed = sent-prevSent, acked-prevAcked, failed-prevFailed, consumed-prevConsumed
			if secs := end.Sub(lastTick).Seconds(); secs > 0 {
				iv.MsgsPerSec = float64(iv.Acked) / secs
				iv.ConsumedMsgsPerSec = float64(iv.Consumed) / secs
			}
		}
		prevSent, prevAcked, prevFailed, prevConsumed = sent, acked, failed, consumed
		lastTick = end
		if opts.Progress != nil {
			opts.Progress(iv)
		}
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	// runPhase ticks every interval until untilNs, or returns false at once
	// when ctx is cancelled.
	runPhase := func(untilNs int64, phase string) bool {
		for {
			now := clk.now()
			if now >= untilNs {
				tick(clk.time(now), phase)
				return true
			}
			wait := min(lastTick.Add(interval).Sub(clk.time(now)), time.Duration(untilNs-now))
			timer.Reset(max(wait, 0))
			select {
			case <-ctx.Done():
				tick(clk.time(clk.now()), phase)
				return false
			case <-timer.C:
			}
			if now := clk.now(); now < untilNs && !clk.time(now).Before(lastTick.Add(interval)) {
				tick(clk.time(now), phase)
			}
		}
	}

	completed := true
	cutIn := ""
	if ph.Warmup.D() > 0 {
		logf("warm-up for %s", ph.Warmup.D())
		if !runPhase(measureStartNs, report.PhaseWarmup) {
			completed, cutIn = false, report.PhaseWarmup
		}
	}
	startMeasuring()
	measureStart := clk.time(measureStartNs)
	cpu0, cpuOK := processCPU()
	if completed {
		logf("measuring for %s", ph.Duration.D())
		if !runPhase(measureEndNs, report.PhaseMeasure) {
			completed, cutIn = false, report.PhaseMeasure
		}
	}
	if !completed {
		stopProducers()
		measureEndNs = min(measureEndNs, clk.now())
		measureStartNs = min(measureStartNs, measureEndNs)
		measureStart = clk.time(measureStartNs)
		warnf("step cut short during %s: %v", cutIn, context.Cause(ctx))
	}
	measureEnd := clk.time(measureEndNs)
	cpu1, cpuOK1 := processCPU()

	// Drain: producers flush and close; consumers catch up.
	dt := drainTimeout
	if !completed {
		dt = min(dt, cancelDrain)
	}
	logf("draining (at most %s)", dt)
	drainDeadline := time.Now().Add(dt)
	caughtUp := func() bool {
		select {
		case <-producersDone:
		default:
			return false
		}
		acked := totalAcked(prods)
		if vf != nil {
			return vf.caughtUp(acked, p.Producers.Acks != plan.AcksNone)
		}
		return totalConsumed(cons) >= acked*int64(groups)
	}
	drained := false
	ctxDone := ctx.Done()
	for !drained {
		if caughtUp() {
			drained = true
			break
		}
		now := time.Now()
		if !now.Before(drainDeadline) {
			break
		}
		if !now.Before(lastTick.Add(interval)) {
			tick(now, report.PhaseDrain)
		}
		timer.Reset(min(drainPoll, drainDeadline.Sub(now)))
		select {
		case <-timer.C:
		case <-ctxDone:
			// Cancelled while draining: stop waiting soon, keep what we have.
			ctxDone = nil
			stopProducers()
			if completed {
				completed = false
				warnf("drain cut short: %v", context.Cause(ctx))
			}
			drainDeadline = minTime(drainDeadline, time.Now().Add(cancelDrain))
		}
	}
	stopProducers()
	select {
	case <-producersDone:
	case <-time.After(min(producerGrace, drainTimeout)):
		warnf("producers still waiting for the cluster %s after the drain phase: requests aborted", min(producerGrace, drainTimeout))
		abortRequests(errors.New("aborted after the drain phase"))
		<-producersDone
	}
	stopConsumers()
	_ = cg.Wait()
	var verification *report.Verification
	if vf != nil && groups > 0 {
		verification = verifyReport(vf, drained, warnf)
	}
	tick(time.Now(), report.PhaseDrain)
	if !drained {
		if lag := totalAcked(prods)*int64(groups) - totalConsumed(cons); lag > 0 {
			warnf("drain timed out after %s: consumers had not read %d acknowledged messages", dt, lag)
		} else {
			warnf("drain timed out after %s waiting for producers to flush", dt)
		}
	}
	if n := totalForeign(cons); n > 0 {
		warnf("consumers skipped %d messages without an mskbench stamp (other producers on the topic)", n)
	}

	teardown()

	var offered int64
	if rate > 0 {
		offered = scheduledBetween(rate, ph.Warmup.D(), time.Duration(measureEndNs-startNs))
	}
	var gen *report.Generator
	if workers > 0 && cpuOK && cpuOK1 {
		gen = generatorLoad(prods, cpu1-cpu0, measureEnd.Sub(measureStart), runtime.GOMAXPROCS(0))
		if gen.Bottleneck {
			note := ""
			if opts.Embedded {
				note = " (embedded: the CPU time includes the in-process cluster)"
			}
			warnf("the load generator was the bottleneck: %d messages sent more than %s late with in-flight "+
				"capacity free, process CPU at %.0f%% of %d CPUs; latencies include the tool's own limit, not only "+
				"the cluster's (add producer workers or load generators, or lower the rate)%s",
				gen.LateGenerator, report.BehindScheduleThreshold, 100*gen.CPUUtilization, runtime.GOMAXPROCS(0), note)
		}
	}
	planJSON, err := json.Marshal(p)
	if err != nil {
		warnf("encode plan: %v", err)
		planJSON = nil
	}
	step := col.Step(report.StepInfo{
		Index:        p.Index,
		Label:        p.Label,
		Params:       p.Params,
		Plan:         planJSON,
		Topics:       topics,
		Start:        stepStart,
		MeasureStart: measureStart,
		MeasureEnd:   measureEnd,
		End:          time.Now(),
		Partial:      !completed,
		Warnings:     warnings,
		Offered:      offered,
		Embedded:     opts.Embedded,
		Verification: verification,

		BehindScheduleSeconds: behindSeconds(prods, measureEndNs),
		ResponseErrors:        responseErrors(prods, cons),
		Generator:             gen,
	})
	if offered > 0 && float64(step.Counters.Sent) < 0.99*float64(offered) {
		msg := fmt.Sprintf("sent %d of %d offered messages in the measured window: the producers fell behind "+
			"(raise max_in_flight or workers, or the cluster is saturated)", step.Counters.Sent, offered)
		step.Warnings = append(step.Warnings, msg)
		logf("warning: %s", msg)
	}
	return step, nil
}

// waitGroups polls every group until it is Stable with want members of which
// wantAssigned hold partitions, bounded by setupTimeout.
func waitGroups(ctx context.Context, adm admin, groups []string, want, wantAssigned int) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	for _, g := range groups {
		for {
			ok, state, err := adm.groupReady(ctx, g, want, wantAssigned)
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				if err != nil {
					state = err.Error()
				}
				return fmt.Errorf("consumer group %s not ready (%s): %w", g, state, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
	}
	return nil
}

// total sums f over xs (counters of the producers or consumers).
func total[T any](xs []T, f func(T) int64) int64 {
	var n int64
	for _, x := range xs {
		n += f(x)
	}
	return n
}

func totalSent(ps []*producer) int64 {
	return total(ps, func(p *producer) int64 { return p.sent.Load() })
}
func totalFailed(ps []*producer) int64 {
	return total(ps, func(p *producer) int64 { return p.failed.Load() })
}
func totalAcked(ps []*producer) int64 {
	return total(ps, func(p *producer) int64 { return p.acked.Load() })
}

func totalConsumed(cs []*consumer) int64 {
	return total(cs, func(c *consumer) int64 { return c.consumed.Load() })
}

func totalForeign(cs []*consumer) int64 {
	return total(cs, func(c *consumer) int64 { return c.foreign.Load() })
}

// verifyReport returns the verifier's findings and warns about problems.
func verifyReport(vf *verifier, drained bool, warnf func(string, ...any)) *report.Verification {
	v := vf.result(drained)
	n := v.Problems()
	if !drained && v.Lost > 0 {
		warnf("verify: the drain did not complete: %d acknowledged messages not read (lost or only late)", v.Lost)
		n -= v.Lost
	}
	if n > 0 {
		warnf("verify: delivery problems: lost %d, duplicated %d, out of order %d, corrupted %d",
			v.Lost, v.Duplicated, v.OutOfOrder, v.Corrupted)
	}
	return v
}

// behindSeconds returns the longest time a producer worker spent behind
// schedule in the measure phase, in seconds. Call it after the producers
// ended.
func behindSeconds(ps []*producer, endNs int64) float64 {
	var m int64
	for _, p := range ps {
		m = max(m, p.behindUntil(endNs))
	}
	return float64(m) / 1e9
}

// responseErrors merges the producers' error response counts and the
// consumers' fetch and commit errors.
func responseErrors(ps []*producer, cs []*consumer) map[string]int64 {
	var all []*errorCounts
	for _, p := range ps {
		all = append(all, &p.ct.errorCounts)
	}
	for _, c := range cs {
		all = append(all, &c.errs)
	}
	var out map[string]int64
	for _, e := range all {
		for k, v := range e.snapshot() {
			if out == nil {
				out = make(map[string]int64)
			}
			out[k] += v
		}
	}
	return out
}

// generatorLoad describes the generator's own load: cpu is the process CPU
// time over the measured wall time; late messages come from the producers.
// Bottleneck: more than 1% of the sent messages late with in-flight
// capacity free (timer jitter stays far below), or CPU utilisation at or
// above report.GeneratorSaturated.
func generatorLoad(ps []*producer, cpu, wall time.Duration, procs int) *report.Generator {
	g := &report.Generator{CPUSeconds: cpu.Seconds()}
	if wall > 0 && procs > 0 {
		g.CPUUtilization = cpu.Seconds() / (wall.Seconds() * float64(procs))
	}
	var sent int64
	for _, p := range ps {
		gen, inFlight := p.lateCounts()
		g.LateGenerator += gen
		g.LateInFlight += inFlight
		sent += p.sent.Load()
	}
	g.Bottleneck = g.CPUUtilization >= report.GeneratorSaturated || (g.LateGenerator > 0 && g.LateGenerator*100 > sent)
	return g
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
