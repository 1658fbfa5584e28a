package load

import (
	"fmt"
	"time"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// workload is one topic group of a step (plan.Workload): its own topics,
// producers and consumer groups, run at the same time as the step's other
// workloads and reported apart (report.Step.Workloads). A plan without
// workloads is one implicit workload named "", whose topics and groups are
// named exactly as before.
type workload struct {
	index int
	name  string
	// p is the step's plan with the workload's Topics, Producers and
	// Consumers: what the producers, consumers and names are built from.
	p plan.Plan
	// runID names the workload's topics, groups and transactional ids: the
	// step's run id, followed by "-" + name for a named workload.
	runID string

	sizes    *sizeChooser // nil with a sample
	sample   *sample
	rate     float64 // total msgs/s of its producers, 0 for max rate
	workers  int     // producer workers of all shards
	groups   int
	perGroup int    // members per group, all shards
	rack     string // resolved consumers.rack
	// prodLo..prodHi are this shard's producer workers (global indexes:
	// producer ids), consLo..consHi its members of every group (Shard).
	prodLo, prodHi int
	consLo, consHi int

	topics     []string
	groupIDs   []string
	partitions int // per topic
	vf         *verifier

	prods []*producer
	cons  []*consumer

	// The backlog phase (phases.backlog; catchup.go): the backlog workers
	// (ids after the live ones), their total rate (0: max) and messages
	// (0: by duration), their producers; the groups' start offsets and the
	// catch-up tracker of a workload that catches up.
	backlogWorkers  int
	backlogRate     float64
	backlogMessages int64
	bprods          []*producer
	from            []map[partKey]int64
	catch           *catchUp
	// churns, with consumers.churn, track each group's rebalances
	// (churn.go); nil without.
	churns []*groupChurn
}

// newWorkload prepares workload i (w) of step p, run runID, for what needs
// no cluster: the message sizes or the payload sample, the offered rate,
// the key and client settings checked, names and the verifier.
func newWorkload(p plan.Plan, i int, w plan.Workload, runID string, getenv func(string) string, nowNs int64) (*workload, error) {
	wp := p
	wp.Topics, wp.Producers, wp.Consumers = w.Topics, w.Producers, w.Consumers
	wl := &workload{index: i, name: w.Name, p: wp, runID: runID}
	if w.Name != "" {
		wl.runID = runID + "-" + w.Name
	}
	fail := func(err error) (*workload, error) {
		if w.Name != "" {
			return nil, fmt.Errorf("step %d: workload %s: %w", p.Index, w.Name, err)
		}
		return nil, fmt.Errorf("step %d: %w", p.Index, err)
	}
	pp := wp.Producers
	wl.workers = max(pp.Workers, 0)
	if r := pp.Rate; !r.IsMax() && r.PerSec == 0 {
		wl.workers = 0 // rate 0: consumers only (after a backlog, if any)
	}
	if p.Phases.Backlog.Active() {
		wl.backlogWorkers = max(pp.Workers, 0)
	}
	wl.groups, wl.perGroup = max(wp.Consumers.Groups, 0), wp.Consumers.PerGroup
	if wl.workers > 0 || wl.backlogWorkers > 0 {
		var mean float64
		var err error
		if pl := pp.Payload; pl.Active() {
			// A record must fit a batch with the stamp and the headers, as
			// validation checked.
			if wl.sample, err = loadSample(pl, int(pp.BatchBytes)-int(pp.Headers.Bytes())); err != nil {
				return fail(fmt.Errorf("producers.payload: %w", err))
			}
			mean = StampSize + wl.sample.meanLen
		} else {
			sc, err := newSizeChooser(pp.MessageSize)
			if err != nil {
				return fail(err)
			}
			wl.sizes, mean = &sc, sc.mean()
		}
		if wl.workers > 0 {
			if wl.rate, err = offeredRate(pp.Rate, mean); err != nil {
				return fail(err)
			}
		}
		if wl.backlogWorkers > 0 {
			bl := p.Phases.Backlog
			if wl.backlogRate, err = offeredRate(bl.Rate, mean); err != nil {
				return fail(fmt.Errorf("phases.backlog: %w", err))
			}
			wl.backlogMessages = bl.MessagesFor(mean + float64(pp.Headers.Bytes()) + meanKeyBytes(pp.Keys))
		}
		// The rest of the producer settings, checked before the cluster is
		// contacted.
		if _, err := newKeyChooser(pp.Keys, 0, 1); err != nil {
			return fail(fmt.Errorf("producer: %w", err))
		}
		if _, err := compressionCodec(pp.Compression); err != nil {
			return fail(fmt.Errorf("producer: %w", err))
		}
		if _, err := requiredAcks(pp.Acks); err != nil {
			return fail(fmt.Errorf("producer: %w", err))
		}
		if c := pp.Compressibility; c < 0 || c > 1 {
			return fail(fmt.Errorf("producer: compressibility %g, want 0..1", c))
		}
	}
	if wl.groups > 0 {
		var err error
		if wl.rack, err = resolveRack(wp.Consumers.Rack, getenv); err != nil {
			return fail(err)
		}
	}
	wl.topics = TopicNames(wp, wl.runID)
	wl.groupIDs = make([]string, wl.groups)
	for g := range wl.groupIDs {
		wl.groupIDs[g] = GroupID(wp, wl.runID, g)
	}
	if wp.Verify && wl.groups > 0 { // without consumers there is nothing to verify
		wl.vf = newVerifier(wl.workers+wl.backlogWorkers, wl.groups, nowNs)
		wl.vf.readCommitted = wp.IsolationOrDefault() == plan.ReadCommitted
		wl.vf.transactional = pp.Transactions != nil
		if wl.catchingUp() {
			wl.vf.earlier = newEarlierRuns(wl.groups)
		}
	}
	if wp.Consumers.Churn.Active() && wl.groups > 0 {
		wl.churns = make([]*groupChurn, wl.groups)
		for g := range wl.churns {
			wl.churns[g] = &groupChurn{group: g, workload: w.Name}
		}
	}
	return wl, nil
}

// caughtUp reports whether the workload's consumers read everything its
// producers acknowledged (and did not abort). Call it once the producers
// ended.
func (w *workload) caughtUp() bool {
	all := w.allProducers()
	acked := totalAcked(all) - totalAborted(all)
	if w.vf != nil {
		return w.vf.caughtUp(acked, w.p.Producers.Acks != plan.AcksNone)
	}
	return totalConsumed(w.cons) >= acked*int64(w.groups)
}

// lag returns the acknowledged messages the workload's groups had not read.
func (w *workload) lag() int64 {
	all := w.allProducers()
	return (totalAcked(all)-totalAborted(all))*int64(w.groups) - totalConsumed(w.cons)
}

// offered returns the messages the workload's schedule intended in the
// measured window — from warmup after the start to end after it — for
// this shard's producer workers (the whole schedule in a run of one
// process; 0 at max rate).
func (w *workload) offered(warmup, end time.Duration) int64 {
	if w.rate <= 0 {
		return 0
	}
	return offeredBy(w.rate, w.workers, w.prodLo, w.prodHi, warmup, end)
}

// info is what the step's collector knows of the workload.
func (w *workload) info(offered int64) report.WorkloadInfo {
	return report.WorkloadInfo{Name: w.name, Groups: w.groups, Topics: w.topics, Offered: offered}
}
