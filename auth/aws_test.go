package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// fakeAWS is a local stand-in for the Secrets Manager and MSK endpoints,
// reached by the real SDK clients through the base endpoint override.
type fakeAWS struct {
	t        *testing.T
	secrets  map[string]string            // secret id → SecretString
	clusters map[string]map[string]string // cluster ARN → GetBootstrapBrokers JSON fields

	roles map[string]roleCreds // role ARN → credentials AssumeRole returns

	mu       sync.Mutex
	requests []string
	assumed  []url.Values // AssumeRole parameters, in order
}

// roleCreds are the temporary credentials of an assumed role.
type roleCreds struct{ id, secret, token string }

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath()+" "+r.Header.Get("X-Amz-Target"))
	f.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") {
		http.Error(w, `{"__type":"UnrecognizedClientException","message":"unsigned"}`, http.StatusForbidden)
		return
	}
	switch {
	case r.Method == http.MethodPost && strings.Contains(string(body), "Action=AssumeRole"):
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.assumed = append(f.assumed, form)
		f.mu.Unlock()
		rc, ok := f.roles[form.Get("RoleArn")]
		if !ok {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>%s/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>`+
			`<Credentials><AccessKeyId>%s</AccessKeyId><Expiration>%s</Expiration><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken></Credentials>`+
			`</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			form.Get("RoleArn"), rc.id, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), rc.secret, rc.token)
	case r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue":
		var in struct{ SecretId string }
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		v, ok := f.secrets[in.SecretId]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": in.SecretId, "Name": "AmazonMSK_bench", "SecretString": v})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/clusters/") && strings.HasSuffix(r.URL.Path, "/bootstrap-brokers"):
		arn := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/clusters/"), "/bootstrap-brokers")
		if u, err := url.PathUnescape(arn); err == nil {
			arn = u
		}
		fields, ok := f.clusters[arn]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.Header().Set("X-Amzn-Errortype", "NotFoundException")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"cluster not found"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(fields)
	default:
		f.t.Errorf("unexpected AWS request %s %s %q", r.Method, r.URL, r.Header.Get("X-Amz-Target"))
		http.Error(w, "unexpected", http.StatusNotImplemented)
	}
}

func (f *fakeAWS) start(t *testing.T) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}

func awsCreds(t *testing.T) {
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
}

func TestSCRAMPasswordFromSecretsManager(t *testing.T) {
	awsCreds(t)
	const (
		password = "from-secrets-manager-Pw9"
		arn      = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_bench-AbCdEf"
	)
	cluster := embedded.ForTest(t, 1, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "carol", password))
	fake := &fakeAWS{t: t, secrets: map[string]string{arn: `{"username":"carol","password":"` + password + `"}`}}
	endpoint := fake.start(t)

	var logs logRecorder
	cfg := Config{Brokers: cluster.Addrs(), DialTimeout: 5 * time.Second, awsEndpoint: endpoint, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, TLS: boolPtr(false), SCRAMSecretARN: arn}}
	c, err := Connect(context.Background(), cfg, logs.logf)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if c.SASL.Name() != "SCRAM-SHA-512" {
		t.Errorf("SASL = %s", c.SASL.Name())
	}
	if len(fake.requests) != 1 || !strings.Contains(fake.requests[0], "secretsmanager.GetSecretValue") {
		t.Errorf("AWS requests = %q, want one GetSecretValue", fake.requests)
	}

	t.Run("user mismatch", func(t *testing.T) {
		cfg := cfg
		cfg.SCRAMUser = "dave"
		_, err := Connect(context.Background(), cfg, t.Logf)
		if err == nil || !strings.Contains(err.Error(), `--scram-user "dave" differs from the username "carol"`) {
			t.Errorf("err = %v, want a user mismatch", err)
		}
	})
	t.Run("missing secret", func(t *testing.T) {
		cfg := cfg
		cfg.SCRAMSecretARN = arn + "-gone"
		_, err := Connect(context.Background(), cfg, t.Logf)
		if err == nil || !strings.Contains(err.Error(), "read SCRAM secret "+arn+"-gone") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
			t.Errorf("err = %v, want a Secrets Manager error naming the secret", err)
		}
	})
	t.Run("secret that is not JSON", func(t *testing.T) {
		fake.secrets[arn+"-raw"] = password
		cfg := cfg
		cfg.SCRAMSecretARN = arn + "-raw"
		_, err := Connect(context.Background(), cfg, t.Logf)
		if err == nil || !strings.Contains(err.Error(), "is not JSON") || strings.Contains(err.Error(), password) {
			t.Errorf("err = %v, want 'is not JSON' without the value", err)
		}
	})
}

func TestBootstrapBrokersFromClusterARN(t *testing.T) {
	awsCreds(t)
	const arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/bench/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
	cluster := embedded.ForTest(t, 2)
	addrs := strings.Join(cluster.Addrs(), ",")
	fake := &fakeAWS{t: t, clusters: map[string]map[string]string{
		arn: {"bootstrapBrokerString": addrs, "bootstrapBrokerStringTls": "b-1.bench.x.c2.kafka.eu-west-1.amazonaws.com:9094"},
	}}
	endpoint := fake.start(t)

	var logs logRecorder
	c, err := Connect(context.Background(), Config{DialTimeout: 5 * time.Second, awsEndpoint: endpoint, Auth: plan.Auth{ClusterARN: arn, Mechanism: plan.MechanismNone}}, logs.logf)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if got := strings.Join(c.Brokers, ","); got != addrs {
		t.Errorf("Brokers = %s, want %s", got, addrs)
	}
	if len(fake.requests) != 1 || !strings.HasPrefix(fake.requests[0], "GET /v1/clusters/") {
		t.Errorf("AWS requests = %q, want one GetBootstrapBrokers", fake.requests)
	}

	t.Run("field by mechanism", func(t *testing.T) {
		// No IAM string on this cluster: the error names the field.
		_, err := Connect(context.Background(), Config{awsEndpoint: endpoint, Auth: plan.Auth{ClusterARN: arn, Mechanism: plan.MechanismIAM}}, t.Logf)
		if err == nil || !strings.Contains(err.Error(), "BootstrapBrokerStringSaslIam") {
			t.Errorf("err = %v, want the missing IAM field named", err)
		}
		_, err = Connect(context.Background(), Config{awsEndpoint: endpoint, Auth: plan.Auth{ClusterARN: arn, Mechanism: plan.MechanismTLS, Public: true}}, t.Logf)
		if err == nil || !strings.Contains(err.Error(), "no public bootstrap brokers") || !strings.Contains(err.Error(), "BootstrapBrokerStringPublicTls") {
			t.Errorf("err = %v, want the missing public TLS field named", err)
		}
	})
	t.Run("auto prefers the strongest access", func(t *testing.T) {
		fake.clusters[arn+"-scram"] = map[string]string{"bootstrapBrokerString": "a:9092", "bootstrapBrokerStringSaslScram": "b:9096", "bootstrapBrokerStringPublicSaslScram": "c:9196"}
		for _, tt := range []struct {
			public bool
			want   string
		}{{false, "b:9096"}, {true, "c:9196"}} {
			brokers, mech, err := discoverBrokers(context.Background(), &Config{awsEndpoint: endpoint, Auth: plan.Auth{ClusterARN: arn + "-scram", Public: tt.public}}, plan.MechanismAuto, "eu-west-1", &secrets{})
			if err != nil {
				t.Fatal(err)
			}
			if mech != plan.MechanismSCRAMSHA512 || strings.Join(brokers, ",") != tt.want {
				t.Errorf("public=%t: discover = %v %s, want %s scram-sha-512", tt.public, brokers, mech, tt.want)
			}
		}
	})
}

func TestIAMWithAssumedRole(t *testing.T) {
	awsCreds(t)
	t.Setenv("AWS_REGION", testRegion)
	const (
		role  = "arn:aws:iam::123456789012:role/mskbench"
		topic = "role-bench"
	)
	assumed := roleCreds{id: "ASIAMSKBENCHROLE0001", secret: "role/secret/key/abcdefghijklmnopqrstuvwxyz01", token: "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"}
	fake := &fakeAWS{t: t, roles: map[string]roleCreds{role: assumed}}
	endpoint := fake.start(t)
	cluster := embedded.ForTest(t, 1, kfake.SeedTopics(1, topic))
	broker := &authtest.IAMBroker{Region: testRegion,
		Creds: aws.Credentials{AccessKeyID: assumed.id, SecretAccessKey: assumed.secret, SessionToken: assumed.token}}
	broker.Install(cluster.Kfake())

	var logs logRecorder
	c, err := Connect(context.Background(), Config{Brokers: cluster.Addrs(), DialTimeout: 5 * time.Second, awsEndpoint: endpoint, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false), AWSRoleARN: role, AWSExternalID: "ext-42", AWSSessionName: "nightly"}}, logs.logf)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if !strings.Contains(logs.String(), "from role "+role) {
		t.Errorf("log %q does not name the role", logs.String())
	}
	// Several transports, each with its own connections.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 3 {
		w := &kafka.Writer{Addr: kafka.TCP(cluster.Addrs()...), Topic: topic, Transport: c.Transport(),
			RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte(fmt.Sprint("m", i))}); err != nil {
			t.Fatalf("produce with transport %d: %v", i, err)
		}
		w.Close()
	}
	if got := broker.Accepted(); got < 4 {
		t.Errorf("authentications = %d, want the probe and one per transport", got)
	}
	fake.mu.Lock()
	calls := append([]url.Values(nil), fake.assumed...)
	fake.mu.Unlock()
	if len(calls) != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1 (credentials are cached, never assumed per connection)", len(calls))
	}
	p := calls[0]
	if p.Get("RoleArn") != role || p.Get("ExternalId") != "ext-42" || p.Get("RoleSessionName") != "nightly" {
		t.Errorf("AssumeRole parameters = %v", p)
	}

	t.Run("role not assumable", func(t *testing.T) {
		_, err := Connect(context.Background(), Config{Brokers: cluster.Addrs(), awsEndpoint: endpoint, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false), AWSRoleARN: role + "-other"}}, t.Logf)
		t.Logf("error: %v", err)
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "--aws-role-arn") {
			t.Errorf("err = %v, want AccessDenied with a hint", err)
		}
	})
}

// The AWS SDK writes its own log lines to stderr unless told otherwise (an
// IMDS token refused: "falling back to IMDSv1"). Connect never lets one
// through. The instance metadata endpoint is a loopback server that refuses
// the token, as IMDS does where IMDSv1 is allowed.
func TestNoAWSSDKLogLines(t *testing.T) {
	authtest.IsolateAWS(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not here", http.StatusNotFound)
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)

	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = f
	var logs logRecorder
	_, err = Connect(context.Background(), Config{Brokers: []string{closedAddr(t)}, Auth: plan.Auth{Mechanism: plan.MechanismIAM, AWSRegion: testRegion}}, logs.logf)
	os.Stderr = saved
	f.Close()
	if err == nil {
		t.Fatal("Connect without credentials succeeded")
	}
	raw, _ := os.ReadFile(f.Name())
	for what, text := range map[string]string{"stderr": string(raw), "log": logs.String(), "error": err.Error()} {
		for _, sdk := range []string{"SDK ", "WARN", "IMDSv1"} {
			if strings.Contains(text, sdk) {
				t.Errorf("%s holds an AWS SDK log line (%q):\n%s", what, sdk, text)
			}
		}
	}
}
