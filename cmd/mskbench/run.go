package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/internal/redact"
	"github.com/mskbench/mskbench/internal/shardenv"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/ramp"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
	"github.com/mskbench/mskbench/shard"
)

// runFlags are the flags of `mskbench run` that are not auth flags.
type runFlags struct {
	clusterFlags // --brokers, --connect-timeout, the auth flags
	sets         []string
	duration     string
	warmup       string
	client       string
	embedded     bool
	output       string
	quiet        bool
	checks       []string
	labels       []string
	junit        string
	cpuprof      string
	memprof      string
	debug        string
	live         *liveFlags // --metrics-listen, --push
	// The shard contract (internal/shardenv.Flags): a distributed run.
	shards, shard  int
	runID          string
	barrierTimeout time.Duration
}

// runFlagSet returns the FlagSet of `mskbench run`, bound to a new runFlags.
func runFlagSet(stdout io.Writer) (*pflag.FlagSet, *runFlags) {
	fs := newFlagSet("run", stdout, "SCENARIO",
		"Runs a scenario (a YAML file, - for standard input, or a built-in name, see `mskbench scenarios`)\n"+
			"against a cluster and prints a summary; -o writes the complete result file.")
	f := new(runFlags)
	fs.StringArrayVar(&f.sets, "set", nil, "override a scenario field, e.g. --set producers.rate=2000/s (repeatable)")
	registerClusterFlags(fs, &f.clusterFlags, " (overrides cluster.brokers)")
	fs.StringVar(&f.duration, "duration", "", "measured phase length, e.g. 30s (overrides phases.duration)")
	fs.StringVar(&f.warmup, "warmup", "", "warm-up length, e.g. 5s (overrides phases.warmup)")
	fs.StringVar(&f.client, "client", "", "Kafka client library: franz-go (default) or kafka-go (overrides client)")
	fs.BoolVar(&f.embedded, "embedded", false, "run against an in-process 3-broker cluster (measures this machine)")
	fs.StringVarP(&f.output, "output", "o", "", "write the result file (JSON) here")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no live progress on stderr")
	fs.StringArrayVar(&f.checks, "check", nil, checkFlagUsage)
	fs.StringArrayVar(&f.labels, "label", nil, labelFlagUsage)
	fs.StringVar(&f.junit, "junit", "", junitFlagUsage)
	fs.StringVar(&f.cpuprof, "cpuprofile", "", "write a CPU profile of the tool itself to this file")
	fs.StringVar(&f.memprof, "memprofile", "", "write a heap profile of the tool itself to this file at the end")
	fs.StringVar(&f.debug, "debug-addr", "", "serve Go's pprof endpoints (goroutines, heap, CPU) on this address, e.g. 127.0.0.1:6060")
	registerShardFlags(fs, f)
	f.live = registerLiveFlags(fs)
	return fs, f
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, fp := runFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f := *fp
	if _, err := parseChecks(f.checks); err != nil {
		return err
	}
	labels, err := parseLabels(f.labels)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("run: want exactly one scenario (a file or a built-in name)")}
	}
	st := &status{w: stderr, tty: isTerminal(stderr)}
	logf := st.logf
	s, plans, err := loadScenario(fs.Arg(0), f, fs.Changed, logf)
	if err != nil {
		return err
	}
	if err := checkOutputs(f); err != nil {
		return err
	}
	if f.debug != "" {
		stopDebug, err := serveDebug(f.debug, logf)
		if err != nil {
			return usageError{fmt.Errorf("--debug-addr: %w", err)}
		}
		defer stopDebug()
	}
	profs, err := startProfiles(f.cpuprof, f.memprof)
	if err != nil {
		return err
	}
	defer profs.stop()

	// The scenario's cluster.auth block, overridden by the flags that were
	// set; usage errors end the run before anything starts.
	// The probe authenticates with the client the first step runs on.
	cfg, err := f.config(s.Cluster.Auth, fs.Changed, plans[0].Brokers, plans[0].Client, s.Embedded())
	if err != nil {
		return err
	}
	a := cfg.Auth
	// -o s3://... uploads with the credentials MSK IAM would use.
	awsCfg := func(ctx context.Context) (aws.Config, error) { return auth.AWSConfig(ctx, cfg, "") }
	metricsURL := "" // the embedded cluster's /metrics, scraped beside every step
	if s.Embedded() {
		c, err := embedded.Start(embedded.Config{Brokers: embedded.DefaultBrokers, Metrics: true})
		if err != nil {
			return err
		}
		defer c.Close()
		if metricsURL, err = c.ServeMetrics("127.0.0.1:0"); err != nil {
			logf("warning: embedded cluster: no broker metrics: %v", err)
		}
		cfg.Brokers = c.Addrs()
		logf("embedded in-process cluster (%d brokers at %s): results measure this machine, not a Kafka cluster",
			c.Brokers(), strings.Join(c.Addrs(), ","))
	}
	lv, err := f.live.start(s.Name, logf)
	if err != nil {
		return err
	}
	defer lv.close()
	res := newResult(s)
	res.Embedded = s.Embedded()
	res.Labels = labels
	sh, runID, err := resolveShard(fs, f, s, logf)
	if err != nil {
		return err
	}
	res.RunID = runID
	if sh.Count > 1 {
		res.Shards = sh.Count
		// What the shards do not split (workloads, backlog and catch-up
		// reads, churn, named groups, start positions) is refused rather
		// than run N times over (load.ShardUnsupported).
		for _, p := range plans {
			if why := load.ShardUnsupported(p); why != "" {
				return usageError{fmt.Errorf("%s: %s: a distributed run does not split it between shards: run the scenario with one shard, or without %s", sh, why, strings.Fields(why)[0])}
			}
		}
	}
	// The cluster's connection budget is shared by every shard.
	cfg.Auth.ConnectRate = load.Shard{Index: sh.Index, Count: sh.Count}.ConnectRate(cfg.Auth.ConnectRate)
	// What the run creates on the cluster until teardown deleted it: named
	// on stderr at the end (or by a third signal) with `mskbench clean`.
	intr := interruptOf(ctx)
	lo := new(load.Leftovers)
	left := &leftoverNote{lo: lo, runID: runID, prefix: plans[0].Topics.Prefix, embedded: s.Embedded()}
	conn, err := auth.Connect(ctx, cfg, logf)
	if err != nil {
		var ce *auth.ConfigError
		switch {
		case ctx.Err() != nil:
			// Interrupted while connecting: nothing was run; the result
			// says so.
			res.Partial, res.Ended = true, time.Now().UTC()
			return errors.Join(interruptedError{errors.New("interrupted while connecting to the cluster: nothing was run")},
				saveResult(ctx, f.output, res, runID, awsCfg, logf))
		case errors.As(err, &ce):
			return usageError{err}
		}
		return err
	}
	left.brokers = conn.Brokers
	intr.beforeExit(left.print)
	defer intr.beforeExit(nil)
	defer left.print(stderr)

	var coord *shard.Run // nil for a run of one process
	if sh.Count > 1 {
		if coord, err = shard.Join(ctx, shard.Config{Conn: conn, RunID: runID, Prefix: plans[0].Topics.Prefix,
			Index: sh.Index, Count: sh.Count, BarrierTimeout: f.barrierTimeout, Logf: logf, Leftovers: lo}); err != nil {
			return err
		}
		defer coord.Close()
		res.Warnings = append(res.Warnings, coord.Warnings()...)
	}
	mon := newBrokerMonitoring(ctx, s, a, conn, metricsURL, logf) // monitoring.go
	res.Warnings = append(res.Warnings, mon.warnings...)
	runStep := func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		logf("step %d %s: run id %s", p.Index+1, p.Name(), runID)
		opts := load.Options{Logf: logf, RunID: runID, Embedded: s.Embedded(), Progress: progress,
			Hurry: intr.hurry, Leftovers: lo}
		if coord != nil {
			opts.Shard, opts.Coordinator = load.Shard{Index: sh.Index, Count: sh.Count}, coord.Step()
		}
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
				st.progress(iv)
			}
		}
		opts.Progress = lv.step(strconv.Itoa(p.Index+1), offeredMsgsPerSec(p), opts.Progress)
		step, err := load.Run(ctx, p, conn, opts)
		st.endLine()
		if err != nil && coord != nil {
			coord.Abort(fmt.Sprintf("step %d: %v", p.Index+1, err)) // the others stop waiting for this shard
		}
		return step, err
	}
	out, runErr := ramp.ExecuteWith(ctx, s, plans, mon.wrap(runStep), logf, mon.rampOptions())
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
	for _, st := range res.Steps {
		for _, x := range st.Shards {
			if x.Missing { // never silently short
				res.Partial = true
			}
		}
	}
	if sh.Index > 0 {
		// Shard 0 writes the result, prints the summary and judges the
		// checks, on the merged data; this shard handed its data over.
		logf("shard %d of %d: done; shard 0 writes the merged result and evaluates the checks", sh.Index, sh.Count)
		if err := errors.Join(runErr, profs.stop()); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return interruptedError{errors.New("interrupted: results so far are marked partial")}
		}
		return nil
	}
	checkErr := runChecks(res, checkExprs(s, f.checks), nil)
	if s.LostCheck {
		checkErr = lostCheck(res, checkErr)
	}
	// The result first (or its fallback), then the summary even when the
	// file could not be written, then the profiles.
	writeErr := saveResult(ctx, f.output, res, runID, awsCfg, logf)
	if err := resultCIOutputs(f.junit, res); err != nil {
		writeErr = errors.Join(writeErr, err)
	}
	if err := lv.finish(ctx, logf); err != nil {
		writeErr = errors.Join(writeErr, err)
	}
	if len(res.Steps) > 0 {
		if err := report.Summary(report.SafeWriter(stdout), res); err != nil {
			return errors.Join(runErr, writeErr, err)
		}
	}
	if err := errors.Join(runErr, writeErr, profs.stop()); err != nil {
		if ctx.Err() != nil {
			err = errors.Join(interruptedError{errors.New("interrupted: results so far are marked partial")}, err)
		}
		return err
	}
	if ctx.Err() != nil {
		return interruptedError{errors.New("interrupted: results so far are marked partial")}
	}
	// A step that acknowledged nothing is a runtime failure (exit 1), not
	// a check: it measured nothing the checks could judge.
	if fs := res.Failures(); len(fs) > 0 {
		return errors.New(strings.Join(fs, "; "))
	}
	return checkErr
}

// loadScenario loads, overrides and validates a scenario and expands its steps.
// Every problem is a usage error (exit code 2) and nothing reaches a cluster.
//
// set reports which flags were given ((*pflag.FlagSet).Changed): an empty
// --brokers is a usage error (an unset $BROKERS must not fall back to the
// scenario's cluster), and when --brokers or --embedded moves the run to
// another cluster than the scenario's, the mechanism and TLS setting the
// scenario chose for its own cluster are re-derived (auto) unless --auth
// or --tls say otherwise; logf says so. A scenario that names no brokers
// (built-ins, files that leave them to --brokers) keeps its auth block.
func loadScenario(arg string, f runFlags, set func(string) bool, logf func(string, ...any)) (*scenarios.Scenario, []plan.Plan, error) {
	if set("brokers") && strings.Trim(f.brokers, ", \t") == "" {
		return nil, nil, usageError{fmt.Errorf("--brokers %q: no broker given (is the variable it comes from unset?); want host:port[,host:port...], or --embedded for the in-process cluster", f.brokers)}
	}
	s, err := scenarios.Load(arg)
	if err != nil {
		return nil, nil, usageError{err}
	}
	// The brokers the scenario file names for itself, if it names any.
	var scenarioBrokers []string
	if s.Written("cluster.brokers") {
		scenarioBrokers = slices.Clone(s.Cluster.Brokers)
	}
	// Each override with the flag it came from, so that its problems name
	// the flag ("--duration: ...", not "--set: ...").
	type override struct{ flag, expr string }
	var sets []override
	if f.embedded {
		sets = append(sets, override{"--embedded", "cluster.brokers=embedded"})
	}
	if f.brokers != "" {
		sets = append(sets, override{"--brokers", "cluster.brokers=" + f.brokers})
	} else if f.auth.ClusterARN != "" {
		// --cluster-arn replaces the scenario's brokers (built-ins default to
		// the embedded cluster) with those MSK reports for the cluster.
		sets = append(sets, override{"--cluster-arn", "cluster.auth.cluster_arn=" + f.auth.ClusterARN})
	}
	if f.duration != "" {
		sets = append(sets, override{"--duration", "phases.duration=" + f.duration})
	}
	if f.warmup != "" {
		sets = append(sets, override{"--warmup", "phases.warmup=" + f.warmup})
	}
	if f.client != "" {
		sets = append(sets, override{"--client", "client=" + f.client})
	}
	for _, e := range f.sets {
		sets = append(sets, override{"--set", e})
	}
	var problems []error
	for _, o := range sets {
		if err := s.SetFrom(o.flag, o.expr); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return nil, nil, usageError{errors.Join(problems...)}
	}
	if len(scenarioBrokers) > 0 && (f.brokers != "" || f.embedded) && !overlaps(scenarioBrokers, s.Cluster.Brokers) {
		rederiveAuth(s, scenarioBrokers, set, logf)
	}
	if f.brokers == "" && f.auth.ClusterARN != "" {
		s.Cluster.Brokers = nil // discovered from the ARN, even where the file named brokers
	}
	if err := s.Validate(scenarios.ValidateOptions{}); err != nil {
		return nil, nil, usageError{err}
	}
	return s, s.Steps(), nil
}

// overlaps reports whether a and b name a broker in common.
func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// rederiveAuth resets the mechanism and TLS setting of the scenario's
// cluster.auth block, chosen for the scenario's own cluster, to auto when
// the run goes to another cluster, unless --auth / --tls set them.
func rederiveAuth(s *scenarios.Scenario, scenarioBrokers []string, set func(string) bool, logf func(string, ...any)) {
	a := &s.Cluster.Auth
	if !set("auth") && a.Mechanism != "" && a.Mechanism != plan.MechanismAuto {
		logf("auth: the scenario's mechanism %s is for its own cluster (%s), not for the brokers given: auto picks one from the port (give --auth %s to keep it)",
			a.Mechanism, strings.Join(scenarioBrokers, ","), a.Mechanism)
		a.Mechanism = plan.MechanismAuto
	}
	if !set("tls") && a.TLS != nil {
		logf("auth: the scenario's tls: %t is for its own cluster: the mechanism decides (give --tls=%t to keep it)", *a.TLS, *a.TLS)
		a.TLS = nil
	}
}

// newRunID returns a new id that names this run's topics and groups; it
// carries the run's start time (load.NewRunID), so that `mskbench clean
// --older-than` can tell old leftovers from a run in progress.
func newRunID() string { return load.NewRunID(time.Now()) }

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
		res.Scenario.Spec = redact.JSON(spec) // report.Encode redacts again, whoever built the result
	}
	return res
}

// serveDebug serves net/http/pprof's handlers on addr until stop is
// called. A missing host means loopback (":0" is 127.0.0.1:0): pprof has
// no authentication, so it listens on other interfaces only when asked by
// name. The address it listens on is logged, port included.
func serveDebug(addr string, logf func(string, ...any)) (stop func(), err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("want [host]:port, e.g. 127.0.0.1:6060 or :0, got %q", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, port))
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
	logf("debug: pprof at http://%s/debug/pprof/", l.Addr())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logf("debug: warning: %s is reachable from other machines and pprof has no authentication", l.Addr())
	}
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

// registerShardFlags registers the flags of the shard contract
// (internal/shardenv.Flags) on fs.
func registerShardFlags(fs *pflag.FlagSet, f *runFlags) {
	for _, d := range shardenv.Flags() {
		switch d.Name {
		case "shards":
			fs.IntVar(&f.shards, d.Name, 1, d.Usage)
		case "shard":
			fs.IntVar(&f.shard, d.Name, 0, d.Usage)
		case "run-id":
			fs.StringVar(&f.runID, d.Name, "", d.Usage)
		case "barrier-timeout":
			fs.DurationVar(&f.barrierTimeout, d.Name, shardenv.DefaultBarrierTimeout, d.Usage)
		}
	}
}

// resolveShard returns this process's place in the run (from the flags and
// the engine's environment, internal/shardenv) and the run id: shared by
// every shard of a distributed run, random for a run of one process.
func resolveShard(fs *pflag.FlagSet, f runFlags, s *scenarios.Scenario, logf func(string, ...any)) (shardenv.Shard, string, error) {
	sh, err := shardenv.Resolve(f.shard, f.shards, fs.Changed("shard"), fs.Changed("shards"), os.Getenv)
	if err != nil {
		return sh, "", usageError{err}
	}
	id, src, err := shardenv.RunID(f.runID, fs.Changed("run-id"), sh.Count, os.Getenv)
	if err != nil {
		return sh, "", usageError{err}
	}
	if id == "" {
		id = newRunID()
	}
	if sh.Count <= 1 {
		return sh, id, nil
	}
	switch {
	case s.Embedded():
		return sh, "", usageError{fmt.Errorf("%s: a distributed run needs one cluster every shard reaches, not an in-process cluster per shard (give --brokers, e.g. of `mskbench broker`)", sh)}
	case s.Ramp != nil:
		return sh, "", usageError{fmt.Errorf("%s: a ramp picks its next step from the last one, which only shard 0 sees merged: run ramps with one shard, or sweep fixed steps", sh)}
	case f.barrierTimeout <= 0:
		return sh, "", usageError{fmt.Errorf("--barrier-timeout %s: want > 0", f.barrierTimeout)}
	}
	logf("%s, run id %s (from %s)", sh, id, src)
	for _, o := range sh.Overridden {
		logf("%s: --shard overrides %s", sh, o)
	}
	return sh, id, nil
}

// offeredMsgsPerSec is the step's offered rate in msgs/s, summed over its
// workloads (0 for max rate).
func offeredMsgsPerSec(p plan.Plan) float64 {
	var r float64
	for _, w := range p.WorkloadList() {
		r += w.Producers.Rate.MsgsPerSec(w.Producers.MessageSize.Mean())
	}
	return r
}
