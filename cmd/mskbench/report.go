package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mskbench/mskbench/report"
)

// runReport re-renders a result file without a cluster.
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr, "mskbench report RESULT.json [--format table|csv|html|markdown|hgrm|hlog] [--junit FILE] [--check EXPR ...]",
		"Re-renders the summary of a result file written by `mskbench run -o`.")
	format := fs.String("format", "table", "output format: table, csv, html (a self-contained page with charts), markdown (a summary for a CI page), hgrm (a latency histogram's percentile distribution) or hlog (the step's per-interval histograms as an HdrHistogram interval log)")
	hist := fs.String("histogram", "publish", "with --format hgrm: publish, service, send_delay or end_to_end")
	stepIdx := fs.Int("step", 0, "with --format hgrm or hlog: the step (index) to print")
	checks := fs.StringArray("check", nil, checkFlagUsage)
	junit := fs.String("junit", "", junitFlagUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("report: want exactly one result file")}
	}
	r, err := report.ReadFile(fs.Arg(0))
	if err != nil {
		return usageError{err}
	}
	if _, err := parseChecks(*checks); err != nil {
		return err
	}
	if err := renderReport(r, *format, *checks, *hist, *stepIdx, stdout); err != nil {
		var c checkError
		if !errors.As(err, &c) {
			return err
		}
		if err := resultCIOutputs(*junit, r); err != nil {
			return err
		}
		return c
	}
	return resultCIOutputs(*junit, r)
}

// renderReport writes r in format to stdout; with checks it re-checks r
// first (a checkError when one fails, after rendering).
func renderReport(r *report.Result, format string, checks []string, hist string, stepIdx int, stdout io.Writer) error {
	switch format {
	case "markdown":
		return checkedRender(r, checks, func() error { return report.Markdown(stdout, r) })
	case "table":
		if len(checks) > 0 {
			r.Checks = nil
		}
		if err := report.Summary(stdout, r); err != nil {
			return err
		}
		if len(checks) > 0 {
			fmt.Fprintln(stdout, "\nChecks:")
		}
		return runChecks(r, checks, stdout)
	case "html":
		return checkedRender(r, checks, func() error { return report.HTML(stdout, r) })
	case "hgrm":
		if stepIdx < 0 || stepIdx >= len(r.Steps) {
			return usageError{fmt.Errorf("report: --step %d: the file has %d step(s)", stepIdx, len(r.Steps))}
		}
		if err := report.HGRM(stdout, &r.Steps[stepIdx], hist); err != nil {
			return usageError{fmt.Errorf("report: %w", err)}
		}
		return nil
	case "hlog":
		if err := report.HLog(stdout, r, stepIdx); err != nil {
			return usageError{fmt.Errorf("report: %w", err)}
		}
		return nil
	case "csv":
		return report.CSV(stdout, r)
	default:
		return usageError{fmt.Errorf("report: unknown --format %q (want table, csv, html, markdown, hgrm or hlog)", format)}
	}
}

// checkedRender re-checks r with checks (the rendering shows the outcomes)
// and renders it; a failed check is returned after rendering.
func checkedRender(r *report.Result, checks []string, render func() error) error {
	checkErr := runChecks(r, checks, nil)
	var c checkError
	if checkErr != nil && !errors.As(checkErr, &c) {
		return checkErr
	}
	if err := render(); err != nil {
		return err
	}
	return checkErr
}
