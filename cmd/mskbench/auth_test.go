package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
)

// Known secrets of the CLI authentication tests: none of them may appear
// in any output.
const (
	cliPassword      = "Cli-Scram-Pa55word-7f3c"
	cliWrongPassword = "Other-Guess-91ab"
	cliAccessKey     = "AKIAMSKBENCHCLITEST1"
	cliSecretKey     = "cli/TEST+secret/key0123456789abcdefXYZW"
	cliRegion        = "eu-west-1"
)

// authEnv isolates the test from the machine's AWS configuration and sets
// the known credentials and passwords in the environment.
func authEnv(t *testing.T) {
	t.Helper()
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", cliAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", cliSecretKey)
	t.Setenv("MSKBENCH_TEST_SCRAM_PASSWORD", cliPassword)
	t.Setenv("MSKBENCH_TEST_WRONG_PASSWORD", cliWrongPassword)
}

// Each mechanism runs a scenario end to end through the CLI against an
// in-process cluster that requires it (TLS everywhere, SCRAM users, client
// certificates, IAM tokens verified like MSK does): every message is
// delivered, the result records the mechanism, and no secret shows in
// stdout, stderr or the result file.
func TestRunEachAuthMechanism(t *testing.T) {
	authEnv(t)
	ca := authtest.NewCA(t, "cli test root")
	caFile := authtest.WriteFile(t, "ca.pem", ca.PEM)
	pwFile := authtest.WriteFile(t, "scram-password", []byte(cliPassword+"\n"))
	clientCA := authtest.NewCA(t, "cli client root (Private CA)")
	client := clientCA.Issue(t, "bench-client", false)
	certFile := authtest.WriteFile(t, "client.pem", client.CertPEM)
	keyFile := authtest.WriteFile(t, "client.key", client.KeyPEM)
	secrets := append([]string{cliPassword, cliSecretKey}, keyLines(client.KeyPEM)...)

	for _, tt := range []struct {
		mech     string
		opts     []kfake.Opt
		iam      bool     // install the MSK IAM listener
		scenario []string // the scenario's cluster.auth block
		args     []string
	}{
		{mech: "tls", opts: []kfake.Opt{kfake.TLS(ca.ServerTLS(t))},
			args: []string{"--auth", "tls", "--tls-ca", caFile}},
		// mtls from the scenario's block alone.
		{mech: "mtls", opts: []kfake.Opt{kfake.TLS(authtest.MTLSServer(t, ca, clientCA))},
			scenario: []string{"mechanism: mtls", "tls_ca: " + strconv.Quote(caFile),
				"tls_cert: " + strconv.Quote(certFile), "tls_key: " + strconv.Quote(keyFile)}},
		{mech: "scram-sha-512", opts: append([]kfake.Opt{kfake.TLS(ca.ServerTLS(t))},
			authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-512", Name: "alice", Password: cliPassword})...),
			args: []string{"--auth", "scram-sha-512", "--scram-user", "alice", "--scram-password-env", "MSKBENCH_TEST_SCRAM_PASSWORD", "--tls-ca", caFile}},
		// The scenario names a variable holding a wrong password; the
		// --scram-password-file flag replaces that source.
		{mech: "scram-sha-256", opts: append([]kfake.Opt{kfake.TLS(ca.ServerTLS(t))},
			authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-256", Name: "bob", Password: cliPassword})...),
			scenario: []string{"mechanism: scram-sha-256", "scram_user: bob", "scram_password_env: MSKBENCH_TEST_WRONG_PASSWORD"},
			args:     []string{"--scram-password-file", pwFile, "--tls-ca", caFile}},
		{mech: "iam", opts: []kfake.Opt{kfake.TLS(ca.ServerTLS(t))}, iam: true,
			args: []string{"--auth", "iam", "--aws-region", cliRegion, "--tls-ca", caFile}},
	} {
		for _, client := range authClients {
			t.Run(tt.mech+"/"+client, func(t *testing.T) {
				cluster := embedded.ForTest(t, 1, tt.opts...)
				addr := cluster.Addrs()[0]
				broker := &authtest.IAMBroker{Creds: aws.Credentials{AccessKeyID: cliAccessKey, SecretAccessKey: cliSecretKey}, Region: cliRegion}
				if tt.iam {
					broker.Install(cluster.Kfake())
				}
				out := filepath.Join(t.TempDir(), "result.json")
				args := append([]string{"run", authScenario(t, tt.scenario...), "--brokers", addr, "-q", "-o", out, "--client", client}, tt.args...)
				r := runMain(t, args...)
				if r.code != exitOK {
					t.Fatalf("exit code %d, want 0", r.code)
				}
				res, raw := readAuthResult(t, out, tt.mech)
				assertDelivered(t, res)
				if want := "connected to " + addr + " with " + tt.mech; !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q", want)
				}
				for what, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "result file": string(raw)} {
					assertNoSecret(t, what, text, secrets...)
					for _, token := range []string{"Bearer ", "X-Amz-Signature", "X-Amz-Credential"} {
						if strings.Contains(text, token) {
							t.Errorf("%s contains a piece of an IAM token: %q", what, token)
						}
					}
				}
				if tt.iam {
					// The probe, then the run's own clients (admin, producer,
					// consumer) each authenticated.
					if got := broker.Accepted(); got < 3 {
						t.Errorf("IAM authentications = %d, want the probe and the run's clients (>= 3)", got)
					}
					if got := broker.Rejected(); got != 0 {
						t.Errorf("rejected IAM authentications = %d, want 0", got)
					}
					if res.Connection.Region != cliRegion {
						t.Errorf("result connection.region = %q, want %q", res.Connection.Region, cliRegion)
					}
				}
				if c := res.Steps[0].Client; c == nil || c.Name != client {
					t.Errorf("result step client %+v, want %s", c, client)
				}
				if !strings.Contains(r.stdout, "client "+client) {
					t.Errorf("summary does not name the client %s", client)
				}
			})
		}
	}
}

// authClients are the clients every CLI authentication test runs with:
// both must authenticate every mechanism the same way.
var authClients = []string{"franz-go", "kafka-go"}

// Authentication failures stop the run before any load with exit code 1
// and an error naming the broker, the mechanism and the fix; they come from
// the broker's answer, not from the connect timeout. Secrets stay out.
func TestRunAuthFailures(t *testing.T) {
	authEnv(t)
	ca := authtest.NewCA(t, "cli test root")
	caFile := authtest.WriteFile(t, "ca.pem", ca.PEM)
	secrets := []string{cliPassword, cliWrongPassword, cliSecretKey}

	check := func(t *testing.T, r authRun, out string, wants ...string) {
		t.Helper()
		if r.code != exitFailure {
			t.Errorf("exit code %d, want %d", r.code, exitFailure)
		}
		for _, w := range wants {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("stderr does not contain %q", w)
			}
		}
		for _, w := range []string{"timed out", "deadline exceeded", "i/o timeout"} {
			if strings.Contains(r.stderr, w) {
				t.Errorf("stderr contains %q: the failure should come from the broker's answer, not a timeout", w)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("result file %s exists after a failed connection (stat: %v), want none", out, err)
		}
		assertNoSecret(t, "stdout", r.stdout, secrets...)
		assertNoSecret(t, "stderr", r.stderr, secrets...)
	}

	for _, client := range authClients {
		t.Run("wrong SCRAM password/"+client, func(t *testing.T) {
			cluster := embedded.ForTest(t, 1, append([]kfake.Opt{kfake.TLS(ca.ServerTLS(t))},
				authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-512", Name: "alice", Password: cliPassword})...)...)
			addr := cluster.Addrs()[0]
			out := filepath.Join(t.TempDir(), "result.json")
			r := runMain(t, "run", authScenario(t), "--brokers", addr, "-q", "-o", out, "--connect-timeout", "5s", "--client", client,
				"--auth", "scram-sha-512", "--scram-user", "alice", "--scram-password-env", "MSKBENCH_TEST_WRONG_PASSWORD", "--tls-ca", caFile)
			check(t, r, out, addr, "with scram-sha-512", "wrong SCRAM user or password")
		})
		t.Run("wrong AWS secret key/"+client, func(t *testing.T) {
			t.Setenv("AWS_SECRET_ACCESS_KEY", cliSecretKey+"X")
			cluster := embedded.ForTest(t, 1, kfake.TLS(ca.ServerTLS(t)))
			broker := &authtest.IAMBroker{Creds: aws.Credentials{AccessKeyID: cliAccessKey, SecretAccessKey: cliSecretKey}, Region: cliRegion}
			broker.Install(cluster.Kfake())
			addr := cluster.Addrs()[0]
			out := filepath.Join(t.TempDir(), "result.json")
			r := runMain(t, "run", authScenario(t), "--brokers", addr, "-q", "-o", out, "--connect-timeout", "5s", "--client", client,
				"--auth", "iam", "--aws-region", cliRegion, "--tls-ca", caFile)
			check(t, r, out, addr, "with iam", "IAM token was rejected", "kafka-cluster:Connect")
			assertNoSecret(t, "stderr", r.stderr, cliSecretKey+"X")
			if broker.Rejected() == 0 {
				t.Error("the broker rejected no token")
			}
		})
		t.Run("untrusted certificate/"+client, func(t *testing.T) {
			cluster := embedded.ForTest(t, 1, kfake.TLS(ca.ServerTLS(t)))
			addr := cluster.Addrs()[0]
			out := filepath.Join(t.TempDir(), "result.json")
			r := runMain(t, "run", authScenario(t), "--brokers", addr, "-q", "-o", out, "--connect-timeout", "5s", "--client", client, "--auth", "tls")
			check(t, r, out, addr, "with tls", "unknown authority", "--tls-ca")
		})
		t.Run("client certificate from an unknown CA/"+client, func(t *testing.T) {
			clientCA := authtest.NewCA(t, "cli client root (Private CA)")
			rogue := authtest.NewCA(t, "rogue root").Issue(t, "intruder", false)
			cluster := embedded.ForTest(t, 1, kfake.TLS(authtest.MTLSServer(t, ca, clientCA)))
			addr := cluster.Addrs()[0]
			out := filepath.Join(t.TempDir(), "result.json")
			r := runMain(t, "run", authScenario(t), "--brokers", addr, "-q", "-o", out, "--connect-timeout", "5s", "--client", client,
				"--auth", "mtls", "--tls-ca", caFile, "--tls-cert", authtest.WriteFile(t, "c.pem", rogue.CertPEM),
				"--tls-key", authtest.WriteFile(t, "c.key", rogue.KeyPEM))
			check(t, r, out, addr, "with mtls", "rejected the client certificate")
			assertNoSecret(t, "stderr", r.stderr, keyLines(rogue.KeyPEM)...)
		})
	}
}

// A password written into the scenario is a usage error (exit 2) found
// before anything is dialled, and the message does not repeat it.
func TestRunPlaintextPasswordInScenario(t *testing.T) {
	authEnv(t)
	scen := authScenario(t, "mechanism: scram-sha-512", "scram_user: alice", "scram_password: "+strconv.Quote(cliPassword))
	r := runMain(t, "run", scen, "--brokers", "127.0.0.1:9", "-q")
	if r.code != exitUsage {
		t.Errorf("exit code %d, want %d", r.code, exitUsage)
	}
	for _, want := range []string{"auth.yaml:", "scram_password", "never accepted in plaintext", "scram_password_env"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not contain %q", want)
		}
	}
	assertNoSecret(t, "stderr", r.stderr, cliPassword)
	assertNoSecret(t, "stdout", r.stdout, cliPassword)
}

// --brokers pointing elsewhere than the scenario's cluster does not keep
// the mechanism the scenario chose for its own cluster (iam here, which
// would look for AWS credentials): auto picks one from the new port, and
// stderr says so. --auth keeps it explicitly.
func TestRunBrokersElsewhereRederivesAuth(t *testing.T) {
	authtest.IsolateAWS(t)
	c := embedded.ForTest(t, 1)
	p := filepath.Join(t.TempDir(), "msk.yaml")
	if err := os.WriteFile(p, []byte(`name: msk
cluster:
  brokers: [b-1.bench.abc123.c2.kafka.eu-west-1.amazonaws.com:9098]
  auth: {mechanism: iam, aws_region: eu-west-1, tls: true}
topics: {partitions: 1, replication_factor: 1}
producers: {workers: 1, rate: 200/s, message_size: 100B}
consumers: {groups: 0}
phases: {warmup: 0s, duration: 1s}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runMain(t, "run", p, "--brokers", c.Addrs()[0], "-q")
	if r.code != exitOK {
		t.Fatalf("exit code %d, want 0", r.code)
	}
	for _, want := range []string{"the scenario's mechanism iam is for its own cluster", "give --auth iam to keep it", "connected to " + c.Addrs()[0] + " with none"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not contain %q", want)
		}
	}
	r = runMain(t, "run", p, "--brokers", c.Addrs()[0], "-q", "--auth", "iam", "--tls=false")
	if r.code == exitOK || !strings.Contains(r.stderr, "with iam") && !strings.Contains(r.stderr, "iam:") {
		t.Errorf("--auth iam: exit %d, want a failure with iam (no credentials)", r.code)
	}
}

// SCRAM over TLS, as MSK's port 9096 runs it, with both clients: every
// connection of the run (the probe's included) costs exactly one TLS
// handshake and one SASL authentication at the broker, the result's
// connection.dials counts every one of them, and none is a reconnect — no
// churn. (Issue 8 reported publish p50 357 ms for this combination; it was
// not reproduced, see docs/performance.md: BenchmarkAuthPublishLatency.)
func TestRunSCRAMOverTLSConnections(t *testing.T) {
	authEnv(t)
	ca := authtest.NewCA(t, "cli scram+tls root")
	caFile := authtest.WriteFile(t, "ca.pem", ca.PEM)
	for _, client := range authClients {
		t.Run(client, func(t *testing.T) {
			var peer authtest.PeerCounts
			cluster := embedded.ForTest(t, 1, append([]kfake.Opt{kfake.TLS(peer.CountTLS(ca.ServerTLS(t)))},
				authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-512", Name: "alice", Password: cliPassword})...)...)
			peer.CountSASL(cluster.Kfake())
			addr := cluster.Addrs()[0]
			out := filepath.Join(t.TempDir(), "result.json")
			r := runMain(t, "run", authScenario(t), "--brokers", addr, "-q", "-o", out, "--client", client,
				"--auth", "scram-sha-512", "--scram-user", "alice", "--scram-password-env", "MSKBENCH_TEST_SCRAM_PASSWORD", "--tls-ca", caFile)
			if r.code != exitOK {
				t.Fatalf("exit code %d, want 0", r.code)
			}
			res, _ := readAuthResult(t, out, "scram-sha-512")
			assertDelivered(t, res)
			tlsN, saslN, dials := peer.TLSHandshakes(), peer.SASLHandshakes(), res.Connection.Dials
			t.Logf("%s: %d dials, %d TLS handshakes, %d SASL authentications (%d SASLAuthenticate requests)", client, dials, tlsN, saslN, peer.SASLAuthenticates())
			if tlsN == 0 || saslN != tlsN || peer.SASLAuthenticates() != 2*saslN {
				t.Errorf("%d TLS handshakes, %d SASL handshakes, %d SASLAuthenticate requests; want one SCRAM authentication (two requests) per TLS connection",
					tlsN, saslN, peer.SASLAuthenticates())
			}
			if dials != tlsN {
				t.Errorf("connection.dials = %d, the broker served %d TLS connections: want every connection counted", dials, tlsN)
			}
			if res.Connection.Reconnects != 0 {
				t.Errorf("connection.reconnects = %d, want 0 (no connection churn)", res.Connection.Reconnects)
			}
		})
	}
}
