package load

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

func TestMessageBytes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		key, value []byte
		headers    []header
		want       int
	}{
		{"value only", nil, make([]byte, 100), nil, 100},
		{"key and value", []byte("key-7"), make([]byte, 100), nil, 105},
		{"headers", []byte("k"), make([]byte, 10), []header{{"trace", []byte("abc")}, {"empty", nil}}, 1 + 10 + 5 + 3 + 5},
		{"nothing", nil, nil, nil, 0},
	} {
		if got := messageBytes(tc.key, tc.value, tc.headers); got != tc.want {
			t.Errorf("%s: messageBytes = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// foreignBytes reads every record of topic with franz-go's kgo consumer (a
// client of its own, not the engine's) and sums len(key) + len(value) +
// every header's key and value.
func foreignBytes(t *testing.T, c *embedded.Cluster, topic string) (records, bytes int64) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends := testAdminEnds(t, c, topic)
	var want int64
	for _, e := range ends {
		want += e
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for records < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s: %v", records, want, topic, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			records++
			bytes += int64(len(r.Key) + len(r.Value))
			for _, h := range r.Headers {
				bytes += int64(len(h.Key) + len(h.Value))
			}
		})
	}
	return records, bytes
}

// testAdminEnds returns the end offset of every partition of topic.
func testAdminEnds(t *testing.T, c *embedded.Cluster, topic string) map[int32]int64 {
	t.Helper()
	adm := testAdmin(t, plan.ClientFranzGo, testConn(c))
	ends, err := adm.a.listOffsets(t.Context(), topic, offsetEnd)
	if err != nil {
		t.Fatal(err)
	}
	return ends
}

// TestRunByteCounts runs a keyed step without warm-up (every message is
// measured) on a kept topic, on both clients, and checks the acknowledged
// and consumed byte counts against the bytes a foreign client reads from
// the topic: key + value + headers of every record.
func TestRunByteCounts(t *testing.T) {
	t.Parallel() // waits more than it computes; exact counts
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		pl := faultPlan(3)
		pl.Client = cl
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(time.Second)
		pl.Producers.MessageSize = plan.SizeDist{Min: 100, Max: 333}
		pl.Producers.Keys = plan.Keys{Mode: plan.KeysRandom, Cardinality: 1000}
		pl.Topics.Keep = true
		pl.Consumers.PerGroup = 1
		step := runBounded(t, pl, c, Options{RunID: "bytes"})
		records, bytes := foreignBytes(t, c, step.Topics[0])
		cn := step.Counters
		if records != cn.Acked || cn.Consumed != cn.Acked || !step.Verification.Complete {
			t.Fatalf("the topic holds %d records; acked %d, consumed %d, verification %+v: want all equal, complete",
				records, cn.Acked, cn.Consumed, step.Verification)
		}
		if cn.AckedBytes != bytes || cn.ConsumedBytes != bytes {
			t.Errorf("acked bytes %d, consumed bytes %d; a foreign consumer read %d bytes (key + value + headers) in %d records",
				cn.AckedBytes, cn.ConsumedBytes, bytes, records)
		}
	})
}
