package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/report"
)

// dropWrites makes the cluster acknowledge every 5th produce request (at
// most 3) without storing its records: acknowledged, never consumed.
func dropWrites(c *embedded.Cluster) *atomic.Int64 {
	kf := c.Kfake()
	var requests, drops atomic.Int64
	kf.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		kf.KeepControl()
		req := kreq.(*kmsg.ProduceRequest)
		if requests.Add(1)%5 != 0 || drops.Load() >= 3 {
			return nil, nil, false
		}
		drops.Add(1)
		resp, _ := embedded.ProduceResponse(req, 0) // error code 0: success, nothing stored
		return resp, nil, true
	})
	return &drops
}

// With acks=all, messages the cluster acknowledged that no consumer read
// fail the run with exit code 3 (the built-in lost check), unless the
// scenario says lost_check: false; with acks=1 the check does not apply.
func TestRunLostCheck(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		acks        string
		want        int // exit code
	}{
		{"acks all", "", "all", exitCheck},
		{"turned off", "lost_check: false\n", "all", exitOK},
		{"acks 1", "", "1", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := embedded.ForTest(t, 3)
			drops := dropWrites(c)
			dir := t.TempDir()
			scen := filepath.Join(dir, "lost.yaml")
			if err := os.WriteFile(scen, []byte(`name: lost
topics: {count: 1, partitions: 1, replication_factor: 3}
producers: {workers: 1, rate: 300/s, message_size: 200B, acks: `+tc.acks+`, linger: 1ms}
consumers: {groups: 1, per_group: 1}
phases: {warmup: 0s, duration: 1s, drain_timeout: 10s}
`+tc.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "r.json")
			stdout, stderr, err := runCLI(t, "run", scen, "--brokers", strings.Join(c.Addrs(), ","), "-q", "-o", out)
			code := exitCode(err, io.Discard)
			t.Logf("exit %d: %v\n%s", code, err, stdout)
			if drops.Load() == 0 {
				t.Fatalf("no write was dropped")
			}
			res, rerr := report.ReadFile(out)
			if rerr != nil {
				t.Fatalf("%v\n%s", rerr, stderr)
			}
			v := res.Steps[0].Verification
			if v == nil || v.Lost == 0 {
				t.Fatalf("verification %+v, want lost messages", v)
			}
			if code != tc.want {
				t.Errorf("exit code %d (%v), want %d", code, err, tc.want)
			}
			if tc.want == exitCheck {
				if !strings.Contains(err.Error(), "lost messages the cluster acknowledged under acks=all") {
					t.Errorf("error %q, want it to name the lost check", err)
				}
				if !strings.Contains(stdout, report.LostCheckExpr+" (built-in") || len(res.Checks) != 1 || res.Checks[0].Passed {
					t.Errorf("checks %+v, want the failed built-in lost check in the result and the summary", res.Checks)
				}
			} else if len(res.Checks) != 0 {
				t.Errorf("checks %+v, want none", res.Checks)
			}
		})
	}
}
