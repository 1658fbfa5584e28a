package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/monitor"
	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/ramp"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
	"github.com/mskbench/mskbench/sizing"
)

// cloudWatchTimeout bounds the CloudWatch read after a step (and each read
// of the precondition's credit probe).
const cloudWatchTimeout = 30 * time.Second

// creditsWindow is how far back the precondition's credit probe reads
// CloudWatch: a few one-minute periods, since MSK publishes with a delay.
const creditsWindow = 5 * time.Minute

// scrapeSource is one set of Prometheus endpoints scraped as one source.
type scrapeSource struct {
	source  string
	targets []monitor.Target
}

// brokerMonitoring wires broker metrics into `mskbench run`
// (docs/monitoring.md): beside every step a monitor.Monitor per scraped
// source, ticked at each report interval from the step's progress
// callback (which never blocks: the engine's hot path is untouched); after
// the step its samples over the step's timeline with their summary, then
// CloudWatch over the measured window. Nothing here fails a run: setup
// problems are warnings of the result, scrape problems warnings of the
// source. The zero value (and nil) monitors nothing.
type brokerMonitoring struct {
	scrapes  []scrapeSource
	timeout  time.Duration // scrape timeout, 0 = monitor's default
	capacity *report.BrokerCapacity
	cw       *monitor.CloudWatchConfig
	logf     func(string, ...any)
	// warnings are setup problems, for the result.
	warnings []string
}

// newBrokerMonitoring prepares the broker metrics of a run of s: for the
// embedded cluster its /metrics at embeddedURL (source mskbench_broker),
// otherwise what cluster.monitoring asks for, with the broker hosts and ids
// from the cluster metadata over conn. a is the run's merged
// authentication settings (the cluster ARN, and the AWS credentials for
// CloudWatch).
func newBrokerMonitoring(ctx context.Context, s *scenarios.Scenario, a plan.Auth, conn *auth.Conn, embeddedURL string, logf func(string, ...any)) *brokerMonitoring {
	m := s.Cluster.Monitoring
	bm := &brokerMonitoring{logf: logf, timeout: m.ScrapeTimeout.D(), capacity: brokerCapacity(s.Cluster.InstanceType)}
	warnf := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		bm.warnings = append(bm.warnings, msg)
		logf("warning: %s", msg)
	}
	if s.Embedded() {
		if m.Any() {
			logf("embedded cluster: cluster.monitoring is ignored; the in-process cluster's own /metrics is scraped")
		}
		bm.timeout = 0
		if embeddedURL != "" {
			bm.scrapes = []scrapeSource{{report.BrokerSourceMSKBenchBroker, []monitor.Target{{URL: embeddedURL}}}}
		}
		return bm
	}
	if !m.Any() {
		return bm
	}
	var brokers []auth.Broker
	if m.OpenMonitoring || m.CloudWatch {
		var err error
		if brokers, err = auth.ClusterBrokers(ctx, conn); err != nil {
			warnf("broker metrics: cannot read the cluster metadata for the broker hosts and ids, so open monitoring and CloudWatch are off: %v", err)
		}
	}
	if m.OpenMonitoring && len(brokers) > 0 {
		hosts := make([]monitor.Broker, len(brokers))
		for i, b := range brokers {
			hosts[i] = monitor.Broker{ID: b.ID, Host: b.Host}
		}
		t := monitor.OpenMonitoringTargets(hosts, m.JMXPort, m.NodePort)
		bm.scrapes = append(bm.scrapes, scrapeSource{report.BrokerSourceOpenMonitoring, t})
		logf("open monitoring: scraping %d brokers on ports %d (JMX exporter) and %d (node exporter)", len(hosts), m.JMXPort, m.NodePort)
	}
	if len(m.Prometheus) > 0 {
		t, err := monitor.EndpointTargets(m.Prometheus)
		if err != nil {
			warnf("broker metrics: %v", err) // Validate checked them; kept for safety
		}
		if len(t) > 0 {
			bm.scrapes = append(bm.scrapes, scrapeSource{report.BrokerSourcePrometheus, t})
			logf("prometheus: scraping %d endpoints", len(t))
		}
	}
	if m.CloudWatch && len(brokers) > 0 {
		ac, err := auth.AWSConfig(ctx, auth.Config{Auth: a}, "")
		if err != nil {
			warnf("broker metrics: CloudWatch is off: %v", err)
		} else {
			ids := make([]int32, len(brokers))
			for i, b := range brokers {
				ids[i] = b.ID
			}
			bm.cw = &monitor.CloudWatchConfig{ClusterARN: a.ClusterARN, Brokers: ids, InstanceType: s.Cluster.InstanceType, AWS: &ac}
			// The monitoring level says which metrics exist; a refusal
			// only costs the reasons of the missing ones.
			dctx, cancel := context.WithTimeout(ctx, describeTimeout)
			level, typ, err := monitor.ClusterMonitoring(dctx, *bm.cw)
			cancel()
			switch {
			case err != nil:
				warnf("broker metrics: CloudWatch: the cluster's monitoring level is unknown (%v): metrics it does not publish show as without data", err)
			default:
				bm.cw.MonitoringLevel = level
				if bm.cw.InstanceType == "" {
					bm.cw.InstanceType = typ
				}
				if level != "" {
					logf("cloudwatch: the cluster's monitoring level is %s", level)
				}
			}
			logf("cloudwatch: reading AWS/Kafka metrics of %d brokers of %s after each step", len(ids), monitor.ClusterNameFromARN(a.ClusterARN))
		}
	}
	return bm
}

// describeTimeout bounds the DescribeClusterV2 call that reads the
// cluster's monitoring level.
const describeTimeout = 10 * time.Second

// brokerCapacity returns what one broker of instanceType can sustain, from
// the sizing catalogue (NIC and EBS throughput of a Standard broker, the
// sustained quotas of an Express broker), nil when unknown.
func brokerCapacity(instanceType string) *report.BrokerCapacity {
	if instanceType == "" {
		return nil
	}
	cat, err := sizing.DefaultCatalog()
	if err != nil {
		return nil
	}
	return catalogCapacity(cat, instanceType)
}

// catalogCapacity is brokerCapacity from the catalogue cat.
func catalogCapacity(cat *sizing.Catalog, instanceType string) *report.BrokerCapacity {
	it, ok := cat.Lookup(instanceType)
	if !ok {
		return nil
	}
	bytes := func(f *sizing.Figure) float64 {
		if f == nil {
			return 0
		}
		return f.Value * sizing.MiB
	}
	c := &report.BrokerCapacity{
		NetworkBytesPerSec:   bytes(it.NetworkMiBps),
		DiskWriteBytesPerSec: bytes(it.EBSThroughputMiBps),
		IngressBytesPerSec:   bytes(it.IngressSustainedMiBps),
		EgressBytesPerSec:    bytes(it.EgressSustainedMiBps),
	}
	if *c == (report.BrokerCapacity{}) {
		return nil
	}
	return c
}

// wrap returns a step runner that runs run with the broker metrics beside
// it. The precondition run is not monitored (the steps follow it at once).
func (bm *brokerMonitoring) wrap(run ramp.StepRunner) ramp.StepRunner {
	if bm == nil || (len(bm.scrapes) == 0 && bm.cw == nil) {
		return run
	}
	return func(ctx context.Context, p plan.Plan, progress func(report.Interval)) (report.Step, error) {
		if p.Label == "precondition" {
			return run(ctx, p, progress)
		}
		interval := p.WithDefaults().Phases.ReportInterval.D()
		var mons []*monitor.Monitor
		for _, sc := range bm.scrapes {
			m, err := monitor.New(monitor.Config{Source: sc.source, Targets: sc.targets, Interval: interval, Timeout: bm.timeout})
			if err != nil {
				bm.logf("warning: broker metrics (%s) off for this step: %v", sc.source, err)
				continue
			}
			mons = append(mons, m)
		}
		// The scrapers outlive a cancelled step briefly, so that its last
		// interval still gets its scrape.
		mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		var wg sync.WaitGroup
		for _, m := range mons {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = m.Run(mctx)
			}()
		}
		stopAll := func() {
			stop()
			wg.Wait()
		}
		tick := func(iv report.Interval) {
			if progress != nil {
				progress(iv)
			}
			for _, m := range mons {
				m.Tick() // never blocks
			}
		}
		step, err := run(ctx, p, tick)
		if err != nil {
			stopAll()
			return step, err
		}
		if n := len(step.Timeline); n > 0 && len(mons) > 0 {
			wait := bm.timeout
			if wait <= 0 {
				wait = min(interval*8/10, 10*time.Second)
			}
			actx, cancel := context.WithTimeout(mctx, 2*wait+time.Second)
			for _, m := range mons {
				_ = m.Await(actx, step.Timeline[n-1].End) // a timeout shows as a warning of the source
			}
			cancel()
		}
		stopAll()
		for _, m := range mons {
			step.Brokers = append(step.Brokers, bm.summarized(m.Metrics(step.Timeline)))
		}
		if bm.cw != nil && step.MeasureEnd.After(step.MeasureStart) {
			cctx, cancel := context.WithTimeout(ctx, cloudWatchTimeout)
			cw, err := monitor.ReadCloudWatch(cctx, *bm.cw, step.MeasureStart, step.MeasureEnd)
			cancel()
			if err != nil {
				cw = report.BrokerMetrics{Source: report.BrokerSourceCloudWatch, Warnings: []string{err.Error()}}
			}
			step.Brokers = append(step.Brokers, bm.summarized(cw))
		}
		for _, b := range step.Brokers {
			if len(b.Warnings) > 0 {
				bm.logf("warning: broker metrics (%s) of step %d: %s", b.Source, p.Index+1, strings.Join(b.Warnings, "; "))
			}
		}
		return step, nil
	}
}

// summarized returns m with its summary (the catalogue's capacities of the
// cluster's instance type, when known).
func (bm *brokerMonitoring) summarized(m report.BrokerMetrics) report.BrokerMetrics {
	sum := report.SummarizeBrokers(m, bm.capacity)
	m.Summary = &sum
	return m
}

// rampOptions returns the ramp hooks broker metrics give: with CloudWatch,
// the precondition reads the brokers' burst credits.
func (bm *brokerMonitoring) rampOptions() ramp.Options {
	if bm == nil || bm.cw == nil {
		return ramp.Options{}
	}
	cfg := *bm.cw
	return ramp.Options{Credits: func(ctx context.Context) (report.BrokerMetrics, error) {
		ctx, cancel := context.WithTimeout(ctx, cloudWatchTimeout)
		defer cancel()
		now := time.Now()
		return monitor.ReadCloudWatch(ctx, cfg, now.Add(-creditsWindow), now)
	}}
}

// describeBrokerMonitoring says what a run of s reads about its brokers,
// for `mskbench validate`; "" when nothing.
func describeBrokerMonitoring(s *scenarios.Scenario) string {
	if s.Embedded() {
		return "broker metrics: the in-process cluster's /metrics (source mskbench_broker), every report interval"
	}
	m := s.Cluster.Monitoring
	var parts []string
	if m.OpenMonitoring {
		parts = append(parts, "open monitoring on ports "+strconv.Itoa(m.JMXPort)+" and "+strconv.Itoa(m.NodePort)+" of every broker")
	}
	if n := len(m.Prometheus); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" Prometheus endpoints")
	}
	if len(parts) > 0 {
		parts[len(parts)-1] += ", every report interval"
	}
	if m.CloudWatch {
		parts = append(parts, "CloudWatch after each step")
	}
	if len(parts) == 0 {
		return ""
	}
	return "broker metrics: " + strings.Join(parts, "; ")
}

// measuredBinding returns the binding broker resource of a measured step
// for `size --from`: each source's samples summarised again with the
// catalogue's capacities of instanceType (the measured cluster's, which
// may differ from the scenario's), and the resource with the highest
// sustained utilisation over every source. nil without broker metrics or
// without a utilisation above 0.
func measuredBinding(step *report.Step, cat *sizing.Catalog, instanceType string) *sizing.MeasuredBinding {
	if step == nil {
		return nil
	}
	capacity := catalogCapacity(cat, instanceType)
	var best *sizing.MeasuredBinding
	for _, m := range step.Brokers {
		sum := report.SummarizeBrokers(m, capacity)
		if len(sum.Utilization) == 0 {
			continue
		}
		u := sum.Utilization[0]
		if u.Mean > 0 && (best == nil || u.Mean > best.Utilization) {
			best = &sizing.MeasuredBinding{Resource: u.Resource, Utilization: u.Mean, Broker: u.Broker, Source: m.Source}
		}
	}
	return best
}
