package load

import "time"

// clock turns the monotonic clock into unix nanoseconds, so that every
// timestamp of a step is on one consistent, monotonic scale. Safe for
// concurrent use (read only).
type clock struct {
	base   time.Time
	baseNs int64
}

func newClock() clock {
	t := time.Now()
	return clock{base: t, baseNs: t.UnixNano()}
}

// now returns the current time in unix ns. It does not allocate.
func (c clock) now() int64 { return c.baseNs + int64(time.Since(c.base)) }

// time converts unix ns from now back into a time.Time.
func (c clock) time(ns int64) time.Time { return c.base.Add(time.Duration(ns - c.baseNs)) }
