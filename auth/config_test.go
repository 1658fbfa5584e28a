package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/plan"
)

func TestAutoMechanism(t *testing.T) {
	tests := []struct {
		broker string
		want   string
	}{
		{"b-1.c.abc.c2.kafka.us-east-1.amazonaws.com:9092", plan.MechanismNone},        // plaintext
		{"b-1.c.abc.c2.kafka.us-east-1.amazonaws.com:9094", plan.MechanismTLS},         // TLS in VPC
		{"b-1-public.c.abc.c2.kafka.us-east-1.amazonaws.com:9194", plan.MechanismTLS},  // TLS public
		{"b-1.c.abc.c2.kafka.us-east-1.amazonaws.com:9096", plan.MechanismSCRAMSHA512}, // SCRAM in VPC
		{"b-1-public.c.abc.c2.kafka.us-east-1.amazonaws.com:9196", plan.MechanismSCRAMSHA512},
		{"b-1.c.abc.c2.kafka.us-east-1.amazonaws.com:9098", plan.MechanismIAM}, // IAM in VPC
		{"b-1-public.c.abc.c2.kafka.us-east-1.amazonaws.com:9198", plan.MechanismIAM},
		{"[2600:1f18::1]:20098", plan.MechanismIAM}, // IPv6 IAM port
		{"127.0.0.1:39123", plan.MechanismNone},     // any other port: plaintext
		{"localhost", plan.MechanismNone},           // no port at all
	}
	for _, tt := range tests {
		if got := AutoMechanism(tt.broker); got != tt.want {
			t.Errorf("AutoMechanism(%q) = %q, want %q", tt.broker, got, tt.want)
		}
	}
}

func TestRegionFromHost(t *testing.T) {
	tests := []struct {
		host string
		want string
	}{
		{"b-1.mycluster.abc123.c2.kafka.eu-west-1.amazonaws.com:9098", "eu-west-1"},
		{"b-2.mycluster.abc123.c12.kafka.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
		{"boot-abc.c1.kafka-serverless.us-east-2.amazonaws.com:9098", "us-east-2"}, // MSK Serverless
		{"127.0.0.1:9092", ""},
		{"kafka.example.com:9092", ""},
	}
	for _, tt := range tests {
		if got := RegionFromHost(tt.host); got != tt.want {
			t.Errorf("RegionFromHost(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
	if got, want := RegionFromARN("arn:aws:kafka:ap-south-1:123456789012:cluster/demo/abc-1"), "ap-south-1"; got != want {
		t.Errorf("RegionFromARN = %q, want %q", got, want)
	}
}

// Validate reports every problem at once: the brokers and the settings of
// plan.Auth (named by their scenario keys), and Connect returns them as a
// *ConfigError before it dials.
func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Config{Auth: plan.Auth{Mechanism: "kerberos", TLSCertFile: "c.pem", AWSExternalID: "x"}, DialTimeout: -time.Second}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want errors")
	}
	for _, want := range []string{"no brokers", "dial timeout -1s is negative", `auth: mechanism: unknown mechanism "kerberos"`,
		"auth: tls_key: tls_cert and tls_key go together", "auth: aws_external_id: aws_external_id needs aws_role_arn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q, want it to contain %q", err, want)
		}
	}
	scram := Config{Brokers: []string{"h:9096"}, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512}}
	if err := scram.Validate(); err == nil || !strings.Contains(err.Error(), "scram-sha-512 needs credentials") {
		t.Errorf("scram without password: Validate() = %v, want a 'needs credentials' error", err)
	}
	_, err = Connect(context.Background(), cfg, nil)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Errorf("Connect(invalid) = %v (%T), want *ConfigError", err, err)
	}
	ok := Config{Brokers: []string{"h:9098"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

// Local inputs that Validate cannot check (files, environment variables)
// are usage errors too: Connect returns them as *ConfigError before it
// dials, so nothing needs to listen at the broker address.
func TestUnusableLocalInputIsConfigError(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MSKBENCH_TEST_EMPTY_PASSWORD", "")
	broker := []string{"127.0.0.1:9"}
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing CA file", Config{Brokers: broker, Auth: plan.Auth{Mechanism: plan.MechanismTLS, TLSCAFile: missing}}, "read --tls-ca"},
		{"CA file without PEM", Config{Brokers: broker, Auth: plan.Auth{Mechanism: plan.MechanismTLS, TLSCAFile: notPEM}}, "no PEM certificate found"},
		{"missing client key", Config{Brokers: broker, Auth: plan.Auth{Mechanism: plan.MechanismMTLS, TLSCertFile: notPEM, TLSKeyFile: missing}}, "load client certificate"},
		{"empty password variable", Config{Brokers: broker, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, SCRAMUser: "u", SCRAMPasswordEnv: "MSKBENCH_TEST_EMPTY_PASSWORD"}}, "MSKBENCH_TEST_EMPTY_PASSWORD (--scram-password-env) is not set or empty"},
		{"missing password file", Config{Brokers: broker, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA256, SCRAMUser: "u", SCRAMPasswordFile: missing}}, "read --scram-password-file"},
		{"auto picks tls but TLS is off", Config{Brokers: []string{"127.0.0.1:9094"}, Auth: plan.Auth{TLS: boolPtr(false)}}, "needs TLS, but TLS is off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Connect(context.Background(), tt.cfg, nil)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Connect = %v (%T), want *ConfigError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Connect = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLimiterSpacesConnections(t *testing.T) {
	l := newLimiter(100) // one per 10 ms
	now := time.Unix(1000, 0)
	waits := []time.Duration{l.reserve(now), l.reserve(now), l.reserve(now), l.reserve(now.Add(100 * time.Millisecond))}
	want := []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond, 0}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("reserve #%d waits %v, want %v", i, waits[i], want[i])
		}
	}
	if newLimiter(0) != nil || newLimiter(-1) != nil {
		t.Error("non-positive rate should mean no limiter")
	}
	var none *limiter
	if err := none.wait(context.Background()); err != nil {
		t.Errorf("nil limiter wait = %v", err)
	}
}

// Only a connection the broker closed makes the next dial to it a
// reconnect; connections the client closes itself do not.
func TestReconnectsCountReplacedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	c := &Conn{}
	tr := newDialTracker(c)
	ctx := context.Background()
	dial := func() (net.Conn, net.Conn) {
		t.Helper()
		cc, err := tr.dial(ctx, "tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return cc, <-accepted
	}
	a, aSrv := dial()
	b, bSrv := dial() // a second concurrent connection is no reconnect
	defer bSrv.Close()
	if got := c.Reconnects(); got != 0 {
		t.Fatalf("Reconnects() = %d after two fresh dials, want 0", got)
	}
	// The client closes b itself: the next dial is no reconnect.
	b.Close()
	b2, b2Srv := dial()
	defer b2Srv.Close()
	if got := c.Reconnects(); got != 0 {
		t.Fatalf("Reconnects() = %d after the client closed its own connection, want 0", got)
	}
	// The broker closes a: the client reads EOF, closes, and dials again.
	aSrv.Close()
	if _, err := a.Read(make([]byte, 1)); err == nil {
		t.Fatal("read from a closed peer succeeded")
	}
	a.Close()
	a.Close() // closing twice counts once
	a2, a2Srv := dial()
	defer a2Srv.Close()
	a3, a3Srv := dial()
	defer a3Srv.Close()
	if got := c.Reconnects(); got != 1 {
		t.Errorf("Reconnects() = %d, want 1", got)
	}
	if got := c.Dials(); got != 5 {
		t.Errorf("Dials() = %d, want 5", got)
	}
	for _, x := range []net.Conn{b2, a2, a3} {
		x.Close()
	}
}

func TestHints(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "b-1.x.kafka.eu-west-1.amazonaws.com", IsNotFound: true}
	tests := []struct {
		name      string
		mechanism string
		tlsOn     bool
		err       error
		want      string
	}{
		{"host name mismatch", plan.MechanismTLS, true, x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.1"}, "--tls-server-name"},
		{"expired certificate", plan.MechanismTLS, true, x509.CertificateInvalidError{Cert: &x509.Certificate{}, Reason: x509.Expired}, "expired"},
		{"tls record header", plan.MechanismTLS, true, tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "the port speaks plaintext"},
		{"unresolvable", plan.MechanismIAM, true, dnsErr, "resolve only inside the VPC"},
		{"timeout", plan.MechanismIAM, true, fmt.Errorf("failed to dial: %w", context.DeadlineExceeded), "security groups"},
		{"broker not available", plan.MechanismNone, false, kafka.BrokerNotAvailable, "use --auth tls or port 9092"},
		{"plaintext EOF", plan.MechanismSCRAMSHA512, false, fmt.Errorf("SASL handshake failed: %w", io.EOF), "the port speaks TLS"},
		{"reset during TLS", plan.MechanismTLS, true, syscall.ECONNRESET, "client certificate"},
		{"iam rejected", plan.MechanismIAM, true, kafka.SASLAuthenticationFailed, "kafka-cluster:Connect"},
		{"unknown", plan.MechanismNone, false, errors.New("something else"), ""},
	}
	for _, tt := range tests {
		got := hint("b:1", tt.mechanism, tt.tlsOn, tt.err)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: hint = %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
	e := &Error{Broker: "b:1", Mechanism: plan.MechanismIAM, Hint: "try x", Err: kafka.SASLAuthenticationFailed}
	if !errors.Is(e, kafka.SASLAuthenticationFailed) || !strings.HasPrefix(e.Error(), "auth: connect to b:1 with iam: ") || !strings.HasSuffix(e.Error(), ": try x") {
		t.Errorf("Error() = %q or Unwrap broken", e.Error())
	}
}
