package report

import (
	"strings"
)

// Indexes of the latency kinds in [LatencyKinds] (and of the recorders'
// histograms).
const (
	latPublish = iota
	latService
	latSendDelay
	latEndToEnd
	latCommit
	latEndToEndCross
	latBacklogEndToEnd
	numLatencyKinds
)

// LatencyKind describes one of the latencies mskbench measures. Every
// summary, renderer, check, comparison and merge iterates [LatencyKinds],
// so adding a kind is an entry there, its fields in [Latency] and
// [EncodedHistograms], and the Record call that measures it.
type LatencyKind struct {
	// Name names the kind in histograms ([Step.Histogram], mskbench report
	// --histogram), aggregates and CSV columns ("publish" → "publish_p99_ms").
	Name string
	// Title is its column title in the summary tables ("PUB"; lower case in
	// HTML).
	Title string
	// Display is its name in prose and chart legends ("end-to-end").
	Display string
	// Definition says what is measured ("ack − intended send").
	Definition string
	// Prefixes are the names a check may put before a statistic ("e2e p99";
	// see [Check]), the one shown in messages first.
	Prefixes []string
	// Color is its colour in the HTML charts; "" leaves it out of the
	// latency-by-percentile chart.
	Color string
	// Optional kinds measure what only some steps have (commit latency:
	// transactional producers); tables leave them out of a step without
	// samples.
	Optional bool
	// Summary and Encoded return its field of a step's Latency and
	// Histograms.
	Summary func(*Latency) *LatencySummary
	Encoded func(*EncodedHistograms) *string
}

// LatencyKinds is the table of the latency kinds, in the order of every
// listing (publish first: the number to quote, and the latency a check's
// bare "p99" means). It is read-only.
var LatencyKinds = [numLatencyKinds]LatencyKind{
	latPublish: {Name: "publish", Title: "PUB", Display: "publish", Definition: "ack − intended send",
		Prefixes: []string{"publish", "pub"}, Color: colorPublish,
		Summary: func(l *Latency) *LatencySummary { return &l.Publish },
		Encoded: func(h *EncodedHistograms) *string { return &h.PublishUs }},
	latService: {Name: "service", Title: "SVC", Display: "service", Definition: "ack − actual send",
		Prefixes: []string{"service", "svc"}, Color: colorService,
		Summary: func(l *Latency) *LatencySummary { return &l.Service },
		Encoded: func(h *EncodedHistograms) *string { return &h.ServiceUs }},
	latSendDelay: {Name: "send_delay", Title: "DELAY", Display: "send delay", Definition: "actual − intended send",
		Prefixes: []string{"send_delay", "delay"},
		Summary:  func(l *Latency) *LatencySummary { return &l.SendDelay },
		Encoded:  func(h *EncodedHistograms) *string { return &h.SendDelayUs }},
	latEndToEnd: {Name: "end_to_end", Title: "E2E", Display: "end-to-end", Definition: "consume − intended send",
		Prefixes: []string{"e2e", "end_to_end"}, Color: colorEndToEnd,
		Summary: func(l *Latency) *LatencySummary { return &l.EndToEnd },
		Encoded: func(h *EncodedHistograms) *string { return &h.EndToEndUs }},
	latCommit: {Name: "commit", Title: "COMMIT", Display: "commit", Definition: "EndTxn(commit) sent → committed",
		Prefixes: []string{"commit"}, Optional: true,
		Summary: func(l *Latency) *LatencySummary { return &l.Commit },
		Encoded: func(h *EncodedHistograms) *string { return &h.CommitUs }},
	latEndToEndCross: {Name: "end_to_end_cross", Title: "E2E-X", Display: "cross-shard end-to-end",
		Definition: "consume − intended send, of a message another shard produced (clock offsets corrected; uncertain by their bounds)",
		Prefixes:   []string{"e2e_cross", "end_to_end_cross"}, Optional: true,
		Summary: func(l *Latency) *LatencySummary { return &l.EndToEndCross },
		Encoded: func(h *EncodedHistograms) *string { return &h.EndToEndCrossUs }},
	latBacklogEndToEnd: {Name: "backlog_end_to_end", Title: "BL E2E", Display: "backlog end-to-end",
		Definition: "consume − intended send, backlog messages", Prefixes: []string{"backlog_e2e", "backlog_end_to_end"},
		Optional: true,
		Summary:  func(l *Latency) *LatencySummary { return &l.BacklogEndToEnd },
		Encoded:  func(h *EncodedHistograms) *string { return &h.BacklogEndToEndUs }},
}

// latencyKind returns the kind named name.
func latencyKind(name string) (LatencyKind, bool) {
	for _, k := range LatencyKinds {
		if k.Name == name {
			return k, true
		}
	}
	return LatencyKind{}, false
}

// Indexes of the statistics in latencyStats.
const (
	statP50 = iota
	statP90
	statP95
	statP99
	statP999
	statP9999
	statMax
	statMean
)

// latencyStat is one statistic of a [LatencySummary] besides Count: the
// table the CSV columns, the aggregates, the HTML latency table and the
// check aliases iterate.
type latencyStat struct {
	key   string // suffix of aggregates and CSV columns: "<kind>_p999_ms"
	title string // column title: "p99.9"
	// alias is another name a check accepts ("avg" for mean), spelled a
	// form normalizeName reads ("p99.9" for p999); shown in messages.
	alias string
	value func(LatencySummary) float64
}

var latencyStats = []latencyStat{
	statP50:   {"p50_ms", "p50", "", func(l LatencySummary) float64 { return l.P50Ms }},
	statP90:   {"p90_ms", "p90", "", func(l LatencySummary) float64 { return l.P90Ms }},
	statP95:   {"p95_ms", "p95", "", func(l LatencySummary) float64 { return l.P95Ms }},
	statP99:   {"p99_ms", "p99", "", func(l LatencySummary) float64 { return l.P99Ms }},
	statP999:  {"p999_ms", "p99.9", "p99.9", func(l LatencySummary) float64 { return l.P999Ms }},
	statP9999: {"p9999_ms", "p99.99", "p99.99", func(l LatencySummary) float64 { return l.P9999Ms }},
	statMax:   {"max_ms", "max", "", func(l LatencySummary) float64 { return l.MaxMs }},
	statMean:  {"mean_ms", "mean", "avg", func(l LatencySummary) float64 { return l.MeanMs }},
}

// name returns the statistic's name in check expressions ("p999").
func (s latencyStat) name() string { return strings.TrimSuffix(s.key, "_ms") }

// orList joins xs as "a, b, c or d".
func orList(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
