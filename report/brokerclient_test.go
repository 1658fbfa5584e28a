package report

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// brokerClientStep is a step of two intervals on three brokers; broker 2
// answers slowest.
func brokerClientStep(t0 time.Time) Step {
	iv := func(i int, phase string, reqs, bytes int64, svcMs float64) BrokerClientSample {
		return BrokerClientSample{Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i+1) * time.Second), Phase: phase,
			ProduceRequests: reqs, ProduceBytes: bytes, ProduceResponses: reqs, ProduceServiceTimeSumMs: svcMs * float64(reqs),
			ProduceServiceTimeMeanMs: svcMs, FetchResponses: reqs, FetchBytes: bytes}
	}
	return Step{
		MeasuredSeconds: 2,
		BrokerClient: []BrokerClientSeries{
			{ID: 0, Host: "h0:9092", Samples: []BrokerClientSample{iv(0, PhaseWarmup, 50, 1000, 1), iv(1, PhaseMeasure, 100, 2000, 1), iv(2, PhaseMeasure, 100, 2000, 3)}},
			{ID: 1, Host: "h1:9092", Samples: []BrokerClientSample{iv(1, PhaseMeasure, 10, 100, 2), iv(2, PhaseMeasure, 30, 300, 4)}},
			{ID: 2, Host: "h2:9092", Samples: []BrokerClientSample{iv(1, PhaseMeasure, 40, 400, 9)}},
		},
	}
}

func TestBrokerClientTotals(t *testing.T) {
	s := brokerClientStep(time.Unix(1000, 0))
	got := BrokerClientTotals(&s, PhaseMeasure)
	if len(got) != 3 {
		t.Fatalf("%d totals, want 3", len(got))
	}
	// Broker 0: 100 requests at 1 ms and 100 at 3 ms: mean 2 ms, the
	// warm-up sample left out.
	if g := got[0]; g.ProduceRequests != 200 || g.ProduceBytes != 4000 || g.ProduceServiceTimeMeanMs != 2 || g.Seconds != 2 {
		t.Errorf("broker 0 = %+v, want 200 requests, 4000 bytes, mean 2 ms over 2 s", g)
	}
	// Broker 1: 10 at 2 ms and 30 at 4 ms: 3.5 ms per request (weighted
	// by responses, not the mean of the interval means, 3).
	if g := got[1]; g.ProduceRequests != 40 || g.ProduceServiceTimeMeanMs != 3.5 {
		t.Errorf("broker 1 = %+v, want 40 requests at 3.5 ms", g)
	}
	// Broker 2 had one measured sample: still rated over the whole phase.
	if g := got[2]; g.Seconds != 2 || g.FetchBytes != 400 {
		t.Errorf("broker 2 = %+v, want 400 fetch bytes over 2 s", g)
	}
	all := BrokerClientTotals(&s, "")
	if all[0].ProduceRequests != 250 || all[0].Seconds != 3 {
		t.Errorf("broker 0 over every phase = %+v, want 250 requests over the 3 s the samples span", all[0])
	}
	sl, median, ok := SlowestBroker(got)
	if !ok || sl.ID != 2 || median != 3.5 {
		t.Errorf("slowest = %+v, median %g, ok %v; want broker 2 against a median of 3.5 ms", sl, median, ok)
	}
	if _, _, ok := SlowestBroker(got[:1]); ok {
		t.Error("one broker named the slowest")
	}
	cells := brokerCSVCells(&s)
	if got := cells[len(cells)-2:]; got[0] != "0=2;1=3.5;2=9" || got[1] != "2" {
		t.Errorf("CSV cells %q, want the mean service time per broker and the slowest, 2", got)
	}
	var b strings.Builder
	writeBrokerClient(&b, &s)
	for _, want := range []string{"Per broker in step", "h2:9092", "Slowest broker: 2 (h2:9092), 9.00 ms per produce request against a median of 3.50 ms (2.6×)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

// TestMergeBrokerClient merges two generators' per-broker figures: the
// same broker's samples are gathered, the rates stay per wall second.
func TestMergeBrokerClient(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a, b := brokerClientStep(t0), brokerClientStep(t0)
	b.BrokerClient = b.BrokerClient[:1] // the other generator only talked to broker 0
	m, err := MergeSteps(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.BrokerClient) != 3 || len(m.BrokerClient[0].Samples) != 6 {
		t.Fatalf("merged %+v, want 3 brokers, broker 0 with 6 samples", m.BrokerClient)
	}
	got := BrokerClientTotals(&m, PhaseMeasure)
	if g := got[0]; g.ProduceRequests != 400 || g.Seconds != 2 {
		t.Errorf("merged broker 0 = %+v, want 400 requests over the same 2 s", g)
	}
	if len(a.BrokerClient[0].Samples) != 3 {
		t.Error("MergeSteps modified its input")
	}
}

// The HTML chart of the clients' per-broker service time has a line per
// broker that answered, its points at the intervals the samples end with.
func TestBrokerClientChart(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := brokerClientStep(t0)
	for i, ph := range []string{PhaseWarmup, PhaseMeasure, PhaseMeasure} {
		s.Timeline = append(s.Timeline, Interval{Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i+1) * time.Second),
			ElapsedSeconds: float64(i + 1), Phase: ph})
	}
	ch := brokerClientChart(&s)
	if ch.Empty != "" || len(ch.Series) != 3 {
		t.Fatalf("chart %q with %d series, want 3 brokers", ch.Empty, len(ch.Series))
	}
	points := func(sr svgSeries) int {
		n := len(sr.Dots)
		for _, l := range sr.Lines {
			n += len(strings.Fields(l))
		}
		return n
	}
	for i, want := range []int{3, 2, 1} { // samples per broker in the fixture
		if got := points(ch.Series[i]); got != want || ch.Series[i].Name != "broker "+strconv.Itoa(i) {
			t.Errorf("series %d %s: %d points, want %d", i, ch.Series[i].Name, got, want)
		}
	}
	var html strings.Builder
	if err := HTML(&html, &Result{Steps: []Step{s}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "<title>Produce service time per broker</title>") {
		t.Error("the HTML report has no per-broker service time chart")
	}
	s.Timeline = nil
	if ch := brokerClientChart(&s); ch.Empty == "" {
		t.Error("a chart without a timeline is not marked empty")
	}
}
