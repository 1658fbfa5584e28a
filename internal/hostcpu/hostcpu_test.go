package hostcpu

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

const stat = `cpu  1000 50 300 8000 100 10 40 500 0 0
cpu0 500 25 150 4000 50 5 20 250 0 0
cpu1 500 25 150 4000 50 5 20 250 0 0
intr 12345
ctxt 999
`

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestParseStat(t *testing.T) {
	s, err := ParseStat(strings.NewReader(stat))
	if err != nil {
		t.Fatal(err)
	}
	// busy = user + nice + system + irq + softirq = 1400 ticks = 14 s;
	// idle = idle + iowait = 81 s; steal 5 s.
	if !s.HostOK || s.CPUs != 2 || !near(s.Busy, 14) || !near(s.Idle, 81) || !near(s.Steal, 5) {
		t.Errorf("ParseStat = %+v, want 2 CPUs, busy 14 s, idle 81 s, steal 5 s", s)
	}
	// An old kernel without steal: the missing columns count 0.
	s, err = ParseStat(strings.NewReader("cpu 10 0 10 100\ncpu0 10 0 10 100\n"))
	if err != nil || !near(s.Busy, 0.2) || s.Steal != 0 || s.CPUs != 1 {
		t.Errorf("short cpu line: %+v, %v", s, err)
	}
	for _, bad := range []string{"", "intr 1\n", "cpu 1 2\n", "cpu x 1 2 3\n"} {
		if _, err := ParseStat(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseStat(%q): no error", bad)
		}
	}
}

func TestParseSelfStat(t *testing.T) {
	// The command name holds a space and parentheses; utime 250, stime 50.
	line := "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 1000 200 18446744073709551615"
	got, err := ParseSelfStat([]byte(line))
	if err != nil || !near(got, 3) {
		t.Errorf("ParseSelfStat = %v, %v; want 3 s", got, err)
	}
	for _, bad := range []string{"", "1 cmd S", "1 (cmd) S 1 2"} {
		if _, err := ParseSelfStat([]byte(bad)); err == nil {
			t.Errorf("ParseSelfStat(%q): no error", bad)
		}
	}
}

func TestBetween(t *testing.T) {
	a := Sample{HostOK: true, CPUs: 2, Busy: 100, Steal: 10, Idle: 1000, ProcessOK: true, Process: 20}
	// 10 s on 2 CPUs: 20 CPU-seconds of capacity: busy 12 (this process 3),
	// steal 2, idle 6.
	b := Sample{HostOK: true, CPUs: 2, Busy: 112, Steal: 12, Idle: 1006, ProcessOK: true, Process: 23}
	u := Between(a, b)
	if !u.OK || u.CPUs != 2 || !near(u.Busy, 0.6) || !near(u.Process, 0.15) || !near(u.Other, 0.45) || !near(u.Steal, 0.1) {
		t.Errorf("Between = %+v, want busy 0.6, process 0.15, other 0.45, steal 0.1", u)
	}
	// Tick granularity can make this process's time exceed the host's busy
	// time over a short window: other processes never go negative.
	b2 := b
	b2.Process = 40
	if u := Between(a, b2); !u.OK || u.Other != 0 {
		t.Errorf("own time above busy: %+v, want other 0", u)
	}
	for name, pair := range map[string][2]Sample{
		"no host":       {{}, b},
		"no process":    {a, {HostOK: true, CPUs: 2, Busy: 112, Idle: 1006}},
		"no time":       {a, a},
		"counter reset": {b, a},
	} {
		if u := Between(pair[0], pair[1]); u.OK {
			t.Errorf("%s: Between = %+v, want not OK", name, u)
		}
	}
}

// On Linux, Read fills every figure; elsewhere it reports them unknown.
func TestRead(t *testing.T) {
	s := Read()
	if runtime.GOOS != "linux" {
		if s.HostOK || s.ProcessOK {
			t.Errorf("Read on %s = %+v, want unknown", runtime.GOOS, s)
		}
		return
	}
	if !s.HostOK || !s.ProcessOK || s.CPUs < 1 || s.Busy <= 0 || s.Idle <= 0 {
		t.Errorf("Read = %+v, want the host's and this process's figures", s)
	}
}
