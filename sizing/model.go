// Package sizing turns a workload (ingress, fan-out, retention, partitions)
// into MSK cluster options, their monthly cost and a recommendation. It is
// pure computation over plain data: the only input besides the workload is
// the instance-type and price catalogue (embedded catalog.json, which users
// may override from a file), and it imports nothing outside the standard
// library.
//
// The model is AWS's published sizing model: Equation 1 of the AWS Big Data
// blog "Best practices for right-sizing your Apache Kafka clusters to
// optimize performance and cost", derated as AWS's own sizing script
// (msk_sizing.py, 2026-06-23) does. Without a measurement the numbers are
// exactly those of that script; a measurement from a benchmark (Measurement)
// replaces the catalogue's per-broker capacity of the measured instance type.
//
// Units: throughput in MiB/s (2^20 bytes per second) unless a name says MBps
// (10^6 bytes per second); storage in GiB; money in USD; "GB" in prices means
// GiB, as AWS bills GB-months and as AWS's script converts (÷ 1024).
//
// # Worked example
//
// 100 MiB/s average and peak ingress, replication factor 3, 2 consumer groups
// (fan-out 2, so 200 MiB/s egress), 24 h retention, 3 AZs, utilisation
// target 0.5, on kafka.m7g.xlarge (EBS 156.25 MiB/s, NIC 234 MiB/s, $0.408/h):
//
//	storage factor        = 6.5
//	network factor        = 5.7 + 1.5 × 2                  = 8.7
//	ingress per broker    = min(156.25/6.5, 234/8.7) × 0.5
//	                      = min(24.038, 26.897) × 0.5       = 12.019 MiB/s
//	brokers for ingress   = ⌈⌈100 / 12.019⌉ / 3⌉ × 3 = ⌈9/3⌉×3 = 9
//	EBS storage (cluster) = 100 × 24 h × 3600 × 3 / 1024 × 2.0 = 50625 GiB
//	brokers for storage   = ⌈⌈50625 / 16384⌉ / 3⌉ × 3      = 6
//	brokers               = max(9, 9 egress, 6, 3 minimum)  = 9 (ingress binds)
//	broker-hours          = 9 × 0.408 × 730                 = $2680.56
//	storage               = 50625 × 0.10                    = $5062.50
//	cross-AZ (no rack-aware fetch)
//	                      = (100 + 200) × 2/3 MiB/s × 3600 × 730 / 1024 × 0.02
//	                      = 513281.25 GiB × 0.02            = $10265.63
//	total                 = $18008.69 per month
//
// docs/sizing.md explains the method; TestWorkedExample reproduces these
// figures.
package sizing

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Model constants from AWS's sizing script (msk_sizing.py, 2026-06-23).
const (
	// StorageIOFactor is the EBS I/O per unit of ingress a Standard broker
	// must sustain, sized for one AZ down: 1.5 ingress + 1.5 replication-in
	// + 0.5 lagging reads + 3.0 rebalancing = 6.5.
	StorageIOFactor = 6.5
	// TieredStorageIOFactor is the extra EBS I/O per unit of ingress with
	// tiered storage (1.5 remote-storage staging writes).
	TieredStorageIOFactor = 1.5
	// NetworkIOBase is the outbound NIC traffic per unit of ingress before
	// consumers: 2.2 replication-out + 0.5 lagging + 3.0 rebalancing = 5.7.
	NetworkIOBase = 5.7
	// TieredNetworkIO is the extra NIC traffic per unit of ingress with
	// tiered storage (1.5 remote writes and fetches).
	TieredNetworkIO = 1.5
	// EBSHeadroomFactor over-provisions EBS volumes 2× (a full disk stops a broker).
	EBSHeadroomFactor = 2.0
	// MaxEBSGiBPerBroker is the largest MSK EBS volume (16 TiB).
	MaxEBSGiBPerBroker = 16384
	// DefaultBrokerQuota is MSK's default limit of brokers per cluster; the
	// recommendation only picks options within MaxBrokers (default this).
	DefaultBrokerQuota = 60
	// DefaultUtilizationStandard is the target utilisation of Standard brokers.
	DefaultUtilizationStandard = 0.5
	// DefaultUtilizationExpress is the target utilisation of Express brokers.
	DefaultUtilizationExpress = 0.75
	// DefaultAZs is the number of availability zones (Express needs 3).
	DefaultAZs = 3
)

// Binding limits: the constraint that sets an option's broker count.
const (
	LimitIngress    = "ingress"                // peak ingress ÷ per-broker ingress capacity
	LimitEgress     = "egress"                 // peak egress ÷ per-broker egress capacity
	LimitPartitions = "partitions"             // partition replicas ÷ per-broker partition limit
	LimitStorage    = "storage"                // primary storage ÷ 16384 GiB
	LimitPST        = "provisioned-throughput" // average egress ÷ provisioned storage throughput
	LimitMinimum    = "minimum"                // one broker per AZ, and at least RF brokers
)

// AZScaleFactor is how much consumer traffic each surviving broker takes
// when one of azs AZs is down: azs / (azs − 1) (1.5 for 3 AZs).
func AZScaleFactor(azs int) float64 { return float64(azs) / float64(azs-1) }

// StorageFactor is the EBS I/O factor: 6.5, or 6.5 + 1.5 = 8.0 with tiered
// storage.
func StorageFactor(tiered bool) float64 {
	if tiered {
		return StorageIOFactor + TieredStorageIOFactor
	}
	return StorageIOFactor
}

// NetworkFactor is the NIC traffic per unit of ingress:
// 5.7 (+ 1.5 with tiered storage) + fanOut × azs/(azs − 1).
// Example: fan-out 2, 3 AZs, no tiered storage → 5.7 + 2 × 1.5 = 8.7.
func NetworkFactor(fanOut float64, azs int, tiered bool) float64 {
	base := NetworkIOBase
	if tiered {
		base += TieredNetworkIO
	}
	return base + fanOut*AZScaleFactor(azs)
}

// StandardIngressMiBps is the ingress one Standard broker can take before
// the utilisation target (MiB/s):
// min(ebsMiBps / StorageFactor(tiered), nicMiBps / NetworkFactor(fanOut, azs, tiered)).
// Example: kafka.m7g.xlarge (156.25, 234), fan-out 2, 3 AZs →
// min(24.038, 26.897) = 24.038 MiB/s; at utilisation 0.5, 12.019 MiB/s.
func StandardIngressMiBps(ebsMiBps, nicMiBps, fanOut float64, azs int, tiered bool) float64 {
	return math.Min(ebsMiBps/StorageFactor(tiered), nicMiBps/NetworkFactor(fanOut, azs, tiered))
}

// BrokersFor is the broker count that serves demand at perBroker each,
// rounded up to a multiple of azs: ⌈⌈demand / perBroker⌉ / azs⌉ × azs.
// Example: 100 MiB/s at 12.019 MiB/s per broker, 3 AZs → ⌈8.32⌉ = 9 → 9.
// A zero demand needs 0 brokers.
func BrokersFor(demand, perBroker float64, azs int) int {
	if demand <= 0 {
		return 0
	}
	raw := math.Ceil(demand / perBroker)
	return int(math.Ceil(raw/float64(azs))) * azs
}

// PrimaryStorageGiB is the EBS storage of a Standard cluster (all brokers):
// average ingress (MiB/s) × primary retention (s) × RF / 1024 × 2.0 headroom.
// Example: 100 MiB/s, 24 h, RF 3 → 100 × 86400 × 3 / 1024 × 2 = 50625 GiB.
func PrimaryStorageGiB(avgIngressMiBps float64, primaryRetention time.Duration, rf int) float64 {
	return avgIngressMiBps * primaryRetention.Seconds() * float64(rf) / 1024 * EBSHeadroomFactor
}

// TieredStorageGiB is the data held in tiered storage (one copy):
// average ingress (MiB/s) × (retention − primary retention) (s) / 1024.
// Example: 100 MiB/s, 7 d retention, 1 d primary → 100 × 518400 / 1024 = 50625 GiB.
func TieredStorageGiB(avgIngressMiBps float64, retention, primaryRetention time.Duration) float64 {
	if retention <= primaryRetention {
		return 0
	}
	return avgIngressMiBps * (retention - primaryRetention).Seconds() / 1024
}

// RetainedGiB is one copy of retention's worth of data: average ingress
// (MiB/s) × retention (s) / 1024. Express and Serverless storage are billed
// on it. Example: 100 MiB/s for 24 h → 8437.5 GiB.
func RetainedGiB(avgIngressMiBps float64, retention time.Duration) float64 {
	return avgIngressMiBps * retention.Seconds() / 1024
}

// MonthlyGiB is the data a steady rate moves in a month:
// MiB/s × 3600 × hoursPerMonth / 1024. Example: 1 MiB/s, 730 h → 2566.4 GiB.
func MonthlyGiB(mibps, hoursPerMonth float64) float64 {
	return mibps * 3600 * hoursPerMonth / 1024
}

// CrossAZMiBps is the client traffic crossing AZs with clients spread
// evenly over azs AZs: (azs − 1)/azs of produce bytes, plus the same share
// of consume bytes unless consumers fetch from a replica in their own AZ
// (rack-aware). Replication between brokers is not charged and not counted.
// Example: 100 in, 200 out, 3 AZs, not rack-aware → (100 + 200) × 2/3 = 200 MiB/s.
func CrossAZMiBps(avgIngressMiBps, avgEgressMiBps float64, azs int, rackAware bool) float64 {
	share := float64(azs-1) / float64(azs)
	v := avgIngressMiBps * share
	if !rackAware {
		v += avgEgressMiBps * share
	}
	return v
}

// Measurement is what a benchmark measured on a real cluster. With one, the
// measured instance type's per-broker ingress capacity (before the
// utilisation target) replaces the catalogue's: IngressMiBps / Brokers
// (client-side), or, with Binding, that ingress extrapolated to the whole
// binding resource (see [CalibrateByUtilization]).
type Measurement struct {
	// InstanceType is the measured cluster's broker type, e.g. "kafka.m7g.xlarge".
	InstanceType string `json:"instance_type"`
	// Brokers is the measured cluster's broker count.
	Brokers int `json:"brokers"`
	// IngressMiBps is the highest sustained produce throughput measured
	// across the cluster (MiB/s).
	IngressMiBps float64 `json:"ingress_mibps"`
	// Source names where the measurement came from (a result file).
	Source string `json:"source,omitempty"`
	// LowerBound is true when the run did not push the cluster to its limit
	// (a fixed rate the cluster kept up with, no failed ramp step): the
	// measured throughput is then only a lower bound of the capacity.
	LowerBound bool `json:"lower_bound,omitempty"`
	// Binding is what the brokers measured during the step IngressMiBps
	// comes from: the resource that bound and its utilisation; nil without
	// broker metrics (the calibration is then client-side only).
	Binding *MeasuredBinding `json:"binding,omitempty"`
}

// MeasuredBinding is the binding broker resource of a measured step.
type MeasuredBinding struct {
	// Resource is the resource with the highest sustained utilisation:
	// "cpu", "disk", "network", "ingress_quota" or "egress_quota".
	Resource string `json:"resource"`
	// Utilization is its sustained utilisation on the busiest broker over
	// the measured phase, 0..1 (> 0).
	Utilization float64 `json:"utilization"`
	// Broker is the id of that broker; Source where the figure came from
	// (open_monitoring, prometheus, cloudwatch).
	Broker int32  `json:"broker"`
	Source string `json:"source,omitempty"`
}

// PerBrokerMiBps is the measured ingress per broker (MiB/s).
func (m Measurement) PerBrokerMiBps() float64 { return m.IngressMiBps / float64(m.Brokers) }

// Workload is the input of Plan. Zero values select the documented defaults.
type Workload struct {
	// IngressMiBps is the average produce rate of the cluster (MiB/s, > 0).
	IngressMiBps float64 `json:"ingress_mibps"`
	// PeakIngressMiBps is the peak produce rate (MiB/s); 0 means IngressMiBps.
	PeakIngressMiBps float64 `json:"peak_ingress_mibps"`
	// EgressMiBps is the average consume rate (MiB/s); 0 means
	// ConsumerGroups × IngressMiBps.
	EgressMiBps float64 `json:"egress_mibps"`
	// PeakEgressMiBps is the peak consume rate (MiB/s); 0 means
	// EgressMiBps × PeakIngressMiBps / IngressMiBps.
	PeakEgressMiBps float64 `json:"peak_egress_mibps"`
	// ConsumerGroups is the fan-out used when EgressMiBps is 0.
	ConsumerGroups int `json:"consumer_groups"`
	// ReplicationFactor of the topics (≥ 1; Express always uses 3).
	ReplicationFactor int `json:"replication_factor"`
	// Retention is how long data is kept (> 0).
	Retention time.Duration `json:"-"`
	// PrimaryRetention is the local (EBS) retention; 0 means Retention.
	// Tiered storage is in use when it is shorter than Retention.
	PrimaryRetention time.Duration `json:"-"`
	// Partitions is the total number of partition replicas (leader
	// partitions × replication factor), as AWS's per-broker limits count
	// them. 0 means unknown: partitions do not bind.
	Partitions int `json:"partitions"`
	// UseMaxPartitions sizes against the per-broker partition maximum
	// instead of the recommended count.
	UseMaxPartitions bool `json:"use_max_partitions"`
	// UtilizationStandard is the target utilisation of Standard brokers
	// (0 < u ≤ 1; 0 means 0.5).
	UtilizationStandard float64 `json:"utilization_standard"`
	// UtilizationExpress is the target utilisation of Express brokers
	// (0 < u ≤ 1; 0 means 0.75).
	UtilizationExpress float64 `json:"utilization_express"`
	// AZs is the number of availability zones (2 or 3; 0 means 3).
	AZs int `json:"azs"`
	// RackAwareConsumers means consumers fetch from a replica in their own
	// AZ, so consume bytes do not cross AZs.
	RackAwareConsumers bool `json:"rack_aware_consumers"`
	// ProvisionedThroughputMiBps is the provisioned storage throughput per
	// broker (MiB/s, 250..1000; 0 means none), priced and used on types
	// that support it.
	ProvisionedThroughputMiBps float64 `json:"provisioned_throughput_mibps"`
	// TieredReadMiBps is the average rate consumers read data older than
	// the primary retention, served from tiered storage (MiB/s; 0 means
	// none), priced per GB retrieved. Only with tiered storage.
	TieredReadMiBps float64 `json:"tiered_read_mibps,omitempty"`
	// KRaft is true when the cluster runs with KRaft metadata (every
	// Kafka 4.x version; see KRaftVersion): types that cannot (NoKRaft,
	// kafka.t3.small) are not sized.
	KRaft bool `json:"kraft,omitempty"`
	// MaxBrokers is the broker quota a recommended option must fit (0 means 60).
	MaxBrokers int `json:"max_brokers"`
	// InstanceTypes restricts the options to these names; empty means all.
	InstanceTypes []string `json:"instance_types,omitempty"`
	// Measurement, if set, calibrates its instance type, which is then
	// sized even when InstanceTypes does not list it.
	Measurement *Measurement `json:"measurement,omitempty"`
}

// RecommendedKafkaVersion is the Kafka version AWS marks "Recommended" for
// new MSK clusters (MSK "supported Kafka versions", read 2026-12; 3.6.0
// reached end of support on 2026-06-01). It is the default of
// `size --kafka-version`.
const RecommendedKafkaVersion = "3.8.x"

// KRaftVersion reports whether an MSK Kafka version runs with KRaft
// metadata: every 4.x version, and versions named "….kraft" (e.g.
// "3.9.x.kraft").
func KRaftVersion(version string) bool {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	return (err == nil && n >= 4) || strings.HasSuffix(version, ".kraft")
}

// Tiered reports whether tiered storage is in use.
func (w Workload) Tiered() bool { return w.PrimaryRetention > 0 && w.PrimaryRetention < w.Retention }

// FanOut is peak egress ÷ peak ingress (the number of consumer groups when
// every group reads everything).
func (w Workload) FanOut() float64 { return w.PeakEgressMiBps / w.PeakIngressMiBps }

// resolve fills the defaults of w and reports every problem at once.
func (w Workload) resolve(c *Catalog) (Workload, error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, f := range []struct {
		name string
		v    float64
	}{{"ingress", w.IngressMiBps}, {"peak ingress", w.PeakIngressMiBps}, {"egress", w.EgressMiBps}, {"peak egress", w.PeakEgressMiBps},
		{"provisioned throughput", w.ProvisionedThroughputMiBps}, {"tiered reads", w.TieredReadMiBps}} {
		if !finite(f.v) || f.v < 0 {
			bad("%s %v MiB/s: must be a non-negative number", f.name, f.v)
		}
	}
	if w.IngressMiBps <= 0 {
		bad("ingress must be > 0 MiB/s")
	}
	if w.PeakIngressMiBps == 0 {
		w.PeakIngressMiBps = w.IngressMiBps
	}
	if w.PeakIngressMiBps < w.IngressMiBps {
		bad("peak ingress %s MiB/s is below the average %s MiB/s", num(w.PeakIngressMiBps), num(w.IngressMiBps))
	}
	if w.ConsumerGroups < 0 {
		bad("consumer groups %d: must be ≥ 0", w.ConsumerGroups)
	}
	if w.EgressMiBps > 0 && w.ConsumerGroups > 0 {
		bad("give egress or consumer groups, not both")
	}
	if w.EgressMiBps == 0 {
		w.EgressMiBps = float64(w.ConsumerGroups) * w.IngressMiBps
	}
	// A derived peak egress follows the peak ingress, whose relation to the
	// average is checked above: only a peak egress the user gave can be
	// wrong on its own.
	peakEgressGiven := w.PeakEgressMiBps != 0
	if !peakEgressGiven && w.IngressMiBps > 0 {
		w.PeakEgressMiBps = w.EgressMiBps * w.PeakIngressMiBps / w.IngressMiBps
	}
	if peakEgressGiven && w.PeakEgressMiBps < w.EgressMiBps {
		bad("peak egress %s MiB/s is below the average %s MiB/s", num(w.PeakEgressMiBps), num(w.EgressMiBps))
	}
	if w.ReplicationFactor < 1 {
		bad("replication factor %d: must be ≥ 1", w.ReplicationFactor)
	}
	if w.Retention <= 0 {
		bad("retention must be > 0")
	}
	if w.PrimaryRetention < 0 || w.PrimaryRetention > w.Retention {
		bad("primary retention %v must be between 0 and the retention %v", w.PrimaryRetention, w.Retention)
	}
	if w.PrimaryRetention == 0 {
		w.PrimaryRetention = w.Retention
	}
	if w.TieredReadMiBps > 0 && !w.Tiered() {
		bad("tiered reads %s MiB/s need tiered storage (a primary retention shorter than the retention)", num(w.TieredReadMiBps))
	}
	if w.TieredReadMiBps > 0 && w.EgressMiBps > 0 && w.TieredReadMiBps > w.EgressMiBps {
		bad("tiered reads %s MiB/s exceed the egress %s MiB/s", num(w.TieredReadMiBps), num(w.EgressMiBps))
	}
	if w.Partitions < 0 {
		bad("partitions %d: must be ≥ 0", w.Partitions)
	}
	if w.UtilizationStandard == 0 {
		w.UtilizationStandard = DefaultUtilizationStandard
	}
	if w.UtilizationExpress == 0 {
		w.UtilizationExpress = DefaultUtilizationExpress
	}
	for _, u := range []float64{w.UtilizationStandard, w.UtilizationExpress} {
		if !finite(u) || u <= 0 || u > 1 {
			bad("utilisation %v: must be > 0 and ≤ 1", u)
		}
	}
	if w.AZs == 0 {
		w.AZs = DefaultAZs
	}
	if w.AZs != 2 && w.AZs != 3 {
		bad("azs %d: MSK clusters span 2 or 3 AZs", w.AZs)
	}
	if w.ProvisionedThroughputMiBps != 0 && (w.ProvisionedThroughputMiBps < 250 || w.ProvisionedThroughputMiBps > 1000) {
		bad("provisioned throughput %v MiB/s: must be between 250 and 1000", w.ProvisionedThroughputMiBps)
	}
	if w.MaxBrokers == 0 {
		w.MaxBrokers = DefaultBrokerQuota
	}
	if w.MaxBrokers < 0 {
		bad("max brokers %d: must be > 0", w.MaxBrokers)
	}
	for _, n := range w.InstanceTypes {
		if _, ok := c.Lookup(n); !ok {
			bad("instance type %q is not in the catalogue (add it with --catalog)", n)
		}
	}
	if m := w.Measurement; m != nil {
		_, ok := c.Lookup(m.InstanceType)
		switch {
		case m.InstanceType == "":
			bad("measurement: no instance type")
		case !ok:
			bad("measurement: instance type %q is not in the catalogue (add it with --catalog)", m.InstanceType)
		}
		if ok && !admits(w.InstanceTypes, m.InstanceType) {
			w.InstanceTypes = append(slices.Clip(w.InstanceTypes), m.InstanceType)
		}
		if m.Brokers < 1 {
			bad("measurement: broker count %d: must be ≥ 1", m.Brokers)
		}
		if !finite(m.IngressMiBps) || m.IngressMiBps <= 0 {
			bad("measurement: sustained ingress %v MiB/s: must be > 0", m.IngressMiBps)
		}
	}
	return w, errors.Join(errs...)
}

// minimumBrokers is one broker per AZ and at least RF brokers, rounded up
// to a multiple of the AZ count.
func minimumBrokers(rf, azs int) int {
	return int(math.Ceil(float64(max(rf, azs))/float64(azs))) * azs
}

// round2 rounds to cents, half away from zero. It first rounds to
// micro-units so that binary noise (10265.625 stored as 10265.624999…)
// does not decide the cent.
func round2(v float64) float64 { return math.Round(math.Round(v*1e6)/1e4) / 100 }

// pick returns the binding limit: the one needing the most brokers, the
// first in order on a tie.
func pick(limits []Limit) (int, string) {
	best := limits[0]
	for _, l := range limits[1:] {
		if l.BrokersNeeded > best.BrokersNeeded {
			best = l
		}
	}
	return best.BrokersNeeded, best.Name
}

// admits reports whether the filter admits name (an empty filter admits all).
func admits(filter []string, name string) bool {
	return len(filter) == 0 || slices.Contains(filter, name)
}
