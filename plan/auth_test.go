package plan

import (
	"strings"
	"testing"
)

func boolPtr(b bool) *bool { return &b }

func TestAuthValidate(t *testing.T) {
	for _, tt := range []struct {
		name     string
		a        Auth
		embedded bool
		want     []string // "field: message" of every problem, in order
	}{
		{"defaults", DefaultAuth(), false, nil},
		{"zero value is auto", Auth{}, false, nil},
		{"embedded takes auto", Auth{}, true, nil},
		{"unknown mechanism", Auth{Mechanism: "kerberos"}, false,
			[]string{`mechanism: unknown mechanism "kerberos"; want one of auto, none, tls, mtls, scram-sha-512, scram-sha-256, iam`}},
		{"embedded with iam", Auth{Mechanism: MechanismIAM}, true,
			[]string{"mechanism: the embedded cluster takes no authentication; want mechanism auto or none, got iam"}},
		{"embedded with tls on", Auth{TLS: boolPtr(true)}, true,
			[]string{"tls: the embedded cluster speaks plaintext only; leave tls unset or false"}},
		{"tls off for tls", Auth{Mechanism: MechanismTLS, TLS: boolPtr(false)}, false,
			[]string{"tls: mechanism tls needs TLS, but TLS is off"}},
		// Local SASL test clusters run without TLS.
		{"iam without tls", Auth{Mechanism: MechanismIAM, TLS: boolPtr(false)}, false, nil},
		{"none with tls means tls", Auth{Mechanism: MechanismNone, TLS: boolPtr(true)}, false, nil},
		{"mtls without certificate", Auth{Mechanism: MechanismMTLS}, false,
			[]string{"tls_cert: mechanism mtls needs a client certificate: set tls_cert and tls_key"}},
		{"certificate without key", Auth{Mechanism: MechanismMTLS, TLSCertFile: "c.pem"}, false,
			[]string{"tls_key: tls_cert and tls_key go together: a client certificate needs both"}},
		{"key without certificate", Auth{TLSKeyFile: "c.key"}, false,
			[]string{"tls_cert: tls_cert and tls_key go together: a client certificate needs both"}},
		{"scram without a password", Auth{Mechanism: MechanismSCRAMSHA512, SCRAMUser: "u"}, false,
			[]string{"mechanism: scram-sha-512 needs credentials: scram_user with scram_password_env or scram_password_file, or scram_secret_arn"}},
		{"scram with two passwords", Auth{Mechanism: MechanismSCRAMSHA256, SCRAMUser: "u", SCRAMPasswordEnv: "P", SCRAMPasswordFile: "f"}, false,
			[]string{"scram_password_env: give exactly one of scram_password_env, scram_password_file and scram_secret_arn"}},
		{"scram without user", Auth{Mechanism: MechanismSCRAMSHA512, SCRAMPasswordEnv: "P"}, false,
			[]string{"scram_user: scram-sha-512 needs scram_user with scram_password_env or scram_password_file"}},
		{"scram user from the secret", Auth{Mechanism: MechanismSCRAMSHA512, SCRAMSecretARN: "AmazonMSK_bench"}, false, nil},
		{"role options without a role", Auth{Mechanism: MechanismIAM, AWSExternalID: "x", AWSSessionName: "n", ClusterARN: "c"}, false, []string{
			`cluster_arn: want an ARN (arn:aws:...), got "c"`,
			"aws_external_id: aws_external_id needs aws_role_arn",
			"aws_session_name: aws_session_name needs aws_role_arn",
		}},
		{"negative connect rate", Auth{ConnectRate: -1}, false,
			[]string{"connect_rate: must be a number of connections per second, not negative (0 = no bound), got -1"}},
		// Every problem at once, even with an unknown mechanism.
		{"several", Auth{Mechanism: "x", TLSCertFile: "c", ConnectRate: -2}, false, []string{
			`mechanism: unknown mechanism "x"; want one of auto, none, tls, mtls, scram-sha-512, scram-sha-256, iam`,
			"tls_key: tls_cert and tls_key go together: a client certificate needs both",
			"connect_rate: must be a number of connections per second, not negative (0 = no bound), got -2",
		}},
	} {
		var got []string
		for _, p := range tt.a.Validate(tt.embedded) {
			got = append(got, p.Field+": "+p.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: Validate =\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

// The caller spells the settings a message names; values the user wrote
// are never taken for setting names.
func TestProblemText(t *testing.T) {
	flag := func(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") }
	ps := Auth{Mechanism: MechanismMTLS, TLSCertFile: "c.pem"}.Validate(false)
	if len(ps) != 1 || ps[0].Text(flag) != "--tls-cert and --tls-key go together: a client certificate needs both" {
		t.Errorf("Text = %q", ps)
	}
	ps = Auth{Mechanism: "{tls}"}.Validate(false)
	if len(ps) != 1 || !strings.HasPrefix(ps[0].Text(flag), `unknown mechanism "{tls}";`) || ps[0].Value != "{tls}" || len(ps[0].Choices) != 7 {
		t.Errorf("unknown mechanism with braces: %+v, text %q", ps, ps[0].Text(flag))
	}
}
