package scenarios

import (
	"strings"
	"testing"

	"github.com/mskbench/mskbench/plan"
)

const twoWorkloads = `name: two
producers: {rate: 100/s, message_size: 200B, acks: 1}
consumers: {groups: 1}
workloads:
  - name: orders
    topics: {partitions: 3}
    producers: {rate: 50/s, keys: {mode: zipf}}
  - name: clicks
    producers:
      headers: {count: 2}
`

// A workload inherits the blocks' fields it does not write, field by
// field; the dependent defaults apply inside the workload.
func TestWorkloadsInherit(t *testing.T) {
	s, err := Parse("two.yaml", []byte(twoWorkloads))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	steps := s.Steps()
	if len(steps) != 1 || len(steps[0].Workloads) != 2 {
		t.Fatalf("steps = %+v", steps)
	}
	o, c := steps[0].Workloads[0], steps[0].Workloads[1]
	if o.Name != "orders" || o.Topics.Partitions != 3 || o.Producers.Rate.PerSec != 50 || o.Producers.Acks != 1 || o.Producers.MessageSize.Fixed != 200 {
		t.Errorf("orders = %+v", o)
	}
	if o.Producers.Keys.Cardinality != defaultCardinality || o.Producers.Keys.Exponent != defaultExponent {
		t.Errorf("orders keys = %+v, want the zipf defaults", o.Producers.Keys)
	}
	if c.Topics.Partitions != plan.Defaults().Topics.Partitions || c.Producers.Rate.PerSec != 100 || c.Producers.Keys.Mode != plan.KeysNone {
		t.Errorf("clicks = %+v, want the blocks' values", c)
	}
	if h := c.Producers.Headers; h.Count != 2 || h.KeySize != defaultHeaderKeySize || h.ValueSize != defaultHeaderValueSize {
		t.Errorf("clicks headers = %+v", h)
	}
	// The plan shares no memory with the scenario.
	steps[0].Workloads[0].Producers.MessageSize.Weighted = append(steps[0].Workloads[0].Producers.MessageSize.Weighted, plan.WeightedSize{})
	if len(s.Steps()[0].Workloads[0].Producers.MessageSize.Weighted) != 0 {
		t.Error("Steps shares memory with the scenario")
	}

	// A scenario without workloads has none in its plans: the engine runs
	// the one implicit workload of its blocks, as before.
	s, err = Parse("one.yaml", []byte("name: one\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Steps()[0]; p.Workloads != nil || len(p.WorkloadList()) != 1 {
		t.Errorf("plan without workloads: %+v", p.Workloads)
	}
}

// A sweep applies to every workload, including one that writes the field.
func TestWorkloadsSweep(t *testing.T) {
	s, err := Parse("two.yaml", []byte(twoWorkloads+"sweep: {rate: [10/s, 20/s], partitions: [2, 4]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	steps := s.Steps()
	if len(steps) != 4 {
		t.Fatalf("%d steps, want 4", len(steps))
	}
	last := steps[3]
	for _, w := range last.Workloads {
		if w.Producers.Rate.PerSec != 20 || w.Topics.Partitions != 4 {
			t.Errorf("step %q workload %s: rate %v, partitions %d; want 20/s, 4", last.Label, w.Name, w.Producers.Rate, w.Topics.Partitions)
		}
	}
	// A swept value that is invalid is reported at the sweep entry, once.
	s, err = Parse("two.yaml", []byte(twoWorkloads+"sweep: {partitions: [2, 0]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(ValidateOptions{})
	if err == nil || err.Error() != "two.yaml:11:25: sweep.partitions[1]: must be at least 1, got 0" {
		t.Errorf("error = %v", err)
	}
}

// --set addresses one workload's field; problems with it are located at
// --set; an empty value makes the workload inherit the field again.
func TestWorkloadsSet(t *testing.T) {
	s, err := Parse("two.yaml", []byte(twoWorkloads))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("workloads[1].producers.rate=7/s"); err != nil {
		t.Fatal(err)
	}
	ws := s.Steps()[0].Workloads
	if ws[1].Producers.Rate.PerSec != 7 || ws[0].Producers.Rate.PerSec != 50 {
		t.Errorf("rates after --set = %v, %v; want 50/s, 7/s", ws[0].Producers.Rate, ws[1].Producers.Rate)
	}
	if err := s.Set("workloads[0].producers.rate="); err != nil {
		t.Fatal(err)
	}
	if r := s.Steps()[0].Workloads[0].Producers.Rate.PerSec; r != 100 {
		t.Errorf("rate after --set workloads[0].producers.rate= is %v, want the inherited 100", r)
	}
	if err := s.Set("workloads[1].producers.compressibility=3"); err != nil {
		t.Fatal(err)
	}
	err = s.Validate(ValidateOptions{})
	if err == nil || err.Error() != "--set: workloads[1].producers.compressibility: must be between 0 and 1, got 3" {
		t.Errorf("error = %v", err)
	}
	for _, tt := range []struct{ expr, want string }{
		{"workloads[2].producers.rate=1/s", "workloads has 2 entries"},
		{"workloads[0].producers.rat=1/s", `did you mean "workloads[0].producers.rate"`},
		{"workloads[0].phases.duration=1s", "unknown field"},
		{"workloads[0].producers.rate=fast", "invalid rate"},
	} {
		before := s.clone()
		if err := s.Set(tt.expr); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Set(%q) = %v, want %q", tt.expr, err, tt.want)
		}
		if s.Steps()[0].Workloads[1].Producers.Rate.PerSec != before.Steps()[0].Workloads[1].Producers.Rate.PerSec {
			t.Errorf("failed Set(%q) changed the scenario", tt.expr)
		}
	}
}

// A catch-up step (a backlog, or an existing topic read from its start)
// has no warm-up unless the file sets one.
func TestCatchUpWarmup(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want plan.Duration
	}{
		{"name: a\nphases: {backlog: {messages: 10}}\n", 0},
		{"name: a\nphases: {warmup: 2s, backlog: {messages: 10}}\n", plan.Duration(2e9)},
		{"name: a\ntopics: {existing: t}\nconsumers: {start: earliest}\n", 0},
		{"name: a\n", plan.Defaults().Phases.Warmup},
	} {
		s, err := Parse("a.yaml", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if s.Phases.Warmup != tt.want {
			t.Errorf("%q: warmup %v, want %v", tt.src, s.Phases.Warmup, tt.want)
		}
	}
}
