package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// insecureWarning is recorded in Conn.Warnings when verification is off.
const insecureWarning = "TLS certificate verification is disabled (--tls-insecure-skip-verify): the connection is encrypted but the broker is not authenticated"

// buildTLS returns the client TLS configuration of cfg: the system roots
// plus TLSCAFile, TLS 1.2 or later, the server name override, the client
// certificate when given, and InsecureSkipVerify only when asked (with a
// warning). A file that cannot be read or parsed is a *ConfigError.
func buildTLS(cfg *Config) (*tls.Config, []string, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.TLSCAFile != "" {
		pem, err := os.ReadFile(cfg.TLSCAFile)
		if err != nil {
			return nil, nil, &ConfigError{Err: fmt.Errorf("auth: read --tls-ca: %w", err)}
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, nil, &ConfigError{Err: fmt.Errorf("auth: --tls-ca %s: no PEM certificate found", cfg.TLSCAFile)}
		}
	}
	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    roots,
		ServerName: cfg.TLSServerName,
	}
	var warnings []string
	if cfg.TLSInsecureSkipVerify {
		tc.InsecureSkipVerify = true
		warnings = append(warnings, insecureWarning)
	}
	if cfg.TLSCertFile != "" { // with TLSKeyFile: Validate checked they go together
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, nil, &ConfigError{Err: fmt.Errorf("auth: load client certificate %s / key %s: %s", cfg.TLSCertFile, cfg.TLSKeyFile, keyPairProblem(err))}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, warnings, nil
}

// keyPairProblem says in our words why tls.LoadX509KeyPair failed: a file
// that cannot be read keeps its *os.PathError text (a path and a reason);
// anything else is named by kind, so that no parser message quoting the
// content of a key file reaches the user.
func keyPairProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "PEM inputs may have been switched"):
		return "the certificate and key files seem swapped (--tls-cert holds the key)"
	case strings.Contains(msg, "failed to find") && strings.Contains(msg, "certificate input"):
		return "--tls-cert holds no PEM certificate"
	case strings.Contains(msg, "failed to find") && strings.Contains(msg, "key input"):
		return "--tls-key holds no PEM private key"
	case strings.Contains(msg, "does not match"):
		return "the private key does not match the certificate"
	case strings.Contains(msg, "private key"):
		return "the private key cannot be parsed (want an unencrypted PKCS#1, PKCS#8 or SEC 1 key in PEM)"
	default:
		return "the certificate cannot be parsed (want an X.509 certificate in PEM)"
	}
}
