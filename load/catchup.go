package load

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// This file holds where consumer groups start (consumers.start) and the
// catch-up read of a step whose consumers have a backlog when the measured
// phase begins (plan.Plan.CatchUp): a backlog phase, or an existing topic
// read from a start other than latest.
//
// Both clients start the same way: before any member joins, the engine
// lists the start offset of every partition for the group (end, log start,
// first offset at a timestamp, or the group's committed offsets) and
// commits it for the group (unless the start is committed); the clients
// then only resume from committed offsets (a partition without one starts
// at the log start). kafka-go's Reader has no timestamp start for a group
// (SetOffsetAt refuses a GroupID), and the engine needs the start offsets
// anyway: they tell how much backlog each group has to read.

// startPositions lists (and, but for a committed start, commits) the start
// offsets of every group of workload w on every one of its topics. On
// created topics a latest or earliest start is the (empty) log start, which
// the clients' reset offset already is: nothing is listed or committed
// there. It returns the start offsets by group when the workload catches up
// (for the catch-up tracker), nil otherwise.
func (s *step) startPositions(ctx context.Context, w *workload) ([]map[partKey]int64, error) {
	start := w.p.Consumers.Start
	mode := start.ModeOrDefault()
	created := w.p.Topics.Existing == ""
	catchUp := w.catchingUp()
	var out []map[partKey]int64
	if catchUp {
		out = make([]map[partKey]int64, w.groups)
		for g := range out {
			out[g] = make(map[partKey]int64)
		}
	}
	fresh := created && (mode == plan.StartLatest || mode == plan.StartEarliest)
	if fresh && !catchUp {
		return nil, nil
	}
	for _, topic := range w.topics {
		for g, group := range w.groupIDs {
			var offs map[int32]int64
			if fresh {
				offs = make(map[int32]int64, w.partitions)
				for i := range w.partitions {
					offs[int32(i)] = 0
				}
			} else {
				var err error
				if offs, err = s.adm.startOffsets(ctx, group, topic, w.partitions, start, s.start); err != nil {
					return nil, err
				}
				if mode != plan.StartCommitted {
					if err := s.adm.commitStart(ctx, group, topic, offs); err != nil {
						return nil, err
					}
				}
			}
			if out != nil {
				for i, o := range offs {
					out[g][partKey{topic, int(i)}] = o
				}
			}
		}
	}
	return out, nil
}

// catchUp follows the consumer groups of a catch-up step through their
// backlog: every partition from its start offset up to its end offset when
// the consumers resume (the target). Consumers call read for every record;
// Run reads the rest. Safe for concurrent use.
type catchUp struct {
	groups  []*groupCatchUp
	backlog int64 // offsets to read at resume, summed over groups
	// resumeNs is when the consumers started (before joining their
	// groups).
	resumeNs atomic.Int64
}

// groupCatchUp is one group's progress through its backlog.
type groupCatchUp struct {
	parts     map[partKey]*partCatchUp // read-only once built
	remaining atomic.Int64             // partitions not read up to their target
	doneNs    atomic.Int64             // when remaining reached 0 (unix ns), 0 before
	read      atomic.Int64             // backlog records read (first reads)
	bytes     atomic.Int64             // their value bytes
}

// partCatchUp is one partition of a group's backlog.
type partCatchUp struct {
	target int64        // the end offset when the consumers resumed
	next   atomic.Int64 // one past the highest offset read (from the start offset)
}

// newCatchUp builds the tracker from the start offsets of every group
// (startPositions) and the end offsets of every partition at resume
// (targets).
func newCatchUp(from []map[partKey]int64, targets map[partKey]int64) *catchUp {
	c := &catchUp{groups: make([]*groupCatchUp, len(from))}
	for g, starts := range from {
		gc := &groupCatchUp{parts: make(map[partKey]*partCatchUp, len(targets))}
		for k, t := range targets {
			f := starts[k]
			pc := &partCatchUp{target: t}
			pc.next.Store(f)
			if f < t {
				gc.remaining.Add(1)
				c.backlog += t - f
			}
			gc.parts[k] = pc
		}
		c.groups[g] = gc
	}
	return c
}

// resume starts the catch-up clock at nowNs, as the consumers start; a
// group without backlog is caught up at once.
func (c *catchUp) resume(nowNs int64) {
	c.resumeNs.Store(nowNs)
	for _, g := range c.groups {
		if g.remaining.Load() == 0 {
			g.doneNs.CompareAndSwap(0, nowNs)
		}
	}
}

// read accounts for the record at offset of k (of bytes: key, value and
// headers) that group g read at nowNs.
func (c *catchUp) read(g int, k partKey, offset int64, bytes int, nowNs int64) {
	gc := c.groups[g]
	pc := gc.parts[k]
	if pc == nil {
		return
	}
	n := offset + 1
	for {
		cur := pc.next.Load()
		if n <= cur {
			return // read before (a redelivery)
		}
		if !pc.next.CompareAndSwap(cur, n) {
			continue
		}
		if offset < pc.target {
			gc.read.Add(1)
			gc.bytes.Add(int64(bytes))
		}
		if cur < pc.target && n >= pc.target && gc.remaining.Add(-1) == 0 {
			gc.doneNs.Store(max(nowNs, c.resumeNs.Load()))
		}
		return
	}
}

// lag returns the backlog not yet read: the offsets from each partition's
// next read up to its target, summed over groups.
func (c *catchUp) lag() int64 {
	var n int64
	for _, g := range c.groups {
		for _, pc := range g.parts {
			n += max(pc.target-pc.next.Load(), 0)
		}
	}
	return n
}

// result summarises the catch-up at endNs (the end of the step's reading).
func (c *catchUp) result(start plan.StartOffset, endNs int64, built int64, buildSecs float64) *report.CatchUp {
	r := &report.CatchUp{Start: start.String(), BacklogMessages: c.backlog, BuiltMessages: built,
		BuildSeconds: buildSecs, CaughtUp: true, Lag: c.lag()}
	resume := c.resumeNs.Load()
	var last int64
	for _, g := range c.groups {
		r.ReadMessages += g.read.Load()
		r.ReadBytes += g.bytes.Load()
		d := g.doneNs.Load()
		if d == 0 {
			r.CaughtUp = false
			d = endNs
		}
		last = max(last, d)
	}
	if resume > 0 && last > resume {
		r.Seconds = time.Duration(last - resume).Seconds()
		r.MsgsPerSec = float64(r.ReadMessages) / r.Seconds
		r.MiBPerSec = float64(r.ReadBytes) / r.Seconds / report.MiB
	}
	return r
}

// endOffsets returns the end offset of every partition of workload w's
// topics: the backlog's end when the consumers start. A backlog of
// transactional producers ends every partition with commit markers, which
// no consumer reads: with verification, whose acknowledged offsets tell
// where the records end, that end is one past a partition's last record
// (the end offset without; its catch-up then never reaches lag zero).
func (s *step) endOffsets(ctx context.Context, w *workload) (map[partKey]int64, error) {
	out := make(map[partKey]int64)
	if len(w.bprods) > 0 && w.p.Producers.Transactions != nil && w.vf != nil {
		w.vf.endMu.Lock()
		defer w.vf.endMu.Unlock()
		for _, topic := range w.topics {
			for i := range w.partitions {
				k := partKey{topic, i}
				out[k] = max(w.vf.end[k], w.from[0][k]) // nothing acked there: no backlog
			}
		}
		return out, nil
	}
	for _, topic := range w.topics {
		offs, err := s.adm.offsets(ctx, topic, w.partitions, offsetEnd)
		if err != nil {
			return nil, err
		}
		for i, o := range offs {
			out[partKey{topic, int(i)}] = o
		}
	}
	return out, nil
}

// backlogLag is the backlog not yet read, over every workload that
// catches up.
func (s *step) backlogLag() int64 {
	var n int64
	for _, w := range s.wls {
		if w.catch != nil {
			n += w.catch.lag()
		}
	}
	return n
}

// catchUpResult is the step's catch-up, the sum over the workloads that
// catch up (nil without any); it warns when the consumers read nothing or
// other runs' messages show gaps or duplicates.
func (s *step) catchUpResult() *report.CatchUp {
	end := s.consStopNs
	if end == 0 {
		end = s.clk.now()
	}
	var r *report.CatchUp
	for _, w := range s.wls {
		if w.catch == nil {
			continue
		}
		wr := w.catch.result(w.p.Consumers.Start, end, totalAcked(w.bprods), s.buildSeconds)
		if r == nil {
			r = wr
			continue
		}
		r.BacklogMessages += wr.BacklogMessages
		r.BuiltMessages += wr.BuiltMessages
		r.ReadMessages += wr.ReadMessages
		r.ReadBytes += wr.ReadBytes
		r.Lag += wr.Lag
		r.CaughtUp = r.CaughtUp && wr.CaughtUp
		r.Seconds = max(r.Seconds, wr.Seconds)
		if wr.Start != r.Start {
			r.Start += ", " + wr.Start
		}
		if r.Seconds > 0 {
			r.MsgsPerSec = float64(r.ReadMessages) / r.Seconds
			r.MiBPerSec = float64(r.ReadBytes) / r.Seconds / report.MiB
		}
	}
	if r == nil {
		return nil
	}
	if r.BacklogMessages == 0 {
		s.warnf("catch-up: nothing to read from start %s: the topic held no message after the start position", r.Start)
	}
	if !r.CaughtUp {
		s.warnf("catch-up: the consumers had not read %d messages of the backlog when they stopped", r.Lag)
	}
	for _, w := range s.wls {
		if w.vf == nil || w.vf.earlier == nil {
			continue
		}
		if e := w.vf.earlier.result(); e != nil && (e.Gaps > 0 || e.Duplicated > 0) {
			s.warnf("verify: messages of earlier runs: %d gaps and %d duplicated over %d producers (failed sends, "+
				"retention or several runs with the same producer ids also make them)", e.Gaps, e.Duplicated, e.Producers)
		}
	}
	return r
}

// allProducers returns the live and the backlog producers.
func (s *step) allProducers() []*producer {
	if len(s.bprods) == 0 {
		return s.prods
	}
	return append(append([]*producer(nil), s.prods...), s.bprods...)
}

// meanKeyBytes is the mean length of the keys of k ("key-" and a number of
// the key range), 0 without keys.
func meanKeyBytes(k plan.Keys) float64 {
	if !k.Keyed() || k.Cardinality <= 0 {
		return 0
	}
	first := int64(0)
	if k.Mode == plan.KeysSequential {
		first = k.First
	}
	n := int64(k.Cardinality)
	var sum int64
	// Numbers of d digits are [10^(d-1), 10^d): count them by range.
	lo := first
	for lo < first+n {
		d := int64(len(strconv.FormatInt(lo, 10)))
		hi := first + n
		if p := pow10(d); p < hi {
			hi = p
		}
		sum += (hi - lo) * (int64(len("key-")) + d)
		lo = hi
	}
	return float64(sum) / float64(n)
}

func pow10(d int64) int64 {
	p := int64(1)
	for range d {
		p *= 10
	}
	return p
}

// buildBacklog runs the backlog phase: the backlog producers send their
// messages (or for the backlog's duration) while no consumer runs, one
// interval at a time (report.PhaseBacklog); it returns once every message
// is acknowledged or failed, then the consumers start. Cancelling ctx
// stops it with ctx's error, like setup.
func (s *step) buildBacklog(ctx context.Context) error {
	s.backlogRan = true
	startNs := s.clk.now()
	s.lastTick = s.clk.time(startNs)
	bl := s.p.Phases.Backlog
	what := bl.Duration.D().String()
	if bl.Duration == 0 {
		var n int64
		for _, w := range s.wls {
			n += w.backlogMessages
		}
		what = strconv.FormatInt(n, 10) + " messages"
	}
	s.logf("building a backlog of %s at %s", what, bl.Rate)
	var g errgroup.Group
	for _, pr := range s.bprods {
		g.Go(func() error { return pr.run(ctx, startNs, startNs) })
	}
	done := make(chan struct{})
	go func() {
		_ = g.Wait()
		close(done)
	}()
	interval := s.p.Phases.ReportInterval.D()
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-timer.C:
			s.tick(time.Now(), report.PhaseBacklog)
			timer.Reset(interval)
		}
	}
	s.tick(time.Now(), report.PhaseBacklog)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("step %d: backlog phase: %w", s.p.Index, context.Cause(ctx))
	}
	s.builtMessages = totalAcked(s.bprods)
	s.buildSeconds = time.Duration(s.clk.now() - startNs).Seconds()
	if s.builtMessages == 0 {
		return errors.New("backlog phase: no message was acknowledged")
	}
	if f := totalFailed(s.bprods); f > 0 {
		s.warnf("backlog phase: %d messages failed (%d acknowledged)", f, s.builtMessages)
	}
	s.logf("backlog built: %d messages in %.2f s", s.builtMessages, s.buildSeconds)
	return s.startConsumers(ctx)
}

// catchingUp reports whether the workload's consumers have a backlog when
// they start: a backlog phase with its producers, or an existing topic read
// from a start other than latest (plan.Plan.CatchUp for one workload).
func (w *workload) catchingUp() bool {
	if w.groups == 0 {
		return false
	}
	if w.backlogWorkers > 0 {
		return true
	}
	return w.p.Topics.Existing != "" && w.p.Consumers.Start.ModeOrDefault() != plan.StartLatest
}

// allProducers returns the workload's live and backlog producers.
func (w *workload) allProducers() []*producer {
	if len(w.bprods) == 0 {
		return w.prods
	}
	return append(append([]*producer(nil), w.prods...), w.bprods...)
}

// setupBacklogProducers builds workload w's backlog producers: each sends
// its share of a message count (Messages ÷ workers, the first Messages mod
// workers one more), or for the backlog's duration, at the backlog rate.
func (s *step) setupBacklogProducers(w *workload, seed uint64) error {
	bl := s.p.Phases.Backlog
	for i := range w.backlogWorkers {
		var n int64
		if m, k := w.backlogMessages, int64(w.backlogWorkers); m > 0 {
			n = m / k
			if int64(i) < m%k {
				n++
			}
			if n == 0 {
				continue
			}
		}
		pr, err := newProducer(w.p, producerConfig{
			id: w.workers + i, worker: i, workers: w.backlogWorkers, rate: w.backlogRate,
			schedule: bl.Duration.D(), messages: n,
			topics: w.topics, partitions: w.partitions, conn: s.conn, driver: s.drv,
			rec: s.recorder(w), clk: s.clk, seed: seed + uint64(w.index)<<48 + 1<<40, sizes: w.sizes, sample: w.sample,
			verify: w.vf, runID: w.runID, stepIndex: s.p.Index, abort: s.abortCtx,
		})
		if err != nil {
			return fmt.Errorf("step %d: backlog producer: %w", s.p.Index, err)
		}
		w.bprods = append(w.bprods, pr)
		s.bprods = append(s.bprods, pr)
	}
	return nil
}
