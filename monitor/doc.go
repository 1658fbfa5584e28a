// Package monitor records what the brokers did during a run: it scrapes
// Prometheus endpoints — MSK open monitoring (the JMX exporter on port
// 11001 and the node exporter on port 11002 of every broker host), any
// other JMX / node exporter, or the /metrics endpoint of `mskbench broker`
// — and reads CloudWatch (namespace AWS/Kafka) after a step, into the plain
// per-broker series of report.BrokerMetrics.
//
// Scraping. New(Config) validates the endpoints; Run(ctx) scrapes each of
// them on its own goroutine every Config.Interval (and whenever Tick is
// called) until ctx ends, and returns only after those goroutines have
// ended. Each scrape has a timeout shorter than the interval; a failed or
// slow scrape is kept as a warning, never an error, and nothing the load
// engine calls ever waits for a scrape. The engine (or whoever runs a
// step) calls Metrics(step.Timeline) after the step: each report interval
// becomes one report.BrokerSample per broker, computed from the scrape
// nearest to the interval's start and the one nearest to its end —
// counters as rates (resets handled), gauges as the last value. A typical
// use:
//
//	m, err := monitor.New(monitor.Config{Targets: monitor.OpenMonitoringTargets(brokers, 0, 0), Interval: time.Second})
//	g.Go(func() error { return m.Run(ctx) })   // beside the load, in the same errgroup
//	... run a step; at each interval boundary optionally m.Tick() ...
//	m.Await(ctx, lastIntervalEnd)   // a scrape after the step's end, while Run runs
//	step.Brokers = append(step.Brokers, m.Metrics(step.Timeline))
//
// CloudWatch. ReadCloudWatch calls GetMetricData once per step over the
// step's measured window (1-minute periods) for every broker of the cluster
// and reports which metrics the cluster's monitoring level or broker type
// did not publish.
//
// The figures, their units and the exporter families they come from are
// documented on report.BrokerSample and in docs/monitoring.md;
// testdata/README.md says where the family names come from. The package
// may import report (types only) and the AWS SDK, never load, scenarios or
// cmd.
package monitor
