package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParseCheck(t *testing.T) {
	tests := []struct {
		expr      string
		aggregate string
		op        string
		value     float64
	}{
		// Friendly aliases read as publish latency; the default unit is ms.
		{"p99 < 20ms", "publish_p99_ms", "<", 20},
		{"p99<20", "publish_p99_ms", "<", 20},
		{"P50 <= 1.5s", "publish_p50_ms", "<=", 1500},
		{"max < 500us", "publish_max_ms", "<", 0.5},
		{"max < 500µs", "publish_max_ms", "<", 0.5},
		{"p99.9 < 1m", "publish_p999_ms", "<", 60000},
		{"p99.99 < 30", "publish_p9999_ms", "<", 30},
		{"avg < 3ms", "publish_mean_ms", "<", 3},
		// Prefixes select the other latencies; blanks and '-' read as '_'.
		{"e2e_p99 <= 50ms", "end_to_end_p99_ms", "<=", 50},
		{"e2e p99 <= 50ms", "end_to_end_p99_ms", "<=", 50},
		{"publish p99 < 20ms", "publish_p99_ms", "<", 20},
		{"svc-p99.9 < 10", "service_p999_ms", "<", 10},
		{"send delay p99 < 10ms", "send_delay_p99_ms", "<", 10},
		{"delay_max < 1s", "send_delay_max_ms", "<", 1000},
		{"e2e count > 0", "end_to_end_count", ">", 0},
		{"pub_count > 0", "publish_count", ">", 0},
		// Canonical names are accepted as they are.
		{"publish_p99_ms < 20", "publish_p99_ms", "<", 20},
		{"end_to_end_p50_ms > 0", "end_to_end_p50_ms", ">", 0},
		// Error rate is a fraction; % converts.
		{"error_rate == 0", "error_rate", "==", 0},
		{"error_rate < 0.5%", "error_rate", "<", 0.005},
		// Rates and counts.
		{"msgs_per_sec >= 4950", "msgs_per_sec", ">=", 4950},
		{"msgs_per_sec >= 4950/s", "msgs_per_sec", ">=", 4950},
		{"mib_per_sec > 4.5 MiB/s", "mib_per_sec", ">", 4.5},
		{"lag == 0", "lag", "==", 0},
		{"failed != 1", "failed", "!=", 1},
		{"behind_schedule <= 1e3", "behind_schedule", "<=", 1000},
		{"measured_seconds >= 500ms", "measured_seconds", ">=", 0.5},
		{"  lag == 0  ", "lag", "==", 0},
		// Delivery verification, generator and response error figures.
		{"lost == 0", "lost", "==", 0},
		{"duplicated == 0", "duplicated", "==", 0},
		{"out-of-order == 0", "out_of_order", "==", 0},
		{"Corrupted <= 0", "corrupted", "<=", 0},
		{"foreign == 0", "foreign", "==", 0},
		{"redelivered < 100", "redelivered", "<", 100},
		{"behind_schedule_seconds < 500ms", "behind_schedule_seconds", "<", 0.5},
		{"cpu_utilization < 0.9", "cpu_utilization", "<", 0.9},
		{"cpu utilization < 90%", "cpu_utilization", "<", 0.9},
		{"response_errors == 0", "response_errors", "==", 0},
	}
	for _, tt := range tests {
		c, err := ParseCheck(tt.expr)
		if err != nil {
			t.Errorf("ParseCheck(%q): %v", tt.expr, err)
			continue
		}
		if c.Aggregate != tt.aggregate || c.Op != tt.op || c.Value != tt.value {
			t.Errorf("ParseCheck(%q) = %s %s %v, want %s %s %v", tt.expr, c.Aggregate, c.Op, c.Value, tt.aggregate, tt.op, tt.value)
		}
		if c.Expr != strings.TrimSpace(tt.expr) {
			t.Errorf("ParseCheck(%q).Expr = %q, want the trimmed input", tt.expr, c.Expr)
		}
	}
}

func TestParseCheckErrors(t *testing.T) {
	tests := []struct {
		expr string
		want []string // substrings of the error
	}{
		{"", []string{"empty check"}},
		{"p99 20ms", []string{"no comparison operator"}},
		{"p99 = 20ms", []string{"use =="}},
		{"p99 => 20", []string{"use =="}},
		{"p99 !< 20", []string{`unknown operator "!"`}},
		{"< 20ms", []string{"no aggregate name"}},
		{"p99 <", []string{"no value after <"}},
		{"p98 < 20ms", []string{`unknown aggregate "p98"`, `did you mean "p90"?`, "valid names:", "msgs_per_sec", "error_rate"}},
		{"publish_p99 < 20", nil}, // valid: the _ms suffix is optional
		{"eror_rate < 0.01", []string{`did you mean "error_rate"?`}},
		{"msg_per_sec > 10", []string{`did you mean "msgs_per_sec"?`}},
		{"missing == 0", []string{`unknown aggregate "missing"`, "lost", "duplicated", "cpu_utilization", "response_errors"}},
		{"zzzzzzzzzzzz < 1", []string{"valid names:"}},
		{"p99 < 20kg", []string{`unit "kg" does not fit publish_p99_ms`}},
		{"lag == 0ms", []string{`unit "ms" does not fit lag`, "a count"}},
		{"error_rate < 1ms", []string{`unit "ms" does not fit error_rate`, "units that fit error_rate: %"}},
		// A unit that does not fit names the units that do.
		{"bytes_per_sec > 1MiB/s", []string{`unit "MiB/s" does not fit bytes_per_sec`, "units that fit bytes_per_sec: B/s, /s, or none", "for MiB/s check mib_per_sec"}},
		{"consumed_mib_per_sec > 1B/s", []string{"units that fit consumed_mib_per_sec: MiB/s, /s, or none", "for B/s check consumed_bytes_per_sec"}},
		{"msgs_per_sec > 1MiB/s", []string{"units that fit msgs_per_sec: msg/s, msgs/s, /s, or none", "for MiB/s check mib_per_sec"}},
		{"p99 < 20kg ", []string{"units that fit publish_p99_ms: ns, us (µs), ms, s, m, or none for ms"}},
		{"behind_schedule_seconds < 1%", []string{"units that fit behind_schedule_seconds: ms, s, m, or none for s"}},
		{"cpu_utilization < 90ms", []string{`unit "ms" does not fit cpu_utilization`, "units that fit cpu_utilization: %"}},
		{"lost == 0msg", []string{`unit "msg" does not fit lost, a count`, "units that fit lost: none"}},
		{"p99 < fast", []string{`invalid value "fast"`}},
		{"p99 < Inf", []string{"invalid value"}},
		{"p99 < 1e999", []string{"invalid value"}},
	}
	for _, tt := range tests {
		_, err := ParseCheck(tt.expr)
		if tt.want == nil {
			if err != nil {
				t.Errorf("ParseCheck(%q): %v, want success", tt.expr, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseCheck(%q) succeeded, want an error containing %q", tt.expr, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseCheck(%q) error = %q, want it to contain %q", tt.expr, err, w)
			}
		}
		if tt.expr != "" && !strings.Contains(err.Error(), "check "+strconv.Quote(strings.TrimSpace(tt.expr))) {
			t.Errorf("ParseCheck(%q) error = %q, want it to name the expression", tt.expr, err)
		}
	}
	// No suggestion when nothing is close.
	_, err := ParseCheck("zzzzzzzzzzzz < 1")
	if err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("ParseCheck(zzzzzzzzzzzz) error = %v, want no suggestion", err)
	}
}

func TestParseChecksReportsAll(t *testing.T) {
	_, err := ParseChecks([]string{"p99 < 20ms", "p98 < 1", "lag = 0"})
	if err == nil {
		t.Fatal("ParseChecks succeeded, want errors")
	}
	for _, w := range []string{`"p98 < 1"`, `"lag = 0"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
	checks, err := ParseChecks([]string{"p99 < 20ms", "lag == 0"})
	if err != nil || len(checks) != 2 {
		t.Fatalf("ParseChecks = %v, %v; want 2 checks", checks, err)
	}
}

// The same type decodes from JSON and YAML (and flags) through UnmarshalText.
func TestCheckTextDecoding(t *testing.T) {
	var fromJSON []Check
	if err := json.Unmarshal([]byte(`["p99 < 20ms", "error_rate == 0"]`), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var fromYAML struct {
		Checks []Check `yaml:"checks"`
	}
	if err := yaml.Unmarshal([]byte("checks:\n  - p99 < 20ms\n  - error_rate == 0\n"), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if len(fromJSON) != 2 || len(fromYAML.Checks) != 2 {
		t.Fatalf("decoded %d (JSON) and %d (YAML) checks, want 2", len(fromJSON), len(fromYAML.Checks))
	}
	for i := range fromJSON {
		if fromJSON[i] != fromYAML.Checks[i] {
			t.Errorf("check %d: JSON %+v != YAML %+v", i, fromJSON[i], fromYAML.Checks[i])
		}
	}
	if fromJSON[0].Aggregate != "publish_p99_ms" || fromJSON[0].Value != 20 {
		t.Errorf("decoded %+v, want publish_p99_ms < 20", fromJSON[0])
	}
	if err := yaml.Unmarshal([]byte("checks:\n  - p98 < 20ms\n"), &fromYAML); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("YAML with a bad check: err = %v, want the parser's error", err)
	}
	// Round trip through MarshalText.
	b, err := json.Marshal(fromJSON)
	if err != nil {
		t.Fatal(err)
	}
	var back []string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0] != "p99 < 20ms" || back[1] != "error_rate == 0" {
		t.Errorf("json.Marshal = %s, want the expressions as written", b)
	}
	if _, err := (Check{}).MarshalText(); err == nil {
		t.Error("MarshalText of the zero Check succeeded, want an error")
	}
	if got, want := fromJSON[0].String(), "publish_p99_ms < 20"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestCheckHolds(t *testing.T) {
	tests := []struct {
		op   string
		v    float64
		want bool
	}{
		{"<", 9, true}, {"<", 10, false},
		{"<=", 10, true}, {"<=", 10.5, false},
		{">", 11, true}, {">", 10, false},
		{">=", 10, true}, {">=", 9.9, false},
		{"==", 10, true}, {"==", 10.1, false},
		{"!=", 10.1, true}, {"!=", 10, false},
	}
	for _, tt := range tests {
		c := Check{Aggregate: "lag", Op: tt.op, Value: 10}
		if got := c.Holds(tt.v); got != tt.want {
			t.Errorf("%v %s 10 = %t, want %t", tt.v, tt.op, got, tt.want)
		}
	}
}

func mustChecks(t *testing.T, exprs ...string) []Check {
	t.Helper()
	c, err := ParseChecks(exprs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEvaluate(t *testing.T) {
	r := sampleResult(t, false)
	p99 := r.Steps[0].Latency.Publish.P99Ms
	if p99 <= 1 {
		t.Fatalf("sample p99 = %v, want > 1 ms for this test", p99)
	}
	checks := mustChecks(t,
		"p99 < 1000ms",    // holds on both steps
		"p99 < 1ms",       // fails on both
		"error_rate == 0", // holds on step 0 only (step 1 has failures)
	)
	got := Evaluate(r, checks)
	if len(got) != 6 {
		t.Fatalf("Evaluate returned %d results, want 3 checks × 2 steps", len(got))
	}
	want := []struct {
		expr   string
		step   int
		passed bool
	}{
		{"p99 < 1000ms", 0, true}, {"p99 < 1000ms", 1, true},
		{"p99 < 1ms", 0, false}, {"p99 < 1ms", 1, false},
		{"error_rate == 0", 0, true}, {"error_rate == 0", 1, false},
	}
	for i, w := range want {
		g := got[i]
		if g.Expr != w.expr || g.Step != w.step || g.Passed != w.passed {
			t.Errorf("result %d = %+v, want expr %q step %d passed %t", i, g, w.expr, w.step, w.passed)
		}
	}
	if got[2].Observed != p99 {
		t.Errorf("observed = %v, want the step's publish p99 %v", got[2].Observed, p99)
	}
	if !strings.Contains(got[2].Detail, "publish_p99_ms = ") || !strings.Contains(got[2].Detail, "want < 1") {
		t.Errorf("detail = %q, want the aggregate, its value and the condition", got[2].Detail)
	}
	if got[0].Detail != "" {
		t.Errorf("a passing check has detail %q, want none", got[0].Detail)
	}
	if er := r.Steps[1].Aggregates()["error_rate"]; got[5].Observed != er || er == 0 {
		t.Errorf("observed error rate = %v, want %v (non-zero)", got[5].Observed, er)
	}
	if Failed(got) != 3 {
		t.Errorf("Failed = %d, want 3", Failed(got))
	}
	if len(r.Checks) != 2 {
		t.Errorf("Evaluate modified r.Checks (len %d)", len(r.Checks))
	}
}

// A latency check on a step without samples of that latency fails rather
// than comparing the placeholder 0.
func TestEvaluateNoSamples(t *testing.T) {
	r := sampleResult(t, false)
	r.Steps[0].Latency.EndToEnd = LatencySummary{}
	got := Evaluate(r, mustChecks(t, "e2e p99 < 50ms"))
	if got[0].Passed || !strings.Contains(got[0].Detail, "no end_to_end latency samples") {
		t.Errorf("step without e2e samples: %+v, want a failure saying there are no samples", got[0])
	}
	if !got[1].Passed {
		t.Errorf("step with e2e samples: %+v, want pass", got[1])
	}

	empty := &Result{}
	got = Evaluate(empty, mustChecks(t, "lag == 0", "p99 < 1s"))
	if len(got) != 2 || got[0].Passed || got[0].Step != -1 || got[0].Detail != "no steps were measured" {
		t.Errorf("Evaluate on a result without steps = %+v, want one failure per check with step -1", got)
	}
}

func TestWriteChecks(t *testing.T) {
	r := sampleResult(t, false)
	r.Steps[0].Latency.EndToEnd = LatencySummary{}
	cr := Evaluate(r, mustChecks(t, "p99 < 1000ms", "error_rate == 0", "e2e p99 < 50ms"))
	var b bytes.Buffer
	if err := WriteChecks(&b, r, cr); err != nil {
		t.Fatal(err)
	}
	golden(t, "checks.golden", b.Bytes())
	out := b.String()
	for _, w := range []string{"PASS  p99 < 1000ms     step rate=1000/s", "step rate=1000/s", "FAIL  error_rate == 0", "checks: 2 of 6 failed\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	b.Reset()
	if err := WriteChecks(&b, nil, cr[:2]); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "step 0") || !strings.Contains(out, "checks: all 2 passed\n") {
		t.Errorf("without a result: %s, want step indices and an all-passed line", out)
	}
}

func TestSuggestAggregate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"p98", "p90"}, // ties go to the first name in sort order
		{"lagg", "lag"},
		{"publsh_p99_ms", "publish_p99_ms"},
		{"end_too_end_p99_ms", "end_to_end_p99_ms"},
		{"acked_byte", "acked_bytes"},
		{"qqqqqqqqqqqqqqqqq", ""},
	}
	for _, tt := range tests {
		if got := suggestAggregate(tt.in); got != tt.want {
			t.Errorf("suggestAggregate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Checks read the delivery verification, generator and response error
// figures of a step; a verification check on a step without verification
// fails instead of comparing the placeholder 0.
func TestEvaluateVerificationAndGenerator(t *testing.T) {
	r := sampleResult(t, false)
	r.Steps[0].Verification = &Verification{Complete: true}
	r.Steps[0].Generator = &Generator{CPUUtilization: 0.5}
	r.Steps[0].Counters.BehindScheduleSeconds = 0
	r.Steps[0].ResponseErrors = nil
	r.Steps[1].Verification = &Verification{Complete: true, Lost: 3, Duplicated: 2, OutOfOrder: 1, Corrupted: 4, Foreign: 5, Redelivered: 6}
	r.Steps[1].Generator = &Generator{CPUUtilization: 0.95}
	r.Steps[1].Counters.BehindScheduleSeconds = 2.5
	r.Steps[1].ResponseErrors = map[string]int64{"timeout": 2, "[6] Not Leader For Partition": 5}

	exprs := []string{"lost == 0", "duplicated == 0", "out_of_order == 0", "corrupted == 0", "foreign == 0",
		"redelivered == 0", "cpu_utilization < 90%", "behind_schedule_seconds < 1s", "response_errors == 0"}
	got := Evaluate(r, mustChecks(t, exprs...))
	if len(got) != 2*len(exprs) {
		t.Fatalf("Evaluate returned %d results, want %d", len(got), 2*len(exprs))
	}
	observed := []float64{3, 2, 1, 4, 5, 6, 0.95, 2.5, 7}
	for i, e := range exprs {
		pass, fail := got[2*i], got[2*i+1]
		if !pass.Passed || pass.Step != 0 || pass.Detail != "" {
			t.Errorf("%s on the clean step = %+v, want pass", e, pass)
		}
		if fail.Passed || fail.Step != 1 || fail.Observed != observed[i] {
			t.Errorf("%s on the bad step = %+v, want a failure observing %v", e, fail, observed[i])
		}
		if name := mustChecks(t, e)[0].Aggregate; !strings.HasPrefix(fail.Detail, name+" = ") {
			t.Errorf("%s detail = %q, want it to start with %q", e, fail.Detail, name+" = ")
		}
	}

	// Without verification (verify off, no consumers) and without
	// generator figures the check cannot be evaluated: it fails.
	r.Steps[0].Verification, r.Steps[0].Generator = nil, nil
	got = Evaluate(r, mustChecks(t, "lost == 0", "redelivered >= 0", "cpu_utilization < 1", "response_errors == 0", "behind_schedule_seconds == 0"))
	for _, i := range []int{0, 2} {
		if g := got[i]; g.Passed || g.Observed != 0 || !strings.HasPrefix(g.Detail, "no delivery verification in this step") {
			t.Errorf("%s on a step without verification = %+v, want a failure saying verification did not run", g.Expr, g)
		}
	}
	if g := got[4]; g.Passed || !strings.Contains(g.Detail, "no generator figures in this step") {
		t.Errorf("cpu check on a step without generator figures = %+v, want a failure", g)
	}
	if g := got[6]; !g.Passed {
		t.Errorf("response_errors == 0 on a step without response errors = %+v, want pass", g)
	}
	if g := got[8]; !g.Passed {
		t.Errorf("behind_schedule_seconds == 0 = %+v, want pass", g)
	}
	if g := got[3]; !g.Passed {
		t.Errorf("redelivered >= 0 on a verified step = %+v, want pass", g)
	}
	var b bytes.Buffer
	if err := WriteChecks(&b, r, got[:1]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "observed -") {
		t.Errorf("WriteChecks for an unverified step:\n%s\nwant no observed value", b.String())
	}

	// An incomplete verification says why lost may count late messages.
	r.Steps[1].Verification.Complete = false
	got = Evaluate(r, mustChecks(t, "lost == 0"))
	if g := got[1]; g.Passed || !strings.Contains(g.Detail, "verification incomplete") {
		t.Errorf("lost on an incomplete verification = %+v, want a failure noting it", g)
	}
}
