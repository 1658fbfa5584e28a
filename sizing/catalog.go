package sizing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// catalogJSON is the embedded instance-type and price catalogue. It is read
// only: DefaultCatalog decodes a fresh copy on every call.
//
//go:embed catalog.json
var catalogJSON []byte

// CatalogSchemaVersion is the schema_version a catalogue file must carry.
const CatalogSchemaVersion = 1

// Instance kinds.
const (
	KindStandard = "standard" // MSK Provisioned with Standard brokers (EBS storage)
	KindExpress  = "express"  // MSK Provisioned with Express brokers
)

// Figure is one number of the catalogue with where it came from. In a
// catalogue file it is written either as an object
// {"value": 81, "source": "aws-msk-sizing-script", "date": "2026-06-23"} or,
// in override files, as a bare number (its source is then the file's name).
type Figure struct {
	// Value is the number, in the unit its field name states.
	Value float64 `json:"value"`
	// Source is a key of Catalog.Sources, or the name of the override file.
	Source string `json:"source"`
	// Date is when the source published (or was read for) the figure,
	// YYYY-MM or YYYY-MM-DD.
	Date string `json:"date,omitempty"`
	// Note qualifies the figure (unit conventions, provisional status).
	Note string `json:"note,omitempty"`
}

// UnmarshalJSON accepts a bare number or the object form; unknown keys in
// the object form are an error.
func (f *Figure) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("figure must be a number or {\"value\": ..., \"source\": ...}: %s", b)
		}
		*f = Figure{Value: v}
		return nil
	}
	type plain Figure
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*f = Figure(p)
	return nil
}

// Source describes one reference a catalogue figure cites.
type Source struct {
	// Title says what the reference is.
	Title string `json:"title"`
	// URL locates it, when it has one.
	URL string `json:"url,omitempty"`
	// Date is when the reference was published or read (YYYY-MM[-DD]).
	Date string `json:"date"`
}

// InstanceType is one MSK broker type. Throughputs are MiB/s per broker
// (2^20 bytes per second), as in AWS's sizing script; partition counts
// include leaders and followers (replicas). A nil figure is unknown: such a
// type cannot be sized on that dimension (kafka.t3.small has no published
// throughput) or priced.
type InstanceType struct {
	// Name is the MSK name, e.g. "kafka.m7g.xlarge" or "express.m7g.large".
	Name string `json:"name"`
	// Kind is KindStandard or KindExpress.
	Kind string `json:"kind"`

	// EBSThroughputMiBps is the highest EBS throughput a Standard broker
	// can provision (MiB/s); for types with provisioned storage throughput
	// it is also the PST cap.
	EBSThroughputMiBps *Figure `json:"ebs_throughput_mibps,omitempty"`
	// NetworkMiBps is the NIC bandwidth of a Standard broker (MiB/s).
	NetworkMiBps *Figure `json:"network_mibps,omitempty"`
	// ProvisionedThroughput reports whether the type supports provisioned
	// storage throughput (PST).
	ProvisionedThroughput bool `json:"provisioned_throughput,omitempty"`
	// NoKRaft marks a type that cannot be chosen with KRaft metadata mode
	// (so never on Kafka 4.x); NoTieredStorage one without tiered storage.
	// Both hold for kafka.t3.small (source "aws-msk-instance-restrictions").
	NoKRaft         bool `json:"no_kraft,omitempty"`
	NoTieredStorage bool `json:"no_tiered_storage,omitempty"`

	// IngressSustainedMiBps is an Express broker's sustained ingress quota (MiB/s).
	IngressSustainedMiBps *Figure `json:"ingress_sustained_mibps,omitempty"`
	// IngressMaxMiBps is an Express broker's maximum ingress (MiB/s); above
	// it MSK throttles producers.
	IngressMaxMiBps *Figure `json:"ingress_max_mibps,omitempty"`
	// EgressSustainedMiBps is an Express broker's sustained egress quota (MiB/s).
	EgressSustainedMiBps *Figure `json:"egress_sustained_mibps,omitempty"`
	// EgressMaxMiBps is an Express broker's maximum egress (MiB/s).
	EgressMaxMiBps *Figure `json:"egress_max_mibps,omitempty"`

	// PartitionsRecommended is the recommended partition replicas per broker.
	PartitionsRecommended *Figure `json:"partitions_recommended,omitempty"`
	// PartitionsMax is the hard limit of partition replicas per broker.
	PartitionsMax *Figure `json:"partitions_max,omitempty"`
	// PricePerHourUSD is the on-demand price of one broker (USD per hour).
	PricePerHourUSD *Figure `json:"price_per_hour_usd,omitempty"`
}

// Prices are the cluster-level prices of MSK Provisioned. GB means GiB
// (2^30 bytes), as AWS bills "GB-month" and as AWS's sizing script converts.
type Prices struct {
	// HoursPerMonth converts hourly prices to monthly (730).
	HoursPerMonth *Figure `json:"hours_per_month,omitempty"`
	// StoragePerGBMonthUSD is the EBS (primary) storage price, USD per GB-month.
	StoragePerGBMonthUSD *Figure `json:"storage_per_gb_month_usd,omitempty"`
	// TieredStoragePerGBMonthUSD is the tiered storage price, USD per GB-month.
	TieredStoragePerGBMonthUSD *Figure `json:"tiered_storage_per_gb_month_usd,omitempty"`
	// TieredStorageRetrievalPerGBUSD is the price of data read from the
	// tier, USD per GB retrieved (provisional in the embedded catalogue).
	TieredStorageRetrievalPerGBUSD *Figure `json:"tiered_storage_retrieval_per_gb_usd,omitempty"`
	// ProvisionedThroughputPerMiBpsMonthUSD is the PST price, USD per MiB/s-month per broker.
	ProvisionedThroughputPerMiBpsMonthUSD *Figure `json:"provisioned_throughput_per_mibps_month_usd,omitempty"`
	// ExpressDataInPerGBUSD is the Express data-written price, USD per GB.
	ExpressDataInPerGBUSD *Figure `json:"express_data_in_per_gb_usd,omitempty"`
	// CrossAZPerGBUSD is the price of client bytes crossing AZs, USD per GB
	// (both directions' charges together).
	CrossAZPerGBUSD *Figure `json:"cross_az_per_gb_usd,omitempty"`
}

// Serverless holds MSK Serverless quotas and prices. Throughput quotas are
// decimal MB/s (10^6 bytes per second) as AWS publishes them.
type Serverless struct {
	ClusterIngressMBps   *Figure `json:"cluster_ingress_mbps,omitempty"`     // MB/s per cluster
	ClusterEgressMBps    *Figure `json:"cluster_egress_mbps,omitempty"`      // MB/s per cluster
	PartitionIngressMBps *Figure `json:"partition_ingress_mbps,omitempty"`   // MB/s per leader partition
	PartitionEgressMBps  *Figure `json:"partition_egress_mbps,omitempty"`    // MB/s per leader partition
	MaxPartitions        *Figure `json:"max_partitions,omitempty"`           // leader partitions per cluster
	ClusterHourUSD       *Figure `json:"cluster_hour_usd,omitempty"`         // USD per cluster-hour
	PartitionHourUSD     *Figure `json:"partition_hour_usd,omitempty"`       // USD per partition-hour
	DataInPerGBUSD       *Figure `json:"data_in_per_gb_usd,omitempty"`       // USD per GB written
	DataOutPerGBUSD      *Figure `json:"data_out_per_gb_usd,omitempty"`      // USD per GB read
	StoragePerGBMonthUSD *Figure `json:"storage_per_gb_month_usd,omitempty"` // USD per GB-month retained
}

// Catalog is the instance-type and price catalogue: the embedded default
// (DefaultCatalog), optionally overridden or extended by a user file
// (Catalog.Override). A Catalog is plain data; it is not safe for
// concurrent modification.
type Catalog struct {
	// SchemaVersion is CatalogSchemaVersion.
	SchemaVersion int `json:"schema_version"`
	// Region is the AWS region the prices are for, e.g. "us-east-1".
	Region string `json:"region"`
	// Currency of every price ("USD").
	Currency string `json:"currency"`
	// DiscountPercent is a negotiated discount (0 ≤ d < 100) applied to
	// every cost dimension, as in AWS's sizing script.
	DiscountPercent float64 `json:"discount_percent"`
	// Sources are the references figures cite, by key.
	Sources map[string]Source `json:"sources"`
	// Prices are the cluster-level prices of MSK Provisioned.
	Prices Prices `json:"prices"`
	// Serverless holds MSK Serverless quotas and prices.
	Serverless Serverless `json:"serverless"`
	// InstanceTypes lists the broker types in display order.
	InstanceTypes []InstanceType `json:"instance_types"`
}

// DefaultCatalog decodes the embedded catalogue (us-east-1 prices). Each
// call returns a new copy the caller may modify.
func DefaultCatalog() (*Catalog, error) {
	var c Catalog
	if err := decodeStrict(catalogJSON, &c); err != nil {
		return nil, fmt.Errorf("embedded catalogue: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("embedded catalogue: %w", err)
	}
	return &c, nil
}

// Lookup returns the instance type called name.
func (c *Catalog) Lookup(name string) (InstanceType, bool) {
	for _, it := range c.InstanceTypes {
		if it.Name == name {
			return it, true
		}
	}
	return InstanceType{}, false
}

// override is the shape of a user catalogue file: every field optional.
type override struct {
	SchemaVersion   *int              `json:"schema_version"`
	Region          *string           `json:"region"`
	Currency        *string           `json:"currency"`
	DiscountPercent *float64          `json:"discount_percent"`
	Sources         map[string]Source `json:"sources"`
	Prices          *Prices           `json:"prices"`
	Serverless      *Serverless       `json:"serverless"`
	InstanceTypes   []InstanceType    `json:"instance_types"`
}

// Override returns a copy of c with the settings of a user catalogue file
// applied: top-level fields replace c's; each figure given under prices,
// serverless or an existing instance type replaces that figure; an
// instance type c does not know is added (it must state its kind and enough
// figures to be sized). Figures written as bare numbers get name as their
// source. Unknown fields, bad values and an unsupported schema_version are
// errors naming the file.
func (c *Catalog) Override(data []byte, name string) (*Catalog, error) {
	var o override
	if err := decodeStrict(data, &o); err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", name, err)
	}
	if o.SchemaVersion != nil && *o.SchemaVersion != CatalogSchemaVersion {
		return nil, fmt.Errorf("catalogue %s: schema_version %d not supported (want %d)", name, *o.SchemaVersion, CatalogSchemaVersion)
	}
	out := c.clone()
	if o.Region != nil {
		out.Region = *o.Region
	}
	if o.Currency != nil {
		out.Currency = *o.Currency
	}
	if o.DiscountPercent != nil {
		out.DiscountPercent = *o.DiscountPercent
	}
	for k, s := range o.Sources {
		out.Sources[k] = s
	}
	if o.Prices != nil {
		mergeFigures(&out.Prices, o.Prices, name)
	}
	if o.Serverless != nil {
		mergeFigures(&out.Serverless, o.Serverless, name)
	}
	for i, it := range o.InstanceTypes {
		if it.Name == "" {
			return nil, fmt.Errorf("catalogue %s: instance_types[%d]: missing name", name, i)
		}
		idx := -1
		for j := range out.InstanceTypes {
			if out.InstanceTypes[j].Name == it.Name {
				idx = j
			}
		}
		if idx < 0 {
			if it.Kind == "" {
				return nil, fmt.Errorf("catalogue %s: instance type %q is not in the built-in catalogue: give its kind (%q or %q) and its figures", name, it.Name, KindStandard, KindExpress)
			}
			stampSources(&it, name)
			out.InstanceTypes = append(out.InstanceTypes, it)
			continue
		}
		base := &out.InstanceTypes[idx]
		if it.Kind != "" && it.Kind != base.Kind {
			return nil, fmt.Errorf("catalogue %s: instance type %q: kind %q conflicts with the built-in %q", name, it.Name, it.Kind, base.Kind)
		}
		it.Kind = base.Kind
		if !it.ProvisionedThroughput {
			it.ProvisionedThroughput = base.ProvisionedThroughput
		}
		it.NoKRaft = it.NoKRaft || base.NoKRaft
		it.NoTieredStorage = it.NoTieredStorage || base.NoTieredStorage
		mergeFigures(base, &it, name)
		base.ProvisionedThroughput = it.ProvisionedThroughput
		base.NoKRaft, base.NoTieredStorage = it.NoKRaft, it.NoTieredStorage
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", name, err)
	}
	return out, nil
}

// Validate reports every problem of the catalogue at once.
func (c *Catalog) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.DiscountPercent < 0 || c.DiscountPercent >= 100 || math.IsNaN(c.DiscountPercent) {
		bad("discount_percent %v must be ≥ 0 and < 100", c.DiscountPercent)
	}
	checkFig := func(where string, f *Figure, required, positive bool) {
		if f == nil {
			if required {
				bad("%s: missing", where)
			}
			return
		}
		switch {
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			bad("%s: %v is not a number", where, f.Value)
		case f.Value < 0:
			bad("%s: %v is negative", where, f.Value)
		case positive && f.Value == 0:
			bad("%s: must be > 0", where)
		}
	}
	checkFig("prices.hours_per_month", c.Prices.HoursPerMonth, true, true)
	checkFig("prices.storage_per_gb_month_usd", c.Prices.StoragePerGBMonthUSD, true, false)
	checkFig("prices.tiered_storage_per_gb_month_usd", c.Prices.TieredStoragePerGBMonthUSD, true, false)
	checkFig("prices.tiered_storage_retrieval_per_gb_usd", c.Prices.TieredStorageRetrievalPerGBUSD, true, false)
	checkFig("prices.provisioned_throughput_per_mibps_month_usd", c.Prices.ProvisionedThroughputPerMiBpsMonthUSD, true, false)
	checkFig("prices.express_data_in_per_gb_usd", c.Prices.ExpressDataInPerGBUSD, true, false)
	checkFig("prices.cross_az_per_gb_usd", c.Prices.CrossAZPerGBUSD, true, false)
	s := c.Serverless
	checkFig("serverless.cluster_ingress_mbps", s.ClusterIngressMBps, true, true)
	checkFig("serverless.cluster_egress_mbps", s.ClusterEgressMBps, true, true)
	checkFig("serverless.partition_ingress_mbps", s.PartitionIngressMBps, true, true)
	checkFig("serverless.partition_egress_mbps", s.PartitionEgressMBps, true, true)
	checkFig("serverless.max_partitions", s.MaxPartitions, true, true)
	checkFig("serverless.cluster_hour_usd", s.ClusterHourUSD, true, false)
	checkFig("serverless.partition_hour_usd", s.PartitionHourUSD, true, false)
	checkFig("serverless.data_in_per_gb_usd", s.DataInPerGBUSD, true, false)
	checkFig("serverless.data_out_per_gb_usd", s.DataOutPerGBUSD, true, false)
	checkFig("serverless.storage_per_gb_month_usd", s.StoragePerGBMonthUSD, true, false)
	seen := map[string]bool{}
	for _, it := range c.InstanceTypes {
		w := "instance type " + it.Name
		if seen[it.Name] {
			bad("%s: listed twice", w)
		}
		seen[it.Name] = true
		checkFig(w+": partitions_recommended", it.PartitionsRecommended, true, true)
		checkFig(w+": partitions_max", it.PartitionsMax, true, true)
		checkFig(w+": price_per_hour_usd", it.PricePerHourUSD, false, false)
		if it.PartitionsRecommended != nil && it.PartitionsMax != nil && it.PartitionsRecommended.Value > it.PartitionsMax.Value {
			bad("%s: partitions_recommended %g is above partitions_max %g", w, it.PartitionsRecommended.Value, it.PartitionsMax.Value)
		}
		switch it.Kind {
		case KindStandard:
			checkFig(w+": ebs_throughput_mibps", it.EBSThroughputMiBps, false, true)
			checkFig(w+": network_mibps", it.NetworkMiBps, false, true)
			if (it.EBSThroughputMiBps == nil) != (it.NetworkMiBps == nil) {
				bad("%s: give both ebs_throughput_mibps and network_mibps, or neither", w)
			}
			for _, f := range []*Figure{it.IngressSustainedMiBps, it.IngressMaxMiBps, it.EgressSustainedMiBps, it.EgressMaxMiBps} {
				if f != nil {
					bad("%s: ingress/egress quotas are for Express brokers; a Standard broker takes ebs_throughput_mibps and network_mibps", w)
					break
				}
			}
		case KindExpress:
			checkFig(w+": ingress_sustained_mibps", it.IngressSustainedMiBps, true, true)
			checkFig(w+": egress_sustained_mibps", it.EgressSustainedMiBps, true, true)
			checkFig(w+": ingress_max_mibps", it.IngressMaxMiBps, false, true)
			checkFig(w+": egress_max_mibps", it.EgressMaxMiBps, false, true)
			if it.EBSThroughputMiBps != nil || it.NetworkMiBps != nil {
				bad("%s: Express brokers take ingress/egress quotas, not ebs_throughput_mibps or network_mibps", w)
			}
		default:
			bad("%s: kind %q, want %q or %q", w, it.Kind, KindStandard, KindExpress)
		}
	}
	return errors.Join(errs...)
}

// decodeStrict decodes one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// describeJSONError adds a line number to JSON syntax and type errors.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return fmt.Errorf("line %d: %w", line, err)
}

// clone deep-copies c (figures are values behind pointers).
func (c *Catalog) clone() *Catalog {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("sizing: clone catalogue: %v", err)) // plain data always marshals
	}
	var out Catalog
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("sizing: clone catalogue: %v", err))
	}
	if out.Sources == nil {
		out.Sources = map[string]Source{}
	}
	return &out
}

// figureFields lists the addresses of the *Figure fields of the structs
// that hold figures.
func figureFields(v any) []**Figure {
	switch x := v.(type) {
	case *Prices:
		return []**Figure{&x.HoursPerMonth, &x.StoragePerGBMonthUSD, &x.TieredStoragePerGBMonthUSD, &x.TieredStorageRetrievalPerGBUSD,
			&x.ProvisionedThroughputPerMiBpsMonthUSD, &x.ExpressDataInPerGBUSD, &x.CrossAZPerGBUSD}
	case *Serverless:
		return []**Figure{&x.ClusterIngressMBps, &x.ClusterEgressMBps, &x.PartitionIngressMBps,
			&x.PartitionEgressMBps, &x.MaxPartitions, &x.ClusterHourUSD, &x.PartitionHourUSD,
			&x.DataInPerGBUSD, &x.DataOutPerGBUSD, &x.StoragePerGBMonthUSD}
	case *InstanceType:
		return []**Figure{&x.EBSThroughputMiBps, &x.NetworkMiBps, &x.IngressSustainedMiBps,
			&x.IngressMaxMiBps, &x.EgressSustainedMiBps, &x.EgressMaxMiBps,
			&x.PartitionsRecommended, &x.PartitionsMax, &x.PricePerHourUSD}
	}
	panic(fmt.Sprintf("sizing: figureFields(%T)", v))
}

// mergeFigures copies every non-nil figure of src into dst (same type),
// giving figures without a source the source name.
func mergeFigures[T any](dst, src *T, name string) {
	d, s := figureFields(dst), figureFields(src)
	for i := range s {
		if *s[i] == nil {
			continue
		}
		f := **s[i]
		if f.Source == "" {
			f.Source = name
		}
		*d[i] = &f
	}
}

// stampSources gives every figure of it without a source the source name.
func stampSources(it *InstanceType, name string) {
	for _, p := range figureFields(it) {
		if *p != nil && (*p).Source == "" {
			(*p).Source = name
		}
	}
}
