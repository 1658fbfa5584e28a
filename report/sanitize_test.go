package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain text is unchanged", "rate=1000/s p99 < 20ms", "rate=1000/s p99 < 20ms"},
		{"newline and tab are kept", "a\tb\nc", "a\tb\nc"},
		{"UTF-8 is kept", "déjà vu — µs ≤ 5", "déjà vu — µs ≤ 5"},
		{"CSI colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"OSC 52 clipboard write", "x\x1b]52;c;ZXZpbA==\x07y", `x\x1b]52;c;ZXZpbA==\x07y`},
		{"OSC title with ST", "\x1b]0;owned\x1b\\", `\x1b]0;owned\x1b\`},
		{"carriage return overwrites a line", "ok\rFAIL", `ok\x0dFAIL`},
		{"backspace and DEL", "a\bb\x7f", `a\x08b\x7f`},
		{"C1 CSI", "\u009b31m", `\u009b31m`},
		{"C1 OSC", "\u009d52;c;x\u009c", `\u009d52;c;x\u009c`},
		{"bidi override", "pass\u202eliaf", `pass\u202eliaf`},
		{"bidi isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
	} {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("%s: Sanitize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// SafeWriter sanitises what passes through it, also when a multi-byte
// character or an escape sequence is split across writes.
func TestSafeWriter(t *testing.T) {
	var b bytes.Buffer
	w := SafeWriter(&b)
	in := "µs\x1b[2J done \u202e!\n"
	for i := 0; i < len(in); i++ {
		if n, err := w.Write([]byte{in[i]}); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got, want := b.String(), `µs\x1b[2J done \u202e!`+"\n"; got != want {
		t.Errorf("written %q, want %q", got, want)
	}
	if strings.ContainsRune(b.String(), 0x1b) {
		t.Error("an ESC got through")
	}
}

// The progress line sanitises the step label it is given.
func TestProgressSanitizesLabel(t *testing.T) {
	line := ProgressLine(Interval{Step: "s\x1b]52;c;eA==\x07", Phase: PhaseMeasure})
	if strings.ContainsRune(line, 0x1b) || strings.ContainsRune(line, 0x07) {
		t.Errorf("progress line %q holds control characters", line)
	}
}
