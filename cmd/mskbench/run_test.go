package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/report"
)

// clusterTopics lists the topics of the cluster at addrs.
func clusterTopics(t *testing.T, addrs []string) map[string]int {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: 10 * time.Second}
	md, err := c.Metadata(context.Background(), &kafka.MetadataRequest{})
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	out := map[string]int{}
	for _, tp := range md.Topics {
		out[tp.Name] = len(tp.Partitions)
	}
	return out
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

// A 3-value sweep runs 3 steps, each on fresh topics of the swept partition
// count, and deletes every topic it created.
func TestRunSweepFreshTopicsDeleted(t *testing.T) {
	c := embedded.ForTest(t, 3)
	dir := t.TempDir()
	scen := filepath.Join(dir, "sweep.yaml")
	if err := os.WriteFile(scen, []byte(`name: sweep-test
topics: {count: 1, replication_factor: 3}
producers: {workers: 1, rate: 500/s, message_size: 200B}
consumers: {groups: 1, per_group: 1}
phases: {warmup: 0s, duration: 1s, drain_timeout: 5s}
sweep:
  partitions: [1, 3, 5]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	_, stderr, err := runCLI(t, "run", scen, "--brokers", strings.Join(c.Addrs(), ","), "-q", "-o", out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	res, err := report.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Steps); got != 3 {
		t.Fatalf("steps: got %d, want 3", got)
	}
	seen := map[string]bool{}
	for i, st := range res.Steps {
		if len(st.Topics) != 1 {
			t.Fatalf("step %d topics: got %v, want 1 topic", i, st.Topics)
		}
		if seen[st.Topics[0]] {
			t.Errorf("step %d reuses topic %s", i, st.Topics[0])
		}
		seen[st.Topics[0]] = true
		if st.Counters.Acked == 0 || st.Counters.Consumed != st.Counters.Acked {
			t.Errorf("step %d: acked %d consumed %d, want equal and > 0", i, st.Counters.Acked, st.Counters.Consumed)
		}
	}
	for name := range clusterTopics(t, c.Addrs()) {
		if seen[name] || strings.HasPrefix(name, "mskbench-") {
			t.Errorf("topic %s still exists after the run", name)
		}
	}
	for i, want := range []string{"partitions=1", "partitions=3", "partitions=5"} {
		if !strings.Contains(res.Steps[i].Label, want) {
			t.Errorf("step %d label %q, want it to contain %q", i, res.Steps[i].Label, want)
		}
	}
}

// A pre-existing topic is used only when the scenario names it, and is never
// deleted; topics the run did not create are left alone.
func TestRunExistingTopicNeverDeleted(t *testing.T) {
	c := embedded.ForTest(t, 3)
	ctl := &kafka.Client{Addr: kafka.TCP(c.Addrs()...), Timeout: 10 * time.Second}
	for _, name := range []string{"orders", "mskbench-bystander"} {
		res, err := ctl.CreateTopics(context.Background(), &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
			{Topic: name, NumPartitions: 2, ReplicationFactor: 3},
		}})
		if err != nil || res.Errors[name] != nil {
			t.Fatalf("create %s: %v %v", name, err, res.Errors)
		}
	}
	_, stderr, err := runCLI(t, "run", "quickstart", "--brokers", strings.Join(c.Addrs(), ","), "-q",
		"--duration", "1s", "--warmup", "0s", "--set", "topics.existing=orders")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	topics := clusterTopics(t, c.Addrs())
	for _, name := range []string{"orders", "mskbench-bystander"} {
		if _, ok := topics[name]; !ok {
			t.Errorf("pre-existing topic %s was deleted", name)
		}
	}
	if !strings.Contains(stderr, "existing topic orders") {
		t.Errorf("stderr does not say the existing topic is used:\n%s", stderr)
	}
}

// merge sums the counters of its inputs step by step and merges their
// histograms: the merged publish count is the sum of the inputs' counts.
// (The two runs here ran one after the other, which merge refuses without
// --force: see merge.txtar.)
func TestMergeSumsCounters(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, n := range []string{"a.json", "b.json"} {
		f := filepath.Join(dir, n)
		if _, stderr, err := runCLI(t, "run", "quickstart", "-q", "--duration", "1s", "--warmup", "0s", "-o", f); err != nil {
			t.Fatalf("run: %v\n%s", err, stderr)
		}
		files = append(files, f)
	}
	out := filepath.Join(dir, "m.json")
	if _, stderr, err := runCLI(t, append([]string{"merge", "--force", "-o", out}, files...)...); err != nil {
		t.Fatalf("merge: %v\n%s", err, stderr)
	}
	var acked, count int64
	for _, f := range files {
		r, err := report.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		acked += r.Steps[0].Counters.Acked
		count += r.Steps[0].Latency.Publish.Count
	}
	m, err := report.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Steps[0].Counters.Acked; got != acked || acked == 0 {
		t.Errorf("merged acked %d, want %d (> 0)", got, acked)
	}
	if got := m.Steps[0].Latency.Publish.Count; got != count {
		t.Errorf("merged publish count %d, want %d", got, count)
	}
}

// --cluster-arn finds the bootstrap brokers with MSK's GetBootstrapBrokers
// (the real AWS SDK client, pointed at a loopback endpoint through
// AWS_ENDPOINT_URL) and replaces the scenario's brokers with them, even when
// the scenario names brokers of its own.
func TestRunClusterARNDiscoversBrokers(t *testing.T) {
	c := embedded.ForTest(t, 3)
	const arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/bench/abc-1"
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(r.URL.EscapedPath(), "/v1/clusters/"), "/bootstrap-brokers"))
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/bootstrap-brokers") || got != arn {
			http.Error(w, `{"message":"unexpected request"}`, http.StatusNotFound)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"bootstrapBrokerString": %q}`, strings.Join(c.Addrs(), ","))
	}))
	defer srv.Close()
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTCLUSTERARN")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)

	// quickstart names brokers: [embedded]; --cluster-arn must win.
	_, stderr, err := runCLI(t, "run", "quickstart", "-q", "--duration", "1s", "--warmup", "0s",
		"--cluster-arn", arn, "--auth", "none")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	if calls.Load() == 0 {
		t.Fatal("GetBootstrapBrokers was never called")
	}
	if strings.Contains(stderr, "embedded in-process cluster") {
		t.Errorf("ran on the embedded cluster instead of the discovered brokers:\n%s", stderr)
	}
	if !strings.Contains(stderr, "connected to "+c.Addrs()[0]) {
		t.Errorf("stderr does not show a connection to the discovered broker %s:\n%s", c.Addrs()[0], stderr)
	}
}
