package load

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// TestChurnCountsRebalances churns one member of a group of 3 every 500ms
// and counts, at the cluster, the LeaveGroup requests: every churned member
// left once, every member once more at the end. The step reports one
// rebalance per event it caused, each settled, and no message lost.
func TestChurnCountsRebalances(t *testing.T) {
	c := embedded.ForTest(t, 3)
	var leaves atomic.Int64
	c.Kfake().ControlKey(kmsg.LeaveGroup.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		leaves.Add(1)
		return nil, nil, false
	})
	pl := testPlan()
	pl.Client = plan.ClientFranzGo
	pl.Verify = true
	pl.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 300}
	pl.Consumers.PerGroup = 3
	pl.Consumers.Churn = plan.Churn{Every: plan.Duration(500 * time.Millisecond), Members: 1}
	pl.Phases.Duration = plan.Duration(3 * time.Second)
	step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "churn", Logf: t.Logf})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	ch := step.Churn
	t.Logf("churn %+v leaves %d verification %+v warnings %v", ch, leaves.Load(), step.Verification, step.Warnings)
	if ch == nil || ch.Events == 0 {
		t.Fatalf("churn %+v: want events", ch)
	}
	if len(ch.Rebalances) != ch.Events {
		t.Errorf("%d rebalances reported for %d churn events", len(ch.Rebalances), ch.Events)
	}
	if want := int64(ch.Events*ch.Members + pl.Consumers.PerGroup); leaves.Load() != want {
		t.Errorf("the cluster saw %d LeaveGroup requests, want %d churned + %d at the end", leaves.Load(), ch.Events*ch.Members, pl.Consumers.PerGroup)
	}
	for i, r := range ch.Rebalances {
		if !r.Settled || r.Seconds < 0 || r.PauseSeconds < 0 {
			t.Errorf("rebalance %d: %+v, want settled with non-negative durations", i, r)
		}
	}
	if v := step.Verification; v == nil || v.Problems() != 0 {
		t.Errorf("verification %+v: want no problem despite the churn", v)
	}
}
