package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Mechanism names accepted in Auth.Mechanism (the scenario's
// cluster.auth.mechanism and mskbench run --auth).
const (
	MechanismAuto        = "auto"          // pick from the bootstrap port (or, with ClusterARN, what the cluster offers)
	MechanismNone        = "none"          // plaintext, no authentication
	MechanismTLS         = "tls"           // TLS encryption, no client authentication
	MechanismMTLS        = "mtls"          // TLS with a client certificate
	MechanismSCRAMSHA512 = "scram-sha-512" // SASL/SCRAM-SHA-512 (the only SCRAM MSK offers)
	MechanismSCRAMSHA256 = "scram-sha-256" // SASL/SCRAM-SHA-256
	MechanismIAM         = "iam"           // MSK IAM: SASL/OAUTHBEARER with a SigV4 token
)

// Mechanisms returns every accepted Auth.Mechanism value, "auto" first.
func Mechanisms() []string {
	return []string{MechanismAuto, MechanismNone, MechanismTLS, MechanismMTLS,
		MechanismSCRAMSHA512, MechanismSCRAMSHA256, MechanismIAM}
}

// DefaultConnectRate is the default Auth.ConnectRate in new connections per
// second: MSK's recommended limit for new IAM connections per broker.
const DefaultConnectRate = 100

// Auth says how clients authenticate to a cluster: the one shape of these
// settings, read from the scenario's cluster.auth block (its keys are the
// JSON tags below), overridden by the flags of mskbench run (--auth, --tls,
// --tls-ca, ...) and consumed by auth.Connect. It holds references to
// secrets only (an environment variable name, a file, a Secrets Manager
// ARN), never a secret, so it is safe to print and to record in a result.
// The zero value means mechanism auto with TLS decided by the mechanism and
// no connection-rate bound; [DefaultAuth] holds the defaults a scenario
// starts from. Check it with [Auth.Validate].
type Auth struct {
	// Mechanism is one of [Mechanisms]; "" means auto. auto picks from the
	// first bootstrap broker's port (9098/9198 iam, 9096/9196 scram-sha-512,
	// 9094/9194 tls, 9092 and any other port none; tls becomes mtls with
	// TLSCertFile), or with ClusterARN and no brokers the strongest access
	// the cluster offers.
	Mechanism string `json:"mechanism"`
	// TLS forces TLS on (true) or off (false); nil means the mechanism's
	// default: off for none, on for every other mechanism. true with none
	// means tls. Off with SCRAM or IAM is only for local test clusters (MSK
	// runs them over TLS only); tls and mtls need it on.
	TLS *bool `json:"tls,omitempty"`
	// TLSCAFile is a PEM file of CA certificates trusted in addition to the
	// system roots.
	TLSCAFile string `json:"tls_ca,omitempty"`
	// TLSCertFile is the PEM client certificate: with TLSKeyFile or not at
	// all; required by mtls.
	TLSCertFile string `json:"tls_cert,omitempty"`
	// TLSKeyFile is the PEM private key of TLSCertFile.
	TLSKeyFile string `json:"tls_key,omitempty"`
	// TLSServerName overrides the host name verified in broker certificates.
	TLSServerName string `json:"tls_server_name,omitempty"`
	// TLSInsecureSkipVerify disables certificate verification (with a
	// warning recorded in the result). Never against a production cluster.
	TLSInsecureSkipVerify bool `json:"tls_insecure_skip_verify,omitempty"`
	// SCRAMUser is the SCRAM user name; with SCRAMSecretARN it defaults to
	// the secret's username (and must match it when given).
	SCRAMUser string `json:"scram_user,omitempty"`
	// SCRAMPasswordEnv names the environment variable holding the password.
	SCRAMPasswordEnv string `json:"scram_password_env,omitempty"`
	// SCRAMPasswordFile is a file holding the password (trailing newlines
	// are dropped).
	SCRAMPasswordFile string `json:"scram_password_file,omitempty"`
	// SCRAMSecretARN is the ARN (or name) of a Secrets Manager secret whose
	// value is {"username": "...", "password": "..."}; MSK requires names
	// starting with "AmazonMSK_". SCRAM needs exactly one of the three
	// password sources.
	SCRAMSecretARN string `json:"scram_secret_arn,omitempty"`
	// AWSRegion is the region for IAM tokens and AWS API calls; "" means
	// the broker host name (b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com),
	// the cluster ARN, then the environment / profile.
	AWSRegion string `json:"aws_region,omitempty"`
	// AWSProfile selects a named profile of the shared config files.
	AWSProfile string `json:"aws_profile,omitempty"`
	// AWSRoleARN, when set, is assumed (STS AssumeRole, cached and refreshed
	// before expiry, never per connection) on top of the base credentials.
	AWSRoleARN string `json:"aws_role_arn,omitempty"`
	// AWSExternalID is the external ID passed to AssumeRole (only with
	// AWSRoleARN).
	AWSExternalID string `json:"aws_external_id,omitempty"`
	// AWSSessionName is the role session name (only with AWSRoleARN);
	// default "mskbench".
	AWSSessionName string `json:"aws_session_name,omitempty"`
	// ClusterARN, when set and there are no bootstrap brokers, resolves them
	// with MSK GetBootstrapBrokers.
	ClusterARN string `json:"cluster_arn,omitempty"`
	// Public picks the public bootstrap brokers of GetBootstrapBrokers.
	Public bool `json:"public,omitempty"`
	// ConnectRate caps new connections per second across every client of a
	// run (>= 0; 0 = no cap; default [DefaultConnectRate]). MSK advises at
	// most 100/s per broker for IAM, 4/s on t3 brokers.
	ConnectRate float64 `json:"connect_rate"`
}

// DefaultAuth returns the authentication settings a scenario starts from:
// mechanism auto and [DefaultConnectRate].
func DefaultAuth() Auth {
	return Auth{Mechanism: MechanismAuto, ConnectRate: DefaultConnectRate}
}

// Problem is one invalid setting found by a validation, keyed by the
// setting's field name so that each caller can say where it was written:
// scenarios at the file:line:column of "cluster.auth."+Field, mskbench run
// by the flag that sets it.
type Problem struct {
	// Field is the key of the offending setting, e.g. "tls_cert" (the JSON
	// tag of its field).
	Field string
	// Value is set for a value that is not one of a fixed set: the value
	// as written.
	Value string
	// Choices are then the valid values, for "did you mean ...?" (see
	// internal/suggest).
	Choices []string
	// msg says what is wrong; a key between keyMarks stands for the name
	// of another setting, spelled by the caller (see Text).
	msg string
}

// Text returns the message with every setting it mentions spelled by name,
// which maps a key ("tls_key") to what the reader wrote ("--tls-key").
func (p Problem) Text(name func(key string) string) string {
	parts := strings.Split(p.msg, keyMark)
	for i := 1; i < len(parts); i += 2 {
		parts[i] = name(parts[i])
	}
	return strings.Join(parts, "")
}

// String returns the message with settings named by their keys, as a
// scenario file spells them.
func (p Problem) String() string { return p.Text(func(key string) string { return key }) }

// keyMark brackets a setting's key inside Problem.msg. Values a user wrote
// enter messages only through %q, which escapes it.
const keyMark = "\x01"

// problem returns a Problem of field whose message is format with args;
// "{key}" in format names another setting.
func problem(field, format string, args ...any) Problem {
	format = strings.NewReplacer("{", keyMark, "}", keyMark).Replace(format)
	return Problem{Field: field, msg: fmt.Sprintf(format, args...)}
}

// Validate returns every problem of a, in a fixed order; nil when there is
// none. embedded says that the brokers are the in-process cluster, which
// takes no authentication and no TLS. It reads no file, environment
// variable or network: auth.Connect reports unusable files and variables.
// It is the only validation of these settings (scenarios, mskbench run and
// auth.Connect all call it).
func (a Auth) Validate(embedded bool) []Problem {
	var out []Problem
	m := a.Mechanism
	if m == "" {
		m = MechanismAuto
	}
	known := slices.Contains(Mechanisms(), m)
	if !known {
		p := problem("mechanism", "unknown mechanism %q; want one of %s", a.Mechanism, strings.Join(Mechanisms(), ", "))
		p.Value, p.Choices = a.Mechanism, Mechanisms()
		out = append(out, p)
	}
	tlsOn, tlsOff := a.TLS != nil && *a.TLS, a.TLS != nil && !*a.TLS
	if embedded && known && m != MechanismAuto && m != MechanismNone {
		out = append(out, problem("mechanism", "the embedded cluster takes no authentication; want {mechanism} auto or none, got %s", m))
	}
	if embedded && tlsOn {
		out = append(out, problem("tls", "the embedded cluster speaks plaintext only; leave {tls} unset or false"))
	}
	switch m {
	case MechanismTLS, MechanismMTLS:
		if tlsOff {
			out = append(out, problem("tls", "mechanism %s needs TLS, but TLS is off", m))
		}
		if m == MechanismMTLS && a.TLSCertFile == "" && a.TLSKeyFile == "" {
			out = append(out, problem("tls_cert", "mechanism mtls needs a client certificate: set {tls_cert} and {tls_key}"))
		}
	case MechanismSCRAMSHA512, MechanismSCRAMSHA256:
		sources := 0
		for _, s := range []string{a.SCRAMPasswordEnv, a.SCRAMPasswordFile, a.SCRAMSecretARN} {
			if s != "" {
				sources++
			}
		}
		switch {
		case sources == 0:
			out = append(out, problem("mechanism", "%s needs credentials: {scram_user} with {scram_password_env} or {scram_password_file}, or {scram_secret_arn}", m))
		case sources > 1:
			out = append(out, problem("scram_password_env", "give exactly one of {scram_password_env}, {scram_password_file} and {scram_secret_arn}"))
		case a.SCRAMSecretARN == "" && a.SCRAMUser == "":
			out = append(out, problem("scram_user", "%s needs {scram_user} with {scram_password_env} or {scram_password_file}", m))
		}
	}
	switch {
	case a.TLSCertFile != "" && a.TLSKeyFile == "":
		out = append(out, problem("tls_key", "{tls_cert} and {tls_key} go together: a client certificate needs both"))
	case a.TLSCertFile == "" && a.TLSKeyFile != "":
		out = append(out, problem("tls_cert", "{tls_cert} and {tls_key} go together: a client certificate needs both"))
	}
	for _, x := range []struct{ key, val string }{{"aws_role_arn", a.AWSRoleARN}, {"cluster_arn", a.ClusterARN}} {
		if x.val != "" && !strings.HasPrefix(x.val, "arn:") {
			out = append(out, problem(x.key, "want an ARN (arn:aws:...), got %q", x.val))
		}
	}
	if a.AWSExternalID != "" && a.AWSRoleARN == "" {
		out = append(out, problem("aws_external_id", "{aws_external_id} needs {aws_role_arn}"))
	}
	if a.AWSSessionName != "" && a.AWSRoleARN == "" {
		out = append(out, problem("aws_session_name", "{aws_session_name} needs {aws_role_arn}"))
	}
	if !(a.ConnectRate >= 0) || math.IsInf(a.ConnectRate, 1) {
		out = append(out, problem("connect_rate", "must be a number of connections per second, not negative (0 = no bound), got %g", a.ConnectRate))
	}
	return out
}
