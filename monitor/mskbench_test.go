package monitor

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/report"
)

// End to end: the in-process cluster counts what a real client produced
// and consumed, serves it on /metrics over loopback, and the scraper reads
// it back as source mskbench_broker.
func TestMSKBenchBrokerEndToEnd(t *testing.T) {
	c, err := embedded.Start(embedded.Config{Brokers: 3, Metrics: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	url, err := c.ServeMetrics("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const (
		topic      = "e2e"
		partitions = 6
		rf         = 2
		records    = 60
		valueSize  = 100
	)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	creq := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = topic, partitions, rf
	creq.Topics = append(creq.Topics, ct)
	if _, err := creq.RequestWith(ctx, cl); err != nil {
		t.Fatal(err)
	}

	m, err := New(Config{Source: report.BrokerSourcePrometheus, Targets: []Target{{URL: url}}, Interval: time.Hour, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	waitScrapes(t, m, 1, false) // before any record

	for i := range records {
		v := []byte(fmt.Sprintf("%0*d", valueSize, i))
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: v, Partition: int32(i % partitions)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	for got := 0; got < records; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		got += fs.NumRecords()
	}
	// The counts the cluster kept itself.
	var in, out, recIn, recOut, produces int64
	for _, b := range c.Counters() {
		in, out, recIn, recOut, produces = in+b.BytesIn, out+b.BytesOut, recIn+b.RecordsIn, recOut+b.RecordsOut, produces+b.ProduceRequests
	}
	if recIn != records || recOut != records {
		t.Errorf("records in %d, out %d, want %d each", recIn, recOut, records)
	}
	if produces != records {
		t.Errorf("produce requests = %d, want %d (one ProduceSync each)", produces, records)
	}
	// Bytes in are read from produce requests, bytes out from fetch
	// responses: two measurements of the same stored batches.
	if in != out || in < records*valueSize || in > records*(valueSize+100) {
		t.Errorf("bytes in %d, out %d: want equal, about %d values of %d B plus batch headers", in, out, records, valueSize)
	}

	// A scrape in flight now may have started before the last record:
	// wait for one more that started after it.
	waitScrapes(t, m, len(history(m, 0))+2, true)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h := history(m, 0)
	first, last := h[0], h[len(h)-1] // before the topic's first record, after its last
	if first.err != nil || last.err != nil {
		t.Fatalf("scrapes: %v, %v", first.err, last.err)
	}
	got := m.Metrics([]report.Interval{{Start: first.at, End: last.at, Phase: "measure"}})
	if got.Source != report.BrokerSourceMSKBenchBroker {
		t.Errorf("source = %q, want mskbench_broker", got.Source)
	}
	if len(got.Brokers) != 3 {
		t.Fatalf("brokers = %+v, want 3", got.Brokers)
	}
	dt := last.at.Sub(first.at).Seconds()
	var sumIn, sumMsgsIn, sumMsgsOut, sumParts, sumLeaders float64
	for i, b := range got.Brokers {
		if b.ID != int32(i) || b.Host != c.Addrs()[i] || len(b.Samples) != 1 {
			t.Fatalf("broker %d = %+v", i, b)
		}
		s := b.Samples[0]
		for name, p := range map[string]*float64{"bytes in": s.BytesInPerSec, "messages in": s.MessagesInPerSec, "messages out": s.MessagesOutPerSec,
			"partitions": s.PartitionCount, "leaders": s.LeaderCount, "cpu": s.CPUUtilization, "network rx": s.NetworkRxBytesPerSec} {
			if p == nil {
				t.Fatalf("broker %d: %s not measured", i, name)
			}
		}
		if *s.CPUUtilization < 0 || *s.CPUUtilization > 1 {
			t.Errorf("broker %d cpu = %v", i, *s.CPUUtilization)
		}
		sumIn += *s.BytesInPerSec * dt
		sumMsgsIn += *s.MessagesInPerSec * dt
		sumMsgsOut += *s.MessagesOutPerSec * dt
		sumParts += *s.PartitionCount
		sumLeaders += *s.LeaderCount
	}
	for name, c := range map[string][2]float64{"bytes in": {sumIn, float64(in)}, "records in": {sumMsgsIn, records}, "records out": {sumMsgsOut, records},
		"partition replicas": {sumParts, partitions * rf}, "leaders": {sumLeaders, partitions}} {
		if math.Abs(c[0]-c[1]) > 1e-6*c[1] {
			t.Errorf("%s over the brokers = %v, want %v", name, c[0], c[1])
		}
	}
	for _, mm := range got.Missing {
		if mm.Metric == "bytes_in_per_sec" || mm.Metric == "partition_count" {
			t.Errorf("missing lists a measured figure: %+v", mm)
		}
	}
}
