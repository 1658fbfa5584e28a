package load

import (
	"context"
	"maps"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
	"github.com/segmentio/kafka-go/protocol/produce"
)

// metadataLifetime is how long countingTransport answers kafka-go's
// per-message metadata lookups from the last answer.
const metadataLifetime = time.Second

// Kafka error codes after which the cached metadata is refreshed at once.
const (
	codeLeaderNotAvailable   = 5
	codeNotLeaderOrFollower  = 6
	codeUnknownTopicID       = 100
	codeFencedLeaderEpoch    = 74
	codeNotEnoughReplicasErr = 19
)

// countingTransport wraps a kafka-go producer's kafka.RoundTripper. It
//
//   - counts every error answer of the cluster (one per partition of a
//     produce response with an error code) and every failed round trip by
//     label, including the ones kafka-go retries successfully;
//   - fails every produce request at once after abort is cancelled, so
//     that a stalled broker cannot hold Run beyond its bound;
//   - answers the metadata lookup kafka-go's Writer makes for every
//     message (WriteMessages asks for the topic's partitions per message;
//     kafka-go v0.4.51 writer.go:645-651, where kafka.Transport rebuilds a
//     string from the broker addresses and copies its cached metadata each
//     time) from the last answer for that topic for at most
//     metadataLifetime, refreshing at once after a produce error that
//     means the metadata moved (NOT_LEADER, UNKNOWN_TOPIC, ...) or a
//     failed round trip.
//
// Safe for concurrent use.
type countingTransport struct {
	rt    kafka.RoundTripper
	p     *producer
	abort context.Context
	// meta is the cache: topic → last single-topic answer; replaced whole
	// (copy on write), read without locks.
	meta   atomic.Pointer[map[string]cachedMetadata]
	metaMu sync.Mutex // serialises cache writers
	epoch  time.Time  // base of the cache's monotonic times
}

// cachedMetadata is one cached single-topic metadata answer.
type cachedMetadata struct {
	resp kafka.Response
	atNs int64 // time since epoch it was fetched
}

// errorCounts counts errors by label. Safe for concurrent use; the zero
// value is ready.
type errorCounts struct {
	mu     sync.Mutex
	counts map[string]int64
}

func newCountingTransport(rt kafka.RoundTripper, p *producer, abort context.Context) *countingTransport {
	return &countingTransport{rt: rt, p: p, abort: abort, epoch: time.Now()}
}

// RoundTrip implements kafka.RoundTripper.
func (t *countingTransport) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	switch m := req.(type) {
	case *metadataAPI.Request:
		if len(m.TopicNames) == 1 && !m.AllowAutoTopicCreation {
			return t.metadata(ctx, addr, m)
		}
		return t.plain(ctx, addr, req)
	case *produce.Request:
		return t.produce(ctx, addr, req)
	default:
		return t.plain(ctx, addr, req)
	}
}

// plain passes a request through, counting a failure.
func (t *countingTransport) plain(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	resp, err := t.rt.RoundTrip(ctx, addr, req)
	if err != nil {
		t.p.countResponseError(err)
		t.invalidate()
	}
	return resp, err
}

// metadata answers a single-topic metadata request from the cache, or
// asks and caches a successful answer. The cached response is shared:
// kafka-go's Writer only reads it.
func (t *countingTransport) metadata(ctx context.Context, addr net.Addr, m *metadataAPI.Request) (kafka.Response, error) {
	topic := m.TopicNames[0]
	now := int64(time.Since(t.epoch))
	if c := t.meta.Load(); c != nil {
		if e, ok := (*c)[topic]; ok && now-e.atNs < int64(metadataLifetime) {
			return e.resp, nil
		}
	}
	resp, err := t.plain(ctx, addr, m)
	if err != nil {
		return resp, err
	}
	if r, ok := resp.(*metadataAPI.Response); ok && cacheable(r, topic) {
		t.metaMu.Lock()
		next := map[string]cachedMetadata{}
		if c := t.meta.Load(); c != nil {
			next = maps.Clone(*c)
		}
		next[topic] = cachedMetadata{resp: resp, atNs: now}
		t.meta.Store(&next)
		t.metaMu.Unlock()
	}
	return resp, nil
}

// cacheable reports whether r answers for topic without an error.
func cacheable(r *metadataAPI.Response, topic string) bool {
	for _, tp := range r.Topics {
		if tp.Name == topic {
			return tp.ErrorCode == 0 && len(tp.Partitions) > 0
		}
	}
	return false
}

// invalidate drops the cached metadata: the next lookup asks the cluster.
func (t *countingTransport) invalidate() {
	if t.meta.Load() != nil {
		t.meta.Store(nil)
	}
}

// produce sends a produce request, failing it at once when abort is
// cancelled, and counts its errors and throttle time.
func (t *countingTransport) produce(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	if t.abort != nil {
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		stop := context.AfterFunc(t.abort, func() { cancel(context.Cause(t.abort)) })
		defer func() {
			stop()
			cancel(nil)
		}()
	}
	resp, err := t.rt.RoundTrip(ctx, addr, req)
	if err != nil {
		t.p.countResponseError(err)
		t.invalidate()
		return resp, err
	}
	pr, ok := resp.(*produce.Response)
	if !ok {
		return resp, err
	}
	for _, tp := range pr.Topics {
		for _, p := range tp.Partitions {
			if p.ErrorCode == 0 {
				continue
			}
			t.p.countResponseError(kafka.Error(p.ErrorCode))
			switch p.ErrorCode {
			case codeNotLeaderOrFollower, codeLeaderNotAvailable, codeUnknownTopicOrPartition,
				codeUnknownTopicID, codeFencedLeaderEpoch, codeNotEnoughReplicasErr:
				t.invalidate()
			}
		}
	}
	return resp, err
}

func (t *errorCounts) add(label string, n int64) {
	t.mu.Lock()
	if t.counts == nil {
		t.counts = make(map[string]int64)
	}
	t.counts[label] += n
	t.mu.Unlock()
}

// snapshot returns a copy of the counts.
func (t *errorCounts) snapshot() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.counts)
}
