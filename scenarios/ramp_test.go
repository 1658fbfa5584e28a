package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

func TestRampRates(t *testing.T) {
	tests := []struct {
		name string
		ramp string
		want []string
	}{
		// Linear: start + k × step, and max is the last step.
		{"linear", "{start: 1000/s, step: 1000/s, max: 4000/s}", []string{"1000/s", "2000/s", "3000/s", "4000/s"}},
		// Max is tried even when the progression jumps over it.
		{"linear overshoot", "{start: 1000/s, step: 2000/s, max: 4000/s}", []string{"1000/s", "3000/s", "4000/s"}},
		// Geometric: start × factor^k.
		{"geometric", "{start: 1000/s, factor: 2, max: 8000/s}", []string{"1000/s", "2000/s", "4000/s", "8000/s"}},
		{"geometric overshoot", "{start: 1000/s, factor: 3, max: 20000/s}", []string{"1000/s", "3000/s", "9000/s", "20000/s"}},
		// Byte rates stay byte rates.
		{"bytes", "{start: 10MB/s, step: 10MB/s, max: 30MB/s}", []string{"10MB/s", "20MB/s", "30MB/s"}},
		// start == max is a single step.
		{"single", "{start: 5000/s, factor: 2, max: 5000/s}", []string{"5000/s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("r.yaml", []byte("name: r\nramp: "+tt.ramp+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(ValidateOptions{}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range s.RampRates() {
				got = append(got, r.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RampRates() = %v, want %v", got, tt.want)
			}
		})
	}
	if got := Default().RampRates(); got != nil {
		t.Errorf("RampRates() without a ramp = %v, want nil", got)
	}
}

func TestRampParse(t *testing.T) {
	src := `
name: limit
producers: {workers: 4, message_size: 512B}
phases: {warmup: 2s, duration: 30s}
sweep: {partitions: [12, 48]}
ramp:
  start: 2000/s
  step: 2000/s
  max: 10000/s
  step_duration: 10s
  max_publish_p99: 50ms
precondition: deplete-credits
`
	s, err := Parse("limit.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := s.Ramp
	if r == nil || r.Start.String() != "2000/s" || r.Step == nil || r.Step.String() != "2000/s" || r.Max.String() != "10000/s" {
		t.Fatalf("ramp = %+v", r)
	}
	if r.MinAchievedRatio != report.DefaultMinAchievedRatio || r.MaxErrorRate != report.DefaultMaxErrorRate || r.MaxPublishP99.D() != 50*time.Millisecond {
		t.Errorf("ramp defaults: ratio %g, error rate %g, p99 %v", r.MinAchievedRatio, r.MaxErrorRate, r.MaxPublishP99.D())
	}
	p := s.Precondition
	if !p.Active() || p.Mode != PreconditionDepleteCredits || !p.Rate.IsMax() || p.Timeout.D() != time.Hour ||
		p.Threshold != 0.8 || p.Window.D() != time.Minute || p.Retention.D() != 5*time.Minute {
		t.Errorf("precondition short form gave %+v", p)
	}
	plans := s.Steps()
	if len(plans) != 2 {
		t.Fatalf("got %d plans, want one per sweep point", len(plans))
	}
	for _, pl := range plans {
		if pl.Producers.Rate.String() != "2000/s" {
			t.Errorf("plan %s rate = %v, want the ramp's start", pl.Label, pl.Producers.Rate)
		}
		if pl.Phases.Duration.D() != 10*time.Second || pl.Phases.Warmup.D() != 2*time.Second {
			t.Errorf("plan %s phases = %+v, want step_duration 10s and warm-up 2s", pl.Label, pl.Phases)
		}
	}

	st := RampStep(plans[1], plan.Rate{Unit: plan.RateMsgs, PerSec: 6000})
	if st.Label != "partitions=48 rate=6000/s" || st.Params["producers.rate"] != "6000/s" || st.Params["topics.partitions"] != "48" {
		t.Errorf("RampStep label %q params %v", st.Label, st.Params)
	}
	if st.Producers.Rate.String() != "6000/s" {
		t.Errorf("RampStep rate = %v", st.Producers.Rate)
	}
	if _, ok := plans[1].Params["producers.rate"]; ok || plans[1].Producers.Rate.String() != "2000/s" {
		t.Error("RampStep changed the sweep point's plan")
	}
	if got := RampStep(plans[0], plan.Rate{Unit: plan.RateMsgs, PerSec: 1}); got.Label != "partitions=12 rate=1/s" {
		t.Errorf("label %q", got.Label)
	}

	pre := s.PreconditionPlan(plans[0])
	if !strings.HasPrefix(pre.Topics.Prefix, "mskbench-precondition-") || pre.Topics.Configs["retention.ms"] != "300000" ||
		!pre.Producers.Rate.IsMax() || pre.Phases.Duration.D() != time.Hour || pre.Phases.Warmup != 0 || pre.Verify {
		t.Errorf("PreconditionPlan = %+v", pre)
	}
	if plans[0].Topics.Configs != nil {
		t.Error("PreconditionPlan changed the first plan's topic configs")
	}

	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ramp":{"start":"2000/s","step":"2000/s"`, `"precondition":{"mode":"deplete-credits","rate":"max"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s: %s", want, data)
		}
	}

	// Without the blocks nothing changes.
	d, err := Parse("plain.yaml", []byte("name: plain\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Ramp != nil || d.Precondition.Active() {
		t.Errorf("plain scenario has ramp %v, precondition %v", d.Ramp, d.Precondition)
	}
	if data, _ := json.Marshal(d); strings.Contains(string(data), "ramp") || strings.Contains(string(data), "precondition") {
		t.Errorf("JSON of a plain scenario mentions the ramp: %s", data)
	}
}

func TestRampSet(t *testing.T) {
	s, err := Parse("base.yaml", []byte("name: base\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A ramp can be built one field at a time.
	for _, e := range []string{"ramp.start=1000/s", "ramp.factor=2", "ramp.max=4000/s", "precondition=deplete-credits", "precondition.timeout=20m"} {
		if err := s.Set(e); err != nil {
			t.Fatalf("Set(%q): %v", e, err)
		}
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := len(s.RampRates()); got != 3 {
		t.Errorf("%d ramp rates, want 3", got)
	}
	if s.Ramp.MinAchievedRatio != report.DefaultMinAchievedRatio {
		t.Errorf("min_achieved_ratio = %g, want the default", s.Ramp.MinAchievedRatio)
	}
	if p := s.Precondition; p.Mode != PreconditionDepleteCredits || p.Timeout.D() != 20*time.Minute || p.Threshold != 0.8 {
		t.Errorf("precondition = %+v", p)
	}
	// A failed Set leaves the ramp alone.
	before := s.clone()
	if err := s.Set("ramp.factor=two"); err == nil {
		t.Error("Set(ramp.factor=two) accepted")
	}
	if !reflect.DeepEqual(s, before) {
		t.Error("a failed Set changed the scenario")
	}
	// Whole blocks, and removing them.
	if err := s.Set("ramp={start: 10MB/s, step: 5MB/s, max: 20MB/s, max_publish_p99: 20ms}"); err != nil {
		t.Fatal(err)
	}
	if s.Ramp.Factor != 0 || s.Ramp.Step == nil || s.Ramp.MaxPublishP99.D() != 20*time.Millisecond {
		t.Errorf("ramp = %+v", s.Ramp)
	}
	if err := s.Set("ramp="); err != nil || s.Ramp != nil {
		t.Errorf("Set(ramp=) = %v, ramp %v; want no ramp", err, s.Ramp)
	}
	if err := s.Set("precondition=none"); err != nil || s.Precondition.Active() {
		t.Errorf("Set(precondition=none) = %v, active %v", err, s.Precondition.Active())
	}
	// A --set problem is located at the --set.
	if err := s.Set("ramp={start: 1000/s, max: 2000/s}"); err != nil {
		t.Fatal(err)
	}
	err = s.Validate(ValidateOptions{})
	if err == nil || !strings.Contains(err.Error(), "--set: ramp.step: missing; give ramp.step") {
		t.Errorf("Validate = %v", err)
	}
}
