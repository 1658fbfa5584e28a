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

// runCompare compares a result with a baseline result, step by step, and
// fails with a checkError (exit code 3) when a key aggregate regressed.
func compareFlagSet(stdout io.Writer) (*pflag.FlagSet, *percent, *time.Duration, *string) {
	fs := newFlagSet("compare", stdout, "BASELINE.json CURRENT.json",
		"Compares the key figures (msgs/s, publish p50/p99/p99.9, end-to-end p99, error rate) of two\n"+
			"result files step by step (matched by label) and exits with code 3 when one got worse by more\n"+
			"than --max-regression: latency or error rate up, throughput down.")
	maxReg := percent(0.10)
	fs.Var(&maxReg, "max-regression", "largest tolerated worsening relative to the baseline, e.g. 10%")
	minLat := fs.Duration("min-latency-change", 0, "latency increases smaller than this never count as regressions, e.g. 500us")
	format := fs.String("format", "text", "output format: text or json")
	return fs, &maxReg, minLat, format
}

func runCompare(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, maxRegP, minLat, format := compareFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{errors.New("compare: want two result files: BASELINE.json CURRENT.json")}
	}
	maxReg := *maxRegP
	if *format != "text" && *format != "json" {
		return usageError{fmt.Errorf("compare: unknown --format %q (want text or json)", *format)}
	}
	if *minLat < 0 {
		return usageError{fmt.Errorf("compare: --min-latency-change %s is negative", *minLat)}
	}
	base, err := report.ReadFile(fs.Arg(0))
	if err != nil {
		return usageError{fmt.Errorf("compare: baseline: %w", err)}
	}
	cur, err := report.ReadFile(fs.Arg(1))
	if err != nil {
		return usageError{fmt.Errorf("compare: current: %w", err)}
	}
	opts := report.CompareOptions{
		MaxRegression:      float64(maxReg),
		MinLatencyChangeMs: float64(*minLat) / float64(time.Millisecond),
	}
	c, err := report.Compare(base, cur, opts)
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
	} else if err := report.WriteComparison(report.SafeWriter(stdout), c); err != nil {
		return err
	}
	if n := c.Regressions(); n > 0 {
		return checkError{fmt.Errorf("compare: %d regression(s) beyond %s against %s", n, maxReg.String(), fs.Arg(0))}
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
