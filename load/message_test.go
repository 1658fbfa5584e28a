package load

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// readTopic reads n records of topic from its start with a plain kgo
// consumer (a client foreign to the engine), failing the test when they do
// not arrive within a minute.
func readTopic(t *testing.T, conn *auth.Conn, topic string, n int64) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out []*kgo.Record
	for int64(len(out)) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s: %v", len(out), n, topic, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

// shortPlan is testPlan on client cl for half a second without warm-up,
// its topics kept for a foreign reader.
func shortPlan(cl plan.Client) plan.Plan {
	pl := testPlan()
	pl.Client = cl
	pl.Topics.Keep = true
	pl.Phases.Warmup = 0
	pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
	return pl
}

// Headers arrive at a foreign client with the configured count and sizes,
// on both clients, and count in the byte figures (key + value + headers).
func TestHeadersArrive(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := shortPlan(cl)
		pl.Producers.Headers = plan.Headers{Count: 3, KeySize: 12, ValueSize: 40}
		pl.Producers.Keys = plan.Keys{Mode: plan.KeysRandom, Cardinality: 10}
		step, err := Run(t.Context(), pl, conn, Options{RunID: "hdr"})
		if err != nil {
			t.Fatal(err)
		}
		n := step.Counters.Acked
		if n == 0 || step.Counters.Consumed != n {
			t.Fatalf("acked %d, consumed %d", n, step.Counters.Consumed)
		}
		// "key-0" .. "key-9": 5 bytes each.
		if want := n * (1024 + 5 + 3*(12+40)); step.Counters.AckedBytes != want || step.Counters.ConsumedBytes != want {
			t.Errorf("acked bytes %d, consumed bytes %d; want %d (key + value + headers of %d messages)",
				step.Counters.AckedBytes, step.Counters.ConsumedBytes, want, n)
		}
		recs := readTopic(t, conn, step.Topics[0], step.Counters.Sent)
		for _, r := range recs {
			if len(r.Headers) != 3 {
				t.Fatalf("record at offset %d has %d headers, want 3", r.Offset, len(r.Headers))
			}
			for i, h := range r.Headers {
				if len(h.Key) != 12 || len(h.Value) != 40 || !strings.HasPrefix(h.Key, headerKeyPrefix) {
					t.Fatalf("header %d = %q (%d bytes of value); want a 12-byte key starting %q and a 40-byte value", i, h.Key, len(h.Value), headerKeyPrefix)
				}
			}
		}
	})
}

// The result shows the per-partition spread: one key puts every message on
// the partition murmur2 gives it (on both clients), so that partition holds
// them all and the skew is the partition count; the counts add up to the
// acknowledged messages.
func TestPartitionSpreadOneKey(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		pl := shortPlan(cl)
		pl.Consumers.Groups = 0
		pl.Producers.Keys = plan.Keys{Mode: plan.KeysUniform, Cardinality: 1}
		step, err := Run(t.Context(), pl, testConn(c), Options{RunID: "spread"})
		if err != nil {
			t.Fatal(err)
		}
		sp := step.PartitionSpread
		if sp == nil || len(sp.Partitions) != 4 {
			t.Fatalf("spread = %+v, want 4 partitions", sp)
		}
		hot := int32(keyPartition([]byte("key-0"), 4))
		var sum int64
		for _, p := range sp.Partitions {
			sum += p.Messages
			if (p.Partition == hot) != (p.Messages > 0) {
				t.Errorf("partition %d has %d messages; want all on partition %d (murmur2 of key-0)", p.Partition, p.Messages, hot)
			}
		}
		if sum != step.Counters.Acked || sp.Max != step.Counters.Acked || sp.Skew != 4 {
			t.Errorf("spread sums to %d, max %d, skew %g; want acked %d on one partition, skew 4", sum, sp.Max, sp.Skew, step.Counters.Acked)
		}
	})
}

// A payload file's records arrive byte for byte after the stamp: with
// order cycle, message seq of producer w carries record (seq·workers + w)
// mod records. franz-go reports the batches' compression (lz4 shrinks the
// repetitive records); kafka-go reports none.
func TestPayloadSample(t *testing.T) {
	recs := []string{`{"order":1,"item":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`, "\x00\x01\x02binary\xff", `{"order":3}`, strings.Repeat("z", 700)}
	file := filepath.Join(t.TempDir(), "orders.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(recs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := shortPlan(cl)
		pl.Producers.Payload = plan.Payload{File: file, Order: plan.PayloadCycle}
		pl.Producers.Compression = "lz4"
		pl.Verify = true
		step, err := Run(t.Context(), pl, conn, Options{RunID: "sample"})
		if err != nil {
			t.Fatal(err)
		}
		if step.Counters.Acked == 0 || step.Verification == nil || step.Verification.Problems() != 0 {
			t.Fatalf("acked %d, verification %+v", step.Counters.Acked, step.Verification)
		}
		seen := map[int]bool{}
		for _, r := range readTopic(t, conn, step.Topics[0], step.Counters.Sent) {
			st, err := VerifyStamp(r.Value)
			if err != nil {
				t.Fatalf("offset %d: %v", r.Offset, err)
			}
			i := int((st.Seq*uint64(pl.Producers.Workers) + uint64(st.Producer)) % uint64(len(recs)))
			if got := string(r.Value[StampSize:]); got != recs[i] {
				t.Fatalf("producer %d seq %d carries %q after the stamp, want record %d %q", st.Producer, st.Seq, got, i, recs[i])
			}
			seen[i] = true
		}
		if len(seen) != len(recs) {
			t.Errorf("records sent: %v, want all %d", seen, len(recs))
		}
		switch c := step.Compression; {
		case cl == plan.ClientKafkaGo && c != nil:
			t.Errorf("kafka-go step has compression %+v, want none (not reported)", c)
		case cl == plan.ClientFranzGo && (c == nil || !(c.Ratio > 0 && c.Ratio < 0.8)):
			t.Errorf("franz-go compression = %+v, want lz4 to shrink the batches below 0.8", c)
		case c != nil:
			t.Logf("compression: %d → %d bytes, ratio %.3f", c.UncompressedBytes, c.CompressedBytes, c.Ratio)
		}
	})
}
