package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/report"
)

// authRun is what one `mskbench` invocation left behind.
type authRun struct {
	stdout, stderr string // stderr ends with the error line main prints
	code           int    // the exit code main would exit with
}

// runMain runs the CLI the way main does: run, then exitCode (which prints
// the error to stderr).
func runMain(t *testing.T, args ...string) authRun {
	t.Helper()
	var o, e bytes.Buffer
	err := run(context.Background(), args, &o, &e)
	code := exitCode(err, &e)
	t.Logf("mskbench %s: exit %d\nstderr:\n%s", strings.Join(args, " "), code, e.String())
	return authRun{stdout: o.String(), stderr: e.String(), code: code}
}

// authScenario writes a small scenario for a one-broker cluster (the brokers
// come from --brokers) with the given `cluster: auth:` block lines (each
// "key: value"; none for no block) and returns its path.
func authScenario(t *testing.T, authLines ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: auth-e2e\n")
	if len(authLines) > 0 {
		b.WriteString("cluster:\n  auth:\n")
		for _, l := range authLines {
			b.WriteString("    " + l + "\n")
		}
	}
	b.WriteString(`topics: {count: 1, partitions: 2, replication_factor: 1}
producers: {workers: 1, rate: 200/s, message_size: 100B}
consumers: {groups: 1, per_group: 1}
phases: {warmup: 0s, duration: 1s, drain_timeout: 10s}
`)
	p := filepath.Join(t.TempDir(), "auth.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// secretForms returns secret and the encodings under which it could leak
// unnoticed: base64 (standard and URL, padded or not) and hex.
func secretForms(secret string) []string {
	b := []byte(secret)
	return []string{secret,
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b)}
}

// assertNoSecret fails the test when text (named what) contains any form of
// any of secrets.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			if strings.Contains(text, form) {
				t.Errorf("%s contains the secret %q (as %q)", what, s, form)
			}
		}
	}
}

// keyLines returns the base64 body lines of a PEM private key: none of them
// may appear in any output.
func keyLines(keyPEM []byte) []string {
	var out []string
	for _, l := range strings.Split(string(keyPEM), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

// readAuthResult reads a result file and checks that its
// connection.mechanism field (in the JSON, not only in the Go struct) is
// mech. It returns the result and the file's bytes.
func readAuthResult(t *testing.T, path, mech string) (*report.Result, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("result file: %v", err)
	}
	var doc struct {
		Connection struct {
			Mechanism string `json:"mechanism"`
		} `json:"connection"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("result file is not JSON: %v", err)
	}
	if doc.Connection.Mechanism != mech {
		t.Errorf("result connection.mechanism = %q, want %q", doc.Connection.Mechanism, mech)
	}
	res, err := report.ReadFile(path)
	if err != nil {
		t.Fatalf("read result: %v", err)
	}
	return res, raw
}

// assertDelivered checks that every step of res acked messages and consumed
// exactly those.
func assertDelivered(t *testing.T, res *report.Result) {
	t.Helper()
	if len(res.Steps) == 0 {
		t.Fatal("result has no steps")
	}
	for i, st := range res.Steps {
		if st.Counters.Acked == 0 || st.Counters.Consumed != st.Counters.Acked {
			t.Errorf("step %d: acked %d, consumed %d; want equal and > 0", i, st.Counters.Acked, st.Counters.Consumed)
		}
	}
}
