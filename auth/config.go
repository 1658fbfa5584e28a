package auth

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Mechanism names accepted in Config.Mechanism (and --auth).
const (
	MechanismAuto        = "auto"          // pick from the bootstrap port
	MechanismNone        = "none"          // plaintext, no authentication
	MechanismTLS         = "tls"           // TLS encryption, no client authentication
	MechanismMTLS        = "mtls"          // TLS with a client certificate
	MechanismSCRAMSHA512 = "scram-sha-512" // SASL/SCRAM-SHA-512 (the only SCRAM MSK offers)
	MechanismSCRAMSHA256 = "scram-sha-256" // SASL/SCRAM-SHA-256
	MechanismIAM         = "iam"           // MSK IAM: SASL/OAUTHBEARER with a SigV4 token
)

// Mechanisms returns every accepted Config.Mechanism value, "auto" first.
func Mechanisms() []string {
	return []string{MechanismAuto, MechanismNone, MechanismTLS, MechanismMTLS,
		MechanismSCRAMSHA512, MechanismSCRAMSHA256, MechanismIAM}
}

// DefaultConnectRate is the default ceiling on new connections per second
// (MSK's recommended limit for IAM connections per broker).
const DefaultConnectRate = 100

// DefaultDialTimeout is the default timeout of one connection attempt,
// including the TLS handshake and SASL authentication.
const DefaultDialTimeout = 10 * time.Second

// Config says how to reach and authenticate to a cluster. The zero value
// means: mechanism "auto", default TLS for the mechanism, brokers required.
//
// Config holds no secret values, only where to find them (an environment
// variable name, a file, a Secrets Manager ARN), so it is safe to print and to
// record in a result file.
type Config struct {
	// Brokers are the bootstrap addresses, host:port. Empty only when
	// ClusterARN is set.
	Brokers []string
	// Mechanism is one of Mechanisms(); "" means "auto".
	Mechanism string
	// TLS forces TLS on (true) or off (false); nil means the mechanism's
	// default: off for none, on for every other mechanism. Off with SCRAM or
	// IAM is only useful against local test clusters.
	TLS *bool

	// TLSCAFile is a PEM file of CA certificates trusted in addition to the
	// system roots.
	TLSCAFile string
	// TLSCertFile and TLSKeyFile are the PEM client certificate and private
	// key for mtls (optional with other TLS mechanisms).
	TLSCertFile string
	TLSKeyFile  string
	// TLSServerName overrides the host name verified in broker certificates.
	TLSServerName string
	// TLSInsecureSkipVerify disables certificate verification (with a
	// warning). Never use it against a production cluster.
	TLSInsecureSkipVerify bool

	// SCRAMUser is the SCRAM user name; with SCRAMSecretARN it defaults to
	// the secret's username.
	SCRAMUser string
	// SCRAMPasswordEnv names the environment variable holding the password.
	SCRAMPasswordEnv string
	// SCRAMPasswordFile is a file holding the password (trailing newlines
	// are dropped).
	SCRAMPasswordFile string
	// SCRAMSecretARN is the ARN (or name) of a Secrets Manager secret whose
	// value is {"username": "...", "password": "..."}; MSK requires names
	// starting with "AmazonMSK_".
	SCRAMSecretARN string

	// AWSRegion is the region for IAM tokens and AWS API calls; "" means
	// the broker host name (b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com),
	// the cluster ARN, then the environment / profile.
	AWSRegion string
	// AWSProfile selects a named profile of the shared config files.
	AWSProfile string
	// AWSRoleARN, when set, is assumed (with STS AssumeRole, cached and
	// refreshed before expiry) on top of the base credentials.
	AWSRoleARN string
	// AWSExternalID is the external ID passed to AssumeRole.
	AWSExternalID string
	// AWSSessionName is the role session name; default "mskbench".
	AWSSessionName string

	// ClusterARN, when set and Brokers is empty, resolves the bootstrap
	// brokers with MSK GetBootstrapBrokers.
	ClusterARN string
	// Public picks the public bootstrap strings of GetBootstrapBrokers.
	Public bool

	// ConnectRate caps new connections per second across every transport
	// and dialer of the Conn; 0 means DefaultConnectRate, negative means
	// unlimited.
	ConnectRate float64
	// DialTimeout bounds one connection attempt (TCP, TLS and SASL); 0
	// means DefaultDialTimeout.
	DialTimeout time.Duration
	// ClientID is the Kafka client.id; "" means "mskbench".
	ClientID string

	// awsEndpoint overrides the base endpoint of every AWS client (tests).
	awsEndpoint string
}

// Validate reports every problem of c at once (nil when there is none). It
// does not touch files, the network or the environment.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 && c.ClusterARN == "" {
		errs = append(errs, errors.New("auth: no brokers: set the bootstrap brokers or --cluster-arn"))
	}
	for _, b := range c.Brokers {
		if _, _, err := splitBroker(b); err != nil {
			errs = append(errs, fmt.Errorf("auth: broker %q: %w", b, err))
		}
	}
	m := c.Mechanism
	if m == "" {
		m = MechanismAuto
	}
	known := false
	for _, k := range Mechanisms() {
		if m == k {
			known = true
		}
	}
	if !known {
		errs = append(errs, fmt.Errorf("auth: unknown mechanism %q (want one of %s)", c.Mechanism, strings.Join(Mechanisms(), ", ")))
	}
	if c.TLS != nil && !*c.TLS && (m == MechanismTLS || m == MechanismMTLS) {
		errs = append(errs, fmt.Errorf("auth: mechanism %s needs TLS, but TLS is off", m))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("auth: --tls-cert and --tls-key go together"))
	}
	if m == MechanismMTLS && c.TLSCertFile == "" {
		errs = append(errs, errors.New("auth: mechanism mtls needs a client certificate: set --tls-cert and --tls-key"))
	}
	if isSCRAM(m) {
		n := 0
		for _, s := range []string{c.SCRAMPasswordEnv, c.SCRAMPasswordFile, c.SCRAMSecretARN} {
			if s != "" {
				n++
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("auth: mechanism %s needs a password: set --scram-password-env, --scram-password-file or --scram-secret-arn", m))
		}
		if n > 1 {
			errs = append(errs, errors.New("auth: set only one of --scram-password-env, --scram-password-file, --scram-secret-arn"))
		}
		if c.SCRAMUser == "" && c.SCRAMSecretARN == "" {
			errs = append(errs, fmt.Errorf("auth: mechanism %s needs --scram-user", m))
		}
	}
	if c.AWSExternalID != "" && c.AWSRoleARN == "" {
		errs = append(errs, errors.New("auth: --aws-external-id needs --aws-role-arn"))
	}
	if c.DialTimeout < 0 {
		errs = append(errs, fmt.Errorf("auth: dial timeout %v is negative", c.DialTimeout))
	}
	return errors.Join(errs...)
}

func isSCRAM(m string) bool { return m == MechanismSCRAMSHA512 || m == MechanismSCRAMSHA256 }

// AutoMechanism returns the mechanism "auto" picks for a bootstrap address,
// from the MSK port conventions: 9092 → none; 9094, 9194 → tls; 9096, 9196 →
// scram-sha-512; 9098, 9198 → iam; the IPv6 ports 2009x likewise; any other
// port → none.
func AutoMechanism(broker string) string {
	_, port, err := splitBroker(broker)
	if err != nil {
		return MechanismNone
	}
	switch port {
	case 9094, 9194, 20094:
		return MechanismTLS
	case 9096, 9196, 20096:
		return MechanismSCRAMSHA512
	case 9098, 9198, 20098:
		return MechanismIAM
	default:
		return MechanismNone
	}
}

// RegionFromHost returns the AWS region in an MSK broker host name such as
// b-1.mycluster.abc123.c2.kafka.eu-west-1.amazonaws.com or the serverless
// boot-abc.c1.kafka-serverless.eu-west-1.amazonaws.com, or "" when the host
// is not one.
func RegionFromHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(host), "."), ".")
	for i := 0; i+2 < len(labels); i++ {
		if (labels[i] == "kafka" || labels[i] == "kafka-serverless") && labels[i+2] == "amazonaws" && looksLikeRegion(labels[i+1]) {
			return labels[i+1]
		}
	}
	return ""
}

// RegionFromARN returns the region field of an ARN, or "".
func RegionFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	if looksLikeRegion(parts[3]) {
		return parts[3]
	}
	return ""
}

// looksLikeRegion accepts names like us-east-1, eu-central-2, us-gov-west-1.
func looksLikeRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	if _, err := strconv.Atoi(parts[len(parts)-1]); err != nil {
		return false
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < 'a' || r > 'z' {
				return false
			}
		}
	}
	return true
}

func splitBroker(b string) (string, int, error) {
	host, p, err := net.SplitHostPort(b)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	return host, port, nil
}
