package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/segmentio/kafka-go/sasl"
	franzsasl "github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// tokenRefreshMargin is how long before its expiry a cached token (or the
// credentials that signed it) is replaced.
const tokenRefreshMargin = time.Minute

// iamMechanism is the SASL/OAUTHBEARER mechanism of MSK IAM. Its token is a
// base64url SigV4-presigned kafka-cluster:Connect URL from
// aws-msk-iam-sasl-signer-go, cached and shared by every connection until a
// minute before it (or the credentials behind it) expires. Safe for
// concurrent use.
type iamMechanism struct {
	region string
	creds  aws.CredentialsProvider
	now    func() time.Time
	// secrets learns the credentials and tokens, and scrubs them from
	// errors; nil means a set of its own.
	secrets *secrets

	mu      sync.Mutex
	token   string
	refresh time.Time // replace the token at or after this time
}

func newIAMMechanism(region string, creds aws.CredentialsProvider) *iamMechanism {
	return &iamMechanism{region: region, creds: creds, now: time.Now, secrets: &secrets{}}
}

// Name returns "OAUTHBEARER".
func (m *iamMechanism) Name() string { return "OAUTHBEARER" }

// Start returns the initial client response "n,,\x01auth=Bearer <token>\x01\x01".
func (m *iamMechanism) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	tok, err := m.currentToken(ctx)
	if err != nil {
		return nil, nil, err
	}
	return oauthSession{}, []byte("n,,\x01auth=Bearer " + tok + "\x01\x01"), nil
}

// currentToken returns the cached token or signs a new one.
func (m *iamMechanism) currentToken(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if m.token != "" && now.Before(m.refresh) {
		return m.token, nil
	}
	creds, err := m.creds.Retrieve(ctx)
	if err != nil {
		// A provider's error (a credential process, a web identity
		// file) may quote what it read: scrubbed of what is known.
		return "", fmt.Errorf("msk iam: get AWS credentials: %w", m.secrets.scrub(err))
	}
	m.secrets.add(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	fixed := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	tok, expMs, err := signer.GenerateAuthTokenFromCredentialsProvider(ctx, m.region, fixed)
	if err != nil {
		return "", fmt.Errorf("msk iam: sign token for region %s: %w", m.region, m.secrets.scrub(err))
	}
	m.secrets.add(tok)
	expiry := time.UnixMilli(expMs)
	if creds.CanExpire && creds.Expires.Before(expiry) {
		expiry = creds.Expires
	}
	m.token = tok
	m.refresh = expiry.Add(-tokenRefreshMargin)
	return tok, nil
}

// franz returns the mechanism for franz-go: OAUTHBEARER (pkg/sasl/oauth,
// the same initial response) with the token of currentToken, so both
// clients share one token source and its cache.
func (m *iamMechanism) franz() franzsasl.Mechanism {
	return oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
		tok, err := m.currentToken(ctx)
		if err != nil {
			return oauth.Auth{}, err
		}
		return oauth.Auth{Token: tok}, nil
	})
}

// Format keeps the token and credentials out of every fmt verb.
func (m *iamMechanism) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "OAUTHBEARER(msk iam, region %s)", m.region)
}

// oauthSession finishes OAUTHBEARER: the broker answers the initial response
// with an empty challenge on success. On failure RFC 7628 has it send a JSON
// error, which the client must acknowledge; we stop with an error instead.
type oauthSession struct{}

// Next accepts an empty server challenge and fails on anything else.
func (oauthSession) Next(_ context.Context, challenge []byte) (bool, []byte, error) {
	if len(challenge) == 0 {
		return true, nil, nil
	}
	// The challenge is the broker's JSON error; a peer could echo anything.
	return true, nil, errors.New("msk iam: broker rejected the token: " + strconv.QuoteToASCII(string(challenge)))
}

// redactedMechanism wraps a SASL mechanism (SCRAM, which holds the
// password) so that no fmt verb prints its fields.
type redactedMechanism struct{ sasl.Mechanism }

// Format prints only the mechanism name.
func (r redactedMechanism) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "%s(redacted)", r.Name())
}
