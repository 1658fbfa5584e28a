package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskbench/mskbench/internal/embedded"
)

const (
	testAccessKey = "AKIAMSKBENCHTEST0001"
	testSecretKey = "mskbench/TEST+secret/key0123456789abcdefXY"
	testRegion    = "eu-west-1"
)

// iamBroker makes a kfake cluster behave like an MSK IAM listener: it offers
// only OAUTHBEARER and checks every token the way MSK does, recomputing the
// SigV4 signature from the credentials it knows.
type iamBroker struct {
	t      *testing.T
	creds  aws.Credentials
	region string
	ok     atomic.Int64 // accepted authentications
	bad    atomic.Int64 // rejected authentications
}

func (b *iamBroker) install(kc *kfake.Cluster) {
	kc.ControlKey(int16(kmsg.SASLHandshake), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		r := req.(*kmsg.SASLHandshakeRequest)
		resp := r.ResponseKind().(*kmsg.SASLHandshakeResponse)
		resp.SupportedMechanisms = []string{"OAUTHBEARER"}
		if r.Mechanism != "OAUTHBEARER" {
			resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		}
		return resp, nil, true
	})
	kc.ControlKey(int16(kmsg.SASLAuthenticate), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		r := req.(*kmsg.SASLAuthenticateRequest)
		resp := r.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		if err := b.verify(r.SASLAuthBytes); err != nil {
			b.bad.Add(1)
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "[" + err.Error() + "] Access denied"
			resp.ErrorMessage = &msg
			return resp, nil, true
		}
		b.ok.Add(1)
		return resp, nil, true
	})
}

// verify checks one OAUTHBEARER client response.
func (b *iamBroker) verify(ir []byte) error {
	const prefix, suffix = "n,,\x01auth=Bearer ", "\x01\x01"
	if !bytes.HasPrefix(ir, []byte(prefix)) || !bytes.HasSuffix(ir, []byte(suffix)) {
		return fmt.Errorf("malformed OAUTHBEARER response")
	}
	tok := string(ir[len(prefix) : len(ir)-len(suffix)])
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return fmt.Errorf("token is not base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return fmt.Errorf("token is not a URL: %v", err)
	}
	q := u.Query()
	if got, want := u.Host, "kafka."+b.region+".amazonaws.com"; got != want {
		return fmt.Errorf("host %s, want %s", got, want)
	}
	if q.Get("Action") != "kafka-cluster:Connect" {
		return fmt.Errorf("action %q", q.Get("Action"))
	}
	cred := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(cred) != 5 || cred[0] != b.creds.AccessKeyID || cred[2] != b.region || cred[3] != "kafka-cluster" {
		return fmt.Errorf("credential scope %q", q.Get("X-Amz-Credential"))
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || exp <= 0 || exp > 900 {
		return fmt.Errorf("X-Amz-Expires %q", q.Get("X-Amz-Expires"))
	}
	if now := time.Now(); now.After(signed.Add(time.Duration(exp)*time.Second)) || signed.After(now.Add(5*time.Minute)) {
		return fmt.Errorf("token expired or from the future")
	}
	if !strings.HasPrefix(q.Get("User-Agent"), "aws-msk-iam-sasl-signer-go") {
		return fmt.Errorf("user agent %q", q.Get("User-Agent"))
	}
	// Recompute the signature over the same request.
	unsigned := url.Values{"Action": {"kafka-cluster:Connect"}, "X-Amz-Expires": {q.Get("X-Amz-Expires")}}
	req, err := http.NewRequest(http.MethodGet, "https://"+u.Host+"/?"+unsigned.Encode(), nil)
	if err != nil {
		return err
	}
	empty := sha256.Sum256(nil)
	want, _, err := v4.NewSigner().PresignHTTP(context.Background(), b.creds, req, hex.EncodeToString(empty[:]), "kafka-cluster", b.region, signed)
	if err != nil {
		return err
	}
	wu, err := url.Parse(want)
	if err != nil {
		return err
	}
	if got, want := q.Get("X-Amz-Signature"), wu.Query().Get("X-Amz-Signature"); got == "" || got != want {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

func TestIAMEndToEnd(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_REGION", testRegion)

	const topic = "iam-bench"
	cluster := embedded.ForTest(t, 1, kfake.SeedTopics(1, topic))
	broker := &iamBroker{t: t, creds: aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, region: testRegion}
	broker.install(cluster.Kfake())
	addrs := cluster.Addrs()

	var logs logRecorder
	conn, err := Connect(context.Background(), Config{Brokers: addrs, Mechanism: MechanismIAM, TLS: boolPtr(false), DialTimeout: 5 * time.Second}, logs.logf)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if conn.Region != testRegion || conn.SASL.Name() != "OAUTHBEARER" {
		t.Errorf("conn = %v, want OAUTHBEARER for %s", conn, testRegion)
	}
	if !strings.Contains(logs.String(), "iam tokens for region "+testRegion+" from the default credential chain") {
		t.Errorf("log %q does not say where the credentials came from", logs.String())
	}
	probed := broker.ok.Load()
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
	if got := broker.ok.Load(); got < probed+2 {
		t.Errorf("authentications = %d, want the probe plus at least one per writer and reader connection", got)
	}
	if got := broker.bad.Load(); got != 0 {
		t.Errorf("rejected authentications = %d, want 0", got)
	}
	if conn.Dials() < 2 {
		t.Errorf("Dials() = %d, want the writer's and reader's connections counted", conn.Dials())
	}

	t.Run("wrong secret key", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong/secret/key/0000000000000000000000")
		var logs logRecorder
		_, err := Connect(context.Background(), Config{Brokers: addrs, Mechanism: MechanismIAM, TLS: boolPtr(false), DialTimeout: 5 * time.Second}, logs.logf)
		if err == nil {
			t.Fatal("Connect with a wrong secret key succeeded")
		}
		t.Logf("error: %v", err)
		for _, want := range []string{addrs[0], "with iam", "IAM token was rejected", "kafka-cluster:Connect"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if broker.bad.Load() == 0 {
			t.Error("the broker saw no rejected token")
		}
	})
	t.Run("over TLS", func(t *testing.T) {
		ca := newTestCA(t, "root")
		tlsCluster := embedded.ForTest(t, 1, kfake.TLS(serverTLS(t, ca)))
		tb := &iamBroker{t: t, creds: broker.creds, region: testRegion}
		tb.install(tlsCluster.Kfake())
		c, err := Connect(context.Background(), Config{Brokers: tlsCluster.Addrs(), Mechanism: MechanismIAM,
			TLSCAFile: writeFile(t, "ca.pem", ca.pem), DialTimeout: 5 * time.Second}, t.Logf)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		if c.TLS == nil || len(c.Warnings) != 0 || tb.ok.Load() != 1 {
			t.Errorf("conn = %v, warnings %q, authentications %d; want TLS, no warning, one authentication", c, c.Warnings, tb.ok.Load())
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
	conn := mustConnect(t, Config{Brokers: cluster.Addrs(), Mechanism: MechanismNone})
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
