package main

import (
	"fmt"
	"io"

	"github.com/mskbench/mskbench/report"
)

// checkFlagUsage is the help text of the repeatable --check flag of `run`
// and `report` (register it with fs.StringArrayVar: expressions may hold
// commas in the future, and a StringArray never splits them).
const checkFlagUsage = "fail with exit code 3 unless this holds on every step, e.g. 'p99 < 20ms', " +
	"'error_rate == 0', 'msgs_per_sec >= 4950' (repeatable; see docs/checks.md)"

// parseChecks parses --check expressions and reports every bad one at once as
// a usage error (exit code 2). Call it right after flag parsing so that a typo
// fails before a long run starts rather than after it.
func parseChecks(exprs []string) ([]report.Check, error) {
	checks, err := report.ParseChecks(exprs)
	if err != nil {
		return nil, usageError{fmt.Errorf("--check: %w", err)}
	}
	return checks, nil
}

// runChecks parses exprs, evaluates them on every step of r and stores the
// outcomes in r.Checks, replacing earlier ones (a saved result can be
// re-checked). When stdout is not nil it prints one PASS/FAIL line per check
// and step and a count line. It returns a usageError for a bad expression, a
// checkError (exit code 3) when any check failed, and nil otherwise; with no
// expressions it does nothing.
//
// report.Summary prints r.Checks too: callers that print the summary after
// runChecks pass a nil stdout so the outcomes are not printed twice.
func runChecks(r *report.Result, exprs []string, stdout io.Writer) error {
	if len(exprs) == 0 {
		return nil
	}
	checks, err := parseChecks(exprs)
	if err != nil {
		return err
	}
	r.Checks = report.Evaluate(r, checks)
	if stdout != nil {
		if err := report.WriteChecks(stdout, r, r.Checks); err != nil {
			return err
		}
	}
	if n := report.Failed(r.Checks); n > 0 {
		return checkError{fmt.Errorf("%d of %d checks failed", n, len(r.Checks))}
	}
	return nil
}

// lostCheck adds the built-in check report.LostCheckExpr (acks=all steps
// with verification; the scenario's lost_check: false turns it off) to
// r.Checks. It returns err when err is not nil, else a checkError (exit
// code 3) when the check failed on any step, else nil.
func lostCheck(r *report.Result, err error) error {
	cr := report.EvaluateLost(r)
	r.Checks = append(r.Checks, cr...)
	if err != nil {
		return err
	}
	if n := report.Failed(cr); n > 0 {
		return checkError{fmt.Errorf("%d step(s) lost messages the cluster acknowledged under acks=all (built-in check %q; "+
			"lost_check: false in the scenario turns it off)", n, report.LostCheckExpr)}
	}
	return nil
}
