package report

import (
	"fmt"
	"strings"
)

// Churn is the consumer churn of a step (consumers.churn): every
// EverySeconds of the measured phase, Members members of each group left
// and a new member joined in their place. Each event of a group is one
// Rebalance.
type Churn struct {
	// EverySeconds is the time between churn events (consumers.churn.every).
	EverySeconds float64 `json:"every_seconds"`
	// Members is how many members of each group left and rejoined per event.
	Members int `json:"members"`
	// Events counts the churn events caused, over all groups (one per
	// group per round).
	Events int `json:"events"`
	// Rebalances are the events, in order per group.
	Rebalances []Rebalance `json:"rebalances,omitempty"`
}

// Rebalance is one churn event of a consumer group and the rebalance it
// caused.
type Rebalance struct {
	// Workload names the group's workload ("" without workloads).
	Workload string `json:"workload,omitempty"`
	// Group is the index of the consumer group (in its workload).
	Group int `json:"group"`
	// Input is, in a result merged from several load generators
	// (`mskbench merge`), the 1-based input the group ran on: each
	// generator numbers its own groups. 0 when not merged.
	Input int `json:"input,omitempty"`
	// AtSeconds is when the members began to leave, from the measure
	// start.
	AtSeconds float64 `json:"at_seconds"`
	// Seconds is the rebalance's duration: from the first partition
	// revoked (the leaving member's, or the event's start when no
	// revocation was seen) to the last partition assigned before the
	// group was Stable with all its members again (the group callbacks).
	Seconds float64 `json:"seconds"`
	// PauseSeconds is the consumption pause: the longest time the group
	// read nothing, from the event's start to its first read after it
	// settled (with a low rate it includes the time between messages).
	PauseSeconds float64 `json:"pause_seconds"`
	// Messages is what the group read in that window.
	Messages int64 `json:"messages"`
	// EndToEndP99Ms is the p99 end-to-end latency of those messages (this
	// step's), 0 without any.
	EndToEndP99Ms float64 `json:"end_to_end_p99_ms"`
	// EndToEndMaxMs is their largest end-to-end latency.
	EndToEndMaxMs float64 `json:"end_to_end_max_ms"`
	// Settled says the group was Stable with all its members again before
	// the measured phase ended.
	Settled bool `json:"settled"`
}

// writeChurn writes the consumer churn of s, if any.
func writeChurn(b *strings.Builder, s *Step) {
	c := s.Churn
	if c == nil {
		return
	}
	fmt.Fprintf(b, "\nConsumer churn in step %s: %d events (%d member(s) of each group every %.3g s), %d rebalances\n",
		stepLabel(s), c.Events, c.Members, c.EverySeconds, len(c.Rebalances))
	t := table{header: []string{"  GROUP", "AT s", "REBALANCE s", "PAUSE s", "READ", "E2E p99 ms", "E2E max ms", "SETTLED"}}
	for _, r := range c.Rebalances {
		group := fmt.Sprint(r.Group)
		if r.Input > 0 {
			group = fmt.Sprintf("%d (input %d)", r.Group, r.Input)
		}
		t.rows = append(t.rows, []string{"  " + group, fmt.Sprintf("%.2f", r.AtSeconds), fmt.Sprintf("%.3f", r.Seconds),
			fmt.Sprintf("%.3f", r.PauseSeconds), fmt.Sprint(r.Messages), fmtMs(r.EndToEndP99Ms), fmtMs(r.EndToEndMaxMs), fmt.Sprint(r.Settled)})
	}
	t.write(b)
}

// merge adds the churn of load generator input (1-based), which churned
// its own groups, to c: events summed, rebalances kept with their input.
func (c *Churn) merge(o *Churn, input int) *Churn {
	if o == nil {
		return c
	}
	out := c
	if out == nil {
		out = &Churn{EverySeconds: o.EverySeconds, Members: o.Members}
	}
	out.Events += o.Events
	for _, r := range o.Rebalances {
		if r.Input == 0 {
			r.Input = input
		}
		out.Rebalances = append(out.Rebalances, r)
	}
	return out
}
