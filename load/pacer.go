package load

import (
	"math"
	"time"
)

// Pacer is the send schedule of one producer worker in an open-model load.
// It is a pure value: safe for concurrent use, no clock inside.
//
// With a total rate R (msgs/s) split over W workers, worker w sends its k-th
// message (k from 0) at the intended time
//
//	t(k) = (k·W + w) / R   seconds after the schedule start,
//
// so the merged schedule of all workers is evenly spaced at 1/R and the
// offered load does not depend on how fast the cluster answers. Rate <= 0
// means max-rate mode: never wait, the in-flight bound is the only brake.
type Pacer struct {
	Rate     float64       // total msgs/s over all workers; <= 0 means as fast as possible
	Workers  int           // W, number of workers sharing Rate (>= 1)
	Worker   int           // w, this worker's index in [0, Workers)
	Duration time.Duration // schedule length; messages intended at or after it are not sent; 0 = unbounded
	// Messages, when > 0, is the most messages this worker sends (a
	// backlog of a message count); the schedule stops after them.
	Messages int64
}

// Intended returns the intended send time of this worker's k-th message,
// relative to the schedule start. In max-rate mode it returns 0.
func (p Pacer) Intended(k int64) time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	return globalIntended(k*int64(p.workers())+int64(p.Worker), p.Rate)
}

// Pace says how long to wait before sending the next message, given the time
// elapsed since the schedule start and the number of messages this worker has
// already sent. stop is true when the next message falls outside the
// schedule (its intended time, or in max-rate mode the elapsed time, is at or
// past Duration, or Messages were sent); wait is then 0. A negative or zero wait means "send now":
// a worker behind schedule catches up without waiting.
func (p Pacer) Pace(elapsed time.Duration, sent int64) (wait time.Duration, stop bool) {
	if p.Messages > 0 && sent >= p.Messages {
		return 0, true
	}
	if p.Rate <= 0 {
		if p.Duration > 0 && elapsed >= p.Duration {
			return 0, true
		}
		return 0, false
	}
	next := p.Intended(sent)
	if p.Duration > 0 && next >= p.Duration {
		return 0, true
	}
	if next <= elapsed {
		return 0, false
	}
	return next - elapsed, false
}

// firstAtOrAfter returns the smallest k >= 0 whose intended time
// Intended(k) is at or after t (relative to the schedule start): the
// worker's message indexes intended before t are 0..k-1. Rate must be > 0.
func (p Pacer) firstAtOrAfter(t time.Duration) int64 {
	// Global index i = k·W + w: the first global index at or after t,
	// then the first of this worker's at or after that.
	i := firstAtOrAfter(p.Rate, t)
	w, n := int64(p.Worker), int64(p.workers())
	if i <= w {
		return 0
	}
	return (i - w + n - 1) / n
}

func (p Pacer) workers() int {
	if p.Workers < 1 {
		return 1
	}
	return p.Workers
}

// globalIntended is the intended time of the i-th message of the merged
// schedule: i/R seconds.
func globalIntended(i int64, rate float64) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / rate)
}

// scheduledBetween returns how many messages of the merged schedule at rate
// msgs/s have an intended time t with from <= t < to (times relative to the
// schedule start). It is the offered load of a window. rate must be > 0.
func scheduledBetween(rate float64, from, to time.Duration) int64 {
	if to <= from {
		return 0
	}
	return firstAtOrAfter(rate, to) - firstAtOrAfter(rate, from)
}

// firstAtOrAfter returns the smallest i >= 0 with globalIntended(i) >= t.
func firstAtOrAfter(rate float64, t time.Duration) int64 {
	if t <= 0 {
		return 0
	}
	i := int64(math.Ceil(t.Seconds() * rate))
	// Correct float rounding so the answer agrees exactly with globalIntended.
	for i > 0 && globalIntended(i-1, rate) >= t {
		i--
	}
	for globalIntended(i, rate) < t {
		i++
	}
	return i
}
