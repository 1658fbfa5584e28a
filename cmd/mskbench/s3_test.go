package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mskbench/mskbench/report"
)

// fakeS3 is a loopback S3 endpoint that keeps the objects PUT to it (path
// style), checking that requests are signed with the static test key.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	auth    []string
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "only PUT", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		body = unchunk(body)
	}
	f.mu.Lock()
	f.objects[r.URL.Path] = body
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("ETag", `"x"`)
}

// unchunk decodes an aws-chunked body (size;chunk-signature\r\n data \r\n
// ... 0\r\n trailers).
func unchunk(b []byte) []byte {
	var out []byte
	rd := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return out
		}
		hex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(hex, 16, 64)
		if err != nil || n == 0 {
			return out
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(rd, chunk); err != nil {
			return out
		}
		out = append(out, chunk...)
		_, _ = rd.ReadString('\n')
	}
}

// TestRunOutputS3: -o s3://bucket/key uploads the result through the AWS
// SDK's S3 client (static credentials, a loopback endpoint), and what
// arrives decodes as the run's result.
func TestRunOutputS3(t *testing.T) {
	f := &fakeS3{objects: map[string][]byte{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"run", "quickstart", "-q", "--duration", "1s", "--warmup", "0s", "-o", "s3://results/runs/r1.json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	body, ok := f.objects["/results/runs/r1.json"]
	if !ok {
		t.Fatalf("objects %v, want /results/runs/r1.json; stderr:\n%s", f.objects, stderr.String())
	}
	if len(f.auth) != 1 || !strings.Contains(f.auth[0], "Credential=AKIDTEST/") {
		t.Errorf("authorization %q, want a SigV4 signature with the static key", f.auth)
	}
	res, err := report.Decode(bytes.NewReader(body))
	if err != nil || len(res.Steps) != 1 || res.Steps[0].Counters.Acked == 0 {
		t.Fatalf("uploaded result %v (%v), want one step with acked messages", res, err)
	}
	if !strings.Contains(stderr.String(), "result written to s3://results/runs/r1.json") {
		t.Errorf("stderr does not say where the result went:\n%s", stderr.String())
	}
}

// TestParseS3: bucket and key, and the destinations refused before a run.
func TestParseS3(t *testing.T) {
	if b, k, err := parseS3("s3://bkt/a/b.json"); err != nil || b != "bkt" || k != "a/b.json" {
		t.Errorf("parseS3 = %q %q %v", b, k, err)
	}
	for _, bad := range []string{"s3://", "s3://bkt", "s3://bkt/", "s3://bkt/dir/"} {
		if _, _, err := parseS3(bad); err == nil {
			t.Errorf("parseS3(%q) succeeded", bad)
		}
	}
}
