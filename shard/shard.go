// Package shard coordinates the processes of one distributed run
// (`mskbench run --shards N`) over a control topic on the cluster under
// test, and nothing else: no shared file system, no other service. It
// implements load.Coordinator for every step and merges the shards' step
// data into one exact step on shard 0.
//
// The control topic, Prefix + run id + "-control" (one partition, created
// by shard 0 with message.timestamp.type=LogAppendTime and deleted by it at
// the end), carries JSON messages keyed by the sender's shard index; every
// shard reads it from the start. The protocol, in order:
//
//	ping     every shard, a few times: its clock offset against the cluster
//	         is estimated from the broker timestamp of each ping it reads back
//	clock    every shard: its offset estimate and bound (it has joined)
//	joined   shard 0, once every shard sent clock: the barrier is passed;
//	         carries every shard's offset
//	abort    shard 0 (or a shard that fails): the run ends; names the shards
//	         that never arrived or were lost
//	beat     every shard, every LostAfter/10: it is alive
//	topics   shard 0, per step: the step's topics exist
//	ready    every shard, per step: set up (clients built, groups stable)
//	start    shard 0, per step, once every shard is ready: the instant the
//	         step's schedule starts, on the cluster's clock
//	drain    every shard, per step, while draining: its DrainState
//	result   every shard but 0, per step: its step data (report.Step, its
//	         load.VerifyState, whether it drained), in chunks
//
// A shard that sends nothing for LostAfter is lost: shard 0 merges without
// it, marks the step partial and names it.
//
// shard imports load (the Coordinator it implements and the types it
// carries), report, auth and franz-go; not scenarios, sizing, ramp or cmd.
package shard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/load"
)

// Defaults of Config.
const (
	// DefaultLostAfter is how long a shard may send nothing before the
	// others count it lost: ten heartbeats.
	DefaultLostAfter = 10 * time.Second
	// pings is how many clock samples every shard takes at the barrier.
	pings = 5
	// minLead is the least time between shard 0 announcing a step's start
	// and the start itself (every shard must read it first).
	minLead = 500 * time.Millisecond
	// chunkSize bounds one result message (below the 1 MiB default of
	// max.message.bytes).
	chunkSize = 512 << 10
	// WarnClockBound is the clock offset bound above which cross-shard
	// end-to-end latency gets a warning.
	WarnClockBound = time.Millisecond
)

// Config describes this process's place in a distributed run.
type Config struct {
	Conn  *auth.Conn
	RunID string
	// Prefix starts the control topic's name (the plans' topic prefix,
	// "mskbench-" by default, so that cleanup and IAM policies cover it).
	Prefix string
	Index  int // this shard, 0..Count-1
	Count  int // shards in the run, >= 2
	// BarrierTimeout bounds the wait for every shard at the start.
	BarrierTimeout time.Duration
	// LostAfter: a shard silent this long is lost (0: DefaultLostAfter).
	LostAfter time.Duration
	Logf      func(string, ...any)
	// Leftovers, when not nil, lists the control topic while shard 0 has
	// it on the cluster (created, not yet deleted): see load.Leftovers.
	Leftovers *load.Leftovers
}

// ControlTopic returns the name of the control topic of a run.
func ControlTopic(prefix, runID string) string { return prefix + runID + "-control" }

// message is one message on the control topic.
type message struct {
	Kind  string `json:"kind"`
	Shard int    `json:"shard"`
	Step  int    `json:"step,omitempty"`
	Host  string `json:"host,omitempty"`
	// clock: this shard's offset (cluster − local) and bound, ns.
	OffsetNs int64 `json:"offset_ns,omitempty"`
	BoundNs  int64 `json:"bound_ns,omitempty"`
	// joined: every shard's offset, ns, by index.
	Offsets []int64 `json:"offsets,omitempty"`
	// abort: why, and the shards missing.
	Reason  string `json:"reason,omitempty"`
	Missing []int  `json:"missing,omitempty"`
	// start: the step's start, unix ns on the cluster's clock.
	AtNs int64 `json:"at_ns,omitempty"`
	// drain: the sender's drain state.
	Drain *drainState `json:"drain,omitempty"`
	// result: chunk Chunk of Chunks of the sender's step data.
	Chunk  int    `json:"chunk,omitempty"`
	Chunks int    `json:"chunks,omitempty"`
	Data   []byte `json:"data,omitempty"`
}

// peer is what this process knows about one shard from the control topic.
type peer struct {
	host      string
	lastSeen  time.Time // local receive time of its last message
	seen      bool
	clock     bool // sent its clock message
	offsetNs  int64
	boundNs   int64
	topics    map[int]bool // shard 0: steps whose topics exist
	ready     map[int]bool
	start     map[int]int64 // shard 0: step → start, cluster ns
	drain     map[int]*drainState
	chunks    map[int][][]byte // step → chunks of its result
	pingTimes map[int64]int64  // offset of its ping → broker timestamp, unix ns
}

// Run is this process's connection to the other shards of a run. Create
// it with Join; Close it at the end of the run.
type Run struct {
	cfg     Config
	topic   string
	cl      *kgo.Client
	adm     *kadm.Client
	host    string
	created bool // this process created the control topic

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every message
	peers   []*peer
	joined  bool
	abort   *message
	readErr error

	offsetNs, boundNs int64   // this shard's clock estimate
	offsets           []int64 // every shard's, from joined
	bounds            []int64

	steps    int // steps begun
	stop     context.CancelFunc
	bg       sync.WaitGroup // read and beat
	clClosed bool
	warnings []string
}

// Join connects to the run: shard 0 creates the control topic, the others
// wait for it; every shard estimates its clock offset and announces
// itself; shard 0 announces that all have joined. It returns when every
// shard has, or after cfg.BarrierTimeout with an error naming the shards
// that never arrived (shard 0 then tells the others and deletes the
// control topic: nothing of the run is left on the cluster).
func Join(ctx context.Context, cfg Config) (*Run, error) {
	if cfg.Count < 2 || cfg.Index < 0 || cfg.Index >= cfg.Count {
		return nil, fmt.Errorf("shard: shard %d of %d: want 0 <= shard < shards, shards >= 2", cfg.Index, cfg.Count)
	}
	if cfg.LostAfter <= 0 {
		cfg.LostAfter = DefaultLostAfter
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	r := &Run{cfg: cfg, topic: ControlTopic(cfg.Prefix, cfg.RunID), changed: make(chan struct{})}
	r.host, _ = os.Hostname()
	r.peers = make([]*peer, cfg.Count)
	for i := range r.peers {
		r.peers[i] = &peer{topics: map[int]bool{}, ready: map[int]bool{}, start: map[int]int64{},
			drain: map[int]*drainState{}, chunks: map[int][][]byte{}, pingTimes: map[int64]int64{}}
	}
	deadline := time.Now().Add(cfg.BarrierTimeout)
	bctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	// Fresh metadata while waiting for the control topic (the client's
	// default caches it for 5 s).
	admCl, err := kgo.NewClient(append(cfg.Conn.KgoOpts(), kgo.MetadataMinAge(50*time.Millisecond))...)
	if err != nil {
		return nil, fmt.Errorf("shard: %w", err)
	}
	r.adm = kadm.NewClient(admCl)
	fail := func(err error) (*Run, error) {
		r.Close()
		return nil, err
	}
	if cfg.Index == 0 {
		if err := r.createTopic(bctx); err != nil {
			return fail(err)
		}
	} else if err := r.waitTopic(bctx); err != nil {
		return fail(err)
	}
	r.cl, err = kgo.NewClient(append(cfg.Conn.KgoOpts(),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{r.topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.DefaultProduceTopic(r.topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DisableIdempotentWrite(),
		kgo.ProducerLinger(0), kgo.FetchMaxWait(250*time.Millisecond),
	)...)
	if err != nil {
		return fail(fmt.Errorf("shard: %w", err))
	}
	rctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	r.bg.Add(2)
	go r.read(rctx)
	go r.beat(rctx)
	cfg.Logf("shard %d of %d: joining run %s on %s", cfg.Index, cfg.Count, cfg.RunID, r.topic)

	if err := r.estimateClock(bctx); err != nil {
		return fail(r.barrierError(ctx, err))
	}
	if err := r.send(bctx, message{Kind: "clock", OffsetNs: r.offsetNs, BoundNs: r.boundNs}); err != nil {
		return fail(r.barrierError(ctx, err))
	}
	cfg.Logf("shard %d of %d: joined the barrier (clock offset %s ± %s against the cluster)",
		cfg.Index, cfg.Count, time.Duration(r.offsetNs), time.Duration(r.boundNs))
	if cfg.Index == 0 {
		err = r.wait(bctx, func() bool {
			for _, p := range r.peers {
				if !p.clock {
					return false
				}
			}
			return true
		})
		if err == nil {
			r.mu.Lock()
			offs := make([]int64, len(r.peers))
			for i, p := range r.peers {
				offs[i] = p.offsetNs
			}
			r.mu.Unlock()
			err = r.send(bctx, message{Kind: "joined", Offsets: offs})
		}
	} else {
		err = r.wait(bctx, func() bool { return r.joined })
	}
	if err != nil {
		return fail(r.barrierError(ctx, err))
	}
	r.mu.Lock()
	r.offsets = make([]int64, len(r.peers))
	r.bounds = make([]int64, len(r.peers))
	for i, p := range r.peers {
		r.offsets[i], r.bounds[i] = p.offsetNs, p.boundNs
		if time.Duration(p.boundNs) > WarnClockBound {
			r.warnings = append(r.warnings, fmt.Sprintf("shard %d: clock offset bound %s exceeds %s: cross-shard end-to-end latency (end_to_end_cross) is uncertain by that much",
				i, time.Duration(p.boundNs).Round(time.Microsecond), WarnClockBound))
		}
	}
	r.mu.Unlock()
	cfg.Logf("shard %d of %d: all %d shards joined", cfg.Index, cfg.Count, cfg.Count)
	return r, nil
}

// barrierError turns a failed wait at the barrier into the run's error,
// naming the shards missing; shard 0 tells the others.
func (r *Run) barrierError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.mu.Lock()
	ab := r.abort
	var missing []int
	for i, p := range r.peers {
		if !p.clock {
			missing = append(missing, i)
		}
	}
	r.mu.Unlock()
	if ab != nil {
		return fmt.Errorf("shard %d: shard %d ended the run: %s", r.cfg.Index, ab.Shard, ab.Reason)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shard %d: barrier: %w", r.cfg.Index, err)
	}
	reason := fmt.Sprintf("shards %s never arrived within the barrier timeout of %s", list(missing), r.cfg.BarrierTimeout)
	if len(missing) == 1 {
		reason = fmt.Sprintf("shard %d never arrived within the barrier timeout of %s", missing[0], r.cfg.BarrierTimeout)
	}
	if r.cfg.Index == 0 && r.cl != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = r.send(sctx, message{Kind: "abort", Reason: reason, Missing: missing})
		cancel()
	}
	return errors.New(reason)
}

// list formats shard indexes: "1, 3".
func list(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// createTopic creates the control topic (shard 0).
func (r *Run) createTopic(ctx context.Context) error {
	bm, err := r.adm.BrokerMetadata(ctx)
	if err != nil {
		return fmt.Errorf("shard: control topic: %w", err)
	}
	rf := int16(min(3, max(len(bm.Brokers), 1)))
	lat, ret := "LogAppendTime", "86400000"
	r.cfg.Leftovers.AddTopic(r.topic)
	resp, err := r.adm.CreateTopic(ctx, 1, rf, map[string]*string{"message.timestamp.type": &lat, "retention.ms": &ret}, r.topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		r.cfg.Leftovers.RemoveTopic(r.topic) // not created (or not ours)
		return fmt.Errorf("shard: create control topic %s: %w", r.topic, err)
	}
	r.created = true
	return r.waitTopic(ctx)
}

// waitTopic waits until the control topic has a leader.
func (r *Run) waitTopic(ctx context.Context) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		// All topics: asking for one that does not exist yet makes the
		// client retry for seconds.
		tds, err := r.adm.ListTopics(ctx)
		if err == nil {
			if td, ok := tds[r.topic]; ok && td.Err == nil && len(td.Partitions) > 0 && td.Partitions[0].Leader >= 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if r.cfg.Index != 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("shard 0 never arrived within the barrier timeout of %s (control topic %s was never created)", r.cfg.BarrierTimeout, r.topic)
			}
			return ctx.Err()
		case <-t.C:
		}
	}
}

// estimateClock sends pings and estimates this shard's clock offset
// against the cluster from the broker timestamps they carry when read back
// (see clockOffset).
func (r *Run) estimateClock(ctx context.Context) error {
	var samples []clockSample
	for range pings {
		t0 := time.Now().UnixNano()
		rec, err := r.produce(ctx, message{Kind: "ping"})
		if err != nil {
			return err
		}
		t1 := time.Now().UnixNano()
		var ts int64
		p := r.peers[r.cfg.Index]
		if err := r.wait(ctx, func() bool {
			v, ok := p.pingTimes[rec.Offset]
			ts = v
			return ok
		}); err != nil {
			return err
		}
		samples = append(samples, clockSample{sentNs: t0, ackedNs: t1, brokerNs: ts})
	}
	r.offsetNs, r.boundNs = clockOffset(samples)
	return nil
}

// clockSample is one ping: sent at local sentNs, acknowledged at local
// ackedNs, stamped brokerNs by the broker (whole milliseconds).
type clockSample struct{ sentNs, ackedNs, brokerNs int64 }

// clockOffset estimates the offset o = cluster − local clock and its bound
// from pings: the broker stamped a ping at some instant between its send
// and its acknowledgement, truncated to the millisecond, so each ping
// bounds o to [T − t1, T + 1 ms − t0]. The estimate is the middle of the
// intersection of every ping's interval and the bound its half-width (the
// narrowest single interval when they do not intersect: a clock stepped
// between pings).
func clockOffset(samples []clockSample) (offsetNs, boundNs int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	bestLo, bestHi := lo, hi
	for _, s := range samples {
		l, h := s.brokerNs-s.ackedNs, s.brokerNs+int64(time.Millisecond)-s.sentNs
		lo, hi = max(lo, l), min(hi, h)
		if bestHi == math.MaxInt64 || h-l < bestHi-bestLo {
			bestLo, bestHi = l, h
		}
	}
	if len(samples) == 0 {
		return 0, 0
	}
	if lo > hi {
		lo, hi = bestLo, bestHi
	}
	return lo + (hi-lo)/2, (hi - lo + 1) / 2
}

// send produces m from this shard and waits for its acknowledgement.
func (r *Run) send(ctx context.Context, m message) error {
	_, err := r.produce(ctx, m)
	return err
}

func (r *Run) produce(ctx context.Context, m message) (*kgo.Record, error) {
	m.Shard = r.cfg.Index
	if m.Kind == "clock" || m.Kind == "ping" {
		m.Host = r.host
	}
	v, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	rec := &kgo.Record{Key: []byte(strconv.Itoa(r.cfg.Index)), Value: v}
	res := r.cl.ProduceSync(ctx, rec)
	if err := res.FirstErr(); err != nil {
		return nil, fmt.Errorf("shard: control topic %s: %w", r.topic, err)
	}
	return rec, nil
}

// read consumes the control topic until ctx ends.
func (r *Run) read(ctx context.Context) {
	defer r.bg.Done()
	for {
		fs := r.cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		fs.EachError(func(_ string, _ int32, err error) {
			r.mu.Lock()
			r.readErr = err
			r.mu.Unlock()
		})
		now := time.Now()
		r.mu.Lock()
		fs.EachRecord(func(rec *kgo.Record) {
			var m message
			if json.Unmarshal(rec.Value, &m) != nil || m.Shard < 0 || m.Shard >= len(r.peers) {
				return
			}
			r.apply(m, rec, now)
		})
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	}
}

// apply records m (under r.mu).
func (r *Run) apply(m message, rec *kgo.Record, now time.Time) {
	p := r.peers[m.Shard]
	p.seen, p.lastSeen = true, now
	if m.Host != "" {
		p.host = m.Host
	}
	switch m.Kind {
	case "ping":
		p.pingTimes[rec.Offset] = rec.Timestamp.UnixNano()
	case "clock":
		p.clock, p.offsetNs, p.boundNs = true, m.OffsetNs, m.BoundNs
	case "joined":
		if m.Shard == 0 {
			r.joined = true
		}
	case "abort":
		if r.abort == nil {
			r.abort = &m
		}
	case "topics":
		p.topics[m.Step] = true
	case "ready":
		p.ready[m.Step] = true
	case "start":
		p.start[m.Step] = m.AtNs
	case "drain":
		p.drain[m.Step] = m.Drain
	case "result":
		if m.Chunks <= 0 || m.Chunk < 0 || m.Chunk >= m.Chunks {
			return
		}
		cs := p.chunks[m.Step]
		if len(cs) != m.Chunks {
			cs = make([][]byte, m.Chunks)
		}
		cs[m.Chunk] = m.Data
		p.chunks[m.Step] = cs
	}
}

// beat sends a heartbeat every LostAfter/10 until ctx ends.
func (r *Run) beat(ctx context.Context) {
	defer r.bg.Done()
	t := time.NewTicker(r.cfg.LostAfter / 10)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			v, _ := json.Marshal(message{Kind: "beat", Shard: r.cfg.Index})
			r.cl.Produce(ctx, &kgo.Record{Key: []byte(strconv.Itoa(r.cfg.Index)), Value: v}, nil)
		}
	}
}

// errAborted is returned by wait when a shard ended the run.
type errAborted struct{ m message }

func (e errAborted) Error() string {
	return fmt.Sprintf("shard %d ended the run: %s", e.m.Shard, e.m.Reason)
}

// wait waits until cond (called under r.mu) holds, ctx ends or a shard
// ended the run.
func (r *Run) wait(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		r.mu.Lock()
		ok, ab, ch := cond(), r.abort, r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		if ab != nil && ab.Shard != r.cfg.Index {
			return errAborted{*ab}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-t.C: // re-check lost shards
		}
	}
}

// lost reports whether shard i has been silent for LostAfter (under r.mu).
func (r *Run) lost(i int, now time.Time) bool {
	if i == r.cfg.Index {
		return false
	}
	p := r.peers[i]
	return !p.seen || now.Sub(p.lastSeen) > r.cfg.LostAfter
}

// Warnings returns the run's warnings about the shards (clock offset
// bounds above WarnClockBound).
func (r *Run) Warnings() []string { return slices.Clone(r.warnings) }

// Abort tells the other shards that this one ended the run, and why.
func (r *Run) Abort(reason string) {
	if r.cl == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.send(ctx, message{Kind: "abort", Reason: reason})
}

// Close ends this process's part: stops reading and heartbeats and, on
// shard 0 (which created it), deletes the control topic.
func (r *Run) Close() {
	if r.stop != nil {
		r.stop()
		r.bg.Wait()
	}
	if r.cl != nil && !r.clClosed {
		r.clClosed = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = r.cl.Flush(ctx)
		cancel()
		r.cl.Close()
	}
	if r.created {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := r.adm.DeleteTopic(ctx, r.topic); err != nil {
			r.cfg.Logf("warning: shard: delete control topic %s: %v", r.topic, err)
		} else {
			r.cfg.Leftovers.RemoveTopic(r.topic)
			r.cfg.Logf("deleted control topic %s", r.topic)
		}
		cancel()
		r.created = false
	}
	if r.adm != nil {
		r.adm.Close()
	}
}
