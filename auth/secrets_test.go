package auth

import (
	"context"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

// printAll formats v with every verb a caller is likely to use.
func printAll(v any) string {
	return fmt.Sprintf("%v|%+v|%#v|%s|%q", v, v, v, v, v)
}

// TestSecretsNeverPrinted asserts that a known password, AWS secret key,
// IAM token and client private key appear in no error, log line or
// formatted Config / Conn.
func TestSecretsNeverPrinted(t *testing.T) {
	const password = "Very-Secret-Scram-Pw-42"
	awsCreds(t)
	t.Setenv("AWS_REGION", testRegion)
	t.Setenv("MSKBENCH_TEST_PASSWORD", password)
	t.Setenv("MSKBENCH_TEST_WRONG", password+"-but-wrong")

	var out strings.Builder
	var logs logRecorder
	check := func(what, s string) {
		t.Helper()
		for _, secret := range []string{password, testSecretKey, "Bearer", "X-Amz-Signature"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s contains secret %q: %s", what, secret, s)
			}
		}
		out.WriteString(s)
	}

	// SCRAM: success and failure.
	scramCluster := embedded.ForTest(t, 1, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "alice", password))
	cfg := Config{Brokers: scramCluster.Addrs(), DialTimeout: 5 * time.Second, Auth: plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, TLS: boolPtr(false), SCRAMUser: "alice", SCRAMPasswordEnv: "MSKBENCH_TEST_PASSWORD"}}
	c, err := Connect(context.Background(), cfg, logs.logf)
	if err != nil {
		t.Fatal(err)
	}
	check("SCRAM Conn", printAll(c))
	check("SCRAM Conn.SASL", printAll(c.SASL))

	check("Config", printAll(cfg))
	check("*Config", printAll(&cfg))
	cfg.SCRAMPasswordEnv = "MSKBENCH_TEST_WRONG"
	_, err = Connect(context.Background(), cfg, logs.logf)
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	check("SCRAM error", err.Error()+printAll(err))

	// IAM: success and a rejected token.
	iamCluster := embedded.ForTest(t, 1)
	(&authtest.IAMBroker{Creds: aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, Region: testRegion}).Install(iamCluster.Kfake())
	icfg := Config{Brokers: iamCluster.Addrs(), DialTimeout: 5 * time.Second, Auth: plan.Auth{Mechanism: plan.MechanismIAM, TLS: boolPtr(false)}}
	ic, err := Connect(context.Background(), icfg, logs.logf)
	if err != nil {
		t.Fatal(err)
	}
	check("IAM Conn", printAll(ic))
	check("IAM Conn.SASL", printAll(ic.SASL))
	check("IAM Transport SASL", printAll(ic.Transport().SASL))
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey+"X")
	_, err = Connect(context.Background(), icfg, logs.logf)
	if err == nil {
		t.Fatal("wrong secret key accepted")
	}
	check("IAM error", err.Error()+printAll(err))

	// mTLS: the client private key.
	ca := authtest.NewCA(t, "root")
	leaf := ca.Issue(t, "client", false)
	certPEM, keyPEM := leaf.CertPEM, leaf.KeyPEM
	block, _ := pem.Decode(keyPEM)
	keyText := strings.Split(string(keyPEM), "\n")[1] // the first base64 line of the key
	tc, _, err := buildTLS(&Config{Auth: plan.Auth{TLSCertFile: authtest.WriteFile(t, "c.pem", certPEM), TLSKeyFile: authtest.WriteFile(t, "c.key", keyPEM)}})
	if err != nil {
		t.Fatal(err)
	}
	mc := &Conn{Brokers: []string{"127.0.0.1:9094"}, Mechanism: plan.MechanismMTLS, TLS: tc}
	for _, s := range []string{printAll(mc), fmt.Sprint(mc.TLS != nil)} {
		if strings.Contains(s, keyText) || strings.Contains(s, fmt.Sprint(block.Bytes)) || strings.Contains(s, "PrivateKey") {
			t.Errorf("formatted mtls Conn shows the private key: %s", s)
		}
	}

	check("logs", logs.String())
	if !strings.Contains(out.String(), "OAUTHBEARER") || !strings.Contains(out.String(), "SCRAM-SHA-512") {
		t.Errorf("the formatted values say nothing useful: %s", out.String())
	}
}
