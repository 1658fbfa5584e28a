package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/mskbench/mskbench/plan"
)

// kafkaCode returns the Kafka protocol error code in err's chain, from
// either client (kafka-go's kafka.Error, franz-go's *kerr.Error).
func kafkaCode(err error) (int16, bool) {
	var ke kafka.Error
	if errors.As(err, &ke) {
		return int16(ke), true
	}
	var fe *kerr.Error
	if errors.As(err, &fe) {
		return fe.Code, true
	}
	return 0, false
}

// Error is a failure to connect to or authenticate with a broker, with the
// likely fix. Its message names the broker address and the mechanism and
// never contains a secret.
type Error struct {
	Broker    string // the address (or addresses, comma separated) tried
	Mechanism string // the mechanism in use, e.g. "iam"
	Hint      string // what to try; may be ""
	Err       error  // the underlying error
}

// Error returns "connect to <broker> with <mechanism>: <err>: <hint>".
func (e *Error) Error() string {
	msg := fmt.Sprintf("auth: connect to %s with %s: %v", e.Broker, e.Mechanism, e.Err)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ConfigError is an invalid Config, or a local file or environment variable
// it names that cannot be used, found before any connection was tried (a
// usage error). Err lists every problem.
type ConfigError struct{ Err error }

// Error returns the problems, one per line.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// translate turns a probe failure on broker into an *Error with a hint.
func translate(broker, mechanism string, tlsOn bool, err error) *Error {
	return &Error{Broker: broker, Mechanism: mechanism, Hint: hint(broker, mechanism, tlsOn, err), Err: err}
}

// hint guesses the cause of err for a user.
func hint(broker, mechanism string, tlsOn bool, err error) string {
	var (
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		certInvalid x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alert       tls.AlertError
		dnsErr      *net.DNSError
	)
	code, coded := kafkaCode(err)
	is := func(e kafka.Error) bool { return coded && code == int16(e) }
	msg := err.Error()
	switch {
	case errors.Is(err, errPlaintextPort):
		return "the port speaks plaintext: use --auth none (MSK: port 9092) or the port of " + mechanism + " (" + portHint(mechanism) + "); --tls=false only for a local SASL cluster"
	case errors.Is(err, errTLSPort):
		if mechanism == plan.MechanismNone {
			return "the port speaks TLS: use --auth tls or port 9092"
		}
		return "the port speaks TLS: turn TLS on (drop --tls=false); SCRAM and IAM on MSK always run over TLS"
	case errors.Is(err, errHandshakeTimeout):
		return "the port accepted the connection but did not answer TLS: it may speak plaintext Kafka (use --auth none, MSK port 9092) or nothing at all; check the port for " + mechanism + " (" + portHint(mechanism) + ")"
	case errors.As(err, &unknownCA):
		return "the broker certificate is signed by an unknown authority: pass its CA with --tls-ca (or, for a throwaway test cluster only, --tls-insecure-skip-verify)"
	case errors.As(err, &hostErr):
		return "the broker certificate does not match the host name: connect with the host name in the certificate or set --tls-server-name"
	case errors.As(err, &certInvalid):
		return "the broker certificate is not valid (expired or not for server use): check the broker certificate and the clock"
	case errors.As(err, &recordErr) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the port speaks plaintext: use --auth none (MSK: port 9092) or the port of " + mechanism + " (" + portHint(mechanism) + "); --tls=false only for a local SASL cluster"
	case errors.As(err, &alert) || strings.Contains(msg, "remote error: tls:"):
		if strings.Contains(msg, "certificate required") && mechanism == plan.MechanismMTLS {
			return "the broker rejected the client certificate: --tls-cert is not issued by a CA the cluster trusts (AWS Private CA for MSK), so it was not accepted"
		}
		if strings.Contains(msg, "certificate required") {
			return "the broker requires a client certificate: use --auth mtls with --tls-cert and --tls-key"
		}
		if strings.Contains(msg, "certificate") {
			return "the broker rejected the client certificate: use --tls-cert/--tls-key issued by a CA the cluster trusts (AWS Private CA for MSK)"
		}
		return "the TLS handshake was refused by the broker: check the TLS settings and the port"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens there: check the host, the port for " + mechanism + " (" + portHint(mechanism) + ") and that this access type is enabled on the cluster"
	case errors.As(err, &dnsErr):
		return "the host name does not resolve: check the address; MSK private names resolve only inside the VPC (use --public and the public bootstrap string from outside)"
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timed out: check security groups / network ACLs allow this port from here, the port for " + mechanism + " (" + portHint(mechanism) + "), and --public for access from outside the VPC"
	case is(kafka.UnsupportedSASLMechanism):
		return "the broker does not offer this SASL mechanism: enable it on the cluster or pick another --auth / port (" + portHint(mechanism) + ")"
	case is(kafka.SASLAuthenticationFailed) || is(kafka.IllegalSASLState) || strings.Contains(msg, "rejected the token"):
		if mechanism == plan.MechanismIAM {
			return "the IAM token was rejected (expired or badly signed): check the credentials (aws sts get-caller-identity), the clock, --aws-region, and that the policy allows kafka-cluster:Connect on the cluster"
		}
		if isSCRAM(mechanism) {
			return "wrong SCRAM user or password, or the secret is not associated with the cluster"
		}
		return "SASL authentication failed"
	case is(kafka.BrokerNotAvailable):
		return "the broker closed the connection: if the port speaks TLS use --auth tls or port 9092; check the mechanism matches the port (" + portHint(mechanism) + ")"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(msg, "malformed") || strings.Contains(msg, "connection reset"):
		if !tlsOn {
			return "the broker closed the connection: the port speaks TLS: use --auth tls or port 9092 (SCRAM and IAM on MSK always need TLS)"
		}
		if mechanism == plan.MechanismTLS || mechanism == plan.MechanismMTLS {
			return "the broker closed the connection during TLS: it may require a client certificate (--auth mtls with --tls-cert/--tls-key) or SASL on this port (" + portHint(mechanism) + ")"
		}
		return "the broker closed the connection: check that the mechanism matches the port (" + portHint(mechanism) + ")"
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// portHint lists MSK's ports for a mechanism.
func portHint(mechanism string) string {
	switch mechanism {
	case plan.MechanismTLS, plan.MechanismMTLS:
		return "MSK: 9094, public 9194"
	case plan.MechanismSCRAMSHA512, plan.MechanismSCRAMSHA256:
		return "MSK: 9096, public 9196"
	case plan.MechanismIAM:
		return "MSK: 9098, public 9198"
	default:
		return "MSK: 9092"
	}
}
