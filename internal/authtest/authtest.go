// Package authtest holds test fixtures for authenticated connections to
// in-process kfake clusters: throwaway certificate authorities and
// certificates, broker TLS configurations for TLS and mutual TLS, SCRAM
// cluster options, an MSK IAM listener that verifies SigV4 tokens the way MSK
// does, and an isolated AWS environment.
//
// It is imported only by tests (package auth and cmd/mskbench); it must not
// import load, report, scenarios or cmd. Every helper that can fail takes a
// testing.TB and fails the test.
package authtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// serial numbers certificates uniquely within a test binary.
var serial atomic.Int64

// CA is a certificate authority made for one test. Its certificate is valid
// from an hour ago for a day.
type CA struct {
	// Cert is the self-signed CA certificate.
	Cert *x509.Certificate
	// Key is the CA's private key.
	Key *ecdsa.PrivateKey
	// PEM is Cert, PEM encoded (the content of a --tls-ca file).
	PEM []byte
}

// NewCA makes a certificate authority whose subject common name is name.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("authtest: CA key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("authtest: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("authtest: CA certificate: %v", err)
	}
	return &CA{Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// Leaf is a certificate issued by a CA, with its private key.
type Leaf struct {
	// Pair is the certificate and key for a tls.Config.
	Pair tls.Certificate
	// CertPEM is the certificate, PEM encoded (a --tls-cert file).
	CertPEM []byte
	// KeyPEM is the private key, PEM encoded (a --tls-key file): a secret.
	KeyPEM []byte
}

// Issue returns a leaf certificate signed by ca with common name cn: a server
// certificate for 127.0.0.1, ::1 and localhost when server is true, else a
// client certificate.
func (ca *CA) Issue(t testing.TB, cn string, server bool) Leaf {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("authtest: leaf key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatalf("authtest: leaf certificate: %v", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("authtest: leaf key: %v", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("authtest: leaf key pair: %v", err)
	}
	return Leaf{Pair: pair, CertPEM: certPEM, KeyPEM: keyPEM}
}

// ServerTLS returns the TLS configuration of a broker (for kfake.TLS) with a
// fresh server certificate from ca, TLS 1.2 or later.
func (ca *CA) ServerTLS(t testing.TB) *tls.Config {
	t.Helper()
	return &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, "broker", true).Pair}, MinVersion: tls.VersionTLS12}
}

// MTLSServer returns the TLS configuration of a broker with a server
// certificate from serverCA that requires client certificates issued by
// clientCA (the AWS Private CA of an MSK cluster).
func MTLSServer(t testing.TB, serverCA, clientCA *CA) *tls.Config {
	t.Helper()
	cfg := serverCA.ServerTLS(t)
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = x509.NewCertPool()
	cfg.ClientCAs.AddCert(clientCA.Cert)
	return cfg
}

// SCRAMUser is a SCRAM credential a cluster knows.
type SCRAMUser struct {
	Mechanism string // "SCRAM-SHA-512" or "SCRAM-SHA-256"
	Name      string
	Password  string
}

// SCRAM returns the kfake options of a cluster that requires SASL and knows
// users (as superusers, so they may create and delete topics). kfake also
// offers PLAIN with them; it never offers OAUTHBEARER.
func SCRAM(users ...SCRAMUser) []kfake.Opt {
	opts := []kfake.Opt{kfake.EnableSASL()}
	for _, u := range users {
		opts = append(opts, kfake.Superuser(u.Mechanism, u.Name, u.Password))
	}
	return opts
}

// WriteFile writes data (mode 0600) into a new temporary directory of the
// test and returns the path.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatalf("authtest: %v", err)
	}
	return p
}

// IsolateAWS keeps the AWS SDK away from the real machine for the rest of
// the test: no shared config files, no instance metadata, and no
// credentials, profile or region from the environment unless the test sets
// them afterwards (with t.Setenv). Tests that call it cannot run in
// parallel.
func IsolateAWS(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "") // restored when the test ends
		os.Unsetenv(k)
	}
}

// SilentPeer listens on a loopback port, accepts every connection and never
// answers, like a broker port behind a stalled proxy; it returns the
// address. Everything is closed when the test ends.
func SilentPeer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("authtest: listen: %v", err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
