package load

import (
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/embedded"
)

func TestAdhocMaxConsume(t *testing.T) {
	c := embedded.ForTest(t, 3)
	plan := benchPlan()
	plan.Consumers.Groups = 2
	plan.Consumers.PerGroup = 3
	plan.Verify = true
	start := time.Now()
	step, err := Run(t.Context(), plan, testConn(c), Options{RunID: "adhoc", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("took %s counters %+v errors %v warnings %q thr %.0f cons %.0f pub %+v e2e %+v", time.Since(start), step.Counters, step.Errors, step.Warnings,
		step.Throughput.MsgsPerSec, step.Throughput.ConsumedMsgsPerSec, step.Latency.Publish, step.Latency.EndToEnd)
	for _, iv := range step.Timeline {
		t.Logf("%s %s acked %d consumed %d lag %d", iv.Phase, iv.End.Sub(iv.Start), iv.Acked, iv.Consumed, iv.Lag)
	}
}
