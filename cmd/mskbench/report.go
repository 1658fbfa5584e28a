package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

// runReport re-renders a result file without a cluster.
// reportFlags are the flags of `mskbench report`.
type reportFlags struct {
	format, hist *string
	stepIdx      *int
	checks       *[]string
}

func reportFlagSet(stdout io.Writer) (*pflag.FlagSet, reportFlags) {
	fs := newFlagSet("report", stdout, "RESULT.json",
		"Re-renders the summary of a result file written by `mskbench run -o`.")
	format := fs.String("format", "table", "output format: table, csv, html (a self-contained page with charts) or hgrm (a latency histogram's percentile distribution)")
	hist := fs.String("histogram", "publish", "with --format hgrm: publish, service, send_delay or end_to_end")
	stepIdx := fs.Int("step", 0, "with --format hgrm: the step (index) to print")
	checks := fs.StringArray("check", nil, checkFlagUsage)
	return fs, reportFlags{format, hist, stepIdx, checks}
}

func runReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, rf := reportFlagSet(stdout)
	format, hist, stepIdx, checks := rf.format, rf.hist, rf.stepIdx, rf.checks
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
	switch *format {
	case "table":
		// The checks print in the summary, as after `mskbench run --check`.
		checkErr := runChecks(r, *checks, nil)
		var c checkError
		if checkErr != nil && !errors.As(checkErr, &c) {
			return checkErr
		}
		if err := report.Summary(report.SafeWriter(stdout), r); err != nil {
			return err
		}
		return checkErr
	case "html":
		checkErr := runChecks(r, *checks, nil) // the page shows the checks
		var c checkError
		if checkErr != nil && !errors.As(checkErr, &c) {
			return checkErr
		}
		if err := report.HTML(stdout, r); err != nil {
			return err
		}
		return checkErr
	case "hgrm":
		if *stepIdx < 0 || *stepIdx >= len(r.Steps) {
			return usageError{fmt.Errorf("report: --step %d: the file has %d step(s)", *stepIdx, len(r.Steps))}
		}
		if err := report.HGRM(stdout, &r.Steps[*stepIdx], *hist); err != nil {
			return usageError{fmt.Errorf("report: %w", err)}
		}
		return nil
	case "csv":
		return report.CSV(stdout, r)
	default:
		return usageError{fmt.Errorf("report: unknown --format %q (want table, csv, html or hgrm)", *format)}
	}
}
