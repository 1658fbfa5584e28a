package report

import (
	"maps"
	"slices"
)

// Aggregates returns the step's figures as a flat map for checks, keyed by
// names that carry their unit: counters ("acked", "failed", "lag", ...),
// rates ("msgs_per_sec", "mib_per_sec", ...), "error_rate" (failed ÷
// (acked + failed), 0..1) and every latency field as
// "<publish|service|send_delay|end_to_end>_<p50_ms|...|max_ms|mean_ms>",
// and the broker figures some source of Step.Brokers measured
// ("broker_cpu_max", ... in brokers_step.go; utilisations in percent).
func (s *Step) Aggregates() map[string]float64 {
	c, tp := s.Counters, s.Throughput
	m := map[string]float64{
		"offered": float64(c.Offered), "sent": float64(c.Sent), "acked": float64(c.Acked),
		"failed": float64(c.Failed), "unsent": float64(c.Unsent), "consumed": float64(c.Consumed),
		"acked_bytes": float64(c.AckedBytes), "consumed_bytes": float64(c.ConsumedBytes),
		"behind_schedule": float64(c.BehindSchedule), "clamped": float64(c.Clamped), "lag": float64(c.Lag),
		"offered_msgs_per_sec": tp.OfferedMsgsPerSec, "msgs_per_sec": tp.MsgsPerSec,
		"bytes_per_sec": tp.BytesPerSec, "mib_per_sec": tp.MiBPerSec,
		"consumed_msgs_per_sec": tp.ConsumedMsgsPerSec, "consumed_bytes_per_sec": tp.ConsumedBytesPerSec,
		"consumed_mib_per_sec": tp.ConsumedMiBPerSec,
		"measured_seconds":     s.MeasuredSeconds,
		"error_rate":           0,
		"aborted":              float64(c.Aborted),
		"throttled_responses":  0,
		"throttle_ms":          0,
	}
	if t := s.Throttle; t != nil {
		m["throttled_responses"], m["throttle_ms"] = float64(t.Responses), float64(t.TotalMs)
	}
	if n := c.Acked + c.Failed; n > 0 {
		m["error_rate"] = float64(c.Failed) / float64(n)
	}
	for _, k := range LatencyKinds {
		l := *k.Summary(&s.Latency)
		m[k.Name+"_count"] = float64(l.Count)
		for _, st := range latencyStats {
			m[k.Name+"_"+st.key] = st.value(l)
		}
	}
	for k, v := range brokerAggregateValues(s) {
		m[k] = v
	}
	return m
}

// verificationAggregates are the check aggregates read from
// [Step.Verification]; they are unknown on a step without verification.
var verificationAggregates = []string{"lost", "duplicated", "out_of_order", "corrupted", "foreign", "redelivered", "aborted_seen"}

// stepAggregates returns the aggregates a check may read: [Step.Aggregates]
// plus the delivery verification counts (0 when s.Verification is nil; see
// [verificationAggregates]), behind_schedule_seconds, cpu_utilization
// ([Generator.CPUUtilization], 0..1; 0 when s.Generator is nil) and
// response_errors (the sum of s.ResponseErrors). Every key is present for
// any step, so the names of a zero Step are the valid names.
func stepAggregates(s *Step) map[string]float64 {
	m := s.Aggregates()
	var v Verification
	if s.Verification != nil {
		v = *s.Verification
	}
	m["lost"], m["duplicated"], m["out_of_order"] = float64(v.Lost), float64(v.Duplicated), float64(v.OutOfOrder)
	m["corrupted"], m["foreign"], m["redelivered"] = float64(v.Corrupted), float64(v.Foreign), float64(v.Redelivered)
	m["aborted_seen"] = float64(v.AbortedSeen)
	m["behind_schedule_seconds"] = s.Counters.BehindScheduleSeconds
	m["cpu_utilization"] = 0
	if s.Generator != nil {
		m["cpu_utilization"] = s.Generator.CPUUtilization
	}
	var n int64
	for _, c := range s.ResponseErrors {
		n += c
	}
	m["response_errors"] = float64(n)
	for _, a := range brokerAggregates {
		if _, ok := m[a.name]; !ok {
			m[a.name] = 0 // unknown: evaluateOne fails a check on it
		}
	}
	return m
}

// AggregateNames returns the sorted names a check may use besides the
// latency aliases: the keys of [Step.Aggregates] plus the verification,
// generator and response error figures (see [Check]).
func AggregateNames() []string {
	return slices.Sorted(maps.Keys(stepAggregates(new(Step))))
}
