package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/report"
)

// readOnlyDir returns a directory this process cannot create files in: a
// 0555 temporary directory, or as root (whom permissions do not stop) /sys,
// which refuses new files to everyone.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		d := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(d, 0o555); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if f, err := os.CreateTemp("/sys", "mskbench-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("running as root and /sys accepts files: no read-only directory to test with")
	}
	return "/sys"
}

// An output that cannot be written is found before any load: exit 2 with
// the flag, the path and the reason, no topic created, nothing run.
func TestRunOutputCheckedBeforeLoad(t *testing.T) {
	c := embedded.ForTest(t, 3)
	brokers := strings.Join(c.Addrs(), ",")
	dir := t.TempDir()
	for _, tt := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"missing directory", []string{"-o", filepath.Join(dir, "no", "such", "r.json")},
			[]string{"-o " + filepath.Join(dir, "no", "such", "r.json"), "no such file or directory"}},
		{"read-only directory", []string{"-o", filepath.Join(readOnlyDir(t), "r.json")},
			[]string{"cannot be written", "cannot create a file in"}},
		{"a directory", []string{"-o", dir}, []string{"is a directory"}},
		{"memory profile in a missing directory", []string{"--memprofile", filepath.Join(dir, "no", "heap.pb.gz")},
			[]string{"--memprofile", "no such file or directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "quickstart", "--brokers", brokers, "-q", "--duration", "1s", "--warmup", "0s"}, tt.args...)
			r := runMain(t, args...)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d", r.code, exitUsage)
			}
			for _, w := range append(tt.wants, "nothing was run") {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q", w)
				}
			}
			if strings.Contains(r.stderr, "connected to") || strings.Contains(r.stderr, "created topics") {
				t.Errorf("the run reached the cluster before refusing its output")
			}
			if n := len(clusterTopics(t, c.Addrs())); n != 0 {
				t.Errorf("%d topics on the cluster, want none", n)
			}
		})
	}
}

// When the result file cannot be written at the end (a full disk:
// /dev/full), the summary is printed anyway, the result is saved to
// $TMPDIR/mskbench-<runid>.json, the error names it, and the exit code is 1.
func TestRunLateWriteFailureFallsBack(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := runMain(t, "run", "quickstart", "-q", "--duration", "1s", "--warmup", "0s", "-o", "/dev/full")
	if r.code != exitFailure {
		t.Errorf("exit code %d, want %d", r.code, exitFailure)
	}
	if !strings.Contains(r.stdout, "PUB p99") {
		t.Errorf("no summary on stdout:\n%s", r.stdout)
	}
	matches, _ := filepath.Glob(filepath.Join(tmp, "mskbench-*.json"))
	if len(matches) != 1 {
		t.Fatalf("fallback files %v, want one in %s", matches, tmp)
	}
	if !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "saved to "+matches[0]) {
		t.Errorf("stderr does not give the reason and the fallback path %s", matches[0])
	}
	res, err := report.ReadFile(matches[0])
	if err != nil || len(res.Steps) != 1 || res.Steps[0].Counters.Acked == 0 {
		t.Errorf("fallback result %v, %v: want the measured step", res, err)
	}
}

// A profile that cannot be written is an error (exit 1) reported after
// the result file was saved; it was silently truncated with exit 0.
func TestRunProfileWriteFailure(t *testing.T) {
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		t.Run(flag, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			r := runMain(t, "run", "quickstart", "-q", "--duration", "1s", "--warmup", "0s", "-o", out, flag, "/dev/full")
			if r.code != exitFailure {
				t.Errorf("exit code %d, want %d", r.code, exitFailure)
			}
			if !strings.Contains(r.stderr, flag+" /dev/full") || !strings.Contains(r.stderr, "no space left on device") {
				t.Errorf("stderr does not name %s /dev/full and the reason", flag)
			}
			if _, err := report.ReadFile(out); err != nil {
				t.Errorf("result file: %v, want it written before the profile error", err)
			}
		})
	}
}

// Every command that prints its product on stdout fails with exit 1 and
// the reason when stdout cannot be written (/dev/full).
func TestStdoutWriteErrors(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	result := filepath.Join("testdata", "size", "result.json")
	for _, args := range [][]string{
		{"validate", "quickstart"},
		{"scenarios"},
		{"scenarios", "show", "quickstart"},
		{"version"},
		{"report", result},
		{"report", result, "--format", "csv"},
		{"report", result, "--format", "html"},
		{"size", "--ingress", "10MiB/s"},
		{"help"},
		{"completion", "bash"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, full, &stderr)
		code := exitCode(err, &stderr)
		if code != exitFailure || !strings.Contains(stderr.String(), "no space left on device") {
			t.Errorf("mskbench %s > /dev/full: exit %d, stderr %q; want exit 1 with the reason", strings.Join(args, " "), code, stderr.String())
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// SIGINT while the initial connection waits for a peer that accepts TCP and
// never answers ends the run at once with exit code 130 and a result file
// marked partial, whatever --connect-timeout (an hour here: a wait for it
// is caught by the test's own deadline).
func TestRunInterruptedWhileConnecting(t *testing.T) {
	addr := authtest.SilentPeer(t)
	out := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		err := run(ctx, []string{"run", "quickstart", "--brokers", addr, "-q", "-o", out, "--connect-timeout", "1h"}, &stdout, &stderr)
		done <- exitCode(err, &stderr)
	}()
	for !strings.Contains(stderr.String(), "connecting to "+addr) {
		select {
		case code := <-done:
			t.Fatalf("run ended with %d before connecting:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel() // what the first SIGINT does (signalContext)
	code := <-done
	if code != exitSignal {
		t.Errorf("exit code %d, want %d\n%s", code, exitSignal, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted while connecting") {
		t.Errorf("stderr does not say the run was interrupted while connecting:\n%s", stderr.String())
	}
	res, err := report.ReadFile(out)
	if err != nil || !res.Partial || len(res.Steps) != 0 {
		t.Errorf("result %+v, %v: want a partial result with no steps", res, err)
	}
}

// --debug-addr without a host listens on loopback only and says where,
// port included (":0" picked a port on every interface and never said
// which).
func TestServeDebugLoopback(t *testing.T) {
	var logs []string
	stop, err := serveDebug(":0", func(format string, a ...any) { logs = append(logs, fmt.Sprintf(format, a...)) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if len(logs) != 1 {
		t.Fatalf("log lines %q, want one naming the address", logs)
	}
	addr, ok := strings.CutPrefix(logs[0], "debug: pprof at http://")
	addr, _, _ = strings.Cut(addr, "/")
	host, port, err := net.SplitHostPort(addr)
	if !ok || err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("log %q: want http://127.0.0.1:PORT/debug/pprof/", logs[0])
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /debug/pprof/: %s", resp.Status)
	}
}
