package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// probeClients are the clients every probe test runs with: both must
// authenticate every mechanism and explain every failure the same way.
var probeClients = []plan.Client{plan.ClientFranzGo, plan.ClientKafkaGo}

// connectErr runs Connect with each of probeClients, expects an *Error
// and checks that its message contains every want. It returns the error
// of the last client.
func connectErr(t *testing.T, cfg Config, wants ...string) *Error {
	t.Helper()
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	var ae *Error
	for _, cl := range probeClients {
		cfg.Client = cl
		c, err := Connect(context.Background(), cfg, t.Logf)
		if err == nil {
			t.Fatalf("%s: Connect(%s) = %v, want an error", cl, cfg.Mechanism, c)
		}
		t.Logf("%s: error: %v", cl, err)
		if !errors.As(err, &ae) {
			t.Fatalf("%s: Connect error %q (%T) is not an *auth.Error", cl, err, err)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Connect error %q does not contain %q", cl, err, w)
			}
		}
	}
	return ae
}

// mustConnect runs Connect with each of probeClients and returns the Conn
// of the last.
func mustConnect(t *testing.T, cfg Config) *Conn {
	t.Helper()
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	var c *Conn
	for _, cl := range probeClients {
		cfg.Client = cl
		var err error
		if c, err = Connect(context.Background(), cfg, t.Logf); err != nil {
			t.Fatalf("%s: Connect(%s): %v", cl, cfg.Mechanism, err)
		}
	}
	return c
}

func TestTLS(t *testing.T) {
	ca := authtest.NewCA(t, "test root")
	cluster := embedded.ForTest(t, 1, kfake.TLS(ca.ServerTLS(t)))
	caFile := authtest.WriteFile(t, "ca.pem", ca.PEM)
	addr := cluster.Addrs()[0]

	c := mustConnect(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismTLS, TLSCAFile: caFile}})
	if c.TLS == nil || c.TLS.MinVersion != tls.VersionTLS12 || c.SASL != nil || c.Mechanism != plan.MechanismTLS {
		t.Errorf("conn = %v, want TLS >= 1.2 without SASL", c)
	}

	t.Run("without the CA", func(t *testing.T) {
		e := connectErr(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismTLS}}, addr, "with tls", "--tls-ca", "unknown authority")
		var unknown x509.UnknownAuthorityError
		if !errors.As(e, &unknown) {
			t.Errorf("error %v does not wrap x509.UnknownAuthorityError", e)
		}
	})
	t.Run("insecure skip verify warns", func(t *testing.T) {
		var logs logRecorder
		c, err := Connect(context.Background(), Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismTLS, TLSInsecureSkipVerify: true}}, logs.logf)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "verification is disabled") {
			t.Errorf("Warnings = %q, want the insecure warning", c.Warnings)
		}
		if !strings.Contains(logs.String(), "warning: TLS certificate verification is disabled") {
			t.Errorf("log %q lacks the warning", logs.String())
		}
	})
	t.Run("plaintext client on the TLS port", func(t *testing.T) {
		connectErr(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismNone}}, addr, "the port speaks TLS: use --auth tls or port 9092")
	})
}

// TLS against a plaintext Kafka port: the broker reads the ClientHello as
// the start of a huge request and never answers. The handshake has its own
// bound (tlsHandshakeTimeout), so the probe fails well before a long dial
// timeout, and says the port speaks plaintext.
func TestTLSClientOnPlaintextPort(t *testing.T) {
	cluster := embedded.ForTest(t, 1)
	addr := cluster.Addrs()[0]
	const dialTimeout = 2 * time.Minute
	start := time.Now()
	connectErr(t, Config{Brokers: []string{addr}, DialTimeout: dialTimeout, Auth: plan.Auth{Mechanism: plan.MechanismTLS}}, addr,
		"first record does not look like a TLS handshake", "the port speaks plaintext", "--auth none")
	if took := time.Since(start); took >= dialTimeout {
		t.Errorf("Connect took %v: it waited for the dial timeout (%v) instead of the TLS handshake bound", took, dialTimeout)
	}
	// A plaintext client on a plaintext port works.
	c := mustConnect(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismNone}})
	if c.TLS != nil {
		t.Errorf("plaintext conn has TLS config")
	}
}

func TestMTLS(t *testing.T) {
	serverCA := authtest.NewCA(t, "server root")
	clientCA := authtest.NewCA(t, "client root (Private CA)")
	stc := authtest.MTLSServer(t, serverCA, clientCA)
	cluster := embedded.ForTest(t, 1, kfake.TLS(stc))
	addr := cluster.Addrs()[0]
	caFile := authtest.WriteFile(t, "ca.pem", serverCA.PEM)

	leaf := clientCA.Issue(t, "bench-client", false)
	certPEM, keyPEM := leaf.CertPEM, leaf.KeyPEM
	c := mustConnect(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismMTLS, TLSCAFile: caFile, TLSCertFile: authtest.WriteFile(t, "client.pem", certPEM), TLSKeyFile: authtest.WriteFile(t, "client.key", keyPEM)}})
	if c.Mechanism != plan.MechanismMTLS || len(c.TLS.Certificates) != 1 {
		t.Errorf("conn = %v, want mtls with one client certificate", c)
	}

	t.Run("unknown client certificate", func(t *testing.T) {
		rogue := authtest.NewCA(t, "rogue root")
		leaf := rogue.Issue(t, "intruder", false)
		certPEM, keyPEM := leaf.CertPEM, leaf.KeyPEM
		connectErr(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismMTLS, TLSCAFile: caFile, TLSCertFile: authtest.WriteFile(t, "c.pem", certPEM), TLSKeyFile: authtest.WriteFile(t, "c.key", keyPEM)}},
			addr, "with mtls", "rejected the client certificate", "--tls-cert is not issued by a CA the cluster trusts")
	})
	t.Run("no client certificate", func(t *testing.T) {
		connectErr(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismTLS, TLSCAFile: caFile}},
			addr, "with tls", "requires a client certificate: use --auth mtls")
	})
}

func TestSCRAM(t *testing.T) {
	const password = "s3cret-Pa55word!"
	cluster := embedded.ForTest(t, 1, kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", "alice", password),
		kfake.Superuser("SCRAM-SHA-256", "bob", password))
	addr := cluster.Addrs()[0]
	t.Setenv("MSKBENCH_TEST_PASSWORD", password)
	t.Setenv("MSKBENCH_TEST_WRONG", "not-the-password")

	for _, tt := range []struct {
		mech, user string
	}{
		{plan.MechanismSCRAMSHA512, "alice"},
		{plan.MechanismSCRAMSHA256, "bob"},
	} {
		t.Run(tt.mech, func(t *testing.T) {
			cfg := Config{Brokers: []string{addr}, DialTimeout: 5 * time.Second, Auth: plan.Auth{Mechanism: tt.mech, TLS: boolPtr(false), SCRAMUser: tt.user, SCRAMPasswordEnv: "MSKBENCH_TEST_PASSWORD"}}
			for _, cl := range probeClients {
				var logs logRecorder
				cfg.Client = cl
				c, err := Connect(context.Background(), cfg, logs.logf)
				if err != nil {
					t.Fatalf("%s: Connect: %v", cl, err)
				}
				if c.SASL == nil || c.SASL.Name() != strings.ToUpper(tt.mech) || c.FranzSASL == nil || c.FranzSASL.Name() != strings.ToUpper(tt.mech) {
					t.Errorf("%s: SASL = %v, franz-go %v, want %s for both clients", cl, c.SASL, c.FranzSASL, strings.ToUpper(tt.mech))
				}
				if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "without TLS") {
					t.Errorf("%s: Warnings = %q, want the no-TLS warning", cl, c.Warnings)
				}
			}

			cfg.SCRAMPasswordEnv = "MSKBENCH_TEST_WRONG"
			connectErr(t, cfg, addr, "with "+tt.mech, "SASL Authentication Failed", "wrong SCRAM user or password")
		})
	}
	t.Run("password file", func(t *testing.T) {
		mustConnect(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, TLS: boolPtr(false), SCRAMUser: "alice", SCRAMPasswordFile: authtest.WriteFile(t, "pw", []byte(password+"\n"))}})
	})
	t.Run("mechanism not offered", func(t *testing.T) {
		// kfake offers PLAIN and SCRAM; OAUTHBEARER is refused in the handshake.
		authtest.IsolateAWS(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
		t.Setenv("AWS_REGION", "us-east-1")
		connectErr(t, Config{Brokers: []string{addr}, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false)}},
			addr, "with iam", "does not offer this SASL mechanism")
	})
	t.Run("SCRAM client without TLS config on a SCRAM cluster with TLS", func(t *testing.T) {
		ca := authtest.NewCA(t, "root")
		tlsCluster := embedded.ForTest(t, 1, kfake.TLS(ca.ServerTLS(t)), kfake.EnableSASL(),
			kfake.Superuser("SCRAM-SHA-512", "alice", password))
		a := tlsCluster.Addrs()[0]
		connectErr(t, Config{Brokers: []string{a}, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, TLS: boolPtr(false), SCRAMUser: "alice", SCRAMPasswordEnv: "MSKBENCH_TEST_PASSWORD"}}, a, "the port speaks TLS: turn TLS on")
		mustConnect(t, Config{Brokers: []string{a}, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, TLSCAFile: authtest.WriteFile(t, "ca.pem", ca.PEM), SCRAMUser: "alice", SCRAMPasswordEnv: "MSKBENCH_TEST_PASSWORD"}})
	})
}

func TestConnectionRefusedListsAddresses(t *testing.T) {
	a, b := closedAddr(t), closedAddr(t)
	e := connectErr(t, Config{Brokers: []string{a, b}, Auth: plan.Auth{Mechanism: plan.MechanismNone}}, a, b, "connection refused")
	if e.Broker != a+", "+b {
		t.Errorf("Broker = %q, want both addresses", e.Broker)
	}
}

func TestNextBrokerAfterNetworkError(t *testing.T) {
	cluster := embedded.ForTest(t, 1)
	var logs logRecorder
	_, err := Connect(context.Background(), Config{Brokers: []string{closedAddr(t), cluster.Addrs()[0]}}, logs.logf)
	if err != nil {
		t.Fatalf("Connect with one dead bootstrap broker: %v", err)
	}
	if !strings.Contains(logs.String(), "auto chose none") || !strings.Contains(logs.String(), "connected to "+cluster.Addrs()[0]) {
		t.Errorf("log %q lacks the auto choice or the connected broker", logs.String())
	}
}

// Cancelling the context while the probe waits for a peer that accepts TCP
// and never answers ends Connect at once with a context.Canceled error,
// whatever the dial timeout (an hour here: the test's own deadline would
// catch a wait for it), for plaintext and TLS alike.
func TestConnectHonoursCancel(t *testing.T) {
	for _, mech := range []string{plan.MechanismNone, plan.MechanismTLS} {
		t.Run(mech, func(t *testing.T) {
			addr := authtest.SilentPeer(t)
			ctx, cancel := context.WithCancel(context.Background())
			var logs logRecorder
			logf := func(format string, args ...any) {
				logs.logf(format, args...)
				if strings.Contains(fmt.Sprintf(format, args...), "connecting to") {
					// Shortly after: the probe is then waiting for the peer.
					time.AfterFunc(100*time.Millisecond, cancel)
				}
			}
			_, err := Connect(ctx, Config{Brokers: []string{addr}, DialTimeout: time.Hour, Auth: plan.Auth{Mechanism: mech}}, logf)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Connect error %v, want context.Canceled\nlog:\n%s", err, logs.String())
			}
		})
	}
}

// A password SASLprep refuses (a tab, a control character, an emoji from
// an unassigned block) is a usage error in our words; the SCRAM library's
// message, which quotes the password, never reaches the caller.
func TestSCRAMPasswordRefusedBySASLprep(t *testing.T) {
	for _, pw := range []string{"Tab\tLeak-Me-7", "Ctl\x07Leak-Me-8", "Emoji\U000E0001Leak-Me-9"} {
		t.Setenv("MSKBENCH_TEST_PREP", pw)
		var logs logRecorder
		_, err := Connect(context.Background(), Config{Brokers: []string{closedAddr(t)}, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512,
			TLS: boolPtr(false), SCRAMUser: "alice", SCRAMPasswordEnv: "MSKBENCH_TEST_PREP"}}, logs.logf)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("password %q: error %v (%T), want a *ConfigError", pw, err, err)
		}
		for _, what := range []string{err.Error(), logs.String()} {
			if strings.Contains(what, "Leak-Me") {
				t.Errorf("password %q leaks: %s", pw, what)
			}
		}
		if !strings.Contains(err.Error(), "SASLprep") || !strings.Contains(err.Error(), `user "alice"`) {
			t.Errorf("error %q does not say SASLprep refused the password of alice", err)
		}
	}
}
