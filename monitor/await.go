package monitor

import (
	"context"
	"time"
)

// Await returns once every target has a scrape (successful or failed) that
// started at or after t, asking for one with Tick when needed, or when ctx
// ends (then it returns ctx's error). Call it after a step, while Run is
// still running, with t the end of the step's last interval, so that
// Metrics finds a scrape at the step's end; bound ctx by the scrape timeout
// and a little more. It never affects the load: the step has ended.
func (m *Monitor) Await(ctx context.Context, t time.Time) error {
	for _, ep := range m.eps {
		for {
			ep.mu.Lock()
			done := false
			if n := len(ep.hist); n > 0 {
				last := ep.hist[n-1]
				done = !last.at.Add(-last.took / 2).Before(t)
			}
			var wait chan struct{}
			if !done {
				if ep.scraped == nil {
					ep.scraped = make(chan struct{})
				}
				wait = ep.scraped
			}
			ep.mu.Unlock()
			if done {
				break
			}
			m.Tick()
			select {
			case <-wait:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}
