package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

// LiveMetrics holds the live figures of a run for Prometheus: counters
// cumulative over the run (offered, sent, acknowledged, failed, consumed
// messages and bytes, messages behind schedule, failed messages by error
// label), and the figures of the last interval (rates, consumer lag,
// latency quantiles of each latency kind) labelled with the step and the
// phase. Feed it every interval with [LiveMetrics.Update] (from the
// engine's progress callback) and announce each step with
// [LiveMetrics.SetStep]; serve it with [LiveMetrics.Handler], write it
// with [LiveMetrics.Write] or push it with [PushMetrics].
//
// Metric names follow Prometheus conventions: base units (seconds,
// bytes), counters end in _total. Warm-up intervals count in the counters
// (they were sent) and show their rates, but carry no latency quantiles.
//
// A LiveMetrics is safe for concurrent use. The zero value is not usable:
// call [NewLiveMetrics].
type LiveMetrics struct {
	mu       sync.Mutex
	scenario string
	step     string
	offered  float64 // msgs/s of the current step, 0 for rate: max
	phase    string
	// cumulative
	offeredTotal                                 float64
	sent, acked, failed, consumed                int64
	ackedBytes, consumedBytes, behind, intervals int64
	errors                                       map[string]int64
	ackedRate, consumedRate, ackedBytesRate, lag float64
	sentRate, failedRate                         float64
	latency                                      map[string][]float64 // kind → seconds at liveQuantiles
}

// liveQuantiles are the latency quantiles exported per interval.
var liveQuantiles = []struct {
	label string
	p     float64
}{{"0.5", 50}, {"0.9", 90}, {"0.99", 99}, {"0.999", 99.9}, {"1", 100}}

// NewLiveMetrics returns live metrics of a run of the named scenario.
func NewLiveMetrics(scenario string) *LiveMetrics {
	return &LiveMetrics{scenario: scenario, errors: map[string]int64{}, latency: map[string][]float64{}}
}

// SetStep names the step that runs now (e.g. "1" or "rate=5000/s") and its
// offered rate in msgs/s (0 when unknown, e.g. rate: max). Interval
// figures are cleared until the step's first [LiveMetrics.Update].
func (m *LiveMetrics) SetStep(step string, offeredMsgsPerSec float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.step, m.offered, m.phase = step, offeredMsgsPerSec, "setup"
	m.ackedRate, m.consumedRate, m.ackedBytesRate, m.sentRate, m.failedRate, m.lag = 0, 0, 0, 0, 0, 0
	clear(m.latency)
}

// Update adds the interval iv: its counts to the counters, its rates,
// lag, phase and latency quantiles (from its histograms) as the current
// figures.
func (m *LiveMetrics) Update(iv Interval) {
	lat := map[string][]float64{}
	for _, kind := range HistogramNames() {
		h, ok, err := iv.Histogram(kind)
		if err != nil || !ok || h.Count() == 0 {
			continue
		}
		qs := make([]float64, len(liveQuantiles))
		for i, q := range liveQuantiles {
			qs[i] = float64(h.Percentile(q.p)) / 1e6
		}
		lat[kind] = qs
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	secs := iv.End.Sub(iv.Start).Seconds()
	if iv.Phase != PhaseDrain && iv.Phase != PhaseBacklog && secs > 0 {
		m.offeredTotal += m.offered * secs
	}
	m.phase = iv.Phase
	m.sent += iv.Sent
	m.acked += iv.Acked
	m.failed += iv.Failed
	m.consumed += iv.Consumed
	m.ackedBytes += iv.AckedBytes
	m.consumedBytes += iv.ConsumedBytes
	m.behind += iv.BehindSchedule
	m.intervals++
	for k, v := range iv.Errors {
		m.errors[k] += v
	}
	m.ackedRate, m.consumedRate, m.lag = iv.MsgsPerSec, iv.ConsumedMsgsPerSec, float64(iv.Lag)
	m.ackedBytesRate, m.sentRate, m.failedRate = 0, 0, 0
	if secs > 0 {
		m.ackedBytesRate = float64(iv.AckedBytes) / secs
		m.sentRate = float64(iv.Sent) / secs
		m.failedRate = float64(iv.Failed) / secs
	}
	m.latency = lat
}

func liveLabels(kv ...string) []*dto.LabelPair {
	var out []*dto.LabelPair
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &dto.LabelPair{Name: proto.String(kv[i]), Value: proto.String(kv[i+1])})
	}
	return out
}

func liveFamily(name, help string, typ dto.MetricType, ms ...*dto.Metric) *dto.MetricFamily {
	return &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: typ.Enum(), Metric: ms}
}

func liveCounter(v float64, labels ...string) *dto.Metric {
	return &dto.Metric{Label: liveLabels(labels...), Counter: &dto.Counter{Value: proto.Float64(v)}}
}

func liveGauge(v float64, labels ...string) *dto.Metric {
	return &dto.Metric{Label: liveLabels(labels...), Gauge: &dto.Gauge{Value: proto.Float64(v)}}
}

// Gather returns the metric families, sorted by name.
func (m *LiveMetrics) Gather() []*dto.MetricFamily {
	m.mu.Lock()
	defer m.mu.Unlock()
	counter, gauge := dto.MetricType_COUNTER, dto.MetricType_GAUGE
	step := []string{"step", m.step, "phase", m.phase}
	fams := []*dto.MetricFamily{
		liveFamily("mskbench_info", "The run: scenario, current step and phase (value 1).", gauge,
			liveGauge(1, "scenario", m.scenario, "step", m.step, "phase", m.phase)),
		liveFamily("mskbench_messages_offered_total", "Messages the schedule intended to send (offered rate × elapsed time of warm-up and measure phases).", counter, liveCounter(m.offeredTotal)),
		liveFamily("mskbench_messages_sent_total", "Messages handed to the Kafka client.", counter, liveCounter(float64(m.sent))),
		liveFamily("mskbench_messages_acked_total", "Messages acknowledged by the cluster.", counter, liveCounter(float64(m.acked))),
		liveFamily("mskbench_messages_failed_total", "Messages that failed.", counter, liveCounter(float64(m.failed))),
		liveFamily("mskbench_messages_consumed_total", "Messages read, summed over consumer groups.", counter, liveCounter(float64(m.consumed))),
		liveFamily("mskbench_acked_bytes_total", "Bytes (key + value + headers) of acknowledged messages.", counter, liveCounter(float64(m.ackedBytes))),
		liveFamily("mskbench_consumed_bytes_total", "Bytes (key + value + headers) of consumed messages.", counter, liveCounter(float64(m.consumedBytes))),
		liveFamily("mskbench_messages_behind_schedule_total", "Messages sent more than 10 ms after their intended send time.", counter, liveCounter(float64(m.behind))),
		liveFamily("mskbench_intervals_total", "Intervals reported so far.", counter, liveCounter(float64(m.intervals))),
		liveFamily("mskbench_offered_messages_per_second", "Offered rate of the current step (0 for rate: max).", gauge, liveGauge(m.offered, step...)),
		liveFamily("mskbench_sent_messages_per_second", "Messages sent per second in the last interval.", gauge, liveGauge(m.sentRate, step...)),
		liveFamily("mskbench_acked_messages_per_second", "Messages acknowledged per second in the last interval.", gauge, liveGauge(m.ackedRate, step...)),
		liveFamily("mskbench_acked_bytes_per_second", "Bytes acknowledged per second in the last interval.", gauge, liveGauge(m.ackedBytesRate, step...)),
		liveFamily("mskbench_failed_messages_per_second", "Messages failed per second in the last interval.", gauge, liveGauge(m.failedRate, step...)),
		liveFamily("mskbench_consumed_messages_per_second", "Messages consumed per second in the last interval, summed over groups.", gauge, liveGauge(m.consumedRate, step...)),
		liveFamily("mskbench_consumer_lag_messages", "Consumer lag at the end of the last interval: acked × groups − consumed.", gauge, liveGauge(m.lag, step...)),
	}
	var errs []*dto.Metric
	for _, k := range slices.Sorted(maps.Keys(m.errors)) {
		errs = append(errs, liveCounter(float64(m.errors[k]), "error", k))
	}
	if len(errs) > 0 {
		fams = append(fams, liveFamily("mskbench_message_errors_total", "Failed messages by error label (Kafka error code, timeout, ...).", counter, errs...))
	}
	var lat []*dto.Metric
	for _, kind := range HistogramNames() {
		qs, ok := m.latency[kind]
		if !ok {
			continue
		}
		for i, q := range liveQuantiles {
			lat = append(lat, liveGauge(qs[i], "kind", kind, "quantile", q.label, "step", m.step, "phase", m.phase))
		}
	}
	if len(lat) > 0 {
		fams = append(fams, liveFamily("mskbench_interval_latency_seconds",
			"Latency quantiles of the last interval by kind: "+latencyKindsHelp()+".", gauge, lat...))
	}
	slices.SortFunc(fams, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return fams
}

// Write writes the metrics in format: expfmt.NewFormat(expfmt.TypeTextPlain)
// for the Prometheus text format, expfmt.NewFormat(expfmt.TypeOpenMetrics)
// for OpenMetrics 1.0 (which ends in "# EOF").
func (m *LiveMetrics) Write(w io.Writer, format expfmt.Format) error {
	enc := expfmt.NewEncoder(w, format)
	for _, f := range m.Gather() {
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("write metrics: %w", err)
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		if err := c.Close(); err != nil {
			return fmt.Errorf("write metrics: %w", err)
		}
	}
	return nil
}

// Handler serves the metrics for a Prometheus scrape, in OpenMetrics when
// the Accept header asks for it and in the Prometheus text format
// otherwise.
func (m *LiveMetrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format := expfmt.NegotiateIncludingOpenMetrics(r.Header)
		var b bytes.Buffer
		if err := m.Write(&b, format); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", string(format))
		_, _ = w.Write(b.Bytes())
	})
}

// PushURL returns the Pushgateway URL for job: base (e.g.
// http://pushgateway:9091) with /metrics/job/<job> appended, and
// /instance/<instance> when instance is not empty; a base that already
// has a /metrics/job/ path is used as it is.
func PushURL(base, job, instance string) string {
	if strings.Contains(base, "/metrics/job/") {
		return base
	}
	u := strings.TrimRight(base, "/") + "/metrics/job/" + url.PathEscape(job)
	if instance != "" {
		u += "/instance/" + url.PathEscape(instance)
	}
	return u
}

// PushMetrics sends the metrics to a Prometheus Pushgateway at pushURL
// (see [PushURL]) with an HTTP PUT in the text format, replacing the
// group's earlier metrics. It fails unless the gateway answers 2xx.
func PushMetrics(ctx context.Context, client *http.Client, pushURL string, m *LiveMetrics) error {
	var b bytes.Buffer
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	if err := m.Write(&b, format); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, pushURL, &b)
	if err != nil {
		return fmt.Errorf("push metrics: %w", err)
	}
	req.Header.Set("Content-Type", string(format))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("push metrics to %s: %w", pushURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("push metrics to %s: %s: %s", pushURL, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// latencyKindsHelp lists the latency kinds with their definitions, e.g.
// "publish (ack − intended send), service (ack − actual send), ...".
func latencyKindsHelp() string {
	parts := make([]string, len(LatencyKinds))
	for i, k := range LatencyKinds {
		parts[i] = k.Name + " (" + k.Definition + ")"
	}
	return strings.Join(parts, ", ")
}
