//go:build linux

package hostcpu

import (
	"bytes"
	"os"
)

func read() Sample {
	var s Sample
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		if h, err := ParseStat(bytes.NewReader(b)); err == nil {
			s = h
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		if p, err := ParseSelfStat(b); err == nil {
			s.Process, s.ProcessOK = p, true
		}
	}
	return s
}
