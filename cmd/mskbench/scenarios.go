package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/internal/redact"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/ramp"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
)

// runScenarios lists the built-in scenarios or prints one.
func scenariosFlagSet(stdout io.Writer) *pflag.FlagSet {
	return newFlagSet("scenarios", stdout, "[show NAME]",
		"Lists the scenarios built into the binary, or prints one (`show NAME`) to copy and edit.")
}

func runScenarios(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := scenariosFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		for _, in := range scenarios.Builtins() {
			fmt.Fprintf(stdout, "%-22s %s\n", in.Name, in.Description)
		}
		return nil
	case fs.NArg() == 2 && fs.Arg(0) == "show":
		src, ok := scenarios.BuiltinSource(fs.Arg(1))
		if !ok {
			return usageError{fmt.Errorf("scenarios: no built-in scenario %q (list them with: mskbench scenarios)", fs.Arg(1))}
		}
		_, err := stdout.Write(src)
		return err
	default:
		return usageError{errors.New("scenarios: want no argument or `show NAME`")}
	}
}

// runValidate checks a scenario and prints the steps it expands to.
func validateFlagSet(stdout io.Writer) (*pflag.FlagSet, *runFlags) {
	fs := newFlagSet("validate", stdout, "SCENARIO",
		"Checks a scenario (file, - for standard input, or built-in name) without contacting any cluster\n"+
			"and prints its steps. Exit code 2 and every problem with file:line:column when it is invalid.")
	f := new(runFlags)
	fs.StringArrayVar(&f.sets, "set", nil, "override a scenario field, e.g. --set producers.rate=2000/s (repeatable)")
	fs.StringVar(&f.brokers, "brokers", "", "bootstrap brokers (overrides cluster.brokers)")
	fs.StringVar(&f.duration, "duration", "", "overrides phases.duration")
	fs.StringVar(&f.warmup, "warmup", "", "overrides phases.warmup")
	fs.BoolVar(&f.embedded, "embedded", false, "validate for the in-process cluster")
	return fs, f
}

func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, fp := validateFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f := *fp
	if fs.NArg() != 1 {
		return usageError{errors.New("validate: want exactly one scenario (a file or a built-in name)")}
	}
	s, plans, err := loadScenario(fs.Arg(0), f, fs.Changed, func(format string, a ...any) { fmt.Fprintf(stderr, "mskbench: "+format+"\n", a...) })
	if err != nil {
		return err
	}
	stdout = report.SafeWriter(stdout) // the scenario's strings, for people
	fmt.Fprintf(stdout, "scenario %s: valid, %d step(s)\n", s.Name, len(plans))
	for i, p := range plans {
		writePlan(stdout, i, len(plans), p)
	}
	for _, line := range ramp.Describe(s) {
		fmt.Fprintln(stdout, line)
	}
	if line := describeBrokerMonitoring(s); line != "" {
		fmt.Fprintln(stdout, line)
	}
	return nil
}

// writePlan prints one expanded step in a few readable lines.
func writePlan(w io.Writer, i, n int, p plan.Plan) {
	label := p.Label
	if label == "" {
		label = "(no sweep)"
	}
	fmt.Fprintf(w, "step %d/%d %s\n", i+1, n, label)
	if len(p.Brokers) == 0 {
		fmt.Fprintf(w, "  cluster    (bootstrap brokers discovered from cluster.auth.cluster_arn)\n")
	} else {
		fmt.Fprintf(w, "  cluster    %s\n", strings.Join(p.Brokers, ","))
	}
	for _, wl := range p.WorkloadList() {
		if wl.Name != "" {
			fmt.Fprintf(w, "  workload   %s\n", wl.Name)
		}
		writeWorkload(w, wl)
	}
	ph := p.Phases
	fmt.Fprintf(w, "  phases     warm-up %s, measure %s, drain ≤ %s, report every %s\n",
		ph.Warmup, ph.Duration, ph.DrainTimeout, ph.ReportInterval)
}

// writeWorkload prints the topics, producers and consumers of one workload
// of a step (or of the step's own blocks).
func writeWorkload(w io.Writer, wl plan.Workload) {
	p := wl
	t := p.Topics
	if t.Existing != "" {
		fmt.Fprintf(w, "  topics     existing topic %s (never deleted)\n", t.Existing)
	} else {
		fmt.Fprintf(w, "  topics     %d × %d partitions, replication factor %d, prefix %s, keep %t\n",
			t.Count, t.Partitions, t.ReplicationFactor, t.Prefix, t.Keep)
	}
	if len(t.Configs) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
			kv = append(kv, k+"="+redact.Value(k, t.Configs[k]))
		}
		fmt.Fprintf(w, "  configs    %s\n", strings.Join(kv, ", "))
	}
	pr := p.Producers
	size := pr.MessageSize.String()
	if pr.Payload.Active() {
		size = "from " + pr.Payload.File + " (" + string(pr.Payload.Order) + ")"
	}
	fmt.Fprintf(w, "  producers  %d workers, rate %s, message size %s, acks %s, compression %s, keys %s\n",
		pr.Workers, pr.Rate, size, pr.Acks, pr.Compression, pr.Keys.Mode)
	if h := pr.Headers; h.Count > 0 {
		fmt.Fprintf(w, "             %d headers of %s + %s\n", h.Count, h.KeySize, h.ValueSize)
	}
	fmt.Fprintf(w, "             batch %d msgs / %s, linger %s, max in flight %d, compressibility %.2f\n",
		pr.BatchSize, pr.BatchBytes, pr.Linger, pr.MaxInFlight, pr.Compressibility)
	c := p.Consumers
	if c.Groups == 0 {
		fmt.Fprintf(w, "  consumers  none (produce only)\n")
	} else {
		fmt.Fprintf(w, "  consumers  %d group(s) × %d, fetch %s..%s, max wait %s, commit every %s\n",
			c.Groups, c.PerGroup, c.FetchMinBytes, c.FetchMaxBytes, c.MaxWait, c.CommitInterval)
	}
}
