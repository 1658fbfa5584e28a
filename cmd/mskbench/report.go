package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

// reportFlags are the flags of `mskbench report`.
type reportFlags struct {
	format, hist *string
	stepIdx      *int
	checks       *[]string
	junit        *string
}

// reportFlagSet returns the FlagSet of `mskbench report` (help on stdout).
func reportFlagSet(stdout io.Writer) (*pflag.FlagSet, reportFlags) {
	fs := newFlagSet("report", stdout, "RESULT.json",
		"Re-renders the summary of a result file written by `mskbench run -o`.")
	var f reportFlags
	f.format = fs.String("format", "table", "output format: table, csv, html (a self-contained page with charts), markdown (a summary for a CI page), hgrm (a latency histogram's percentile distribution) or hlog (the step's per-interval histograms as an HdrHistogram interval log)")
	f.hist = fs.String("histogram", "publish", "with --format hgrm: publish, service, send_delay or end_to_end")
	f.stepIdx = fs.Int("step", 0, "with --format hgrm or hlog: the step (index) to print")
	f.checks = fs.StringArray("check", nil, checkFlagUsage)
	f.junit = fs.String("junit", "", junitFlagUsage)
	return fs, f
}

// runReport re-renders a result file without a cluster.
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := reportFlagSet(stdout)
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
	if _, err := parseChecks(*f.checks); err != nil {
		return err
	}
	if err := renderReport(r, *f.format, *f.checks, *f.hist, *f.stepIdx, stdout); err != nil {
		var c checkError
		if !errors.As(err, &c) {
			return err
		}
		if err := resultCIOutputs(*f.junit, r); err != nil {
			return err
		}
		return c
	}
	return resultCIOutputs(*f.junit, r)
}

// renderReport writes r in format to stdout; with checks it re-checks r
// first (a checkError when one fails, after rendering). Text meant for a
// terminal goes through report.SafeWriter: strings from the file never
// carry control sequences to it.
func renderReport(r *report.Result, format string, checks []string, hist string, stepIdx int, stdout io.Writer) error {
	switch format {
	case "markdown":
		return checkedRender(r, checks, func() error { return report.Markdown(report.SafeWriter(stdout), r) })
	case "table":
		// The checks print in the summary, as after `mskbench run --check`.
		return checkedRender(r, checks, func() error { return report.Summary(report.SafeWriter(stdout), r) })
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
