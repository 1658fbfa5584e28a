package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/mskbench/mskbench/internal/redact"
	"github.com/mskbench/mskbench/report"
)

// status is stderr as a run shares it between log lines and the live
// progress line. On a terminal the progress line is redrawn in place
// ("\r", clear line) and a log line never lands on it: the line is cleared,
// the log line written on a line of its own, and the progress line drawn
// again below it. Elsewhere every progress line is a plain line. The first
// progress line is preceded by the header naming the columns and units.
// Log lines are redacted and sanitised. Safe for concurrent use.
type status struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	line   string // the progress line on screen (tty), "" when none
	header bool   // the header was printed
}

// clearLine returns the cursor to the start of the line and clears it.
const clearLine = "\r\033[K"

// logf writes one log line, "mskbench: " + the formatted message.
func (s *status) logf(format string, args ...any) {
	msg := "mskbench: " + report.Sanitize(redact.Text(fmt.Sprintf(format, args...))) + "\n"
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty && s.line != "" {
		msg = clearLine + msg + s.line
	}
	_, _ = io.WriteString(s.w, msg)
}

// progress draws the progress line of iv (best effort: write errors are
// ignored).
func (s *status) progress(iv report.Interval) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out string
	if !s.header {
		s.header = true
		if s.tty && s.line != "" {
			out = clearLine
		}
		out += report.ProgressHeader() + "\n"
	}
	line := report.ProgressLine(iv)
	if s.tty {
		out += clearLine + line
		s.line = line
	} else {
		out += line + "\n"
	}
	_, _ = io.WriteString(s.w, out)
}

// endLine ends a progress line drawn in place, so that what follows starts
// on a fresh line.
func (s *status) endLine() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty && s.line != "" {
		_, _ = io.WriteString(s.w, "\n")
		s.line = ""
	}
}
