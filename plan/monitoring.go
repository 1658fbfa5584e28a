package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Default ports of MSK open monitoring (Prometheus exporters on every broker host).
const (
	DefaultJMXPort  = 11001 // the JMX exporter (Kafka's metrics)
	DefaultNodePort = 11002 // the node exporter (CPU, network, disks)
)

// MaxScrapeTimeout bounds Monitoring.ScrapeTimeout: a scrape that needs
// longer is not a per-interval figure any more.
const MaxScrapeTimeout = Duration(60e9)

// MaxPrometheusEndpoints bounds Monitoring.Prometheus.
const MaxPrometheusEndpoints = 1000

// Monitoring says where mskbench reads what the brokers measured during a
// run (the scenario's cluster.monitoring block; docs/monitoring.md). The
// zero value reads nothing; [DefaultMonitoring] holds the defaults a
// scenario starts from. Broker metrics never fail a run: a failing or slow
// scrape is a warning in the result.
type Monitoring struct {
	// OpenMonitoring scrapes MSK open monitoring — the JMX exporter on
	// JMXPort and the node exporter on NodePort — of every broker host of
	// the cluster metadata, every report interval.
	OpenMonitoring bool `json:"open_monitoring"`
	// JMXPort and NodePort are the exporters' ports (1..65535; defaults
	// DefaultJMXPort and DefaultNodePort).
	JMXPort  int `json:"jmx_port"`
	NodePort int `json:"node_port"`
	// Prometheus lists exporter endpoints explicitly
	// (http[s]://host:port[/path], default path /metrics): any Kafka with a
	// JMX / node exporter. Endpoints on one host belong to one broker. At
	// most MaxPrometheusEndpoints, no credentials in the URL.
	Prometheus []string `json:"prometheus,omitempty"`
	// CloudWatch reads the AWS/Kafka CloudWatch metrics of every broker
	// after each step, over its measured window; it needs the cluster's
	// ARN (cluster.auth.cluster_arn or --cluster-arn).
	CloudWatch bool `json:"cloudwatch"`
	// ScrapeTimeout bounds one scrape (0 = 80% of the report interval, at
	// most 10 s; else > 0, shorter than the report interval and at most
	// MaxScrapeTimeout).
	ScrapeTimeout Duration `json:"scrape_timeout,omitempty"`
}

// DefaultMonitoring returns the defaults of Monitoring: nothing scraped,
// the open-monitoring ports of MSK.
func DefaultMonitoring() Monitoring {
	return Monitoring{JMXPort: DefaultJMXPort, NodePort: DefaultNodePort}
}

// Scrapes reports whether m asks for a Prometheus scraper (open monitoring
// or explicit endpoints).
func (m Monitoring) Scrapes() bool { return m.OpenMonitoring || len(m.Prometheus) > 0 }

// Any reports whether m asks for any broker metrics.
func (m Monitoring) Any() bool { return m.Scrapes() || m.CloudWatch }

// Percent is a fraction 0..1 written as a percentage ("60%") or as the
// fraction itself ("0.6"). It reads and writes as text (YAML, --set, JSON:
// "60%").
type Percent float64

// ParsePercent reads "60%", "12.5%" or a fraction "0.6" (0..1). A bare
// number above 1 is an error, so that "60" is not read as 6000%.
func ParsePercent(s string) (Percent, error) {
	t := strings.TrimSpace(s)
	num, pct := strings.CutSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("invalid percentage %q: want e.g. \"60%%\" or a fraction such as 0.6", s)
	case v < 0:
		return 0, fmt.Errorf("invalid percentage %q: must not be negative", s)
	case pct:
		return Percent(v / 100), nil
	case v > 1:
		return 0, fmt.Errorf("invalid percentage %q: write %g%% (a bare number is a fraction 0..1)", s, v)
	}
	return Percent(v), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParsePercent.
func (p *Percent) UnmarshalText(text []byte) error {
	v, err := ParsePercent(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalText writes p as a percentage, e.g. "60%".
func (p Percent) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// String returns p as a percentage with up to 4 decimals, e.g. "60%".
func (p Percent) String() string {
	return strconv.FormatFloat(math.Round(float64(p)*100*1e4)/1e4, 'f', -1, 64) + "%"
}
