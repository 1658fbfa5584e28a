// Package hostcpu reads the CPU accounting of the host and of this
// process, to tell a load generator's own limit from contention for the
// machine: how much CPU the whole host was busy, how much of it other
// processes took, and how much the hypervisor stole.
//
// On Linux it reads /proc/stat (the first "cpu" line and the "cpuN"
// lines) and /proc/self/stat (utime, stime); elsewhere [Read] reports the
// figures as unknown. Parsing is separate from reading ([ParseStat],
// [ParseSelfStat]), so it is tested on any system. It depends on the
// standard library only and holds no state.
package hostcpu

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ClockTicks is the unit of /proc/stat and /proc/self/stat: USER_HZ, 100
// ticks per second on every Linux architecture Go supports (the kernel's
// ABI, whatever its internal HZ).
const ClockTicks = 100

// Sample is the CPU accounting at one instant, in CPU seconds since boot
// (host) or since the process started (process), summed over CPUs. It is
// plain data.
type Sample struct {
	// HostOK is true when the host figures were read (Linux).
	HostOK bool
	// CPUs is the number of CPUs the host accounts ("cpuN" lines).
	CPUs int
	// Busy is the time the host's CPUs ran anything: user, nice, system,
	// irq and softirq (guest time is included in user by the kernel).
	Busy float64
	// Steal is the time the hypervisor ran something else while this
	// (virtual) machine had work to run.
	Steal float64
	// Idle is idle plus iowait time.
	Idle float64
	// ProcessOK is true when Process was read.
	ProcessOK bool
	// Process is this process's user + system time.
	Process float64
}

// Read samples the host's and this process's CPU accounting now. Fields
// it cannot read are left unknown (HostOK, ProcessOK false); it never
// fails.
func Read() Sample { return read() }

// Usage is what happened between two samples: fractions of the host's
// whole CPU capacity (wall seconds × CPUs), each 0..1. It is plain data.
type Usage struct {
	// OK is true when both samples had the host and process figures and
	// time passed between them.
	OK bool
	// CPUs is the host's CPU count.
	CPUs int
	// Busy is the host's busy time ÷ (wall × CPUs), this process included.
	Busy float64
	// Process is this process's CPU time ÷ (wall × CPUs).
	Process float64
	// Other is (host busy − this process) ÷ (wall × CPUs), at least 0:
	// what other processes (and the kernel on their behalf) took.
	Other float64
	// Steal is the stolen time ÷ (wall × CPUs).
	Steal float64
}

// Between returns the usage from a to b, measured as the host's own
// accounting: the host's capacity over the interval is the change of
// busy + steal + idle (so that no wall clock of another source is mixed
// in). Usage.OK is false when a figure is missing or no time passed.
func Between(a, b Sample) Usage {
	if !a.HostOK || !b.HostOK || !a.ProcessOK || !b.ProcessOK || b.CPUs <= 0 {
		return Usage{}
	}
	busy, steal := b.Busy-a.Busy, b.Steal-a.Steal
	capacity := busy + steal + (b.Idle - a.Idle)
	if capacity <= 0 || busy < 0 || steal < 0 {
		return Usage{}
	}
	own := max(0, b.Process-a.Process)
	u := Usage{OK: true, CPUs: b.CPUs, Busy: busy / capacity, Process: own / capacity, Steal: steal / capacity}
	u.Other = max(0, busy-own) / capacity
	return u
}

// ParseStat reads the content of /proc/stat: the aggregate "cpu" line
// (user nice system idle iowait irq softirq steal ..., in [ClockTicks])
// and the number of "cpuN" lines. Missing trailing columns (older
// kernels) count as 0.
func ParseStat(r io.Reader) (Sample, error) {
	var s Sample
	found := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] != "cpu" {
			s.CPUs++
			continue
		}
		var v [8]float64 // user nice system idle iowait irq softirq steal
		if len(f) < 5 {
			return Sample{}, fmt.Errorf("/proc/stat: cpu line has %d fields, want at least 4 counters", len(f)-1)
		}
		for i := 0; i < len(v) && i+1 < len(f); i++ {
			n, err := strconv.ParseUint(f[i+1], 10, 64)
			if err != nil {
				return Sample{}, fmt.Errorf("/proc/stat: cpu field %d: %w", i+1, err)
			}
			v[i] = float64(n) / ClockTicks
		}
		s.Busy = v[0] + v[1] + v[2] + v[5] + v[6]
		s.Idle = v[3] + v[4]
		s.Steal = v[7]
		found = true
	}
	if err := sc.Err(); err != nil {
		return Sample{}, fmt.Errorf("/proc/stat: %w", err)
	}
	if !found {
		return Sample{}, errors.New("/proc/stat: no cpu line")
	}
	s.CPUs = max(s.CPUs, 1)
	s.HostOK = true
	return s, nil
}

// ParseSelfStat returns utime + stime, in seconds, from the content of
// /proc/self/stat. The command name (field 2) is parenthesised and may
// hold spaces and parentheses, so fields are counted after its last ')'.
func ParseSelfStat(b []byte) (float64, error) {
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("/proc/self/stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ... utime is field 14, stime 15: indexes 11, 12.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/self/stat: %d fields after the name, want at least 13", len(f))
	}
	var sum float64
	for _, s := range f[11:13] {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/stat: %w", err)
		}
		sum += float64(n) / ClockTicks
	}
	return sum, nil
}
