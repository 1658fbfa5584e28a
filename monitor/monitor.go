package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/mskbench/mskbench/report"
)

// Default ports of MSK open monitoring.
const (
	DefaultJMXPort  = 11001 // Prometheus JMX exporter
	DefaultNodePort = 11002 // Prometheus node exporter
)

// DefaultInterval is the scrape interval when Config.Interval is 0.
const DefaultInterval = time.Second

// maxBody bounds one scrape's body (a JMX exporter with many partitions
// writes megabytes).
const maxBody = 64 << 20

// maxHistory bounds the scrapes kept per endpoint when Metrics is not
// called (about 5.5 hours at 1 s).
const maxHistory = 20000

// Broker is a broker to monitor: its id and host (no port).
type Broker struct {
	ID   int32
	Host string
}

// Target is one Prometheus endpoint to scrape.
type Target struct {
	// URL is the endpoint, e.g. "http://b-1.demo.abc.c2.kafka.eu-west-1.amazonaws.com:11001/metrics".
	URL string
	// Broker is the id of the broker the endpoint's figures belong to.
	// Endpoints of `mskbench broker` label every series with its broker
	// and ignore it.
	Broker int32
	// Host is the broker's host, recorded with its series.
	Host string
}

// OpenMonitoringTargets returns the JMX exporter and node exporter
// endpoints of every broker (http://HOST:PORT/metrics); ports 0 take
// DefaultJMXPort and DefaultNodePort.
func OpenMonitoringTargets(brokers []Broker, jmxPort, nodePort int) []Target {
	if jmxPort == 0 {
		jmxPort = DefaultJMXPort
	}
	if nodePort == 0 {
		nodePort = DefaultNodePort
	}
	var out []Target
	for _, b := range brokers {
		for _, port := range []int{jmxPort, nodePort} {
			u := url.URL{Scheme: "http", Host: net.JoinHostPort(b.Host, strconv.Itoa(port)), Path: "/metrics"}
			out = append(out, Target{URL: u.String(), Broker: b.ID, Host: b.Host})
		}
	}
	return out
}

// mskHost matches MSK broker host names, b-<id>.<cluster>....
var mskHost = regexp.MustCompile(`^b-(\d+)\.`)

// EndpointTargets turns an explicit endpoint list
// (cluster.monitoring.prometheus) into targets. Endpoints on the same host
// belong to one broker (its JMX and node exporters); the broker id is read
// from an MSK host name (b-3.… is broker 3), else hosts are numbered 1, 2,
// ... in order of appearance. A URL without a path gets /metrics.
func EndpointTargets(urls []string) ([]Target, error) {
	var out []Target
	ids := map[string]int32{}
	used := map[int32]bool{}
	var errs []error
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("monitor: endpoint %q: want http://host:port/path", raw))
			continue
		}
		if u.Path == "" {
			u.Path = "/metrics"
		}
		host := u.Hostname()
		id, ok := ids[host]
		if !ok {
			if m := mskHost.FindStringSubmatch(host); m != nil {
				n, _ := strconv.Atoi(m[1])
				id = int32(n)
			}
			for id == 0 || used[id] {
				id++
			}
			ids[host], used[id] = id, true
		}
		out = append(out, Target{URL: u.String(), Broker: id, Host: host})
	}
	return out, errors.Join(errs...)
}

// Config says what to scrape and how often.
type Config struct {
	// Source is recorded in the result: report.BrokerSourceOpenMonitoring,
	// BrokerSourcePrometheus or BrokerSourceMSKBenchBroker. "" means
	// open_monitoring; endpoints that turn out to be `mskbench broker`
	// make it mskbench_broker.
	Source string
	// Targets are the endpoints (OpenMonitoringTargets, EndpointTargets,
	// or the /metrics URL of `mskbench broker`).
	Targets []Target
	// Interval is the time between scrapes (default DefaultInterval). Use
	// the report interval, or call Tick at each interval boundary.
	Interval time.Duration
	// Timeout bounds one scrape; it must be shorter than Interval
	// (default 80% of it, at most 10 s). A scrape that takes longer counts
	// as failed.
	Timeout time.Duration
	// Client makes the requests (default: a client of its own).
	Client *http.Client
}

// Monitor scrapes the targets of a Config on its own goroutines and turns
// the scrapes into per-interval broker samples. Its methods are safe for
// concurrent use; Run must be called once.
type Monitor struct {
	cfg  Config
	eps  []*endpoint
	tick chan struct{}

	mu      sync.Mutex
	running bool
}

// endpoint is one target and its scrape history.
type endpoint struct {
	Target
	force chan struct{} // Tick requests, buffered 1

	mu      sync.Mutex
	hist    []scrape      // in time order
	scraped chan struct{} // closed (and replaced) when a scrape is recorded; see Await
}

// scrape is one attempt: values by broker, or an error.
type scrape struct {
	at      time.Time // midpoint of the request
	took    time.Duration
	brokers map[int32]*values
	err     error
}

// New validates cfg and returns a Monitor that scrapes once Run is called.
func New(cfg Config) (*Monitor, error) {
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = min(cfg.Interval*8/10, 10*time.Second)
	}
	if cfg.Source == "" {
		cfg.Source = report.BrokerSourceOpenMonitoring
	}
	var errs []error
	switch cfg.Source {
	case report.BrokerSourceOpenMonitoring, report.BrokerSourcePrometheus, report.BrokerSourceMSKBenchBroker:
	default:
		errs = append(errs, fmt.Errorf("monitor: source %q: want %s, %s or %s", cfg.Source,
			report.BrokerSourceOpenMonitoring, report.BrokerSourcePrometheus, report.BrokerSourceMSKBenchBroker))
	}
	if cfg.Interval < 0 || cfg.Timeout <= 0 || cfg.Timeout >= cfg.Interval {
		errs = append(errs, fmt.Errorf("monitor: scrape timeout %s must be > 0 and shorter than the interval %s", cfg.Timeout, cfg.Interval))
	}
	if len(cfg.Targets) == 0 {
		errs = append(errs, errors.New("monitor: no endpoints to scrape"))
	}
	for _, t := range cfg.Targets {
		if u, err := url.Parse(t.URL); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("monitor: endpoint %q is not a URL", t.URL))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil // broker endpoints are in the VPC (or on loopback), never behind a proxy
		tr.MaxIdleConnsPerHost = 2
		cfg.Client = &http.Client{Transport: tr}
	}
	m := &Monitor{cfg: cfg}
	for _, t := range cfg.Targets {
		m.eps = append(m.eps, &endpoint{Target: t, force: make(chan struct{}, 1)})
	}
	return m, nil
}

// Run scrapes every target each Interval (and on Tick) until ctx ends,
// then returns nil once all its goroutines have ended. A scrape never
// blocks the caller of any other method; a failing or slow scrape is
// recorded and shows up as a warning in Metrics, never as an error. Run
// returns an error only when called twice.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("monitor: Run called twice")
	}
	m.running = true
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, ep := range m.eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.loop(ctx, ep)
		}()
	}
	wg.Wait()
	if tr, ok := m.cfg.Client.Transport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	return nil
}

// Tick asks for a scrape of every target now, e.g. at a report interval
// boundary. It never blocks: a target whose scrape is in flight scrapes
// once more when it is done.
func (m *Monitor) Tick() {
	for _, ep := range m.eps {
		select {
		case ep.force <- struct{}{}:
		default:
		}
	}
}

// loop scrapes ep at once, then every Interval and on Tick, until ctx ends.
func (m *Monitor) loop(ctx context.Context, ep *endpoint) {
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		m.scrapeOnce(ctx, ep)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-ep.force:
		}
	}
}

func (m *Monitor) scrapeOnce(ctx context.Context, ep *endpoint) {
	if ctx.Err() != nil {
		return
	}
	start := time.Now()
	brokers, err := m.fetch(ctx, ep)
	end := time.Now()
	if ctx.Err() != nil && err != nil {
		return // stopping: not a failed scrape
	}
	if err == nil {
		spreadProcess(brokers)
	}
	s := scrape{at: start.Add(end.Sub(start) / 2), took: end.Sub(start), brokers: brokers, err: err}
	ep.mu.Lock()
	ep.hist = append(ep.hist, s)
	if len(ep.hist) > maxHistory {
		ep.hist = append(ep.hist[:0], ep.hist[len(ep.hist)-maxHistory:]...)
	}
	if ep.scraped != nil {
		close(ep.scraped)
		ep.scraped = nil
	}
	ep.mu.Unlock()
}

func (m *Monitor) fetch(ctx context.Context, ep *endpoint) (map[int32]*values, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := m.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return parse(io.LimitReader(resp.Body, maxBody), ep.Broker)
}

// Metrics returns the broker samples of a step: one per broker and
// interval (the step's report intervals, e.g. report.Step.Timeline), each
// computed from the scrape nearest to the interval's start and the one
// nearest to its end (within one scrape interval). It never waits for a
// scrape: call it once the step's last interval has ended and one scrape
// interval more has passed, or the last interval may be empty. Scrapes
// that ended before the first interval are then discarded. The result
// lists figures nothing published in Missing, and failed or slow scrapes
// in Warnings.
func (m *Monitor) Metrics(intervals []report.Interval) report.BrokerMetrics {
	out := report.BrokerMetrics{Source: m.cfg.Source, IntervalSeconds: m.cfg.Interval.Seconds()}
	if len(intervals) > 0 {
		out.IntervalSeconds = intervals[0].End.Sub(intervals[0].Start).Seconds()
	}
	tol := m.cfg.Interval
	if len(intervals) > 0 {
		tol = max(tol, intervals[0].End.Sub(intervals[0].Start))
	}
	series := map[int32]*report.BrokerSeries{}
	sawMSKBench := false
	for _, ep := range m.eps {
		ep.mu.Lock()
		hist := append([]scrape(nil), ep.hist...)
		if len(intervals) > 0 {
			// Keep what the next step may still need: its first interval
			// starts at or after this step's last end.
			cut := intervals[len(intervals)-1].End.Add(-2 * tol)
			i := sort.Search(len(ep.hist), func(i int) bool { return !ep.hist[i].at.Before(cut) })
			ep.hist = append(ep.hist[:0], ep.hist[i:]...)
		}
		ep.mu.Unlock()
		ok := okScrapes(hist)
		for _, s := range ok {
			for _, vs := range s.brokers {
				sawMSKBench = sawMSKBench || vs.mskbench
			}
		}
		for i, iv := range intervals {
			a, b := nearest(ok, iv.Start, tol), nearest(ok, iv.End, tol)
			if a == nil || b == nil || !b.at.After(a.at) {
				continue
			}
			for id, vb := range b.brokers {
				va, ok := a.brokers[id]
				if !ok {
					continue
				}
				bs := series[id]
				if bs == nil {
					bs = &report.BrokerSeries{ID: id, Host: ep.Host}
					if vb.host != "" {
						bs.Host = vb.host
					}
					series[id] = bs
				}
				for len(bs.Samples) < len(intervals) {
					n := len(bs.Samples)
					bs.Samples = append(bs.Samples, report.BrokerSample{Start: intervals[n].Start, End: intervals[n].End, Phase: intervals[n].Phase})
				}
				s := &bs.Samples[i]
				fill(s, va, vb, a.at, b.at)
				if !a.at.Equal(iv.Start) || !b.at.Equal(iv.End) {
					from, to := a.at, b.at
					if s.ScrapedFrom == nil || from.Before(*s.ScrapedFrom) {
						s.ScrapedFrom = &from
					}
					if s.ScrapedTo == nil || to.After(*s.ScrapedTo) {
						s.ScrapedTo = &to
					}
				}
			}
		}
		out.Warnings = append(out.Warnings, scrapeWarnings(ep, hist, intervals, m.cfg.Interval)...)
	}
	if sawMSKBench {
		out.Source = report.BrokerSourceMSKBenchBroker
	}
	ids := make([]int32, 0, len(series))
	for id := range series {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		out.Brokers = append(out.Brokers, *series[id])
	}
	out.Missing = missing(out)
	return out
}

// okScrapes returns the successful scrapes of hist.
func okScrapes(hist []scrape) []*scrape {
	var out []*scrape
	for i := range hist {
		if hist[i].err == nil {
			out = append(out, &hist[i])
		}
	}
	return out
}

// nearest returns the scrape closest to t, if one is within tol of it.
func nearest(ok []*scrape, t time.Time, tol time.Duration) *scrape {
	i := sort.Search(len(ok), func(i int) bool { return !ok[i].at.Before(t) })
	var best *scrape
	bestD := tol + 1
	for _, j := range []int{i - 1, i} {
		if j < 0 || j >= len(ok) {
			continue
		}
		d := ok[j].at.Sub(t)
		if d < 0 {
			d = -d
		}
		if d <= tol && d < bestD {
			best, bestD = ok[j], d
		}
	}
	return best
}

// scrapeWarnings summarises the failed and slow scrapes of ep within the
// intervals.
func scrapeWarnings(ep *endpoint, hist []scrape, intervals []report.Interval, interval time.Duration) []string {
	var from, to time.Time
	if len(intervals) > 0 {
		from, to = intervals[0].Start, intervals[len(intervals)-1].End
	}
	var n, failed, slow int
	var lastErr error
	var slowest time.Duration
	for _, s := range hist {
		if len(intervals) > 0 && (s.at.Before(from) || s.at.After(to)) {
			continue
		}
		n++
		if s.err != nil {
			failed++
			lastErr = s.err
			continue
		}
		if s.took > interval/2 {
			slow++
			slowest = max(slowest, s.took)
		}
	}
	var out []string
	switch {
	case n == 0:
		out = append(out, fmt.Sprintf("%s: no scrape during the step", ep.URL))
	case failed > 0:
		out = append(out, fmt.Sprintf("%s: %d of %d scrapes failed (last: %v)", ep.URL, failed, n, lastErr))
	}
	if slow > 0 {
		out = append(out, fmt.Sprintf("%s: %d of %d scrapes took more than half the %s interval (slowest %s)", ep.URL, slow, n, interval, slowest.Round(time.Millisecond)))
	}
	return out
}
