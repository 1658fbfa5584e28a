package authtest

import (
	"crypto/tls"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// PeerCounts counts, at the broker, what clients did to connect: TLS
// handshakes started (one per TLS connection) and SASL requests. Safe for
// concurrent use.
type PeerCounts struct {
	tls, handshakes, authenticates atomic.Int64
}

// CountTLS returns cfg with a hook that counts every TLS handshake the
// broker serves (cfg itself is not modified).
func (p *PeerCounts) CountTLS(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		p.tls.Add(1)
		return nil, nil // nil: use c as it is
	}
	return c
}

// CountSASL counts kc's SASLHandshake and SASLAuthenticate requests for the
// life of the cluster, leaving them to kc to answer.
func (p *PeerCounts) CountSASL(kc *kfake.Cluster) {
	for key, n := range map[kmsg.Key]*atomic.Int64{kmsg.SASLHandshake: &p.handshakes, kmsg.SASLAuthenticate: &p.authenticates} {
		kc.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			kc.KeepControl()
			n.Add(1)
			return nil, nil, false
		})
	}
}

// TLSHandshakes returns the TLS handshakes counted so far.
func (p *PeerCounts) TLSHandshakes() int64 { return p.tls.Load() }

// SASLHandshakes returns the SASLHandshake requests counted so far (one per
// authentication).
func (p *PeerCounts) SASLHandshakes() int64 { return p.handshakes.Load() }

// SASLAuthenticates returns the SASLAuthenticate requests counted so far
// (two per SCRAM authentication: client-first and client-final).
func (p *PeerCounts) SASLAuthenticates() int64 { return p.authenticates.Load() }
