// Package ramp runs the plans of a scenario in order and owns the logic
// above single steps: the ramp search for the highest offered rate a
// cluster sustains (report.RampVerdict per step, a report.Limit per sweep
// point), the deplete-credits precondition with its throughput-drop
// detector, the burst-credit warning for brokers with "up to" bandwidth,
// and the text that describes them (mskbench validate).
//
// It reaches the engine only through a [StepRunner] callback, so its tests
// run against fakes as well as an in-process cluster. It imports plan,
// report, scenarios and sizing, and must not import cmd (nor load or auth:
// the caller's runner brings those).
package ramp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
	"github.com/mskbench/mskbench/sizing"
)

// StepRunner runs one plan to completion, as load.Run does with the run's
// connection and options, and returns its step (an error only when the step
// could not start). When progress is not nil it must be called with every
// interval, from one goroutine (in addition to whatever the runner prints
// itself); cancelling ctx cuts the step short, partial.
type StepRunner func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error)

// Outcome is what [Execute] ran and found; [Outcome.Apply] copies it into
// the result.
type Outcome struct {
	// Steps are the steps run, in order; Step.Index is their position.
	Steps []report.Step
	// Limits holds one entry per sweep point of a scenario with a ramp.
	Limits []report.Limit
	// Precondition is the record of the precondition run, nil without one.
	Precondition *report.Precondition
	// Warnings are run-level warnings (burst credits, precondition).
	Warnings []string
}

// Apply records o in res: steps, limits, precondition and warnings.
func (o Outcome) Apply(res *report.Result) {
	res.Steps = append(res.Steps, o.Steps...)
	res.Limits = append(res.Limits, o.Limits...)
	if o.Precondition != nil {
		res.Precondition = o.Precondition
	}
	res.Warnings = append(res.Warnings, o.Warnings...)
}

// Execute runs the plans of s (from s.Steps()) in order with run and
// returns every step run. Steps get consecutive indexes (topic and group
// names derive from them, so every step writes to fresh topics).
//
// With an active precondition, it first runs s.PreconditionPlan of the first
// plan (see runPrecondition). With a ramp, each plan is a sweep point whose
// offered rate takes the values of s.RampRates() in turn, each step labelled
// "<point> rate=<rate>", until a step fails report.RampVerdict; the highest
// rate that passed is the point's report.Limit. A step the load generator
// or broker throttling limited (report.Step.LimitedBy) fails the verdict
// and stops the ramp with Limit.CappedBy set: it is never the limit.
//
// A step that fails to start returns the steps so far and an error naming
// it. When ctx is cancelled, it returns what was run so far and a nil error
// (the partial step included, its limit marked partial); the caller checks
// ctx.Err(). logf receives progress messages.
func Execute(ctx context.Context, s *scenarios.Scenario, plans []plan.Plan, run StepRunner, logf func(string, ...any)) (Outcome, error) {
	return ExecuteWith(ctx, s, plans, run, logf, Options{})
}

// ExecuteWith is [Execute] with the optional hooks of opts (the brokers'
// burst credits for the precondition).
func ExecuteWith(ctx context.Context, s *scenarios.Scenario, plans []plan.Plan, run StepRunner, logf func(string, ...any), opts Options) (Outcome, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var out Outcome
	if len(plans) == 0 {
		return out, nil
	}
	rates := s.RampRates()
	if w := burstWarning(s, plannedLoad(s, plans, len(rates))); w != "" {
		logf("warning: %s", w)
	}
	if s.Precondition.Active() {
		pre, warn, err := runPrecondition(ctx, s, plans[0], run, logf, opts)
		out.Precondition = pre
		if warn != "" {
			out.Warnings = append(out.Warnings, warn)
		}
		if err != nil || ctx.Err() != nil {
			return out, err
		}
	}

	index := 0
	// step runs p as the next step; recorded reports whether a step was
	// appended to out.Steps (not when it failed to start or ctx was
	// cancelled during its setup).
	step := func(p plan.Plan) (recorded bool, err error) {
		p.Index = index
		st, err := run(ctx, p, nil)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, fmt.Errorf("step %d (%s): %w", index+1, p.Name(), err)
		}
		index++
		out.Steps = append(out.Steps, st)
		return true, nil
	}

	crit := s.Ramp.Criteria()
	for _, point := range plans {
		if ctx.Err() != nil {
			break
		}
		if s.Ramp == nil {
			if _, err := step(point); err != nil {
				return out, err
			}
			continue
		}
		limit := report.Limit{Point: point.Label, Params: point.Params, Criteria: crit, Step: -1}
		for k, rate := range rates {
			if ctx.Err() != nil {
				limit.Partial = true
				break
			}
			recorded, err := step(scenarios.RampStep(point, rate))
			if err != nil || !recorded {
				limit.Partial = true
				if err != nil {
					out.Limits = append(out.Limits, limit)
					return out, err
				}
				break
			}
			last := &out.Steps[len(out.Steps)-1]
			passed, reason := report.RampVerdict(*last, crit)
			last.Ramp = &report.RampStep{Point: point.Label, Rate: rate.String(), AchievedRatio: last.AchievedRatio(), Passed: passed, Reason: reason}
			if last.Partial {
				limit.Partial = true
				break
			}
			if !passed {
				limit.StoppedAt, limit.StopReason, limit.CappedBy = rate.String(), reason, last.LimitedBy()
				if limit.CappedBy != "" {
					logf("ramp %s: stopped at %s: %s: the cluster's limit was not reached", point.Name(), rate, report.LimitText(limit.CappedBy))
				} else {
					logf("ramp %s: %s does not keep up: %s", point.Name(), rate, reason)
				}
				break
			}
			logf("ramp %s: %s keeps up (%s%% acked)", point.Name(), rate, strconv.FormatFloat(last.AchievedRatio()*100, 'f', 2, 64))
			limit.Found, limit.Rate, limit.Step = true, rate.String(), last.Index
			limit.OfferedMsgsPerSec = last.Throughput.OfferedMsgsPerSec
			limit.MsgsPerSec, limit.MiBPerSec = last.Throughput.MsgsPerSec, last.Throughput.MiBPerSec
			limit.PublishP99Ms = last.Latency.Publish.P99Ms
			limit.ReachedMax = k == len(rates)-1
		}
		switch {
		case limit.Partial:
		case limit.Found:
			logf("ramp %s: max sustainable rate %s", point.Name(), limit.Rate)
		default:
			logf("ramp %s: not even %s keeps up", point.Name(), rates[0])
		}
		out.Limits = append(out.Limits, limit)
		if limit.Partial {
			break
		}
	}
	var loaded time.Duration
	for _, st := range out.Steps {
		loaded += st.Ended.Sub(st.Started)
	}
	if w := burstWarning(s, loaded); w != "" {
		out.Warnings = append(out.Warnings, w)
	}
	return out, nil
}

// errCreditsDepleted ends the precondition run when the throughput dropped.
var errCreditsDepleted = errors.New("precondition: throughput dropped, burst credits depleted")

// runPrecondition runs the deplete-credits precondition: s.PreconditionPlan
// of the first plan (unthrottled load on a short-retention topic), watching
// the acknowledged throughput of every measured interval, and cancels it
// when the average over precondition.window falls below
// precondition.threshold × the highest such average, or lets it end at
// precondition.timeout. It returns the record of what happened and, when the
// throughput never dropped, a warning for the result. An error is returned
// only when the run could not start (and ctx was not cancelled).
func runPrecondition(ctx context.Context, s *scenarios.Scenario, first plan.Plan, run StepRunner, logf func(string, ...any), opts Options) (*report.Precondition, string, error) {
	pc := s.Precondition
	pre := s.PreconditionPlan(first)
	det := &depletion{window: pc.Window.D(), threshold: pc.Threshold}
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	credits := watchCredits(pctx, opts, func() { cancel(errBrokerCreditsSpent) }, logf)
	var droppedAfter float64
	progress := func(iv report.Interval) {
		if iv.Phase != report.PhaseMeasure || det.dropped {
			return
		}
		if det.add(iv.End.Sub(iv.Start).Seconds(), float64(iv.AckedBytes)/report.MiB) {
			droppedAfter = iv.ElapsedSeconds
			cancel(errCreditsDepleted)
		}
	}
	logf("precondition %s: offering %s into a topic with %s retention until the acknowledged throughput "+
		"(averaged over %s) falls below %s%% of its peak, for at most %s",
		pc.Mode, pc.Rate, pc.Retention.D(), pc.Window.D(), strconv.FormatFloat(pc.Threshold*100, 'f', -1, 64), pc.Timeout.D())
	started := time.Now().UTC()
	st, err := run(pctx, pre, progress)
	cr := credits.stop()
	rec := &report.Precondition{
		Mode:           pc.Mode,
		Started:        started,
		Ended:          time.Now().UTC(),
		LoadedSeconds:  st.MeasuredSeconds,
		Threshold:      pc.Threshold,
		PeakMiBPerSec:  det.peak,
		FinalMiBPerSec: det.last,
		Depleted:       det.dropped || cr.spent,
	}
	loaded := time.Duration(rec.LoadedSeconds * float64(time.Second)).Round(time.Second)
	peak := fmt.Sprintf("%.2f MiB/s", det.peak)
	switch {
	case err != nil && ctx.Err() == nil:
		rec.Partial = true
		rec.Outcome = "failed to start: " + err.Error()
		return rec, "", fmt.Errorf("precondition %s: %w", pc.Mode, err)
	case ctx.Err() != nil:
		rec.Partial = true
		rec.Outcome = fmt.Sprintf("interrupted after %s (peak %s, last %.2f MiB/s)", loaded, peak, det.last)
		return rec, "", nil
	case cr.spent && !det.dropped:
		rec.Signal = cr.signal
		rec.Outcome = fmt.Sprintf("%s after %s (throughput peak %s, last %.2f MiB/s): burst credits taken as spent", cr.why, loaded, peak, det.last)
		logf("precondition %s: %s", pc.Mode, rec.Outcome)
		return rec, "", nil
	case det.dropped:
		rec.Signal = report.PreconditionSignalThroughput
		rec.Outcome = fmt.Sprintf("throughput fell to %.2f MiB/s, %.1f%% of its peak %s (averages over %s), after %s: burst credits taken as spent",
			det.last, 100*det.last/det.peak, peak, pc.Window.D(), time.Duration(droppedAfter*float64(time.Second)).Round(time.Second))
		logf("precondition %s: %s", pc.Mode, rec.Outcome)
		return rec, "", nil
	default:
		rec.Outcome = fmt.Sprintf("throughput stayed at or above %s%% of its peak %s for %s, the whole timeout",
			strconv.FormatFloat(pc.Threshold*100, 'f', -1, 64), peak, loaded)
		if cr.last != "" {
			rec.Outcome += "; " + cr.last
		}
		logf("precondition %s: %s", pc.Mode, rec.Outcome)
		warn := fmt.Sprintf("precondition %s: the throughput never dropped within %s: the brokers may still have burst credits "+
			"(raise precondition.timeout) or never burst at this load; the steps may measure burst capacity", pc.Mode, pc.Timeout.D())
		return rec, warn, nil
	}
}

// depletion detects the drop of throughput that marks spent burst credits:
// it averages the acknowledged MiB/s over the most recent intervals that
// cover window, and reports a drop once that average is below threshold ×
// the highest average seen. It is not safe for concurrent use.
type depletion struct {
	window    time.Duration
	threshold float64

	samples []sample // most recent intervals, covering at least window when full
	peak    float64  // highest windowed average, MiB/s
	last    float64  // latest windowed average, MiB/s
	dropped bool
}

type sample struct{ secs, mib float64 }

// add records an interval of secs seconds in which mib MiB were
// acknowledged and reports whether the throughput has dropped.
func (d *depletion) add(secs, mib float64) bool {
	if secs <= 0 || d.dropped {
		return d.dropped
	}
	d.samples = append(d.samples, sample{secs, mib})
	total := 0.0
	for _, s := range d.samples {
		total += s.secs
	}
	win := d.window.Seconds()
	// Drop the oldest intervals the rest still cover the window without.
	for len(d.samples) > 1 && total-d.samples[0].secs >= win {
		total -= d.samples[0].secs
		d.samples = d.samples[1:]
	}
	if total < win*0.999 {
		return false // not a full window yet
	}
	sum := 0.0
	for _, s := range d.samples {
		sum += s.mib
	}
	d.last = sum / total
	d.peak = max(d.peak, d.last)
	d.dropped = d.peak > 0 && d.last < d.threshold*d.peak
	return d.dropped
}

// burstWindow is the longest time brokers with "up to" bandwidth burst
// above their baseline (AWS: typically 5 to 60 minutes).
const burstWindow = 60 * time.Minute

// burstWarning returns a warning when s's brokers (cluster.instance_type)
// have "up to" network and EBS bandwidth — Standard brokers of 4xlarge and
// smaller, found in the sizing catalogue — and loaded, how long the run
// loads the cluster, is shorter than their burst window, so that the
// results may measure burst rather than sustained capacity. It returns ""
// for the embedded cluster, an unknown or larger instance type, and when an
// active precondition depletes the credits.
func burstWarning(s *scenarios.Scenario, loaded time.Duration) string {
	it := s.Cluster.InstanceType
	if s.Embedded() || it == "" || s.Precondition.Active() || loaded >= burstWindow || !burstable(it) {
		return ""
	}
	return fmt.Sprintf("%s brokers have \"up to\" network and EBS bandwidth that bursts for 5 to 60 minutes; "+
		"this run loads the cluster for %s, so it may measure burst, not sustained, capacity: "+
		"add \"precondition: deplete-credits\" to the scenario or load the cluster for more than %s",
		it, loaded.Round(time.Second), burstWindow)
}

// burstable reports whether the MSK instance type name is a Standard broker
// of 4xlarge or smaller (the sizes EC2 gives "up to" bandwidth).
func burstable(name string) bool {
	cat, err := sizing.DefaultCatalog()
	if err != nil {
		return false
	}
	t, ok := cat.Lookup(name)
	if !ok || t.Kind != sizing.KindStandard {
		return false
	}
	size := name[strings.LastIndexByte(name, '.')+1:]
	switch size {
	case "nano", "micro", "small", "medium", "large", "xlarge":
		return true
	}
	n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
	return err == nil && strings.HasSuffix(size, "xlarge") && n <= 4
}

// plannedLoad is the longest time the plans load the cluster: warm-up plus
// measured phase of every step, with rampSteps steps per plan for a ramp.
func plannedLoad(s *scenarios.Scenario, plans []plan.Plan, rampSteps int) time.Duration {
	var d time.Duration
	for _, p := range plans {
		d += p.Phases.Warmup.D() + p.Phases.Duration.D()
	}
	if s.Ramp != nil && rampSteps > 0 {
		d *= time.Duration(rampSteps)
	}
	return d
}

// Describe returns the lines `mskbench validate` prints after the steps
// of a scenario with a ramp or a precondition: the rates each sweep point
// tries and the criteria, and what runs before the first step. It returns
// nil when the scenario has neither.
func Describe(s *scenarios.Scenario) []string {
	var lines []string
	if p := s.Precondition; p.Active() {
		lines = append(lines, fmt.Sprintf("precondition %s: rate %s into a topic with %s retention until the throughput "+
			"(averaged over %s) falls below %s%% of its peak, at most %s",
			p.Mode, p.Rate, p.Retention.D(), p.Window.D(), strconv.FormatFloat(p.Threshold*100, 'f', -1, 64), p.Timeout.D()))
	}
	if s.Ramp != nil {
		rates := s.RampRates()
		texts := make([]string, len(rates))
		for i, r := range rates {
			texts[i] = r.String()
		}
		lines = append(lines,
			fmt.Sprintf("ramp: each step above runs at up to %d rates, stopping at the first that does not keep up: %s",
				len(rates), strings.Join(texts, ", ")),
			"ramp criteria: "+s.Ramp.Criteria().String())
	}
	return lines
}
