package authtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// IAMBroker makes a kfake cluster behave like an MSK IAM listener: it
// offers only SASL/OAUTHBEARER and checks every token the way MSK does,
// recomputing the SigV4 signature from the credentials it knows. Set Creds
// and Region, then Install it. Safe for concurrent use once installed.
type IAMBroker struct {
	// Creds are the credentials tokens must be signed with.
	Creds aws.Credentials
	// Region is the region tokens must be signed for.
	Region string

	ok  atomic.Int64
	bad atomic.Int64
}

// Install takes over kc's SASLHandshake and SASLAuthenticate requests for
// the life of the cluster. kc must not have kfake.EnableSASL.
func (b *IAMBroker) Install(kc *kfake.Cluster) {
	kc.ControlKey(int16(kmsg.SASLHandshake), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		r := req.(*kmsg.SASLHandshakeRequest)
		resp := r.ResponseKind().(*kmsg.SASLHandshakeResponse)
		resp.SupportedMechanisms = []string{"OAUTHBEARER"}
		if r.Mechanism != "OAUTHBEARER" {
			resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		}
		return resp, nil, true
	})
	kc.ControlKey(int16(kmsg.SASLAuthenticate), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		r := req.(*kmsg.SASLAuthenticateRequest)
		resp := r.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		if err := b.Verify(r.SASLAuthBytes); err != nil {
			b.bad.Add(1)
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "[" + err.Error() + "] Access denied"
			resp.ErrorMessage = &msg
			return resp, nil, true
		}
		b.ok.Add(1)
		return resp, nil, true
	})
}

// Accepted returns the number of authentications accepted so far.
func (b *IAMBroker) Accepted() int64 { return b.ok.Load() }

// Rejected returns the number of authentications rejected so far.
func (b *IAMBroker) Rejected() int64 { return b.bad.Load() }

// Verify checks one OAUTHBEARER client response: the framing
// "n,,\x01auth=Bearer <token>\x01\x01", a base64url token holding a
// presigned kafka-cluster:Connect URL for b.Region, signed with b.Creds, not
// expired, from aws-msk-iam-sasl-signer-go. Its errors never contain the
// token or the secret key.
func (b *IAMBroker) Verify(ir []byte) error {
	const prefix, suffix = "n,,\x01auth=Bearer ", "\x01\x01"
	if !bytes.HasPrefix(ir, []byte(prefix)) || !bytes.HasSuffix(ir, []byte(suffix)) {
		return errors.New("malformed OAUTHBEARER response")
	}
	tok := string(ir[len(prefix) : len(ir)-len(suffix)])
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return errors.New("token is not base64url")
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return errors.New("token is not a URL")
	}
	q := u.Query()
	if got, want := u.Host, "kafka."+b.Region+".amazonaws.com"; got != want {
		return fmt.Errorf("host %s, want %s", got, want)
	}
	if q.Get("Action") != "kafka-cluster:Connect" {
		return fmt.Errorf("action %q", q.Get("Action"))
	}
	cred := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(cred) != 5 || cred[0] != b.Creds.AccessKeyID || cred[2] != b.Region || cred[3] != "kafka-cluster" {
		return fmt.Errorf("credential scope %q", q.Get("X-Amz-Credential"))
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || exp <= 0 || exp > 900 {
		return fmt.Errorf("X-Amz-Expires %q", q.Get("X-Amz-Expires"))
	}
	if now := time.Now(); now.After(signed.Add(time.Duration(exp)*time.Second)) || signed.After(now.Add(5*time.Minute)) {
		return errors.New("token expired or from the future")
	}
	if !strings.HasPrefix(q.Get("User-Agent"), "aws-msk-iam-sasl-signer-go") {
		return fmt.Errorf("user agent %q", q.Get("User-Agent"))
	}
	// Recompute the signature over the same request.
	unsigned := url.Values{"Action": {"kafka-cluster:Connect"}, "X-Amz-Expires": {q.Get("X-Amz-Expires")}}
	req, err := http.NewRequest(http.MethodGet, "https://"+u.Host+"/?"+unsigned.Encode(), nil)
	if err != nil {
		return err
	}
	empty := sha256.Sum256(nil)
	want, _, err := v4.NewSigner().PresignHTTP(context.Background(), b.Creds, req, hex.EncodeToString(empty[:]), "kafka-cluster", b.Region, signed)
	if err != nil {
		return err
	}
	wu, err := url.Parse(want)
	if err != nil {
		return err
	}
	if got, want := q.Get("X-Amz-Signature"), wu.Query().Get("X-Amz-Signature"); got == "" || got != want {
		return errors.New("signature mismatch")
	}
	return nil
}
