package sizing

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limit is one constraint of an option: how many brokers it needs.
type Limit struct {
	// Name is one of the Limit* constants.
	Name string `json:"name"`
	// BrokersNeeded is ⌈Demand / PerBroker⌉ rounded up to a multiple of the AZ count.
	BrokersNeeded int `json:"brokers_needed"`
	// Demand is what the cluster must carry, in Unit.
	Demand float64 `json:"demand"`
	// PerBroker is what one broker may carry at the utilisation target, in Unit.
	PerBroker float64 `json:"per_broker"`
	// Unit names the unit of Demand and PerBroker, e.g. "MiB/s peak ingress".
	Unit string `json:"unit"`
}

// Cost is a monthly cost breakdown in the catalogue's currency (USD),
// rounded to cents, discount applied.
type Cost struct {
	// BrokerHours is brokers × price per hour × hours per month.
	BrokerHours float64 `json:"broker_hours"`
	// Storage is primary (EBS) GiB × price per GB-month (Express: retained GiB).
	Storage float64 `json:"storage"`
	// TieredStorage is tiered GiB × price per GB-month.
	TieredStorage float64 `json:"tiered_storage"`
	// TieredRetrieval is GiB read from the tier per month
	// (Workload.TieredReadMiBps) × price per GB retrieved.
	TieredRetrieval float64 `json:"tiered_retrieval,omitempty"`
	// ProvisionedThroughput is brokers × PST MiB/s × price per MiB/s-month.
	ProvisionedThroughput float64 `json:"provisioned_throughput"`
	// ExpressDataIn is GiB written per month × price per GB (Express only).
	ExpressDataIn float64 `json:"express_data_in"`
	// CrossAZ is client GiB crossing AZs per month × price per GB.
	CrossAZ float64 `json:"cross_az"`
	// Total is the sum of the unrounded parts, rounded.
	Total float64 `json:"total"`
}

// Calibration compares a measured per-broker capacity with the catalogue's.
type Calibration struct {
	// MeasuredMiBps is the measured sustained ingress per broker (MiB/s).
	MeasuredMiBps float64 `json:"measured_mibps"`
	// CatalogMiBps is the model's ingress per broker before the utilisation
	// target (MiB/s); 0 when the catalogue has no figures for the type.
	CatalogMiBps float64 `json:"catalog_mibps"`
	// DifferencePercent is (measured − catalogue) / catalogue × 100.
	DifferencePercent float64 `json:"difference_percent"`
	// Source names the measurement (a result file).
	Source string `json:"source,omitempty"`
	// LowerBound is true when the measured run did not reach the cluster's
	// limit, so MeasuredMiBps understates the capacity (see Measurement).
	LowerBound bool `json:"lower_bound,omitempty"`
	// CatalogKept is true when the measurement is a LowerBound below the
	// catalogue's capacity and the calibration is client-side: CapacityMiBps is then CatalogMiBps (a lower
	// bound may raise the catalogue's capacity, never lower it), and
	// DifferencePercent still compares the measurement.
	CatalogKept bool `json:"catalog_kept,omitempty"`
	// Basis is CalibrationBroker when the capacity is extrapolated from the
	// binding broker resource's utilisation, CalibrationClient when it is
	// the measured throughput itself.
	Basis string `json:"basis"`
	// Binding is the measured binding resource, when the result had broker
	// metrics (also when the extrapolation was refused).
	Binding *MeasuredBinding `json:"binding,omitempty"`
	// CapacityMiBps is the capacity per broker the option uses, before the
	// utilisation target (MiB/s): MeasuredMiBps ÷ Binding.Utilization with
	// CalibrationBroker, else MeasuredMiBps.
	CapacityMiBps float64 `json:"capacity_mibps"`
	// Extrapolation is how far the sizing reaches from the measurement:
	// the utilisation target ÷ the measured utilisation (1 = sized at the
	// measured load; 0 without broker metrics).
	Extrapolation float64 `json:"extrapolation,omitempty"`
	// Refused says why the broker-side calibration was not used (the
	// extrapolation is more than MaxExtrapolation); "" otherwise.
	Refused string `json:"refused,omitempty"`
}

// Calibration bases ([Calibration.Basis]).
const (
	CalibrationBroker = "broker_utilization"
	CalibrationClient = "client"
)

// MaxExtrapolation is the furthest a calibration by broker utilisation
// reaches: sizing for a utilisation more than this many times the measured
// one assumes a linearity a benchmark has not shown, and is refused.
const MaxExtrapolation = 4.0

// CalibrateByUtilization extrapolates a measured per-broker ingress to the
// capacity of the binding resource, assuming the resource's utilisation
// grows in proportion to ingress:
//
//	capacity      = measured MiB/s per broker ÷ utilisation
//	extrapolation = target utilisation ÷ measured utilisation
//
// Example: 40 MiB/s per broker with CPU at 55% → 72.727 MiB/s at 100% CPU;
// at a 50% target that is 36.364 MiB/s, 0.909× the measured load. ok is
// false (and capacity the measured figure) when the utilisation is not
// above 0 or the extrapolation exceeds MaxExtrapolation.
func CalibrateByUtilization(measuredMiBps, utilization, target float64) (capacity, extrapolation float64, ok bool) {
	if !(utilization > 0) || !(target > 0) {
		return measuredMiBps, 0, false
	}
	extrapolation = target / utilization
	if extrapolation > MaxExtrapolation {
		return measuredMiBps, extrapolation, false
	}
	return measuredMiBps / utilization, extrapolation, true
}

// Option is one instance type sized for the workload.
type Option struct {
	// InstanceType is the catalogue name, e.g. "kafka.m7g.xlarge".
	InstanceType string `json:"instance_type"`
	// Kind is KindStandard or KindExpress.
	Kind string `json:"kind"`
	// Skipped says why the type was not sized (missing figures, needs 3
	// AZs); all other fields except InstanceType and Kind are then zero.
	Skipped string `json:"skipped,omitempty"`
	// Brokers is the broker count: the largest BrokersNeeded of Limits, a
	// multiple of the AZ count.
	Brokers int `json:"brokers"`
	// BindingLimit is the name of the limit that set Brokers.
	BindingLimit string `json:"binding_limit"`
	// Limits are every constraint with the brokers it needs, in the order
	// ingress, egress, partitions, storage (Standard), provisioned
	// throughput (when priced), minimum.
	Limits []Limit `json:"limits,omitempty"`
	// CapacityMiBps is one broker's ingress capacity before the utilisation
	// target (MiB/s): the model's, or the measured one when calibrated.
	CapacityMiBps float64 `json:"capacity_mibps"`
	// IngressPerBrokerMiBps is CapacityMiBps × utilisation target (MiB/s).
	IngressPerBrokerMiBps float64 `json:"ingress_per_broker_mibps"`
	// EgressPerBrokerMiBps is the egress one broker may serve at the target (MiB/s).
	EgressPerBrokerMiBps float64 `json:"egress_per_broker_mibps"`
	// Utilization is the target utilisation applied.
	Utilization float64 `json:"utilization"`
	// PeakUtilization is peak ingress ÷ (Brokers × CapacityMiBps): the
	// fraction of capacity used at peak with this broker count (≤ Utilization).
	PeakUtilization float64 `json:"peak_utilization"`
	// StoragePerBrokerGiB is primary storage ÷ Brokers (Standard only).
	StoragePerBrokerGiB float64 `json:"storage_per_broker_gib"`
	// EBSVolumeGiB is the EBS volume to provision per broker: ⌈StoragePerBrokerGiB⌉ (Standard only).
	EBSVolumeGiB int `json:"ebs_volume_gib"`
	// ProvisionedThroughputMiBps is the provisioned storage throughput per
	// broker the option was priced with (MiB/s; 0 = none).
	ProvisionedThroughputMiBps float64 `json:"provisioned_throughput_mibps,omitempty"`
	// Priced is false when the catalogue has no broker price for the type.
	Priced bool `json:"priced"`
	// TotalMonthlyUSD is Cost.Total.
	TotalMonthlyUSD float64 `json:"total_monthly_usd"`
	// Cost is the monthly cost by dimension.
	Cost Cost `json:"cost"`
	// WithinQuota reports Brokers ≤ the broker quota (Workload.MaxBrokers).
	WithinQuota bool `json:"within_quota"`
	// Calibration is set when the capacity comes from a measurement.
	Calibration *Calibration `json:"calibration,omitempty"`
	// Notes are caveats about this option, in words.
	Notes []string `json:"notes,omitempty"`
}

// QuotaCheck is one MSK Serverless quota against the workload.
type QuotaCheck struct {
	Name   string  `json:"name"`   // e.g. "cluster ingress"
	Demand float64 `json:"demand"` // the workload's figure, in Unit
	Limit  float64 `json:"limit"`  // the quota, in Unit
	Unit   string  `json:"unit"`   // e.g. "MB/s peak" (decimal MB)
	OK     bool    `json:"ok"`     // Demand ≤ Limit
}

// ServerlessCost is the monthly cost of MSK Serverless (USD, rounded to cents).
type ServerlessCost struct {
	ClusterHours   float64 `json:"cluster_hours"`   // cluster-hour price × hours per month
	PartitionHours float64 `json:"partition_hours"` // leader partitions × partition-hour price × hours
	DataIn         float64 `json:"data_in"`         // GiB written per month × price
	DataOut        float64 `json:"data_out"`        // GiB read per month × price
	Storage        float64 `json:"storage"`         // retained GiB × price per GB-month
	Total          float64 `json:"total"`           // sum of the unrounded parts, rounded
}

// ServerlessOption is MSK Serverless checked against its quotas.
type ServerlessOption struct {
	// Fits reports that every quota check passes.
	Fits bool `json:"fits"`
	// Exceeded names the failed checks.
	Exceeded []string `json:"exceeded,omitempty"`
	// LeaderPartitions is the partition count billed and checked:
	// ⌈Workload.Partitions / RF⌉, or, without a partition count, the fewest
	// partitions the per-partition quotas allow.
	LeaderPartitions int `json:"leader_partitions"`
	// Checks are the quota checks, cluster-wide first.
	Checks []QuotaCheck `json:"checks"`
	// TotalMonthlyUSD is Cost.Total.
	TotalMonthlyUSD float64 `json:"total_monthly_usd"`
	// Cost is the monthly cost by dimension.
	Cost ServerlessCost `json:"cost"`
	// Notes are caveats, in words.
	Notes []string `json:"notes,omitempty"`
}

// Recommendation is the cheapest option that fits.
type Recommendation struct {
	// InstanceType is the recommended type, "serverless", or "" when nothing fits.
	InstanceType string `json:"instance_type"`
	// Brokers is the recommended broker count (0 for Serverless).
	Brokers int `json:"brokers,omitempty"`
	// TotalMonthlyUSD is the recommended option's monthly cost.
	TotalMonthlyUSD float64 `json:"total_monthly_usd"`
	// Reason is a one-paragraph explanation.
	Reason string `json:"reason"`
}

// Result is the output of Plan: the resolved inputs, one Option per
// instance type (catalogue order), Serverless and the recommendation.
type Result struct {
	// Region, Currency and DiscountPercent come from the catalogue.
	Region          string  `json:"region"`
	Currency        string  `json:"currency"`
	DiscountPercent float64 `json:"discount_percent"`
	// Workload is the input with its defaults filled in.
	Workload Workload `json:"workload"`
	// RetentionHours and PrimaryRetentionHours restate the workload's durations.
	RetentionHours        float64 `json:"retention_hours"`
	PrimaryRetentionHours float64 `json:"primary_retention_hours"`
	// Tiered reports that tiered storage is in use.
	Tiered bool `json:"tiered"`
	// FanOut is peak egress ÷ peak ingress.
	FanOut float64 `json:"fan_out"`
	// StorageFactor and NetworkFactor are the Standard derating factors
	// (see StorageFactor and NetworkFactor).
	StorageFactor float64 `json:"storage_factor"`
	NetworkFactor float64 `json:"network_factor"`
	// PrimaryStorageGiB is the EBS storage of a Standard cluster (all brokers, with headroom).
	PrimaryStorageGiB float64 `json:"primary_storage_gib"`
	// TieredStorageGiB is the data in tiered storage.
	TieredStorageGiB float64 `json:"tiered_storage_gib"`
	// Options holds one entry per instance type, in catalogue order.
	Options []Option `json:"options"`
	// Serverless is MSK Serverless against its quotas.
	Serverless ServerlessOption `json:"serverless"`
	// Recommendation is the cheapest option that fits.
	Recommendation Recommendation `json:"recommendation"`
	// Sources are the catalogue's references, by key.
	Sources map[string]Source `json:"sources"`
}

// Plan sizes every catalogue instance type admitted by w.InstanceTypes and
// MSK Serverless for the workload, prices them and recommends the cheapest
// that fits. Errors describe invalid input (every problem at once).
func Plan(c *Catalog, w Workload) (*Result, error) {
	w, err := w.resolve(c)
	if err != nil {
		return nil, err
	}
	tiered := w.Tiered()
	r := &Result{
		Region:                c.Region,
		Currency:              c.Currency,
		DiscountPercent:       c.DiscountPercent,
		Workload:              w,
		RetentionHours:        w.Retention.Hours(),
		PrimaryRetentionHours: w.PrimaryRetention.Hours(),
		Tiered:                tiered,
		FanOut:                round6(w.FanOut()),
		StorageFactor:         StorageFactor(tiered),
		NetworkFactor:         round6(NetworkFactor(w.FanOut(), w.AZs, tiered)),
		PrimaryStorageGiB:     round6(PrimaryStorageGiB(w.IngressMiBps, w.PrimaryRetention, w.ReplicationFactor)),
		TieredStorageGiB:      round6(TieredStorageGiB(w.IngressMiBps, w.Retention, w.PrimaryRetention)),
		Sources:               c.Sources,
	}
	for _, it := range c.InstanceTypes {
		if !admits(w.InstanceTypes, it.Name) {
			continue
		}
		var o Option
		if it.Kind == KindExpress {
			o = sizeExpress(c, w, it)
		} else {
			o = sizeStandard(c, w, it)
		}
		r.Options = append(r.Options, o)
	}
	r.Serverless = sizeServerless(c, w)
	r.Recommendation = recommend(r)
	return r, nil
}

// discount is the cost multiplier 1 − discount%/100.
func discount(c *Catalog) float64 { return 1 - c.DiscountPercent/100 }

// val returns f's value, or 0 for an unknown figure.
func val(f *Figure) float64 {
	if f == nil {
		return 0
	}
	return f.Value
}

// calibrate returns the measured capacity of it, if w carries a measurement
// of it: extrapolated by the binding broker resource's utilisation to the
// target u when the measurement has one and the extrapolation is at most
// MaxExtrapolation, else the measured throughput (client-side).
// DifferencePercent compares the capacity used with the catalogue's.
func calibrate(w Workload, it InstanceType, catalog, u float64) *Calibration {
	m := w.Measurement
	if m == nil || m.InstanceType != it.Name {
		return nil
	}
	cal := &Calibration{MeasuredMiBps: m.PerBrokerMiBps(), CatalogMiBps: catalog, Source: m.Source, LowerBound: m.LowerBound,
		Basis: CalibrationClient, Binding: m.Binding}
	cal.CapacityMiBps = cal.MeasuredMiBps
	if b := m.Binding; b != nil {
		capacity, ext, ok := CalibrateByUtilization(cal.MeasuredMiBps, b.Utilization, u)
		cal.Extrapolation = ext
		if ok {
			cal.Basis, cal.CapacityMiBps = CalibrationBroker, capacity
		} else {
			cal.Refused = fmt.Sprintf("the %s utilisation (%.1f%%) is too low to extrapolate to the %.0f%% target: %.2f× is more than %g×",
				b.Resource, b.Utilization*100, u*100, ext, MaxExtrapolation)
		}
	}
	if catalog > 0 {
		cal.DifferencePercent = (cal.CapacityMiBps - catalog) / catalog * 100
		// A lower bound may raise the catalogue's capacity, never lower it:
		// the cluster kept up, so it can do at least what was measured, and
		// perhaps as much as the catalogue says. (A calibration by broker
		// utilisation estimates the capacity itself and is kept.)
		if cal.LowerBound && cal.Basis == CalibrationClient && cal.CapacityMiBps < catalog {
			cal.CapacityMiBps, cal.CatalogKept = catalog, true
		}
	}
	return cal
}

func partitionLimit(w Workload, it InstanceType) (float64, string) {
	if w.UseMaxPartitions {
		return val(it.PartitionsMax), "partition replicas (max per broker)"
	}
	return val(it.PartitionsRecommended), "partition replicas (recommended per broker)"
}

func sizeStandard(c *Catalog, w Workload, it InstanceType) Option {
	fanOut, tiered := w.FanOut(), w.Tiered()
	primaryGiB := PrimaryStorageGiB(w.IngressMiBps, w.PrimaryRetention, w.ReplicationFactor)
	tieredGiB := TieredStorageGiB(w.IngressMiBps, w.Retention, w.PrimaryRetention)
	o := Option{InstanceType: it.Name, Kind: it.Kind, Utilization: w.UtilizationStandard}
	switch {
	case w.KRaft && it.NoKRaft:
		return Option{InstanceType: it.Name, Kind: it.Kind, Skipped: it.Name + " cannot be chosen with KRaft metadata mode (every Kafka 4.x version)"}
	case tiered && it.NoTieredStorage:
		return Option{InstanceType: it.Name, Kind: it.Kind, Skipped: "tiered storage is not available on " + it.Name}
	}
	var model float64
	if it.EBSThroughputMiBps != nil && it.NetworkMiBps != nil {
		model = StandardIngressMiBps(it.EBSThroughputMiBps.Value, it.NetworkMiBps.Value, fanOut, w.AZs, tiered)
	}
	o.CapacityMiBps = model
	if cal := calibrate(w, it, model, w.UtilizationStandard); cal != nil {
		o.Calibration = cal
		o.CapacityMiBps = cal.CapacityMiBps
	}
	if o.CapacityMiBps == 0 {
		return Option{InstanceType: it.Name, Kind: it.Kind,
			Skipped: "no EBS/network throughput figures in the catalogue: add them with --catalog, or calibrate with --from"}
	}
	u := w.UtilizationStandard
	o.IngressPerBrokerMiBps = o.CapacityMiBps * u
	o.EgressPerBrokerMiBps = fanOut * o.CapacityMiBps * u
	partLimit, partUnit := partitionLimit(w, it)
	o.Limits = []Limit{
		{LimitIngress, BrokersFor(w.PeakIngressMiBps, o.IngressPerBrokerMiBps, w.AZs), w.PeakIngressMiBps, o.IngressPerBrokerMiBps, "MiB/s peak ingress"},
		{LimitEgress, BrokersFor(w.PeakEgressMiBps, o.EgressPerBrokerMiBps, w.AZs), w.PeakEgressMiBps, o.EgressPerBrokerMiBps, "MiB/s peak egress"},
		{LimitPartitions, BrokersFor(float64(w.Partitions), partLimit, w.AZs), float64(w.Partitions), partLimit, partUnit},
		{LimitStorage, BrokersFor(primaryGiB, MaxEBSGiBPerBroker, w.AZs), primaryGiB, MaxEBSGiBPerBroker, "GiB primary storage"},
	}
	var pst float64
	if w.ProvisionedThroughputMiBps > 0 && it.ProvisionedThroughput {
		pst = w.ProvisionedThroughputMiBps
		if it.EBSThroughputMiBps != nil {
			pst = math.Min(pst, it.EBSThroughputMiBps.Value)
		}
		o.Limits = append(o.Limits, Limit{LimitPST, BrokersFor(w.EgressMiBps, pst, w.AZs), w.EgressMiBps, pst, "MiB/s average egress (PST per broker)"})
		o.ProvisionedThroughputMiBps = pst
	}
	minB := minimumBrokers(w.ReplicationFactor, w.AZs)
	o.Limits = append(o.Limits, Limit{LimitMinimum, minB, float64(minB), 1, "brokers (one per AZ, at least RF)"})
	o.Brokers, o.BindingLimit = pick(o.Limits)
	o.PeakUtilization = w.PeakIngressMiBps / (float64(o.Brokers) * o.CapacityMiBps)
	o.StoragePerBrokerGiB = primaryGiB / float64(o.Brokers)
	o.EBSVolumeGiB = max(1, int(math.Ceil(round6(o.StoragePerBrokerGiB))))
	o.WithinQuota = o.Brokers <= w.MaxBrokers

	d := discount(c)
	hours := val(c.Prices.HoursPerMonth)
	var cost Cost
	var total float64
	add := func(dst *float64, v float64) { v *= d; total += v; *dst = round2(v) }
	o.Priced = it.PricePerHourUSD != nil
	add(&cost.BrokerHours, float64(o.Brokers)*val(it.PricePerHourUSD)*hours)
	add(&cost.Storage, primaryGiB*val(c.Prices.StoragePerGBMonthUSD))
	add(&cost.TieredStorage, tieredGiB*val(c.Prices.TieredStoragePerGBMonthUSD))
	add(&cost.TieredRetrieval, MonthlyGiB(w.TieredReadMiBps, hours)*val(c.Prices.TieredStorageRetrievalPerGBUSD))
	add(&cost.ProvisionedThroughput, float64(o.Brokers)*pst*val(c.Prices.ProvisionedThroughputPerMiBpsMonthUSD))
	add(&cost.CrossAZ, MonthlyGiB(CrossAZMiBps(w.IngressMiBps, w.EgressMiBps, w.AZs, w.RackAwareConsumers), hours)*val(c.Prices.CrossAZPerGBUSD))
	cost.Total = round2(total)
	o.Cost, o.TotalMonthlyUSD = cost, cost.Total

	if !o.Priced {
		o.Notes = append(o.Notes, "no broker price in the catalogue: broker-hours are not counted (add price_per_hour_usd with --catalog)")
	}
	if it.ProvisionedThroughput && pst == 0 && it.EBSThroughputMiBps != nil && it.EBSThroughputMiBps.Value > 250 && o.BindingLimit == LimitIngress {
		o.Notes = append(o.Notes, NotePST)
	}
	if tiered && w.TieredReadMiBps == 0 {
		o.Notes = append(o.Notes, NoteTieredReads)
	}
	if o.Calibration != nil {
		o.Notes = append(o.Notes, calibrationNote(o.Calibration))
	}
	o.tidy()
	return o
}

// NoteTieredReads is the note of tiered options priced without reads from the tier.
const NoteTieredReads = "reads from tiered storage are charged per GB retrieved and are not priced here: give the rate consumers read data older than the primary retention with --tiered-reads"

func sizeExpress(c *Catalog, w Workload, it InstanceType) Option {
	o := Option{InstanceType: it.Name, Kind: it.Kind, Utilization: w.UtilizationExpress}
	if w.AZs != 3 {
		return Option{InstanceType: it.Name, Kind: it.Kind, Skipped: "Express brokers run in 3 AZs only"}
	}
	model := val(it.IngressSustainedMiBps)
	o.CapacityMiBps = model
	if cal := calibrate(w, it, model, w.UtilizationExpress); cal != nil {
		o.Calibration = cal
		o.CapacityMiBps = cal.CapacityMiBps
	}
	u := w.UtilizationExpress
	o.IngressPerBrokerMiBps = o.CapacityMiBps * u
	o.EgressPerBrokerMiBps = val(it.EgressSustainedMiBps) * u
	partLimit, partUnit := partitionLimit(w, it)
	minB := minimumBrokers(3, w.AZs)
	o.Limits = []Limit{
		{LimitIngress, BrokersFor(w.PeakIngressMiBps, o.IngressPerBrokerMiBps, w.AZs), w.PeakIngressMiBps, o.IngressPerBrokerMiBps, "MiB/s peak ingress"},
		{LimitEgress, BrokersFor(w.PeakEgressMiBps, o.EgressPerBrokerMiBps, w.AZs), w.PeakEgressMiBps, o.EgressPerBrokerMiBps, "MiB/s peak egress"},
		{LimitPartitions, BrokersFor(float64(w.Partitions), partLimit, w.AZs), float64(w.Partitions), partLimit, partUnit},
		{LimitMinimum, minB, float64(minB), 1, "brokers (one per AZ)"},
	}
	o.Brokers, o.BindingLimit = pick(o.Limits)
	o.PeakUtilization = w.PeakIngressMiBps / (float64(o.Brokers) * o.CapacityMiBps)
	o.WithinQuota = o.Brokers <= w.MaxBrokers

	d := discount(c)
	hours := val(c.Prices.HoursPerMonth)
	var cost Cost
	var total float64
	add := func(dst *float64, v float64) { v *= d; total += v; *dst = round2(v) }
	o.Priced = it.PricePerHourUSD != nil
	add(&cost.BrokerHours, float64(o.Brokers)*val(it.PricePerHourUSD)*hours)
	add(&cost.Storage, RetainedGiB(w.IngressMiBps, w.Retention)*val(c.Prices.StoragePerGBMonthUSD))
	add(&cost.ExpressDataIn, MonthlyGiB(w.IngressMiBps, hours)*val(c.Prices.ExpressDataInPerGBUSD))
	add(&cost.CrossAZ, MonthlyGiB(CrossAZMiBps(w.IngressMiBps, w.EgressMiBps, w.AZs, w.RackAwareConsumers), hours)*val(c.Prices.CrossAZPerGBUSD))
	cost.Total = round2(total)
	o.Cost, o.TotalMonthlyUSD = cost, cost.Total

	if !o.Priced {
		o.Notes = append(o.Notes, "no broker price in the catalogue: broker-hours are not counted (add price_per_hour_usd with --catalog)")
	}
	if w.ReplicationFactor != 3 {
		o.Notes = append(o.Notes, fmt.Sprintf("Express always replicates 3 ways; replication factor %d does not apply", w.ReplicationFactor))
	}
	if w.Tiered() {
		o.Notes = append(o.Notes, "Express has no tiered storage: the whole retention is billed as Express storage")
	}
	if o.Calibration != nil {
		o.Notes = append(o.Notes, calibrationNote(o.Calibration))
	}
	o.tidy()
	return o
}

// NotePST is the note of Standard options whose capacity assumes more EBS
// throughput than the 250 MiB/s default, i.e. provisioned storage throughput.
const NotePST = "capacity assumes the type's maximum EBS throughput (above the 250 MiB/s default), which needs provisioned storage throughput: price it with --provisioned-throughput"

// round6 rounds to 6 decimals, so that output (and golden files) do not
// depend on the last bits of floating-point arithmetic.
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// tidy rounds o's derived figures with round6 once all decisions are made.
func (o *Option) tidy() {
	for _, p := range []*float64{&o.CapacityMiBps, &o.IngressPerBrokerMiBps, &o.EgressPerBrokerMiBps, &o.PeakUtilization, &o.StoragePerBrokerGiB} {
		*p = round6(*p)
	}
	for i := range o.Limits {
		o.Limits[i].Demand = round6(o.Limits[i].Demand)
		o.Limits[i].PerBroker = round6(o.Limits[i].PerBroker)
	}
	if c := o.Calibration; c != nil {
		c.MeasuredMiBps, c.CatalogMiBps, c.DifferencePercent = round6(c.MeasuredMiBps), round6(c.CatalogMiBps), round6(c.DifferencePercent)
		c.CapacityMiBps, c.Extrapolation = round6(c.CapacityMiBps), round6(c.Extrapolation)
	}
}

func calibrationNote(cal *Calibration) string {
	src := ""
	if cal.Source != "" {
		src = " (" + cal.Source + ")"
	}
	vsCatalog := "; the catalogue has no figure to compare"
	if cal.CatalogMiBps != 0 {
		vsCatalog = fmt.Sprintf(" vs %.2f MiB/s from the catalogue (%+.1f%%)", cal.CatalogMiBps, cal.DifferencePercent)
	}
	if b := cal.Binding; cal.Basis == CalibrationBroker && b != nil {
		return fmt.Sprintf("capacity calibrated by broker utilisation%s: %s binds at %.1f%% (broker %d, %s) with %.2f MiB/s per broker, "+
			"so %.2f MiB/s per broker at 100%% %s%s; the target is %.2f× the measured utilisation (at most %g× is extrapolated)",
			src, b.Resource, b.Utilization*100, b.Broker, b.Source, cal.MeasuredMiBps, cal.CapacityMiBps, b.Resource, vsCatalog,
			cal.Extrapolation, MaxExtrapolation)
	}
	note := fmt.Sprintf("capacity measured%s: %.2f MiB/s per broker", src, cal.MeasuredMiBps) + vsCatalog
	if cal.Refused != "" {
		note += "; calibration client-side only: " + cal.Refused + " (measure at a higher load)"
	} else {
		note += "; calibration client-side only (the result has no broker metrics: set cluster.monitoring to calibrate by the binding broker resource)"
	}
	if cal.LowerBound {
		note += "; the run did not reach the cluster's limit (a fixed rate it kept up with, no failed ramp step), " +
			"so this is a lower bound: measure with a ramp (find-limit) or rate max"
	}
	if cal.CatalogKept {
		note += fmt.Sprintf("; a lower bound below the catalogue's figure does not lower it: sized with %.2f MiB/s per broker from the catalogue", cal.CatalogMiBps)
	}
	return note
}

func sizeServerless(c *Catalog, w Workload) ServerlessOption {
	s := c.Serverless
	peakInMB := w.PeakIngressMiBps * MiB / MB
	peakOutMB := w.PeakEgressMiBps * MiB / MB
	var o ServerlessOption
	if w.Partitions > 0 {
		o.LeaderPartitions = (w.Partitions + w.ReplicationFactor - 1) / w.ReplicationFactor
	} else {
		o.LeaderPartitions = max(1,
			int(math.Ceil(peakInMB/val(s.PartitionIngressMBps)-1e-9)),
			int(math.Ceil(peakOutMB/val(s.PartitionEgressMBps)-1e-9)))
		o.Notes = append(o.Notes, fmt.Sprintf("no partition count given: priced with %d leader partitions, the fewest the per-partition quotas allow", o.LeaderPartitions))
	}
	lp := float64(o.LeaderPartitions)
	o.Checks = []QuotaCheck{
		{Name: "cluster ingress", Demand: peakInMB, Limit: val(s.ClusterIngressMBps), Unit: "MB/s peak"},
		{Name: "cluster egress", Demand: peakOutMB, Limit: val(s.ClusterEgressMBps), Unit: "MB/s peak"},
		{Name: "partitions", Demand: lp, Limit: val(s.MaxPartitions), Unit: "leader partitions"},
		{Name: "partition ingress", Demand: peakInMB / lp, Limit: val(s.PartitionIngressMBps), Unit: "MB/s peak per partition (even spread)"},
		{Name: "partition egress", Demand: peakOutMB / lp, Limit: val(s.PartitionEgressMBps), Unit: "MB/s peak per partition (even spread)"},
	}
	o.Fits = true
	for i := range o.Checks {
		ch := &o.Checks[i]
		ch.OK = ch.Demand <= ch.Limit+1e-9
		ch.Demand = round6(ch.Demand)
		if !ch.OK {
			o.Fits = false
			o.Exceeded = append(o.Exceeded, ch.Name)
		}
	}
	d := discount(c)
	hours := val(c.Prices.HoursPerMonth)
	var total float64
	add := func(dst *float64, v float64) { v *= d; total += v; *dst = round2(v) }
	add(&o.Cost.ClusterHours, val(s.ClusterHourUSD)*hours)
	add(&o.Cost.PartitionHours, lp*val(s.PartitionHourUSD)*hours)
	add(&o.Cost.DataIn, MonthlyGiB(w.IngressMiBps, hours)*val(s.DataInPerGBUSD))
	add(&o.Cost.DataOut, MonthlyGiB(w.EgressMiBps, hours)*val(s.DataOutPerGBUSD))
	add(&o.Cost.Storage, RetainedGiB(w.IngressMiBps, w.Retention)*val(s.StoragePerGBMonthUSD))
	o.Cost.Total = round2(total)
	o.TotalMonthlyUSD = o.Cost.Total
	o.Notes = append(o.Notes, "Serverless accepts IAM authentication only; quotas and prices are provisional (third-party copies, verify)")
	return o
}

// Candidates returns the options a recommendation may pick: sized, priced
// and within the broker quota, cheapest first; on equal cost fewer brokers
// first, then catalogue order.
func (r *Result) Candidates() []Option {
	var out []Option
	for _, o := range r.Options {
		if o.Skipped == "" && o.Priced && o.WithinQuota {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Option) int {
		switch {
		case a.TotalMonthlyUSD < b.TotalMonthlyUSD:
			return -1
		case a.TotalMonthlyUSD > b.TotalMonthlyUSD:
			return 1
		}
		return a.Brokers - b.Brokers
	})
	return out
}

// TFVarsChoice is the option a Terraform skeleton of a provisioned cluster
// should describe: the recommended option (Standard or Express), or, when
// MSK Serverless is recommended, the cheapest provisioned candidate. ok is
// false when no provisioned option fits.
func (r *Result) TFVarsChoice() (Option, bool) {
	cands := r.Candidates()
	for _, o := range cands {
		if o.InstanceType == r.Recommendation.InstanceType {
			return o, true
		}
	}
	if len(cands) > 0 && r.Recommendation.InstanceType == "serverless" {
		return cands[0], true
	}
	return Option{}, false
}

func recommend(r *Result) Recommendation {
	w := r.Workload
	cands := r.Candidates()
	sl := r.Serverless
	var b strings.Builder
	load := fmt.Sprintf("%s MiB/s peak ingress and %s MiB/s peak egress", num(w.PeakIngressMiBps), num(w.PeakEgressMiBps))
	if sl.Fits && (len(cands) == 0 || sl.TotalMonthlyUSD < cands[0].TotalMonthlyUSD) {
		fmt.Fprintf(&b, "MSK Serverless carries %s within all of its quotas for %s/month", load, money(sl.TotalMonthlyUSD))
		if len(cands) > 0 {
			fmt.Fprintf(&b, ", less than the cheapest provisioned option (%d × %s, %s/month)", cands[0].Brokers, cands[0].InstanceType, money(cands[0].TotalMonthlyUSD))
		}
		b.WriteString(". It accepts IAM authentication only, and its quotas and prices in the catalogue are provisional: check them before committing.")
		return Recommendation{InstanceType: "serverless", TotalMonthlyUSD: sl.TotalMonthlyUSD, Reason: b.String()}
	}
	if len(cands) == 0 {
		fmt.Fprintf(&b, "No sized, priced option carries %s within %d brokers", load, w.MaxBrokers)
		if !sl.Fits {
			fmt.Fprintf(&b, ", and MSK Serverless exceeds its quotas (%s)", strings.Join(sl.Exceeded, ", "))
		}
		b.WriteString(". Split the workload over several clusters, raise the broker quota (--max-brokers) or allow a higher utilisation.")
		return Recommendation{Reason: b.String()}
	}
	best := cands[0]
	util := w.UtilizationStandard
	if best.Kind == KindExpress {
		util = w.UtilizationExpress
	}
	fmt.Fprintf(&b, "%d × %s is the cheapest option that carries %s at a %.0f%% utilisation target within %d brokers: %s/month",
		best.Brokers, best.InstanceType, load, util*100, w.MaxBrokers, money(best.TotalMonthlyUSD))
	if len(cands) > 1 {
		next := cands[1]
		if diff := next.TotalMonthlyUSD - best.TotalMonthlyUSD; diff >= 0.005 {
			fmt.Fprintf(&b, ", %s less than the next (%d × %s)", money(diff), next.Brokers, next.InstanceType)
		} else {
			fmt.Fprintf(&b, ", the same as %d × %s but with fewer brokers or earlier in the catalogue", next.Brokers, next.InstanceType)
		}
	}
	fmt.Fprintf(&b, ". Its broker count is set by %s", describeLimit(best))
	if c := best.Calibration; c != nil && c.Basis == CalibrationBroker && c.Binding != nil {
		fmt.Fprintf(&b, ", with its capacity extrapolated from the measured %s utilisation (%.1f%%), the resource that bound", c.Binding.Resource, c.Binding.Utilization*100)
	} else if c != nil {
		b.WriteString(", with its capacity taken from the measurement")
	}
	b.WriteString(". ")
	if sl.Fits {
		fmt.Fprintf(&b, "MSK Serverless would fit its quotas but costs %s/month. ", money(sl.TotalMonthlyUSD))
	} else {
		fmt.Fprintf(&b, "MSK Serverless does not fit (quotas exceeded: %s). ", strings.Join(sl.Exceeded, ", "))
	}
	if best.Calibration == nil {
		b.WriteString("These are model figures: confirm them with a benchmark on the chosen type (mskbench run, then mskbench size --from), and drain burst credits first on 4xlarge and smaller brokers.")
	} else {
		b.WriteString("A benchmark of a healthy cluster includes no failure or rebalancing headroom: the utilisation target is the only margin.")
	}
	return Recommendation{InstanceType: best.InstanceType, Brokers: best.Brokers, TotalMonthlyUSD: best.TotalMonthlyUSD, Reason: b.String()}
}

// describeLimit words the binding limit of o.
func describeLimit(o Option) string {
	for _, l := range o.Limits {
		if l.Name != o.BindingLimit {
			continue
		}
		switch l.Name {
		case LimitMinimum:
			return "the minimum of one broker per AZ (the workload is small for this type)"
		case LimitStorage:
			return fmt.Sprintf("storage (%.0f GiB over at most %d GiB per broker)", l.Demand, MaxEBSGiBPerBroker)
		case LimitPartitions:
			return fmt.Sprintf("partitions (%.0f partition replicas, %.0f per broker)", l.Demand, l.PerBroker)
		default:
			return fmt.Sprintf("%s (%s %s, %s per broker)", l.Name, num(l.Demand), l.Unit, num(l.PerBroker))
		}
	}
	return o.BindingLimit
}

// num formats a quantity for prose: 4 significant digits, no exponent.
func num(v float64) string {
	if math.Abs(v) >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
