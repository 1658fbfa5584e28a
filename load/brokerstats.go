package load

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mskbench/mskbench/report"
)

// Per-broker client-side figures (issue 12): what the step's producers and
// consumers sent to and read from each broker, as the wire tap (tap.go)
// sees it on every client connection of both clients — produce requests,
// their bytes and their service time (request written to response read),
// fetch responses and their bytes, partition errors in produce responses.
// Admin connections are not counted. The counters are atomics per broker
// address, found once per connection; Run samples them at every report
// interval into report.BrokerClientSeries.

// brokerCounters are one broker's running totals.
type brokerCounters struct {
	produceRequests  atomic.Int64
	produceBytes     atomic.Int64 // request frames, size prefix included
	produceResponses atomic.Int64 // responses matched to a request
	produceServiceNs atomic.Int64 // summed over produceResponses
	fetchResponses   atomic.Int64
	fetchBytes       atomic.Int64 // response frames, size prefix included
	errors           atomic.Int64 // partitions of produce responses with an error code
}

// brokerTotals is a snapshot of brokerCounters.
type brokerTotals struct {
	produceRequests, produceBytes, produceResponses, produceServiceNs int64
	fetchResponses, fetchBytes, errors                                int64
}

func (c *brokerCounters) load() brokerTotals {
	return brokerTotals{
		produceRequests: c.produceRequests.Load(), produceBytes: c.produceBytes.Load(),
		produceResponses: c.produceResponses.Load(), produceServiceNs: c.produceServiceNs.Load(),
		fetchResponses: c.fetchResponses.Load(), fetchBytes: c.fetchBytes.Load(), errors: c.errors.Load(),
	}
}

func (t brokerTotals) minus(u brokerTotals) brokerTotals {
	return brokerTotals{
		t.produceRequests - u.produceRequests, t.produceBytes - u.produceBytes,
		t.produceResponses - u.produceResponses, t.produceServiceNs - u.produceServiceNs,
		t.fetchResponses - u.fetchResponses, t.fetchBytes - u.fetchBytes, t.errors - u.errors,
	}
}

// brokerStats holds the counters of every broker address the step's
// clients connected to, and the samples taken so far. forAddr is safe for
// concurrent use; sample and series belong to Run's goroutine.
type brokerStats struct {
	now func() int64 // unix ns, monotonic (the step's clock)

	mu     sync.Mutex
	byAddr map[string]*brokerCounters

	prev    map[string]brokerTotals
	samples map[string][]report.BrokerClientSample
}

func newBrokerStats(now func() int64) *brokerStats {
	return &brokerStats{now: now, byAddr: make(map[string]*brokerCounters),
		prev: make(map[string]brokerTotals), samples: make(map[string][]report.BrokerClientSample)}
}

// forAddr returns the counters of the broker at addr (host:port as the
// client dialled it), created on first use. A nil brokerStats returns nil.
func (b *brokerStats) forAddr(addr string) *brokerCounters {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.byAddr[addr]
	if c == nil {
		c = new(brokerCounters)
		b.byAddr[addr] = c
	}
	return c
}

// sample records what every broker saw since the previous sample as the
// interval [start, end) of phase. A broker with no produce request and no
// fetch response in it (a bootstrap or metadata-only connection) gets no
// sample for it.
func (b *brokerStats) sample(start, end time.Time, phase string) {
	b.mu.Lock()
	addrs := make([]string, 0, len(b.byAddr))
	counters := make([]*brokerCounters, 0, len(b.byAddr))
	for a, c := range b.byAddr {
		addrs, counters = append(addrs, a), append(counters, c)
	}
	b.mu.Unlock()
	for i, a := range addrs {
		now := counters[i].load()
		d := now.minus(b.prev[a])
		b.prev[a] = now
		if d.produceRequests == 0 && d.fetchResponses == 0 && d.errors == 0 {
			continue
		}
		s := report.BrokerClientSample{
			Start: start, End: end, Phase: phase,
			ProduceRequests: d.produceRequests, ProduceBytes: d.produceBytes,
			ProduceResponses: d.produceResponses, ProduceServiceTimeSumMs: float64(d.produceServiceNs) / 1e6,
			FetchResponses: d.fetchResponses, FetchBytes: d.fetchBytes, Errors: d.errors,
		}
		if d.produceResponses > 0 {
			s.ProduceServiceTimeMeanMs = float64(d.produceServiceNs) / 1e6 / float64(d.produceResponses)
		}
		b.samples[a] = append(b.samples[a], s)
	}
}

// series returns the samples per broker, with the broker ids of ids
// (address → node id; -1 when unknown), sorted by id then address.
func (b *brokerStats) series(ids map[string]int32) []report.BrokerClientSeries {
	if b == nil || len(b.samples) == 0 {
		return nil
	}
	out := make([]report.BrokerClientSeries, 0, len(b.samples))
	for a, ss := range b.samples {
		id, ok := ids[a]
		if !ok {
			id = -1
		}
		out = append(out, report.BrokerClientSeries{ID: id, Host: a, Samples: ss})
	}
	slices.SortFunc(out, func(x, y report.BrokerClientSeries) int {
		return cmp.Or(cmp.Compare(x.ID, y.ID), strings.Compare(x.Host, y.Host))
	})
	return out
}
