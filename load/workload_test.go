package load

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// A step of two workloads runs both at once, each on its own topics with
// its own groups, and reports each apart (rates and counts) and in total.
func TestRunTwoWorkloads(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		pl := testPlan()
		pl.Client = cl
		pl.Verify = true
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		orders := plan.Workload{Name: "orders", Topics: pl.Topics, Producers: pl.Producers, Consumers: pl.Consumers}
		orders.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 200}
		clicks := plan.Workload{Name: "clicks", Topics: pl.Topics, Producers: pl.Producers, Consumers: pl.Consumers}
		clicks.Topics.Partitions = 2
		clicks.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 600}
		clicks.Producers.MessageSize = plan.SizeDist{Fixed: 200}
		clicks.Producers.Linger = plan.Duration(7 * time.Millisecond)
		clicks.Producers.ClientID = "clicks-p"
		clicks.Consumers.Groups = 2
		clicks.Consumers.ClientID = "clicks-c"
		clicks.Consumers.MaxWait = plan.Duration(150 * time.Millisecond)
		pl.Workloads = []plan.Workload{orders, clicks}
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "two"})
		if err != nil {
			t.Fatal(err)
		}
		if len(step.Workloads) != 2 {
			t.Fatalf("workloads = %+v, want 2", step.Workloads)
		}
		o, k := step.Workloads[0], step.Workloads[1]
		if o.Name != "orders" || k.Name != "clicks" {
			t.Fatalf("workload names %q, %q", o.Name, k.Name)
		}
		for _, w := range step.Workloads {
			cn := w.Counters
			if cn.Acked == 0 || cn.Acked != cn.Sent || cn.Consumed != cn.Acked*int64(w.ConsumerGroups) || w.Throughput.MsgsPerSec <= 0 {
				t.Errorf("workload %s: sent %d, acked %d, consumed %d by %d groups, %.0f msgs/s; want all acked and read by every group",
					w.Name, cn.Sent, cn.Acked, cn.Consumed, w.ConsumerGroups, w.Throughput.MsgsPerSec)
			}
			for _, topic := range w.Topics {
				if !strings.HasPrefix(topic, "mskbench-test-two-"+w.Name+"-") {
					t.Errorf("workload %s writes topic %s, want one named by the workload", w.Name, topic)
				}
			}
		}
		// Offered messages follow each workload's own rate: 200/s and
		// 600/s over the same second.
		if o.Counters.Offered != 200 || k.Counters.Offered != 600 {
			t.Errorf("offered %d and %d, want 200 and 600", o.Counters.Offered, k.Counters.Offered)
		}
		if k.Counters.AckedBytes != k.Counters.Acked*200 || o.Counters.AckedBytes != o.Counters.Acked*1024 {
			t.Errorf("acked bytes %d (orders), %d (clicks): want 1 KiB and 200 B messages", o.Counters.AckedBytes, k.Counters.AckedBytes)
		}
		// The step is their total.
		if step.Counters.Acked != o.Counters.Acked+k.Counters.Acked || step.Counters.Consumed != o.Counters.Consumed+k.Counters.Consumed ||
			step.Counters.Offered != 800 || step.ConsumerGroups != 3 || step.Counters.Lag != 0 {
			t.Errorf("step counters %+v (groups %d), want the sums of the workloads", step.Counters, step.ConsumerGroups)
		}
		if v := step.Verification; v == nil || v.Problems() != 0 || !v.Complete {
			t.Errorf("verification = %+v, want complete and clean", v)
		}
		if len(step.Topics) != 2 || !slices.Equal(step.Topics, append(slices.Clone(o.Topics), k.Topics...)) {
			t.Errorf("step topics %v, want the workloads' %v and %v", step.Topics, o.Topics, k.Topics)
		}
		if sp := step.PartitionSpread; sp == nil || len(sp.Partitions) != 4+2 {
			t.Errorf("partition spread = %+v, want 6 partitions", sp)
		}
		// Each workload carries its own client settings and client ids;
		// the step's have every client id.
		for _, c := range []struct {
			w             report.WorkloadStep
			lingerMs      float64
			maxWaitMs     float64
			prod, cons    string
			nProd, nConsu int
		}{
			{o, 2, 100, plan.DefaultProducerClientID + "-", plan.DefaultConsumerClientID + "-", pl.Producers.Workers, pl.Consumers.Groups * pl.Consumers.PerGroup},
			{k, 7, 150, "clicks-p-", "clicks-c-", pl.Producers.Workers, 2 * pl.Consumers.PerGroup},
		} {
			cs := c.w.Client
			if cs == nil || cs.Producer == nil || cs.Consumer == nil {
				t.Errorf("workload %s: client settings %+v, want producer and consumer settings", c.w.Name, cs)
				continue
			}
			if cs.Producer.LingerMs != c.lingerMs || cs.Consumer.MaxWaitMs != c.maxWaitMs {
				t.Errorf("workload %s: linger %v ms, max wait %v ms; want %v and %v", c.w.Name, cs.Producer.LingerMs, cs.Consumer.MaxWaitMs, c.lingerMs, c.maxWaitMs)
			}
			if len(cs.Producer.ClientIDs) != c.nProd || len(cs.Consumer.ClientIDs) != c.nConsu {
				t.Errorf("workload %s: client ids %v and %v, want %d and %d", c.w.Name, cs.Producer.ClientIDs, cs.Consumer.ClientIDs, c.nProd, c.nConsu)
			}
			for _, id := range cs.Producer.ClientIDs {
				if !strings.HasPrefix(id, c.prod) {
					t.Errorf("workload %s: producer client id %q, want prefix %q", c.w.Name, id, c.prod)
				}
			}
			for _, id := range cs.Consumer.ClientIDs {
				if !strings.HasPrefix(id, c.cons) {
					t.Errorf("workload %s: consumer client id %q, want prefix %q", c.w.Name, id, c.cons)
				}
			}
		}
		if cs := step.Client; cs == nil || len(cs.Producer.ClientIDs) != 2*pl.Producers.Workers || len(cs.Consumer.ClientIDs) != 3*pl.Consumers.PerGroup {
			t.Errorf("step client settings %+v, want every client id", cs)
		}
	})
}

// A distributed step does not split workloads between the shards: it
// refuses them rather than run every workload's totals on every shard.
func TestWorkloadsRefusedWithShards(t *testing.T) {
	pl := testPlan()
	pl.Workloads = []plan.Workload{{Name: "a", Topics: pl.Topics, Producers: pl.Producers, Consumers: pl.Consumers}}
	_, err := newStep(pl, &auth.Conn{}, Options{Shard: Shard{Index: 1, Count: 2}, Coordinator: struct{ Coordinator }{}})
	if err == nil || !strings.Contains(err.Error(), "workloads: not supported in a distributed run") {
		t.Fatalf("err = %v, want workloads refused", err)
	}
	pl.Workloads = nil
	if _, err := newStep(pl, &auth.Conn{}, Options{Shard: Shard{Index: 1, Count: 2}, Coordinator: struct{ Coordinator }{}}); err != nil {
		t.Fatalf("without workloads: %v", err)
	}
}

// ShardUnsupported names what a distributed run does not split between
// its shards.
func TestShardUnsupported(t *testing.T) {
	base := testPlan()
	if why := ShardUnsupported(base); why != "" {
		t.Fatalf("plain plan: %q, want none", why)
	}
	for _, tc := range []struct {
		want string
		set  func(*plan.Plan)
	}{
		{"workloads", func(p *plan.Plan) { p.Workloads = []plan.Workload{{Name: "a"}} }},
		{"phases.backlog", func(p *plan.Plan) { p.Phases.Backlog.Messages = 10 }},
		{"consumers.churn", func(p *plan.Plan) { p.Consumers.Churn.Every = plan.Duration(time.Second) }},
		{"consumers.group_id", func(p *plan.Plan) { p.Consumers.GroupID = "mine" }},
		{"consumers.start earliest", func(p *plan.Plan) { p.Consumers.Start.Mode = plan.StartEarliest }},
	} {
		p := testPlan()
		tc.set(&p)
		if why := ShardUnsupported(p); why != tc.want {
			t.Errorf("ShardUnsupported = %q, want %q", why, tc.want)
		}
	}
}
