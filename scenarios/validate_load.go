package scenarios

import (
	"strings"

	"github.com/mskbench/mskbench/plan"
)

// This file holds the checks of what a workload's messages look like
// (keys, headers, payload samples) and of where and how its consumers read
// (start, group id, churn, the backlog phase).

// keys checks producers.keys.
func (v *validator) keys(k plan.Keys) {
	if _, err := plan.ParseKeyMode(string(k.Mode)); err != nil {
		v.report("producers.keys.mode", "%v", err)
		return
	}
	if k.Keyed() && k.Cardinality < 1 {
		v.report("producers.keys.cardinality", "must be at least 1 for key mode %s, got %d", k.Mode, k.Cardinality)
	}
	if k.HotFraction < 0 || k.HotFraction > 1 {
		v.report("producers.keys.hot_fraction", "must be between 0 and 1, got %g", k.HotFraction)
	} else if k.HotFraction != 0 && k.Mode != plan.KeysHot {
		v.report("producers.keys.hot_fraction", "applies only to key mode hot (mode is %s)", k.Mode)
	}
	switch {
	case k.Mode == plan.KeysZipf && !(k.Exponent > 0):
		v.report("producers.keys.exponent", "must be greater than 0 for key mode zipf, got %g (1 is the classic zipf)", k.Exponent)
	case k.Mode != plan.KeysZipf && k.Exponent != 0:
		v.report("producers.keys.exponent", "applies only to key mode zipf (mode is %s)", k.Mode)
	}
	switch {
	case k.First < 0:
		v.report("producers.keys.first", "must not be negative, got %d", k.First)
	case k.First != 0 && k.Mode != plan.KeysSequential:
		v.report("producers.keys.first", "applies only to key mode sequential (mode is %s)", k.Mode)
	}
}

// headers checks producers.headers.
func (v *validator) headers(pr plan.Producers) {
	h := pr.Headers
	switch {
	case h.Count < 0:
		v.report("producers.headers.count", "must not be negative, got %d", h.Count)
		return
	case h.Count == 0:
		for _, f := range []struct {
			name string
			z    plan.Size
		}{{"key_size", h.KeySize}, {"value_size", h.ValueSize}} {
			if f.z != 0 {
				v.report("producers.headers."+f.name, "applies only with producers.headers.count above 0")
			}
		}
		return
	}
	if h.KeySize < 1 {
		v.report("producers.headers.key_size", "must be at least 1B: a header needs a key")
	}
	if h.ValueSize < 0 {
		v.report("producers.headers.value_size", "must not be negative")
	}
	if largest := pr.MessageSize.MaxSize() + plan.Size(h.Bytes()); pr.BatchBytes > 0 && !pr.Payload.Active() && largest > pr.BatchBytes && !v.hasProblem("producers.headers") {
		v.report("producers.headers", "the largest message with its headers (%v) does not fit producers.batch_bytes (%v)", largest, pr.BatchBytes)
	}
}

// sampleKey identifies a payload file read by validation.
type sampleKey struct {
	path      string
	maxRecord int
}

// payload checks producers.payload, reading the sample as the engine will
// (plan.LoadPayload), once per file for every step.
func (v *validator) payload(pr plan.Producers) {
	pl := pr.Payload
	if !pl.Active() {
		if v.written("producers.payload.order") {
			v.report("producers.payload.order", "applies only with producers.payload.file")
		}
		return
	}
	if _, err := plan.ParsePayloadOrder(string(pl.Order)); err != nil {
		v.report("producers.payload.order", "%v", err)
	}
	// Every value is the stamp and one record; with the headers it must
	// fit a batch.
	maxRecord := int(pr.BatchBytes) - plan.MinMessageSize - int(pr.Headers.Bytes())
	if maxRecord < 1 {
		v.report("producers.payload.file", "no room for a record: producers.batch_bytes (%v) holds only the stamp and the headers", pr.BatchBytes)
		return
	}
	key := sampleKey{pl.File, maxRecord}
	if v.samples == nil {
		v.samples = map[sampleKey]error{}
	}
	err, done := v.samples[key]
	if !done {
		_, err = plan.LoadPayload(pl.File, maxRecord)
		v.samples[key] = err
	}
	if err != nil {
		v.report("producers.payload.file", "%v", err)
	}
}

// consumerStart checks consumers.start and consumers.group_id of a
// workload.
func (v *validator) consumerStart(w plan.Workload) {
	c := w.Consumers
	mode := c.Start.ModeOrDefault()
	if c.Groups == 0 {
		if mode != plan.StartLatest && v.written("consumers.start") {
			v.report("consumers.start", "applies only with consumer groups (consumers.groups is 0)")
		}
		if c.GroupID != "" {
			v.report("consumers.group_id", "applies only with consumer groups (consumers.groups is 0)")
		}
		return
	}
	if v.written("consumers.group_id") && strings.TrimSpace(c.GroupID) == "" {
		v.report("consumers.group_id", "must not be empty; leave it out for groups named by the run")
	}
	if mode == plan.StartCommitted && c.GroupID == "" {
		v.report("consumers.start", "committed reads from the offsets a group committed before: name the group with consumers.group_id")
	}
	if mode == plan.StartTimestamp && c.Start.At.IsZero() && c.Start.Ago <= 0 {
		v.report("consumers.start", "a timestamp start needs a time or a duration, e.g. timestamp(-10m)")
	}
}

// churn checks consumers.churn against the step's phases ph.
func (v *validator) churn(c plan.Consumers, ph plan.Phases) {
	ch := c.Churn
	switch {
	case ch.Every < 0:
		v.report("consumers.churn.every", "must not be negative")
		return
	case !ch.Active():
		if ch.Members != 0 {
			v.report("consumers.churn.every", "missing; churn needs the time between its events, e.g. {every: 30s, members: 1}")
		}
		return
	}
	if c.Groups == 0 {
		v.report("consumers.churn", "applies only with consumer groups (consumers.groups is 0)")
		return
	}
	if ch.Members < 1 {
		v.report("consumers.churn.members", "must be at least 1, got %d", ch.Members)
	} else if c.PerGroup > 0 && ch.Members > c.PerGroup {
		v.report("consumers.churn.members", "%d is more than the %d members of each group (consumers.per_group)", ch.Members, c.PerGroup)
	}
	if ph.Duration > 0 && ch.Every >= ph.Duration && !v.hasProblem("consumers.churn.every") {
		v.report("consumers.churn.every", "%v is not shorter than phases.duration (%v): no member would churn", ch.Every, ph.Duration)
	}
}

// backlog checks phases.backlog against the workloads of step p.
func (v *validator) backlog(p plan.Plan) {
	const f = "phases.backlog"
	b := p.Phases.Backlog
	if b.Messages < 0 {
		v.report(f+".messages", "must not be negative, got %d", b.Messages)
	}
	if b.Size < 0 {
		v.report(f+".size", "must not be negative")
	}
	if b.Duration < 0 {
		v.report(f+".duration", "must not be negative")
	}
	if !b.Rate.IsMax() && b.Rate.PerSec <= 0 {
		v.report(f+".rate", "must be greater than 0; use max (the default) for no limit")
	}
	var set []string
	for _, x := range []struct {
		name string
		on   bool
	}{{"messages", b.Messages > 0}, {"size", b.Size > 0}, {"duration", b.Duration > 0}} {
		if x.on {
			set = append(set, f+"."+x.name)
		}
	}
	switch {
	case len(set) > 1:
		v.report(set[1], "give one of messages, size and duration; %s is set too", strings.Join(set[:len(set)-1], " and "))
	case len(set) == 0:
		if _, written := v.s.pos[f]; written && !v.hasProblem(f) {
			v.report(f, "give the backlog as messages, size or duration, e.g. {messages: 100000}")
		}
		return
	}
	producers, consumers := false, false
	for _, w := range p.WorkloadList() {
		producers = producers || w.Producers.Workers > 0
		consumers = consumers || w.Consumers.Groups > 0
	}
	if !producers {
		v.report(f, "no producers to build the backlog (producers.workers is 0)")
	}
	if !consumers {
		v.report(f, "no consumer groups to read the backlog; set consumers.groups")
	}
}
