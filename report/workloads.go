package report

import "time"

// WorkloadStep is the figures of one workload of a step (a topic group of
// the scenario's workloads:, with its own topics, producers and consumer
// groups, run at the same time as the others): the step's own counters,
// throughput and latencies are the totals over its workloads.
type WorkloadStep struct {
	// Name is the workload's name.
	Name string `json:"name"`
	// Topics are the workload's topics.
	Topics []string `json:"topics,omitempty"`
	// ConsumerGroups is the number of the workload's consumer groups.
	ConsumerGroups int `json:"consumer_groups"`
	// Counters are the workload's message counts over measure + drain.
	Counters Counters `json:"counters"`
	// Throughput is the workload's throughput over the measure phase.
	Throughput Throughput `json:"throughput"`
	// Latency holds the workload's latency summaries in milliseconds.
	Latency Latency `json:"latency"`
	// Histograms are the workload's full latency histograms (for merging
	// the results of several load generators exactly).
	Histograms EncodedHistograms `json:"histograms"`
	// Client is the workload's effective client settings (the step's
	// Client are those of its first workloads, with every client id).
	Client *ClientSettings `json:"client,omitempty"`
}

// WorkloadInfo is what a Collector needs to know of one workload of a
// step; see [Collector.SetWorkloads].
type WorkloadInfo struct {
	// Name is the workload's name.
	Name string
	// Groups is the number of its consumer groups (for its lag).
	Groups int
	// Topics are its topics.
	Topics []string
	// Offered is the number of messages its schedule intended to send
	// during the measured phase (0 when unknown).
	Offered int64
}

// workloadData is what a Collector gathers of one workload.
type workloadData struct {
	info     WorkloadInfo
	tick     *data
	total    *data
	measured counts
}

// SetWorkloads names the workloads of the step. Recorders made by
// NewWorkloadRecorder(i) are then collected into workload i as well as
// into the step's totals, and Step reports each workload apart
// (Step.Workloads). Call it before the first Tick; Offered may be updated
// by calling it again before Step.
func (c *Collector) SetWorkloads(ws []WorkloadInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.workloads) == len(ws) {
		for i, w := range ws {
			c.workloads[i].info = w
		}
		return
	}
	c.workloads = make([]*workloadData, len(ws))
	for i, w := range ws {
		c.workloads[i] = &workloadData{info: w, tick: newData(), total: newData()}
	}
}

// NewWorkloadRecorder returns a new recorder of workload i (see
// SetWorkloads) whose data is collected by c.
func (c *Collector) NewWorkloadRecorder(i int) *Recorder {
	r := c.NewRecorder()
	r.workload = i + 1
	return r
}

// tickWorkload adds the interval data d of recorder r to its workload's.
// The caller holds c.mu.
func (c *Collector) tickWorkload(r *Recorder, d *data) {
	if i := r.workload - 1; i >= 0 && i < len(c.workloads) {
		c.workloads[i].tick.merge(d)
	}
}

// endWorkloadTick merges the workloads' interval data into their totals
// as Tick does for the step (measure and drain kept, warm-up discarded).
// The caller holds c.mu.
func (c *Collector) endWorkloadTick(phase string) {
	for _, w := range c.workloads {
		switch phase {
		case PhaseMeasure:
			w.measured.add(w.tick.counts)
			w.total.merge(w.tick)
		case PhaseDrain:
			w.total.merge(w.tick)
		}
		w.tick.reset()
	}
}

// workloadSteps builds the figures of every workload over secs measured
// seconds. The caller holds c.mu.
func (c *Collector) workloadSteps(secs float64) ([]WorkloadStep, []string) {
	if len(c.workloads) == 0 {
		return nil, nil
	}
	var warnings []string
	out := make([]WorkloadStep, len(c.workloads))
	for i, w := range c.workloads {
		t := w.total
		ws := WorkloadStep{
			Name:           w.info.Name,
			Topics:         append([]string(nil), w.info.Topics...),
			ConsumerGroups: w.info.Groups,
			Counters:       countersOf(t.counts, w.info.Offered, lagOf(t.counts, w.info.Groups)),
			Throughput:     throughputOf(w.measured, w.info.Offered, secs),
		}
		for j, k := range LatencyKinds {
			*k.Summary(&ws.Latency) = t.hists[j].Summary()
		}
		if err := ws.Histograms.encode(&t.hists); err != nil {
			warnings = append(warnings, "workload "+w.info.Name+": "+err.Error())
		}
		out[i] = ws
	}
	return out, warnings
}

// lagOf returns (acked − aborted)×groups − consumed, clamped at 0.
func lagOf(n counts, groups int) int64 {
	if groups <= 0 {
		return 0
	}
	return max((n.acked-n.aborted)*int64(groups)-n.consumed, 0)
}

// countersOf returns the Counters of the counts n (measure + drain).
func countersOf(n counts, offered, lag int64) Counters {
	return Counters{
		Offered:        offered,
		Sent:           n.sent,
		Acked:          n.acked,
		Failed:         n.failed,
		Aborted:        n.aborted,
		Consumed:       n.consumed,
		AckedBytes:     n.ackedBytes,
		ConsumedBytes:  n.consumedBytes,
		BehindSchedule: n.behindSchedule,
		Clamped:        n.clamped,
		Lag:            lag,
	}
}

// throughputOf returns the Throughput of the measure-phase counts m over
// secs seconds (zero when secs ≤ 0).
func throughputOf(m counts, offered int64, secs float64) Throughput {
	if secs <= 0 {
		return Throughput{}
	}
	return Throughput{
		OfferedMsgsPerSec:   float64(offered) / secs,
		MsgsPerSec:          float64(m.acked) / secs,
		BytesPerSec:         float64(m.ackedBytes) / secs,
		MiBPerSec:           float64(m.ackedBytes) / secs / MiB,
		ConsumedMsgsPerSec:  float64(m.consumed) / secs,
		ConsumedBytesPerSec: float64(m.consumedBytes) / secs,
		ConsumedMiBPerSec:   float64(m.consumedBytes) / secs / MiB,
	}
}

// measuredSeconds is the seconds of a step's measured phase: the summed
// measure ticks, else the span of the phase.
func measuredSeconds(measureNs int64, start, end time.Time) float64 {
	secs := float64(measureNs) / 1e9
	if secs <= 0 && end.After(start) {
		secs = end.Sub(start).Seconds()
	}
	return secs
}
