package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mskbench/mskbench/report"
)

// runMerge combines result files of the same scenario run at the same time by
// several load generators (one mskbench per machine, all driving one cluster)
// into one result: step by step, counters summed and histograms merged
// exactly, never percentiles averaged.
func runMerge(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", stderr, "mskbench merge -o merged.json RESULT.json RESULT.json...",
		"Merges result files of one scenario run concurrently by several load generators into one:\n"+
			"steps are matched by position, counters summed, histograms merged (percentiles of the union).")
	out := fs.StringP("output", "o", "", "write the merged result file here (required)")
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
	merged, err := mergeResults(results, fs.Args())
	if err != nil {
		return usageError{fmt.Errorf("merge: %w", err)}
	}
	if err := report.WriteFile(*out, merged); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return report.Summary(stdout, merged)
}

// mergeResults merges results step by step; names label the inputs in errors.
func mergeResults(results []*report.Result, names []string) (*report.Result, error) {
	first := results[0]
	merged := *first
	merged.Steps = nil
	merged.Checks = nil
	merged.Warnings = append([]string(nil), first.Warnings...)
	for i, r := range results[1:] {
		if len(r.Steps) != len(first.Steps) {
			return nil, fmt.Errorf("%s has %d steps, %s has %d: not the same run", names[i+1], len(r.Steps), names[0], len(first.Steps))
		}
		if r.Scenario.Name != first.Scenario.Name {
			merged.Warnings = append(merged.Warnings, fmt.Sprintf("merged scenario %q with %q", first.Scenario.Name, r.Scenario.Name))
		}
		if r.Started.Before(merged.Started) {
			merged.Started = r.Started
		}
		if r.Ended.After(merged.Ended) {
			merged.Ended = r.Ended
		}
		merged.Partial = merged.Partial || r.Partial
		merged.Connection.Dials += r.Connection.Dials
		merged.Connection.Reconnects += r.Connection.Reconnects
	}
	for s := range first.Steps {
		steps := make([]report.Step, len(results))
		for i, r := range results {
			steps[i] = r.Steps[s]
		}
		st, err := report.MergeSteps(steps...)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", s, err)
		}
		merged.Steps = append(merged.Steps, st)
	}
	merged.Warnings = append(merged.Warnings, fmt.Sprintf("merged from %d load generators at %s", len(results), time.Now().UTC().Format(time.RFC3339)))
	return &merged, nil
}
