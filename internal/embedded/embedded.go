// Package embedded runs an in-process Kafka cluster (github.com/twmb/franz-go/pkg/kfake)
// for `mskbench run --embedded`, `mskbench broker` and tests. Its numbers measure this
// machine and the kfake implementation, never a real cluster. It must not
// import load or report.
package embedded

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// DefaultBrokers is the broker count of `--embedded` runs.
const DefaultBrokers = 3

// retentionSegmentBytes is the segment size of a cluster with a Retention:
// kfake releases a partition's memory one whole segment at a time.
const retentionSegmentBytes = 4 << 20

// Config says how to start a cluster.
type Config struct {
	// Brokers is the number of brokers (>= 1); 0 means DefaultBrokers.
	Brokers int
	// Listen is the address of the first broker, e.g. "127.0.0.1:9092"; the
	// others take the following ports. "" picks free loopback ports.
	Listen string
	// Opts are extra kfake options (tests use them for TLS, SASL, ...).
	Opts []kfake.Opt
	// Retention, when > 0, deletes records older than it from every
	// partition (kfake keeps every record in memory and ignores
	// retention.ms). Consumers that lag more than Retention lose records.
	Retention time.Duration
	// Metrics counts, per broker, the requests, records and bytes the
	// brokers handle, for Cluster.Counters, MetricsHandler and
	// ServeMetrics (see metrics.go). It costs an atomic add per request and
	// connection read or write, and one kfake control call per produce
	// request; off, nothing is counted.
	Metrics bool
}

// Cluster is a running in-process cluster. It is safe for concurrent use.
type Cluster struct {
	kc       *kfake.Cluster
	metrics  *metrics // nil without Config.Metrics
	addrs    []string
	stopTrim context.CancelFunc
	trimDone chan struct{}
}

// Start starts a cluster on loopback and returns once it accepts connections.
func Start(cfg Config) (*Cluster, error) {
	n := cfg.Brokers
	if n == 0 {
		n = DefaultBrokers
	}
	if n < 1 {
		return nil, fmt.Errorf("embedded cluster: broker count %d, want at least 1", n)
	}
	opts := []kfake.Opt{kfake.NumBrokers(n), kfake.ClusterID("mskbench-embedded")}
	host := "127.0.0.1"
	if cfg.Listen != "" {
		h, p, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("embedded cluster: listen address %q: %w", cfg.Listen, err)
		}
		port, err := strconv.Atoi(p)
		if err != nil || port < 0 || port+n-1 > 65535 {
			return nil, fmt.Errorf("embedded cluster: listen address %q: bad port", cfg.Listen)
		}
		if h != "" {
			host = h
		}
		if port != 0 {
			ports := make([]int, n)
			for i := range ports {
				ports[i] = port + i
			}
			opts = append(opts, kfake.Ports(ports...))
		}
	}
	listenHost := host
	listen := func(network, address string) (net.Listener, error) {
		_, p, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		return net.Listen(network, net.JoinHostPort(listenHost, p))
	}
	var m *metrics
	if cfg.Metrics {
		m = newMetrics()
		listen = m.wrapListen(listen)
	}
	opts = append(opts, kfake.ListenFn(listen))
	if cfg.Retention > 0 {
		// kfake frees memory a whole segment at a time: small segments let
		// the trimmer release it soon after records expire.
		opts = append(opts, kfake.BrokerConfigs(map[string]string{"log.segment.bytes": strconv.Itoa(retentionSegmentBytes)}))
	}
	opts = append(opts, cfg.Opts...)
	kc, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded cluster: %w", err)
	}
	c := &Cluster{kc: kc, addrs: kc.ListenAddrs(), metrics: m}
	if m != nil {
		c.observeProduce()
	}
	if cfg.Retention > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		c.stopTrim, c.trimDone = cancel, make(chan struct{})
		go func() {
			defer close(c.trimDone)
			c.trimLoop(ctx, cfg.Retention)
		}()
	}
	return c, nil
}

// Addrs returns the bootstrap addresses (host:port) of every broker.
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Brokers returns the number of brokers.
func (c *Cluster) Brokers() int { return len(c.addrs) }

// Kfake returns the underlying kfake cluster, for tests that inject faults.
func (c *Cluster) Kfake() *kfake.Cluster { return c.kc }

// Close stops every broker (and the metrics server). It is safe to call
// more than once.
func (c *Cluster) Close() {
	c.closeMetrics()
	if c.stopTrim != nil {
		c.stopTrim()
		<-c.trimDone
	}
	c.kc.Close()
}
