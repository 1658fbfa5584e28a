package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/mskbench/mskbench/internal/atomicfile"
	"github.com/mskbench/mskbench/internal/redact"
)

// SchemaVersion is the version of the result file format written by this
// build. It changes only on incompatible changes; new fields may be added
// within a version, so readers must ignore unknown fields.
const SchemaVersion = 1

// EmbeddedNote is printed first by [Summary] and stored in [Result.Note]
// when a result was measured against the in-process cluster.
const EmbeddedNote = "NOTE: embedded in-process cluster — these numbers measure this machine, not a Kafka cluster."

// Result is the complete record of one mskbench run, the content of a
// result file. Field names carry their units. It is plain data and not
// safe for concurrent mutation.
type Result struct {
	// SchemaVersion is [SchemaVersion] for files written by this build.
	SchemaVersion int `json:"schema_version"`
	// Tool identifies the mskbench build that produced the result.
	Tool Tool `json:"tool"`
	// Started and Ended bound the whole run (RFC 3339 in JSON).
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// Host is the hostname of the machine running the load.
	Host string `json:"host"`
	// RunID is the id that named the run's topics and groups (shared by
	// every shard of a distributed run).
	RunID string `json:"run_id,omitempty"`
	// Shards is the number of processes of a distributed run (mskbench run
	// --shards N) whose data shard 0 merged into this result; 0 or 1 for a
	// run of one process. Per-shard figures are in Step.Shards.
	Shards int `json:"shards,omitempty"`
	// GoVersion, GOMAXPROCS and NumCPU describe the load generator.
	GoVersion  string `json:"go_version"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	NumCPU     int    `json:"num_cpu"`
	// Embedded is true when the run used the in-process cluster; its
	// numbers then measure the local machine, not a Kafka cluster.
	Embedded bool `json:"embedded"`
	// Note is [EmbeddedNote] for embedded runs (filled by [Encode] and
	// [WriteFile] when empty) and free text otherwise.
	Note string `json:"note,omitempty"`
	// Labels are user-supplied key/value pairs (CI job, git commit, ...).
	Labels map[string]string `json:"labels,omitempty"`
	// Scenario is the scenario as run, secrets already redacted by the caller.
	Scenario Scenario `json:"scenario"`
	// Connection is how the cluster was reached (mechanism, dial counts).
	Connection Connection `json:"connection"`
	// Steps holds one entry per sweep point, in run order.
	Steps []Step `json:"steps"`
	// Partial is true when the run was interrupted; the steps hold the data
	// measured so far.
	Partial bool `json:"partial"`
	// Warnings are run-level remarks.
	Warnings []string `json:"warnings,omitempty"`
	// Checks are the outcomes of the SLO / regression checks evaluated over
	// this result, if any.
	Checks []CheckResult `json:"checks,omitempty"`
	// Precondition records the preparation run before the first step
	// (e.g. depleting burst credits); nil when the scenario has none.
	Precondition *Precondition `json:"precondition,omitempty"`
	// Limits holds, for a scenario with a ramp, one entry per sweep point:
	// the highest offered rate that met the ramp's criteria.
	Limits []Limit `json:"limits,omitempty"`
}

// Tool identifies a build of mskbench.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// Scenario is the scenario as run. Source and Spec are given by the caller
// with secrets already redacted; either may be empty.
type Scenario struct {
	// Name of the scenario (file base name or built-in name).
	Name string `json:"name"`
	// Description is the scenario's one-line description, if any.
	Description string `json:"description,omitempty"`
	// Source is the scenario file text (YAML) as run.
	Source string `json:"source,omitempty"`
	// Spec is the validated scenario as JSON, including overrides.
	Spec json.RawMessage `json:"spec,omitempty"`
}

// CheckResult is the outcome of one check (e.g. "p99 < 20ms") on one step.
type CheckResult struct {
	// Expr is the check as written by the user.
	Expr string `json:"expr"`
	// Step is the index of the step the check was evaluated on.
	Step int `json:"step"`
	// Observed is the value of the checked aggregate, in the unit of its name.
	Observed float64 `json:"observed"`
	// Passed reports whether the check held.
	Passed bool `json:"passed"`
	// Detail explains a failure in words.
	Detail string `json:"detail,omitempty"`
}

// Step is the summary of one step (sweep point). Counters and latencies
// cover the measure and drain phases (warm-up is discarded); throughput
// covers the measure phase only.
type Step struct {
	// Index is the 0-based position of the step in the run.
	Index int `json:"index"`
	// Label names the step, e.g. "rate=5000/s".
	Label string `json:"label"`
	// Params are the sweep parameters of this step.
	Params map[string]string `json:"params,omitempty"`
	// Topics the step used.
	Topics []string `json:"topics,omitempty"`
	// Embedded is true when the step ran against the in-process cluster.
	Embedded bool `json:"embedded,omitempty"`
	// Partial is true when the step was cut short.
	Partial bool `json:"partial"`
	// Warnings are human-readable remarks about the step.
	Warnings []string `json:"warnings,omitempty"`
	// Started, MeasureStart, MeasureEnd and Ended are the phase boundaries.
	Started      time.Time `json:"started"`
	MeasureStart time.Time `json:"measure_start"`
	MeasureEnd   time.Time `json:"measure_end"`
	Ended        time.Time `json:"ended"`
	// MeasuredSeconds is the duration of the measure phase in seconds
	// (summed durations of its intervals), the denominator of Throughput.
	MeasuredSeconds float64 `json:"measured_seconds"`
	// ConsumerGroups is the number of consumer groups; each reads every
	// message, so a healthy step has consumed = acked × consumer_groups.
	ConsumerGroups int `json:"consumer_groups"`
	// Counters are message counts over measure + drain.
	Counters Counters `json:"counters"`
	// Errors counts failed messages by error label (e.g.
	// "[6] Not Leader For Partition", "timeout").
	Errors map[string]int64 `json:"errors,omitempty"`
	// Throughput over the measure phase.
	Throughput Throughput `json:"throughput"`
	// Latency summaries in milliseconds.
	Latency Latency `json:"latency"`
	// Histograms are the full latency histograms, for exact re-analysis
	// and merging.
	Histograms EncodedHistograms `json:"histograms"`
	// Timeline holds one entry per interval of the measure and drain phases.
	Timeline []Interval `json:"timeline"`
	// Plan is the engine's plan of this step (effective client settings).
	Plan json.RawMessage `json:"plan,omitempty"`
	// Ramp is the ramp verdict of the step; nil when the step is not part
	// of a ramp.
	Ramp *RampStep `json:"ramp,omitempty"`
	// ResponseErrors counts error responses and transport failures by
	// label ("[6] Not Leader For Partition", "timeout", "connection
	// closed", ...): for producers one per partition of a failed produce
	// response, including those the client retried successfully (Errors
	// counts messages that finally failed, ResponseErrors every failed
	// attempt); for consumers, fetch and commit errors prefixed "consume: "
	// and "commit: ". Measure and drain phases.
	ResponseErrors map[string]int64 `json:"response_errors,omitempty"`
	// Generator describes the load generator's own load during the
	// measured phase; nil when unknown.
	Generator *Generator `json:"generator,omitempty"`
	// Verification is the outcome of delivery verification; nil when
	// verification was off or the step had no consumers.
	Verification *Verification `json:"verification,omitempty"`
	// Shards holds, for a step of a distributed run (mskbench run
	// --shards N), every shard's own figures, by index; empty for a run of
	// one process. The step's other fields are the merge of all shards.
	Shards []ShardFigures `json:"shards,omitempty"`
	// Brokers is what the brokers measured during the step, one entry per
	// source (open monitoring, Prometheus endpoints, CloudWatch, the
	// in-process cluster), each with its summary; empty without
	// cluster.monitoring (see brokers.go and docs/monitoring.md).
	Brokers []BrokerMetrics `json:"brokers,omitempty"`
	// BrokerClient are the per-broker figures the step's clients measured
	// (see [BrokerClientSeries]), one series per broker they talked to.
	BrokerClient []BrokerClientSeries `json:"broker_client,omitempty"`
	// Client is the effective client configuration of the step; nil in
	// results written before it was recorded.
	Client *ClientSettings `json:"client,omitempty"`
	// Throttle counts the responses brokers throttled; nil when none was.
	Throttle *Throttle `json:"throttle,omitempty"`
	// PartitionSpread is how the acknowledged messages spread over the
	// partitions written (hot partitions); nil without producers.
	PartitionSpread *PartitionSpread `json:"partition_spread,omitempty"`
	// Workloads are the figures of each workload of a step with several
	// (the scenario's workloads:); the step's own figures are their
	// totals. Nil for a step of one implicit workload.
	Workloads []WorkloadStep `json:"workloads,omitempty"`
	// Compression is the measured compression of the produced batches;
	// nil when the client does not report it (kafka-go).
	Compression *Compression `json:"compression,omitempty"`
	// Transactions counts the transactions of transactional producers;
	// nil without them.
	Transactions *Transactions `json:"transactions,omitempty"`
	// CatchUp is how the consumers read their backlog in a catch-up step
	// (a backlog phase, or an existing topic read from a start other than
	// latest); nil otherwise.
	CatchUp *CatchUp `json:"catch_up,omitempty"`
	// Churn is the consumer churn of the step (consumers.churn) and the
	// rebalances it caused; nil without churn.
	Churn *Churn `json:"churn,omitempty"`
}

// Generator describes how hard the load generator itself worked during the
// measure phase, to tell its own limits from the cluster's.
type Generator struct {
	// CPUSeconds is the CPU time (user + system) of the whole mskbench
	// process during the measure phase, in seconds.
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUUtilization is CPUSeconds ÷ (measured wall seconds × GOMAXPROCS),
	// 0..1: near 1 the process was CPU bound and its latencies include its
	// own queueing. For embedded runs it includes the in-process cluster.
	CPUUtilization float64 `json:"cpu_utilization"`
	// LateGenerator counts messages sent more than
	// [BehindScheduleThreshold] late although the in-flight bound had room:
	// the generator itself could not keep up.
	LateGenerator int64 `json:"late_generator"`
	// LateInFlight counts messages sent more than
	// [BehindScheduleThreshold] late because they waited for the in-flight
	// bound (max_in_flight): the cluster did not acknowledge fast enough.
	LateInFlight int64 `json:"late_in_flight"`
	// Bottleneck is true when the generator was the limit: late messages
	// with free in-flight capacity, or CPUUtilization at or above
	// [GeneratorSaturated].
	Bottleneck bool `json:"bottleneck"`
	// Host is the host's CPU accounting over the measure phase (Linux:
	// /proc/stat and /proc/self/stat sampled at the phase's start and end);
	// nil when unknown (another system).
	Host *HostCPU `json:"host,omitempty"`
	// Cause says what made the generator the bottleneck, one of the
	// Cause* constants ([GeneratorCause]); "" when it was not.
	Cause string `json:"cause,omitempty"`
}

// HostCPU is how busy the load generator's host was during a measure
// phase. Every figure is a fraction 0..1 of the host's whole CPU capacity
// (measured wall time × CPUs, as the host's own accounting counts it), so
// Process differs from [Generator.CPUUtilization] (÷ GOMAXPROCS) when
// GOMAXPROCS is not the host's CPU count. In a container the host is the
// machine, not the container's CPU quota.
type HostCPU struct {
	// CPUs is the number of CPUs the host accounts.
	CPUs int `json:"cpus"`
	// Busy is the host's busy time (user, nice, system, irq, softirq), this
	// process included.
	Busy float64 `json:"busy"`
	// Process is this process's user + system time.
	Process float64 `json:"process"`
	// Other is Busy − Process, at least 0: what other processes took.
	Other float64 `json:"other"`
	// Steal is the time the hypervisor ran something else while this
	// virtual machine had work to run.
	Steal float64 `json:"steal"`
}

// Causes of a generator bottleneck ([Generator.Cause], [GeneratorCause]).
const (
	// CauseGeneratorCPU: the tool used the CPU it had; more workers cannot
	// help, more load generators can.
	CauseGeneratorCPU = "generator_cpu"
	// CauseHostBusy: the host was saturated and other processes took at
	// least as much of it as the tool: the tool waited for a CPU.
	CauseHostBusy = "host_busy"
	// CauseSteal: the hypervisor stole a significant share of the CPU.
	CauseSteal = "steal"
	// CausePacing: neither the tool's CPU nor the host was saturated: the
	// pacing loop or the client held messages back.
	CausePacing = "pacing"
	// CauseUnknown: the tool's CPU was not saturated and the host's
	// figures are unknown (not Linux).
	CauseUnknown = "unknown"
)

// Thresholds of [GeneratorCause], fractions of the host's CPU capacity.
const (
	// StealSignificant is the stolen share at or above which the
	// hypervisor is taken as the cause.
	StealSignificant = 0.10
	// HostSaturated is the host's busy + stolen share at or above which
	// the host counts as saturated.
	HostSaturated = 0.80
)

// GeneratorCause says what made g a bottleneck, a pure function of its
// figures; "" when g is not one. In order:
//
//  1. CPUUtilization ≥ [GeneratorSaturated]: [CauseGeneratorCPU];
//  2. no host figures: [CauseUnknown];
//  3. Host.Steal ≥ [StealSignificant]: [CauseSteal];
//  4. Host.Busy + Host.Steal ≥ [HostSaturated]: [CauseHostBusy] when
//     other processes took at least as much as this one (Other ≥
//     Process), else [CauseGeneratorCPU];
//  5. otherwise [CausePacing].
func GeneratorCause(g Generator) string {
	h := g.Host
	switch {
	case !g.Bottleneck:
		return ""
	case g.CPUUtilization >= GeneratorSaturated:
		return CauseGeneratorCPU
	case h == nil:
		return CauseUnknown
	case h.Steal >= StealSignificant:
		return CauseSteal
	case h.Busy+h.Steal >= HostSaturated && h.Other >= h.Process:
		return CauseHostBusy
	case h.Busy+h.Steal >= HostSaturated:
		return CauseGeneratorCPU
	}
	return CausePacing
}

// CauseAdvice explains g.Cause (or, when empty, as in results written
// before it was recorded, [GeneratorCause] of g) with the figures of g and
// says what to try; "" when g was not a bottleneck.
func CauseAdvice(g Generator) string {
	h := g.Host
	if h == nil {
		h = &HostCPU{}
	}
	cause := g.Cause
	if cause == "" {
		cause = GeneratorCause(g)
	}
	switch cause {
	case CauseGeneratorCPU:
		hostBusy := ""
		if g.Host != nil {
			hostBusy = fmt.Sprintf(", host %.0f%% busy", 100*(h.Busy+h.Steal))
		}
		return fmt.Sprintf("the tool was CPU bound (%.0f%% of GOMAXPROCS%s): more producer workers cannot help; "+
			"spread the load over more load generators (docs/distributed.md) or use a larger machine", 100*g.CPUUtilization, hostBusy)
	case CauseHostBusy:
		return fmt.Sprintf("the host was busy with other processes (%.0f%% of its %d CPUs; this process %.0f%%): the tool waited for a CPU; "+
			"more producer workers cannot help: run it on a machine of its own", 100*h.Other, h.CPUs, 100*h.Process)
	case CauseSteal:
		return fmt.Sprintf("the hypervisor stole %.0f%% of the CPU time: more producer workers cannot help; "+
			"use an instance with dedicated CPUs (not a burstable one out of credits) or one with fewer neighbours", 100*h.Steal)
	case CausePacing:
		return fmt.Sprintf("neither the tool's CPU (%.0f%%) nor the host (%.0f%% busy, %.0f%% stolen) was saturated: the pacing loop or "+
			"the client held messages back; try more producer workers (each has its own client), a longer linger or larger batches, "+
			"the other client (producers.client), or profile with --cpuprofile", 100*g.CPUUtilization, 100*h.Busy, 100*h.Steal)
	case CauseUnknown:
		return fmt.Sprintf("the tool's CPU was at %.0f%% and this system does not report the host's: if the host was busy with "+
			"other processes, run on a machine of its own; if not, try more producer workers or the other client", 100*g.CPUUtilization)
	}
	return ""
}

// Limits other than the cluster's capacity ([Step.LimitedBy]).
const (
	// LimitGenerator: the load generator was the bottleneck
	// ([Generator.Bottleneck]); the step measured the tool, not the cluster.
	LimitGenerator = "generator"
	// LimitThrottle: brokers throttled the step's responses
	// ([Step.Throttled]); the step measured a quota, not the cluster.
	LimitThrottle = "throttle"
)

// LimitedBy returns what other than the cluster's capacity limited step
// s: [LimitGenerator] when the load generator was the bottleneck,
// [LimitThrottle] when brokers throttled it (the generator first when
// both), "" when neither. Such a step measured neither the cluster's
// capacity nor its latency at the offered load: compare leaves it out of
// a verdict, a ramp never takes it as its limit and size --from refuses
// to calibrate from it.
func (s *Step) LimitedBy() string {
	switch {
	case s.Generator != nil && s.Generator.Bottleneck:
		return LimitGenerator
	case s.Throttled():
		return LimitThrottle
	}
	return ""
}

// LimitText describes a limit of [Step.LimitedBy] in words ("" for "").
func LimitText(limit string) string {
	switch limit {
	case LimitGenerator:
		return "generator bound: the load generator, not the cluster, was the limit"
	case LimitThrottle:
		return "throttled: the brokers throttled its responses, a quota was the limit"
	}
	return ""
}

// ShardFigures are one shard's own figures in a step of a distributed run.
type ShardFigures struct {
	// Index is the shard's index, 0..N-1.
	Index int `json:"index"`
	// Missing is true when the shard's data never reached shard 0 (it was
	// killed or lost its connection): the step is partial, and every other
	// field but Index is zero.
	Missing bool `json:"missing,omitempty"`
	// Host is the shard's host name.
	Host string `json:"host,omitempty"`
	// ProducerIDsFrom and ProducerIDsTo are the range [from, to) of
	// producer ids (global worker indexes) the shard ran.
	ProducerIDsFrom int `json:"producer_ids_from"`
	ProducerIDsTo   int `json:"producer_ids_to"`
	// ConsumersPerGroup is how many members of every group it ran.
	ConsumersPerGroup int `json:"consumers_per_group"`
	// MeasureStart is when its measured phase started, on its clock.
	MeasureStart time.Time `json:"measure_start"`
	// Counters are its own counters.
	Offered  int64 `json:"offered"`
	Sent     int64 `json:"sent"`
	Acked    int64 `json:"acked"`
	Consumed int64 `json:"consumed"`
	// Generator is its own load (CPU, late messages, whether it was the
	// bottleneck); nil when unknown or without producers.
	Generator *Generator `json:"generator,omitempty"`
	// ClockOffsetMs is its clock's estimated offset against the cluster
	// (cluster − shard, from broker timestamps of its control messages),
	// and ClockOffsetBoundMs the half-width of the interval that holds the
	// true offset.
	ClockOffsetMs      float64 `json:"clock_offset_ms"`
	ClockOffsetBoundMs float64 `json:"clock_offset_bound_ms"`
}

// GeneratorSaturated is the CPU utilisation (of wall time × GOMAXPROCS) at
// or above which the load generator counts as CPU bound.
const GeneratorSaturated = 0.9

// Verification is the outcome of delivery verification of a step: every
// consumed message's stamp is checked, sequence numbers are tracked per
// producer and per partition. Counts are messages summed over consumer
// groups (each group must read every acknowledged message once) and cover
// the whole step, warm-up included.
type Verification struct {
	// Complete is false when the drain phase ended before every group had
	// caught up (timeout or interruption): Lost then also counts messages
	// that were only late.
	Complete bool `json:"complete"`
	// Lost counts acknowledged messages a group had not read by the end of
	// the drain phase.
	Lost int64 `json:"lost"`
	// Duplicated counts extra copies of a message in the log: the same
	// producer and sequence read again at another offset (e.g. a producer
	// retry after a lost acknowledgement).
	Duplicated int64 `json:"duplicated"`
	// OutOfOrder counts messages read after a later message of the same
	// producer in the same partition.
	OutOfOrder int64 `json:"out_of_order"`
	// Corrupted counts messages whose payload does not match the stamp's
	// checksum; they are not counted as delivered.
	Corrupted int64 `json:"corrupted"`
	// Foreign counts messages not produced by this step: no stamp, an
	// unknown producer id, or a stamp older than the step.
	Foreign int64 `json:"foreign"`
	// Redelivered counts messages a group read again at an offset it had
	// already read (after a rebalance or a restart from the last committed
	// offset): normal at-least-once behaviour, not a duplicate in the log.
	Redelivered int64 `json:"redelivered"`
	// AbortedSeen counts messages of aborted transactions a read_committed
	// group read: it must be 0. Lost and Duplicated count committed
	// messages only.
	AbortedSeen int64 `json:"aborted_seen"`
	// Earlier is what a catch-up read found in messages stamped by other
	// runs (counted there, not as Foreign); nil when it read none.
	Earlier *EarlierRuns `json:"earlier,omitempty"`
	// Examples are a few of the problems found, at most
	// [MaxVerificationExamples] per kind.
	Examples []VerificationExample `json:"examples,omitempty"`
}

// MaxVerificationExamples is the number of examples kept per kind of
// problem in [Verification.Examples].
const MaxVerificationExamples = 5

// Problems returns Lost + Duplicated + OutOfOrder + Corrupted +
// AbortedSeen: the count of real delivery problems (foreign messages and
// redeliveries excluded).
func (v *Verification) Problems() int64 {
	if v == nil {
		return 0
	}
	return v.Lost + v.Duplicated + v.OutOfOrder + v.Corrupted + v.AbortedSeen
}

// VerificationExample is one message found by verification.
type VerificationExample struct {
	// Kind is "lost", "duplicated", "out_of_order", "corrupted",
	// "aborted_seen" or "foreign".
	Kind string `json:"kind"`
	// Group is the index of the consumer group that found it.
	Group int `json:"group"`
	// Producer and Sequence are read from the stamp (0 for a message
	// without one).
	Producer int    `json:"producer"`
	Sequence uint64 `json:"sequence"`
	// Topic, Partition and Offset locate the message in the log; for lost
	// messages they are "" and -1 (the message was never read).
	Topic     string `json:"topic,omitempty"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
}

// Counters are message counts of a step. Bytes are message bytes as the
// engine counts them: key + value + every header's key and value,
// uncompressed, without record or batch framing.
type Counters struct {
	// Offered is the number of messages the schedule intended to send in
	// the measure phase (0 when unknown, e.g. rate: max).
	Offered int64 `json:"offered"`
	// Sent is the number of messages handed to the Kafka client.
	Sent int64 `json:"sent"`
	// Acked is the number of messages acknowledged by the cluster.
	Acked int64 `json:"acked"`
	// Failed is the number of messages that failed (see Step.Errors):
	// refused at the hand-over to the client, answered with an error, or
	// still unacknowledged when the drain ended (the label
	// "unacknowledged when the drain ended").
	Failed int64 `json:"failed"`
	// Unsent is the number of offered messages never handed to the client
	// because the step ended first (UnsentReason says how). Every offered
	// message ends in exactly one place: Offered = Acked + Failed + Unsent
	// in rate mode (acknowledged ones are in the publish histogram however
	// late). In max-rate mode (Offered 0) it counts messages built but not
	// handed over because the step was stopping.
	Unsent int64 `json:"unsent"`
	// UnsentReason says why Unsent messages were never sent: the schedule
	// ended while the producers were behind it (their backlog is not sent
	// in the drain phase), or the step was cut short; "" when Unsent is 0.
	UnsentReason string `json:"unsent_reason,omitempty"`
	// Aborted is the number of acknowledged messages whose transaction was
	// aborted (transactional producers only; included in Acked, never
	// expected by read_committed consumers).
	Aborted int64 `json:"aborted,omitempty"`
	// Consumed is the number of messages read, summed over consumer groups.
	Consumed int64 `json:"consumed"`
	// AckedBytes and ConsumedBytes are the message bytes (key + value +
	// headers) of the acknowledged and the consumed messages.
	AckedBytes    int64 `json:"acked_bytes"`
	ConsumedBytes int64 `json:"consumed_bytes"`
	// BehindSchedule counts messages sent more than
	// [BehindScheduleThreshold] after their intended time.
	BehindSchedule int64 `json:"behind_schedule"`
	// Clamped counts latency values outside 0 .. 60 s that were clamped
	// into the histogram range.
	Clamped int64 `json:"clamped"`
	// Lag is (acked − aborted) × consumer_groups − consumed at the end of
	// the step, clamped at 0: messages the consumers had not read when the
	// drain phase ended.
	Lag int64 `json:"lag"`
	// BehindScheduleSeconds is how long the generator ran behind its
	// schedule in the measure phase: for each producer worker the time from
	// a message sent more than [BehindScheduleThreshold] late until the
	// next message sent on time, the longest over workers.
	BehindScheduleSeconds float64 `json:"behind_schedule_seconds"`
}

// Throughput are rates over the measure phase: counts recorded in measure
// intervals divided by Step.MeasuredSeconds. MiB is 2^20 bytes.
type Throughput struct {
	// OfferedMsgsPerSec is Counters.Offered / measured_seconds.
	OfferedMsgsPerSec float64 `json:"offered_msgs_per_sec"`
	// MsgsPerSec, BytesPerSec and MiBPerSec are acknowledged messages.
	MsgsPerSec  float64 `json:"msgs_per_sec"`
	BytesPerSec float64 `json:"bytes_per_sec"`
	MiBPerSec   float64 `json:"mib_per_sec"`
	// Consumed* are consumed messages, summed over consumer groups.
	ConsumedMsgsPerSec  float64 `json:"consumed_msgs_per_sec"`
	ConsumedBytesPerSec float64 `json:"consumed_bytes_per_sec"`
	ConsumedMiBPerSec   float64 `json:"consumed_mib_per_sec"`
}

// Latency holds the latency summaries of a step.
type Latency struct {
	// Publish is ack time − intended send time (coordinated-omission
	// corrected; the number to quote).
	Publish LatencySummary `json:"publish"`
	// Service is ack time − actual send time.
	Service LatencySummary `json:"service"`
	// SendDelay is actual − intended send time (generator falling behind).
	SendDelay LatencySummary `json:"send_delay"`
	// EndToEnd is consume time − intended send time.
	EndToEnd LatencySummary `json:"end_to_end"`
	// Commit is the time a transaction's commit took: EndTxn(commit)
	// sent → committed (transactional producers only).
	Commit LatencySummary `json:"commit"`
	// EndToEndCross is EndToEnd of the messages a consumer read that
	// another shard of a distributed run produced: it spans two machines'
	// clocks, corrected by their estimated offsets against the cluster
	// (Step.Shards), and is uncertain by the sum of their bounds. In a
	// distributed run EndToEnd holds only same-shard messages
	// (clock-independent); in a run of one process EndToEndCross is empty.
	EndToEndCross LatencySummary `json:"end_to_end_cross"`
	// BacklogEndToEnd is consume − intended send of the messages of a
	// backlog phase (catch-up steps only); EndToEnd is then the live
	// messages'.
	BacklogEndToEnd LatencySummary `json:"backlog_end_to_end"`
}

// LatencySummary are the quantiles of one latency histogram in
// milliseconds. Percentiles are HdrHistogram values with the reference semantics (3 significant digits,
// highest equivalent value); all fields are 0 when Count is 0.
type LatencySummary struct {
	Count   int64   `json:"count"`
	P50Ms   float64 `json:"p50_ms"`
	P90Ms   float64 `json:"p90_ms"`
	P95Ms   float64 `json:"p95_ms"`
	P99Ms   float64 `json:"p99_ms"`
	P999Ms  float64 `json:"p999_ms"`
	P9999Ms float64 `json:"p9999_ms"`
	MaxMs   float64 `json:"max_ms"`
	MeanMs  float64 `json:"mean_ms"`
}

// EncodedHistograms are the latency histograms of a step in microseconds,
// each in HdrHistogram V2 compressed format, base64 encoded (see
// [Histogram.Encode]); empty when nothing was recorded.
type EncodedHistograms struct {
	PublishUs   string `json:"publish_us,omitempty"`
	ServiceUs   string `json:"service_us,omitempty"`
	SendDelayUs string `json:"send_delay_us,omitempty"`
	EndToEndUs  string `json:"end_to_end_us,omitempty"`
	CommitUs    string `json:"commit_us,omitempty"`
	// EndToEndCrossUs is the histogram of Latency.EndToEndCross.
	EndToEndCrossUs string `json:"end_to_end_cross_us,omitempty"`
	// BacklogEndToEndUs is the backlog end-to-end histogram.
	BacklogEndToEndUs string `json:"backlog_end_to_end_us,omitempty"`
}

// HistogramNames returns the names accepted by [Step.Histogram], the
// Names of [LatencyKinds]: "publish", "service", "send_delay",
// "end_to_end", "commit" and "backlog_end_to_end".
func HistogramNames() []string {
	names := make([]string, len(LatencyKinds))
	for i, k := range LatencyKinds {
		names[i] = k.Name
	}
	return names
}

// Histogram decodes the named latency histogram of the step (values in
// µs). An empty histogram is returned when nothing was recorded.
func (s *Step) Histogram(name string) (*Histogram, error) {
	k, ok := latencyKind(name)
	if !ok {
		return nil, fmt.Errorf("unknown histogram %q (want %s)", name, orList(HistogramNames()))
	}
	h, err := s.Histograms.decode(k)
	if err != nil {
		return nil, fmt.Errorf("step %d %s: %w", s.Index, name, err)
	}
	return h, nil
}

// NewResult returns a result with the schema version, the tool and the
// description of this machine (host, Go version, GOMAXPROCS, CPUs) filled
// in, started at the given time.
func NewResult(tool Tool, started time.Time) *Result {
	host, _ := os.Hostname() // an unknown host name is not worth failing a run
	if tool.Name == "" {
		tool.Name = "mskbench"
	}
	return &Result{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		Started:       started,
		Host:          host,
		GoVersion:     runtime.Version(),
		GOMAXPROCS:    runtime.GOMAXPROCS(0),
		NumCPU:        runtime.NumCPU(),
	}
}

// Encode writes r as indented JSON (ending in a newline) to w. In the
// output only (r is not modified) the scenario's source and spec and every
// step's plan pass through the one redaction rule (internal/redact), and
// it fills in what a reader relies on when left empty: schema_version ([SchemaVersion]), tool.name ("mskbench") and
// the note of embedded results ([EmbeddedNote]).
func Encode(w io.Writer, r *Result) error {
	out := *r
	if out.SchemaVersion == 0 {
		out.SchemaVersion = SchemaVersion
	}
	if out.Tool.Name == "" {
		out.Tool.Name = "mskbench"
	}
	if out.Embedded && out.Note == "" {
		out.Note = EmbeddedNote
	}
	if out.Steps == nil {
		out.Steps = []Step{}
	}
	out.Scenario, out.Steps = redactScenario(out.Scenario, out.Steps)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep "p99 < 20ms" readable
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// WriteFile writes r as JSON ([Encode]) to path atomically and durably
// (internal/atomicfile: a temporary file in the same directory, synced, then
// renamed over path, mode 0644). A reader never sees a half-written file,
// and an existing file is replaced only on success.
func WriteFile(path string, r *Result) error {
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	return nil
}

// ReadFile reads a result file written by [WriteFile]. It fails with a
// clear error for a file that is not an mskbench result or that was
// written with a newer schema version than this build understands.
func ReadFile(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	r, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	return r, nil
}

// ErrNotResult is returned (wrapped) by [Decode] and [ReadFile] for input
// that is not an mskbench result.
var ErrNotResult = errors.New("not an mskbench result file")

// Decode reads one result from JSON. It validates the schema version:
// missing means the input is not an mskbench result ([ErrNotResult]), and a
// version newer than [SchemaVersion] needs a newer mskbench. Unknown fields
// are ignored (fields may be added within a schema version).
func Decode(rd io.Reader) (*Result, error) {
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%w: invalid JSON at byte %d: %v", ErrNotResult, syn.Offset, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotResult, err)
	}
	switch {
	case head.SchemaVersion == nil:
		return nil, fmt.Errorf("%w: no schema_version field", ErrNotResult)
	case *head.SchemaVersion < 1:
		return nil, fmt.Errorf("%w: invalid schema_version %d", ErrNotResult, *head.SchemaVersion)
	case *head.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("result schema_version %d is newer than this mskbench understands (%d): upgrade mskbench", *head.SchemaVersion, SchemaVersion)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	for i := range r.Steps {
		if err := r.Steps[i].resummarize(); err != nil {
			return nil, fmt.Errorf("decode result: %w", err)
		}
	}
	return &r, nil
}

// resummarize recomputes the latency summaries of s from its encoded
// histograms, where it has them, so that a result written by an earlier
// mskbench (whose percentiles rounded the rank to nearest) is rendered,
// checked and compared with the reference percentile semantics of
// [Histogram.Percentile]. Summaries without a histogram are kept.
func (s *Step) resummarize() error {
	for _, k := range LatencyKinds {
		h, err := s.Histogram(k.Name)
		if err != nil {
			return err
		}
		if h.Count() > 0 {
			*k.Summary(&s.Latency) = h.Summary()
		}
	}
	return nil
}

// redactScenario returns copies of sc and steps with the scenario source,
// spec and every step's plan redacted by internal/redact: every copy of the
// scenario in a result file or page, whoever built the result.
func redactScenario(sc Scenario, steps []Step) (Scenario, []Step) {
	sc.Source = redact.Text(sc.Source)
	sc.Spec = redact.JSON(sc.Spec)
	out := make([]Step, len(steps))
	for i, st := range steps {
		st.Plan = redact.JSON(st.Plan)
		out[i] = st
	}
	return sc, out
}
