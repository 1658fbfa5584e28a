package scenarios

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/mskbench/mskbench/plan"
)

// sweepAxis is one sweep list: its key, the plan field it sets and its
// values (a slice).
type sweepAxis struct {
	key    string // sweep key, e.g. "partitions"
	field  string // plan field path, e.g. "topics.partitions"
	values reflect.Value
}

// n is the number of values.
func (a sweepAxis) n() int { return a.values.Len() }

// text is value i as labels and Params print it ("12", "1KiB", "all").
func (a sweepAxis) text(i int) string { return fmt.Sprint(a.values.Index(i).Interface()) }

// apply sets the plan field of a to value i (Steps clones the plan after):
// in the plan, and for a field of the topics, producers or consumers block
// in every workload too (a sweep applies to every workload, whatever the
// workload writes itself).
func (a sweepAxis) apply(p *plan.Plan, i int) {
	fieldAt(reflect.ValueOf(p).Elem(), a.field).Set(a.values.Index(i))
	if inheritKey(a.field) == "" {
		return
	}
	for w := range p.Workloads {
		fieldAt(reflect.ValueOf(&p.Workloads[w]).Elem(), a.field).Set(a.values.Index(i))
	}
}

// sweepAxes returns every sweep list of s, empty or not, in the order of
// the fields of Sweep.
func (s *Scenario) sweepAxes() []sweepAxis {
	v := reflect.ValueOf(&s.Sweep).Elem()
	var out []sweepAxis
	for _, f := range schemaFields(v.Type()) {
		out = append(out, sweepAxis{key: f.name, field: f.Tag.Get("sweep"), values: v.Field(f.index)})
	}
	return out
}

// axes returns the non-empty sweep lists in their fixed order.
func (s *Scenario) axes() []sweepAxis {
	var out []sweepAxis
	for _, a := range s.sweepAxes() {
		if a.n() > 0 {
			out = append(out, a)
		}
	}
	return out
}

// indices returns, for step number step, the index into each axis: the
// first axis varies slowest.
func indices(axes []sweepAxis, step int) []int {
	idx := make([]int, len(axes))
	for k := len(axes) - 1; k >= 0; k-- {
		idx[k] = step % axes[k].n()
		step /= axes[k].n()
	}
	return idx
}

// MaxSteps is the largest number of steps a sweep may expand to.
const MaxSteps = 1000

// StepCount returns the number of steps Steps returns: the product of the
// lengths of the non-empty sweep lists, 1 without a sweep. It saturates at
// MaxSteps+1, so a count above MaxSteps means "too many".
func (s *Scenario) StepCount() int {
	n := 1
	for _, a := range s.axes() {
		n *= a.n()
		if n > MaxSteps {
			return MaxSteps + 1
		}
	}
	return n
}

// base returns the plan of the scenario without sweep values.
func (s *Scenario) base() plan.Plan {
	t := s.Topics
	t.Configs = maps.Clone(t.Configs)
	pr := s.Producers
	pr.MessageSize = cloneDist(pr.MessageSize)
	ph := s.Phases
	if r := s.Ramp; r != nil {
		// The first ramp rate, so that the plan is valid on its own.
		if !r.Start.IsMax() && r.Start.PerSec > 0 {
			pr.Rate = r.Start
		}
		if r.StepDuration > 0 {
			ph.Duration = r.StepDuration
		}
	}
	return plan.Plan{
		Scenario:  s.Name,
		Brokers:   slices.Clone(s.Cluster.Brokers),
		Topics:    t,
		Producers: pr,
		Consumers: s.Consumers,
		Phases:    ph,
		Verify:    s.Verify,
		Client:    s.Client,
		Workloads: s.workloads(),
	}
}

func cloneDist(d plan.SizeDist) plan.SizeDist {
	d.Weighted = slices.Clone(d.Weighted)
	return d
}

// Steps expands the sweep into one plan per point of the cartesian product
// of the sweep lists, in the fixed order of the fields of Sweep (the first
// varies slowest). Without a sweep it returns one plan with an empty Label.
// Each plan's Label reads "partitions=12 message_size=1KiB" and its Params
// map the plan fields ("topics.partitions") to the same values. The plans
// share no memory with s or each other. Call Validate first: Steps does not
// check values, and returns at most MaxSteps plans.
func (s *Scenario) Steps() []plan.Plan {
	axes := s.axes()
	n := min(s.StepCount(), MaxSteps)
	out := make([]plan.Plan, 0, n)
	for step := range n {
		p := s.base()
		p.Index = step
		if len(axes) > 0 {
			idx := indices(axes, step)
			labels := make([]string, len(axes))
			p.Params = make(map[string]string, len(axes))
			for k, a := range axes {
				a.apply(&p, idx[k])
				text := a.text(idx[k])
				labels[k] = a.key + "=" + text
				p.Params[a.field] = text
			}
			p.Label = strings.Join(labels, " ")
		}
		out = append(out, clonePlan(p))
	}
	return out
}

// sweptFields maps the plan fields step substitutes to the sweep entries
// they come from, e.g. "topics.partitions" → "sweep.partitions[2]".
func (s *Scenario) sweptFields(step int) map[string]string {
	axes := s.axes()
	m := make(map[string]string, len(axes)+2)
	if r := s.Ramp; r != nil {
		m["producers.rate"] = "ramp.start"
		if r.StepDuration > 0 {
			m["phases.duration"] = "ramp.step_duration"
		}
	}
	if len(axes) == 0 {
		return m
	}
	idx := indices(axes, step)
	for k, a := range axes {
		m[a.field] = fmt.Sprintf("sweep.%s[%d]", a.key, idx[k])
	}
	return m
}
