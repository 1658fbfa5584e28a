package main

import (
	"bytes"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The first SIGINT cancels the run's context (a graceful stop); the second
// exits at once with code 130.
func TestSignalContextSecondSignalExits(t *testing.T) {
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
	default:
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != exitSignal {
			t.Errorf("exit code %d, want %d", code, exitSignal)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second SIGINT did not exit")
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Contains(stderr.Bytes(), []byte("send it again to exit at once")) {
		t.Errorf("stderr %q does not say how to exit at once", stderr.String())
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
