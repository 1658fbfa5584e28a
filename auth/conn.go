// Package auth turns an auth.Config — the authentication settings
// (plan.Auth, shared with the scenario's cluster.auth block and the flags of
// mskbench run) plus brokers, dial timeout and client id — into connections
// to a Kafka cluster: plaintext, TLS, mTLS, SASL/SCRAM and MSK IAM
// (SASL/OAUTHBEARER tokens from aws-msk-iam-sasl-signer-go). Connect
// validates the settings (plan.Auth.Validate), resolves secrets, bootstrap
// brokers (MSK GetBootstrapBrokers) and the mechanism, probes the cluster
// once and translates failures into an *Error that names the broker, the
// mechanism and the likely fix. Secrets never appear in errors, logs or
// formatted values. The Conn it returns gives every client of a run — the
// franz-go options (KgoOpts) and the kafka-go transports and dialers — its
// TLS, SASL, client id and the shared connection budget, so both clients
// authenticate every mechanism the same way (MSK IAM: the same cached
// OAUTHBEARER token source).
//
// auth imports plan, both Kafka clients (franz-go's kgo and pkg/sasl,
// kafka-go) and the AWS SDK. It must not import load,
// report, scenarios, sizing, ramp or a flag package: registering flags is
// cmd's job.
package auth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/twmb/franz-go/pkg/kgo"
	franzsasl "github.com/twmb/franz-go/pkg/sasl"

	"github.com/mskbench/mskbench/plan"
)

// Conn is everything the engine needs to reach a cluster: the bootstrap
// addresses and how to dial them. A Conn is safe for concurrent use; each call
// to Transport returns a new transport with its own connections. Use it by
// pointer (it holds counters).
//
// Formatting a Conn with any fmt verb prints a summary without secrets.
type Conn struct {
	Brokers   []string       // bootstrap host:port addresses
	Mechanism string         // "none", "tls", "mtls", "scram-sha-512", "scram-sha-256", "iam"
	TLS       *tls.Config    // nil for plaintext
	SASL      sasl.Mechanism // kafka-go's mechanism; nil without SASL
	// FranzSASL is the same mechanism for franz-go (same credentials, the
	// same IAM token source); nil without SASL.
	FranzSASL   franzsasl.Mechanism
	DialTimeout time.Duration // per connection attempt; 0 means 10 s
	ClientID    string        // Kafka client.id, default "mskbench"
	// Region is the AWS region IAM tokens are signed for ("" without IAM).
	Region string
	// Warnings are notes for the result file, e.g. that certificate
	// verification is off. They contain no secrets.
	Warnings []string

	// probeClient is the client Connect probed with (Config.Client).
	probeClient plan.Client

	limiter *limiter // nil: no ceiling on new connections
	// adminLimiter is the budget of administrative connections (Admin):
	// the same rate as limiter, its own queue.
	adminLimiter *limiter
	// parent is the Conn an Admin view was made from (its counters count
	// the view's connections); nil for a Conn of its own.
	parent     *Conn
	dials      atomic.Int64
	reconnects atomic.Int64
}

// Admin returns the view of c for administrative clients (topic and group
// setup, teardown, `mskbench clean`): the same brokers, TLS, SASL, client
// id and counters (Dials and Reconnects of c count its connections), but a
// connection budget of its own at the same connect rate. So an admin
// connection never queues behind the workers' — 500 workers at the default
// 100 connections/s keep the shared budget busy for several seconds, and
// a teardown waiting there failed with BROKER_NOT_AVAILABLE — while it
// adds at most one connection per 1/rate to the cluster's connection rate.
// Admin of an Admin view is the view itself.
func (c *Conn) Admin() *Conn {
	if c.parent != nil {
		return c
	}
	return &Conn{
		Brokers: c.Brokers, Mechanism: c.Mechanism, TLS: c.TLS, SASL: c.SASL, FranzSASL: c.FranzSASL,
		DialTimeout: c.DialTimeout, ClientID: c.ClientID, Region: c.Region, Warnings: c.Warnings,
		probeClient: c.probeClient,
		limiter:     c.adminLimiter, adminLimiter: c.adminLimiter,
		parent: c,
	}
}

// counters returns the Conn whose counters count c's connections.
func (c *Conn) counters() *Conn {
	if c.parent != nil {
		return c.parent
	}
	return c
}

// Dials returns how many connections transports and dialers of c have
// opened (TCP connections that succeeded, before TLS and SASL).
func (c *Conn) Dials() int64 { return c.counters().dials.Load() }

// Reconnects returns how many connections replaced an earlier connection of
// the same transport or dialer to the same broker that the broker had closed
// (a read ended in EOF or a reset) — after MSK closed an IAM connection whose
// credentials expired, or a broker restart. Connections the client closes
// itself are not counted. Safe for concurrent use.
func (c *Conn) Reconnects() int64 { return c.counters().reconnects.Load() }

func (c *Conn) dialTimeout() time.Duration {
	if c.DialTimeout > 0 {
		return c.DialTimeout
	}
	return plan.DefaultDialTimeout
}

func (c *Conn) clientID() string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return "mskbench"
}

// Transport returns a new kafka.Transport with its own connection pool. New
// connections are ramped by the Conn's connect rate and counted by Dials and
// Reconnects.
func (c *Conn) Transport() *kafka.Transport {
	t := newDialTracker(c)
	return &kafka.Transport{
		Dial:        t.dial,
		DialTimeout: c.dialTimeout(),
		ClientID:    c.clientID(),
		TLS:         c.TLS,
		SASL:        c.SASL,
		IdleTimeout: 30 * time.Second,
		MetadataTTL: 5 * time.Second,
	}
}

// Dialer returns a new kafka.Dialer for readers and admin connections, with
// the same ramping and counting as Transport.
func (c *Conn) Dialer() *kafka.Dialer {
	t := newDialTracker(c)
	return &kafka.Dialer{
		ClientID:      c.clientID(),
		Timeout:       c.dialTimeout(),
		DualStack:     true,
		DialFunc:      t.dial,
		TLS:           c.TLS,
		SASLMechanism: c.SASL,
	}
}

// DialFunc returns a new dial function with the Transport's ramping,
// counting and reconnect detection that also performs the TLS handshake
// when c has TLS (server name: TLS.ServerName, else the dialled host), so
// the connection it returns is the plaintext view of the stream. franz-go
// dials through it; kafka-go readers use it when the engine needs to see
// responses (their throttle times).
func (c *Conn) DialFunc() func(ctx context.Context, network, addr string) (net.Conn, error) {
	t := newDialTracker(c)
	if c.TLS == nil {
		return t.dial
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := t.dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// The handshake has its own bound (tlsHandshakeTimeout): a
		// plaintext port never answers a ClientHello.
		return handshake(ctx, nc, c.TLS, addr)
	}
}

// KgoOpts returns the franz-go client options of c: the seed brokers, a
// dialer from DialFunc (connect-rate limit, dial and reconnect counting,
// TLS), SASL, the dial timeout and the client id (callers append
// kgo.ClientID to name a worker). Every call returns a new dialer.
func (c *Conn) KgoOpts() []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.Dialer(c.DialFunc()),
		kgo.DialTimeout(c.dialTimeout()),
		kgo.ClientID(c.clientID()),
		// KIP-714 metrics pushes are extra requests the benchmark did not ask for.
		kgo.DisableClientMetrics(),
	}
	if c.FranzSASL != nil {
		opts = append(opts, kgo.SASL(c.FranzSASL))
	}
	return opts
}

// String returns a one-line summary of c without secrets.
func (c *Conn) String() string {
	if c == nil {
		return "auth.Conn(nil)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "auth.Conn{Brokers:%v Mechanism:%s TLS:%t", c.Brokers, c.Mechanism, c.TLS != nil)
	if c.TLS != nil {
		fmt.Fprintf(&b, " ClientCert:%t InsecureSkipVerify:%t", len(c.TLS.Certificates) > 0 || c.TLS.GetClientCertificate != nil, c.TLS.InsecureSkipVerify)
	}
	if c.SASL != nil {
		fmt.Fprintf(&b, " SASL:%s", c.SASL.Name())
	}
	if c.Region != "" {
		fmt.Fprintf(&b, " Region:%s", c.Region)
	}
	fmt.Fprintf(&b, " DialTimeout:%v ClientID:%s}", c.dialTimeout(), c.clientID())
	return b.String()
}

// GoString is String, so %#v prints no secrets either.
func (c *Conn) GoString() string { return c.String() }

// Format prints String for every verb, so no fmt verb can reach the
// password, token or private key behind SASL and TLS.
func (c *Conn) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// dialTracker is the Dial function of one transport or dialer: it waits
// for the connect-rate limiter, dials TCP and counts reconnects (dials to an
// address that this tracker had a connection to which has since closed).
type dialTracker struct {
	conn   *Conn
	mu     sync.Mutex
	closed map[string]int // address → closed connections not yet replaced
}

func newDialTracker(c *Conn) *dialTracker {
	return &dialTracker{conn: c, closed: make(map[string]int)}
}

func (t *dialTracker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if err := t.conn.limiter.wait(ctx); err != nil {
		return nil, fmt.Errorf("wait to connect to %s: %w", addr, err)
	}
	d := net.Dialer{Timeout: t.conn.dialTimeout(), KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	t.conn.counters().dials.Add(1)
	t.mu.Lock()
	if t.closed[addr] > 0 {
		t.closed[addr]--
		t.conn.counters().reconnects.Add(1)
	}
	t.mu.Unlock()
	return &trackedConn{Conn: nc, onClose: func() {
		t.mu.Lock()
		t.closed[addr]++
		t.mu.Unlock()
	}}, nil
}

// trackedConn tells the tracker that dialed it when a connection the peer
// closed (a read ended in EOF or a reset, not a deadline or our own Close) is
// closed: only such connections make the next dial to that address a
// reconnect. Connections the client closes itself (idle reaping, consumer
// group rejoins, admin requests) are not reconnects.
type trackedConn struct {
	net.Conn
	once    sync.Once
	peer    atomic.Bool
	onClose func()
}

// Read reads from the connection and notes whether the peer closed it.
func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			c.peer.Store(true)
		}
	}
	return n, err
}

// Close closes the connection and, the first time, tells the tracker if the
// peer had closed it.
func (c *trackedConn) Close() error {
	c.once.Do(func() {
		if c.peer.Load() {
			c.onClose()
		}
	})
	return c.Conn.Close()
}

// limiter spaces events at most rate per second apart (no burst beyond
// one). A nil *limiter never waits. Safe for concurrent use.
type limiter struct {
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// newLimiter returns a limiter of rate events per second, or nil (no
// limit) when rate is not positive.
func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return nil
	}
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

// reserve returns how long the caller must wait for its slot, given now.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(l.interval)
	return slot.Sub(now)
}

func (l *limiter) wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	d := l.reserve(time.Now())
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
