package report

import (
	"maps"
	"time"
)

// Interval is the data of one tick: counters, rates and latency quantiles
// of the messages recorded between Start and End. Rates are per second of
// End−Start; latencies are in milliseconds.
type Interval struct {
	// Start and End bound the interval.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Phase is "backlog", "warmup", "measure" or "drain".
	Phase string `json:"phase"`
	// ElapsedSeconds is End minus the start of the collector's first tick.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// Counters of this interval (not cumulative). Bytes as counted by the
	// engine (key + value + headers).
	Sent           int64 `json:"sent"`
	Acked          int64 `json:"acked"`
	Failed         int64 `json:"failed"`
	Consumed       int64 `json:"consumed"`
	AckedBytes     int64 `json:"acked_bytes"`
	ConsumedBytes  int64 `json:"consumed_bytes"`
	BehindSchedule int64 `json:"behind_schedule"`
	Clamped        int64 `json:"clamped,omitempty"`
	// MsgsPerSec is acknowledged messages per second; MiBPerSec acknowledged
	// MiB (2^20 bytes) per second.
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MiBPerSec  float64 `json:"mib_per_sec"`
	// ConsumedMsgsPerSec and ConsumedMiBPerSec are the same for consumed
	// messages (summed over all consumer groups).
	ConsumedMsgsPerSec float64 `json:"consumed_msgs_per_sec"`
	ConsumedMiBPerSec  float64 `json:"consumed_mib_per_sec"`
	// Publish and end-to-end latency quantiles in milliseconds (0 when no
	// message was recorded).
	PublishP50Ms  float64 `json:"publish_p50_ms"`
	PublishP99Ms  float64 `json:"publish_p99_ms"`
	EndToEndP50Ms float64 `json:"end_to_end_p50_ms"`
	EndToEndP99Ms float64 `json:"end_to_end_p99_ms"`
	// Throttled counts the responses brokers throttled in this interval,
	// ThrottleMs their summed throttle_time_ms.
	Throttled  int64 `json:"throttled,omitempty"`
	ThrottleMs int64 `json:"throttle_ms,omitempty"`
	// Errors counts failed messages of this interval by label.
	Errors map[string]int64 `json:"errors,omitempty"`
	// Histograms are the latency histograms of this interval (µs, V2
	// compressed, base64, like [Step.Histograms]), for .hlog output, exact
	// re-analysis, merges and statistics over intervals; nil for warm-up
	// intervals and results written before they were kept.
	Histograms *EncodedHistograms `json:"histograms,omitempty"`
	// Lag is the cumulative consumer lag at End: acked×groups − consumed
	// over the phase so far (warmup on its own; measure and drain
	// together), clamped at 0.
	Lag int64 `json:"lag"`
	// BacklogLag is, in a catch-up step, the backlog not yet read at End:
	// from each partition's next read up to its end offset when the
	// consumers resumed, summed over groups (0 once caught up; absent in
	// other steps).
	BacklogLag int64 `json:"backlog_lag,omitempty"`
	// Step optionally names the step in the progress line. The collector
	// leaves it empty; callers may set it before [Progress]. Not stored.
	Step string `json:"-"`
}

func newInterval(start, end time.Time, phase string, t *data) Interval {
	iv := Interval{
		Start:          start,
		End:            end,
		Phase:          phase,
		Sent:           t.counts.sent,
		Acked:          t.counts.acked,
		Failed:         t.counts.failed,
		Consumed:       t.counts.consumed,
		AckedBytes:     t.counts.ackedBytes,
		ConsumedBytes:  t.counts.consumedBytes,
		BehindSchedule: t.counts.behindSchedule,
		Clamped:        t.counts.clamped,
		Throttled:      t.counts.throttled,
		ThrottleMs:     t.counts.throttleMs,
	}
	if secs := end.Sub(start).Seconds(); secs > 0 {
		iv.MsgsPerSec = float64(t.counts.acked) / secs
		iv.MiBPerSec = float64(t.counts.ackedBytes) / secs / MiB
		iv.ConsumedMsgsPerSec = float64(t.counts.consumed) / secs
		iv.ConsumedMiBPerSec = float64(t.counts.consumedBytes) / secs / MiB
	}
	if h := t.hists[latPublish]; h != nil && h.Count() > 0 {
		iv.PublishP50Ms = usToMs(h.Percentile(50))
		iv.PublishP99Ms = usToMs(h.Percentile(99))
	}
	if h := t.hists[latEndToEnd]; h != nil && h.Count() > 0 {
		iv.EndToEndP50Ms = usToMs(h.Percentile(50))
		iv.EndToEndP99Ms = usToMs(h.Percentile(99))
	}
	if len(t.errors) > 0 {
		iv.Errors = maps.Clone(t.errors)
	}
	return iv
}
