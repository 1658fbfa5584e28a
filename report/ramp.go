package report

import (
	"time"
)

// RampCriteria are the conditions a ramp step must meet for its offered
// rate to count as sustained. The zero value accepts any step that
// acknowledged something; set MinAchievedRatio to [DefaultMinAchievedRatio]
// for the usual rule.
type RampCriteria struct {
	// MinAchievedRatio is the lowest acceptable Throughput.MsgsPerSec ÷
	// Throughput.OfferedMsgsPerSec (acknowledged over offered, measure phase),
	// in 0..1.
	MinAchievedRatio float64 `json:"min_achieved_ratio"`
	// MaxPublishP99Ms is the latency target: the highest acceptable publish
	// p99 in milliseconds (0 = no latency target).
	MaxPublishP99Ms float64 `json:"max_publish_p99_ms,omitempty"`
	// MaxErrorRate is the highest acceptable failed ÷ (acked + failed), 0..1.
	MaxErrorRate float64 `json:"max_error_rate"`
	// MaxBrokerCPU, when > 0, is the highest acceptable broker CPU, 0..1:
	// the busiest broker's mean CPU utilisation over the measured phase
	// (the aggregate broker_cpu_mean ÷ 100), over every source of
	// Step.Brokers. A step without a broker CPU figure fails it.
	MaxBrokerCPU float64 `json:"max_broker_cpu,omitempty"`
	// StopOnThrottle fails a step in which a broker throttled clients or
	// exceeded its network allowance ([BrokerSummary.Throttled]).
	StopOnThrottle bool `json:"stop_on_throttle,omitempty"`
}

// RampStep records the ramp verdict of one step (see [Step.Ramp]).
type RampStep struct {
	// Point is the label of the sweep point the step belongs to ("" without
	// a sweep).
	Point string `json:"point"`
	// Rate is the offered rate of the step as written, e.g. "4000/s" or "20MB/s".
	Rate string `json:"rate"`
	// AchievedRatio is acked ÷ offered msgs/s over the measure phase.
	AchievedRatio float64 `json:"achieved_ratio"`
	// Passed reports whether the step met the criteria of its [Limit].
	Passed bool `json:"passed"`
	// Reason says why it did not; "" when it passed.
	Reason string `json:"reason,omitempty"`
}

// Limit is the outcome of a ramp at one sweep point: the highest offered
// rate that met the criteria ("max sustainable throughput at p99 ≤ X ms").
type Limit struct {
	// Point is the label of the sweep point ("" without a sweep).
	Point string `json:"point"`
	// Params are the sweep values of the point.
	Params map[string]string `json:"params,omitempty"`
	// Criteria are the conditions every step was judged by.
	Criteria RampCriteria `json:"criteria"`
	// Found reports whether at least one step met the criteria. When false,
	// even the first rate of the ramp was too much.
	Found bool `json:"found"`
	// Rate is the highest offered rate that met the criteria, as written
	// ("4000/s", "20MB/s"); "" when none did.
	Rate string `json:"rate,omitempty"`
	// Step is the Index of that step in [Result.Steps]; -1 when none.
	Step int `json:"step"`
	// OfferedMsgsPerSec, MsgsPerSec and MiBPerSec are the offered and
	// acknowledged throughput of that step (msgs/s, MiB = 2^20 bytes per s).
	OfferedMsgsPerSec float64 `json:"offered_msgs_per_sec,omitempty"`
	MsgsPerSec        float64 `json:"msgs_per_sec,omitempty"`
	MiBPerSec         float64 `json:"mib_per_sec,omitempty"`
	// PublishP99Ms is the publish p99 of that step in milliseconds.
	PublishP99Ms float64 `json:"publish_p99_ms,omitempty"`
	// StoppedAt is the rate of the first step that failed ("" when none did).
	StoppedAt string `json:"stopped_at,omitempty"`
	// StopReason says why that step failed.
	StopReason string `json:"stop_reason,omitempty"`
	// CappedBy is [LimitGenerator] or [LimitThrottle] when the ramp stopped
	// at a step that the load generator or broker throttling limited
	// ([Step.LimitedBy]) rather than the cluster: the cluster's own limit
	// was not reached and lies at or above Rate. "" otherwise.
	CappedBy string `json:"capped_by,omitempty"`
	// ReachedMax is true when every rate up to the ramp's max passed: the
	// limit lies above the tested range.
	ReachedMax bool `json:"reached_max"`
	// Partial is true when the ramp was interrupted before a verdict.
	Partial bool `json:"partial"`
}

// Precondition records the preparation run before the first step (see
// [Result.Precondition]).
type Precondition struct {
	// Mode is the precondition as written, e.g. "deplete-credits".
	Mode string `json:"mode"`
	// Started and Ended bound it.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// LoadedSeconds is how long load was applied, in seconds.
	LoadedSeconds float64 `json:"loaded_seconds"`
	// Threshold is the fraction of the peak below which throughput counts as
	// dropped (0..1).
	Threshold float64 `json:"threshold"`
	// PeakMiBPerSec is the highest windowed average of acknowledged MiB/s;
	// FinalMiBPerSec the last one (MiB = 2^20 bytes).
	PeakMiBPerSec  float64 `json:"peak_mib_per_sec"`
	FinalMiBPerSec float64 `json:"final_mib_per_sec"`
	// Signal says what showed the credits spent: one of the
	// PreconditionSignal* constants; "" when nothing did.
	Signal string `json:"signal,omitempty"`
	// Depleted is true when throughput fell below Threshold × peak, or the
	// brokers' CloudWatch figures showed the credits spent (Signal): the
	// burst credits are taken to be spent.
	Depleted bool `json:"depleted"`
	// Partial is true when the run was interrupted during the precondition.
	Partial bool `json:"partial"`
	// Outcome says what happened, in words.
	Outcome string `json:"outcome"`
}

// What showed a precondition's burst credits spent ([Precondition.Signal]).
const (
	// PreconditionSignalThroughput: the acknowledged throughput dropped
	// below the threshold of its peak.
	PreconditionSignalThroughput = "throughput"
	// PreconditionSignalBurstBalance: a broker's CloudWatch BurstBalance
	// (EBS burst credits) ran out.
	PreconditionSignalBurstBalance = "burst_balance"
	// PreconditionSignalAllowanceExceeded: a broker exceeded its EC2
	// network allowance (CloudWatch BwIn/BwOutAllowanceExceeded > 0).
	PreconditionSignalAllowanceExceeded = "allowance_exceeded"
)
