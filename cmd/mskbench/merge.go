package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

func mergeFlagSet(stdout io.Writer) (*pflag.FlagSet, *string, *bool) {
	fs := newFlagSet("merge", stdout, "RESULT.json RESULT.json...",
		"Merges result files of one scenario run concurrently by several load generators into one:\n"+
			"steps are matched by position, counters summed, histograms merged (percentiles of the union),\n"+
			"timelines merged interval by interval when the intervals align. It refuses files that repeat\n"+
			"another (same path, same content, same run id), hold different scenarios, or were not measured\n"+
			"at the same time, unless --force. (A distributed run, mskbench run --shards, merges itself.)")
	out := fs.StringP("output", "o", "", "write the merged result file here (required)")
	force := fs.Bool("force", false, "merge even what merge refuses (the merged result records why it should not have been)")
	return fs, out, force
}

// runMerge combines result files of the same scenario run at the same time by
// several load generators (one mskbench per machine, all driving one cluster)
// into one result: step by step, counters summed and histograms merged
// exactly, never percentiles averaged.
func runMerge(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, out, force := mergeFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() < 2 {
		return usageError{errors.New("merge: want -o FILE and at least two result files")}
	}
	var results []*report.Result
	var problems []string
	paths := map[string]string{}    // absolute path → argument
	contents := map[string]string{} // content hash → argument
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return usageError{err}
		}
		abs, err := filepath.Abs(name)
		if err != nil {
			return usageError{err}
		}
		if prev, ok := paths[abs]; ok {
			problems = append(problems, fmt.Sprintf("%s is %s again: merging would count it twice", name, prev))
		} else if sum := fmt.Sprintf("%x", sha256.Sum256(data)); contents[sum] != "" {
			problems = append(problems, fmt.Sprintf("%s has the content of %s: merging would count it twice", name, contents[sum]))
		} else {
			contents[sum] = name
		}
		paths[abs] = name
		r, err := report.Decode(bytes.NewReader(data))
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", name, err)}
		}
		results = append(results, r)
	}
	if len(problems) == 0 {
		// (A file passed twice is also the same run: said once.)
		problems = report.MergeProblems(results, fs.Args())
	}
	if len(problems) > 0 && !*force {
		return usageError{fmt.Errorf("merge: refused: %s (--force merges anyway)", strings.Join(problems, "; "))}
	}
	merged, err := report.MergeResults(results, fs.Args())
	if err != nil {
		return usageError{fmt.Errorf("merge: %w", err)}
	}
	for _, p := range problems {
		merged.Warnings = append(merged.Warnings, "merged with --force although "+p)
	}
	if err := report.WriteFile(*out, merged); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return report.Summary(report.SafeWriter(stdout), merged)
}
