package auth

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
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
			// The crypto/tls errors name files and formats, never key bytes.
			return nil, nil, &ConfigError{Err: fmt.Errorf("auth: load client certificate %s / key %s: %w", cfg.TLSCertFile, cfg.TLSKeyFile, err)}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, warnings, nil
}
