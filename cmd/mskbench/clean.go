package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/shardenv"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
)

// clusterFlags say which cluster to reach and how: --brokers,
// --connect-timeout and the authentication flags (authflags.go). `run` and
// `clean` register them with registerClusterFlags and turn them into an
// auth.Config with config.
type clusterFlags struct {
	brokers string
	connect time.Duration
	auth    plan.Auth // auth flags; only those explicitly set override the base
}

// registerClusterFlags registers the cluster flags on fs; brokersNote ends
// the help of --brokers.
func registerClusterFlags(fs *pflag.FlagSet, f *clusterFlags, brokersNote string) {
	fs.StringVar(&f.brokers, "brokers", "", "bootstrap brokers host:port[,host:port...]"+brokersNote)
	fs.DurationVar(&f.connect, "connect-timeout", plan.DefaultDialTimeout, "bound on each connection attempt and the initial cluster probe")
	registerAuthFlags(fs, &f.auth)
}

// config merges the auth flags that were set (set is
// (*pflag.FlagSet).Changed) into base (a scenario's cluster.auth block, or
// plan.DefaultAuth), checks the result (a usage error names the flags) and
// returns the configuration to connect to brokers with client.
func (f *clusterFlags) config(base plan.Auth, set func(string) bool, brokers []string, client plan.Client, embedded bool) (auth.Config, error) {
	mergeAuthFlags(&base, f.auth, set)
	if err := authProblems(base, embedded); err != nil {
		return auth.Config{}, usageError{err}
	}
	return auth.Config{Auth: base, Brokers: brokers, DialTimeout: f.connect, Client: client}, nil
}

// cleanFlags are the flags of `mskbench clean`.
type cleanFlags struct {
	clusterFlags
	prefix    string
	runID     string
	olderThan time.Duration
	yes       bool
	client    string
}

func cleanFlagSet(stdout io.Writer) (*pflag.FlagSet, *cleanFlags) {
	fs := newFlagSet("clean", stdout, "",
		"Finds the topics and consumer groups that interrupted runs left on a cluster and, with --yes,\n"+
			"deletes them. Only names mskbench gives a run's topics and groups match: the prefix, a run id\n"+
			"mskbench generated (or the one --run-id gives), then \"-\" and more; anything else is never\n"+
			"touched. Without --yes it only lists them, with their age when the run id carries its start\n"+
			"time. A run with a consumer group that still has members is in use and left alone; a run\n"+
			"in progress without consumers cannot be told apart: give --older-than to spare recent runs.")
	f := new(cleanFlags)
	registerClusterFlags(fs, &f.clusterFlags, "")
	fs.StringVar(&f.prefix, "prefix", plan.Defaults().Topics.Prefix, "the topics' prefix of the runs (a scenario's topics.prefix)")
	fs.StringVar(&f.runID, "run-id", "", "only this run's topics and groups (any run id, e.g. one given to run with --run-id)")
	fs.DurationVar(&f.olderThan, "older-than", 0, "only runs that started at least this long ago, e.g. 24h (names of unknown age are then kept)")
	fs.BoolVar(&f.yes, "yes", false, "delete what was found (without it: a dry run that only lists)")
	fs.StringVar(&f.client, "client", "", "Kafka client library of the admin requests: franz-go (default) or kafka-go")
	return fs, f
}

// runClean lists (and with --yes deletes) what earlier runs left behind.
func runClean(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := cleanFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var brokers []string
	for _, b := range strings.Split(f.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	var problems []error
	if len(brokers) == 0 && f.auth.ClusterARN == "" {
		problems = append(problems, fmt.Errorf("clean: --brokers %q: no broker given; want host:port[,host:port...] (or --cluster-arn)", f.brokers))
	}
	if strings.TrimSpace(f.prefix) == "" {
		problems = append(problems, errors.New("clean: --prefix: must not be empty (it keeps clean to mskbench's names)"))
	}
	if f.runID != "" {
		if err := shardenv.ValidateRunID(f.runID); err != nil {
			problems = append(problems, fmt.Errorf("clean: --run-id %q: %w", f.runID, err))
		}
	}
	if f.olderThan < 0 {
		problems = append(problems, fmt.Errorf("clean: --older-than %s: want 0 or more", f.olderThan))
	}
	client := plan.ClientFranzGo
	if f.client != "" {
		client = plan.Client(f.client)
		if client != plan.ClientFranzGo && client != plan.ClientKafkaGo {
			problems = append(problems, fmt.Errorf("clean: --client %q: want franz-go or kafka-go", f.client))
		}
	}
	if len(problems) > 0 {
		return usageError{errors.Join(problems...)}
	}
	cfg, err := f.config(plan.DefaultAuth(), fs.Changed, brokers, client, false)
	if err != nil {
		return err
	}
	st := &status{w: stderr, tty: isTerminal(stderr)}
	conn, err := auth.Connect(ctx, cfg, st.logf)
	if err != nil {
		var ce *auth.ConfigError
		if errors.As(err, &ce) {
			return usageError{err}
		}
		return err
	}
	now := time.Now()
	found, err := load.Clean(ctx, conn, load.CleanOptions{
		Client: client, Prefix: f.prefix, RunID: f.runID, OlderThan: f.olderThan, Now: now, Delete: f.yes,
	})
	if len(found) > 0 {
		printLeftovers(stdout, found, now, f.yes)
	}
	if err != nil {
		return err
	}
	inUse, deleted := 0, 0
	for _, l := range found {
		if l.InUse {
			inUse++
		}
		if l.Deleted {
			deleted++
		}
	}
	switch {
	case len(found) == 0:
		fmt.Fprintf(stdout, "nothing left behind under %s\n", f.prefix)
	case !f.yes:
		fmt.Fprintf(stdout, "%d found, %d in use; dry run: nothing deleted (add --yes to delete them)\n", len(found), inUse)
	default:
		fmt.Fprintf(stdout, "deleted %d of %d (%d in use, left alone)\n", deleted, len(found), inUse)
	}
	return nil
}

// printLeftovers writes the table of what Clean found.
func printLeftovers(w io.Writer, found []load.Leftover, now time.Time, deleting bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tRUN ID\tAGE\tSTATE")
	for _, l := range found {
		age := "unknown"
		if !l.Started.IsZero() {
			age = now.Sub(l.Started).Truncate(time.Second).String()
		}
		state := "left behind"
		switch {
		case l.InUse:
			state = "in use (a group has members)"
		case l.Deleted:
			state = "deleted"
		case l.Err != nil:
			state = "not deleted: " + l.Err.Error()
		case deleting:
			state = "not deleted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Kind, l.Name, l.RunID, age, state)
	}
	tw.Flush()
}

// leftoverNote names what a run left on the cluster and the command that
// removes it.
type leftoverNote struct {
	lo       leftovers // a *load.Leftovers
	runID    string
	prefix   string   // the topics' prefix (plan.Topics.Prefix)
	brokers  []string // "" until connected
	embedded bool
}

// leftovers lists what is left (*load.Leftovers).
type leftovers interface {
	Topics() []string
	Groups() []string
}

// print writes the note on w, nothing when nothing is left.
func (n *leftoverNote) print(w io.Writer) {
	topics, groups := n.lo.Topics(), n.lo.Groups()
	if len(topics) == 0 && len(groups) == 0 {
		return
	}
	var what []string
	if len(topics) > 0 {
		what = append(what, "topics "+strings.Join(topics, ","))
	}
	if len(groups) > 0 {
		what = append(what, "consumer groups "+strings.Join(groups, ","))
	}
	if n.embedded {
		fmt.Fprintf(w, "mskbench: left on the embedded cluster (it ends with this process): %s\n", strings.Join(what, "; "))
		return
	}
	fmt.Fprintf(w, "mskbench: left on the cluster: %s\n", strings.Join(what, "; "))
	cmd := "mskbench clean"
	if len(n.brokers) > 0 {
		cmd += " --brokers " + strings.Join(n.brokers, ",")
	}
	if n.prefix != plan.Defaults().Topics.Prefix {
		cmd += " --prefix " + n.prefix
	}
	cmd += " --run-id " + n.runID + " --yes"
	fmt.Fprintf(w, "mskbench: remove them with: %s (with this run's authentication flags)\n", cmd)
}
