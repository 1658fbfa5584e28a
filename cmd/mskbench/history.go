package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

// runHistory renders the history of a directory of result files: an HTML
// page (-o) and a CSV (--csv) of the key metrics of every run, each run
// judged against the runs before it.
// historyFlags are the flags of `mskbench history`.
type historyFlags struct {
	out, csvOut  *string
	window       *int
	maxReg       *percent
	alpha        *float64
	includeBound *bool
}

// historyFlagSet returns the FlagSet of `mskbench history` (help on stdout).
func historyFlagSet(stdout io.Writer) (*pflag.FlagSet, historyFlags) {
	fs := newFlagSet("history", stdout, "DIR",
		"Reads every result file (*.json) in DIR, orders the runs by start time and judges each against\n"+
			"up to --window earlier runs of the same scenario, as `mskbench compare` does. Prints one line per\n"+
			"run; -o writes a self-contained HTML page with a chart per key metric, --csv the metrics as CSV.")
	var f historyFlags
	f.out = fs.StringP("output", "o", "", "write the HTML page here")
	f.csvOut = fs.String("csv", "", "write the CSV here")
	f.window = fs.Int("window", report.DefaultHistoryWindow, "number of earlier runs each run is compared with")
	maxReg := percent(0.10)
	fs.Var(&maxReg, "max-regression", "largest tolerated worsening relative to the earlier runs, e.g. 10%")
	f.maxReg = &maxReg
	f.alpha = fs.Float64("alpha", report.DefaultAlpha, "significance level of the regression tests (with two or more earlier runs)")
	f.includeBound = fs.Bool("include-bound", false, "keep earlier steps that were generator bound in the verdict")
	return fs, f
}

func runHistory(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := historyFlagSet(stdout)
	out, csvOut, window, alpha, includeBound := f.out, f.csvOut, f.window, f.alpha, f.includeBound
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("history: want one directory of result files")}
	}
	maxReg := *f.maxReg
	if *window < 1 {
		return usageError{fmt.Errorf("history: --window %d: want at least 1", *window)}
	}
	if !(*alpha > 0 && *alpha < 0.5) {
		return usageError{fmt.Errorf("history: --alpha %g: want a level between 0 and 0.5, e.g. 0.01", *alpha)}
	}
	results, names, err := readBaselines(fs.Args(), "", stderr)
	if err != nil {
		return usageError{fmt.Errorf("history: %s", strings.TrimPrefix(err.Error(), "baseline: "))}
	}
	h := report.NewHistory(results, names, report.HistoryOptions{
		StatOptions: report.StatOptions{CompareOptions: report.CompareOptions{MaxRegression: float64(maxReg), IncludeBound: *includeBound}, Alpha: *alpha, Seed: 1},
		Window:      *window,
	})
	for _, r := range h.Runs {
		var flags []string
		for _, p := range r.Steps {
			if len(p.Regressed) > 0 {
				flags = append(flags, p.Step+": "+strings.Join(p.Regressed, ","))
			}
			if p.GeneratorBound {
				flags = append(flags, p.Step+": generator bound")
			}
		}
		if r.Partial {
			flags = append(flags, "partial")
		}
		line := fmt.Sprintf("%s  %s  %s  %s", r.Started.UTC().Format("2006-01-02T15:04:05Z"), r.Scenario, r.Verdict, r.Name)
		if len(flags) > 0 {
			line += "  (" + strings.Join(flags, "; ") + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	if *out != "" {
		if err := writeFileAtomic(*out, func(w io.Writer) error { return report.HistoryHTML(w, h) }); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	if *csvOut != "" {
		if err := writeFileAtomic(*csvOut, func(w io.Writer) error { return report.HistoryCSV(w, h) }); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	return nil
}
