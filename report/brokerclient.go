package report

import (
	"fmt"
	"strconv"
	"strings"
)

// writeBrokerClient writes the per-broker client-side figures of the
// measured phase of s (Step.BrokerClient) and names the slowest broker.
func writeBrokerClient(b *strings.Builder, s *Step) {
	totals := BrokerClientTotals(s, PhaseMeasure)
	if len(totals) == 0 {
		return
	}
	fmt.Fprintf(b, "\nPer broker in step %s, as the clients saw it (measured phase):\n", stepLabel(s))
	t := table{header: []string{"  BROKER", "ADDRESS", "PRODUCE REQ/S", "PRODUCE MiB/S", "SERVICE MS", "FETCH MiB/S", "ERRORS"}}
	for _, x := range totals {
		id := strconv.Itoa(int(x.ID))
		if x.ID < 0 {
			id = "?"
		}
		svc := "-"
		if x.ProduceResponses > 0 {
			svc = strconv.FormatFloat(x.ProduceServiceTimeMeanMs, 'f', 2, 64)
		}
		t.rows = append(t.rows, []string{"  " + id, x.Host,
			ratePerSec(float64(x.ProduceRequests), x.Seconds, 0), ratePerSec(float64(x.ProduceBytes)/(1<<20), x.Seconds, 2),
			svc, ratePerSec(float64(x.FetchBytes)/(1<<20), x.Seconds, 2), strconv.FormatInt(x.Errors, 10)})
	}
	t.write(b)
	b.WriteString("  SERVICE = mean time from a produce request written to its response read (network, queueing,\n" +
		"  the broker's work and, with acks=all, replication); a broker leads the partitions it is sent.\n")
	if sl, median, ok := SlowestBroker(totals); ok {
		fmt.Fprintf(b, "  Slowest broker: %d (%s), %.2f ms per produce request against a median of %.2f ms", sl.ID, sl.Host, sl.ProduceServiceTimeMeanMs, median)
		if median > 0 {
			fmt.Fprintf(b, " (%.1f×)", sl.ProduceServiceTimeMeanMs/median)
		}
		b.WriteString(".\n")
	}
}

// ratePerSec formats v per second over secs with prec decimals ("-" without
// time).
func ratePerSec(v, secs float64, prec int) string {
	if secs <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v/secs, 'f', prec, 64)
}
