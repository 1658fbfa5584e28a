package shard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/report"
)

// drainState is load.DrainState on the wire.
type drainState = load.DrainState

// handOver is the step data a shard hands to shard 0.
type handOver struct {
	Step    report.Step       `json:"step"`
	Verify  *load.VerifyState `json:"verify,omitempty"`
	Drained bool              `json:"drained"`
}

// Step returns the coordinator of the run's next step. Every shard runs
// the same steps in the same order, so the n-th call names the same step
// everywhere.
func (r *Run) Step() load.Coordinator {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.steps
	r.steps++
	return &stepCoord{r: r, n: n}
}

// stepCoord is load.Coordinator for one step.
type stepCoord struct {
	r        *Run
	n        int
	drained  bool // the last Drained returned true
	sent     drainState
	sentAt   time.Time
	haveSent bool
}

// others returns an error when shard 0 is lost (for the other shards'
// waits) — under r.mu.
func (c *stepCoord) shard0Lost(now time.Time) bool {
	return c.r.cfg.Index != 0 && c.r.lost(0, now)
}

func (c *stepCoord) TopicsReady(ctx context.Context, _ []string) error {
	r := c.r
	if r.cfg.Index == 0 {
		return r.send(ctx, message{Kind: "topics", Step: c.n})
	}
	var lost bool
	err := r.wait(ctx, func() bool {
		lost = c.shard0Lost(time.Now())
		return lost || r.peers[0].topics[c.n]
	})
	if err == nil && lost {
		err = fmt.Errorf("shard 0 lost (silent for %s) before the topics of step %d existed", r.cfg.LostAfter, c.n+1)
	}
	return err
}

func (c *stepCoord) Start(ctx context.Context) (load.Start, error) {
	r := c.r
	if err := r.send(ctx, message{Kind: "ready", Step: c.n}); err != nil {
		return load.Start{}, err
	}
	var lostShards []int
	if r.cfg.Index == 0 {
		err := r.wait(ctx, func() bool {
			lostShards = lostShards[:0]
			now, all := time.Now(), true
			for i, p := range r.peers {
				if r.lost(i, now) {
					lostShards = append(lostShards, i)
				} else if !p.ready[c.n] {
					all = false
				}
			}
			return all || len(lostShards) > 0
		})
		if err == nil && len(lostShards) > 0 {
			err = fmt.Errorf("shards %s lost (silent for %s) before step %d started", list(lostShards), r.cfg.LostAfter, c.n+1)
			r.Abort(err.Error())
		}
		if err != nil {
			return load.Start{}, err
		}
		at := time.Now().Add(minLead).UnixNano() + r.offsets[0]
		if err := r.send(ctx, message{Kind: "start", Step: c.n, AtNs: at}); err != nil {
			return load.Start{}, err
		}
	}
	var at int64
	var lost bool
	err := r.wait(ctx, func() bool {
		v, ok := r.peers[0].start[c.n]
		at, lost = v, c.shard0Lost(time.Now())
		return ok || lost
	})
	if err == nil && at == 0 && lost {
		err = fmt.Errorf("shard 0 lost (silent for %s) before step %d started", r.cfg.LostAfter, c.n+1)
	}
	if err != nil {
		return load.Start{}, err
	}
	me := r.cfg.Index
	st := load.Start{At: time.Unix(0, at-r.offsets[me]), Shift: make([]time.Duration, len(r.offsets))}
	for i, o := range r.offsets {
		st.Shift[i] = time.Duration(o - r.offsets[me])
	}
	return st, nil
}

func (c *stepCoord) Drained(st load.DrainState) bool {
	r := c.r
	now := time.Now()
	if !c.haveSent || now.Sub(c.sentAt) >= 100*time.Millisecond && !sameDrain(c.sent, st) {
		c.haveSent, c.sent, c.sentAt = true, st, now
		v, _ := json.Marshal(message{Kind: "drain", Shard: r.cfg.Index, Step: c.n, Drain: &st})
		r.cl.TryProduce(context.Background(), &kgo.Record{Key: []byte(strconv.Itoa(r.cfg.Index)), Value: v}, nil)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	states := []load.DrainState{st}
	for i, p := range r.peers {
		if i == r.cfg.Index || r.lost(i, now) {
			continue
		}
		d := p.drain[c.n]
		if d == nil {
			return false
		}
		states = append(states, *d)
	}
	c.drained = load.GlobalDrained(states, st.Groups)
	return c.drained
}

func sameDrain(a, b load.DrainState) bool {
	if a.ProducersDone != b.ProducersDone || a.Groups != b.Groups || a.Acked != b.Acked || a.Consumed != b.Consumed || len(a.Unique) != len(b.Unique) {
		return false
	}
	for i := range a.Unique {
		if a.Unique[i] != b.Unique[i] {
			return false
		}
	}
	return true
}

func (c *stepCoord) Finish(ctx context.Context, st report.Step, v *load.VerifyState) (report.Step, error) {
	r := c.r
	data, err := json.Marshal(handOver{Step: st, Verify: v, Drained: c.drained})
	if err != nil {
		return st, err
	}
	if r.cfg.Index != 0 {
		n := (len(data) + chunkSize - 1) / chunkSize
		for i := range n {
			chunk := data[i*chunkSize : min(len(data), (i+1)*chunkSize)]
			if err := r.send(ctx, message{Kind: "result", Step: c.n, Chunk: i, Chunks: n, Data: chunk}); err != nil {
				return st, err
			}
		}
		r.cfg.Logf("shard %d: handed step %d to shard 0 (%d bytes in %d messages)", r.cfg.Index, c.n+1, len(data), n)
		return st, nil
	}
	// Shard 0: wait for every other shard's data, or for it to be lost.
	outs := make([]*handOver, len(r.peers))
	outs[0] = &handOver{Step: st, Verify: v, Drained: c.drained}
	var missing []int
	err = r.wait(ctx, func() bool {
		missing = missing[:0]
		now, done := time.Now(), true
		for i := 1; i < len(r.peers); i++ {
			if outs[i] != nil {
				continue
			}
			if cs := r.peers[i].chunks[c.n]; complete(cs) {
				var h handOver
				if json.Unmarshal(bytes.Join(cs, nil), &h) == nil {
					outs[i] = &h
					continue
				}
			}
			if r.lost(i, now) {
				missing = append(missing, i)
				continue
			}
			done = false
		}
		return done
	})
	if err != nil {
		return st, err
	}
	return r.merge(outs, missing)
}

// complete reports whether every chunk of a result arrived.
func complete(cs [][]byte) bool {
	if len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		if c == nil {
			return false
		}
	}
	return true
}

// merge builds the step of the run from the shards' step data (nil for
// the shards missing): report.MergeSteps for counters, histograms and
// timelines, load.MergeVerification for delivery, and per-shard figures.
func (r *Run) merge(outs []*handOver, missing []int) (report.Step, error) {
	var steps []report.Step
	var states []*load.VerifyState
	verified, drained := false, true
	for _, h := range outs {
		if h == nil {
			continue
		}
		steps = append(steps, h.Step)
		states = append(states, h.Verify)
		verified = verified || h.Verify != nil
		drained = drained && h.Drained
	}
	m, err := report.MergeSteps(steps...)
	if err != nil {
		return outs[0].Step, err
	}
	if verified {
		m.Verification = load.MergeVerification(states, drained && len(missing) == 0)
		if n := m.Verification.Problems(); n > 0 {
			m.Warnings = append(m.Warnings, fmt.Sprintf("verify: delivery problems across all shards: lost %d, duplicated %d, out of order %d, corrupted %d, aborted seen %d",
				m.Verification.Lost, m.Verification.Duplicated, m.Verification.OutOfOrder, m.Verification.Corrupted, m.Verification.AbortedSeen))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, h := range outs {
		f := report.ShardFigures{Index: i, Host: r.peers[i].host,
			ClockOffsetMs: float64(r.offsets[i]) / 1e6, ClockOffsetBoundMs: float64(r.bounds[i]) / 1e6}
		if i == 0 && f.Host == "" {
			f.Host = r.host
		}
		if h == nil {
			f = report.ShardFigures{Index: i, Missing: true}
		} else {
			s := h.Step
			f.MeasureStart = s.MeasureStart
			f.Offered, f.Sent, f.Acked, f.Consumed = s.Counters.Offered, s.Counters.Sent, s.Counters.Acked, s.Counters.Consumed
			f.Generator = s.Generator
			if len(s.Shards) == 1 { // its own placement (load fills it)
				own := s.Shards[0]
				f.ProducerIDsFrom, f.ProducerIDsTo, f.ConsumersPerGroup = own.ProducerIDsFrom, own.ProducerIDsTo, own.ConsumersPerGroup
			}
		}
		m.Shards = append(m.Shards, f)
	}
	if len(missing) > 0 {
		m.Partial = true
		m.Warnings = append(m.Warnings, fmt.Sprintf("shards %s missing (silent for %s: killed or disconnected): the step covers %d of %d shards and is partial",
			list(missing), r.cfg.LostAfter, len(steps), len(outs)))
	}
	return m, nil
}
