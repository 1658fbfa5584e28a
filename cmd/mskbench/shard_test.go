package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/report"
)

// shardScenario is a short verified step: 3 producer workers at 300 msgs/s
// in total, one group of 3 members, 1 s intervals.
const shardScenario = `name: shards
topics:
  partitions: 6
  replication_factor: 1
producers:
  workers: 3
  rate: 300/s
  message_size: 200B
  partitioner: round-robin # every worker on every partition: every consumer reads every shard's messages
consumers:
  groups: 1
  per_group: 3
  max_wait: 50ms
verify: true
phases:
  warmup: 1s
  duration: 2s
  drain_timeout: %s
  report_interval: 1s
`

// shardProc is one `mskbench run` shard started as the engine starts it:
// the same command line for every shard, the index in JOB_COMPLETION_INDEX.
type shardProc struct {
	index  int
	cmd    *exec.Cmd
	stdout strings.Builder
	mu     sync.Mutex
	stderr []string
	lines  chan string // every stderr line, until it exits
	done   chan error
}

// startShard starts shard index of a run with args; stderr lines arrive
// on p.lines.
func startShard(t *testing.T, dir string, index int, args ...string) *shardProc {
	t.Helper()
	bin, err := exec.LookPath("mskbench") // the test binary, through testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	p := &shardProc{index: index, lines: make(chan string, 1000), done: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", index))
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr = append(p.stderr, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		close(p.lines)
		p.done <- p.cmd.Wait()
	}()
	return p
}

// waitLine waits for a stderr line containing s (an event the shard
// logged); it fails the test if the shard exits first.
func (p *shardProc) waitLine(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(2 * time.Minute) // a hang, not a timing assertion
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("shard %d exited before logging %q:\n%s", p.index, s, p.log())
			}
			if strings.Contains(l, s) {
				return l
			}
		case <-timeout:
			t.Fatalf("shard %d never logged %q:\n%s", p.index, s, p.log())
		}
	}
}

// wait waits for the shard to exit and returns its exit code.
func (p *shardProc) wait(t *testing.T) int {
	t.Helper()
	go func() {
		for range p.lines { // keep draining
		}
	}()
	select {
	case err := <-p.done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("shard %d: %v", p.index, err)
		}
		return 0
	case <-time.After(3 * time.Minute):
		t.Fatalf("shard %d did not exit:\n%s", p.index, p.log())
	}
	return -1
}

func (p *shardProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.stderr, "\n")
}

// shardCluster starts an in-process cluster and writes the scenario.
func shardCluster(t *testing.T, drainTimeout string) (dir, brokers string, adm *kadm.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs several mskbench processes")
	}
	c, err := embedded.Start(embedded.Config{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(fmt.Sprintf(shardScenario, drainTimeout)), 0o644); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return dir, strings.Join(c.Addrs(), ","), kadm.NewClient(cl)
}

// shardArgs is the command line of every shard of a run.
func shardArgs(brokers string, shards int, runID, barrierTimeout string) []string {
	return []string{"run", "s.yaml", "--brokers", brokers, "--shards", fmt.Sprint(shards), "--run-id", runID,
		"--barrier-timeout", barrierTimeout, "-q", "-o", "out.json"}
}

// runLeftovers returns the topics and groups of run id on the cluster.
func runLeftovers(t *testing.T, adm *kadm.Client, runID string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []string
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range topics.Names() {
		if strings.Contains(n, runID) {
			left = append(left, "topic "+n)
		}
	}
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range groups.Groups() {
		if strings.Contains(n, runID) {
			left = append(left, "group "+n)
		}
	}
	return left
}

// TestDistributedRun: three shards started seconds apart (each after the
// previous one logged that it joined the barrier) run one step together:
// the barrier holds them, their measured phases start at the barrier's
// instant, and shard 0's result is the exact merge of the three.
func TestDistributedRun(t *testing.T) {
	dir, brokers, adm := shardCluster(t, "30s")
	args := shardArgs(brokers, 3, "dist1", "2m")
	var ps []*shardProc
	for i := range 3 {
		p := startShard(t, dir, i, args...)
		p.waitLine(t, "joined the barrier")
		ps = append(ps, p)
	}
	startLine := ps[0].waitLine(t, "step 1 starts at ")
	for _, p := range ps {
		if code := p.wait(t); code != 0 {
			t.Fatalf("shard %d exited %d:\n%s", p.index, code, p.log())
		}
	}
	for _, p := range ps[1:] {
		if p.stdout.Len() > 0 || !strings.Contains(p.log(), "shard 0 writes the merged result") {
			t.Errorf("shard %d printed %q on stdout; want nothing, and a note that shard 0 writes the result", p.index, p.stdout.String())
		}
	}
	if !strings.Contains(ps[0].stdout.String(), "Verification of step #1: OK") {
		t.Errorf("shard 0's summary:\n%s", ps[0].stdout.String())
	}
	res, err := report.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := res.Steps[0]

	// The barrier's instant, as shard 0 announced it, starts the warm-up;
	// every shard's measured phase starts at that instant plus the warm-up
	// on its own clock, which differs from shard 0's by the offset
	// estimates (bounded by their bounds; 1 ms more for rounding).
	at, err := time.Parse(time.RFC3339Nano, strings.Fields(startLine[strings.Index(startLine, "starts at ")+len("starts at "):])[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Shards) != 3 {
		t.Fatalf("shards %+v, want 3", st.Shards)
	}
	s0 := st.Shards[0]
	if !s0.MeasureStart.Equal(at.Add(time.Second)) {
		t.Errorf("shard 0 measured from %s, want the barrier's %s + 1 s warm-up", s0.MeasureStart, at)
	}
	var offered, acked, consumed int64
	for _, s := range st.Shards {
		if s.Missing {
			t.Fatalf("shard %d missing", s.Index)
		}
		bound := time.Duration((s.ClockOffsetBoundMs+s0.ClockOffsetBoundMs)*1e6) + time.Millisecond
		if d := s.MeasureStart.Sub(s0.MeasureStart); d > bound || d < -bound {
			t.Errorf("shard %d measured from %s, %s from shard 0: more than the offsets' bounds (%s)", s.Index, s.MeasureStart, d, bound)
		}
		// The split: worker w of 3 on shard w, one member each.
		if s.ProducerIDsFrom != s.Index || s.ProducerIDsTo != s.Index+1 || s.ConsumersPerGroup != 1 || s.Offered != 200 {
			t.Errorf("shard %d: producers [%d,%d), %d consumers, offered %d; want [%d,%d), 1, 200",
				s.Index, s.ProducerIDsFrom, s.ProducerIDsTo, s.ConsumersPerGroup, s.Offered, s.Index, s.Index+1)
		}
		offered, acked, consumed = offered+s.Offered, acked+s.Acked, consumed+s.Consumed
	}
	// Merged = union of the shards' raw data; offered = the scenario's
	// 300/s × 2 s exactly; the one group read every acknowledged message
	// (how many were sent in time depends on the machine: a busy one
	// falls behind, which the step reports, not a failure of the merge).
	c := st.Counters
	if c.Offered != 600 || offered != 600 || c.Acked != acked || c.Consumed != consumed || c.Acked == 0 || c.Consumed != c.Acked {
		t.Errorf("merged offered %d acked %d consumed %d; shards %d, %d, %d; want 600 offered, the sums, all acked read",
			c.Offered, c.Acked, c.Consumed, offered, acked, consumed)
	}
	if st.Throughput.OfferedMsgsPerSec != 300 {
		t.Errorf("merged offered rate %v, want the scenario's 300/s", st.Throughput.OfferedMsgsPerSec)
	}
	if v := st.Verification; v == nil || v.Lost != 0 || v.Duplicated != 0 || !v.Complete {
		t.Errorf("verification %+v, want complete, nothing lost or duplicated", v)
	}
	if l := st.Latency; l.Publish.Count != c.Acked || l.EndToEnd.Count+l.EndToEndCross.Count != c.Consumed || l.EndToEndCross.Count == 0 {
		t.Errorf("histogram counts: publish %d, e2e %d + cross %d; want %d and %d with some cross-shard",
			l.Publish.Count, l.EndToEnd.Count, l.EndToEndCross.Count, c.Acked, c.Consumed)
	}
	// The counters cover measure and drain, as the timeline does.
	var tlAcked, measure int64
	for _, iv := range st.Timeline {
		h, ok, err := iv.Histogram("publish")
		if err != nil || !ok || h.Count() != iv.Acked {
			t.Errorf("interval %s: publish histogram %v %v (%v), want %d values", iv.Start, h, ok, err, iv.Acked)
		}
		tlAcked += iv.Acked
		if iv.Phase == report.PhaseMeasure {
			measure++
		}
	}
	if tlAcked != c.Acked || measure != 2 {
		t.Errorf("timeline: %d acked in %d measure intervals; want %d in 2", tlAcked, measure, c.Acked)
	}
	if left := runLeftovers(t, adm, "dist1"); len(left) > 0 {
		t.Errorf("left on the cluster: %v", left)
	}
}

// TestDistributedRunMissingShard: a shard that never arrives ends the run
// after the barrier timeout on every shard that did, exit 1, naming it,
// and nothing of the run is left on the cluster.
func TestDistributedRunMissingShard(t *testing.T) {
	dir, brokers, adm := shardCluster(t, "10s")
	args := shardArgs(brokers, 3, "miss1", "6s") // shard 1 must start within it
	p0 := startShard(t, dir, 0, args...)
	p0.waitLine(t, "joined the barrier")
	p1 := startShard(t, dir, 1, args...)
	for _, p := range []*shardProc{p0, p1} {
		if code := p.wait(t); code != 1 {
			t.Errorf("shard %d exited %d, want 1:\n%s", p.index, code, p.log())
		}
		if !strings.Contains(p.log(), "shard 2 never arrived") {
			t.Errorf("shard %d does not name the missing shard 2:\n%s", p.index, p.log())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); err == nil {
		t.Error("a result was written for a run that never started")
	}
	if left := runLeftovers(t, adm, "miss1"); len(left) > 0 {
		t.Errorf("left on the cluster: %v", left)
	}
}

// TestDistributedRunKilledShard: a shard killed while measuring leaves a
// merged result marked partial that names it.
func TestDistributedRunKilledShard(t *testing.T) {
	dir, brokers, _ := shardCluster(t, "3s")
	args := shardArgs(brokers, 2, "kill1", "2m")
	p0 := startShard(t, dir, 0, args...)
	p0.waitLine(t, "joined the barrier")
	p1 := startShard(t, dir, 1, args...)
	p1.waitLine(t, "measuring")
	if err := p1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p1.wait(t)
	if code := p0.wait(t); code != 0 {
		t.Fatalf("shard 0 exited %d:\n%s", code, p0.log())
	}
	res, err := report.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := res.Steps[0]
	if !st.Partial || len(st.Shards) != 2 || !st.Shards[1].Missing || st.Shards[0].Missing {
		t.Fatalf("step partial %v shards %+v, want partial with shard 1 missing", st.Partial, st.Shards)
	}
	if !strings.Contains(strings.Join(st.Warnings, "\n"), "shards 1 missing") {
		t.Errorf("warnings %q do not name shard 1", st.Warnings)
	}
	if !res.Partial {
		t.Error("result not marked partial")
	}
}
