package report

import (
	"strings"
	"testing"
	"time"
)

// A collector with workloads reports each apart and the step in total;
// merging two load generators' steps adds the workloads' counts and
// merges their histograms exactly.
func TestCollectorWorkloads(t *testing.T) {
	c := NewCollector(1)
	c.SetWorkloads([]WorkloadInfo{{Name: "orders", Groups: 1, Topics: []string{"o"}}, {Name: "clicks", Topics: []string{"c"}}})
	orders, clicks := c.NewWorkloadRecorder(0), c.NewWorkloadRecorder(1)
	base := time.Unix(1000, 0)
	ns := base.UnixNano()
	for i := range 10 {
		orders.RecordAck(ns, ns, ns+int64(time.Millisecond)*int64(i+1), 1000)
		orders.RecordConsume(ns, ns+int64(5*time.Millisecond), 1000)
	}
	for range 30 {
		clicks.RecordAck(ns, ns, ns+int64(20*time.Millisecond), 200)
	}
	c.Tick(base, base.Add(2*time.Second), PhaseMeasure)
	c.SetWorkloads([]WorkloadInfo{{Name: "orders", Groups: 1, Topics: []string{"o"}, Offered: 12}, {Name: "clicks", Topics: []string{"c"}, Offered: 30}})
	s := c.Step(StepInfo{MeasureStart: base, MeasureEnd: base.Add(2 * time.Second), Offered: 42})
	if len(s.Workloads) != 2 {
		t.Fatalf("workloads = %+v", s.Workloads)
	}
	o, k := s.Workloads[0], s.Workloads[1]
	if o.Name != "orders" || o.Counters.Acked != 10 || o.Counters.AckedBytes != 10000 || o.Counters.Consumed != 10 || o.Counters.Offered != 12 || o.Throughput.MsgsPerSec != 5 {
		t.Errorf("orders = %+v", o)
	}
	if k.Counters.Acked != 30 || k.Throughput.MsgsPerSec != 15 || k.Latency.Publish.P50Ms < 19.9 || k.Latency.Publish.P50Ms > 20.1 || k.ConsumerGroups != 0 {
		t.Errorf("clicks = %+v", k)
	}
	if s.Counters.Acked != 40 || s.Throughput.MsgsPerSec != 20 || o.Latency.Publish.MaxMs < 9.9 || o.Latency.Publish.MaxMs > 10.1 {
		t.Errorf("total acked %d at %g/s; orders publish max %g ms", s.Counters.Acked, s.Throughput.MsgsPerSec, o.Latency.Publish.MaxMs)
	}
	m, err := MergeSteps(s, s)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Workloads[1]; w.Counters.Acked != 60 || w.Throughput.MsgsPerSec != 30 || w.Latency.Publish.Count != 60 {
		t.Errorf("merged clicks = %+v", w)
	}
	var b strings.Builder
	if err := Summary(&b, &Result{Steps: []Step{s}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n#1 ", "\n#1/orders ", "\n#1/clicks "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary has no row %q:\n%s", want, b.String())
		}
	}
}
