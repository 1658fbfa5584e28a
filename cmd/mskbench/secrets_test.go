package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
)

// The planted secrets of TestSecretsNeverLeave: each is distinctive, so
// that finding one anywhere is a leak.
const (
	plantedPassword  = "Plant3d-Scram-Secr3t-91f7"
	plantedConfig    = "Plant3d-Truststore-Secr3t-2c4e"
	plantedJAAS      = "Plant3d-Jaas-Secr3t-77aa"
	plantedAccessKey = "AKIAPLANTEDSECRET0042"
	plantedSecretKey = "Plant3d/Aws+Secret/Key0123456789abcdefXYZ"
	plantedToken     = "Plant3dSessionTokenSecr3tFQoGZXIvYXdzEJr"
)

var planted = []string{plantedPassword, plantedConfig, plantedJAAS, plantedAccessKey, plantedSecretKey, plantedToken}

// One distinctive secret in every place a user might put one — the SCRAM
// password in an environment variable and in a file, a topic config
// (ssl.truststore.password), a JAAS config (sasl.jaas.config … password="…"),
// the AWS access key, secret key and session token in the environment —
// and none of them in any output: stdout, stderr, the result file, the
// HTML page, the CSV, validate's output and every error, on success and on
// failure (wrong password, unreachable broker, an AWS endpoint that echoes
// the request in its error).
func TestSecretsNeverLeave(t *testing.T) {
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", plantedAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", plantedSecretKey)
	t.Setenv("AWS_SESSION_TOKEN", plantedToken)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("MSKBENCH_PLANTED_PW", plantedPassword)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(plantedPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := authtest.NewCA(t, "secrets root")
	caFile := authtest.WriteFile(t, "ca.pem", ca.PEM)
	scenario := func(source string) string {
		p := filepath.Join(t.TempDir(), "secrets.yaml")
		src := `name: secrets
cluster:
  auth:
    mechanism: scram-sha-512
    scram_user: alice
    ` + source + `
    tls_ca: ` + strconv.Quote(caFile) + `
topics:
  partitions: 1
  replication_factor: 1
  configs:
    retention.ms: "3600000"
    ssl.truststore.password: ` + plantedConfig + `
    sasl.jaas.config: 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + plantedJAAS + `";'
producers: {workers: 1, rate: 200/s, message_size: 100B}
consumers: {groups: 1, per_group: 1}
phases: {warmup: 0s, duration: 1s, drain_timeout: 10s}
`
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withEnv := scenario("scram_password_env: MSKBENCH_PLANTED_PW")
	withFile := scenario("scram_password_file: " + strconv.Quote(pwFile))
	scramCluster := func(password string) string {
		c := embedded.ForTest(t, 1, append([]kfake.Opt{kfake.TLS(ca.ServerTLS(t))},
			authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-512", Name: "alice", Password: password})...)...)
		return c.Addrs()[0]
	}
	check := func(t *testing.T, what, text string) {
		t.Helper()
		assertNoSecret(t, what, text, planted...)
	}
	checkRun := func(t *testing.T, r authRun) {
		t.Helper()
		check(t, "stdout", r.stdout)
		check(t, "stderr", r.stderr)
	}
	checkFile := func(t *testing.T, name string) {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		check(t, name, string(b))
	}

	t.Run("success", func(t *testing.T) {
		addr := scramCluster(plantedPassword)
		for _, scen := range []string{withEnv, withFile} {
			out := filepath.Join(t.TempDir(), "r.json")
			r := runMain(t, "run", scen, "--brokers", addr, "-q", "-o", out, "--set", "topics.configs.ssl.keystore.password="+plantedConfig)
			if r.code != exitOK {
				t.Fatalf("exit %d, want 0", r.code)
			}
			checkRun(t, r)
			checkFile(t, out)
			raw, _ := os.ReadFile(out)
			if !strings.Contains(string(raw), "REDACTED") || !strings.Contains(string(raw), "retention.ms") {
				t.Errorf("the result file holds no redacted config (or lost retention.ms)")
			}
			for _, format := range []string{"table", "html", "csv"} {
				r := runMain(t, "report", out, "--format", format)
				if r.code != exitOK {
					t.Errorf("report --format %s: exit %d", format, r.code)
				}
				checkRun(t, r)
			}
		}
		r := runMain(t, "validate", withEnv, "--brokers", addr, "--set", "topics.configs.ssl.key.password="+plantedConfig)
		if r.code != exitOK || !strings.Contains(r.stdout, "ssl.truststore.password=REDACTED") {
			t.Errorf("validate: exit %d, want 0 and the configs shown redacted:\n%s", r.code, r.stdout)
		}
		checkRun(t, r)
	})
	t.Run("wrong password", func(t *testing.T) {
		addr := scramCluster("a-different-password")
		out := filepath.Join(t.TempDir(), "r.json")
		r := runMain(t, "run", withEnv, "--brokers", addr, "-q", "-o", out, "--connect-timeout", "5s")
		if r.code != exitFailure || !strings.Contains(r.stderr, "wrong SCRAM user or password") {
			t.Errorf("exit %d, want 1 with the authentication failure", r.code)
		}
		checkRun(t, r)
	})
	t.Run("unreachable broker", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.json")
		r := runMain(t, "run", withFile, "--brokers", closedAddrCLI(t), "-q", "-o", out, "--connect-timeout", "2s")
		if r.code != exitFailure {
			t.Errorf("exit %d, want 1", r.code)
		}
		checkRun(t, r)
	})
	t.Run("AWS error echoing the request", func(t *testing.T) {
		// Secrets Manager on loopback answers with an error that quotes
		// the request's Authorization header and security token.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			msg := strconv.Quote("bad request: " + r.Header.Get("Authorization") + " token " + r.Header.Get("X-Amz-Security-Token"))
			w.Write([]byte(`{"__type":"InvalidRequestException","message":` + msg + `}`))
		}))
		defer srv.Close()
		t.Setenv("AWS_ENDPOINT_URL", srv.URL)
		scen := scenario("scram_secret_arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_bench")
		r := runMain(t, "run", scen, "--brokers", closedAddrCLI(t), "-q", "--connect-timeout", "2s")
		if r.code != exitFailure || !strings.Contains(r.stderr, "Secrets Manager") {
			t.Errorf("exit %d, want 1 naming Secrets Manager", r.code)
		}
		checkRun(t, r)
	})
}

// closedAddrCLI returns a loopback address nothing listens on.
func closedAddrCLI(t *testing.T) string {
	t.Helper()
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
