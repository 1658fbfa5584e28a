package load

import (
	"context"
	"maps"
	"net"
	"sync"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/produce"
)

// countingTransport wraps a producer's kafka.RoundTripper. It counts every
// error answer of the cluster (one per partition of a produce response with
// an error code) and every failed round trip by label, including the ones
// kafka-go retries successfully, and it fails every request at once after
// abort is cancelled, so that a stalled broker cannot hold Run beyond its
// bound. Safe for concurrent use.
type countingTransport struct {
	rt    kafka.RoundTripper
	abort context.Context
	// counting reports whether errors are counted now (measure and drain).
	counting func() bool

	errorCounts
}

// errorCounts counts errors by label. Safe for concurrent use; the zero
// value is ready.
type errorCounts struct {
	mu     sync.Mutex
	counts map[string]int64
}

// RoundTrip implements kafka.RoundTripper.
func (t *countingTransport) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	_, isProduce := req.(*produce.Request)
	if !isProduce {
		// kafka-go asks for metadata on every WriteMessages call and the
		// transport answers from its cache: keep that path free of
		// allocations and shared locks. Such calls run under the caller's
		// context, which Run cancels itself.
		resp, err := t.rt.RoundTrip(ctx, addr, req)
		if err != nil && t.counting() {
			t.add(errorLabel(err), 1)
		}
		return resp, err
	}
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
		if t.counting() {
			t.add(errorLabel(err), 1)
		}
		return resp, err
	}
	if pr, ok := resp.(*produce.Response); ok && t.counting() {
		for _, tp := range pr.Topics {
			for _, p := range tp.Partitions {
				if p.ErrorCode != 0 {
					t.add(errorLabel(kafka.Error(p.ErrorCode)), 1)
				}
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
