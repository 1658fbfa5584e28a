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
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/internal/redact"
	"github.com/mskbench/mskbench/internal/suggest"
	"github.com/mskbench/mskbench/report"
)

// Exit codes. They are part of the tool's interface: keep them stable.
const (
	exitOK      = 0 // success
	exitFailure = 1 // runtime failure: cluster unreachable, authentication failed, ...
	exitUsage   = 2 // usage error or invalid scenario
	exitCheck   = 3 // the run completed but a check (SLO, regression) failed
	exitSignal  = 130
)

// command is one subcommand: a short help line, its FlagSet (bound to fresh
// values: for help, completion and flag suggestions) and the function that
// runs it, which builds the same FlagSet for itself.
type command struct {
	summary string
	flags   func(stdout io.Writer) *pflag.FlagSet
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"run": {"run a scenario (file or built-in name) and report the results",
			func(w io.Writer) *pflag.FlagSet { fs, _ := runFlagSet(w); return fs }, runRun},
		"validate": {"check a scenario and print the steps it expands to",
			func(w io.Writer) *pflag.FlagSet { fs, _ := validateFlagSet(w); return fs }, runValidate},
		"scenarios": {"list the built-in scenarios, or `scenarios show NAME`", scenariosFlagSet, runScenarios},
		"report": {"re-render the summary of a result file",
			func(w io.Writer) *pflag.FlagSet { fs, _ := reportFlagSet(w); return fs }, runReport},
		"compare": {"compare a result with one or several baselines; exit 3 on regression",
			func(w io.Writer) *pflag.FlagSet { fs, _ := compareFlagSet(w); return fs }, runCompare},
		"merge": {"merge the results of several load generators into one",
			func(w io.Writer) *pflag.FlagSet { fs, _, _ := mergeFlagSet(w); return fs }, runMerge},
		"history": {"render the history of a directory of results (HTML, CSV), marking regressions",
			func(w io.Writer) *pflag.FlagSet { fs, _ := historyFlagSet(w); return fs }, runHistory},
		"broker": {"run an in-process Kafka cluster in the foreground",
			func(w io.Writer) *pflag.FlagSet { fs, _ := brokerFlagSet(w); return fs }, runBroker},
		"clean": {"list (and with --yes delete) the topics and groups interrupted runs left behind",
			func(w io.Writer) *pflag.FlagSet { fs, _ := cleanFlagSet(w); return fs }, runClean},
		"size": {"size and price an MSK cluster for a workload",
			func(w io.Writer) *pflag.FlagSet { fs, _ := sizeFlagSet(w); return fs }, runSize},
		"version":    {"print the version", versionFlagSet, runVersion},
		"help":       {"print the usage of mskbench or of a command: `help COMMAND`", helpFlagSet, runHelp},
		"completion": {"print a shell completion script: `completion bash|zsh|fish`", completionFlagSet, runCompletion},
	}
}

func main() {
	ctx, stop := signalContext(os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// signalWindow is how close together signals count as one: GNU timeout and
// a terminal's Ctrl-C signal the whole process group, so one intent often
// arrives as two signals a few milliseconds apart.
const signalWindow = 500 * time.Millisecond

// interrupt is what the signal handler shares with a command through its
// context (interruptOf): the hurry channel, closed by a second signal, and
// what to print before exiting at a third. Safe for concurrent use.
type interrupt struct {
	hurry chan struct{}
	mu    sync.Mutex
	last  func(w io.Writer) // prints what is left behind; nil: nothing
}

type interruptKey struct{}

// interruptOf returns the interrupt state of ctx (a fresh one, never
// hurried, for a context signalContext did not build).
func interruptOf(ctx context.Context) *interrupt {
	if in, ok := ctx.Value(interruptKey{}).(*interrupt); ok {
		return in
	}
	return &interrupt{hurry: make(chan struct{})}
}

// beforeExit sets what to print on stderr when a third signal exits at
// once (what the run left on the cluster); nil prints nothing.
func (in *interrupt) beforeExit(f func(w io.Writer)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.last = f
}

// signalContext returns a context cancelled by the first SIGINT or SIGTERM:
// the run then stops gracefully (load stops, consumers drain briefly, topics
// and groups are deleted, partial results written). Signals within
// signalWindow of the last one counted are the same signal. A second one
// hurries the stop (interruptOf(ctx).hurry closes: the drain ends at once
// and teardown is shortened; results are still written); a third prints
// what the run leaves behind (interrupt.beforeExit) and exits at once with
// exitSignal through exit (os.Exit). stop releases the signal handler.
func signalContext(stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	in := &interrupt{hurry: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), interruptKey{}, in))
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go in.handle(sigs, time.Now, stderr, cancel, exit)
	return ctx, func() {
		signal.Stop(sigs)
		close(sigs)
		cancel()
	}
}

// handle acts on the signals of sigs (see signalContext) until sigs is
// closed or it called exit; now is the clock that tells signals apart.
func (in *interrupt) handle(sigs <-chan os.Signal, now func() time.Time, stderr io.Writer, cancel func(), exit func(int)) {
	var last time.Time
	n := 0
	for s := range sigs {
		t := now()
		if n > 0 && t.Sub(last) < signalWindow {
			continue // the same signal, delivered twice
		}
		last = t
		n++
		switch n {
		case 1:
			fmt.Fprintf(stderr, "mskbench: %v: stopping; results so far are written and the run's topics deleted "+
				"(send it again to hurry, a third time to exit at once)\n", s)
			cancel()
		case 2:
			fmt.Fprintf(stderr, "mskbench: %v again: hurrying: drain cut, teardown shortened; results are still written "+
				"(a third signal exits at once)\n", s)
			close(in.hurry)
		default:
			fmt.Fprintf(stderr, "mskbench: %v a third time: exiting at once\n", s)
			in.mu.Lock()
			if in.last != nil {
				in.last(stderr)
			}
			in.mu.Unlock()
			exit(exitSignal)
			return
		}
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	out := &firstErrWriter{w: stdout}
	var w io.Writer = out
	if isTerminal(stdout) {
		// Whatever a command prints, strings from files included, reaches
		// a terminal sanitised (report.Sanitize).
		w = report.SafeWriter(out)
	}
	name, err := dispatch(ctx, args, w, stderr)
	if out.err != nil && !errors.Is(err, out.err) {
		// Every command prints its product on stdout: one that could not
		// be written (a closed pipe, a full disk) is a failed command.
		err = errors.Join(err, fmt.Errorf("%s: write to standard output: %w", name, out.err))
	}
	return err
}

// dispatch runs the command args[0] names and returns its name.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		printUsage(stdout)
		return "mskbench", usageError{errors.New("no command given (see: mskbench help)")}
	}
	switch args[0] {
	case "-h", "--help":
		return "help", runHelp(ctx, args[1:], stdout, stderr)
	case "--version":
		return "version", runVersion(ctx, args[1:], stdout, stderr)
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		return args[0], unknownCommand(args[0])
	}
	return args[0], cmd.run(ctx, args[1:], stdout, stderr)
}

// unknownCommand is the usage error for a command that does not exist,
// with the nearest one as a suggestion.
func unknownCommand(name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if strings.HasPrefix(name, "-") {
		msg = fmt.Sprintf("unknown flag %q before the command", name)
	} else if s := suggest.Nearest(strings.ToLower(name), commandNames()); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return usageError{errors.New(msg + "; the commands are: " + strings.Join(commandNames(), ", ") + " (see: mskbench help)")}
}

// commandNames returns the command names, sorted.
func commandNames() []string {
	return slices.Sorted(maps.Keys(commands()))
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "mskbench — load and throughput benchmarks for Amazon MSK and Kafka")
	fmt.Fprintln(w, "\nUsage: mskbench COMMAND [flags] [args]\n\nCommands:")
	cmds := commands()
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 runtime failure, 2 usage or invalid scenario, 3 a check failed, 130 interrupted.")
	fmt.Fprintln(w, "Run `mskbench help COMMAND` (or `mskbench COMMAND --help`) for the flags of a command.")
}

func helpFlagSet(stdout io.Writer) *pflag.FlagSet {
	return newFlagSet("help", stdout, "[COMMAND]", "Prints the usage of mskbench, or of COMMAND with all its flags.")
}

// runHelp prints the usage of mskbench or of one command on stdout.
func runHelp(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := helpFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		printUsage(stdout)
		return nil
	case 1:
		cmd, ok := commands()[fs.Arg(0)]
		if !ok {
			return unknownCommand(fs.Arg(0))
		}
		cmd.flags(stdout).Usage()
		return nil
	}
	return usageError{fmt.Errorf("help: want at most one command, got %q", fs.Args())}
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
	// Errors may quote a file (a scenario, a result): sanitised.
	fmt.Fprintf(stderr, "mskbench: %s\n", report.Sanitize(redact.Text(err.Error())))
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
