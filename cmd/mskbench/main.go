// Command mskbench load-tests Amazon MSK and any Kafka-compatible cluster.
//
// main only wires: it builds a context cancelled by SIGINT/SIGTERM, calls run
// and maps the returned error to an exit code (see exitCode); only main calls
// os.Exit. Each subcommand of the table in commands has its own FlagSet
// (flags.go; the authentication flags in authflags.go) and reads and writes
// files; the work is done by the packages it wires: scenarios, ramp, load,
// auth, report, monitor, sizing and internal/embedded (docs/architecture.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes. They are part of the tool's interface: keep them stable.
const (
	exitOK      = 0 // success
	exitFailure = 1 // runtime failure: cluster unreachable, authentication failed, ...
	exitUsage   = 2 // usage error or invalid scenario
	exitCheck   = 3 // the run completed but a check (SLO, regression) failed
	exitSignal  = 130
)

// command is one subcommand: a short help line and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"run":       {"run a scenario (file or built-in name) and report the results", runRun},
		"validate":  {"check a scenario and print the steps it expands to", runValidate},
		"scenarios": {"list the built-in scenarios, or `scenarios show NAME`", runScenarios},
		"report":    {"re-render the summary of a result file", runReport},
		"compare":   {"compare a result with a baseline; exit 3 on regression", runCompare},
		"merge":     {"merge the results of several load generators into one", runMerge},
		"broker":    {"run an in-process Kafka cluster in the foreground", runBroker},
		"size":      {"size and price an MSK cluster for a workload", runSize},
		"version":   {"print the version", runVersion},
	}
}

func main() {
	ctx, stop := signalContext(os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// signalContext returns a context cancelled by the first SIGINT or SIGTERM:
// the run then stops gracefully (load stops, consumers drain briefly, topics
// are deleted, partial results written). A second signal exits at once with
// exitSignal through exit (os.Exit). stop releases the signal handler.
func signalContext(stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		fmt.Fprintf(stderr, "mskbench: %v: stopping (send it again to exit at once)\n", s)
		cancel()
		if _, ok := <-sigs; ok {
			exit(exitSignal)
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(sigs)
		cancel()
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usageError{errors.New("no command given")}
		}
		return nil
	}
	if args[0] == "--version" {
		return runVersion(ctx, nil, stdout, stderr)
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		return usageError{fmt.Errorf("unknown command %q (try: mskbench help)", args[0])}
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "mskbench — load and throughput benchmarks for Amazon MSK and Kafka")
	fmt.Fprintln(w, "\nUsage: mskbench COMMAND [flags] [args]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 runtime failure, 2 usage or invalid scenario, 3 a check failed, 130 interrupted.")
	fmt.Fprintln(w, "Run `mskbench COMMAND --help` for the flags of a command.")
}

// usageError marks an error as the user's: bad flags, an invalid scenario or
// input file. It maps to exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// checkError marks a completed run whose checks failed (exit code 3).
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }
func (e checkError) Unwrap() error { return e.err }

// interruptedError marks a run stopped by a signal (exit code 130).
type interruptedError struct{ err error }

func (e interruptedError) Error() string { return e.err.Error() }
func (e interruptedError) Unwrap() error { return e.err }

// exitCode prints err (if any) to stderr and returns the process exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "mskbench: %v\n", err)
	var u usageError
	var c checkError
	var i interruptedError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &c):
		return exitCheck
	case errors.As(err, &i):
		return exitSignal
	default:
		return exitFailure
	}
}
