package report_test

import (
	"fmt"
	"time"

	"github.com/mskbench/mskbench/report"
)

// A step as the engine drives it: one recorder per worker, one Tick per
// interval, Step at the end.
func ExampleCollector() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) int64 { return start.Add(d).UnixNano() }

	c := report.NewCollector(1) // one consumer group
	producer, consumer := c.NewRecorder(), c.NewRecorder()

	// Interval 1 (warm-up): shown live, then discarded.
	producer.RecordSend(at(0), at(0))
	producer.RecordAck(at(0), at(0), at(50*time.Millisecond), 1024)
	c.Tick(start, start.Add(time.Second), report.PhaseWarmup)

	// Interval 2 (measured).
	producer.RecordSend(at(time.Second), at(time.Second+time.Millisecond))
	producer.RecordAck(at(time.Second), at(time.Second+time.Millisecond), at(time.Second+4*time.Millisecond), 1024)
	consumer.RecordConsume(at(time.Second), at(time.Second+6*time.Millisecond), 1024)
	iv := c.Tick(start.Add(time.Second), start.Add(2*time.Second), report.PhaseMeasure)
	fmt.Println(report.ProgressHeader())
	fmt.Println(report.ProgressLine(iv))

	s := c.Step(report.StepInfo{Label: "rate=1/s", Offered: 1})
	fmt.Printf("acked %d, publish p99 %.3f ms, service p99 %.3f ms, e2e p99 %.3f ms\n",
		s.Counters.Acked, s.Latency.Publish.P99Ms, s.Latency.Service.P99Ms, s.Latency.EndToEnd.P99Ms)
	// Output:
	// STEP          PHASE     TIME s  ACKED msg/s    MiB/s  PUB p50 ms  PUB p99 ms  E2E p50 ms  E2E p99 ms  FAILED      LAG  BEHIND
	// -             measure      2.0         1.00     0.00        4.00        4.00        6.00        6.00       0        0       0
	// acked 1, publish p99 4.001 ms, service p99 3.001 ms, e2e p99 6.003 ms
}
