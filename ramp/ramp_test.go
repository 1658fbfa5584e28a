package ramp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
)

// parseScenario parses and validates src.
func parseScenario(t *testing.T, src string) (*scenarios.Scenario, []plan.Plan) {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(scenarios.ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	return s, s.Steps()
}

// fakeCluster answers steps without a cluster: it acknowledges at most
// capacity(plan) msgs/s and reports a publish p99 of 5 ms below capacity and
// 500 ms above it.
type fakeCluster struct {
	capacity func(p plan.Plan) float64
	plans    []plan.Plan
}

func (f *fakeCluster) run(_ context.Context, p plan.Plan, _ func(report.Interval)) (report.Step, error) {
	f.plans = append(f.plans, p)
	offered := p.Producers.Rate.PerSec
	acked, p99 := offered, 5.0
	if c := f.capacity(p); offered > c {
		acked, p99 = c, 500
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(f.plans)) * time.Minute)
	st := report.Step{Index: p.Index, Label: p.Label, Params: p.Params, MeasuredSeconds: 10, Started: start, Ended: start.Add(12 * time.Second)}
	st.Counters = report.Counters{Offered: int64(offered * 10), Acked: int64(acked * 10)}
	st.Throughput = report.Throughput{OfferedMsgsPerSec: offered, MsgsPerSec: acked, MiBPerSec: acked * 1024 / report.MiB}
	st.Latency.Publish = report.LatencySummary{Count: st.Counters.Acked, P99Ms: p99}
	return st, nil
}

const rampSweep = `name: limit
producers: {workers: 2, message_size: 1KiB}
sweep: {partitions: [12, 48]}
ramp: {start: 1000/s, step: 1000/s, max: 6000/s, max_publish_p99: 50ms}
`

// Each sweep point ramps until its capacity is exceeded; the limit is the
// step below, and the next point starts again from ramp.start.
func TestExecutePlansRamp(t *testing.T) {
	s, plans := parseScenario(t, rampSweep)
	fc := &fakeCluster{capacity: func(p plan.Plan) float64 {
		if p.Topics.Partitions == 12 {
			return 2500
		}
		return 5000
	}}
	out, err := Execute(context.Background(), s, plans, fc.run, nil)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for i, st := range out.Steps {
		labels = append(labels, st.Label)
		if st.Index != i {
			t.Errorf("step %d has index %d, want consecutive indexes", i, st.Index)
		}
		if st.Ramp == nil {
			t.Errorf("step %s has no ramp verdict", st.Label)
		}
	}
	want := []string{
		"partitions=12 rate=1000/s", "partitions=12 rate=2000/s", "partitions=12 rate=3000/s",
		"partitions=48 rate=1000/s", "partitions=48 rate=2000/s", "partitions=48 rate=3000/s",
		"partitions=48 rate=4000/s", "partitions=48 rate=5000/s", "partitions=48 rate=6000/s",
	}
	if !reflect.DeepEqual(labels, want) {
		t.Fatalf("steps run:\n%q\nwant\n%q", labels, want)
	}
	if st := out.Steps[2]; st.Ramp.Passed || !strings.Contains(st.Ramp.Reason, "publish p99 500.0 ms above the 50 ms target") ||
		!strings.Contains(st.Ramp.Reason, "83.33% of the offered 3000 msgs/s") {
		t.Errorf("3000/s at 12 partitions: %+v", st.Ramp)
	}
	if len(out.Limits) != 2 {
		t.Fatalf("limits: %+v", out.Limits)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"12 found", out.Limits[0].Found, true},
		{"12 rate", out.Limits[0].Rate, "2000/s"},
		{"12 step", out.Limits[0].Step, 1},
		{"12 stopped at", out.Limits[0].StoppedAt, "3000/s"},
		{"12 point", out.Limits[0].Point, "partitions=12"},
		{"12 msgs/s", out.Limits[0].MsgsPerSec, 2000.0},
		{"48 rate", out.Limits[1].Rate, "5000/s"},
		{"48 step", out.Limits[1].Step, 7},
		{"48 stopped at", out.Limits[1].StoppedAt, "6000/s"},
		{"48 reached max", out.Limits[1].ReachedMax, false},
		{"criteria", out.Limits[0].Criteria, report.RampCriteria{MinAchievedRatio: 0.995, MaxPublishP99Ms: 50, MaxErrorRate: 0.001}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Every step wrote to its own topics: indexes of the plans run are unique.
	seen := map[int]bool{}
	for _, p := range fc.plans {
		if seen[p.Index] {
			t.Errorf("plan index %d run twice", p.Index)
		}
		seen[p.Index] = true
	}

	res := &report.Result{}
	out.Apply(res)
	if len(res.Steps) != 9 || len(res.Limits) != 2 {
		t.Errorf("apply: %d steps, %d limits", len(res.Steps), len(res.Limits))
	}
}

// A step at which the load generator was the bottleneck (or brokers
// throttled it) stops the ramp and is never the limit, even when it acked
// every message: the limit stays the step below, and says what capped it.
func TestExecuteRampStopsAtLimitedStep(t *testing.T) {
	for _, tt := range []struct {
		limit string
		mark  func(*report.Step)
	}{
		{report.LimitGenerator, func(st *report.Step) {
			st.Generator = &report.Generator{CPUUtilization: 0.97, Bottleneck: true}
		}},
		{report.LimitThrottle, func(st *report.Step) {
			st.Throttle = &report.Throttle{ThrottleCounts: report.ThrottleCounts{Responses: 3}}
		}},
	} {
		t.Run(tt.limit, func(t *testing.T) {
			s, plans := parseScenario(t, rampSweep)
			fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }} // the cluster never gives up
			run := func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
				st, err := fc.run(ctx, p, progress)
				if p.Producers.Rate.PerSec >= 3000 { // from 3000/s the generator cannot keep up
					tt.mark(&st)
				}
				return st, err
			}
			var logs []string
			out, err := Execute(context.Background(), s, plans[:1], run, func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Steps) != 3 {
				t.Fatalf("%d steps run, want 3 (1000, 2000, then the capped 3000/s)", len(out.Steps))
			}
			l := out.Limits[0]
			if !l.Found || l.Rate != "2000/s" || l.StoppedAt != "3000/s" || l.CappedBy != tt.limit || l.ReachedMax {
				t.Errorf("limit %+v, want 2000/s, stopped at 3000/s capped by %s", l, tt.limit)
			}
			if st := out.Steps[2]; st.Ramp == nil || st.Ramp.Passed {
				t.Errorf("capped step verdict %+v, want failed", st.Ramp)
			}
			if !strings.Contains(strings.Join(logs, "\n"), "the cluster's limit was not reached") {
				t.Errorf("log %q does not say the cluster's limit was not reached", logs)
			}
			res := &report.Result{}
			out.Apply(res)
			var sum bytes.Buffer
			if err := report.Summary(&sum, res); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sum.String(), "capped the ramp at 3000/s, not the cluster") {
				t.Errorf("summary does not say what capped the ramp:\n%s", sum.String())
			}
		})
	}
}

func TestExecutePlansRampEdges(t *testing.T) {
	t.Run("limit above max", func(t *testing.T) {
		s, plans := parseScenario(t, rampSweep)
		fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }}
		out, err := Execute(context.Background(), s, plans, fc.run, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Steps) != 12 {
			t.Errorf("%d steps, want all 12", len(out.Steps))
		}
		for _, l := range out.Limits {
			if !l.ReachedMax || l.Rate != "6000/s" || l.StoppedAt != "" {
				t.Errorf("limit %+v, want 6000/s reached max", l)
			}
		}
	})
	t.Run("first step fails", func(t *testing.T) {
		s, plans := parseScenario(t, rampSweep)
		fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 500 }}
		out, err := Execute(context.Background(), s, plans, fc.run, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Steps) != 2 {
			t.Errorf("%d steps, want one per point", len(out.Steps))
		}
		for _, l := range out.Limits {
			if l.Found || l.Step != -1 || l.Rate != "" || l.StoppedAt != "1000/s" {
				t.Errorf("limit %+v, want none found", l)
			}
		}
	})
	t.Run("no ramp", func(t *testing.T) {
		s, plans := parseScenario(t, "name: plain\nsweep: {partitions: [1, 2, 3]}\n")
		fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 10 }}
		out, err := Execute(context.Background(), s, plans, fc.run, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Steps) != 3 || out.Limits != nil || out.Steps[2].Ramp != nil || out.Steps[2].Label != "partitions=3" {
			t.Errorf("plain sweep gave %d steps, limits %v", len(out.Steps), out.Limits)
		}
	})
	t.Run("step fails to start", func(t *testing.T) {
		s, plans := parseScenario(t, rampSweep)
		fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }}
		run := func(ctx context.Context, p plan.Plan, pr func(report.Interval)) (report.Step, error) {
			if p.Index == 2 {
				return report.Step{}, errors.New("create topic: boom")
			}
			return fc.run(ctx, p, pr)
		}
		out, err := Execute(context.Background(), s, plans, run, nil)
		if err == nil || err.Error() != "step 3 (partitions=12 rate=3000/s): create topic: boom" {
			t.Errorf("error = %v", err)
		}
		if len(out.Steps) != 2 || len(out.Limits) != 1 || !out.Limits[0].Partial || out.Limits[0].Rate != "2000/s" {
			t.Errorf("after the failure: %d steps, limits %+v", len(out.Steps), out.Limits)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		s, plans := parseScenario(t, rampSweep)
		fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		run := func(ctx context.Context, p plan.Plan, pr func(report.Interval)) (report.Step, error) {
			st, err := fc.run(ctx, p, pr)
			if p.Index == 1 {
				cancel() // Ctrl-C during the second step: it is cut short
				st.Partial = true
			}
			return st, err
		}
		out, err := Execute(ctx, s, plans, run, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Steps) != 2 || len(out.Limits) != 1 {
			t.Fatalf("%d steps, %d limits; want 2 and 1", len(out.Steps), len(out.Limits))
		}
		l := out.Limits[0]
		if !l.Partial || l.Rate != "1000/s" || l.StoppedAt != "" {
			t.Errorf("limit %+v, want partial at 1000/s", l)
		}
		if r := out.Steps[1].Ramp; r == nil || r.Passed || r.Reason != "the step was cut short" {
			t.Errorf("cut-short step verdict %+v", r)
		}
	})
}

// preconditionRun is a fake runner whose precondition run reports intervals
// of mibs[i] MiB/s, one second each, until its context is cancelled; other
// plans are answered by fc.
func preconditionRun(mibs []float64, fc *fakeCluster, got *plan.Plan) StepRunner {
	return func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		if p.Label != "precondition" {
			return fc.run(ctx, p, progress)
		}
		*got = p
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		st := report.Step{Label: p.Label}
		for i, m := range mibs {
			if ctx.Err() != nil {
				st.Partial = true
				break
			}
			iv := report.Interval{Phase: report.PhaseMeasure, Start: start.Add(time.Duration(i) * time.Second),
				End: start.Add(time.Duration(i+1) * time.Second), ElapsedSeconds: float64(i + 1), AckedBytes: int64(m * report.MiB)}
			progress(iv)
			st.MeasuredSeconds = float64(i + 1)
		}
		return st, nil
	}
}

func TestExecutePlansPrecondition(t *testing.T) {
	src := `name: pre
producers: {workers: 2}
topics: {configs: {min.insync.replicas: "2"}}
phases: {warmup: 0s, duration: 10s}
precondition: {mode: deplete-credits, window: 3s, timeout: 1m, threshold: 0.8, retention: 2m}
`
	// 100 MiB/s for 10 s, then 50 MiB/s: the 3 s average falls below 80 MiB/s
	// at the 12th second.
	mibs := make([]float64, 30)
	for i := range mibs {
		mibs[i] = 100
		if i >= 10 {
			mibs[i] = 50
		}
	}
	s, plans := parseScenario(t, src)
	fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }}
	var pre plan.Plan
	out, err := Execute(context.Background(), s, plans, preconditionRun(mibs, fc, &pre), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := out.Precondition
	if p == nil || !p.Depleted || p.Partial {
		t.Fatalf("precondition = %+v, want depleted", p)
	}
	if p.LoadedSeconds != 12 || p.PeakMiBPerSec != 100 || p.FinalMiBPerSec > 80 {
		t.Errorf("loaded %gs, peak %g, final %g; want 12 s, 100, < 80", p.LoadedSeconds, p.PeakMiBPerSec, p.FinalMiBPerSec)
	}
	if !strings.Contains(p.Outcome, "of its peak 100.00 MiB/s") || !strings.Contains(p.Outcome, "after 12s") {
		t.Errorf("outcome %q", p.Outcome)
	}
	if len(out.Steps) != 1 || out.Steps[0].Index != 0 || len(out.Warnings) != 0 {
		t.Errorf("steps %d (index %d), warnings %q", len(out.Steps), out.Steps[0].Index, out.Warnings)
	}
	if pre.Topics.Prefix != "mskbench-precondition-" || pre.Topics.Configs["retention.ms"] != "120000" ||
		pre.Topics.Configs["min.insync.replicas"] != "2" || !pre.Producers.Rate.IsMax() || pre.Phases.Duration.D() != time.Minute {
		t.Errorf("precondition plan %+v", pre)
	}

	// Never dropping: the whole timeout runs and the result warns.
	flat := make([]float64, 20)
	for i := range flat {
		flat[i] = 100
	}
	out, err = Execute(context.Background(), s, plans, preconditionRun(flat, fc, &pre), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := out.Precondition; p.Depleted || p.LoadedSeconds != 20 || !strings.Contains(p.Outcome, "the whole timeout") {
		t.Errorf("precondition = %+v", p)
	}
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "never dropped") {
		t.Errorf("warnings %q", out.Warnings)
	}

	// A precondition that cannot start stops the run.
	bad := func(ctx context.Context, p plan.Plan, pr func(report.Interval)) (report.Step, error) {
		return report.Step{}, errors.New("brokers unreachable")
	}
	out, err = Execute(context.Background(), s, plans, bad, nil)
	if err == nil || !strings.Contains(err.Error(), "precondition deplete-credits: brokers unreachable") || len(out.Steps) != 0 {
		t.Errorf("error %v, %d steps", err, len(out.Steps))
	}
}

func TestDepletion(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration
		mibs   []float64
		want   int // index of the interval at which the drop is seen, -1 = never
	}{
		// A steady rate never drops.
		{"steady", 3 * time.Second, []float64{100, 100, 100, 100, 100, 100}, -1},
		// Ramping up raises the peak; no drop.
		{"rising", 2 * time.Second, []float64{10, 20, 40, 80, 160}, -1},
		// A single slow second inside a 3 s window is smoothed out (avg 83.3).
		{"blip", 3 * time.Second, []float64{100, 100, 100, 50, 100, 100}, -1},
		// A lasting halving: averages 100, 100, 100, 83.3, 66.7 → drop at index 5.
		{"drop", 3 * time.Second, []float64{100, 100, 100, 100, 50, 50, 50}, 5},
		// Nothing is judged before a full window.
		{"short", 5 * time.Second, []float64{100, 10, 10, 10}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &depletion{window: tt.window, threshold: 0.8}
			got := -1
			for i, m := range tt.mibs {
				if d.add(1, m) {
					got = i
					break
				}
			}
			if got != tt.want {
				t.Errorf("dropped at %d, want %d (peak %g, last %g)", got, tt.want, d.peak, d.last)
			}
		})
	}
}

func TestBurstWarning(t *testing.T) {
	tests := []struct {
		instance string
		yaml     string // extra scenario lines
		loaded   time.Duration
		warn     bool
	}{
		{"kafka.m5.large", "", 10 * time.Minute, true},
		{"kafka.m7g.4xlarge", "", 59 * time.Minute, true},
		{"kafka.t3.small", "", time.Minute, true},
		// Long enough to outlast the burst.
		{"kafka.m5.large", "", 61 * time.Minute, false},
		// 8xlarge and larger have sustained bandwidth.
		{"kafka.m5.8xlarge", "", time.Minute, false},
		{"kafka.m7g.16xlarge", "", time.Minute, false},
		// Unknown type: say nothing.
		{"", "", time.Minute, false},
		{"kafka.x9.large", "", time.Minute, false},
		// A precondition depletes the credits first.
		{"kafka.m5.large", "precondition: deplete-credits\n", time.Minute, false},
	}
	for _, tt := range tests {
		src := "name: b\ncluster: {brokers: [\"b-1.example.com:9092\"], broker_count: 3, instance_type: \"" + tt.instance + "\"}\n" + tt.yaml
		s, err := scenarios.Parse("b.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		w := burstWarning(s, tt.loaded)
		if (w != "") != tt.warn {
			t.Errorf("%s %v %q: warning %q, want warning %v", tt.instance, tt.loaded, tt.yaml, w, tt.warn)
		}
		if w != "" && (!strings.Contains(w, tt.instance) || !strings.Contains(w, "precondition: deplete-credits")) {
			t.Errorf("warning %q does not name the type and the fix", w)
		}
	}
	// The embedded cluster never warns.
	s, _ := parseScenario(t, "name: e\ncluster: {instance_type: kafka.m5.large}\n")
	if w := burstWarning(s, time.Second); w != "" {
		t.Errorf("embedded: %q", w)
	}
}

// plannedLoad multiplies by the ramp steps: the warning before the run is
// about the longest the run could take.
func TestPlannedLoad(t *testing.T) {
	s, plans := parseScenario(t, "name: p\nphases: {warmup: 5s, duration: 55s}\nsweep: {partitions: [1, 2]}\nramp: {start: 1/s, factor: 2, max: 4/s}\n")
	if got, want := plannedLoad(s, plans, len(s.RampRates())), 6*time.Minute; got != want {
		t.Errorf("plannedLoad = %v, want %v", got, want)
	}
}

// recordCap makes a kfake cluster accept at most perSec produced records per
// second: each produce request is held until the records before it, at that
// rate, have been accepted (a pipe of fixed capacity), then handled normally.
type recordCap struct {
	perSec float64
	mu     sync.Mutex
	free   time.Time // when the pipe is free again
}

// reserve books n records and returns how long their request must wait.
func (c *recordCap) reserve(n int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.free.Before(now) {
		c.free = now
	}
	c.free = c.free.Add(time.Duration(float64(n) / c.perSec * float64(time.Second)))
	return c.free.Sub(now)
}

// install adds the cap to kc as a control on Produce requests.
func (c *recordCap) install(kc *kfake.Cluster) {
	kc.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		n := 0
		for _, t := range req.(*kmsg.ProduceRequest).Topics {
			for _, p := range t.Partitions {
				n += batchRecords(p.Records)
			}
		}
		if wait := c.reserve(n); wait > 0 {
			kc.SleepControl(func() { time.Sleep(wait) })
		}
		return nil, nil, false // now let the cluster handle it
	})
}

// batchRecords counts the records of the record batches in b (magic v2:
// batch length at bytes 8..12, record count at 57..61).
func batchRecords(b []byte) int {
	n := 0
	for len(b) >= 61 {
		n += int(int32(binary.BigEndian.Uint32(b[57:61])))
		next := 12 + int(int32(binary.BigEndian.Uint32(b[8:12])))
		if next <= 0 || next > len(b) {
			break
		}
		b = b[next:]
	}
	return n
}

// On the embedded cluster capped at 240 records/s, a ramp of 100, 200, 300,
// ... msgs/s keeps up at 200/s and stops at 300/s. The rates are low enough
// that a loaded machine sends them on time; what is asserted holds whatever
// the machine's speed: the verdicts, and that the 300/s step acknowledged no
// more than the cap lets through (a slow machine can only lower that).
func TestSleepControlRampStopsAtEmbeddedCap(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	if testing.Short() {
		t.Skip("runs load for about 10 s")
	}
	const capPerSec = 240
	c := embedded.ForTest(t, 1)
	(&recordCap{perSec: capPerSec}).install(c.Kfake())
	src := fmt.Sprintf(`name: cap
cluster: {brokers: [%q]}
topics: {partitions: 3, replication_factor: 1}
producers: {workers: 1, message_size: 200B, linger: 2ms, max_in_flight: 2000}
consumers: {groups: 0}
phases: {warmup: 500ms, duration: 3s, drain_timeout: 5s}
verify: false
ramp: {start: 100/s, step: 100/s, max: 500/s, min_achieved_ratio: 0.9}
`, c.Addrs()[0])
	s, plans := parseScenario(t, src)
	conn := &auth.Conn{Brokers: c.Addrs(), Mechanism: "none"}
	run := func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		return load.Run(ctx, p, conn, load.Options{RunID: "ramp", Progress: progress, Logf: t.Logf})
	}
	out, err := Execute(context.Background(), s, plans, run, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range out.Steps {
		got = append(got, fmt.Sprintf("%s passed=%v", st.Label, st.Ramp.Passed))
		t.Logf("%s: offered %.0f acked %.0f msgs/s, p99 %.1f ms: %s", st.Label, st.Throughput.OfferedMsgsPerSec,
			st.Throughput.MsgsPerSec, st.Latency.Publish.P99Ms, st.Ramp.Reason)
	}
	want := []string{"rate=100/s passed=true", "rate=200/s passed=true", "rate=300/s passed=false"}
	l := out.Limits[0]
	// A machine too busy to send even these rates on time makes a step
	// generator bound: then the ramp must stop there, capped by the
	// generator, with every step before it passed and the limit below it.
	if last := out.Steps[len(out.Steps)-1]; last.LimitedBy() == report.LimitGenerator && len(got) <= 3 {
		t.Logf("this machine was too busy: %s was generator bound (%+v)", last.Label, *last.Generator)
		if !reflect.DeepEqual(got[:len(got)-1], want[:len(got)-1]) || last.Ramp.Passed || l.CappedBy != report.LimitGenerator || l.StoppedAt != last.Ramp.Rate {
			t.Fatalf("ramp steps %q, limit %+v; want %q up to the generator-bound step, capped by the generator there", got, l, want)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ramp steps:\n%q\nwant\n%q", got, want)
	}
	if !l.Found || l.Rate != "200/s" || l.StoppedAt != "300/s" || l.Step != 1 || l.ReachedMax {
		t.Errorf("limit %+v, want 200/s, stopped at 300/s", l)
	}
	// The cap stopped the ramp: the 300/s step acknowledged at most what the
	// cap lets through (plus one batch of slack).
	if tp := out.Steps[2].Throughput; tp.MsgsPerSec > capPerSec*1.1 {
		t.Errorf("300/s step acked %.0f msgs/s, more than the %d/s cap allows", tp.MsgsPerSec, capPerSec)
	}
}

func TestDescribeRamp(t *testing.T) {
	s, _ := parseScenario(t, rampSweep+"precondition: {mode: deplete-credits, timeout: 30m}\n")
	got := strings.Join(Describe(s), "\n")
	for _, want := range []string{
		"precondition deplete-credits: rate max into a topic with 5m0s retention until the throughput (averaged over 1m0s) falls below 80% of its peak, at most 30m0s",
		"up to 6 rates, stopping at the first that does not keep up: 1000/s, 2000/s, 3000/s, 4000/s, 5000/s, 6000/s",
		"ramp criteria: acked ≥ 99.5% of offered, publish p99 ≤ 50 ms, error rate ≤ 0.1%",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe lacks %q:\n%s", want, got)
		}
	}
	plain, _ := parseScenario(t, "name: plain\n")
	if got := Describe(plain); got != nil {
		t.Errorf("Describe without ramp = %q", got)
	}
}

// With a credit probe the precondition ends when CloudWatch shows a
// broker's BurstBalance spent, even though the throughput never drops; the
// record names the signal. The probe's figures are returned in order.
func TestPreconditionEndsOnBurstBalance(t *testing.T) {
	src := `name: pre
producers: {workers: 2}
phases: {warmup: 0s, duration: 10s}
precondition: {mode: deplete-credits, window: 3s, timeout: 1h}
`
	s, plans := parseScenario(t, src)
	fc := &fakeCluster{capacity: func(plan.Plan) float64 { return 1e9 }}
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	balances := []float64{0.50, 0.12, 0.005}
	var reads atomic.Int32
	probe := func(ctx context.Context) (report.BrokerMetrics, error) {
		i := min(int(reads.Add(1))-1, len(balances)-1)
		return report.BrokerMetrics{Source: report.BrokerSourceCloudWatch, Brokers: []report.BrokerSeries{
			{ID: 1, Samples: []report.BrokerSample{{Start: t0, End: t0.Add(time.Minute), BurstBalance: fp(0.9)}}},
			{ID: 2, Samples: []report.BrokerSample{{Start: t0, End: t0.Add(time.Minute), BurstBalance: fp(balances[i])}}},
		}}, nil
	}
	// The precondition run loads at a steady 100 MiB/s until cancelled.
	run := func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		if p.Label != "precondition" {
			return fc.run(ctx, p, progress)
		}
		<-ctx.Done()
		return report.Step{Label: p.Label, Partial: true, MeasuredSeconds: 3}, nil
	}
	out, err := ExecuteWith(context.Background(), s, plans, run, t.Logf, Options{Credits: probe, CreditsEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Precondition
	if p == nil || !p.Depleted || p.Signal != report.PreconditionSignalBurstBalance || p.Partial {
		t.Fatalf("precondition %+v, want depleted by burst_balance", p)
	}
	if !strings.Contains(p.Outcome, "broker 2's BurstBalance fell to 0.5% (cloudwatch)") {
		t.Errorf("outcome %q", p.Outcome)
	}
	if got := reads.Load(); got < 3 {
		t.Errorf("%d reads, want the probe read until the balance was spent (3)", got)
	}
	if len(out.Steps) != 1 || len(out.Warnings) != 0 {
		t.Errorf("steps %d, warnings %q", len(out.Steps), out.Warnings)
	}
}

func TestCreditsSpent(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(min int, set func(*report.BrokerSample)) report.BrokerSample {
		s := report.BrokerSample{Start: t0.Add(time.Duration(min) * time.Minute), End: t0.Add(time.Duration(min+1) * time.Minute)}
		set(&s)
		return s
	}
	tests := []struct {
		name   string
		series []report.BrokerSeries
		spent  bool
		signal string
		why    string
	}{
		{"no figures", nil, false, "", ""},
		{"the latest balance counts", []report.BrokerSeries{{ID: 1, Samples: []report.BrokerSample{
			at(1, func(s *report.BrokerSample) { s.BurstBalance = fp(0.3) }),
			at(0, func(s *report.BrokerSample) { s.BurstBalance = fp(0) }),
		}}}, false, "", ""},
		{"spent balance", []report.BrokerSeries{{ID: 3, Samples: []report.BrokerSample{
			at(0, func(s *report.BrokerSample) { s.BurstBalance = fp(0.2) }),
			at(1, func(s *report.BrokerSample) { s.BurstBalance = fp(0.01) }),
		}}}, true, report.PreconditionSignalBurstBalance, "broker 3's BurstBalance fell to 1%"},
		{"allowance exceeded", []report.BrokerSeries{{ID: 2, Samples: []report.BrokerSample{
			at(0, func(s *report.BrokerSample) { s.BurstBalance, s.BwOutAllowanceExceeded = fp(0.8), fp(1234) }),
		}}}, true, report.PreconditionSignalAllowanceExceeded, "broker 2 exceeded its outbound network allowance (1234 packets"},
	}
	for _, tt := range tests {
		r := creditsSpent(report.BrokerMetrics{Source: "cloudwatch", Brokers: tt.series})
		if r.spent != tt.spent || r.signal != tt.signal || !strings.Contains(r.why, tt.why) {
			t.Errorf("%s: %+v, want spent %t, %s, %q", tt.name, r, tt.spent, tt.signal, tt.why)
		}
	}
}

func fp(v float64) *float64 { return &v }
