package plan

import "time"

// DefaultDialTimeout bounds one connection attempt, the TLS handshake and
// SASL authentication included (mskbench run --connect-timeout).
const DefaultDialTimeout = 10 * time.Second

// Defaults returns a Plan holding the default of every field: the one table
// of defaults. A scenario starts from it (scenarios.Default), the engine
// falls back to it for fields left at an invalid zero ([Plan.WithDefaults]),
// and docs/scenarios.md documents the same values. Scenario, Index, Label,
// Params and Brokers have no default.
func Defaults() Plan {
	ms := func(n int) Duration { return Duration(time.Duration(n) * time.Millisecond) }
	return Plan{
		Topics: Topics{Count: 1, Partitions: 6, ReplicationFactor: 3, Prefix: "mskbench-"},
		Producers: Producers{
			Workers:         DefaultProducerWorkers(),
			Rate:            Rate{Unit: RateMsgs, PerSec: 1000},
			MessageSize:     SizeDist{Fixed: 1024},
			Compressibility: 0.5,
			Keys:            Keys{Mode: KeysNone},
			Acks:            AcksAll,
			Compression:     CompressionNone,
			BatchSize:       0, // derived (kafka-go only)
			BatchBytes:      1 << 20,
			Linger:          ms(5),
			MaxInFlight:     2000,
			Partitioner:     PartitionSticky,
			RequestTimeout:  Duration(DefaultRequestTimeout),
			Retries:         DefaultRetries,
			ClientID:        DefaultProducerClientID,
		},
		Consumers: Consumers{
			Groups:         1,
			PerGroup:       2,
			FetchMinBytes:  1,
			FetchMaxBytes:  10 << 20,
			MaxWait:        ms(250),
			CommitInterval: ms(1000),
			ClientID:       DefaultConsumerClientID,
			Start:          StartOffset{Mode: StartLatest},
		},
		Phases: Phases{
			Warmup:         ms(5000),
			Duration:       ms(60000),
			DrainTimeout:   ms(10000),
			ReportInterval: ms(1000),
		},
		Verify: true,
		Client: ClientFranzGo,
	}
}

// WithDefaults returns p with each field that holds a zero (or negative)
// value where that is not a valid setting replaced by its [Defaults] value:
// the engine's only fallback. Those fields are Client; Producers.BatchBytes,
// MaxInFlight, RequestTimeout, an empty Keys.Mode, Compression,
// Partitioner, ClientID or Payload.Order (with a file); Consumers.PerGroup
// (when Groups > 0), FetchMinBytes, FetchMaxBytes, MaxWait,
// CommitInterval, an empty ClientID or Start; Phases.DrainTimeout and
// ReportInterval — in the plan's blocks and in every workload's. Fields whose zero means
// something (Workers, Groups, Warmup, Linger, Compressibility, Acks 0,
// BatchSize 0 (derived), Retries, Idempotent nil and MaxInFlightRequests 0
// (the client's default), Isolation "" (by transactions), ...) and fields
// without a usable default (Duration, MessageSize, Rate) are kept as they
// are. p is not modified.
func (p Plan) WithDefaults() Plan {
	d := Defaults()
	if p.Client == "" {
		p.Client = d.Client
	}
	p.Producers, p.Consumers = withDefaults(p.Producers, p.Consumers, d)
	if len(p.Workloads) > 0 {
		ws := make([]Workload, len(p.Workloads))
		for i, w := range p.Workloads {
			w.Producers, w.Consumers = withDefaults(w.Producers, w.Consumers, d)
			ws[i] = w
		}
		p.Workloads = ws
	}
	orDefault(&p.Phases.DrainTimeout, d.Phases.DrainTimeout)
	orDefault(&p.Phases.ReportInterval, d.Phases.ReportInterval)
	return p
}

// withDefaults applies WithDefaults to the producers and consumers of one
// workload (d is Defaults()).
func withDefaults(pr Producers, c Consumers, d Plan) (Producers, Consumers) {
	dp := d.Producers
	if pr.BatchSize < 0 {
		pr.BatchSize = 0
	}
	orDefault(&pr.BatchBytes, dp.BatchBytes)
	orDefault(&pr.RequestTimeout, dp.RequestTimeout)
	if pr.Partitioner == "" {
		pr.Partitioner = dp.Partitioner
	}
	if pr.ClientID == "" {
		pr.ClientID = dp.ClientID
	}
	orDefault(&pr.MaxInFlight, dp.MaxInFlight)
	if pr.Keys.Mode == "" {
		pr.Keys.Mode = dp.Keys.Mode
	}
	if pr.Compression == "" {
		pr.Compression = dp.Compression
	}
	if pr.Payload.Active() && pr.Payload.Order == "" {
		pr.Payload.Order = PayloadCycle
	}
	dc := d.Consumers
	if c.Groups > 0 {
		orDefault(&c.PerGroup, dc.PerGroup)
	}
	orDefault(&c.FetchMinBytes, dc.FetchMinBytes)
	orDefault(&c.FetchMaxBytes, dc.FetchMaxBytes)
	orDefault(&c.MaxWait, dc.MaxWait)
	orDefault(&c.CommitInterval, dc.CommitInterval)
	if c.ClientID == "" {
		c.ClientID = dc.ClientID
	}
	if c.Start.Mode == "" {
		c.Start.Mode = StartLatest
	}
	return pr, c
}

// orDefault sets *v to def when *v is not positive.
func orDefault[T ~int | ~int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
