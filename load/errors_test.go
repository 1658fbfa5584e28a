package load

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// TestRunCountsProduceErrors makes the cluster reject every other produce
// request with a non-retriable error and checks that failures are counted
// by Kafka error code, never acknowledged and never consumed.
func TestRunCountsProduceErrors(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		var n atomic.Int64
		c.Kfake().ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
			c.Kfake().KeepControl()
			if n.Add(1)%2 == 0 {
				return nil, nil, false
			}
			resp, _ := produceErrorResponse(kreq.(*kmsg.ProduceRequest), 29) // TOPIC_AUTHORIZATION_FAILED, not retriable
			return resp, nil, true
		})
		pl := testPlan()
		pl.Client = cl
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Verify = true
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "errors"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkAccounted(t, &step)
		cn := step.Counters
		t.Logf("counters %+v errors %v warnings %q", cn, step.Errors, step.Warnings)
		const label = "[29] Topic Authorization Failed"
		if cn.Failed == 0 || cn.Acked == 0 {
			t.Fatalf("failed %d acked %d, want both > 0", cn.Failed, cn.Acked)
		}
		if cn.Acked+cn.Failed != cn.Sent {
			t.Errorf("acked %d + failed %d = %d, want sent %d", cn.Acked, cn.Failed, cn.Acked+cn.Failed, cn.Sent)
		}
		if got := step.Errors[label]; got != cn.Failed || len(step.Errors) != 1 {
			t.Errorf("Errors = %v, want only %q: %d", step.Errors, label, cn.Failed)
		}
		if cn.Consumed != cn.Acked {
			t.Errorf("consumed %d, want acked %d (failed messages are not written)", cn.Consumed, cn.Acked)
		}
	})
}

// produceErrorResponse answers every partition of req with the error code
// and returns the response and the number of partitions answered (see
// embedded.ProduceResponse).
func produceErrorResponse(req *kmsg.ProduceRequest, code int16) (*kmsg.ProduceResponse, int) {
	return embedded.ProduceResponse(req, code)
}
