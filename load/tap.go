package load

import (
	"context"
	"encoding/binary"
	"net"
	"sync"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A wire tap watches the Kafka protocol on one connection, on the
// plaintext side of TLS, for what a client does not report: franz-go has no
// hook for the error codes of the produce responses it retries, kafka-go's
// Reader none for the throttle time of fetch responses. It parses the frame
// headers of requests written (size, API key, version, correlation id) and
// of responses read, decodes produce responses whole (they are small) and
// reads only the throttle time of fetch responses, skipping their records.
// A stream it cannot follow (a size out of range) is left alone from then
// on. It never changes a byte.

// Kafka API keys the tap follows.
const (
	apiProduce = 0
	apiFetch   = 1
)

// maxFrame is the largest frame size the tap believes (1 GiB).
const maxFrame = 1 << 30

// tapHooks are the tap's callbacks, from the connection's reading
// goroutine. A nil hook is not called (and its responses not decoded).
type tapHooks struct {
	// produceError is called for every partition of a produce response
	// with an error code.
	produceError func(err error)
	// fetchThrottle and produceThrottle are called for every fetch or
	// produce response with a throttle time above 0, with the broker's
	// address.
	fetchThrottle   func(broker string, ms int64)
	produceThrottle func(broker string, ms int64)
	// brokers, when not nil, counts every produce request and fetch
	// response per broker address (brokerstats.go).
	brokers *brokerStats
}

// tapDial wraps a dial function so that every connection it returns is
// tapped.
func tapDial(dial func(ctx context.Context, network, addr string) (net.Conn, error), h tapHooks) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &tapConn{Conn: c, addr: addr, h: h, bc: h.brokers.forAddr(addr), reqs: make(map[int32]apiRequest)}, nil
	}
}

// apiVersion is the API key and version of a request.
type apiVersion struct{ key, version int16 }

// apiRequest is a request in flight: its API key and version, and when
// the tap saw its first bytes written (unix ns; 0 when not counted).
type apiRequest struct {
	apiVersion
	sentNs int64
}

// tapConn is a tapped connection. Write and Read are each called by one
// goroutine at a time (both clients serialise them per direction); reqs
// links the two.
type tapConn struct {
	net.Conn
	addr string
	h    tapHooks
	bc   *brokerCounters // nil: no per-broker counts

	mu   sync.Mutex
	reqs map[int32]apiRequest // correlation id → request, for the responses we follow

	w frameReader // requests written
	r frameReader // responses read
}

// frameReader follows one direction's frames: it gathers the first bytes
// of each frame into head, as many as its decide function wants, and skips
// the rest.
type frameReader struct {
	broken bool
	left   int    // bytes left in the current frame; 0 between frames
	total  int    // size of the current frame
	hdr    []byte // the size prefix while it is incomplete
	head   []byte // the frame's first bytes, gathered
	want   int    // head bytes wanted in all; <= len(head): gather no more
	api    apiVersion
}

// Write records the headers of the requests in b.
func (c *tapConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 && !c.w.broken {
		c.w.feed(b[:n], c.request)
	}
	return n, err
}

// Read follows the responses in what was read.
func (c *tapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.r.broken {
		c.r.feed(b[:n], c.response)
	}
	return n, err
}

// feed consumes bytes of the stream. decide is called when a frame starts
// (head empty) and whenever head holds the bytes it wanted: it returns how
// many head bytes it wants in all (at most the frame's size), or 0 to
// gather no more of this frame.
func (f *frameReader) feed(b []byte, decide func(f *frameReader) int) {
	for len(b) > 0 {
		if f.left == 0 {
			take := min(4-len(f.hdr), len(b))
			f.hdr = append(f.hdr, b[:take]...)
			b = b[take:]
			if len(f.hdr) < 4 {
				return
			}
			size := int(int32(binary.BigEndian.Uint32(f.hdr)))
			f.hdr = f.hdr[:0]
			if size <= 0 || size > maxFrame {
				f.broken = true
				return
			}
			f.total, f.left, f.head = size, size, f.head[:0]
			f.want = min(decide(f), size)
			continue
		}
		if f.want > len(f.head) {
			g := min(f.left, len(b), f.want-len(f.head))
			f.head = append(f.head, b[:g]...)
			f.left -= g
			b = b[g:]
			if len(f.head) == f.want {
				f.want = min(decide(f), f.total)
			}
			continue
		}
		skip := min(f.left, len(b))
		f.left -= skip
		b = b[skip:]
	}
}

// request is the decide function of written frames: the request header
// is API key (2), version (2), correlation id (4).
func (c *tapConn) request(f *frameReader) int {
	if len(f.head) < 8 {
		if f.total < 8 {
			return 0
		}
		return 8
	}
	av := apiVersion{int16(binary.BigEndian.Uint16(f.head)), int16(binary.BigEndian.Uint16(f.head[2:]))}
	req := apiRequest{apiVersion: av}
	follow := (av.key == apiProduce && (c.h.produceError != nil || c.h.produceThrottle != nil)) || (av.key == apiFetch && c.h.fetchThrottle != nil)
	if c.bc != nil && (av.key == apiProduce || av.key == apiFetch) {
		follow = true
		if av.key == apiProduce {
			c.bc.produceRequests.Add(1)
			c.bc.produceBytes.Add(int64(f.total) + 4)
			req.sentNs = c.h.brokers.now()
		}
	}
	if follow {
		corr := int32(binary.BigEndian.Uint32(f.head[4:]))
		c.mu.Lock()
		c.reqs[corr] = req
		c.mu.Unlock()
	}
	return 0
}

// response is the decide function of read frames: the correlation id
// first, then what the request's kind needs (produce: the whole frame;
// fetch: the header and the throttle time).
func (c *tapConn) response(f *frameReader) int {
	switch {
	case len(f.head) == 0:
		return 4
	case len(f.head) == 4:
		corr := int32(binary.BigEndian.Uint32(f.head))
		c.mu.Lock()
		req, ok := c.reqs[corr]
		delete(c.reqs, corr)
		c.mu.Unlock()
		if !ok {
			return 0
		}
		f.api = req.apiVersion
		if c.bc != nil {
			switch req.key {
			case apiProduce:
				c.bc.produceResponses.Add(1)
				c.bc.produceServiceNs.Add(max(c.h.brokers.now()-req.sentNs, 0))
			case apiFetch:
				c.bc.fetchResponses.Add(1)
				c.bc.fetchBytes.Add(int64(f.total) + 4)
			}
		}
		switch req.key {
		case apiProduce:
			if c.h.produceError == nil && c.h.produceThrottle == nil && c.bc == nil {
				return 0
			}
			return f.total // the whole response
		case apiFetch:
			if c.h.fetchThrottle == nil {
				return 0
			}
			return 4 + 1 + 4 // correlation id, (header tags,) throttle
		}
		return 0
	}
	switch f.api.key {
	case apiProduce:
		c.produceResponse(f.head[4:], f.api.version)
	case apiFetch:
		c.fetchResponse(f.head[4:], f.api.version)
	}
	return 0
}

// skipHeaderTags skips the tagged fields of a flexible response header.
func skipHeaderTags(r *kbin.Reader) {
	for n := r.Uvarint(); n > 0 && r.Ok(); n-- {
		r.Uvarint()
		r.Span(int(r.Uvarint()))
	}
}

// produceResponse decodes a produce response body (after the correlation
// id) and reports every partition error and its throttle time.
func (c *tapConn) produceResponse(b []byte, version int16) {
	resp := kmsg.NewPtrProduceResponse()
	resp.SetVersion(version)
	r := kbin.Reader{Src: b}
	if resp.IsFlexible() {
		skipHeaderTags(&r)
	}
	if !r.Ok() || resp.ReadFrom(r.Src) != nil {
		return
	}
	if c.h.produceThrottle != nil && resp.ThrottleMillis > 0 {
		c.h.produceThrottle(c.addr, int64(resp.ThrottleMillis))
	}
	if c.h.produceError == nil && c.bc == nil {
		return
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode == 0 {
				continue
			}
			if c.bc != nil {
				c.bc.errors.Add(1)
			}
			if c.h.produceError != nil {
				c.h.produceError(kerr.ErrorForCode(p.ErrorCode))
			}
		}
	}
}

// fetchResponse reads the throttle time of a fetch response (v1 and
// later) from its first bytes after the correlation id.
func (c *tapConn) fetchResponse(b []byte, version int16) {
	if version < 1 {
		return
	}
	r := kbin.Reader{Src: b}
	if version >= 12 {
		skipHeaderTags(&r)
	}
	if ms := r.Int32(); r.Ok() && ms > 0 {
		c.h.fetchThrottle(c.addr, int64(ms))
	}
}
