package auth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/scram"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	franzscram "github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/xdg-go/stringprep"

	"github.com/mskbench/mskbench/plan"
)

// awsTimeout bounds the AWS API calls Connect makes.
const awsTimeout = 30 * time.Second

// Connect resolves cfg into a Conn and probes the cluster with it:
//
//  1. validates cfg;
//  2. with ClusterARN and no Brokers, reads the bootstrap brokers with MSK
//     GetBootstrapBrokers (the field for the mechanism; Public picks the
//     public one);
//  3. with mechanism "auto", picks the mechanism from the first broker's
//     port (see AutoMechanism) and logs the choice;
//  4. builds the TLS configuration, resolves the SCRAM password or prepares
//     IAM tokens (region from --aws-region, the broker host name, the
//     cluster ARN, then the environment);
//  5. opens one connection (TCP, TLS, SASL) with cfg.Client and asks for
//     the cluster metadata, within DialTimeout per broker, trying the next
//     bootstrap broker only on network errors.
//
// An invalid cfg, and a local input it names that is unusable (a --tls-ca,
// --tls-cert, --tls-key or --scram-password-file that cannot be read or
// parsed, an unset --scram-password-env variable), is returned as
// *ConfigError (a usage error: exit code 2); failures of step 5 as *Error
// with a hint (exit code 1); AWS failures (credentials, Secrets Manager, MSK
// bootstrap discovery) as plain errors (exit code 1). logf receives
// progress notes and warnings (it may be nil); nothing it receives, and no
// error, contains a secret.
func Connect(ctx context.Context, cfg Config, logf func(string, ...any)) (*Conn, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	sec := &secrets{}
	sec.addEnv()
	c, err := connect(ctx, cfg, sec.logf(logf), sec)
	if err != nil {
		return nil, sec.scrub(err)
	}
	return c, nil
}

// connect is Connect; sec collects the secrets it resolves, and Connect
// scrubs them from what connect returns (logf already scrubs).
func connect(ctx context.Context, cfg Config, logf func(string, ...any), sec *secrets) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &ConfigError{Err: err}
	}
	mech := cfg.Mechanism
	if mech == "" {
		mech = plan.MechanismAuto
	}
	brokers := append([]string(nil), cfg.Brokers...)
	// AWS lookups (bootstrap brokers, secret, first token) get their own bound.
	awsCtx, cancel := context.WithTimeout(ctx, awsTimeout)
	defer cancel()

	region := cfg.AWSRegion
	if region == "" && len(brokers) > 0 {
		region = RegionFromHost(brokers[0])
	}
	if region == "" {
		region = RegionFromARN(cfg.ClusterARN)
	}

	if len(brokers) == 0 {
		var err error
		var chosen string
		brokers, chosen, err = discoverBrokers(awsCtx, &cfg, mech, region, sec)
		if err != nil {
			return nil, err
		}
		if mech == plan.MechanismAuto {
			logf("auth: --auth auto chose %s: the strongest access cluster %s offers", chosen, cfg.ClusterARN)
			mech = chosen
		}
		logf("auth: bootstrap brokers of %s: %s", cfg.ClusterARN, strings.Join(brokers, ","))
		if region == "" {
			region = RegionFromHost(brokers[0])
		}
	}

	if mech == plan.MechanismAuto {
		mech = AutoMechanism(brokers[0])
		_, port, _ := splitBroker(brokers[0])
		logf("auth: --auth auto chose %s from port %d of %s", mech, port, brokers[0])
	}

	tlsOn := mech != plan.MechanismNone
	if cfg.TLS != nil {
		tlsOn = *cfg.TLS
	}
	if mech == plan.MechanismNone && tlsOn {
		mech = plan.MechanismTLS
	}
	if mech == plan.MechanismTLS && cfg.TLSCertFile != "" {
		mech = plan.MechanismMTLS
	}
	if !tlsOn && (mech == plan.MechanismTLS || mech == plan.MechanismMTLS) {
		return nil, &ConfigError{Err: fmt.Errorf("auth: mechanism %s needs TLS, but TLS is off", mech)}
	}

	c := &Conn{
		Brokers:     brokers,
		Mechanism:   mech,
		DialTimeout: cfg.DialTimeout,
		ClientID:    cfg.ClientID,
		probeClient: cfg.Client,
	}
	c.limiter = newLimiter(cfg.ConnectRate) // 0: no cap
	c.adminLimiter = newLimiter(cfg.ConnectRate)

	if tlsOn {
		tc, warnings, err := buildTLS(&cfg)
		if err != nil {
			return nil, err
		}
		c.TLS = tc
		for _, w := range warnings {
			logf("auth: warning: %s", w)
		}
		c.Warnings = append(c.Warnings, warnings...)
	} else if mech != plan.MechanismNone {
		w := fmt.Sprintf("%s runs without TLS (--tls=false): only for local test clusters; MSK always needs TLS here", mech)
		logf("auth: warning: %s", w)
		c.Warnings = append(c.Warnings, w)
	}

	switch mech {
	case plan.MechanismSCRAMSHA512, plan.MechanismSCRAMSHA256:
		user, password, err := resolveSCRAM(awsCtx, &cfg, region, sec)
		if err != nil {
			return nil, err
		}
		sec.add(password)
		m, err := scramMechanism(mech, user, password)
		if err != nil {
			return nil, err
		}
		c.SASL = m
		fa := franzscram.Auth{User: user, Pass: password}
		if mech == plan.MechanismSCRAMSHA512 {
			c.FranzSASL = fa.AsSha512Mechanism()
		} else {
			c.FranzSASL = fa.AsSha256Mechanism()
		}
	case plan.MechanismIAM:
		m, err := iamFor(awsCtx, &cfg, region, logf, sec)
		if err != nil {
			return nil, err
		}
		c.Region = m.region
		c.SASL = m
		c.FranzSASL = m.franz()
	}

	if err := probe(ctx, c, logf); err != nil {
		return nil, err
	}
	return c, nil
}

// scramMechanism returns the SCRAM mechanism (SHA-512 or SHA-256 by mech) of
// user and password. The SCRAM library quotes a password that SASLprep
// (RFC 4013) refuses in its error; this error says the same in our words
// without it.
func scramMechanism(mech, user, password string) (sasl.Mechanism, error) {
	if _, err := stringprep.SASLprep.Prepare(user); err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("auth: %s: the SCRAM user name %q is refused by SASLprep (RFC 4013): it holds a control character or a character SASLprep prohibits", mech, user)}
	}
	if _, err := stringprep.SASLprep.Prepare(password); err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("auth: %s: the SCRAM password of user %q is refused by SASLprep (RFC 4013): it holds a tab, a control character or another character SASLprep prohibits (an emoji, an unassigned code point); the password is not shown. Set a password of printable characters", mech, user)}
	}
	algo := scram.SHA512
	if mech == plan.MechanismSCRAMSHA256 {
		algo = scram.SHA256
	}
	m, err := scram.Mechanism(algo, user, password)
	if err != nil {
		// Not wrapped: the library's message may quote the password.
		return nil, fmt.Errorf("auth: %s for user %q: the SCRAM client could not be set up", mech, user)
	}
	return redactedMechanism{m}, nil
}

// iamFor prepares the IAM mechanism and signs a first token, so missing
// credentials fail here with a clear message rather than on every dial.
func iamFor(ctx context.Context, cfg *Config, region string, logf func(string, ...any), sec *secrets) (*iamMechanism, error) {
	ac, err := loadAWS(ctx, cfg, region, sec)
	if err != nil {
		return nil, err
	}
	if region == "" {
		region = ac.Region
	}
	if region == "" {
		return nil, errors.New("auth: iam: cannot tell the AWS region (the broker host name has none): set --aws-region or AWS_REGION")
	}
	if ac.Credentials == nil {
		return nil, errors.New("auth: iam: no AWS credentials found: set AWS_PROFILE / --aws-profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an instance / task role")
	}
	m := newIAMMechanism(region, ac.Credentials)
	m.secrets = sec
	if _, err := m.currentToken(ctx); err != nil {
		return nil, fmt.Errorf("auth: iam: %w: check --aws-profile / --aws-role-arn and that credentials are available (aws sts get-caller-identity)", err)
	}
	source := "the default credential chain"
	switch {
	case cfg.AWSRoleARN != "":
		source = "role " + cfg.AWSRoleARN
	case cfg.AWSProfile != "":
		source = "profile " + cfg.AWSProfile
	}
	logf("auth: iam tokens for region %s from %s", region, source)
	return m, nil
}

// probe opens one connection with c's TLS and SASL settings and reads the
// cluster metadata. It tries bootstrap brokers in order and moves on only
// after network errors (refused, unresolvable, timed out); a TLS or
// authentication failure is returned at once.
func probe(ctx context.Context, c *Conn, logf func(string, ...any)) error {
	var (
		failures []*Error
		refused  []string
	)
	for _, addr := range c.Brokers {
		logf("auth: connecting to %s with %s (timeout %v)", addr, c.Mechanism, c.dialTimeout())
		n, err := probeOne(ctx, c, addr)
		if err == nil {
			logf("auth: connected to %s with %s: %d brokers", addr, c.Mechanism, n)
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("auth: connect to %s: %w", addr, ctx.Err())
		}
		err = sniff(ctx, c, addr, err)
		e := translate(addr, c.Mechanism, c.TLS != nil, err)
		if errors.Is(err, syscall.ECONNREFUSED) {
			refused = append(refused, addr)
		}
		if !networkError(err) {
			return e
		}
		failures = append(failures, e)
	}
	if len(refused) == len(c.Brokers) {
		e := failures[0]
		e.Broker = strings.Join(refused, ", ")
		e.Err = fmt.Errorf("connection refused by every bootstrap broker: %w", e.Err)
		return e
	}
	for _, e := range failures {
		if !errors.Is(e.Err, syscall.ECONNREFUSED) {
			return e
		}
	}
	return failures[0]
}

// probeOne connects to addr with the probe client and returns the number
// of brokers in the cluster metadata. It ends as soon as ctx does: the
// connections it opened are closed then, so that a peer that accepts TCP
// and never answers (or a SIGINT while waiting for one) does not hold it
// until the dial timeout. The TLS handshake has its own bound,
// tlsHandshakeTimeout.
func probeOne(ctx context.Context, c *Conn, addr string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.dialTimeout())
	defer cancel()
	if c.probeClient.String() == string(plan.ClientFranzGo) {
		return probeFranz(ctx, c, addr)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, nc := range conns {
			nc.Close()
		}
	})
	defer stop()
	// Through the Conn's dial tracker, like franz-go's probe (c.DialFunc):
	// the probe's connection is counted in Dials with either client.
	tracker := newDialTracker(c)
	d := &kafka.Dialer{
		ClientID:      c.clientID(),
		Timeout:       c.dialTimeout(),
		DualStack:     true,
		SASLMechanism: c.SASL,
		DialFunc: func(ctx context.Context, network, address string) (net.Conn, error) {
			nc, err := tracker.dial(ctx, network, address)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			if c.TLS == nil {
				return nc, nil
			}
			return handshake(ctx, nc, c.TLS, address)
		},
	}
	kc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer kc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = kc.SetDeadline(dl)
	}
	if _, err := kc.ApiVersions(); err != nil {
		return 0, err
	}
	bs, err := kc.Brokers()
	if err != nil {
		return 0, err
	}
	return len(bs), nil
}

// tlsHandshakeTimeout bounds the TLS handshake of the probe, whatever the
// dial timeout: a TLS port answers a ClientHello within milliseconds, while
// a plaintext Kafka port reads it as the start of a request hundreds of MB
// long and never answers.
const tlsHandshakeTimeout = 3 * time.Second

// errHandshakeTimeout marks a TLS handshake the peer did not answer.
var errHandshakeTimeout = fmt.Errorf("the TLS handshake got no answer within %v", tlsHandshakeTimeout)

// handshake runs the client TLS handshake on nc within tlsHandshakeTimeout
// (and ctx); the server name defaults to the host of addr.
func handshake(ctx context.Context, nc net.Conn, tc *tls.Config, addr string) (net.Conn, error) {
	cfg := tc.Clone()
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	hctx, cancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
	defer cancel()
	conn := tls.Client(nc, cfg)
	if err := conn.HandshakeContext(hctx); err != nil {
		nc.Close()
		if ctx.Err() == nil && hctx.Err() != nil {
			return nil, errHandshakeTimeout
		}
		return nil, err
	}
	return conn, nil
}

// probeFranz is probeOne with franz-go: one client seeded with addr alone,
// no retries, so the first failure (refused, TLS, SASL) is the answer.
func probeFranz(ctx context.Context, c *Conn, addr string) (int, error) {
	var (
		mu      sync.Mutex
		dialErr error // the last dial failure, for the error message
	)
	sasl := &saslWatch{}
	dial := c.DialFunc()
	opts := append(c.KgoOpts(),
		kgo.SeedBrokers(addr),
		kgo.Dialer(func(ctx context.Context, network, host string) (net.Conn, error) {
			nc, err := dial(ctx, network, host)
			if err != nil {
				mu.Lock()
				dialErr = err
				mu.Unlock()
			}
			return nc, err
		}),
		kgo.WithHooks(sasl),
		kgo.RequestRetries(0),
		kgo.RetryTimeout(c.dialTimeout()),
		kgo.MetadataMinAge(10*time.Millisecond),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	res, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		mu.Lock()
		derr := dialErr
		mu.Unlock()
		if derr != nil && !errors.Is(err, derr) {
			err = fmt.Errorf("%w (%w)", derr, err)
		}
		return 0, franzProbeError(err, sasl.closed.Load())
	}
	return len(res.Brokers), nil
}

// saslWatch is a franz-go hook that notes a connection the broker closed
// while answering SASLAuthenticate: how a broker (kfake, or Kafka before
// it answers with an error code) rejects credentials.
type saslWatch struct{ closed atomic.Bool }

// OnBrokerRead implements kgo.HookBrokerRead.
func (w *saslWatch) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == int16(kmsg.SASLAuthenticate) && err != nil && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
		w.closed.Store(true)
	}
}

// franzProbeError spells a franz-go probe failure like kafka-go's: a
// Kafka error code as "[code] Title: ...", and a connection closed during
// SASL authentication as the authentication failure it is (kafka-go
// reports it as [58] SASL Authentication Failed too).
func franzProbeError(err error, closedInSASL bool) error {
	if code, ok := kafkaCode(err); ok {
		return fmt.Errorf("[%d] %s: %w", code, kafka.Error(code).Title(), err)
	}
	if closedInSASL {
		return fmt.Errorf("[%d] %s: the broker closed the connection during SASL authentication: %w (%w)",
			kerr.SaslAuthenticationFailed.Code, kafka.SASLAuthenticationFailed.Title(), err, kerr.SaslAuthenticationFailed)
	}
	return err
}

// errPlaintextPort and errTLSPort mark a probe failure whose port was found
// to speak the other protocol.
var (
	errPlaintextPort = errors.New("the port answered a plaintext Kafka request (first record does not look like a TLS handshake)")
	errTLSPort       = errors.New("the port completed a TLS handshake")
)

// sniff looks closer at a failure that may come from a TLS / plaintext
// mismatch (a timeout or a closed connection): with TLS on it asks the port
// for ApiVersions in plaintext; with TLS off it tries a TLS handshake. It
// returns err, wrapped with errPlaintextPort or errTLSPort when the port
// speaks the other protocol.
func sniff(ctx context.Context, c *Conn, addr string, err error) error {
	suspicious := errors.Is(err, errHandshakeTimeout) || isTimeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, kafka.BrokerNotAvailable)
	if !suspicious || ctx.Err() != nil {
		return err
	}
	timeout := min(c.dialTimeout(), 3*time.Second)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if c.TLS != nil {
		d := &kafka.Dialer{ClientID: c.clientID(), Timeout: timeout}
		kc, derr := d.DialContext(ctx, "tcp", addr)
		if derr != nil {
			return err
		}
		defer kc.Close()
		_ = kc.SetDeadline(time.Now().Add(timeout))
		if _, verr := kc.ApiVersions(); verr == nil {
			return fmt.Errorf("%w; %w", err, errPlaintextPort)
		}
		return err
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}} //nolint:gosec // only detects whether the port speaks TLS; no data is sent
	tc, derr := d.DialContext(ctx, "tcp", addr)
	if derr != nil {
		var alert tls.AlertError
		if errors.As(derr, &alert) {
			return fmt.Errorf("%w; %w", err, errTLSPort)
		}
		return err
	}
	tc.Close()
	return fmt.Errorf("%w; %w", err, errTLSPort)
}

// networkError reports whether err means the address could not be reached
// (so another bootstrap broker is worth a try).
func networkError(err error) bool {
	if errors.Is(err, errPlaintextPort) || errors.Is(err, errTLSPort) {
		return false
	}
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr) || errors.Is(err, errHandshakeTimeout) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}

// compile-time checks of the mechanisms' interfaces.
var (
	_ sasl.Mechanism = (*iamMechanism)(nil)
	_ sasl.Mechanism = redactedMechanism{}
)
