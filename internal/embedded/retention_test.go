package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// With Retention set, records older than it are deleted: the partition's
// log start offset moves up to its high watermark once every record is older
// than the retention, and new records are kept.
func TestRetentionTrimsOldRecords(t *testing.T) {
	c, err := Start(Config{Brokers: 1, Retention: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.AllowAutoTopicCreation(), kgo.DefaultProduceTopic("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	creq := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = "t", 1, 1
	creq.Topics = append(creq.Topics, ct)
	if _, err := creq.RequestWith(ctx, cl); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte{byte(i)}}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	offsets := func() (start, end int64) {
		t.Helper()
		get := func(ts int64) int64 {
			req := kmsg.NewPtrListOffsetsRequest()
			rt := kmsg.NewListOffsetsRequestTopic()
			rt.Topic = "t"
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = 0, ts
			rt.Partitions = append(rt.Partitions, rp)
			req.Topics = append(req.Topics, rt)
			resp, err := req.RequestWith(ctx, cl)
			if err != nil {
				t.Fatal(err)
			}
			return resp.Topics[0].Partitions[0].Offset
		}
		return get(-2), get(-1) // earliest, latest
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		start, end := offsets()
		if end != 50 {
			t.Fatalf("high watermark %d, want 50", end)
		}
		if start == 50 {
			break // every old record deleted
		}
		if time.Now().After(deadline) {
			t.Fatalf("log start offset still %d of 50 long after the retention", start)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Without Retention nothing is deleted.
func TestNoRetentionKeepsRecords(t *testing.T) {
	if got := trimInterval(time.Hour); got != 10*time.Second {
		t.Errorf("trimInterval(1h) = %s, want 10s", got)
	}
	if got := trimInterval(100 * time.Millisecond); got != 50*time.Millisecond {
		t.Errorf("trimInterval(100ms) = %s, want 50ms", got)
	}
	c, err := Start(Config{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.stopTrim != nil {
		t.Error("a trimmer runs without Retention")
	}
}
