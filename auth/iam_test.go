package auth

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

const (
	testAccessKey = "AKIAMSKBENCHTEST0001"
	testSecretKey = "mskbench/TEST+secret/key0123456789abcdefXY"
	testRegion    = "eu-west-1"
)

func TestIAMEndToEnd(t *testing.T) {
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_REGION", testRegion)

	const topic = "iam-bench"
	cluster := embedded.ForTest(t, 1, kfake.SeedTopics(1, topic))
	broker := &authtest.IAMBroker{Creds: aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, Region: testRegion}
	broker.Install(cluster.Kfake())
	addrs := cluster.Addrs()

	var logs logRecorder
	conn, err := Connect(context.Background(), Config{Brokers: addrs, DialTimeout: 5 * time.Second, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false)}}, logs.logf)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if conn.Region != testRegion || conn.SASL.Name() != "OAUTHBEARER" {
		t.Errorf("conn = %v, want OAUTHBEARER for %s", conn, testRegion)
	}
	if !strings.Contains(logs.String(), "iam tokens for region "+testRegion+" from the default credential chain") {
		t.Errorf("log %q does not say where the credentials came from", logs.String())
	}
	probed := broker.Accepted()
	if probed == 0 {
		t.Fatal("the probe did not authenticate")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		Transport:    conn.Transport(),
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
	}
	msgs := []kafka.Message{{Value: []byte("one")}, {Value: []byte("two")}, {Value: []byte("three")}}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("produce over IAM: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: addrs, Topic: topic, Partition: 0, Dialer: conn.Dialer(), MaxWait: 100 * time.Millisecond,
	})
	defer r.Close()
	for i, want := range msgs {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("consume message %d over IAM: %v", i, err)
		}
		if string(m.Value) != string(want.Value) {
			t.Errorf("message %d = %q, want %q", i, m.Value, want.Value)
		}
	}
	if got := broker.Accepted(); got < probed+2 {
		t.Errorf("authentications = %d, want the probe plus at least one per writer and reader connection", got)
	}
	if got := broker.Rejected(); got != 0 {
		t.Errorf("rejected authentications = %d, want 0", got)
	}
	if conn.Dials() < 2 {
		t.Errorf("Dials() = %d, want the writer's and reader's connections counted", conn.Dials())
	}

	t.Run("franz-go", func(t *testing.T) {
		// The same Conn, the same token source: a franz-go client
		// produces and reads back over IAM.
		before := broker.Accepted()
		cl, err := kgo.NewClient(append(conn.KgoOpts(), kgo.ConsumeTopics(topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))...)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("four")}).FirstErr(); err != nil {
			t.Fatalf("produce over IAM: %v", err)
		}
		var got []string
		for len(got) < len(msgs)+1 && ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			if errs := fs.Errors(); len(errs) > 0 {
				t.Fatalf("consume over IAM: %v", errs)
			}
			fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
		}
		if want := []string{"one", "two", "three", "four"}; !slices.Equal(got, want) {
			t.Errorf("franz-go read %q, want %q", got, want)
		}
		if broker.Accepted() == before || broker.Rejected() != 0 {
			t.Errorf("authentications %d → %d, rejected %d: want the franz-go connections accepted", before, broker.Accepted(), broker.Rejected())
		}
	})

	t.Run("wrong secret key", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong/secret/key/0000000000000000000000")
		connectErr(t, Config{Brokers: addrs, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false)}},
			addrs[0], "with iam", "IAM token was rejected", "kafka-cluster:Connect")
		if broker.Rejected() == 0 {
			t.Error("the broker saw no rejected token")
		}
	})
	t.Run("over TLS", func(t *testing.T) {
		ca := authtest.NewCA(t, "root")
		tlsCluster := embedded.ForTest(t, 1, kfake.TLS(ca.ServerTLS(t)))
		tb := &authtest.IAMBroker{Creds: broker.Creds, Region: testRegion}
		tb.Install(tlsCluster.Kfake())
		c := mustConnect(t, Config{Brokers: tlsCluster.Addrs(), Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLSCAFile: authtest.WriteFile(t, "ca.pem", ca.PEM)}})
		if want := int64(len(probeClients)); c.TLS == nil || len(c.Warnings) != 0 || tb.Accepted() != want {
			t.Errorf("conn = %v, warnings %q, authentications %d; want TLS, no warning, one authentication per client (%d)", c, c.Warnings, tb.Accepted(), want)
		}
	})
	t.Run("region from the broker host name", func(t *testing.T) {
		if got := RegionFromHost("b-3.bench.x1y2z3.c2.kafka." + testRegion + ".amazonaws.com:9098"); got != testRegion {
			t.Errorf("RegionFromHost = %q", got)
		}
	})
}

func TestIAMTokenCache(t *testing.T) {
	var calls atomic.Int64
	now := time.Now()
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		calls.Add(1)
		return aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey, CanExpire: true, Expires: now.Add(10 * time.Minute)}, nil
	})
	m := newIAMMechanism(testRegion, creds)
	m.now = func() time.Time { return now }
	_, ir1, err := m.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, ir2, err := m.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || !bytes.Equal(ir1, ir2) {
		t.Errorf("second Start signed again (%d credential calls), want the cached token", calls.Load())
	}
	if !bytes.HasPrefix(ir1, []byte("n,,\x01auth=Bearer ")) || !bytes.HasSuffix(ir1, []byte("\x01\x01")) {
		t.Errorf("initial response %q has the wrong framing", ir1)
	}
	// The credentials expire in 10 minutes, before the 15-minute token:
	// the token is replaced a minute before they do.
	m.now = func() time.Time { return now.Add(9*time.Minute + time.Second) }
	if _, _, err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("credential calls = %d after the refresh point, want 2", calls.Load())
	}
	if s := fmt.Sprintf("%v %+v %#v %s", m, m, m, m); strings.Contains(s, "Bearer") || strings.Contains(s, testSecretKey) {
		t.Errorf("formatting the mechanism leaks: %s", s)
	}
}

// TestReconnectsAfterBrokerClosesConnection shows the counter through
// kafka-go: the broker drops the producer's connection (as MSK does when the
// credentials behind an IAM connection expire) and the writer reconnects.
func TestReconnectsAfterBrokerClosesConnection(t *testing.T) {
	const topic = "reconnect"
	cluster := embedded.ForTest(t, 1, kfake.SeedTopics(1, topic))
	conn := mustConnect(t, Config{Brokers: cluster.Addrs(), Auth: plan.Auth{Mechanism: plan.MechanismNone}})
	var dropped atomic.Int64
	cluster.Kfake().ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		dropped.Add(1)
		return nil, fmt.Errorf("closing the connection"), true // handled once, then dropped
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := &kafka.Writer{Addr: kafka.TCP(cluster.Addrs()...), Topic: topic, Transport: conn.Transport(),
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 5, WriteBackoffMin: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("after reconnect")}); err != nil {
		t.Fatalf("produce: %v", err)
	}
	if dropped.Load() != 1 {
		t.Fatalf("the broker dropped %d connections, want 1", dropped.Load())
	}
	if got := conn.Reconnects(); got < 1 {
		t.Errorf("Reconnects() = %d after the broker closed the connection, want at least 1", got)
	}
}
