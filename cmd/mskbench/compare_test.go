package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/report"
)

// testResult is a one-step result with the figures compare and checks read.
func testResult(p99Ms, msgsPerSec float64, failed int64) *report.Result {
	s := report.Step{Label: "rate=1000/s", Counters: report.Counters{Acked: 10000, Failed: failed}}
	s.Throughput.MsgsPerSec, s.Throughput.OfferedMsgsPerSec = msgsPerSec, 1000
	s.Latency.Publish = report.LatencySummary{Count: 10000, P50Ms: 2, P99Ms: p99Ms, P999Ms: 2 * p99Ms}
	s.Latency.EndToEnd = report.LatencySummary{Count: 10000, P99Ms: p99Ms + 5}
	return &report.Result{SchemaVersion: report.SchemaVersion, Scenario: report.Scenario{Name: "nightly"}, Steps: []report.Step{s}}
}

func writeResult(t *testing.T, name string, r *report.Result) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := report.WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunCompare(t *testing.T) {
	base := writeResult(t, "base.json", testResult(10, 1000, 0))
	same := writeResult(t, "same.json", testResult(10.5, 995, 0))
	slow := writeResult(t, "slow.json", testResult(13, 1000, 0))
	otherSteps := testResult(10, 1000, 0)
	otherSteps.Steps[0].Label = "rate=9/s"
	other := writeResult(t, "other.json", otherSteps)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{"within tolerance", []string{base, same}, exitOK, []string{"OK: no regression beyond 10%"}, nil},
		{"p99 +30%", []string{base, slow}, exitCheck, []string{"pub p99 ms", "+30.0%  REGRESSION"}, []string{"3 regression(s) beyond 10%", "base.json"}},
		{"looser threshold", []string{"--max-regression", "50%", base, slow}, exitOK, []string{"max regression 50%"}, nil},
		{"latency floor", []string{"--min-latency-change", "7ms", base, slow}, exitOK, []string{"latency changes below 7.000 ms ignored"}, nil},
		{"json", []string{"--format", "json", base, slow}, exitCheck, []string{`"name": "publish_p99_ms"`, `"relative": 0.3`, `"regression": true`, `"max_regression": 0.1`}, nil},
		{"bad format", []string{"--format", "xml", base, slow}, exitUsage, nil, []string{"unknown --format"}},
		{"one file", []string{base}, exitUsage, nil, []string{"want two result files"}},
		{"not a percentage", []string{"--max-regression", "0.1", base, same}, exitUsage, nil, []string{"want a percentage such as 10%"}},
		{"negative", []string{"--max-regression", "-5%", base, same}, exitUsage, nil, []string{"non-negative"}},
		{"missing file", []string{base, filepath.Join(t.TempDir(), "nope.json")}, exitUsage, nil, []string{"compare: current:", "nope.json"}},
		{"no common steps", []string{base, other}, exitUsage, nil, []string{"no common steps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runCompare(context.Background(), tt.args, &stdout, &stderr)
			if got := exitCode(err, &stderr); got != tt.wantCode {
				t.Fatalf("exit code %d, want %d (err %v)\nstdout:\n%s", got, tt.wantCode, err, stdout.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

func TestRunChecks(t *testing.T) {
	r := testResult(10, 1000, 0)
	var out bytes.Buffer
	if err := runChecks(r, []string{"p99 < 20ms", "error_rate == 0"}, &out); err != nil {
		t.Fatalf("passing checks: %v", err)
	}
	if len(r.Checks) != 2 || !r.Checks[0].Passed || r.Checks[0].Observed != 10 {
		t.Errorf("r.Checks = %+v, want 2 passed outcomes with observed p99 10", r.Checks)
	}
	if !strings.Contains(out.String(), "PASS  p99 < 20ms") || !strings.Contains(out.String(), "checks: all 2 passed") {
		t.Errorf("output:\n%s", out.String())
	}

	// Failing checks replace the earlier outcomes and map to exit code 3.
	out.Reset()
	err := runChecks(r, []string{"p99 < 5ms"}, &out)
	var ce checkError
	if !errors.As(err, &ce) || len(r.Checks) != 1 || r.Checks[0].Passed {
		t.Errorf("failing check: err %v, r.Checks %+v; want checkError and one failed outcome", err, r.Checks)
	}
	if !strings.Contains(out.String(), "FAIL  p99 < 5ms") {
		t.Errorf("output:\n%s", out.String())
	}

	// Bad expressions are usage errors, all reported, nothing stored.
	r.Checks = nil
	err = runChecks(r, []string{"p98 < 5ms", "lag = 0"}, nil)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "did you mean") || !strings.Contains(err.Error(), "use ==") || r.Checks != nil {
		t.Errorf("bad checks: err %v, r.Checks %+v; want a usageError naming both problems", err, r.Checks)
	}

	// Nil stdout prints nothing but still stores and fails.
	if err := runChecks(r, []string{"msgs_per_sec >= 2000"}, nil); !errors.As(err, &ce) || len(r.Checks) != 1 {
		t.Errorf("nil stdout: err %v, r.Checks %+v", err, r.Checks)
	}
	if err := runChecks(r, nil, &out); err != nil || len(r.Checks) != 1 {
		t.Errorf("no checks: err %v, r.Checks changed to %+v; want nothing done", err, r.Checks)
	}
}
