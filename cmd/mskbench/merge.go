package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

func mergeFlagSet(stdout io.Writer) (*pflag.FlagSet, *string) {
	fs := newFlagSet("merge", stdout, "RESULT.json RESULT.json...",
		"Merges result files of one scenario run concurrently by several load generators into one:\n"+
			"steps are matched by position, counters summed, histograms merged (percentiles of the union).")
	return fs, fs.StringP("output", "o", "", "write the merged result file here (required)")
}

// runMerge combines result files of the same scenario run at the same time by
// several load generators (one mskbench per machine, all driving one cluster)
// into one result: step by step, counters summed and histograms merged
// exactly, never percentiles averaged.
func runMerge(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, out := mergeFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() < 2 {
		return usageError{errors.New("merge: want -o FILE and at least two result files")}
	}
	var results []*report.Result
	for _, name := range fs.Args() {
		r, err := report.ReadFile(name)
		if err != nil {
			return usageError{err}
		}
		results = append(results, r)
	}
	merged, err := report.MergeResults(results, fs.Args())
	if err != nil {
		return usageError{fmt.Errorf("merge: %w", err)}
	}
	if err := report.WriteFile(*out, merged); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return report.Summary(report.SafeWriter(stdout), merged)
}
