package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/mskbench/mskbench/plan"
)

// bound is the upper limit of one numeric scenario field: no value may
// crash the process (a billion in-flight slots, a 2 GiB message), wrap
// when it reaches Kafka (partitions are an int32, replication factors an
// int16) or make time arithmetic overflow. Kafka's own limit is used where
// there is one, otherwise a ceiling far above any sane benchmark;
// docs/scenarios.md lists them (a test checks the table). Lower limits are
// checked by the field's own rule in validate.go.
type bound struct {
	field string  // YAML path, e.g. "producers.max_in_flight"
	max   float64 // in the field's unit: a count, bytes (Size, SizeDist), nanoseconds (Duration), messages/s (Rate)
	// maxBytes bounds a Rate given in bytes per second; 0 for other types.
	maxBytes float64
	why      string // where the limit comes from
}

// Limits that several bounds share.
const (
	// maxRequestBytes is Kafka's socket.request.max.bytes default (100
	// MiB): a broker refuses a larger request, so no batch and no message
	// may be larger.
	maxRequestBytes = 100 << 20
	maxMsgRate      = 100e6 // messages per second
	maxByteRate     = 100e9 // bytes per second
	day             = float64(24 * time.Hour)
	// maxInFlightBytes bounds what one producer worker may hold
	// unacknowledged: producers.max_in_flight × the largest message.
	maxInFlightBytes = 1 << 30
	// maxIntervals bounds the report intervals of one step (each is kept
	// in the result with its histograms).
	maxIntervals = 100_000
	// maxPlannedTime bounds the total time a scenario may ask for (every
	// step's warm-up, measure and drain, ramp steps, the precondition).
	maxPlannedTime = 366 * day
	// maxEmbeddedPartitions bounds topics.count × topics.partitions on the
	// in-process cluster, which holds every partition in memory.
	maxEmbeddedPartitions = 10_000
)

// bounds lists every numeric field of the schema with its upper limit:
// adding a numeric field is adding its line here (TestEveryNumericFieldHasABound).
var bounds = []bound{
	{field: "cluster.broker_count", max: 10_000, why: "a sane ceiling"},
	{field: "cluster.auth.connect_rate", max: 100_000, why: "connections per second; a sane ceiling"},
	{field: "cluster.monitoring.jmx_port", max: 65535, why: "a TCP port"},
	{field: "cluster.monitoring.node_port", max: 65535, why: "a TCP port"},
	{field: "cluster.monitoring.scrape_timeout", max: float64(time.Minute), why: "a sane ceiling"},
	{field: "topics.count", max: 10_000, why: "topics per step; a sane ceiling"},
	{field: "topics.partitions", max: math.MaxInt32, why: "Kafka's partition count is an int32"},
	{field: "topics.replication_factor", max: math.MaxInt16, why: "Kafka's replication factor is an int16"},
	{field: "producers.workers", max: 10_000, why: "each worker is a client with its own connections; a sane ceiling"},
	{field: "producers.rate", max: maxMsgRate, maxBytes: maxByteRate, why: "a sane ceiling"},
	{field: "producers.message_size", max: maxRequestBytes, why: "Kafka's socket.request.max.bytes default: a broker refuses larger requests"},
	{field: "producers.compressibility", max: 1, why: "a fraction"},
	{field: "producers.keys.cardinality", max: 1_000_000, why: "every distinct key is held in memory"},
	{field: "producers.keys.hot_fraction", max: 1, why: "a fraction"},
	{field: "producers.keys.exponent", max: 10, why: "above it the top key takes all but a trace of the messages; a sane ceiling"},
	{field: "producers.keys.first", max: 1e15, why: "keys are \"key-\" and the number in decimal; a sane ceiling"},
	{field: "producers.headers.count", max: 1_000, why: "headers per message; a sane ceiling"},
	{field: "producers.headers.key_size", max: 32 << 10, why: "a header key is a string; a sane ceiling"},
	{field: "producers.headers.value_size", max: 1 << 20, why: "a sane ceiling"},
	{field: "producers.batch_size", max: 1_000_000, why: "messages per batch; a sane ceiling"},
	{field: "producers.batch_bytes", max: maxRequestBytes, why: "Kafka's socket.request.max.bytes default: a broker refuses larger requests"},
	{field: "producers.linger", max: float64(time.Minute), why: "a sane ceiling"},
	{field: "producers.max_in_flight", max: 1_000_000, why: "messages per worker; a sane ceiling"},
	{field: "producers.max_in_flight_requests", max: 1_000, why: "requests per broker connection; a sane ceiling"},
	{field: "producers.request_timeout", max: float64(time.Hour), why: "a sane ceiling"},
	{field: "producers.retries", max: 1_000_000, why: "a sane ceiling"},
	{field: "producers.transactions.messages_per_transaction", max: 1_000_000, why: "messages held in one transaction; a sane ceiling"},
	{field: "producers.transactions.duration", max: float64(15 * time.Minute), why: "Kafka's transaction.max.timeout.ms default"},
	{field: "producers.transactions.abort_ratio", max: 1, why: "a fraction"},
	{field: "consumers.groups", max: 1_000, why: "a sane ceiling"},
	{field: "consumers.per_group", max: 10_000, why: "a sane ceiling"},
	{field: "consumers.fetch_min_bytes", max: maxRequestBytes, why: "a sane ceiling"},
	{field: "consumers.fetch_max_bytes", max: 256 << 20, why: "each consumer may hold a whole fetch in memory"},
	{field: "consumers.max_wait", max: float64(time.Minute), why: "a sane ceiling"},
	{field: "consumers.commit_interval", max: float64(time.Hour), why: "a sane ceiling"},
	{field: "consumers.churn.every", max: day, why: "a sane ceiling"},
	{field: "consumers.churn.members", max: 10_000, why: "as consumers.per_group"},
	{field: "phases.backlog.messages", max: 1e12, why: "a sane ceiling"},
	{field: "phases.backlog.size", max: 1 << 40, why: "a sane ceiling"},
	{field: "phases.backlog.duration", max: day, why: "as phases.warmup"},
	{field: "phases.backlog.rate", max: maxMsgRate, maxBytes: maxByteRate, why: "as producers.rate"},
	{field: "phases.warmup", max: day, why: "a sane ceiling"},
	{field: "phases.duration", max: 30 * day, why: "a sane ceiling"},
	{field: "phases.drain_timeout", max: float64(time.Hour), why: "a sane ceiling"},
	{field: "phases.report_interval", max: float64(time.Hour), why: "a sane ceiling"},
	{field: "ramp.start", max: maxMsgRate, maxBytes: maxByteRate, why: "as producers.rate"},
	{field: "ramp.step", max: maxMsgRate, maxBytes: maxByteRate, why: "as producers.rate"},
	{field: "ramp.factor", max: 100, why: "a sane ceiling"},
	{field: "ramp.max", max: maxMsgRate, maxBytes: maxByteRate, why: "as producers.rate"},
	{field: "ramp.step_duration", max: 30 * day, why: "as phases.duration"},
	{field: "ramp.min_achieved_ratio", max: 1, why: "a fraction"},
	{field: "ramp.max_publish_p99", max: float64(time.Minute), why: "latencies are recorded up to 60 s"},
	{field: "ramp.max_error_rate", max: 1, why: "a fraction"},
	{field: "precondition.rate", max: maxMsgRate, maxBytes: maxByteRate, why: "as producers.rate"},
	{field: "precondition.timeout", max: day, why: "burst credits last 5 to 60 minutes; a sane ceiling"},
	{field: "precondition.threshold", max: 1, why: "a fraction"},
	{field: "precondition.window", max: day, why: "as precondition.timeout"},
	{field: "precondition.retention", max: 7 * day, why: "a sane ceiling"},
}

// planField reports whether field belongs to a step's plan (checked on
// every step, with sweep values substituted) rather than to the scenario.
func planField(field string) bool {
	head, _, _ := strings.Cut(field, ".")
	return head == "topics" || head == "producers" || head == "consumers" || head == "phases"
}

// boundChecks reports every value of the fields of root (the Scenario, a
// plan.Plan or a plan.Workload) above its bound, for the bounds whose field
// keep accepts. A field that already has a problem is left alone (its own
// rule said what is wrong).
func (v *validator) boundChecks(root reflect.Value, keep func(field string) bool) {
	for _, b := range bounds {
		if !keep(b.field) {
			continue
		}
		fv := fieldAt(root, b.field)
		if !fv.IsValid() || v.hasProblem(b.field) {
			continue
		}
		for _, x := range numbers(fv) {
			limit := b.max
			if x.bytesPerSec {
				limit = b.maxBytes
			}
			if x.value > limit {
				v.report(b.field+x.sub, "%s is above the limit of %s (%s)", x.text, formatLimit(fv.Type(), limit, x.bytesPerSec), b.why)
			}
		}
	}
}

// hasProblem reports whether a problem was already reported at field (or,
// through a sweep, at the sweep entry standing for it).
func (v *validator) hasProblem(field string) bool {
	shown, _ := v.shownField(field)
	for _, p := range v.problems {
		if p.Field == field || p.Field == shown || strings.HasPrefix(p.Field, field+".") || strings.HasPrefix(p.Field, field+"[") {
			return true
		}
	}
	return false
}

// hasWorkloadProblem is hasProblem for a field of workload i.
func (v *validator) hasWorkloadProblem(i int, field string) bool {
	prev := v.wl
	v.wl = i
	defer func() { v.wl = prev }()
	return v.hasProblem(field)
}

// number is one numeric value of a field: a SizeDist has several.
type number struct {
	sub         string // path below the field, e.g. "[1].size"
	value       float64
	text        string // as the user writes it
	bytesPerSec bool   // a byte rate
}

var (
	durationType = reflect.TypeFor[plan.Duration]()
	sizeType     = reflect.TypeFor[plan.Size]()
	rateType     = reflect.TypeFor[plan.Rate]()
)

// numbers returns the numeric values of fv (a number, Size, Duration, Rate,
// SizeDist, or a pointer to one; nil pointers and max rates have none).
func numbers(fv reflect.Value) []number {
	if fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return nil
		}
		fv = fv.Elem()
	}
	switch fv.Type() {
	case durationType:
		d := fv.Interface().(plan.Duration)
		return []number{{value: float64(d), text: d.String()}}
	case sizeType:
		z := fv.Interface().(plan.Size)
		return []number{{value: float64(z), text: z.String()}}
	case rateType:
		r := fv.Interface().(plan.Rate)
		if r.IsMax() {
			return nil
		}
		return []number{{value: r.PerSec, text: r.String(), bytesPerSec: r.Unit == plan.RateBytes}}
	case sizeDistType:
		d := fv.Interface().(plan.SizeDist)
		var out []number
		for i, w := range d.Weighted {
			out = append(out, number{sub: fmt.Sprintf("[%d].size", i), value: float64(w.Size), text: w.Size.String()})
		}
		for _, z := range []plan.Size{d.Fixed, d.Min, d.Max} {
			if z > 0 {
				out = append(out, number{value: float64(z), text: z.String()})
			}
		}
		return out
	}
	switch fv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return []number{{value: float64(fv.Int()), text: strconv.FormatInt(fv.Int(), 10)}}
	case reflect.Float32, reflect.Float64:
		return []number{{value: fv.Float(), text: strconv.FormatFloat(fv.Float(), 'g', -1, 64)}}
	}
	return nil
}

// formatLimit writes a limit in the unit of the field's type.
func formatLimit(t reflect.Type, limit float64, bytesPerSec bool) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return plan.Duration(limit).String()
	case t == sizeType || t == sizeDistType:
		return plan.Size(limit).String()
	case t == rateType && bytesPerSec:
		return plan.Rate{Unit: plan.RateBytes, PerSec: limit}.String()
	case t == rateType:
		return plan.Rate{Unit: plan.RateMsgs, PerSec: limit}.String()
	}
	return strconv.FormatFloat(limit, 'f', -1, 64)
}

// workloadBounds checks the limits that involve several fields of one
// workload (v.wl says which).
func (v *validator) workloadBounds(w plan.Workload) {
	pr := w.Producers
	if largest := float64(pr.MessageSize.MaxSize()); pr.MaxInFlight > 0 && float64(pr.MaxInFlight)*largest > maxInFlightBytes && !v.hasProblem("producers.max_in_flight") {
		v.report("producers.max_in_flight", "%d in-flight messages of up to %v is more than %v per producer worker; lower producers.max_in_flight or the message size",
			pr.MaxInFlight, pr.MessageSize.MaxSize(), plan.Size(maxInFlightBytes))
	}
}

// stepBounds checks the limits that involve several fields of one step.
func (v *validator) stepBounds(p plan.Plan) {
	ph := p.Phases
	if ph.ReportInterval > 0 && float64(ph.Duration)/float64(ph.ReportInterval) > maxIntervals && !v.hasProblem("phases.report_interval") {
		v.report("phases.report_interval", "%v over phases.duration %v is more than %d intervals; use a longer report_interval", ph.ReportInterval, ph.Duration, maxIntervals)
	}
	if !v.s.Embedded() {
		return
	}
	var total float64
	for i, w := range p.WorkloadList() {
		total += float64(w.Topics.Count) * float64(w.Topics.Partitions)
		if len(p.Workloads) > 0 && v.hasWorkloadProblem(i, "topics.partitions") {
			return // its own bound said what is wrong
		}
	}
	if total <= maxEmbeddedPartitions {
		return
	}
	if len(p.Workloads) == 0 {
		if !v.hasProblem("topics.partitions") {
			v.report("topics.partitions", "%d topics × %d partitions is more than the %d partitions the in-process cluster holds in memory", p.Topics.Count, p.Topics.Partitions, maxEmbeddedPartitions)
		}
		return
	}
	v.report("workloads", "the workloads' topics hold %.0f partitions together, more than the %d partitions the in-process cluster holds in memory", total, maxEmbeddedPartitions)
}

// plannedTime returns the longest the scenario may run, in nanoseconds as a
// float (so that it cannot overflow): every step's warm-up, measured phase
// (or ramp step) and drain, times the ramp steps, plus the precondition.
func (s *Scenario) plannedTime(plans []plan.Plan) float64 {
	rampSteps := max(len(s.RampRates()), 1)
	var total float64
	for _, p := range plans {
		ph := p.Phases
		total += float64(rampSteps) * (float64(ph.Warmup) + float64(ph.Backlog.Duration) + float64(ph.Duration) + float64(ph.DrainTimeout))
	}
	if s.Precondition.Active() {
		total += float64(s.Precondition.Timeout)
	}
	return total
}
