// Package report owns mskbench's measurement model, the versioned result
// schema and every renderer of a finished result.
//
// Measurement: each load worker records into its own [Recorder] (HdrHistograms
// of latencies in microseconds plus counters). A [Collector] owns the recorders
// of one step, rotates them every interval with [Collector.Tick] to build the
// timeline, and merges everything into a [Step] summary with [Collector.Step].
// Nothing crosses a channel per message and no Record call allocates.
//
// Results: a [Result] is the complete record of a run (schema [SchemaVersion]).
// [WriteFile] stores it atomically as JSON, [ReadFile] reads it back, and the
// renderers ([Summary], [CSV], [Progress], [HGRM] and [HTML], a
// self-contained page with inline SVG charts) are plain functions over the
// data, so a saved result re-renders byte for byte without a cluster.
//
// The latency kinds (publish, service, send delay, end-to-end) are one table,
// [LatencyKinds], that every summary, renderer, check, comparison and merge
// iterates. [MergeResults] combines the results of several load generators
// exactly; [Evaluate] runs checks over the aggregates of every step.
//
// Broker metrics: a step carries what the brokers measured ([Step.Brokers],
// one [BrokerMetrics] per source, filled by package monitor) with its digest
// [SummarizeBrokers]; brokers_step.go turns them into check aggregates
// (broker_cpu_max, ...), the ramp's broker criteria, the summary and CSV
// sections, and html_brokers.go into the HTML charts and tables.
//
// The package deliberately imports no Kafka client and no AWS code, and
// nothing of mskbench but internal/atomicfile and internal/suggest (not
// plan, load, auth, scenarios, sizing or ramp): a result can be rendered,
// compared and merged on any machine. docs/results.md documents the file
// format field by field.
package report
