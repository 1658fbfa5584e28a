package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/internal/embedded"
)

// brokerFlags are the flags of `mskbench broker`.
type brokerFlags struct {
	listen        *string
	brokers       *int
	retention     *time.Duration
	metricsListen *string
}

// brokerFlagSet returns the FlagSet of `mskbench broker` (help on stdout).
func brokerFlagSet(stdout io.Writer) (*pflag.FlagSet, brokerFlags) {
	fs := newFlagSet("broker", stdout, "",
		"Runs an in-process Kafka cluster (kfake) in the foreground until SIGINT/SIGTERM.\n"+
			"It is for trials, tests and benchmarks; it measures this machine, not a real cluster.")
	var f brokerFlags
	f.listen = fs.String("listen", "127.0.0.1:9092", "address of the first broker; the others take the next ports (port 0 picks free ports)")
	f.brokers = fs.Int("brokers", embedded.DefaultBrokers, "number of brokers")
	f.retention = fs.Duration("retention", 0, "delete records older than this (0 keeps everything; the in-process cluster holds every record in memory, so set it for long runs)")
	f.metricsListen = fs.String("metrics-listen", "", "serve per-broker metrics (Prometheus text format) at http://ADDR/metrics; :PORT listens on loopback (docs/monitoring.md)")
	return fs, f
}

// runBroker runs an in-process cluster in the foreground until ctx ends
// (SIGINT or SIGTERM). It prints the bootstrap addresses once the cluster
// accepts connections, so scripts can wait for that line.
func runBroker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := brokerFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Errorf("broker: unexpected arguments %q", fs.Args())}
	}
	if *f.brokers < 1 {
		return usageError{fmt.Errorf("broker: --brokers %d: want at least 1", *f.brokers)}
	}
	if *f.retention < 0 {
		return usageError{fmt.Errorf("broker: --retention %s: want >= 0", *f.retention)}
	}
	c, err := embedded.Start(embedded.Config{Brokers: *f.brokers, Listen: *f.listen, Retention: *f.retention, Metrics: *f.metricsListen != ""})
	if err != nil {
		return fmt.Errorf("broker: %w (is the port already in use? try --listen 127.0.0.1:0)", err)
	}
	defer c.Close()
	if *f.metricsListen != "" {
		url, err := c.ServeMetrics(*f.metricsListen)
		if err != nil {
			return fmt.Errorf("broker: --metrics-listen: %w", err)
		}
		fmt.Fprintf(stdout, "mskbench broker: metrics at %s\n", url)
	}
	fmt.Fprintf(stdout, "mskbench broker: %d brokers ready at %s\n", c.Brokers(), strings.Join(c.Addrs(), ","))
	fmt.Fprintln(stdout, "mskbench broker: stop with Ctrl-C (SIGINT) or SIGTERM")
	<-ctx.Done()
	fmt.Fprintln(stdout, "mskbench broker: stopping")
	return nil
}
