package scenarios

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/mskbench/mskbench/plan"
)

// monitoring checks the cluster.monitoring block and the ramp's broker
// criteria (ramp.max_broker_cpu, ramp.stop_on_throttle). On the embedded
// cluster the block is ignored at run time (the in-process cluster's own
// /metrics is scraped instead), so only its values, not its prerequisites,
// are checked there.
func (v *validator) monitoring() {
	s := v.s
	m := s.Cluster.Monitoring
	const f = "cluster.monitoring."
	written := func(key string) bool { _, ok := s.pos[f+key]; return ok }

	for _, p := range []struct {
		key  string
		port int
	}{{"jmx_port", m.JMXPort}, {"node_port", m.NodePort}} {
		switch {
		case p.port < 1 || p.port > 65535:
			v.report(f+p.key, "want a port 1..65535, got %d", p.port)
		case written(p.key) && !m.OpenMonitoring:
			v.report(f+p.key, "applies only with cluster.monitoring.open_monitoring: true")
		}
	}

	if n := len(m.Prometheus); n > plan.MaxPrometheusEndpoints {
		v.report(f+"prometheus", "%d endpoints; at most %d", n, plan.MaxPrometheusEndpoints)
	}
	seen := map[string]bool{}
	for i, raw := range m.Prometheus {
		field := fmt.Sprintf("%sprometheus[%d]", f, i)
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
			v.report(field, "want an endpoint http://host:port/path (default path /metrics), got %q", raw)
			continue
		case u.User != nil:
			v.report(field, "credentials in a URL are never accepted in a scenario file; expose the exporter without them or through a local proxy")
			continue
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				v.report(field, "want a port 1..65535, got %q", p)
			}
		}
		if seen[raw] {
			v.report(field, "%s is listed twice", raw)
		}
		seen[raw] = true
	}

	ri := s.Phases.ReportInterval
	switch t := m.ScrapeTimeout; {
	case t < 0:
		v.report(f+"scrape_timeout", "must not be negative (0 = 80%% of phases.report_interval, at most 10s)")
	case t > plan.MaxScrapeTimeout:
		v.report(f+"scrape_timeout", "%v is more than %v", t, plan.MaxScrapeTimeout)
	case t > 0 && ri > 0 && t >= ri:
		v.report(f+"scrape_timeout", "%v is not shorter than phases.report_interval (%v): a scrape must end before the next interval", t, ri)
	case t > 0 && !m.Scrapes():
		v.report(f+"scrape_timeout", "applies only with cluster.monitoring.open_monitoring or prometheus")
	}

	embedded := s.Embedded()
	if m.CloudWatch && !embedded && s.Cluster.Auth.ClusterARN == "" {
		v.report(f+"cloudwatch", "needs the cluster's ARN (the CloudWatch dimension is its name): set cluster.auth.cluster_arn or pass --cluster-arn")
	}

	r := s.Ramp
	if r == nil {
		return
	}
	if r.MaxBrokerCPU < 0 || r.MaxBrokerCPU > 1 {
		v.report("ramp.max_broker_cpu", "must be between 0%% and 100%%, got %v", r.MaxBrokerCPU)
	}
	needs := func(key string) {
		if !embedded && !m.Any() {
			v.report("ramp."+key, "needs broker metrics: set cluster.monitoring.open_monitoring, prometheus or cloudwatch (or run --embedded)")
		}
	}
	if r.MaxBrokerCPU > 0 {
		needs("max_broker_cpu")
	}
	if r.StopOnThrottle {
		needs("stop_on_throttle")
	}
}
