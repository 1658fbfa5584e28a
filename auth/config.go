package auth

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mskbench/mskbench/plan"
)

// Config says how to reach and authenticate to a cluster: the
// authentication settings (plan.Auth, the one shape of them, shared with the
// scenario's cluster.auth block and the flags of mskbench run) plus what only
// a connection needs. The zero value means mechanism auto, TLS by mechanism,
// no connection-rate cap, DialTimeout plan.DefaultDialTimeout; Brokers (or
// ClusterARN) is required.
//
// Config holds no secret values, only where to find them (an environment
// variable name, a file, a Secrets Manager ARN), so it is safe to print.
type Config struct {
	plan.Auth
	// Brokers are the bootstrap addresses, host:port. Empty only when
	// ClusterARN is set.
	Brokers []string
	// DialTimeout bounds one connection attempt (TCP, TLS and SASL); 0
	// means plan.DefaultDialTimeout.
	DialTimeout time.Duration
	// ClientID is the Kafka client.id; "" means "mskbench".
	ClientID string
	// Client is the Kafka client that probes the cluster (the run's first
	// client, so its authentication is what the probe tests); "" means
	// franz-go.
	Client plan.Client

	// awsEndpoint overrides the base endpoint of every AWS client (tests).
	awsEndpoint string
}

// Validate reports every problem of c at once (nil when there is none):
// the brokers and the dial timeout, then plan.Auth.Validate, whose problems
// read "auth: KEY: message" with the settings named by their scenario keys
// (mskbench run validates first and names its flags instead). It does not
// touch files, the network or the environment.
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
	if c.DialTimeout < 0 {
		errs = append(errs, fmt.Errorf("auth: dial timeout %v is negative", c.DialTimeout))
	}
	for _, p := range c.Auth.Validate(false) {
		errs = append(errs, fmt.Errorf("auth: %s: %s", p.Field, p))
	}
	return errors.Join(errs...)
}

func isSCRAM(m string) bool { return m == plan.MechanismSCRAMSHA512 || m == plan.MechanismSCRAMSHA256 }

// AutoMechanism returns the mechanism "auto" picks for a bootstrap address,
// from the MSK port conventions: 9092 → none; 9094, 9194 → tls; 9096, 9196 →
// scram-sha-512; 9098, 9198 → iam; the IPv6 ports 2009x likewise; any other
// port → none.
func AutoMechanism(broker string) string {
	_, port, err := splitBroker(broker)
	if err != nil {
		return plan.MechanismNone
	}
	switch port {
	case 9094, 9194, 20094:
		return plan.MechanismTLS
	case 9096, 9196, 20096:
		return plan.MechanismSCRAMSHA512
	case 9098, 9198, 20098:
		return plan.MechanismIAM
	default:
		return plan.MechanismNone
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
