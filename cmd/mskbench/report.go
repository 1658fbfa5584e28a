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
	fs := newFlagSet("report", stderr, "mskbench report RESULT.json [--format table|csv|html|hgrm] [--check EXPR ...]",
		"Re-renders the summary of a result file written by `mskbench run -o`.")
	format := fs.String("format", "table", "output format: table, csv, html (a self-contained page with charts) or hgrm (a latency histogram's percentile distribution)")
	hist := fs.String("histogram", "publish", "with --format hgrm: publish, service, send_delay or end_to_end")
	stepIdx := fs.Int("step", 0, "with --format hgrm: the step (index) to print")
	checks := fs.StringArray("check", nil, checkFlagUsage)
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
		stdout = report.SafeWriter(stdout) // text for people, strings from a file
		if len(*checks) > 0 {
			r.Checks = nil
		}
		if err := report.Summary(stdout, r); err != nil {
			return err
		}
		if len(*checks) > 0 {
			fmt.Fprintln(stdout, "\nChecks:")
		}
		return runChecks(r, *checks, stdout)
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
