package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
)

// redacted replaces a secret in a message.
const redacted = "REDACTED"

// secrets is the set of secret values a Connect call knows of (a SCRAM
// password, AWS credentials from the environment or a provider, an IAM
// token): every error Connect returns and every line it logs passes through
// scrub first, so a dependency that quotes one of them (the SCRAM library
// quotes a password SASLprep refuses; an AWS error may quote a request) is
// never printed verbatim. Safe for concurrent use; the zero value is empty.
type secrets struct {
	mu     sync.Mutex
	values []string
}

// add records secret values; empty ones and values shorter than 4 bytes
// (which would redact ordinary words) are ignored.
func (s *secrets) add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= 4 {
			s.values = append(s.values, v)
		}
	}
}

// addEnv records the AWS credentials of the environment.
func (s *secrets) addEnv() {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"} {
		s.add(os.Getenv(k))
	}
}

// text returns msg with every known secret, and its URL-escaped forms,
// replaced by REDACTED.
func (s *secrets) text(msg string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.values {
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			msg = strings.ReplaceAll(msg, form, redacted)
		}
	}
	return msg
}

// scrub returns err with every known secret removed from its text: a
// *ConfigError or *Error keeps its type (its Err scrubbed), anything else
// becomes a *scrubbedError. nil stays nil.
func (s *secrets) scrub(err error) error {
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return &ConfigError{Err: s.plain(ce.Err)}
	}
	var ae *Error
	if errors.As(err, &ae) {
		c := *ae
		c.Err = s.plain(ae.Err)
		return &c
	}
	return s.plain(err)
}

// plain returns err's text, scrubbed, as a *scrubbedError, or err itself
// when its text holds no secret (so that its chain stays inspectable).
func (s *secrets) plain(err error) error {
	msg := err.Error()
	clean := s.text(msg)
	if clean == msg {
		return err
	}
	return newScrubbedError(clean, err)
}

// logf wraps a log function so that every line it receives is scrubbed.
func (s *secrets) logf(logf func(string, ...any)) func(string, ...any) {
	return func(format string, args ...any) {
		logf("%s", s.text(fmt.Sprintf(format, args...)))
	}
}

// scrubbedError is a dependency's error whose text may have held a secret:
// only its cleaned text is kept, and it unwraps to nothing but the context
// and classification errors the original matched (so that a cancelled
// connect is still a cancellation), never to the original error.
type scrubbedError struct {
	msg   string
	kinds []error
}

// kindsKept are the errors a scrubbedError still matches with errors.Is.
var kindsKept = []error{context.Canceled, context.DeadlineExceeded, os.ErrDeadlineExceeded, errPlaintextPort, errTLSPort}

func newScrubbedError(msg string, orig error) *scrubbedError {
	e := &scrubbedError{msg: msg}
	for _, k := range kindsKept {
		if errors.Is(orig, k) {
			e.kinds = append(e.kinds, k)
		}
	}
	return e
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.kinds }
