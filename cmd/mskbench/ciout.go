package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mskbench/mskbench/internal/atomicfile"
	"github.com/mskbench/mskbench/report"
)

// junitFlagUsage is the help text of --junit on run, report and compare.
const junitFlagUsage = "also write a JUnit XML report to this file (a testcase per check and step, or per compared metric)"

// stepSummaryEnv names the file GitHub Actions shows as the job summary;
// run, report and compare append their markdown to it when it is set.
const stepSummaryEnv = "GITHUB_STEP_SUMMARY"

// writeFileAtomic writes what render produces to path atomically (see
// report.WriteAtomic); nothing is written when render fails.
func writeFileAtomic(path string, render func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ciOutputs writes the JUnit report (when junit is not empty) and appends
// the markdown summary to $GITHUB_STEP_SUMMARY (when it is set).
func ciOutputs(junit string, junitFn, markdownFn func(io.Writer) error) error {
	if junit != "" {
		if err := writeFileAtomic(junit, junitFn); err != nil {
			return fmt.Errorf("--junit: %w", err)
		}
	}
	if path := os.Getenv(stepSummaryEnv); path != "" {
		var buf bytes.Buffer
		if err := markdownFn(&buf); err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("$%s: %w", stepSummaryEnv, err)
		}
		_, err = f.Write(append(buf.Bytes(), '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("$%s: %w", stepSummaryEnv, err)
		}
	}
	return nil
}

// resultCIOutputs is ciOutputs for a result (run and report).
func resultCIOutputs(junit string, r *report.Result) error {
	return ciOutputs(junit,
		func(w io.Writer) error { return report.JUnit(w, r) },
		func(w io.Writer) error { return report.Markdown(w, r) })
}

// readBaselines reads the baseline arguments of compare: result files, or
// directories whose *.json result files are all baselines (files that are
// not mskbench results are skipped with a note on stderr; skip names a
// file to leave out, the current result). The results are ordered by
// start time, then name.
func readBaselines(args []string, skip string, stderr io.Writer) ([]*report.Result, []string, error) {
	type named struct {
		name string
		r    *report.Result
	}
	var all []named
	skipAbs, _ := filepath.Abs(skip)
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		if !st.IsDir() {
			r, err := report.ReadFile(a)
			if err != nil {
				return nil, nil, fmt.Errorf("baseline: %w", err)
			}
			all = append(all, named{a, r})
			continue
		}
		files, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		found := 0
		for _, f := range files {
			if abs, _ := filepath.Abs(f); abs == skipAbs {
				continue
			}
			r, err := report.ReadFile(f)
			if err != nil {
				fmt.Fprintf(stderr, "mskbench: skipping %s: %v\n", f, err)
				continue
			}
			all = append(all, named{f, r})
			found++
		}
		if found == 0 {
			return nil, nil, fmt.Errorf("baseline: no result files in directory %s", a)
		}
	}
	slices.SortStableFunc(all, func(x, y named) int {
		if c := x.r.Started.Compare(y.r.Started); c != 0 {
			return c
		}
		return strings.Compare(x.name, y.name)
	})
	rs := make([]*report.Result, len(all))
	names := make([]string, len(all))
	for i, n := range all {
		rs[i], names[i] = n.r, n.name
	}
	return rs, names, nil
}
