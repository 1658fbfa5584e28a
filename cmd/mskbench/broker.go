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

func brokerFlagSet(stdout io.Writer) (fs *pflag.FlagSet, listen *string, brokers *int, retention *time.Duration) {
	fs = newFlagSet("broker", stdout, "",
		"Runs an in-process Kafka cluster (kfake) in the foreground until SIGINT/SIGTERM.\n"+
			"It is for trials, tests and benchmarks; it measures this machine, not a real cluster.")
	listen = fs.String("listen", "127.0.0.1:9092", "address of the first broker; the others take the next ports (port 0 picks free ports)")
	brokers = fs.Int("brokers", embedded.DefaultBrokers, "number of brokers")
	retention = fs.Duration("retention", 0, "delete records older than this (0 keeps everything; the in-process cluster holds every record in memory, so set it for long runs)")
	return fs, listen, brokers, retention
}

// runBroker runs an in-process cluster in the foreground until ctx ends
// (SIGINT or SIGTERM). It prints the bootstrap addresses once the cluster
// accepts connections, so scripts can wait for that line.
func runBroker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, listen, brokers, retention := brokerFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Errorf("broker: unexpected arguments %q", fs.Args())}
	}
	if *brokers < 1 {
		return usageError{fmt.Errorf("broker: --brokers %d: want at least 1", *brokers)}
	}
	if *retention < 0 {
		return usageError{fmt.Errorf("broker: --retention %s: want >= 0", *retention)}
	}
	c, err := embedded.Start(embedded.Config{Brokers: *brokers, Listen: *listen, Retention: *retention})
	if err != nil {
		return fmt.Errorf("broker: %w (is the port already in use? try --listen 127.0.0.1:0)", err)
	}
	defer c.Close()
	fmt.Fprintf(stdout, "mskbench broker: %d brokers ready at %s\n", c.Brokers(), strings.Join(c.Addrs(), ","))
	fmt.Fprintln(stdout, "mskbench broker: stop with Ctrl-C (SIGINT) or SIGTERM")
	<-ctx.Done()
	fmt.Fprintln(stdout, "mskbench broker: stopping")
	return nil
}
