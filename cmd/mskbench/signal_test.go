package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The first SIGINT cancels the run's context (a graceful stop); signals
// within signalWindow of it are the same signal; a later second one hurries
// the stop; the third prints what is left behind and exits with code 130.
func TestSignalContextSignals(t *testing.T) {
	var mu sync.Mutex
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	ctx, stop := signalContext(syncWriter{&mu, &stderr}, func(code int) { exited <- code })
	defer stop()

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first SIGINT did not cancel the context")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d after one signal", code)
	case <-interruptOf(ctx).hurry:
		t.Fatal("hurried after one signal")
	default:
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(stderr.String(), "send it again to hurry") {
		t.Errorf("stderr %q does not say what a second signal does", stderr.String())
	}
}

// signalAt is a signal received at a given offset from the start of a test.
type signalAt struct {
	at  time.Duration
	sig os.Signal
}

// feed runs interrupt.handle over the signals of seq with a clock that
// reads each signal's offset, and returns what it printed, whether it
// cancelled, hurried and the exit code it called (-1: none).
func feed(t *testing.T, seq []signalAt, last func(io.Writer)) (out string, cancelled, hurried bool, code int) {
	t.Helper()
	in := &interrupt{hurry: make(chan struct{}), last: last}
	sigs := make(chan os.Signal, len(seq))
	var clock []time.Time
	t0 := time.Unix(1_700_000_000, 0)
	for _, s := range seq {
		sigs <- s.sig
		clock = append(clock, t0.Add(s.at))
	}
	close(sigs)
	var stderr bytes.Buffer
	code = -1
	i := 0
	in.handle(sigs, func() time.Time { i++; return clock[i-1] }, &stderr,
		func() { cancelled = true }, func(c int) { code = c })
	select {
	case <-in.hurry:
		hurried = true
	default:
	}
	return stderr.String(), cancelled, hurried, code
}

func TestSignalHandle(t *testing.T) {
	note := func(w io.Writer) { io.WriteString(w, "left: topic mskbench-x-0-0\n") }
	for _, tc := range []struct {
		name                string
		seq                 []signalAt
		cancelled, hurried  bool
		code                int
		wantOut, notWantOut string
	}{
		// GNU timeout signals the process group: two signals 10 ms apart
		// are one stop, not an exit.
		{"two close together", []signalAt{{0, os.Interrupt}, {10 * time.Millisecond, os.Interrupt}},
			true, false, -1, "stopping", "hurrying"},
		{"INT and TERM close together", []signalAt{{0, syscall.SIGTERM}, {time.Millisecond, os.Interrupt}},
			true, false, -1, "stopping", "hurrying"},
		{"a second after the window hurries", []signalAt{{0, os.Interrupt}, {signalWindow, os.Interrupt}},
			true, true, -1, "hurrying", "exiting"},
		// The window counts from the last signal counted.
		{"bursts", []signalAt{{0, os.Interrupt}, {400 * time.Millisecond, os.Interrupt},
			{600 * time.Millisecond, os.Interrupt}, {700 * time.Millisecond, os.Interrupt}},
			true, true, -1, "hurrying", "exiting"},
		{"a third exits naming what is left", []signalAt{{0, os.Interrupt}, {time.Second, os.Interrupt},
			{2 * time.Second, os.Interrupt}}, true, true, exitSignal, "left: topic mskbench-x-0-0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, cancelled, hurried, code := feed(t, tc.seq, note)
			if cancelled != tc.cancelled || hurried != tc.hurried || code != tc.code {
				t.Errorf("cancelled %t hurried %t exit %d, want %t %t %d", cancelled, hurried, code, tc.cancelled, tc.hurried, tc.code)
			}
			if !strings.Contains(out, tc.wantOut) || tc.notWantOut != "" && strings.Contains(out, tc.notWantOut) {
				t.Errorf("stderr %q: want %q and not %q", out, tc.wantOut, tc.notWantOut)
			}
		})
	}
}

// A context signalContext did not build is never hurried.
func TestInterruptOfPlainContext(t *testing.T) {
	select {
	case <-interruptOf(context.Background()).hurry:
		t.Error("a plain context is hurried")
	default:
	}
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// What a run leaves is named with the command that removes it: the run id,
// the brokers, and the prefix when it is not the default.
func TestLeftoverNote(t *testing.T) {
	var b bytes.Buffer
	(&leftoverNote{lo: fixedLeftovers{}, runID: "x1", prefix: "mskbench-"}).print(&b)
	if b.Len() != 0 {
		t.Errorf("nothing left: printed %q", b.String())
	}
	lo := fixedLeftovers{[]string{"mskbench-tpdaui3013-0-0"}, []string{"mskbench-tpdaui3013-0-g0"}}
	for _, tc := range []struct {
		note *leftoverNote
		want []string
	}{
		{&leftoverNote{lo: lo, runID: "tpdaui3013", prefix: "mskbench-", brokers: []string{"b-1:9098", "b-2:9098"}},
			[]string{"left on the cluster: topics mskbench-tpdaui3013-0-0; consumer groups mskbench-tpdaui3013-0-g0",
				"mskbench clean --brokers b-1:9098,b-2:9098 --run-id tpdaui3013 --yes"}},
		{&leftoverNote{lo: lo, runID: "x1", prefix: "bench."}, []string{"mskbench clean --prefix bench. --run-id x1 --yes"}},
		{&leftoverNote{lo: lo, runID: "x1", prefix: "mskbench-", embedded: true},
			[]string{"left on the embedded cluster (it ends with this process): topics mskbench-tpdaui3013-0-0"}},
	} {
		b.Reset()
		tc.note.print(&b)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("printed %q, want %q", b.String(), w)
			}
		}
	}
}

type fixedLeftovers struct{ topics, groups []string }

func (f fixedLeftovers) Topics() []string { return f.topics }
func (f fixedLeftovers) Groups() []string { return f.groups }
