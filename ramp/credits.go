package ramp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/mskbench/mskbench/report"
)

// Options are the optional hooks of [ExecuteWith]. The zero value adds nothing.
type Options struct {
	// Credits, when set, reads the brokers' burst credits now — CloudWatch
	// BurstBalance and BwIn/BwOutAllowanceExceeded over the last minutes,
	// as monitor.ReadCloudWatch returns them. The deplete-credits
	// precondition calls it every CreditsEvery and ends as soon as a broker
	// has no EBS burst credits left (BurstBalance at or below
	// CreditsSpentBalance) or exceeds its network allowance, whichever comes
	// before the throughput drop. An error or a read without those figures
	// is only logged.
	Credits func(ctx context.Context) (report.BrokerMetrics, error)
	// CreditsEvery is the time between reads (default DefaultCreditsEvery:
	// MSK publishes a data point a minute).
	CreditsEvery time.Duration
}

// DefaultCreditsEvery is the default Options.CreditsEvery.
const DefaultCreditsEvery = time.Minute

// CreditsSpentBalance is the BurstBalance (0..1) at or below which a
// broker's EBS burst credits count as spent.
const CreditsSpentBalance = 0.01

// creditsReading is what the credit watcher found.
type creditsReading struct {
	spent  bool
	signal string // report.PreconditionSignal* when spent
	why    string // what showed it, in words
	last   string // the latest figures, in words, when any were read
}

// creditWatcher polls Options.Credits on a goroutine of its own.
type creditWatcher struct {
	stopFn func()
	done   chan struct{}
	mu     sync.Mutex
	r      creditsReading
}

// watchCredits starts polling opts.Credits until ctx ends or stop is
// called; it calls spent once when the credits run out. Without
// opts.Credits it does nothing.
func watchCredits(ctx context.Context, opts Options, spent func(), logf func(string, ...any)) *creditWatcher {
	w := &creditWatcher{done: make(chan struct{})}
	if opts.Credits == nil {
		close(w.done)
		w.stopFn = func() {}
		return w
	}
	every := opts.CreditsEvery
	if every <= 0 {
		every = DefaultCreditsEvery
	}
	ctx, cancel := context.WithCancel(ctx)
	w.stopFn = cancel
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			m, err := opts.Credits(ctx)
			if err != nil {
				if ctx.Err() == nil {
					logf("precondition: reading burst credits: %v", err)
				}
				continue
			}
			for _, warn := range m.Warnings {
				logf("precondition: reading burst credits: %s", warn)
			}
			r := creditsSpent(m)
			w.mu.Lock()
			w.r = r
			w.mu.Unlock()
			if r.spent {
				spent()
				return
			}
		}
	}()
	return w
}

// stop ends the polling and returns the last reading.
func (w *creditWatcher) stop() creditsReading {
	w.stopFn()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.r
}

// creditsSpent reads the latest sample of every broker of m: spent when a
// broker's BurstBalance is at or below CreditsSpentBalance, or it exceeded
// its network allowance (BwIn/BwOutAllowanceExceeded > 0). It is a pure
// function.
func creditsSpent(m report.BrokerMetrics) creditsReading {
	var r creditsReading
	lowest, lowestBroker, seen := 2.0, int32(0), false
	for _, b := range m.Brokers {
		var bb *float64
		var at time.Time
		for i := range b.Samples {
			s := &b.Samples[i]
			if s.BurstBalance != nil && !s.End.Before(at) {
				bb, at = s.BurstBalance, s.End
			}
			for _, x := range []struct {
				v   *float64
				dir string
			}{{s.BwInAllowanceExceeded, "inbound"}, {s.BwOutAllowanceExceeded, "outbound"}} {
				if x.v != nil && *x.v > 0 && !r.spent {
					r.spent, r.signal = true, report.PreconditionSignalAllowanceExceeded
					r.why = fmt.Sprintf("broker %d exceeded its %s network allowance (%s packets shaped in the minute to %s, %s)",
						b.ID, x.dir, strconv.FormatFloat(*x.v, 'f', 0, 64), s.End.UTC().Format("15:04"), m.Source)
				}
			}
		}
		if bb != nil {
			seen = true
			if *bb < lowest {
				lowest, lowestBroker = *bb, b.ID
			}
		}
	}
	if seen {
		r.last = fmt.Sprintf("lowest BurstBalance %s (broker %d)", rampPercent(lowest), lowestBroker)
		if lowest <= CreditsSpentBalance && !r.spent {
			r.spent, r.signal = true, report.PreconditionSignalBurstBalance
			r.why = fmt.Sprintf("broker %d's BurstBalance fell to %s (%s)", lowestBroker, rampPercent(lowest), m.Source)
		}
	}
	return r
}

// errBrokerCreditsSpent ends the precondition run when CloudWatch shows the
// brokers' burst credits spent.
var errBrokerCreditsSpent = errors.New("precondition: the brokers' burst credits are spent (CloudWatch)")

// rampPercent formats a fraction as a percentage with up to 1 decimal.
func rampPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
}
