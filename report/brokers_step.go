package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Broker metrics of a step (Step.Brokers) as the rest of report uses them:
// the check aggregates, the ramp's broker criteria, the summary section and
// the CSV columns. Everything here is a pure function of the step.

// BrokerClientSeries are the per-broker figures the step's clients
// measured themselves (issue 12's "per-broker client-side figures"): what
// its producers and consumers sent to and read from each broker, seen by
// the engine's wire tap on every client connection of both clients (not
// the admin connection), one sample per report interval. The broker a
// produce request goes to is the leader of its partitions, so a slow
// broker shows as a high service time of its own.
type BrokerClientSeries struct {
	// ID is the broker's node id from the cluster metadata (-1 when the
	// address matched no broker of it); Host its address as dialled.
	ID   int32  `json:"id"`
	Host string `json:"host,omitempty"`
	// Samples are per report interval (warm-up, measure and drain), in
	// time order; an interval in which the broker got no produce request
	// and sent no fetch response has none.
	Samples []BrokerClientSample `json:"samples"`
}

// BrokerClientSample is what the clients sent to and read from one broker
// in one interval.
type BrokerClientSample struct {
	// Start and End bound the interval; Phase is its phase (warmup,
	// measure or drain).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Phase string    `json:"phase,omitempty"`
	// ProduceRequests are the produce requests written to the broker and
	// ProduceBytes their bytes on the wire (request frames: records,
	// batch and request headers). ProduceResponses are the responses read
	// back in the interval; ProduceServiceTimeSumMs sums their service
	// times (first bytes of the request written to first bytes of the
	// response read: network, queueing and the broker's work, replication
	// for acks=all) and ProduceServiceTimeMeanMs is the mean.
	ProduceRequests          int64   `json:"produce_requests"`
	ProduceBytes             int64   `json:"produce_bytes"`
	ProduceResponses         int64   `json:"produce_responses"`
	ProduceServiceTimeSumMs  float64 `json:"produce_service_time_sum_ms"`
	ProduceServiceTimeMeanMs float64 `json:"produce_service_time_mean_ms"`
	// FetchResponses are the fetch responses read from the broker and
	// FetchBytes their bytes on the wire (response frames).
	FetchResponses int64 `json:"fetch_responses"`
	FetchBytes     int64 `json:"fetch_bytes"`
	// Errors are the partitions of the broker's produce responses that
	// carried an error code (retried or not).
	Errors int64 `json:"errors"`
}

// mergeBrokerClient adds the per-broker series of another generator's
// step to a: samples of the same broker (id and address) are gathered in
// time order. a is not modified.
func mergeBrokerClient(a, b []BrokerClientSeries) []BrokerClientSeries {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, s := range b {
		i := slices.IndexFunc(out, func(x BrokerClientSeries) bool { return x.ID == s.ID && x.Host == s.Host })
		if i < 0 {
			out = append(out, BrokerClientSeries{ID: s.ID, Host: s.Host})
			i = len(out) - 1
		}
		out[i].Samples = append(slices.Clone(out[i].Samples), s.Samples...)
		slices.SortStableFunc(out[i].Samples, func(x, y BrokerClientSample) int { return x.Start.Compare(y.Start) })
	}
	return out
}

// BrokerClientTotal is one broker's client-side figures summed over the
// samples of one phase (see [BrokerClientTotals]).
type BrokerClientTotal struct {
	ID   int32
	Host string
	// Seconds is the wall time of the phase: the measured seconds of the
	// step for the measured phase, otherwise the span of the samples (first
	// start to last end: the generators of a merged step ran at the same
	// time).
	Seconds float64

	ProduceRequests, ProduceBytes, ProduceResponses int64
	ProduceServiceTimeMeanMs                        float64 // 0 without responses
	FetchResponses, FetchBytes, Errors              int64
}

// BrokerClientTotals sums each broker's samples of phase (every phase when
// ""), in the order of s.BrokerClient.
func BrokerClientTotals(s *Step, phase string) []BrokerClientTotal {
	out := make([]BrokerClientTotal, 0, len(s.BrokerClient))
	for _, b := range s.BrokerClient {
		t := BrokerClientTotal{ID: b.ID, Host: b.Host}
		var sumMs float64
		var first, last time.Time
		for _, x := range b.Samples {
			if phase != "" && x.Phase != phase {
				continue
			}
			if first.IsZero() || x.Start.Before(first) {
				first = x.Start
			}
			if x.End.After(last) {
				last = x.End
			}
			t.ProduceRequests += x.ProduceRequests
			t.ProduceBytes += x.ProduceBytes
			t.ProduceResponses += x.ProduceResponses
			sumMs += x.ProduceServiceTimeSumMs
			t.FetchResponses += x.FetchResponses
			t.FetchBytes += x.FetchBytes
			t.Errors += x.Errors
		}
		if t.ProduceResponses > 0 {
			t.ProduceServiceTimeMeanMs = sumMs / float64(t.ProduceResponses)
		}
		switch {
		case phase == PhaseMeasure && s.MeasuredSeconds > 0:
			t.Seconds = s.MeasuredSeconds // a broker idle for a while still counts the whole phase
		case !first.IsZero():
			t.Seconds = last.Sub(first).Seconds()
		}
		out = append(out, t)
	}
	return out
}

// SlowestBroker returns the broker of totals with the highest mean produce
// service time, and the median of the brokers' means, when at least two
// brokers answered produce requests (one broker cannot be the slow one).
func SlowestBroker(totals []BrokerClientTotal) (slowest BrokerClientTotal, median float64, ok bool) {
	var means []float64
	for _, t := range totals {
		if t.ProduceResponses == 0 {
			continue
		}
		means = append(means, t.ProduceServiceTimeMeanMs)
		if !ok || t.ProduceServiceTimeMeanMs > slowest.ProduceServiceTimeMeanMs {
			slowest, ok = t, true
		}
	}
	if len(means) < 2 {
		return BrokerClientTotal{}, 0, false
	}
	slices.Sort(means)
	n := len(means)
	median = means[n/2]
	if n%2 == 0 {
		median = (means[n/2-1] + means[n/2]) / 2
	}
	return slowest, median, true
}

// brokerAggregate is one check aggregate of a step's broker metrics.
type brokerAggregate struct {
	name string
	// percent marks utilisations and balances, in percent 0..100 (so that
	// "broker_cpu_max < 60" reads as 60%).
	percent bool
	// value returns the figure over every source of the step, and whether
	// any source measured it.
	value func(sums []sourceSummary) (float64, bool)
}

// sourceSummary is one source of a step with its summary.
type sourceSummary struct {
	m   *BrokerMetrics
	sum BrokerSummary
}

// summaries returns the sources of s with their summaries ([BrokerMetrics.Summary],
// or [SummarizeBrokers] without capacities when a source has none).
func summaries(s *Step) []sourceSummary {
	out := make([]sourceSummary, 0, len(s.Brokers))
	for i := range s.Brokers {
		m := &s.Brokers[i]
		sum := SummarizeBrokers(*m, nil)
		if m.Summary != nil {
			sum = *m.Summary
		}
		out = append(out, sourceSummary{m, sum})
	}
	return out
}

// peakOf returns the highest peak of figure over the sources (the lowest
// for the idle fractions and balances, low true).
func peakOf(figure string, low bool) func([]sourceSummary) (float64, bool) {
	return func(sums []sourceSummary) (float64, bool) {
		v, ok := 0.0, false
		for _, ss := range sums {
			p, has := ss.sum.Peaks[figure]
			if !has {
				continue
			}
			if !ok || (low && p.Value < v) || (!low && p.Value > v) {
				v, ok = p.Value, true
			}
		}
		return v, ok
	}
}

// maxPeakOf returns the highest of several figures' peaks.
func maxPeakOf(figures ...string) func([]sourceSummary) (float64, bool) {
	return func(sums []sourceSummary) (float64, bool) {
		v, ok := 0.0, false
		for _, f := range figures {
			if x, has := peakOf(f, false)(sums); has {
				v, ok = math.Max(v, x), true
			}
		}
		return v, ok
	}
}

// utilOf returns the highest sustained (mean) or peak utilisation of a
// resource over the sources.
func utilOf(resource string, peak bool) func([]sourceSummary) (float64, bool) {
	return func(sums []sourceSummary) (float64, bool) {
		v, ok := 0.0, false
		for _, ss := range sums {
			for _, u := range ss.sum.Utilization {
				if u.Resource != resource {
					continue
				}
				x := u.Mean
				if peak {
					x = u.Peak
				}
				v, ok = math.Max(v, x), true
			}
		}
		return v, ok
	}
}

// brokerAggregates are the check aggregates of broker metrics, in the
// order of the CSV columns. A step has only those some source measured.
var brokerAggregates = []brokerAggregate{
	{"broker_cpu_max", true, utilOf(BrokerResourceCPU, true)},
	{"broker_cpu_mean", true, utilOf(BrokerResourceCPU, false)},
	{"broker_network_max", true, utilOf(BrokerResourceNetwork, true)},
	{"broker_network_mean", true, utilOf(BrokerResourceNetwork, false)},
	{"broker_disk_max", true, utilOf(BrokerResourceDisk, true)},
	{"broker_disk_mean", true, utilOf(BrokerResourceDisk, false)},
	{"broker_binding_mean", true, func(sums []sourceSummary) (float64, bool) {
		v, ok := 0.0, false
		for _, ss := range sums {
			if len(ss.sum.Utilization) > 0 {
				v, ok = math.Max(v, ss.sum.Utilization[0].Mean), true
			}
		}
		return v, ok
	}},
	{"broker_max_bytes_in_per_sec", false, peakOf("bytes_in_per_sec", false)},
	{"broker_max_bytes_out_per_sec", false, peakOf("bytes_out_per_sec", false)},
	{"broker_max_network_rx_bytes_per_sec", false, peakOf("network_rx_bytes_per_sec", false)},
	{"broker_max_network_tx_bytes_per_sec", false, peakOf("network_tx_bytes_per_sec", false)},
	{"broker_request_handler_idle_min", true, peakOf("request_handler_idle", true)},
	{"broker_produce_total_time_max_ms", false, peakOf("produce_total_time_p99_ms", false)},
	{"broker_throttle_time_max_ms", false, maxPeakOf("produce_throttle_time_ms", "fetch_throttle_time_ms")},
	{"broker_allowance_exceeded_max", false, maxPeakOf("bw_in_allowance_exceeded", "bw_out_allowance_exceeded")},
	{"broker_burst_balance_min", true, peakOf("burst_balance", true)},
	{"broker_under_replicated_max", false, peakOf("under_replicated_partitions", false)},
	{"broker_throttled", false, func(sums []sourceSummary) (float64, bool) {
		v := 0.0
		for _, ss := range sums {
			if ss.sum.Throttled {
				v = 1
			}
		}
		return v, len(sums) > 0
	}},
}

// brokerAggregateValues returns the broker aggregates s has (percentages
// already multiplied by 100).
func brokerAggregateValues(s *Step) map[string]float64 {
	if len(s.Brokers) == 0 {
		return nil
	}
	sums := summaries(s)
	out := map[string]float64{}
	for _, a := range brokerAggregates {
		if v, ok := a.value(sums); ok {
			if a.percent {
				v *= 100
			}
			out[a.name] = v
		}
	}
	return out
}

// brokerAggregateNamed returns the broker aggregate of that name.
func brokerAggregateNamed(name string) (brokerAggregate, bool) {
	i := slices.IndexFunc(brokerAggregates, func(a brokerAggregate) bool { return a.name == name })
	if i < 0 {
		return brokerAggregate{}, false
	}
	return brokerAggregates[i], true
}

// brokerUnknown explains why the broker aggregate name has no value on s,
// "" when it has one or name is not a broker aggregate.
func brokerUnknown(name string, s *Step) string {
	if _, ok := brokerAggregateNamed(name); !ok {
		return ""
	}
	if _, ok := brokerAggregateValues(s)[name]; ok {
		return ""
	}
	if len(s.Brokers) == 0 {
		return fmt.Sprintf("no broker metrics in this step (set cluster.monitoring), so %s is unknown", name)
	}
	return fmt.Sprintf("no broker source of this step measured %s", name)
}

// brokerRampReasons returns why s fails the broker criteria of c (none
// when it meets them or c has none).
func brokerRampReasons(s *Step, c RampCriteria) []string {
	if c.MaxBrokerCPU <= 0 && !c.StopOnThrottle {
		return nil
	}
	sums := summaries(s)
	var why []string
	if c.MaxBrokerCPU > 0 {
		var best *BrokerUtilization
		source := ""
		for _, ss := range sums {
			for i, u := range ss.sum.Utilization {
				if u.Resource == BrokerResourceCPU && (best == nil || u.Mean > best.Mean) {
					best, source = &ss.sum.Utilization[i], ss.m.Source
				}
			}
		}
		switch {
		case best == nil:
			why = append(why, "no broker CPU was measured (cluster.monitoring)")
		case best.Mean > c.MaxBrokerCPU+1e-9: // float noise at exactly the limit passes
			why = append(why, fmt.Sprintf("broker CPU %s (broker %d, mean over the measured phase, %s) above the %s limit",
				brokerPercent(best.Mean), best.Broker, source, rampPercent(c.MaxBrokerCPU)))
		}
	}
	if c.StopOnThrottle {
		for _, ss := range sums {
			if !ss.sum.Throttled {
				continue
			}
			why = append(why, "brokers throttled clients ("+throttleDetail(ss)+")")
			break
		}
	}
	return why
}

// throttleDetail names the throttle figures of one source.
func throttleDetail(ss sourceSummary) string {
	var parts []string
	for _, f := range []struct{ name, what, unit string }{
		{"produce_throttle_time_ms", "produce throttle time", " ms"},
		{"fetch_throttle_time_ms", "fetch throttle time", " ms"},
		{"bw_in_allowance_exceeded", "inbound allowance exceeded", " packets"},
		{"bw_out_allowance_exceeded", "outbound allowance exceeded", " packets"},
	} {
		if p, ok := ss.sum.Peaks[f.name]; ok && p.Value > 0 {
			parts = append(parts, fmt.Sprintf("%s up to %s%s on broker %d", f.what, strconv.FormatFloat(p.Value, 'g', 4, 64), f.unit, p.Broker))
		}
	}
	return strings.Join(parts, ", ") + ", " + ss.m.Source
}

// brokerPercent formats a fraction as a percentage with one decimal.
func brokerPercent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// brokerRow is one broker of a source in the summary, HTML and CSV.
type brokerRow struct {
	id   int32
	host string
	// Peaks over the summarised (measure-phase) samples and means of rates
	// over them; nil when not measured.
	cpuPeak, diskPeak        *float64
	rxMean, txMean           *float64
	inMean, outMean          *float64
	inTotal, outTotal        *float64 // bytes over every sample (measure and drain); scraped sources only
	throttlePeak             *float64
	requestHandlerIdleLowest *float64
}

// brokerRows digests each broker of m. Totals are Σ rate × the seconds
// between a sample's scrapes (ScrapedFrom .. ScrapedTo, else Start .. End)
// over every sample: the bytes the broker counted between the scrape
// nearest to the first interval's start and the one nearest to the last
// interval's end. CloudWatch periods do not line up with the step, so it
// gets no totals.
func brokerRows(m *BrokerMetrics) []brokerRow {
	measureOnly := false
	for _, b := range m.Brokers {
		for _, s := range b.Samples {
			measureOnly = measureOnly || s.Phase == PhaseMeasure
		}
	}
	scraped := m.Source != BrokerSourceCloudWatch
	rows := make([]brokerRow, 0, len(m.Brokers))
	for _, b := range m.Brokers {
		r := brokerRow{id: b.ID, host: b.Host}
		type mean struct {
			sum float64
			n   int
		}
		var rx, tx, in, out mean
		add := func(m *mean, v *float64) {
			if v != nil {
				m.sum += *v
				m.n++
			}
		}
		hi := func(dst **float64, v *float64, low bool) {
			if v != nil && (*dst == nil || (!low && *v > **dst) || (low && *v < **dst)) {
				x := *v
				*dst = &x
			}
		}
		total := func(dst **float64, v *float64, secs float64) {
			if v != nil && scraped {
				if *dst == nil {
					*dst = new(float64)
				}
				**dst += *v * secs
			}
		}
		for i := range b.Samples {
			s := &b.Samples[i]
			secs := s.End.Sub(s.Start).Seconds()
			if s.ScrapedFrom != nil && s.ScrapedTo != nil {
				secs = s.ScrapedTo.Sub(*s.ScrapedFrom).Seconds()
			}
			total(&r.inTotal, s.BytesInPerSec, secs)
			total(&r.outTotal, s.BytesOutPerSec, secs)
			if measureOnly && s.Phase != PhaseMeasure {
				continue
			}
			hi(&r.cpuPeak, s.CPUUtilization, false)
			hi(&r.diskPeak, s.DiskUtilization, false)
			hi(&r.requestHandlerIdleLowest, s.RequestHandlerIdle, true)
			hi(&r.throttlePeak, s.ProduceThrottleTimeMs, false)
			hi(&r.throttlePeak, s.FetchThrottleTimeMs, false)
			add(&rx, s.NetworkRxBytesPerSec)
			add(&tx, s.NetworkTxBytesPerSec)
			add(&in, s.BytesInPerSec)
			add(&out, s.BytesOutPerSec)
		}
		for _, p := range []struct {
			dst **float64
			m   mean
		}{{&r.rxMean, rx}, {&r.txMean, tx}, {&r.inMean, in}, {&r.outMean, out}} {
			if p.m.n > 0 {
				v := p.m.sum / float64(p.m.n)
				*p.dst = &v
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// brokerTableHeader and brokerTableCells are the per-broker table of the
// summary and the HTML report.
func brokerTableHeader() []string {
	return []string{"BROKER", "CPU PEAK", "DISK PEAK", "NET RX MiB/s", "NET TX MiB/s",
		"IN MiB/s", "OUT MiB/s", "IN MiB", "OUT MiB", "THROTTLE ms", "HANDLER IDLE"}
}

func brokerTableCells(r brokerRow) []string {
	pct := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return brokerPercent(*v)
	}
	mib := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return strconv.FormatFloat(*v/MiB, 'f', 2, 64)
	}
	ms := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmtMs(*v)
	}
	name := strconv.Itoa(int(r.id))
	if r.host != "" {
		name += " (" + r.host + ")"
	}
	return []string{name, pct(r.cpuPeak), pct(r.diskPeak), mib(r.rxMean), mib(r.txMean),
		mib(r.inMean), mib(r.outMean), mib(r.inTotal), mib(r.outTotal), ms(r.throttlePeak), pct(r.requestHandlerIdleLowest)}
}

// brokerTotalsRow is the "all" row: the sums of the columns that add up.
func brokerTotalsRow(rows []brokerRow) []string {
	sum := func(get func(brokerRow) *float64) string {
		v, ok := 0.0, false
		for _, r := range rows {
			if p := get(r); p != nil {
				v, ok = v+*p, true
			}
		}
		if !ok {
			return "-"
		}
		return strconv.FormatFloat(v/MiB, 'f', 2, 64)
	}
	return []string{"all", "", "",
		sum(func(r brokerRow) *float64 { return r.rxMean }), sum(func(r brokerRow) *float64 { return r.txMean }),
		sum(func(r brokerRow) *float64 { return r.inMean }), sum(func(r brokerRow) *float64 { return r.outMean }),
		sum(func(r brokerRow) *float64 { return r.inTotal }), sum(func(r brokerRow) *float64 { return r.outTotal }), "", ""}
}

// brokerLines returns the text lines under a source's table: utilisation
// per resource with the binding one, throttling, what the source did not
// measure and its warnings.
func brokerLines(s *Step, ss sourceSummary) []string {
	var lines []string
	if ss.m.Source != BrokerSourceCloudWatch {
		lines = append(lines, fmt.Sprintf("clients: %s MiB acknowledged, %s MiB consumed (key + value + headers, measure and drain); "+
			"brokers count record batches as stored, with Kafka's framing",
			strconv.FormatFloat(float64(s.Counters.AckedBytes)/MiB, 'f', 2, 64), strconv.FormatFloat(float64(s.Counters.ConsumedBytes)/MiB, 'f', 2, 64)))
	}
	if ss.m.Source == BrokerSourceMSKBenchBroker {
		lines = append(lines, "CPU is the whole process hosting the in-process brokers (with run --embedded, the load generator too)")
	}
	var util []string
	for _, u := range ss.sum.Utilization {
		text := fmt.Sprintf("%s %s mean, %s peak (broker %d)", u.Resource, brokerPercent(u.Mean), brokerPercent(u.Peak), u.Broker)
		if u.Resource == ss.sum.Binding {
			text += " — binding"
		}
		util = append(util, text)
	}
	if len(util) > 0 {
		lines = append(lines, "utilisation: "+strings.Join(util, "; "))
	} else {
		lines = append(lines, "utilisation: none computable (no CPU or disk figures, and no capacity for network)")
	}
	if ss.sum.Throttled {
		lines = append(lines, "THROTTLED: "+throttleDetail(ss))
	}
	if len(ss.m.Missing) > 0 {
		names := make([]string, len(ss.m.Missing))
		for i, mm := range ss.m.Missing {
			names[i] = mm.Metric
		}
		lines = append(lines, "not measured (reasons in the result file): "+strings.Join(names, ", "))
	}
	for _, w := range ss.m.Warnings {
		lines = append(lines, "warning: "+w)
	}
	return lines
}

// brokerSourceTitle describes a source: "open_monitoring, 3 brokers, 1 s samples".
func brokerSourceTitle(m *BrokerMetrics, sum BrokerSummary) string {
	return fmt.Sprintf("%s, %d brokers, %s s samples, %d in the summary", m.Source, len(m.Brokers),
		strconv.FormatFloat(m.IntervalSeconds, 'g', 3, 64), sum.Samples)
}

// writeBrokers appends the broker section of step s to the summary: per
// source a table of its brokers and the utilisation lines. Nothing when
// the step has no broker metrics.
func writeBrokers(b *strings.Builder, s *Step) {
	for _, ss := range summaries(s) {
		fmt.Fprintf(b, "\nBrokers in step %s (%s):\n", stepLabel(s), brokerSourceTitle(ss.m, ss.sum))
		t := table{header: prefixed(brokerTableHeader())}
		rows := brokerRows(ss.m)
		for _, r := range rows {
			t.rows = append(t.rows, prefixed(brokerTableCells(r)))
		}
		if len(rows) > 1 {
			t.rows = append(t.rows, prefixed(brokerTotalsRow(rows)))
		}
		if len(rows) > 0 {
			t.write(b)
		}
		for _, l := range brokerLines(s, ss) {
			b.WriteString("  " + l + "\n")
		}
	}
}

// prefixed indents the first cell of a table row.
func prefixed(row []string) []string {
	row[0] = "  " + row[0]
	return row
}

// brokerCSVHeader and brokerCSVCells are the broker columns of [CSV]: the
// sources, the binding resource, every broker aggregate (empty when not
// measured), the bytes each broker took in and sent out as id=bytes
// pairs, and from the clients' own per-broker figures the mean produce
// service time as id=ms pairs and the slowest broker's id.
func brokerCSVHeader() []string {
	h := []string{"broker_sources", "broker_binding"}
	for _, a := range brokerAggregates {
		h = append(h, a.name)
	}
	return append(h, "broker_bytes_in", "broker_bytes_out", "client_broker_service_ms", "client_broker_slowest")
}

func brokerCSVCells(s *Step) []string {
	var sources []string
	binding, bindingMean := "", -1.0
	var in, out []string
	for _, ss := range summaries(s) {
		sources = append(sources, ss.m.Source)
		if len(ss.sum.Utilization) > 0 && ss.sum.Utilization[0].Mean > bindingMean {
			binding, bindingMean = ss.sum.Binding, ss.sum.Utilization[0].Mean
		}
		if ss.m.Source == BrokerSourceCloudWatch {
			continue
		}
		for _, r := range brokerRows(ss.m) {
			if r.inTotal != nil {
				in = append(in, fmt.Sprintf("%d=%.0f", r.id, *r.inTotal))
			}
			if r.outTotal != nil {
				out = append(out, fmt.Sprintf("%d=%.0f", r.id, *r.outTotal))
			}
		}
	}
	row := []string{strings.Join(sources, ";"), binding}
	aggs := brokerAggregateValues(s)
	for _, a := range brokerAggregates {
		if v, ok := aggs[a.name]; ok {
			row = append(row, fmtFloat(v))
		} else {
			row = append(row, "")
		}
	}
	// The clients' own per-broker figures (BrokerClient) of the measured
	// phase: mean produce service time as id=ms pairs, and the slowest.
	totals := BrokerClientTotals(s, PhaseMeasure)
	var svc []string
	for _, t := range totals {
		if t.ProduceResponses > 0 {
			svc = append(svc, fmt.Sprintf("%d=%s", t.ID, fmtFloat(t.ProduceServiceTimeMeanMs)))
		}
	}
	slowest := ""
	if sl, _, ok := SlowestBroker(totals); ok {
		slowest = strconv.Itoa(int(sl.ID))
	}
	return append(row, strings.Join(in, ";"), strings.Join(out, ";"), strings.Join(svc, ";"), slowest)
}

// isBrokerPercent reports whether name is a broker aggregate in percent.
func isBrokerPercent(name string) bool {
	a, ok := brokerAggregateNamed(name)
	return ok && a.percent
}

// brokerCompared are the broker aggregates [Compare] reports when both
// steps measured them: more broker CPU for the same load is a regression.
var brokerCompared = []compareMetric{
	{"broker_cpu_mean", "broker cpu mean %", false, ""},
	{"broker_cpu_max", "broker cpu max %", false, ""},
}

// brokerComparedMetrics returns the broker rows of a comparison whose
// aggregates both steps have.
func brokerComparedMetrics(base, cur map[string]float64) []compareMetric {
	var out []compareMetric
	for _, m := range brokerCompared {
		_, b := base[m.name]
		_, c := cur[m.name]
		if b && c {
			out = append(out, m)
		}
	}
	return out
}

// comparedMetric returns the row of [Compare] that reports aggregate name.
func comparedMetric(name string) compareMetric {
	for _, m := range slices.Concat(comparedMetrics, brokerCompared) {
		if m.name == name {
			return m
		}
	}
	return compareMetric{name: name, label: name}
}
