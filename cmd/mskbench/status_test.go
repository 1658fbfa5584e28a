package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/report"
)

// On a terminal a log line never lands on the progress line drawn in place:
// the line is cleared first, the log line ends in a newline, and the
// progress line is drawn again below it. Off a terminal every line is a
// plain line. The header comes first, once.
func TestStatusLogLinesStartFresh(t *testing.T) {
	iv := report.Interval{Phase: report.PhaseMeasure, ElapsedSeconds: 1, Step: "1"}
	for _, tty := range []bool{true, false} {
		var b bytes.Buffer
		s := &status{w: &b, tty: tty}
		s.progress(iv)
		s.logf("created topics %s", "t")
		s.progress(iv)
		s.logf("deleted topics %s", "t")
		s.endLine()
		s.logf("done")
		out := b.String()
		if strings.Count(out, "STEP") != 1 || !strings.HasPrefix(out, report.ProgressHeader()+"\n") {
			t.Errorf("tty=%t: want the header once, first:\n%q", tty, out)
		}
		for i := 0; ; {
			j := strings.Index(out[i:], "mskbench: ")
			if j < 0 {
				break
			}
			j += i
			if before := out[:j]; !strings.HasSuffix(before, "\n") && !strings.HasSuffix(before, clearLine) {
				t.Errorf("tty=%t: a log line starts in the middle of a line: %q", tty, out[max(0, j-40):j+20])
			}
			i = j + 1
		}
		if !tty && strings.ContainsAny(out, "\r\033") {
			t.Errorf("not a terminal, but control characters: %q", out)
		}
		if tty && !strings.Contains(out, "mskbench: created topics t\n"+report.ProgressLine(iv)) {
			t.Errorf("the progress line is not redrawn after a log line: %q", out)
		}
	}
}
