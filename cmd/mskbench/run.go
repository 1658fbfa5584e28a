package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/ramp"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
)

// runFlags are the flags of `mskbench run` that are not auth flags.
type runFlags struct {
	sets     []string
	brokers  string
	duration string
	warmup   string
	client   string
	embedded bool
	output   string
	quiet    bool
	checks   []string
	cpuprof  string
	memprof  string
	debug    string
	auth     plan.Auth // auth flags; only those explicitly set override the scenario
	connect  time.Duration
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr, "mskbench run SCENARIO [flags]",
		"Runs a scenario (a YAML file or a built-in name, see `mskbench scenarios`) against a cluster\n"+
			"and prints a summary; -o writes the complete result file.")
	var f runFlags
	fs.StringArrayVar(&f.sets, "set", nil, "override a scenario field, e.g. --set producers.rate=2000/s (repeatable)")
	fs.StringVar(&f.brokers, "brokers", "", "bootstrap brokers host:port[,host:port...] (overrides cluster.brokers)")
	fs.StringVar(&f.duration, "duration", "", "measured phase length, e.g. 30s (overrides phases.duration)")
	fs.StringVar(&f.warmup, "warmup", "", "warm-up length, e.g. 5s (overrides phases.warmup)")
	fs.StringVar(&f.client, "client", "", "Kafka client library: franz-go (default) or kafka-go (overrides client)")
	fs.BoolVar(&f.embedded, "embedded", false, "run against an in-process 3-broker cluster (measures this machine)")
	fs.StringVarP(&f.output, "output", "o", "", "write the result file (JSON) here")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no live progress on stderr")
	fs.StringArrayVar(&f.checks, "check", nil, checkFlagUsage)
	fs.DurationVar(&f.connect, "connect-timeout", plan.DefaultDialTimeout, "bound on each connection attempt and the initial cluster probe")
	fs.StringVar(&f.cpuprof, "cpuprofile", "", "write a CPU profile of the tool itself to this file")
	fs.StringVar(&f.memprof, "memprofile", "", "write a heap profile of the tool itself to this file at the end")
	fs.StringVar(&f.debug, "debug-addr", "", "serve Go's pprof endpoints (goroutines, heap, CPU) on this address, e.g. 127.0.0.1:6060")
	registerAuthFlags(fs, &f.auth)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.debug != "" {
		stopDebug, err := serveDebug(f.debug)
		if err != nil {
			return usageError{fmt.Errorf("--debug-addr: %w", err)}
		}
		defer stopDebug()
	}
	stopProfiles, err := startProfiles(f.cpuprof, f.memprof)
	if err != nil {
		return err
	}
	defer stopProfiles()
	if _, err := parseChecks(f.checks); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("run: want exactly one scenario (a file or a built-in name)")}
	}
	s, plans, err := loadScenario(fs.Arg(0), f)
	if err != nil {
		return err
	}

	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "mskbench: "+format+"\n", a...) }
	// The scenario's cluster.auth block, overridden by the flags that were
	// set; usage errors end the run before anything starts.
	a := s.Cluster.Auth
	mergeAuthFlags(&a, f.auth, fs.Changed)
	if err := authProblems(a, s.Embedded()); err != nil {
		return usageError{err}
	}
	// The probe authenticates with the client the first step runs on.
	cfg := auth.Config{Auth: a, Brokers: plans[0].Brokers, DialTimeout: f.connect, Client: plans[0].Client}
	if s.Embedded() {
		c, err := embedded.Start(embedded.Config{Brokers: embedded.DefaultBrokers})
		if err != nil {
			return err
		}
		defer c.Close()
		cfg.Brokers = c.Addrs()
		logf("embedded in-process cluster (%d brokers at %s): results measure this machine, not a Kafka cluster",
			c.Brokers(), strings.Join(c.Addrs(), ","))
	}
	conn, err := auth.Connect(ctx, cfg, logf)
	if err != nil {
		var ce *auth.ConfigError
		if errors.As(err, &ce) {
			return usageError{err}
		}
		return err
	}

	res := newResult(s)
	res.Embedded = s.Embedded()
	runID := newRunID()
	tty := isTerminal(stderr)
	runStep := func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		logf("step %d %s: run id %s", p.Index+1, p.Name(), runID)
		opts := load.Options{Logf: logf, RunID: runID, Embedded: s.Embedded(), Progress: progress}
		if !f.quiet {
			label := strconv.Itoa(p.Index + 1)
			if p.Label == "precondition" {
				label = "precondition"
			}
			opts.Progress = func(iv report.Interval) {
				if progress != nil {
					progress(iv)
				}
				iv.Step = label
				report.Progress(stderr, iv, tty)
			}
		}
		step, err := load.Run(ctx, p, conn, opts)
		if tty && !f.quiet {
			fmt.Fprintln(stderr)
		}
		return step, err
	}
	out, runErr := ramp.Execute(ctx, s, plans, runStep, logf)
	out.Apply(res)
	res.Ended = time.Now().UTC()
	res.Connection = report.Connection{
		Brokers:    conn.Brokers,
		Mechanism:  conn.Mechanism,
		Region:     conn.Region,
		Dials:      conn.Dials(),
		Reconnects: conn.Reconnects(),
	}
	res.Warnings = append(res.Warnings, conn.Warnings...)
	if ctx.Err() != nil || runErr != nil {
		res.Partial = true
	}
	checkErr := runChecks(res, checkExprs(s, f.checks), nil)
	if f.output != "" {
		if err := report.WriteFile(f.output, res); err != nil {
			return errors.Join(runErr, fmt.Errorf("write result file: %w", err))
		}
		logf("result written to %s", f.output)
	}
	if len(res.Steps) > 0 {
		if err := report.Summary(stdout, res); err != nil {
			return errors.Join(runErr, err)
		}
	}
	if runErr != nil {
		return runErr
	}
	if ctx.Err() != nil {
		return interruptedError{errors.New("interrupted: results so far are marked partial")}
	}
	return checkErr
}

// loadScenario loads, overrides and validates a scenario and expands its steps.
// Every problem is a usage error (exit code 2) and nothing reaches a cluster.
func loadScenario(arg string, f runFlags) (*scenarios.Scenario, []plan.Plan, error) {
	s, err := scenarios.Load(arg)
	if err != nil {
		return nil, nil, usageError{err}
	}
	var sets []string
	if f.embedded {
		sets = append(sets, "cluster.brokers=embedded")
	}
	if f.brokers != "" {
		sets = append(sets, "cluster.brokers="+f.brokers)
	} else if f.auth.ClusterARN != "" {
		// --cluster-arn replaces the scenario's brokers (built-ins default to
		// the embedded cluster) with those MSK reports for the cluster.
		sets = append(sets, "cluster.auth.cluster_arn="+f.auth.ClusterARN)
	}
	if f.duration != "" {
		sets = append(sets, "phases.duration="+f.duration)
	}
	if f.warmup != "" {
		sets = append(sets, "phases.warmup="+f.warmup)
	}
	if f.client != "" {
		sets = append(sets, "client="+f.client)
	}
	sets = append(sets, f.sets...)
	var problems []error
	for _, e := range sets {
		if err := s.Set(e); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return nil, nil, usageError{errors.Join(problems...)}
	}
	if f.brokers == "" && f.auth.ClusterARN != "" {
		s.Cluster.Brokers = nil // discovered from the ARN, even where the file named brokers
	}
	if err := s.Validate(scenarios.ValidateOptions{}); err != nil {
		return nil, nil, usageError{err}
	}
	return s, s.Steps(), nil
}

// newRunID returns a short random id that names this run's topics and groups.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newResult starts the result record of a run of s.
func newResult(s *scenarios.Scenario) *report.Result {
	v, c := buildInfo()
	res := report.NewResult(report.Tool{Name: "mskbench", Version: v, Commit: c}, time.Now().UTC())
	res.Scenario = report.Scenario{
		Name:        s.Name,
		Description: s.Description,
		Source:      string(s.Redacted()),
	}
	if spec, err := json.Marshal(s); err == nil {
		res.Scenario.Spec = spec
	}
	return res
}

// startProfiles starts CPU profiling into cpuFile and arranges a heap profile
// into memFile; the returned function ends both. Empty names turn them off.
func startProfiles(cpuFile, memFile string) (stop func(), err error) {
	var cpu *os.File
	if cpuFile != "" {
		if cpu, err = os.Create(cpuFile); err != nil {
			return nil, usageError{fmt.Errorf("--cpuprofile: %w", err)}
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memFile != "" {
			if m, err := os.Create(memFile); err == nil {
				_ = pprof.Lookup("heap").WriteTo(m, 0)
				m.Close()
			}
		}
	}, nil
}

// serveDebug serves net/http/pprof's handlers on addr until stop is called.
func serveDebug(addr string) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return func() { _ = srv.Close() }, nil
}

// checkExprs returns the scenario's checks followed by the --check flags.
func checkExprs(s *scenarios.Scenario, flags []string) []string {
	var exprs []string
	for _, c := range s.Checks {
		exprs = append(exprs, c.Expr)
	}
	return append(exprs, flags...)
}
