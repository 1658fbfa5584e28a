package load

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// TestConsumerCloseBounded stops the whole cluster from answering once a
// group member has read: the member's close (its final commit and its
// leave, neither ever answered) must still return within
// consumerLeaveTimeout and slack, on both clients. kafka-go's Reader.Close
// alone took about 14 s against a SIGSTOPped broker.
func TestConsumerCloseBounded(t *testing.T) {
	t.Parallel() // waits more than it computes; a generous bound
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 1)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Consumers.Groups, pl.Consumers.PerGroup = 1, 1
		pl = pl.WithDefaults()
		topic := "mskbench-test-close-" + string(cl)
		adm := testAdmin(t, cl, conn)
		if _, err := adm.createTopics(t.Context(), []string{topic}, plan.Topics{Count: 1, Partitions: 1, ReplicationFactor: 1}); err != nil {
			t.Fatal(err)
		}
		if err := adm.waitLeaders(t.Context(), []string{topic}, 1); err != nil {
			t.Fatal(err)
		}
		pr, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.DefaultProduceTopic(topic))
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		if err := pr.ProduceSync(t.Context(), &kgo.Record{Value: []byte("not stamped")}).FirstErr(); err != nil {
			t.Fatal(err)
		}

		// Once stalled, every request the cluster gets waits (its control
		// functions run on the cluster's own goroutine, so one waiting
		// holds them all) until the test ends: a broker that stopped.
		kf := c.Kfake()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) }) // runs before the cluster's own cleanup
		var stalled atomic.Bool
		kf.Control(func(kmsg.Request) (kmsg.Response, error, bool) {
			kf.KeepControl()
			if stalled.Load() {
				<-release
			}
			return nil, nil, false
		})

		d, err := driverFor(cl)
		if err != nil {
			t.Fatal(err)
		}
		var from atomic.Int64
		cons, err := newConsumer(pl, consumerConfig{group: topic + "-g", topics: []string{topic}, conn: conn, driver: d,
			rec: report.NewCollector(1).NewRecorder(), clk: newClock(), measureFrom: &from})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan struct{})
		go func() { _ = cons.run(ctx); close(done) }()
		for cons.foreign.Load() == 0 { // an event: the member joined and read
			select {
			case <-done:
				t.Fatal("the consumer stopped before it read")
			case <-time.After(10 * time.Millisecond):
			}
		}

		stalled.Store(true)
		start := time.Now()
		cancel()
		bound := consumerLeaveTimeout + 4*time.Second // slack for a loaded machine
		select {
		case <-done:
		case <-time.After(2 * bound):
			t.Fatalf("the consumer's close had not returned after %s against a stalled cluster", 2*bound)
		}
		if took := time.Since(start); took > bound {
			t.Errorf("the consumer's close took %s against a stalled cluster, want at most %s", took.Round(time.Millisecond), bound)
		} else {
			t.Logf("closed in %s", took.Round(time.Millisecond))
		}
	})
}
