package load

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// TestRunBrokerClientFigures checks the per-broker client-side figures
// against what the brokers themselves counted: every produce request a
// producer wrote reached the broker it was counted for (the embedded
// cluster counts them per broker), every series names a broker of the
// cluster, the fetch figures come from the brokers the consumers read, and
// the samples follow the step's intervals.
func TestRunBrokerClientFigures(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c, err := embedded.Start(embedded.Config{Brokers: 3, Metrics: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		pl := faultPlan(6)
		pl.Client = cl
		// Every worker writes to every partition, so to every leader.
		pl.Producers.Partitioner = plan.PartitionRoundRobin
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "perbroker", Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		if step.Counters.Acked == 0 || step.Counters.Consumed == 0 {
			t.Fatalf("counters %+v: want messages acknowledged and consumed", step.Counters)
		}
		brokers := c.Counters()
		byID := map[int32]embedded.BrokerCounters{}
		for _, b := range brokers {
			byID[b.ID] = b
		}
		if len(step.BrokerClient) == 0 {
			t.Fatal("no per-broker client figures")
		}
		var produceReqs, produceResps, fetchResps, fetchBytes int64
		for _, s := range step.BrokerClient {
			b, ok := byID[s.ID]
			if !ok || s.Host != b.Addr {
				t.Errorf("series %d %s: not a broker of the cluster %+v", s.ID, s.Host, brokers)
				continue
			}
			var reqs, resps int64
			var last time.Time
			for _, x := range s.Samples {
				switch x.Phase {
				case report.PhaseWarmup, report.PhaseMeasure, report.PhaseDrain:
				default:
					t.Errorf("broker %d: sample phase %q", s.ID, x.Phase)
				}
				if !x.End.After(x.Start) || x.Start.Before(last) {
					t.Errorf("broker %d: sample %s..%s out of order (previous ended %s)", s.ID, x.Start, x.End, last)
				}
				last = x.End
				reqs += x.ProduceRequests
				resps += x.ProduceResponses
				fetchResps += x.FetchResponses
				fetchBytes += x.FetchBytes
				if x.ProduceResponses > 0 && x.ProduceServiceTimeMeanMs <= 0 {
					t.Errorf("broker %d: %d responses with a mean service time of %g ms", s.ID, x.ProduceResponses, x.ProduceServiceTimeMeanMs)
				}
			}
			if reqs != b.ProduceRequests {
				t.Errorf("broker %d: the clients counted %d produce requests, the broker handled %d", s.ID, reqs, b.ProduceRequests)
			}
			// A request the client gave up on (its timeout on a loaded
			// machine: kgo then drops the connection and sends again) has
			// no response; every response has its request.
			if resps == 0 || resps > reqs {
				t.Errorf("broker %d: %d produce responses for %d requests", s.ID, resps, reqs)
			}
			produceReqs += reqs
			produceResps += resps
		}
		var leaders int
		for _, b := range brokers {
			if b.ProduceRequests > 0 {
				leaders++
			}
		}
		if leaders == 0 || produceReqs == 0 {
			t.Errorf("%d brokers got %d produce requests, want the leaders of 6 partitions to get them", leaders, produceReqs)
		}
		if fetchResps == 0 || fetchBytes < step.Counters.ConsumedBytes {
			t.Errorf("%d fetch responses of %d bytes for %d consumed bytes", fetchResps, fetchBytes, step.Counters.ConsumedBytes)
		}
		var sum strings.Builder
		if err := report.Summary(&sum, &report.Result{Steps: []report.Step{step}}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Per broker in step", "Slowest broker: "} {
			if !strings.Contains(sum.String(), want) {
				t.Errorf("summary lacks %q:\n%s", want, sum.String())
			}
		}
	})
}

// TestSleepControlSlowBroker delays every produce request to one broker (the
// first to get one) by
// a known time: its mean service time is at least that delay (a lower
// bound the clock cannot break), on both clients.
func TestSleepControlSlowBroker(t *testing.T) {
	embedded.SkipSleepControlUnderRace(t)
	const delay = 40 * time.Millisecond
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		kf := c.Kfake()
		// The slowed broker is the first to get a produce request: kfake
		// places leaders at random, so a fixed broker may lead nothing.
		var slowed atomic.Int64
		var target atomic.Int32
		target.Store(-1)
		kf.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
			node := kf.CurrentNode()
			target.CompareAndSwap(-1, node)
			if node == target.Load() {
				slowed.Add(1)
				// The injected latency is the stimulus under test (the broker
				// answers this much later), not a wait for something to happen.
				kf.SleepControl(func() { time.Sleep(delay) })
			}
			return nil, nil, false
		})
		pl := faultPlan(6)
		pl.Client = cl
		pl.Producers.Partitioner = plan.PartitionRoundRobin
		step := runBounded(t, pl, c, Options{RunID: "slowbroker"})
		if slowed.Load() == 0 {
			t.Fatal("no produce request was slowed")
		}
		id := target.Load()
		totals := report.BrokerClientTotals(&step, "")
		var found bool
		for _, x := range totals {
			if x.ID != id {
				continue
			}
			found = true
			if x.ProduceResponses == 0 || x.ProduceServiceTimeMeanMs < float64(delay.Milliseconds()) {
				t.Errorf("broker %d: %d responses, mean service %.2f ms, want at least %s", id, x.ProduceResponses, x.ProduceServiceTimeMeanMs, delay)
			}
		}
		if !found {
			t.Errorf("no figures for broker %d in %+v", id, totals)
		}
	})
}
