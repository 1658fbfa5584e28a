// Package redact is the one redaction rule of mskbench: which values are
// secrets and how they are blanked, for every copy of a scenario that
// leaves the process (the source and spec in a result, every step's plan,
// the HTML report, validate's output, errors and log lines). It imports
// the standard library only.
package redact

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// Redacted replaces a secret.
const Redacted = "REDACTED"

// SecretKey reports whether a key (a YAML or JSON field name, a config
// name such as ssl.truststore.password) names a value that may be a
// secret. References to secrets (…_env, …_file, …_arn) are not secrets;
// config names that hold file locations (ssl.truststore.location) neither.
func SecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, ref := range []string{"_env", "_file", "_arn", ".location", ".type"} {
		if strings.HasSuffix(k, ref) {
			return false
		}
	}
	for _, w := range []string{"password", "passwd", "secret", "token", "credential", "private_key", "private.key", "access_key", "jaas", "api_key", "apikey"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

var (
	// jaasPasswordRE matches password="..." (or '...') in a JAAS config
	// such as sasl.jaas.config, and the like in free text.
	jaasPasswordRE = regexp.MustCompile(`(?i)(password\s*=\s*)("[^"]*"|'[^']*'|[^\s;"']+)`)
	// urlPasswordRE matches the password of user:password@host in a URL.
	urlPasswordRE = regexp.MustCompile(`(://[^:/@\s]+:)[^@/\s]+@`)
)

// Text returns s with the secrets it can recognise in free text blanked:
// password=... assignments (as in sasl.jaas.config) and passwords in URLs.
func Text(s string) string {
	s = jaasPasswordRE.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	return urlPasswordRE.ReplaceAllString(s, "${1}"+Redacted+"@")
}

// Value returns the value of key, redacted: REDACTED when key names a
// secret (SecretKey), otherwise value with Text applied.
func Value(key, value string) string {
	if SecretKey(key) && value != "" {
		return Redacted
	}
	return Text(value)
}

// JSON returns the JSON document raw with every string member of every
// object redacted by Value (by its member name) and every other string by
// Text, keeping the order of members. Input that is not JSON is returned
// as Text of it.
func JSON(raw []byte) []byte {
	if len(raw) == 0 {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	type frame struct {
		object bool
		key    string
		isKey  bool // the next token is a member name
		n      int  // tokens written in this container
	}
	var stack []frame
	write := func(b []byte) {
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			switch {
			case f.object && f.isKey && f.n > 0:
				out.WriteByte(',')
			case f.object && !f.isKey:
				out.WriteByte(':')
			case !f.object && f.n > 0:
				out.WriteByte(',')
			}
		}
		out.Write(b)
	}
	next := func() { // a value or key was written
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		if f.object {
			f.isKey = !f.isKey
		}
		f.n++
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			if len(stack) == 0 && out.Len() > 0 {
				return out.Bytes()
			}
			return []byte(Text(string(raw)))
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				write([]byte{byte(t)})
				stack = append(stack, frame{object: t == '{', isKey: true})
				continue
			}
			out.WriteByte(byte(t))
			stack = stack[:len(stack)-1]
			next()
		case string:
			v := t
			if len(stack) > 0 {
				f := &stack[len(stack)-1]
				switch {
				case f.object && f.isKey:
					f.key = t
				case f.object:
					v = Value(f.key, t)
				default:
					v = Text(t)
				}
			}
			write(marshal(v))
			next()
		default:
			write(marshal(t))
			next()
		}
	}
}

// marshal encodes v as JSON without HTML escaping ("p99 < 20ms" stays
// readable, as the result encoder writes it).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}
