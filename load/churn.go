package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mskbench/mskbench/report"
)

// This file holds consumer churn (consumers.churn, franz-go only): during
// the measured phase, every Every, Members members of each group leave
// (their client closes, which leaves the group) and a new client with the
// same client id joins in their place. Each such event is one rebalance
// record: from the first partition revoked (or the event's start, when no
// revocation was seen) to the last partition assigned before the group was
// Stable with all its members again, the longest pause in the group's
// reading around it, and the end-to-end latency of what it read meanwhile.

// groupChurn tracks the rebalances of one consumer group. Its consumers
// call read and callback; the churn loop opens and settles events. Safe
// for concurrent use.
type groupChurn struct {
	group      int
	workload   string // its workload's name ("" for the implicit one)
	lastReadNs atomic.Int64
	cur        atomic.Pointer[churnEvent] // open event, nil between events

	mu     sync.Mutex
	events []*churnEvent
}

// churnEvent is one churn event of a group.
type churnEvent struct {
	startNs   int64
	settledNs atomic.Int64 // when the group was Stable again; 0 before

	mu            sync.Mutex
	firstRevokeNs int64
	lastAssignNs  int64
	pauseNs       int64 // longest time between two reads from startNs on
	e2e           *report.Histogram
	messages      int64
	closed        bool
}

// open starts an event at nowNs.
func (g *groupChurn) open(nowNs int64) *churnEvent {
	ev := &churnEvent{startNs: nowNs, e2e: report.NewHistogram()}
	g.mu.Lock()
	g.events = append(g.events, ev)
	g.mu.Unlock()
	g.cur.Store(ev)
	return ev
}

// callback records a rebalance callback (assigned, or revoked/lost) at
// nowNs.
func (g *groupChurn) callback(assigned bool, nowNs int64) {
	ev := g.cur.Load()
	if ev == nil {
		return
	}
	ev.mu.Lock()
	switch {
	case ev.settledNs.Load() != 0:
	case assigned:
		ev.lastAssignNs = max(ev.lastAssignNs, nowNs)
	case ev.firstRevokeNs == 0:
		ev.firstRevokeNs = nowNs
	}
	ev.mu.Unlock()
}

// read records a message the group read at nowNs (st and stErr from its
// stamp). An event stays open for reads until the first read after the
// group settled: that read ends the pause.
func (g *groupChurn) read(st Stamp, stErr error, nowNs, stepStartNs int64) {
	prev := g.lastReadNs.Swap(nowNs)
	ev := g.cur.Load()
	if ev == nil {
		return
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.closed {
		return
	}
	ev.pauseNs = max(ev.pauseNs, nowNs-max(prev, ev.startNs))
	ev.messages++
	if stErr == nil && st.IntendedNs >= stepStartNs {
		ev.e2e.RecordUs((nowNs - st.IntendedNs) / 1000)
	}
	if s := ev.settledNs.Load(); s != 0 && nowNs >= s {
		ev.closed = true
		g.cur.CompareAndSwap(ev, nil)
	}
}

// rebalances returns the group's events as report records, measured from
// measureStartNs.
func (g *groupChurn) rebalances(measureStartNs int64) []report.Rebalance {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]report.Rebalance, 0, len(g.events))
	for _, ev := range g.events {
		ev.mu.Lock()
		r := report.Rebalance{Workload: g.workload, Group: g.group, AtSeconds: time.Duration(ev.startNs - measureStartNs).Seconds(),
			Settled: ev.settledNs.Load() != 0, Messages: ev.messages}
		from := ev.firstRevokeNs
		if from == 0 {
			from = ev.startNs
		}
		if ev.lastAssignNs > from {
			r.Seconds = time.Duration(ev.lastAssignNs - from).Seconds()
		}
		r.PauseSeconds = time.Duration(ev.pauseNs).Seconds()
		if ev.e2e.Count() > 0 {
			r.EndToEndP99Ms = float64(ev.e2e.Percentile(99)) / 1000
			r.EndToEndMaxMs = float64(ev.e2e.Max()) / 1000
		}
		ev.mu.Unlock()
		out = append(out, r)
	}
	return out
}

// startConsumer runs c's client under its own context (a child of
// parent), so that churn can stop it alone.
func (s *step) startConsumer(parent context.Context, c *consumer) {
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	c.stop, c.done = cancel, done
	s.cg.Go(func() error {
		defer close(done)
		return c.run(ctx)
	})
}

// startChurn starts the churn of every workload with consumers.churn for
// the measured phase; the function it returns stops it and waits for it.
func (s *step) startChurn(ctx context.Context) (stop func()) {
	churnCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range s.wls {
		if w.churns == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.churnLoop(ctx, churnCtx, w)
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// churnLoop makes members of workload w leave and rejoin every
// consumers.churn.every of the measured phase until stop is done; each
// event waits for the groups to settle before the next, and an event begun
// is waited for even after stop (bounded by ctx, the step's).
func (s *step) churnLoop(ctx, stop context.Context, w *workload) {
	ch := w.p.Consumers.Churn
	every := int64(ch.Every.D())
	members := min(max(ch.Members, 1), w.perGroup)
	next := make([]int, w.groups) // the next member of each group to churn
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for k := int64(1); ; k++ {
		at := s.measureStartNs + k*every
		if at >= s.measureEndNs {
			return
		}
		if wait := time.Duration(at - s.clk.now()); wait > 0 {
			timer.Reset(wait)
			select {
			case <-stop.Done():
				return
			case <-timer.C:
			}
		}
		for g := range w.groups {
			if stop.Err() != nil {
				return
			}
			s.churnGroup(ctx, w, g, members, &next[g])
		}
	}
}

// churnGroup replaces members members of group g of workload w (from
// member *next on, in turn) and waits for the group to be Stable with every
// member again.
func (s *step) churnGroup(ctx context.Context, w *workload, g, members int, next *int) {
	ev := w.churns[g].open(s.clk.now())
	s.churnEvents.Add(1)
	for range members {
		c := w.cons[g*w.perGroup+*next]
		*next = (*next + 1) % w.perGroup
		c.stop()
		<-c.done // closed: the member left the group
		cl, err := c.newClient()
		if err != nil {
			s.churnErr.CompareAndSwap(nil, &err)
			continue
		}
		c.cl = cl
		s.startConsumer(s.consCtx, c)
	}
	err := s.adm.waitGroups(ctx, w.groupIDs[g:g+1], w.perGroup, min(w.perGroup, w.partitions*len(w.topics)))
	if err == nil {
		ev.settledNs.Store(s.clk.now())
	} else if ctx.Err() == nil {
		s.churnErr.CompareAndSwap(nil, &err)
	}
}

// churnResult is the step's churn record, over every workload with churn;
// nil without churn.
func (s *step) churnResult() *report.Churn {
	var r *report.Churn
	for _, w := range s.wls {
		if w.churns == nil {
			continue
		}
		if r == nil {
			ch := w.p.Consumers.Churn
			r = &report.Churn{EverySeconds: ch.Every.D().Seconds(), Members: min(max(ch.Members, 1), w.perGroup),
				Events: int(s.churnEvents.Load())}
		}
		for _, g := range w.churns {
			r.Rebalances = append(r.Rebalances, g.rebalances(s.measureStartNs)...)
		}
	}
	if p := s.churnErr.Load(); p != nil {
		s.warnf("consumer churn: %v", *p)
	}
	return r
}
