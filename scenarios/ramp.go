package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// Ramp is the ramp block: instead of one fixed rate, every sweep point steps
// the offered rate up from Start (adding Step, or multiplying by Factor)
// until a step fails to keep up or Max was run. A step keeps up when it
// acknowledges at least MinAchievedRatio of the offered rate, its publish p99
// is at most MaxPublishP99 (when set) and its error rate at most
// MaxErrorRate. The ramp sets producers.rate: neither producers.rate nor
// sweep.rate may be written with it.
type Ramp struct {
	// Start is the first offered rate (msgs/s or bytes/s, not max).
	Start plan.Rate `json:"start"`
	// Step is added to the rate after each step (linear ramp); nil when
	// Factor is used. Same unit as Start.
	Step *plan.Rate `json:"step,omitempty"`
	// Factor multiplies the rate after each step (geometric ramp, > 1); 0
	// when Step is used.
	Factor float64 `json:"factor,omitempty"`
	// Max is the highest rate tried; it is always the last step, even when
	// the progression jumps over it. Same unit as Start.
	Max plan.Rate `json:"max"`
	// StepDuration is the measured time of each step; 0 = phases.duration.
	StepDuration plan.Duration `json:"step_duration,omitempty"`
	// MinAchievedRatio is the lowest acceptable acked ÷ offered msgs/s
	// (0..1], default report.DefaultMinAchievedRatio (0.995, the rule of
	// AWS's performance-testing framework).
	MinAchievedRatio float64 `json:"min_achieved_ratio"`
	// MaxPublishP99 is the latency target: the highest acceptable publish p99
	// (0 = none).
	MaxPublishP99 plan.Duration `json:"max_publish_p99,omitempty"`
	// MaxErrorRate is the highest acceptable failed ÷ (acked + failed), 0..1,
	// default report.DefaultMaxErrorRate (0.001).
	MaxErrorRate float64 `json:"max_error_rate"`
	// MaxBrokerCPU, when > 0, is the highest acceptable broker CPU: the
	// busiest broker's mean CPU utilisation over the measured phase
	// (broker_cpu_mean), 0..1, written "60%". It needs broker metrics
	// (cluster.monitoring, or the embedded cluster).
	MaxBrokerCPU plan.Percent `json:"max_broker_cpu,omitempty"`
	// StopOnThrottle fails a step in which any broker throttled clients
	// (produce or fetch throttle time > 0) or exceeded its network allowance.
	StopOnThrottle bool `json:"stop_on_throttle,omitempty"`
}

// Criteria returns the conditions each ramp step is judged by
// (report.RampVerdict); the zero criteria when r is nil.
func (r *Ramp) Criteria() report.RampCriteria {
	if r == nil {
		return report.RampCriteria{}
	}
	return report.RampCriteria{
		MinAchievedRatio: r.MinAchievedRatio,
		MaxPublishP99Ms:  float64(r.MaxPublishP99.D()) / float64(time.Millisecond),
		MaxErrorRate:     r.MaxErrorRate,
		MaxBrokerCPU:     float64(r.MaxBrokerCPU),
		StopOnThrottle:   r.StopOnThrottle,
	}
}

// MaxRampSteps bounds the number of rates one ramp may try.
const MaxRampSteps = 100

// PreconditionNone and PreconditionDepleteCredits are the valid values of
// Precondition.Mode.
const (
	PreconditionNone           = "none"
	PreconditionDepleteCredits = "deplete-credits"
)

// Precondition is the precondition block: what to run once before the first
// step. Mode deplete-credits offers Rate (default max) to a topic with short
// retention until the acknowledged throughput, averaged over Window, falls
// below Threshold × its highest such average (the brokers' burst credits
// are spent), or until Timeout. "precondition: deplete-credits" is short for
// "precondition: {mode: deplete-credits}".
type Precondition struct {
	// Mode is none or deplete-credits.
	Mode string `json:"mode"`
	// Rate is the offered rate, default max.
	Rate plan.Rate `json:"rate"`
	// Timeout bounds the precondition, default 60m (bursts last 5 to 60
	// minutes).
	Timeout plan.Duration `json:"timeout"`
	// Threshold is the fraction of the peak below which throughput counts
	// as dropped, in (0, 1); default 0.8.
	Threshold float64 `json:"threshold"`
	// Window is the averaging window of the throughput, default 1m.
	Window plan.Duration `json:"window"`
	// Retention is the retention.ms (and segment.ms) of the precondition
	// topic, default 5m, so that the unthrottled load does not fill the disks.
	Retention plan.Duration `json:"retention"`
}

// Active reports whether p asks for a precondition run.
func (p *Precondition) Active() bool { return p != nil && p.Mode != "" && p.Mode != PreconditionNone }

// Precondition defaults, applied to fields the block leaves out.
const (
	defaultPreconditionTimeout   = 60 * time.Minute
	defaultPreconditionThreshold = 0.8
	defaultPreconditionWindow    = time.Minute
	defaultPreconditionRetention = 5 * time.Minute
)

// finishRamp applies the defaults of the ramp and precondition blocks to the
// fields that were not written.
func (s *Scenario) finishRamp() {
	set := func(p string) bool { _, ok := s.pos[p]; return ok }
	if r := s.Ramp; r != nil {
		if !set("ramp.min_achieved_ratio") {
			r.MinAchievedRatio = report.DefaultMinAchievedRatio
		}
		if !set("ramp.max_error_rate") {
			r.MaxErrorRate = report.DefaultMaxErrorRate
		}
	}
	if p := s.Precondition; p != nil {
		if !set("precondition.mode") && p.Mode == "" {
			p.Mode = PreconditionDepleteCredits
		}
		if !set("precondition.rate") {
			p.Rate = plan.Rate{Unit: plan.RateMax}
		}
		defDur := func(key string, d *plan.Duration, def time.Duration) {
			if !set("precondition." + key) {
				*d = plan.Duration(def)
			}
		}
		defDur("timeout", &p.Timeout, defaultPreconditionTimeout)
		defDur("window", &p.Window, defaultPreconditionWindow)
		defDur("retention", &p.Retention, defaultPreconditionRetention)
		if !set("precondition.threshold") {
			p.Threshold = defaultPreconditionThreshold
		}
	}
}

// RampRates returns the offered rates the ramp tries at each sweep point, in
// order: Start, then Start + k×Step (or Start × Factor^k) while below Max,
// then Max. It returns nil without a ramp, and at most MaxRampSteps+1 rates
// (more means the ramp is too long; Validate reports it).
func (s *Scenario) RampRates() []plan.Rate {
	r := s.Ramp
	if r == nil || r.Start.IsMax() || r.Max.IsMax() || !(r.Start.PerSec > 0) || r.Start.Unit != r.Max.Unit {
		return nil
	}
	const eps = 1e-9
	var out []plan.Rate
	v := r.Start.PerSec
	for k := 0; v < r.Max.PerSec*(1-eps) && len(out) <= MaxRampSteps; k++ {
		out = append(out, plan.Rate{Unit: r.Start.Unit, PerSec: v})
		switch {
		case r.Step != nil && r.Step.PerSec > 0 && r.Step.Unit == r.Start.Unit:
			// Computed from Start, not accumulated, to keep round numbers.
			v = r.Start.PerSec + float64(k+1)*r.Step.PerSec
		case r.Factor > 1:
			v = r.Start.PerSec * math.Pow(r.Factor, float64(k+1))
		default:
			return out // invalid progression; Validate reports it
		}
	}
	if len(out) <= MaxRampSteps {
		out = append(out, r.Max)
	}
	return out
}

// RampStep returns the plan of one ramp step at the sweep point plan: a copy
// with producers.rate set to rate, labelled "<point label> rate=<rate>" and
// with Params["producers.rate"] = rate. The caller sets Index, which must be
// unique in the run (topic names derive from it).
func RampStep(point plan.Plan, rate plan.Rate) plan.Plan {
	p := clonePlan(point)
	p.Producers.Rate = rate
	if p.Params == nil {
		p.Params = map[string]string{}
	}
	p.Params["producers.rate"] = rate.String()
	p.Label = "rate=" + rate.String()
	if point.Label != "" {
		p.Label = point.Label + " " + p.Label
	}
	return p
}

// clonePlan returns a copy of p that shares no maps or slices with it.
func clonePlan(p plan.Plan) plan.Plan {
	p.Brokers = slices.Clone(p.Brokers)
	p.Topics.Configs = maps.Clone(p.Topics.Configs)
	p.Producers.MessageSize = cloneDist(p.Producers.MessageSize)
	p.Params = maps.Clone(p.Params)
	if p.Workloads != nil {
		ws := make([]plan.Workload, len(p.Workloads))
		for i, w := range p.Workloads {
			ws[i] = cloneWorkload(w)
		}
		p.Workloads = ws
	}
	return p
}

// PreconditionPlan returns the plan of the precondition run derived from the
// first step first: one step of the precondition's rate for its timeout
// (no warm-up, no verification) into fresh topics named with the prefix
// "<topics.prefix>precondition-", whose retention.ms and segment.ms are the
// precondition's retention. Consumers are kept as in first, so that fetch
// traffic spends credits as the steps will.
func (s *Scenario) PreconditionPlan(first plan.Plan) plan.Plan {
	pc := s.Precondition
	p := clonePlan(first)
	p.Index = 0
	p.Label = "precondition"
	p.Params = nil
	// The precondition writes into fresh topics of its own: the scenario's
	// blocks, never the workloads' topics.
	p.Workloads = nil
	p.Topics.Existing = ""
	p.Topics.Keep = false
	p.Topics.Prefix = first.Topics.Prefix + "precondition-"
	if p.Topics.Count < 1 {
		p.Topics.Count = 1
	}
	if p.Topics.Configs == nil {
		p.Topics.Configs = map[string]string{}
	}
	if pc != nil {
		ms := fmt.Sprint(pc.Retention.D().Milliseconds())
		p.Topics.Configs["retention.ms"] = ms
		p.Topics.Configs["segment.ms"] = ms
		p.Producers.Rate = pc.Rate
		p.Phases.Duration = pc.Timeout
	}
	p.Phases.Warmup = 0
	p.Verify = false
	return p
}

// rampChecks validates the ramp and precondition blocks.
func (v *validator) rampChecks() {
	s := v.s
	if r := s.Ramp; r != nil {
		const f = "ramp."
		_, hasStart := s.pos[f+"start"]
		_, hasMax := s.pos[f+"max"]
		rate := func(key string, x plan.Rate, written bool) bool {
			switch {
			case !written && x.IsMax():
				v.report(f+key, "missing; want a rate such as 1000/s or 10MB/s")
			case x.IsMax():
				v.report(f+key, "want a rate such as 1000/s or 10MB/s, not max")
			case !(x.PerSec > 0):
				v.report(f+key, "must be greater than 0")
			default:
				return true
			}
			return false
		}
		okStart := rate("start", r.Start, hasStart)
		okMax := rate("max", r.Max, hasMax)
		unitName := func(x plan.Rate) string {
			if x.Unit == plan.RateBytes {
				return "bytes per second"
			}
			return "messages per second"
		}
		if okStart && okMax {
			if r.Max.Unit != r.Start.Unit {
				v.report(f+"max", "%v counts %s but ramp.start (%v) counts %s; use one unit", r.Max, unitName(r.Max), r.Start, unitName(r.Start))
			} else if r.Max.PerSec < r.Start.PerSec {
				v.report(f+"max", "%v is below ramp.start (%v)", r.Max, r.Start)
			}
		}
		switch {
		case r.Step != nil && r.Factor != 0:
			v.report(f+"factor", "give either ramp.step (linear) or ramp.factor (geometric), not both")
		case r.Step == nil && r.Factor == 0:
			v.report(f+"step", "missing; give ramp.step (e.g. 1000/s, added per step) or ramp.factor (e.g. 2, multiplied per step)")
		case r.Step != nil:
			if rate("step", *r.Step, true) && okStart && r.Step.Unit != r.Start.Unit {
				v.report(f+"step", "%v counts %s but ramp.start (%v) counts %s; use one unit", *r.Step, unitName(*r.Step), r.Start, unitName(r.Start))
			}
		case !(r.Factor > 1):
			v.report(f+"factor", "must be greater than 1, got %g", r.Factor)
		}
		if r.StepDuration < 0 {
			v.report(f+"step_duration", "must not be negative (0 = phases.duration)")
		}
		if !(r.MinAchievedRatio > 0 && r.MinAchievedRatio <= 1) {
			v.report(f+"min_achieved_ratio", "must be greater than 0 and at most 1, got %g", r.MinAchievedRatio)
		}
		if r.MaxPublishP99 < 0 {
			v.report(f+"max_publish_p99", "must not be negative (0 = no latency target)")
		}
		if r.MaxErrorRate < 0 || r.MaxErrorRate > 1 {
			v.report(f+"max_error_rate", "must be between 0 and 1, got %g", r.MaxErrorRate)
		}
		if n := len(s.RampRates()); n > MaxRampSteps {
			v.report("ramp", "more than %d steps from ramp.start to ramp.max; use a larger step or factor", MaxRampSteps)
		} else if n > 0 && s.StepCount()*n > MaxSteps {
			v.report("ramp", "%d sweep points × %d ramp steps is more than %d steps; split the sweep into several scenarios", s.StepCount(), n, MaxSteps)
		}
		if _, ok := s.pos["producers.rate"]; ok {
			v.report("producers.rate", "the ramp sets the rate; remove producers.rate (or the ramp block)")
		}
		if len(s.Sweep.Rate) > 0 {
			v.report("sweep.rate", "the ramp sets the rate; remove sweep.rate (or the ramp block)")
		}
		if s.Producers.Workers < 1 && len(s.Sweep.ProducerWorkers) == 0 {
			v.report("producers.workers", "a ramp needs producers; set producers.workers to at least 1")
		}
	}
	if p := s.Precondition; p != nil {
		const f = "precondition."
		switch p.Mode {
		case PreconditionNone, PreconditionDepleteCredits:
		default:
			msg := fmt.Sprintf("unknown precondition %q; want %s or %s", p.Mode, PreconditionDepleteCredits, PreconditionNone)
			if sg := suggest(p.Mode, []string{PreconditionDepleteCredits, PreconditionNone}); sg != "" {
				msg += fmt.Sprintf("; did you mean %q?", sg)
			}
			v.report(f+"mode", "%s", msg)
		}
		if !p.Rate.IsMax() && !(p.Rate.PerSec > 0) {
			v.report(f+"rate", "must be greater than 0; use max for no limit")
		}
		if p.Timeout <= 0 {
			v.report(f+"timeout", "must be greater than 0")
		}
		if p.Window <= 0 {
			v.report(f+"window", "must be greater than 0")
		} else if p.Timeout > 0 && p.Window >= p.Timeout {
			v.report(f+"window", "%v is not shorter than precondition.timeout (%v): the throughput could never be seen to drop", p.Window.D(), p.Timeout.D())
		}
		if !(p.Threshold > 0 && p.Threshold < 1) {
			v.report(f+"threshold", "must be between 0 and 1 (exclusive), got %g", p.Threshold)
		}
		if p.Retention <= 0 {
			v.report(f+"retention", "must be greater than 0")
		}
		if p.Active() && s.Producers.Workers < 1 && len(s.Sweep.ProducerWorkers) == 0 {
			v.report(f+"mode", "deplete-credits needs producers; set producers.workers to at least 1")
		}
	}
}
