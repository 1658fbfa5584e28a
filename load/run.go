// Package load is the mskbench engine: it turns one plan.Plan into a
// report.Step by creating topics, joining consumer groups, driving producer
// workers on an open-model schedule (Pacer), stamping every message value
// (Stamp), verifying delivery, and running the warm-up, measure, drain and
// teardown phases. Run is synchronous and stops with its context; live
// progress is a callback (Options.Progress). It never writes to stdout.
//
// The engine is written once against a small client seam (client.go) with
// two implementations: franz-go (franz*.go, kgo and kadm; the default) and
// segmentio/kafka-go (kafkago*.go). Plan.Client picks one per step.
//
// load imports plan (its input), auth (connections), report (recorders and
// the step it returns) and both Kafka clients. It must not import
// scenarios, sizing, ramp, cmd or a YAML decoder: the engine runs plans,
// whoever built them.
package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/hostcpu"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// Bounds of the engine's own waits (not settings: plan.Defaults holds those).
const (
	// foreignClockMargin is how much older than the step a stamp may be in
	// a distributed run before it counts as foreign: the producing shard's
	// clock may disagree with this one.
	foreignClockMargin = 10 * time.Minute
	// cancelDrain bounds the drain after the context was cancelled: stop
	// load, drain briefly, return what was measured.
	cancelDrain = 2 * time.Second
	// drainPoll is how often the drain phase checks whether consumers caught up.
	drainPoll = 20 * time.Millisecond
	// logEndPoll is how often the drain asks the cluster for the log end
	// offsets while the consumers are short of the highest acknowledged
	// ones (settleLogEnds).
	logEndPoll = 500 * time.Millisecond
	// producerGrace bounds how long producers may still wait for the
	// cluster after the drain phase before their requests are aborted (at
	// most the drain timeout).
	producerGrace = 5 * time.Second
	// teardownTimeout bounds teardown (topic and group deletion); it runs
	// on a context of its own, not derived from the run's (cancelled) one.
	teardownTimeout = 30 * time.Second
	// hurriedTeardown bounds what is left of teardown once Options.Hurry
	// is closed.
	hurriedTeardown = 3 * time.Second
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
	// Getenv reads the environment (consumers.rack: auto-az reads
	// plan.RackEnv); nil means os.Getenv.
	Getenv func(string) string
	// Shard is this process's place in a distributed run: it runs its
	// share of the plan's producer workers and consumers (see Shard), and
	// only shard 0 creates and deletes the step's topics and groups. Its
	// Index (0..math.MaxUint16) is written into every message's stamp
	// (Stamp.Shard) next to the run identity (StampRun of the prefix, RunID
	// and step), which every shard shares. The zero value is a run of one
	// process. A plan with workloads runs in one process only.
	Shard Shard
	// Coordinator connects the step with the other shards; required when
	// Shard.Count > 1 (see Coordinator), ignored otherwise.
	Coordinator Coordinator
	// Hurry, when closed (a second interrupt after the one that cancelled
	// ctx), makes a cancelled Run end sooner: the drain stops at once,
	// producers still waiting for the cluster are aborted without their
	// grace, and teardown gets at most three more seconds. Run still
	// returns the partial step. nil never closes.
	Hurry <-chan struct{}
	// Leftovers, when not nil, lists every topic and consumer group Run
	// creates until its teardown deleted it (see Leftovers): what it holds
	// after Run returned, or at any time from another goroutine, is what
	// the run leaves on the cluster.
	Leftovers *Leftovers
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

// Run runs one step synchronously, in four phases: setup (topics, producer
// and consumer clients, start offsets committed for the groups, consumer
// groups joined and assigned; with phases.backlog the backlog is built
// first and the consumers start after it, see catchup.go), load (warm-up:
// load on, statistics discarded; measure: p.Phases.Duration), drain
// (producers stop and flush, consumers catch up to what was acknowledged,
// bounded by DrainTimeout; then teardown deletes only the consumer groups
// and topics it created — the topics unless Keep —, on its own deadline;
// Options.Leftovers lists what it could not delete) and summary. It returns only after every goroutine
// it started has ended. Fields of p left at an invalid zero take their
// plan.Defaults value (plan.Plan.WithDefaults); the step records the plan
// as run and the effective client settings.
//
// Errors during setup (a plan its client cannot run — see
// plan.Plan.ClientProblems —, unreachable brokers — the error names the
// addresses tried —, topic creation, groups that never become stable) are
// returned with a zero Step. Once load has started, Run always returns the
// step and a nil error: delivery failures are counted in the step. If ctx
// is cancelled after load started, Run stops the producers, drains for at
// most two seconds, tears down and returns the step so far with Partial =
// true and a nil error (Options.Hurry shortens that); if ctx is cancelled
// during setup or the backlog phase it returns ctx's error, after deleting
// what setup created (a CreateTopics request under way is waited for, not
// abandoned). Run is safe to call from several goroutines for different plans.
func Run(ctx context.Context, p plan.Plan, conn *auth.Conn, opts Options) (report.Step, error) {
	s, err := newStep(p, conn, opts)
	if err != nil {
		return report.Step{}, err
	}
	defer s.close()
	if err := s.setup(ctx); err != nil {
		return report.Step{}, err
	}
	if len(s.bprods) > 0 {
		if err := s.buildBacklog(ctx); err != nil {
			return report.Step{}, err
		}
	}
	s.load(ctx)
	s.drain(ctx)
	if s.coord != nil {
		return s.finish(ctx), nil
	}
	s.teardown()
	return s.summary(), nil
}

// step is one run of a plan: what the phases share. Only Run's goroutine
// touches it (workers and clients touch their own parts).
type step struct {
	p     plan.Plan
	conn  *auth.Conn
	opts  Options
	logf  func(string, ...any)
	runID string
	drv   driver

	// wls are the step's workloads (one implicit workload for a plan
	// without them); workers, groups, topics and groupIDs are their
	// totals.
	wls     []*workload
	workers int
	groups  int
	// shard is this process's place in the run (each workload holds its
	// producer and consumer ranges); coord connects it with the others.
	shard Shard
	coord Coordinator
	// cross classifies consumed messages by the shard that produced them
	// (nil for a run of one process).
	cross    *crossShard
	startAt  time.Time // when the schedule starts; zero: as soon as set up
	topics   []string
	groupIDs []string

	// catch follows the backlog of a catch-up step (plan.Plan.CatchUp);
	// stepStartNs is when the step began; consStopNs when the consumers
	// stopped (catch-up steps, catchup.go).
	stepStartNs int64
	consStopNs  int64

	// The backlog phase (phases.backlog): every workload's backlog
	// producers (their ids follow the live ones), and what they built.
	bprods        []*producer
	backlogRan    bool
	builtMessages int64
	buildSeconds  float64

	// Consumer churn (consumers.churn, churn.go): the events caused and
	// the first error; consCtx is the consumers' parent context.
	churnEvents atomic.Int64
	churnErr    atomic.Pointer[error]
	consCtx     context.Context

	start time.Time
	clk   clock
	col   *report.Collector
	vf    *verifier
	adm   adminOps
	// logEnds are the log end offsets the drain's last ask returned and
	// logEndsAt when it asked (settleLogEnds).
	logEnds   map[partKey]int64
	logEndsAt time.Time

	// bstats counts the clients' requests per broker; brokerAddrs are the
	// cluster's brokers (node id → address) from the setup's ping.
	bstats      *brokerStats
	brokerAddrs map[int32]string

	// Cancellation: abort fails every producer request in flight (after the
	// drain's grace); producers and consumers have their own contexts.
	abortCtx      context.Context
	abortRequests context.CancelCauseFunc
	stopProducers context.CancelFunc
	stopConsumers context.CancelFunc

	created []string // topics this step created
	// ownGroups are the consumer groups this step created (its GroupID
	// names, once their offsets were committed or a member started).
	ownGroups []string
	tornDown  bool
	warnings  []string

	prods         []*producer
	cons          []*consumer
	pg, cg        errgroup.Group
	producersDone chan struct{}
	measureFrom   atomic.Int64 // consumers' view of the measure start

	measuring      chan struct{}
	startMeasuring func()
	startNs        int64
	measureStartNs int64
	measureEndNs   int64
	measureStart   time.Time
	measureEnd     time.Time
	cpu            time.Duration // process CPU time of the measured phase
	host           hostcpu.Usage // the host's CPU accounting over the measured phase
	cpuOK          bool
	completed      bool   // neither cut short nor cancelled
	cutIn          string // the phase ctx cancelled
	drained        bool

	lastTick                                  time.Time
	prevSent, prevAcked, prevFailed, prevCons int64
	timer                                     *time.Timer
}

// newStep checks p and prepares everything that needs no cluster: the
// plan with its defaults, the client driver, the message size chooser (once
// for every producer), the offered rate, names, the collector and the
// verifier.
func newStep(p plan.Plan, conn *auth.Conn, opts Options) (*step, error) {
	if conn == nil {
		return nil, errors.New("load: nil connection")
	}
	s := &step{p: p.WithDefaults(), conn: conn, opts: opts, logf: opts.Logf, runID: opts.RunID, shard: opts.Shard}
	if s.p.CatchUp() {
		// The consumers read their backlog from the measure start on.
		s.p.Phases.Warmup = 0
	}
	p = s.p
	if s.shard.Count > 1 {
		if opts.Coordinator == nil {
			return nil, fmt.Errorf("step %d: shard %d of %d without a coordinator", p.Index, s.shard.Index, s.shard.Count)
		}
		if s.shard.Index < 0 || s.shard.Index >= s.shard.Count {
			return nil, fmt.Errorf("step %d: shard %d out of range for %d shards", p.Index, s.shard.Index, s.shard.Count)
		}
		s.coord = opts.Coordinator
	} else {
		s.shard = Shard{Index: 0, Count: 1}
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.runID == "" {
		s.runID = strconv.FormatInt(time.Now().Unix(), 36)
	}
	if s.shard.Index > math.MaxUint16 {
		return nil, fmt.Errorf("step %d: shard %d, want 0..%d", p.Index, s.shard.Index, math.MaxUint16)
	}
	if s.coord != nil {
		if why := ShardUnsupported(p); why != "" {
			return nil, fmt.Errorf("step %d: %s: not supported in a distributed run (%d shards): run it with one shard", p.Index, why, s.shard.Count)
		}
	}
	if probs := p.ClientProblems(); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, pr := range probs {
			msgs[i] = pr.Field + ": " + pr.String()
		}
		return nil, fmt.Errorf("step %d: %s", p.Index, strings.Join(msgs, "; "))
	}
	var err error
	if s.drv, err = driverFor(p.Client); err != nil {
		return nil, fmt.Errorf("step %d: %w", p.Index, err)
	}
	ph := p.Phases
	if ph.Duration.D() <= 0 {
		return nil, fmt.Errorf("step %d: duration %s, want > 0", p.Index, ph.Duration.D())
	}
	if ph.Warmup.D() < 0 {
		return nil, fmt.Errorf("step %d: warmup %s, want >= 0", p.Index, ph.Warmup.D())
	}
	s.start = time.Now()
	s.clk = newClock()
	s.stepStartNs = s.clk.now()
	backlog := 0
	notBefore := s.stepStartNs
	if s.coord != nil {
		// Stamps carry the producing shard's clock: allow for clocks
		// that disagree (the run's topics are its own anyway).
		notBefore -= int64(foreignClockMargin)
	}
	for i, w := range p.WorkloadList() {
		wl, err := newWorkload(p, i, w, s.runID, opts.Getenv, notBefore)
		if err != nil {
			return nil, err
		}
		// This shard's producer workers (global indexes: producer ids) and
		// members of every group; all of them in a run of one process.
		wl.prodLo, wl.prodHi = s.shard.Workers(wl.workers)
		wl.consLo, wl.consHi = s.shard.Split(wl.perGroup)
		s.wls = append(s.wls, wl)
		s.workers += wl.workers
		s.groups += wl.groups
		s.topics = append(s.topics, wl.topics...)
		s.groupIDs = append(s.groupIDs, wl.groupIDs...)
		backlog += wl.backlogWorkers
	}
	if p.Phases.Backlog.Active() && (backlog == 0 || s.groups == 0) {
		return nil, fmt.Errorf("step %d: phases.backlog needs producer workers and consumer groups", p.Index)
	}
	s.col = report.NewCollector(s.groups)
	if s.coord != nil && s.groups > 0 {
		s.cross = &crossShard{index: int32(s.shard.Index), owners: s.shard.owners(s.workers)}
	}
	s.bstats = newBrokerStats(s.clk.now)
	if len(p.Workloads) > 0 {
		infos := make([]report.WorkloadInfo, len(s.wls))
		for i, w := range s.wls {
			infos[i] = w.info(0)
		}
		s.col.SetWorkloads(infos)
	}
	s.measureFrom.Store(math.MaxInt64)
	s.measuring = make(chan struct{})
	s.startMeasuring = sync.OnceFunc(func() { close(s.measuring) })
	s.abortCtx, s.abortRequests = context.WithCancelCause(context.Background())
	s.producersDone = make(chan struct{})
	s.completed = true
	return s, nil
}

// resolveRack returns the client.rack of consumers: rack itself, or for
// plan.RackAutoAZ the value of plan.RackEnv (an error when it is unset).
func resolveRack(rack string, getenv func(string) string) (string, error) {
	if rack != plan.RackAutoAZ {
		return rack, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	v := strings.TrimSpace(getenv(plan.RackEnv))
	if v == "" {
		return "", fmt.Errorf("consumers.rack auto-az: %s is not set; set it to this host's availability-zone id (e.g. use1-az2; on EC2: the instance metadata's placement/availability-zone-id, see docs/clients.md)", plan.RackEnv)
	}
	return v, nil
}

// warnf records a warning of the step and logs it.
func (s *step) warnf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.warnings = append(s.warnings, msg)
	s.logf("warning: %s", msg)
}

// setup reaches the cluster: ping, topics (created or the existing one),
// the producers (built with their clients), the consumer groups (start
// offsets of an existing topic committed first), the consumers started and
// their groups stable.
func (s *step) setup(ctx context.Context) error {
	// The admin client dials on its own budget (auth.Conn.Admin): its
	// connections, teardown's among them, never queue behind the workers'.
	a, err := s.drv.newAdmin(s.conn.Admin())
	if err != nil {
		return err
	}
	dial := s.conn.DialTimeout
	if dial <= 0 {
		dial = plan.DefaultDialTimeout
	}
	s.adm = adminOps{a: a, brokers: s.conn.Brokers, dial: dial}
	if s.brokerAddrs, err = s.adm.ping(ctx); err != nil {
		return err
	}

	for _, w := range s.wls {
		if err := s.setupTopics(ctx, w); err != nil {
			return err
		}
	}
	if s.shard.Index == 0 {
		for _, w := range s.wls {
			if w.groups > 0 {
				// Before any consumer of any shard exists: the groups must
				// still be empty.
				if w.from, err = s.startPositions(ctx, w); err != nil {
					return err
				}
			}
		}
	}
	if s.coord != nil {
		if err := s.coord.TopicsReady(ctx, s.topics); err != nil {
			return err
		}
		for _, w := range s.wls {
			if s.shard.Index > 0 && w.p.Topics.Existing == "" {
				// Shard 0 saw the leaders; wait until this shard's metadata does.
				if err := s.adm.waitLeaders(ctx, w.topics, w.partitions); err != nil {
					return err
				}
			}
		}
	}
	seed := uint64(time.Now().UnixNano())
	for _, w := range s.wls {
		if err := s.setupProducers(w, seed); err != nil {
			return err
		}
	}
	if len(s.bprods) > 0 {
		return nil // the consumers start after the backlog phase
	}
	return s.startConsumers(ctx)
}

// startConsumers builds the consumers, starts them and waits for their
// groups to be stable; for a workload that catches up it first lists the
// end offsets, the end of the backlog, and starts the catch-up clock.
func (s *step) startConsumers(ctx context.Context) error {
	for _, w := range s.wls {
		if w.from != nil {
			targets, err := s.endOffsets(ctx, w)
			if err != nil {
				return err
			}
			w.catch = newCatchUp(w.from, targets)
			s.logf("catch-up read from %s: %d messages of backlog", w.p.Consumers.Start, w.catch.backlog)
		}
	}
	for _, w := range s.wls {
		if err := s.setupConsumers(w); err != nil {
			return err
		}
	}
	consCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopConsumers, s.consCtx = stop, consCtx
	// The catch-up clock starts with the consumers: joining their groups
	// is part of catching up.
	catching := false
	for _, w := range s.wls {
		if w.catch != nil {
			w.catch.resume(s.clk.now())
			catching = true
		}
	}
	if catching {
		s.col.SetBacklogLag(s.backlogLag)
	}
	for _, c := range s.cons {
		s.startConsumer(consCtx, c)
	}
	for _, w := range s.wls {
		if w.groups > 0 {
			s.logf("waiting for %d consumer groups of %d to join", w.groups, w.perGroup)
			if err := s.adm.waitGroups(ctx, w.groupIDs, w.perGroup, min(w.perGroup, w.partitions*len(w.topics))); err != nil {
				return err
			}
		}
	}
	return s.agreeStart(ctx)
}

// setupTopics creates the topics of workload w (shard 0 only), or finds
// its existing topic's partitions.
func (s *step) setupTopics(ctx context.Context, w *workload) error {
	t := w.p.Topics
	w.partitions = t.Partitions
	if t.Existing != "" {
		n, err := s.adm.existingPartitions(ctx, t.Existing)
		if err != nil {
			return err
		}
		w.partitions = n
		s.logf("using existing topic %s (%d partitions)", t.Existing, n)
		return nil
	}
	if s.shard.Index > 0 {
		// Shard 0 (the only shard of a run of one process) owns the
		// topics and groups: it creates them and, at teardown, deletes them.
		return nil
	}
	s.opts.Leftovers.addTopics(w.topics)
	created, err := s.adm.createTopics(ctx, w.topics, t)
	s.created = append(s.created, created...)
	s.opts.Leftovers.removeTopics(without(w.topics, created)) // refused: not ours
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		// Interrupted while the cluster created them: close deletes them.
		return fmt.Errorf("interrupted while creating topics %s: %w", strings.Join(created, ","), context.Cause(ctx))
	}
	s.logf("created topics %s (%d partitions, replication factor %d)",
		strings.Join(created, ","), w.partitions, t.ReplicationFactor)
	return s.adm.waitLeaders(ctx, w.topics, w.partitions)
}

// recorder returns a recorder of workload w's figures.
func (s *step) recorder(w *workload) *report.Recorder {
	if len(s.p.Workloads) > 0 {
		return s.col.NewWorkloadRecorder(w.index)
	}
	return s.col.NewRecorder()
}

// setupProducers builds this shard's producers of workload w with their
// clients: ids are global (unique across the shards, see Shard.Workers).
func (s *step) setupProducers(w *workload, seed uint64) error {
	ph := s.p.Phases
	for i := w.prodLo; i < w.prodHi; i++ {
		pr, err := newProducer(w.p, producerConfig{
			id: i, worker: i, workers: w.workers, rate: w.rate,
			schedule: ph.Warmup.D() + ph.Duration.D(),
			topics:   w.topics, partitions: w.partitions, conn: s.conn, driver: s.drv,
			rec: s.recorder(w), clk: s.clk, seed: seed + uint64(w.index)<<48, sizes: w.sizes, sample: w.sample,
			measuring: s.measuring, verify: w.vf, runID: w.runID, stepIndex: s.p.Index,
			shard: uint16(s.shard.Index), abort: s.abortCtx, brokers: s.bstats,
		})
		if err != nil {
			return fmt.Errorf("step %d: producer: %w", s.p.Index, err)
		}
		w.prods = append(w.prods, pr)
		s.prods = append(s.prods, pr)
	}
	return s.setupBacklogProducers(w, seed)
}

// setupConsumers builds this shard's consumers of workload w (their
// clients start joining from the offsets startPositions committed): its
// members of every group, with consumer indexes global over the step's
// workloads and the shards.
func (s *step) setupConsumers(w *workload) error {
	if w.groups > 0 && w.p.Consumers.GroupID == "" && s.shard.Index == 0 {
		// Only the names GroupID gives this run: teardown deletes them
		// (shard 0's, in a distributed run). A group the scenario names
		// (consumers.group_id) is the user's: kept.
		s.ownGroups = append(s.ownGroups, w.groupIDs...)
		s.opts.Leftovers.addGroups(w.groupIDs)
	}
	base := 0 // consumers of the workloads before w, all shards
	for _, o := range s.wls[:w.index] {
		base += o.groups * o.perGroup
	}
	for g := range w.groupIDs {
		var churn *groupChurn
		if w.churns != nil {
			churn = w.churns[g]
		}
		for j := w.consLo; j < w.consHi; j++ {
			c, err := newConsumer(w.p, consumerConfig{
				index: base + g*w.perGroup + j, group: w.groupIDs[g], groupIndex: g, topics: w.topics,
				conn: s.conn, driver: s.drv, rec: s.recorder(w), clk: s.clk, measureFrom: &s.measureFrom,
				verify: w.vf, rack: w.rack, brokers: s.bstats, run: StampRun(w.p.Topics.Prefix, w.runID, s.p.Index),
				catch: w.catch, stepStartNs: s.stepStartNs, churn: churn, cross: s.cross,
			})
			if err != nil {
				return err
			}
			w.cons = append(w.cons, c)
			s.cons = append(s.cons, c)
		}
	}
	if total := w.partitions * len(w.topics); w.groups > 0 && w.perGroup > total {
		s.warnf("%d consumers per group but only %d partitions: %d consumers per group stay idle",
			w.perGroup, total, w.perGroup-total)
	}
	return nil
}

// soleVerifier returns the verifier of a step with one workload (a
// distributed step has one), nil otherwise or without verification.
func (s *step) soleVerifier() *verifier {
	if len(s.wls) != 1 {
		return nil
	}
	return s.wls[0].vf
}

// agreeStart decides when the schedule starts: at the instant the
// coordinator's barrier agrees on (a distributed run), or as soon as load
// begins.
func (s *step) agreeStart(ctx context.Context) error {
	if s.coord == nil {
		return nil
	}
	st, err := s.coord.Start(ctx)
	if err != nil {
		return err
	}
	s.startAt = st.At
	s.logf("shard %d of %d: step %d starts at %s (the barrier's instant on this clock)", s.shard.Index, s.shard.Count, s.p.Index+1, st.At.UTC().Format(time.RFC3339Nano))
	if s.cross != nil && len(st.Shift) > 0 {
		shift := make([]int64, len(st.Shift))
		for i, d := range st.Shift {
			shift[i] = int64(d)
		}
		s.cross.shift.Store(&shift)
	}
	return nil
}

// close ends what setup started when Run returns early, and the admin
// client: stops consumers and producers, closes clients never run, tears
// down.
func (s *step) close() {
	if s.stopProducers != nil {
		s.stopProducers()
	}
	if s.stopConsumers != nil {
		s.stopConsumers()
		_ = s.cg.Wait()
	} else {
		for _, c := range s.cons {
			c.cl.close()
		}
	}
	if s.stopProducers == nil {
		for _, pr := range s.prods {
			pr.cl.close(s.abortCtx)
		}
	}
	if !s.backlogRan {
		for _, pr := range s.bprods {
			pr.cl.close(s.abortCtx)
		}
	}
	s.startMeasuring()
	s.teardown()
	s.abortRequests(nil)
	if s.adm.a != nil {
		s.adm.a.close()
	}
	if s.timer != nil {
		s.timer.Stop()
	}
}

// load runs the warm-up and measure phases: producers on, one interval at
// a time.
func (s *step) load(ctx context.Context) {
	ph := s.p.Phases
	s.startNs = s.clk.now()
	if !s.startAt.IsZero() {
		s.startNs = s.waitUntil(ctx, s.startAt.UnixNano())
	}
	s.measureStartNs = s.startNs + int64(ph.Warmup.D())
	s.measureEndNs = s.measureStartNs + int64(ph.Duration.D())
	s.measureFrom.Store(s.measureStartNs)
	prodCtx, stop := context.WithCancel(ctx)
	s.stopProducers = stop
	for _, pr := range s.prods {
		s.pg.Go(func() error { return pr.run(prodCtx, s.startNs, s.measureStartNs) })
	}
	go func() {
		_ = s.pg.Wait()
		close(s.producersDone)
	}()
	s.lastTick = s.clk.time(s.startNs)
	s.timer = time.NewTimer(time.Hour)

	if ph.Warmup.D() > 0 {
		s.logf("warm-up for %s", ph.Warmup.D())
		if !s.runPhase(ctx, s.measureStartNs, report.PhaseWarmup) {
			s.completed, s.cutIn = false, report.PhaseWarmup
		}
	}
	s.startMeasuring()
	s.measureStart = s.clk.time(s.measureStartNs)
	cpu0, ok0 := processCPU()
	host0 := hostcpu.Read()
	if s.completed {
		s.logf("measuring for %s", ph.Duration.D())
		stopChurn := s.startChurn(ctx)
		if !s.runPhase(ctx, s.measureEndNs, report.PhaseMeasure) {
			s.completed, s.cutIn = false, report.PhaseMeasure
		}
		stopChurn()
	}
	if !s.completed {
		stop()
		s.measureEndNs = min(s.measureEndNs, s.clk.now())
		s.measureStartNs = min(s.measureStartNs, s.measureEndNs)
		s.measureStart = s.clk.time(s.measureStartNs)
		s.warnf("step cut short during %s: %v", s.cutIn, context.Cause(ctx))
	}
	s.measureEnd = s.clk.time(s.measureEndNs)
	cpu1, ok1 := processCPU()
	s.cpu, s.cpuOK = cpu1-cpu0, ok0 && ok1
	s.host = hostcpu.Between(host0, hostcpu.Read())
}

// tick collects the interval that ends at end and shows it.
func (s *step) tick(end time.Time, phase string) {
	iv := s.col.Tick(s.lastTick, end, phase)
	s.bstats.sample(s.lastTick, end, phase)
	// Warm-up records are filtered out before they reach the collector;
	// show the live counts anyway so progress does not look stalled.
	sent, acked, failed, consumed := totalSent(s.prods), totalAcked(s.prods), totalFailed(s.prods), totalConsumed(s.cons)
	if phase == report.PhaseWarmup {
		iv.Sent, iv.Acked, iv.Failed, iv.Consumed = sent-s.prevSent, acked-s.prevAcked, failed-s.prevFailed, consumed-s.prevCons
		if secs := end.Sub(s.lastTick).Seconds(); secs > 0 {
			iv.MsgsPerSec = float64(iv.Acked) / secs
			iv.ConsumedMsgsPerSec = float64(iv.Consumed) / secs
		}
	}
	s.prevSent, s.prevAcked, s.prevFailed, s.prevCons = sent, acked, failed, consumed
	s.lastTick = end
	if s.opts.Progress != nil {
		s.opts.Progress(iv)
	}
}

// waitUntil waits until the step's clock reaches atNs (unix ns) and
// returns atNs, or returns the current time at once when ctx is cancelled.
func (s *step) waitUntil(ctx context.Context, atNs int64) int64 {
	d := time.Duration(atNs - s.clk.now())
	if d <= 0 {
		return atNs
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return s.clk.now()
	case <-t.C:
		return atNs
	}
}

// runPhase ticks every interval until untilNs, or returns false at once
// when ctx is cancelled. The intervals end on the schedule's instants —
// start + k·interval, and the end of the phase — not when the timer
// fired, so that every shard of a distributed run (and every run aligned
// to the wall clock) ends interval k at the same instant.
func (s *step) runPhase(ctx context.Context, untilNs int64, phase string) bool {
	interval := s.p.Phases.ReportInterval.D()
	for {
		end := s.lastTick.Add(interval)
		if until := s.clk.time(untilNs); !end.Before(until) {
			end = until
		}
		now := s.clk.time(s.clk.now())
		if !now.Before(end) {
			s.tick(end, phase)
			if end.UnixNano() >= untilNs {
				return true
			}
			continue
		}
		s.timer.Reset(end.Sub(now))
		select {
		case <-ctx.Done():
			s.tick(s.clk.time(s.clk.now()), phase)
			return false
		case <-s.timer.C:
		}
	}
}

// caughtUp reports whether the producers have ended and the consumers read
// everything acknowledged (and not aborted).
func (s *step) caughtUp() bool {
	select {
	case <-s.producersDone:
	default:
		return false
	}
	if s.coord != nil {
		st := DrainState{ProducersDone: true, Groups: s.groups, Acked: totalAcked(s.prods) - totalAborted(s.prods), Consumed: totalConsumed(s.cons)}
		if vf := s.soleVerifier(); vf != nil {
			st.Unique = vf.uniques()
		}
		return s.coord.Drained(st)
	}
	for _, w := range s.wls {
		if !w.caughtUp() {
			return false
		}
	}
	return true
}

// settleLogEnds asks the cluster, once the producers are done and at most
// every logEndPoll, for the log end offsets of the topics of every verified
// acks=all workload, and hands the verifier those below the highest
// acknowledged offset that did not move since the ask before
// (verifier.settledLogEnds): the drain then ends at the end of the log. The
// ask is bounded by the drain's deadline; a failed one waits for the next.
func (s *step) settleLogEnds(ctx context.Context, deadline time.Time) {
	if s.coord != nil || time.Since(s.logEndsAt) < logEndPoll {
		return
	}
	select {
	case <-s.producersDone:
	default:
		return
	}
	s.logEndsAt = time.Now()
	actx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if s.logEnds == nil {
		s.logEnds = make(map[partKey]int64)
	}
	for _, w := range s.wls {
		if w.vf == nil || w.p.Producers.Acks != plan.AcksAll {
			continue
		}
		acked := w.vf.ackedEnds()
		settled := make(map[partKey]int64)
		for _, topic := range w.topics {
			offs, err := s.adm.offsets(actx, topic, w.partitions, offsetEnd)
			if err != nil {
				continue
			}
			for p, end := range offs {
				k := partKey{topic, int(p)}
				if prev, ok := s.logEnds[k]; ok && prev == end && end < acked[k] {
					settled[k] = end
				}
				s.logEnds[k] = end
			}
		}
		if len(settled) > 0 {
			w.vf.settledLogEnds(settled)
		}
	}
}

// drain stops the producers (they flush and close) and waits for the
// consumers to catch up, bounded by the drain timeout (two seconds once
// ctx is cancelled); then producers still waiting are aborted after a
// grace and the consumers stop.
func (s *step) drain(ctx context.Context) {
	interval := s.p.Phases.ReportInterval.D()
	dt := s.p.Phases.DrainTimeout.D()
	if !s.completed {
		dt = min(dt, cancelDrain)
	}
	s.logf("draining (at most %s)", dt)
	deadline := time.Now().Add(dt)
	ctxDone := ctx.Done()
	var hurry <-chan struct{}
	for !s.drained {
		if s.caughtUp() && s.backlogLag() == 0 {
			s.drained = true
			break
		}
		now := time.Now()
		if !now.Before(deadline) {
			break
		}
		s.settleLogEnds(ctx, deadline)
		if next := s.lastTick.Add(interval); !now.Before(next) {
			s.tick(next, report.PhaseDrain)
		}
		s.timer.Reset(min(drainPoll, deadline.Sub(now)))
		if !s.completed && hurry == nil {
			hurry = s.opts.Hurry
		}
		select {
		case <-s.timer.C:
		case <-ctxDone:
			// Cancelled while draining: stop waiting soon, keep what we have.
			ctxDone = nil
			s.stopProducers()
			if s.completed {
				s.completed = false
				s.warnf("drain cut short: %v", context.Cause(ctx))
			}
			deadline = minTime(deadline, time.Now().Add(cancelDrain))
		case <-hurry:
			deadline = time.Now()
		}
	}
	s.stopProducers()
	grace := min(producerGrace, s.p.Phases.DrainTimeout.D())
	gt := time.NewTimer(grace)
	defer gt.Stop()
	var hurryGrace <-chan struct{}
	if !s.completed {
		hurryGrace = s.opts.Hurry
	}
	select {
	case <-s.producersDone:
	case <-gt.C:
		s.warnf("producers still waiting for the cluster %s after the drain phase: requests aborted", grace)
		s.abortRequests(errors.New("aborted after the drain phase"))
		<-s.producersDone
	case <-hurryGrace:
		select {
		case <-s.producersDone:
		default:
			s.warnf("hurried: producers still waiting for the cluster aborted")
			s.abortRequests(errors.New("aborted: hurried by a second interrupt"))
			<-s.producersDone
		}
	}
	s.stopConsumers()
	_ = s.cg.Wait()
	s.consStopNs = s.clk.now()
	s.tick(time.Now(), report.PhaseDrain)
	if !s.drained {
		var lag int64
		for _, w := range s.wls {
			lag += max(w.lag(), 0)
		}
		if s.coord != nil {
			s.warnf("drain timed out after %s: the consumers of all shards had not read everything the producers of all shards acknowledged", dt)
		} else if bl := s.backlogLag(); bl > 0 {
			s.warnf("drain timed out after %s: consumers had not read %d messages of the backlog", dt, bl)
		} else if lag > 0 {
			s.warnf("drain timed out after %s: consumers had not read %d acknowledged messages", dt, lag)
		} else {
			s.warnf("drain timed out after %s waiting for producers to flush", dt)
		}
	}
	if n := totalForeign(s.cons); n > 0 {
		s.warnf("consumers skipped %d messages without an mskbench stamp (other producers on the topic)", n)
	}
}

// finish ends a step of a distributed run: it hands this shard's step and
// verification state to the coordinator (shard 0 gets back the step merged
// from every shard's, once all of them stopped using the step's topics and
// groups or were lost), then tears down (only shard 0 deletes anything).
// Teardown warnings are added to the step returned.
func (s *step) finish(ctx context.Context) report.Step {
	st := s.summary()
	var v *VerifyState
	if vf := s.soleVerifier(); vf != nil {
		v = vf.state()
	}
	merged, err := s.coord.Finish(ctx, st, v)
	if err != nil {
		s.warnf("shards: %v", err)
		merged = st
		merged.Partial = true
		merged.Warnings = slices.Clone(s.warnings)
	}
	n := len(s.warnings)
	s.teardown()
	merged.Warnings = append(merged.Warnings, s.warnings[n:]...)
	return merged
}

// teardown deletes the consumer groups the step created and the topics it
// created (unless Keep), once, on a context of its own (teardownTimeout,
// not derived from the run's context: a cancelled run still cleans up;
// shortened to hurriedTeardown when Options.Hurry closes). It runs after
// the consumers stopped (left their groups); in a distributed run only
// shard 0 created anything, and tears down after every shard stopped
// using the step's topics and groups (see finish). What it could not
// delete stays in Options.Leftovers and is named in a warning.
func (s *step) teardown() {
	if s.tornDown || s.adm.a == nil {
		return
	}
	s.tornDown = true
	if len(s.created) == 0 && len(s.ownGroups) == 0 {
		return
	}
	ctx, cancel := s.teardownContext()
	defer cancel()
	if len(s.ownGroups) > 0 {
		if err := s.adm.deleteGroups(ctx, s.ownGroups); err != nil {
			s.warnf("teardown: %v; left on the cluster: consumer groups %s", err, strings.Join(s.ownGroups, ","))
		} else {
			s.opts.Leftovers.removeGroups(s.ownGroups)
			s.logf("deleted consumer groups %s", strings.Join(s.ownGroups, ","))
		}
	}
	if len(s.created) == 0 {
		return
	}
	if s.p.Topics.Keep {
		s.opts.Leftovers.removeTopics(s.created)
		s.logf("keeping topics %s", strings.Join(s.created, ","))
		return
	}
	if err := s.adm.deleteTopics(ctx, s.created); err != nil {
		s.warnf("teardown: %v; left on the cluster: topics %s", err, strings.Join(s.created, ","))
		return
	}
	s.opts.Leftovers.removeTopics(s.created)
	s.logf("deleted topics %s", strings.Join(s.created, ","))
}

// teardownContext returns the context of teardown: teardownTimeout from
// now, or hurriedTeardown from when Options.Hurry closes if that is sooner.
func (s *step) teardownContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	if s.opts.Hurry == nil {
		return ctx, cancel
	}
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-s.opts.Hurry:
			t := time.NewTimer(hurriedTeardown)
			defer t.Stop()
			select {
			case <-t.C:
				cancel()
			case <-done:
			}
		case <-done:
		}
	}()
	// Cancelling ends the watcher too: Run leaves no goroutine behind.
	return ctx, func() { close(done); <-ended; cancel() }
}

// summary builds the step's result from the collector and the workers.
func (s *step) summary() report.Step {
	p := s.p
	var verification *report.Verification
	var offered int64
	infos := make([]report.WorkloadInfo, len(s.wls))
	for i, w := range s.wls {
		if w.vf != nil && w.groups > 0 && s.coord == nil {
			// (A distributed run verifies the merged states of all shards.)
			verification = report.AddVerification(verification, verifyReport(w.vf, s.drained, s.warnf))
		}
		// This shard's workers' share of the merged schedule (all of it in
		// a run of one process).
		o := w.offered(p.Phases.Warmup.D(), time.Duration(s.measureEndNs-s.startNs))
		offered += o
		infos[i] = w.info(o)
	}
	if len(p.Workloads) > 0 {
		s.col.SetWorkloads(infos)
	}
	unsent, unsentReason := s.unsent()
	var gen *report.Generator
	if len(s.prods) > 0 && s.cpuOK {
		gen = generatorLoad(s.prods, s.cpu, s.measureEnd.Sub(s.measureStart), runtime.GOMAXPROCS(0), s.host)
		// A step with nothing acknowledged failed (report.Step.Failure):
		// the cluster refused every message, whatever the generator did.
		gen.Bottleneck = gen.Bottleneck && totalAcked(s.prods) > 0
		if gen.Bottleneck {
			note := ""
			if s.opts.Embedded {
				note = " (embedded: the CPU time includes the in-process cluster)"
			}
			s.warnf("the load generator was the bottleneck: %d messages sent more than %s late with in-flight "+
				"capacity free, process CPU at %.0f%% of %d CPUs; latencies include the tool's own limit, not only "+
				"the cluster's: %s%s",
				gen.LateGenerator, report.BehindScheduleThreshold, 100*gen.CPUUtilization, runtime.GOMAXPROCS(0), report.CauseAdvice(*gen), note)
		}
	}
	planJSON, err := json.Marshal(p)
	if err != nil {
		s.warnf("encode plan: %v", err)
		planJSON = nil
	}
	catchUp, churn := s.catchUpResult(), s.churnResult()
	st := s.col.Step(report.StepInfo{
		Index:         p.Index,
		Label:         p.Label,
		Params:        p.Params,
		Plan:          planJSON,
		Topics:        s.topics,
		Start:         s.start,
		MeasureStart:  s.measureStart,
		MeasureEnd:    s.measureEnd,
		End:           time.Now(),
		Partial:       !s.completed,
		Warnings:      s.warnings,
		Offered:       offered,
		Embedded:      s.opts.Embedded,
		Verification:  verification,
		Client:        s.clientSettings(s.wls),
		Transactional: s.transactional(),
		CatchUp:       catchUp,
		Churn:         churn,

		BehindScheduleSeconds: behindSeconds(s.prods, s.measureEndNs),
		Unsent:                unsent,
		UnsentReason:          unsentReason,
		ResponseErrors:        responseErrors(s.allProducers(), s.cons),
		Generator:             gen,
	})
	if s.coord != nil {
		// This shard's own placement, for the merged step's per-shard figures.
		w := s.wls[0] // a distributed step has one workload
		st.Shards = []report.ShardFigures{{Index: s.shard.Index, ProducerIDsFrom: w.prodLo, ProducerIDsTo: w.prodHi,
			ConsumersPerGroup: w.consHi - w.consLo, MeasureStart: s.measureStart}}
	}
	if len(p.Workloads) > 0 {
		for i := range st.Workloads {
			if i < len(s.wls) {
				st.Workloads[i].Client = s.clientSettings(s.wls[i : i+1])
			}
		}
	}
	st.PartitionSpread = partitionSpread(s.allProducers())
	st.Compression = compression(s.allProducers())
	st.BrokerClient = s.bstats.series(invert(s.brokerAddrs))
	if sl, median, ok := report.SlowestBroker(report.BrokerClientTotals(&st, report.PhaseMeasure)); ok && sl.ProduceServiceTimeMeanMs > 2*median {
		s.logf("broker %d (%s) answered produce requests in %.1f ms on average, the median broker in %.1f ms",
			sl.ID, sl.Host, sl.ProduceServiceTimeMeanMs, median)
	}
	if c := st.Counters; c.Unsent > 0 {
		// The summary says it too (from the counters), not as a warning.
		s.logf("warning: %s", report.UnsentLine(c))
	}
	if n := st.Errors[labelUnacknowledged]; n > 0 {
		msg := fmt.Sprintf("%d messages were still unacknowledged when the drain ended: counted as failed (%q); "+
			"publish latency covers only the acknowledged ones", n, labelUnacknowledged)
		st.Warnings = append(st.Warnings, msg)
		s.logf("warning: %s", msg)
	}
	if f := st.Failure(); f != "" {
		s.logf("error: step failed: %s", f)
	}
	if st.Throttled() {
		s.logf("warning: brokers throttled %d responses for %d ms: the step measured a quota", st.Throttle.Responses, st.Throttle.TotalMs)
	}
	return st
}

// unsent returns how many messages the schedule offered in the measured
// window that no producer handed to its client, and why (see
// report.Counters.Unsent). Call it after the producers ended.
func (s *step) unsent() (int64, string) {
	from := s.startNs + int64(s.p.Phases.Warmup.D()) // the producers' measure start
	n := total(s.prods, func(p *producer) int64 { return p.unsent(s.startNs, from, s.measureEndNs) })
	switch {
	case n == 0:
		return 0, ""
	case s.cutIn != "":
		return n, "the step was cut short during " + s.cutIn + " before they were sent"
	default:
		return n, "the schedule ended while the producers were behind it (the in-flight bound full, or the generator too slow): " +
			"the backlog is not sent in the drain phase"
	}
}

// transactional reports whether a workload's producers are transactional.
func (s *step) transactional() bool {
	for _, w := range s.wls {
		if w.p.Producers.Transactions != nil {
			return true
		}
	}
	return false
}

// clientSettings returns the effective client settings of the workloads
// wls (every workload of the step: the step's; one: that workload's): the
// first producer's settings with every producer's client id (and
// transactional id), and the consumer settings of the first workload with
// consumers with the client ids of all of theirs.
func (s *step) clientSettings(wls []*workload) *report.ClientSettings {
	p := s.p
	if len(wls) == 1 {
		p = wls[0].p
	}
	rack := ""
	var cons []*consumer
	for _, w := range wls {
		if len(w.cons) > 0 && cons == nil {
			p, rack = w.p, w.rack
		}
		cons = append(cons, w.cons...)
	}
	cs := &report.ClientSettings{Name: p.Client.String()}
	var prods []*producer
	for _, w := range wls {
		prods = append(prods, w.prods...)
	}
	if len(prods) > 0 {
		ps := prods[0].cl.settings()
		if t := ps.Transactions; t != nil {
			c := *t
			c.TransactionalIDs = nil
			ps.Transactions = &c
		}
		for _, w := range wls {
			for _, pr := range w.prods {
				ps.ClientIDs = append(ps.ClientIDs, w.p.Producers.ClientID+"-"+strconv.Itoa(pr.id))
				if t := pr.cl.settings().Transactions; t != nil && ps.Transactions != nil {
					ps.Transactions.TransactionalIDs = append(ps.Transactions.TransactionalIDs, t.TransactionalIDs...)
				}
			}
		}
		cs.Producer = &ps
	}
	if len(cons) > 0 {
		c := p.Consumers
		start := c.Start.String() + " (committed for the groups at setup)"
		switch {
		case c.Start.ModeOrDefault() == plan.StartCommitted:
			start = "committed (the groups' own offsets; the log start where none)"
		case p.Topics.Existing == "" && (c.Start.ModeOrDefault() == plan.StartLatest || c.Start.ModeOrDefault() == plan.StartEarliest):
			start = c.Start.String() + " (created topics: from the log start)"
		}
		ids := make([]string, len(cons))
		for i, cn := range cons {
			ids[i] = cn.clientID
		}
		cs.Consumer = &report.ConsumerSettings{
			ClientIDs: ids, Isolation: p.IsolationOrDefault().String(), Rack: rack,
			FetchMinBytes: int64(c.FetchMinBytes), FetchMaxBytes: int64(c.FetchMaxBytes),
			MaxWaitMs: ms(c.MaxWait.D()), CommitIntervalMs: ms(c.CommitInterval.D()), StartOffset: start,
		}
	}
	return cs
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
func totalAborted(ps []*producer) int64 {
	return total(ps, func(p *producer) int64 { return p.aborted.Load() })
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
		warnf("verify: delivery problems: lost %d, duplicated %d, out of order %d, corrupted %d, aborted seen %d",
			v.Lost, v.Duplicated, v.OutOfOrder, v.Corrupted, v.AbortedSeen)
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
		all = append(all, &p.errs)
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
// above report.GeneratorSaturated. host, the host's CPU accounting over the
// same phase, tells the cause (report.GeneratorCause).
func generatorLoad(ps []*producer, cpu, wall time.Duration, procs int, host hostcpu.Usage) *report.Generator {
	g := &report.Generator{CPUSeconds: cpu.Seconds()}
	if host.OK {
		g.Host = &report.HostCPU{CPUs: host.CPUs, Busy: host.Busy, Process: host.Process, Other: host.Other, Steal: host.Steal}
	}
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
	g.Cause = report.GeneratorCause(*g)
	return g
}

// without returns the names of all that are not in some.
func without(all, some []string) []string {
	var out []string
	for _, n := range all {
		if !slices.Contains(some, n) {
			out = append(out, n)
		}
	}
	return out
}

// invert returns m's values → keys.
func invert[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
