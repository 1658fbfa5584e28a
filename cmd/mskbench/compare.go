package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

// compareFlags are the flags of `mskbench compare`.
type compareFlags struct {
	maxReg       *percent
	minLat       *time.Duration
	format       *string
	alpha        *float64
	includeBound *bool
	junit        *string
}

// compareFlagSet returns the FlagSet of `mskbench compare` (help on stdout).
func compareFlagSet(stdout io.Writer) (*pflag.FlagSet, compareFlags) {
	fs := newFlagSet("compare", stdout, "BASELINE... CURRENT.json",
		"Compares the key figures (msgs/s, publish p50/p99/p99.9, end-to-end p99, error rate) of a\n"+
			"result file (the last argument) with baselines, step by step (matched by label), and exits\n"+
			"with code 3 when one got worse by more than --max-regression: latency or error rate up,\n"+
			"throughput down. A BASELINE is a result file or a directory of result files. With one\n"+
			"baseline the relative change decides; with several, the change must also be statistically\n"+
			"significant at --alpha (see docs/checks.md).")
	maxReg := percent(0.10)
	fs.Var(&maxReg, "max-regression", "largest tolerated worsening relative to the baseline, e.g. 10%")
	f := compareFlags{maxReg: &maxReg}
	f.minLat = fs.Duration("min-latency-change", 0, "latency increases smaller than this never count as regressions, e.g. 500us")
	f.format = fs.String("format", "text", "output format: text, json or markdown")
	f.alpha = fs.Float64("alpha", report.DefaultAlpha, "with several baselines: significance level of the regression tests")
	f.includeBound = fs.Bool("include-bound", false, "judge baseline steps the load generator or broker throttling limited (left out of the verdict by default)")
	f.junit = fs.String("junit", "", junitFlagUsage)
	return fs, f
}

// runCompare compares a result with one or several baseline results, step
// by step, and fails with a checkError (exit code 3) when a key aggregate
// regressed.
func runCompare(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := compareFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	maxReg, minLat, format, alpha, includeBound, junit := *f.maxReg, f.minLat, f.format, f.alpha, f.includeBound, f.junit
	if fs.NArg() < 2 {
		return usageError{errors.New("compare: want two result files: BASELINE.json CURRENT.json (or several baselines, or a directory of them, then CURRENT.json)")}
	}
	if *format != "text" && *format != "json" && *format != "markdown" {
		return usageError{fmt.Errorf("compare: unknown --format %q (want text, json or markdown)", *format)}
	}
	if !(*alpha > 0 && *alpha < 0.5) {
		return usageError{fmt.Errorf("compare: --alpha %g: want a level between 0 and 0.5, e.g. 0.01", *alpha)}
	}
	if *minLat < 0 {
		return usageError{fmt.Errorf("compare: --min-latency-change %s is negative", *minLat)}
	}
	curName := fs.Arg(fs.NArg() - 1)
	bases, baseNames, err := readBaselines(fs.Args()[:fs.NArg()-1], curName, stderr)
	if err != nil {
		return usageError{fmt.Errorf("compare: %w", err)}
	}
	cur, err := report.ReadFile(curName)
	if err != nil {
		return usageError{fmt.Errorf("compare: current: %w", err)}
	}
	opts := report.StatOptions{
		CompareOptions: report.CompareOptions{
			MaxRegression:      float64(maxReg),
			MinLatencyChangeMs: float64(*minLat) / float64(time.Millisecond),
			IncludeBound:       *includeBound,
		},
		Alpha: *alpha,
		Seed:  1,
	}
	c, err := report.CompareRuns(bases, cur, opts)
	if err != nil {
		return usageError{fmt.Errorf("%w (are these results of the same scenario?)", err)}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("compare: write json: %w", err)
		}
	} else if *format == "markdown" {
		if err := report.ComparisonMarkdown(stdout, c); err != nil {
			return err
		}
	} else if err := report.WriteComparison(report.SafeWriter(stdout), c); err != nil {
		return err
	}
	if err := ciOutputs(*junit,
		func(w io.Writer) error { return report.ComparisonJUnit(w, c) },
		func(w io.Writer) error { return report.ComparisonMarkdown(w, c) }); err != nil {
		return err
	}
	against := baseNames[0]
	if len(baseNames) > 1 {
		against = fmt.Sprintf("%d baselines", len(baseNames))
	}
	if n := c.Regressions(); n > 0 {
		return checkError{fmt.Errorf("compare: %d regression(s) beyond %s against %s", n, maxReg.String(), against)}
	}
	return nil
}

// percent is a fraction given on the command line as a percentage ("10%"),
// a pflag.Value.
type percent float64

func (p *percent) String() string {
	return strconv.FormatFloat(math.Round(float64(*p)*100*1000)/1000, 'f', -1, 64) + "%"
}

func (p *percent) Set(s string) error {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return fmt.Errorf("want a percentage such as 10%%, got %q", s)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("want a non-negative percentage such as 10%%, got %q", s)
	}
	*p = percent(v / 100)
	return nil
}

func (p *percent) Type() string { return "percent" }
