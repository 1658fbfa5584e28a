package load

import (
	"context"
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

// Headers arrive at a foreign client with the configured count and sizes,
// on both clients, and count in the byte figures (key + value + headers).
func TestHeadersArrive(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		pl := testPlan()
		pl.Client = cl
		pl.Topics.Keep = true
		pl.Phases.Warmup = 0
		pl.Phases.Duration = plan.Duration(500 * time.Millisecond)
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
