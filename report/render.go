package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Summary writes the human summary of r to w: a header, one table row per
// step, then per step the error breakdowns (failed messages, then every
// error response), time behind schedule (with a GENERATOR BOUND warning
// when the load generator was the limit), delivery verification with its
// examples and warnings, the brokers' own figures (Step.Brokers: per
// source a table per broker, utilisation and the binding resource), and
// last the check outcomes. The
// output depends only on r (times are printed in UTC), so rendering a
// result read back from its file gives exactly the bytes the run printed.
// Embedded results start with [EmbeddedNote].
func Summary(w io.Writer, r *Result) error {
	var b strings.Builder
	if r.Embedded {
		b.WriteString(EmbeddedNote + "\n")
	}
	b.WriteString(describe(r))
	if !r.Started.IsZero() && r.Ended.After(r.Started) {
		fmt.Fprintf(&b, "  took %s", r.Ended.Sub(r.Started).Round(time.Second))
	}
	b.WriteString("\n")
	if l := clientLine(r); l != "" {
		b.WriteString(l + "\n")
	}
	if c := r.Connection; c.Mechanism != "" {
		fmt.Fprintf(&b, "connection %s to %s: %d connections opened, %d reconnects",
			c.Mechanism, strings.Join(c.Brokers, ","), c.Dials, c.Reconnects)
		if c.Region != "" {
			fmt.Fprintf(&b, ", region %s", c.Region)
		}
		b.WriteString("\n")
	}
	if r.Partial {
		b.WriteString("PARTIAL: the run was interrupted; results cover what was measured until then.\n")
	}
	b.WriteString("\n")

	t := table{header: summaryHeader()}
	for i := range r.Steps {
		t.rows = append(t.rows, summaryRow(&r.Steps[i]))
		for _, w := range workloadRows(&r.Steps[i]) {
			t.rows = append(t.rows, summaryRow(&w))
		}
	}
	if len(r.Steps) == 0 {
		b.WriteString("no steps were measured\n")
	} else {
		t.write(&b)
		b.WriteString("\nLatencies in ms. PUB = ack − intended send (the number to quote), SVC = ack − actual send,\n" +
			"E2E = consume − intended send. Rates over the measured phase; MiB = 2^20 bytes.\n" +
			"BEHIND = messages sent more than " + BehindScheduleThreshold.String() + " after their intended send time: the generator\n" +
			"(or the in-flight bound, when the cluster is slow) held them back; PUB includes that wait.\n")
	}

	for i := range r.Steps {
		s := &r.Steps[i]
		if f := s.Failure(); f != "" {
			fmt.Fprintf(&b, "\nStep %s FAILED: %s.\n", stepLabel(s), f)
		}
		if len(s.Errors) > 0 {
			fmt.Fprintf(&b, "\nErrors in step %s (%d failed):\n", stepLabel(s), s.Counters.Failed)
			keys := slices.Sorted(maps.Keys(s.Errors))
			// Most frequent first, ties by label, for a stable order.
			slices.SortStableFunc(keys, func(x, y string) int { return cmpInt64(s.Errors[y], s.Errors[x]) })
			et := table{}
			for _, k := range keys {
				et.rows = append(et.rows, []string{"  " + k, strconv.FormatInt(s.Errors[k], 10)})
			}
			et.write(&b)
		}
		if len(s.ResponseErrors) > 0 {
			fmt.Fprintf(&b, "\nError responses in step %s (every failed attempt, retried or not):\n", stepLabel(s))
			writeCounts(&b, s.ResponseErrors)
		}
		if s.Counters.Unsent > 0 {
			fmt.Fprintf(&b, "\nStep %s: %s.\n", stepLabel(s), UnsentLine(s.Counters))
		}
		writeGenerator(&b, s)
		writeShards(&b, s)
		writeThrottle(&b, s)
		writeSpread(&b, s)
		if c := s.Compression; c != nil && c.Ratio < 1 {
			fmt.Fprintf(&b, "\nCompression of step %s: batches of %.2f MiB written as %.2f MiB, ratio %.3f (compressed ÷ uncompressed).\n",
				stepLabel(s), float64(c.UncompressedBytes)/MiB, float64(c.CompressedBytes)/MiB, c.Ratio)
		}
		writeTransactions(&b, s)
		writeVerification(&b, s)
		writeCatchUp(&b, s)
		writeChurn(&b, s)
		writeBrokers(&b, s)
		writeBrokerClient(&b, s)
		if s.Counters.Lag > 0 {
			fmt.Fprintf(&b, "\nStep %s: %d messages not consumed by the end of the drain phase (lag).\n", stepLabel(s), s.Counters.Lag)
		}
		if s.Counters.Clamped > 0 {
			fmt.Fprintf(&b, "\nStep %s: %d latency values outside 0..60 s were clamped.\n", stepLabel(s), s.Counters.Clamped)
		}
		if len(s.Warnings) > 0 {
			fmt.Fprintf(&b, "\nWarnings in step %s:\n", stepLabel(s))
			for _, w := range s.Warnings {
				fmt.Fprintf(&b, "  %s\n", w)
			}
		}
	}
	writeRamp(&b, r)
	if len(r.Warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	if len(r.Checks) > 0 {
		b.WriteString("\nChecks:\n")
		writeChecks(&b, r, r.Checks)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// writeCounts writes label counts as an indented table, most frequent
// first, ties by label.
func writeCounts(b *strings.Builder, m map[string]int64) {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(x, y string) int { return cmpInt64(m[y], m[x]) })
	t := table{}
	for _, k := range keys {
		t.rows = append(t.rows, []string{"  " + k, strconv.FormatInt(m[k], 10)})
	}
	t.write(b)
}

// UnsentLine says how many offered messages of c were never sent and why,
// e.g. "1749 of 20000 offered messages were never sent: the schedule ended
// while ...; they are in no latency histogram". "" when none.
func UnsentLine(c Counters) string {
	if c.Unsent == 0 {
		return ""
	}
	of := ""
	if c.Offered > 0 {
		of = fmt.Sprintf(" of %d offered", c.Offered)
	}
	why := c.UnsentReason
	if why == "" {
		why = "the step ended first"
	}
	return fmt.Sprintf("%d%s messages were never sent: %s; they are in no latency histogram", c.Unsent, of, why)
}

// writeGenerator explains time behind schedule and warns when the load
// generator itself was the bottleneck.
func writeGenerator(b *strings.Builder, s *Step) {
	g := s.Generator
	if s.Counters.BehindSchedule == 0 && s.Counters.BehindScheduleSeconds == 0 && (g == nil || !g.Bottleneck) {
		return
	}
	fmt.Fprintf(b, "\nStep %s: %d messages sent more than %s late, behind schedule for %.2f s",
		stepLabel(s), s.Counters.BehindSchedule, BehindScheduleThreshold, s.Counters.BehindScheduleSeconds)
	if g != nil {
		fmt.Fprintf(b, " (%d waited for the in-flight bound, %d held back by the generator; generator CPU %.0f%%)",
			g.LateInFlight, g.LateGenerator, 100*g.CPUUtilization)
	}
	b.WriteString(".\n  PUB counts from the intended send time, so it includes that wait; SVC does not.\n")
	if g != nil && g.Host != nil {
		h := g.Host
		fmt.Fprintf(b, "  Host CPU (%d CPUs): %.0f%% busy (this process %.0f%%, other processes %.0f%%), %.0f%% stolen.\n",
			h.CPUs, 100*h.Busy, 100*h.Process, 100*h.Other, 100*h.Steal)
	}
	if g != nil && g.Bottleneck && s.Failure() == "" {
		b.WriteString("  GENERATOR BOUND: the load generator, not the cluster, limited this step; its latencies\n" +
			"  include the tool's own queueing.")
		if advice := CauseAdvice(*g); advice != "" {
			b.WriteString("\n  Cause: " + advice + ".\n")
		} else {
			b.WriteString("\n")
		}
	}
}

// writeShards describes the shards of a step of a distributed run: each
// shard's share and diagnosis, the missing ones, and the cross-shard
// end-to-end latency, which is reported apart from the same-shard E2E
// columns of the table.
func writeShards(b *strings.Builder, s *Step) {
	if len(s.Shards) == 0 {
		return
	}
	fmt.Fprintf(b, "\nStep %s: %d shards; E2E above counts only messages a shard's own producers sent.\n", stepLabel(s), len(s.Shards))
	t := table{header: []string{"  SHARD", "HOST", "PRODUCERS", "CONSUMERS/GROUP", "SENT", "ACKED", "CONSUMED", "CPU", "CLOCK OFFSET ms"}}
	for _, x := range s.Shards {
		if x.Missing {
			t.rows = append(t.rows, []string{"  " + strconv.Itoa(x.Index), "MISSING: its data never reached shard 0; the step is partial", "", "", "", "", "", "", ""})
			continue
		}
		cpu := "-"
		if g := x.Generator; g != nil {
			cpu = fmt.Sprintf("%.0f%%", 100*g.CPUUtilization)
			if g.Bottleneck {
				cpu += " GENERATOR BOUND"
			}
		}
		t.rows = append(t.rows, []string{"  " + strconv.Itoa(x.Index), x.Host, fmt.Sprintf("%d..%d", x.ProducerIDsFrom, x.ProducerIDsTo-1),
			strconv.Itoa(x.ConsumersPerGroup), strconv.FormatInt(x.Sent, 10), strconv.FormatInt(x.Acked, 10), strconv.FormatInt(x.Consumed, 10),
			cpu, fmt.Sprintf("%.3f ± %.3f", x.ClockOffsetMs, x.ClockOffsetBoundMs)})
	}
	t.write(b)
	if l := s.Latency.EndToEndCross; l.Count > 0 {
		fmt.Fprintf(b, "  Cross-shard end-to-end (%d messages another shard produced; uncertain by the clock offsets' bounds): p50 %s, p99 %s, p99.9 %s, max %s ms.\n",
			l.Count, fmtFloat(l.P50Ms), fmtFloat(l.P99Ms), fmtFloat(l.P999Ms), fmtFloat(l.MaxMs))
	}
}

// writeThrottle flags a step whose responses the brokers throttled.
func writeThrottle(b *strings.Builder, s *Step) {
	if !s.Throttled() {
		return
	}
	t := s.Throttle
	fmt.Fprintf(b, "\nStep %s: THROTTLED: brokers throttled %d responses (produce %d, fetch %d) for %d ms in total, at most %d ms at once.\n",
		stepLabel(s), t.Responses, t.Produce.Responses, t.Fetch.Responses, t.TotalMs, t.MaxMs)
	b.WriteString("  A quota (client quotas, or the fixed quotas of MSK Express brokers), not the cluster's capacity,\n" +
		"  limited this step.\n")
	brokers := slices.Sorted(maps.Keys(t.Brokers))
	bt := table{}
	for _, k := range brokers {
		c := t.Brokers[k]
		bt.rows = append(bt.rows, []string{"  " + k, strconv.FormatInt(c.Responses, 10) + " responses",
			strconv.FormatInt(c.TotalMs, 10) + " ms", "max " + strconv.FormatInt(c.MaxMs, 10) + " ms"})
	}
	bt.write(b)
}

// hotSkew is the skew (max ÷ mean messages per partition) from which the
// summary names the hottest partitions.
const hotSkew = 1.5

// writeSpread writes how the acknowledged messages of s spread over its
// partitions, naming the hottest when the spread is skewed.
func writeSpread(b *strings.Builder, s *Step) {
	sp := s.PartitionSpread
	if sp == nil || sp.Max == 0 {
		return
	}
	fmt.Fprintf(b, "\nPartitions of step %s: %d written; messages per partition min %d, max %d, mean %.1f, skew %.2f (max ÷ mean).\n",
		stepLabel(s), len(sp.Partitions), sp.Min, sp.Max, sp.Mean, sp.Skew)
	if sp.Skew < hotSkew {
		return
	}
	hot := slices.Clone(sp.Partitions)
	slices.SortStableFunc(hot, func(x, y PartitionMessages) int { return cmpInt64(y.Messages, x.Messages) })
	b.WriteString("  HOT PARTITIONS:")
	for i, p := range hot[:min(3, len(hot))] {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(b, " %s[%d] %d (%.0f%%)", p.Topic, p.Partition, p.Messages, 100*float64(p.Messages)/(sp.Mean*float64(len(sp.Partitions))))
	}
	b.WriteString("\n")
}

// writeTransactions writes the transaction counts of s, if any.
func writeTransactions(b *strings.Builder, s *Step) {
	x := s.Transactions
	if x == nil {
		return
	}
	fmt.Fprintf(b, "\nTransactions in step %s: %d committed, %d aborted (%d messages)", stepLabel(s), x.Committed, x.Aborted, s.Counters.Aborted)
	if x.Failed > 0 {
		fmt.Fprintf(b, ", %d failed to end", x.Failed)
	}
	if c := s.Latency.Commit; c.Count > 0 {
		fmt.Fprintf(b, "; commit p50 %s ms, p99 %s ms", fmtMs(c.P50Ms), fmtMs(c.P99Ms))
	}
	b.WriteString(".\n")
}

// writeVerification writes the delivery verification of s, if any.
func writeVerification(b *strings.Builder, s *Step) {
	v := s.Verification
	if v == nil {
		return
	}
	verdict := "OK"
	if v.Problems() > 0 || s.ReadNothing() {
		verdict = "FAILED"
	}
	fmt.Fprintf(b, "\nVerification of step %s: %s  lost %d, duplicated %d, out of order %d, corrupted %d",
		stepLabel(s), verdict, v.Lost, v.Duplicated, v.OutOfOrder, v.Corrupted)
	if v.AbortedSeen > 0 || s.Transactions != nil {
		fmt.Fprintf(b, ", aborted seen %d", v.AbortedSeen)
	}
	fmt.Fprintf(b, " (foreign %d, redelivered %d)\n", v.Foreign, v.Redelivered)
	if !v.Complete {
		b.WriteString("  the drain did not complete: lost includes messages that were only late\n")
	}
	for _, e := range v.Examples {
		where := "never read"
		if e.Offset >= 0 {
			where = fmt.Sprintf("at %s/%d offset %d", e.Topic, e.Partition, e.Offset)
		}
		fmt.Fprintf(b, "  %-12s producer %d seq %d, group %d: %s\n", e.Kind, e.Producer, e.Sequence, e.Group, where)
	}
}

// progressColumn is one column of the live progress line: its title (with
// the unit), its width and its cell of an interval.
type progressColumn struct {
	title string
	width int
	cell  func(iv Interval) string
}

// warmupDash returns "-" in the warm-up, whose latencies and bytes are not
// recorded (statistics are discarded), and v otherwise.
func warmupDash(iv Interval, v string) string {
	if iv.Phase == PhaseWarmup {
		return "-"
	}
	return v
}

// progressColumns are the columns of the progress line, in order.
var progressColumns = []progressColumn{
	{"STEP", 12, func(iv Interval) string { return orDash(Sanitize(iv.Step)) }},
	{"PHASE", 7, func(iv Interval) string { return Sanitize(iv.Phase) }},
	{"TIME s", 7, func(iv Interval) string { return strconv.FormatFloat(iv.ElapsedSeconds, 'f', 1, 64) }},
	{"ACKED msg/s", 11, func(iv Interval) string { return fmtRate(iv.MsgsPerSec) }},
	{"MiB/s", 7, func(iv Interval) string { return warmupDash(iv, strconv.FormatFloat(iv.MiBPerSec, 'f', 2, 64)) }},
	{"PUB p50 ms", 10, func(iv Interval) string { return warmupDash(iv, fmtMs3(iv.Acked, iv.PublishP50Ms)) }},
	{"PUB p99 ms", 10, func(iv Interval) string { return warmupDash(iv, fmtMs3(iv.Acked, iv.PublishP99Ms)) }},
	{"E2E p50 ms", 10, func(iv Interval) string { return warmupDash(iv, fmtMs3(iv.Consumed, iv.EndToEndP50Ms)) }},
	{"E2E p99 ms", 10, func(iv Interval) string { return warmupDash(iv, fmtMs3(iv.Consumed, iv.EndToEndP99Ms)) }},
	{"FAILED", 6, func(iv Interval) string { return strconv.FormatInt(iv.Failed, 10) }},
	{"LAG", 7, func(iv Interval) string { return strconv.FormatInt(iv.Lag, 10) }},
	{"BEHIND", 6, func(iv Interval) string { return strconv.FormatInt(iv.BehindSchedule, 10) }},
}

// ProgressHeader returns the header of the live progress lines: the column
// titles with their units, aligned with [ProgressLine]. It ends in no
// newline.
func ProgressHeader() string {
	return progressRow(func(c progressColumn) string { return c.title })
}

// ProgressLine returns the live progress line of iv: step, phase, elapsed
// seconds, acknowledged msgs/s and MiB/s, publish and end-to-end p50/p99 in
// ms, failed messages, consumer lag and messages behind schedule (sent
// more than [BehindScheduleThreshold] late), in the columns of
// [ProgressHeader]. A latency without samples, and in the warm-up (whose
// latencies and bytes are discarded) every latency and MiB/s, is "-". It
// holds no control character (labels are sanitised) and ends in no
// newline; the caller draws it (cmd/mskbench redraws it in place on a
// terminal).
func ProgressLine(iv Interval) string {
	return progressRow(func(c progressColumn) string { return c.cell(iv) })
}

func progressRow(text func(progressColumn) string) string {
	var b strings.Builder
	for i, c := range progressColumns {
		t := text(c)
		if i > 0 {
			b.WriteString("  ")
		}
		pad := strings.Repeat(" ", max(0, c.width-utf8.RuneCountInString(t)))
		if i < 2 {
			b.WriteString(t + pad)
		} else {
			b.WriteString(pad + t)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// csvHeader lists the CSV columns; see docs/results.md.
func csvHeader() []string {
	h := []string{
		"step", "label", "params", "partial", "measured_seconds", "consumer_groups",
		"offered", "sent", "acked", "failed", "consumed", "acked_bytes", "consumed_bytes",
		"behind_schedule", "clamped", "lag",
		"offered_msgs_per_sec", "msgs_per_sec", "bytes_per_sec", "mib_per_sec",
		"consumed_msgs_per_sec", "consumed_bytes_per_sec", "consumed_mib_per_sec",
	}
	for _, k := range LatencyKinds {
		h = append(h, k.Name+"_count")
		for _, st := range latencyStats {
			h = append(h, k.Name+"_"+st.key)
		}
	}
	h = append(h, "errors",
		"behind_schedule_seconds", "cpu_utilization", "generator_bottleneck",
		"verified", "lost", "duplicated", "out_of_order", "corrupted", "foreign", "redelivered",
		"response_errors")
	return append(h, brokerCSVHeader()...)
}

// CSV writes one header row and one row per step of r. Params are written
// as "k=v" pairs sorted by key and separated by ";", errors as
// "label=count" pairs likewise. Numbers use the shortest exact decimal form.
func CSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		c, tp := s.Counters, s.Throughput
		row := []string{
			strconv.Itoa(s.Index), s.Label, joinPairs(s.Params), strconv.FormatBool(s.Partial),
			fmtFloat(s.MeasuredSeconds), strconv.Itoa(s.ConsumerGroups),
		}
		for _, n := range []int64{c.Offered, c.Sent, c.Acked, c.Failed, c.Consumed, c.AckedBytes, c.ConsumedBytes, c.BehindSchedule, c.Clamped, c.Lag} {
			row = append(row, strconv.FormatInt(n, 10))
		}
		for _, f := range []float64{tp.OfferedMsgsPerSec, tp.MsgsPerSec, tp.BytesPerSec, tp.MiBPerSec, tp.ConsumedMsgsPerSec, tp.ConsumedBytesPerSec, tp.ConsumedMiBPerSec} {
			row = append(row, fmtFloat(f))
		}
		for _, k := range LatencyKinds {
			l := *k.Summary(&s.Latency)
			row = append(row, strconv.FormatInt(l.Count, 10))
			for _, st := range latencyStats {
				row = append(row, fmtFloat(st.value(l)))
			}
		}
		row = append(row, joinCounts(s.Errors), fmtFloat(c.BehindScheduleSeconds))
		if g := s.Generator; g != nil {
			row = append(row, fmtFloat(g.CPUUtilization), strconv.FormatBool(g.Bottleneck))
		} else {
			row = append(row, "", "")
		}
		if v := s.Verification; v != nil {
			row = append(row, "true")
			for _, n := range []int64{v.Lost, v.Duplicated, v.OutOfOrder, v.Corrupted, v.Foreign, v.Redelivered} {
				row = append(row, strconv.FormatInt(n, 10))
			}
		} else {
			row = append(row, "false", "", "", "", "", "", "")
		}
		row = append(row, joinCounts(s.ResponseErrors))
		row = append(row, brokerCSVCells(s)...)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// summaryColumn is one column of the summary table, in the terminal
// ([Summary]) and in HTML: its titles and its cell of a step.
type summaryColumn struct {
	title, html string
	cell        func(*Step) string
}

// summaryColumns are the columns of the summary table, in order.
var summaryColumns = []summaryColumn{
	{"STEP", "step", func(s *Step) string {
		if s.Partial {
			return stepLabel(s) + " (partial)"
		}
		return stepLabel(s)
	}},
	{"OFFERED/s", "offered msgs/s", func(s *Step) string {
		if s.Counters.Offered > 0 {
			return fmtRate(s.Throughput.OfferedMsgsPerSec)
		}
		return "-"
	}},
	{"ACKED/s", "acked msgs/s", func(s *Step) string { return fmtRate(s.Throughput.MsgsPerSec) }},
	{"MiB/s", "MiB/s", func(s *Step) string { return strconv.FormatFloat(s.Throughput.MiBPerSec, 'f', 2, 64) }},
	latencyColumn(latPublish, statP50), latencyColumn(latPublish, statP99),
	latencyColumn(latPublish, statP999), latencyColumn(latPublish, statMax),
	latencyColumn(latService, statP99),
	latencyColumn(latEndToEnd, statP50), latencyColumn(latEndToEnd, statP99),
	countColumn("ACKED", "acked", func(c Counters) int64 { return c.Acked }),
	countColumn("CONSUMED", "consumed", func(c Counters) int64 { return c.Consumed }),
	countColumn("FAILED", "failed", func(c Counters) int64 { return c.Failed }),
	countColumn("BEHIND", "behind", func(c Counters) int64 { return c.BehindSchedule }),
}

// latencyColumn is the column of statistic stat of latency kind: "PUB p99"
// ("pub p99" in HTML), in ms, "-" without samples.
func latencyColumn(kind, stat int) summaryColumn {
	k, st := LatencyKinds[kind], latencyStats[stat]
	return summaryColumn{k.Title + " " + st.title, strings.ToLower(k.Title) + " " + st.title, func(s *Step) string {
		l := *k.Summary(&s.Latency)
		return fmtLat(l, st.value(l))
	}}
}

func countColumn(title, html string, n func(Counters) int64) summaryColumn {
	return summaryColumn{title, html, func(s *Step) string { return strconv.FormatInt(n(s.Counters), 10) }}
}

// summaryHeader returns the terminal titles of summaryColumns.
func summaryHeader() []string {
	h := make([]string, len(summaryColumns))
	for i, c := range summaryColumns {
		h[i] = c.title
	}
	return h
}

// workloadRows returns the workloads of s as steps of their own, for their
// rows in the summary table under the step's (the total): labelled
// "<step>/<workload>".
func workloadRows(s *Step) []Step {
	out := make([]Step, 0, len(s.Workloads))
	for _, w := range s.Workloads {
		out = append(out, Step{
			Index: s.Index, Label: stepLabel(s) + "/" + w.Name, Partial: s.Partial,
			ConsumerGroups: w.ConsumerGroups, Counters: w.Counters, Throughput: w.Throughput, Latency: w.Latency,
		})
	}
	return out
}

// summaryRow is the row of step s in the summary table (terminal and HTML).
func summaryRow(s *Step) []string {
	row := make([]string, len(summaryColumns))
	for i, c := range summaryColumns {
		row[i] = c.cell(s)
	}
	return row
}

// HGRM writes the named latency histogram of step s ("publish", "service",
// "send_delay" or "end_to_end") as an HdrHistogram percentile distribution
// (.hgrm, values in milliseconds), the format HdrHistogram's plotter reads.
func HGRM(w io.Writer, s *Step, name string) error {
	h, err := s.Histogram(name)
	if err != nil {
		return err
	}
	if _, err := h.h.PercentilesPrint(w, 5, 1000); err != nil {
		return fmt.Errorf("write hgrm: %w", err)
	}
	return nil
}

// table is a minimal deterministic text table: the first column is left
// aligned, the others right aligned (all left aligned with left set),
// columns separated by two spaces, trailing blanks trimmed.
type table struct {
	header []string
	rows   [][]string
	left   bool
}

func (t *table) write(b *strings.Builder) {
	all := t.rows
	if t.header != nil {
		all = append([][]string{t.header}, t.rows...)
	}
	var widths []int
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range all {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if i == 0 || t.left {
				line.WriteString(c + pad)
			} else {
				line.WriteString(pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// stepLabel names a step in summaries: its sweep label, or "#N" (1-based)
// for a step without one.
func stepLabel(s *Step) string {
	if s.Label != "" {
		return s.Label
	}
	return "#" + strconv.Itoa(s.Index+1) // 1-based, like the progress line and the log
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// fmtRate formats a per-second rate with no decimals (two below 10).
func fmtRate(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// fmtMs formats milliseconds with about three significant digits.
func fmtMs(v float64) string {
	switch {
	case v < 10:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 1000:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

// fmtLat formats v of summary l, or "-" when l is empty.
func fmtLat(l LatencySummary, v float64) string {
	if l.Count == 0 {
		return "-"
	}
	return fmtMs(v)
}

// fmtMs3 formats v with three significant digits (compact, for the
// progress line), or "-" when n (the number of samples) is 0.
func fmtMs3(n int64, v float64) string {
	switch {
	case n == 0:
		return "-"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func joinPairs(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ";")
}

func joinCounts(m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strconv.FormatInt(m[k], 10))
	}
	return strings.Join(parts, ";")
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
