package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sanitize returns s safe to print on a terminal: every character that a
// terminal would act on instead of showing — C0 controls but newline and
// tab (ESC starts CSI and OSC sequences: colours, cursor moves, window
// titles, OSC 52 clipboard writes), DEL, C1 controls (U+0080–U+009F, CSI
// and OSC in one character on some terminals), the bidirectional overrides
// and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a reader
// sees, and bytes that are not UTF-8 — is written as a visible Go escape
// (\x1b, \u202e, \xff) instead. Everything else is kept, so text without
// such characters is returned unchanged. It is the one sanitiser of
// strings that came from a file (a result, a scenario) on their way to a
// terminal: summaries, comparisons, checks, errors, progress.
func Sanitize(s string) string {
	if !needsSanitize(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether a terminal acts on r rather than showing it.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func needsSanitize(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f {
			// Bytes >= 0x80 need a closer look (most are plain UTF-8).
			if c < 0x80 {
				return true
			}
			for _, r := range s[i:] {
				if r == utf8.RuneError || unsafeRune(r) {
					return true
				}
			}
			return !utf8.ValidString(s[i:])
		}
	}
	return false
}

// SafeWriter returns a writer that passes everything written to it through
// [Sanitize] on its way to w, for a renderer whose output goes to a
// terminal. A UTF-8 sequence split across two writes is kept whole. The
// byte count returned is that of the input.
func SafeWriter(w io.Writer) io.Writer { return &safeWriter{w: w} }

type safeWriter struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence from the previous write
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.tail, p...)
	s.tail = nil
	// Hold back a trailing incomplete (not invalid) UTF-8 sequence.
	for k := 1; k <= 3 && k <= len(buf); k++ {
		c := buf[len(buf)-k]
		if c < 0x80 {
			break
		}
		if c >= 0xc0 { // a leading byte: complete only if k covers its length
			if need := utf8RuneLen(c); need > k {
				s.tail = append([]byte(nil), buf[len(buf)-k:]...)
				buf = buf[:len(buf)-k]
			}
			break
		}
	}
	if _, err := io.WriteString(s.w, Sanitize(string(buf))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// utf8RuneLen returns the length of the UTF-8 sequence led by c (1 when c
// leads none).
func utf8RuneLen(c byte) int {
	switch {
	case c >= 0xf0 && c < 0xf8:
		return 4
	case c >= 0xe0:
		return 3
	case c >= 0xc0:
		return 2
	}
	return 1
}
