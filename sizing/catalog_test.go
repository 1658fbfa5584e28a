package sizing

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultCatalog(t *testing.T) {
	c := defaultCatalog(t)
	counts := map[string]int{}
	for _, it := range c.InstanceTypes {
		counts[it.Kind]++
		for _, f := range figureFields(&it) {
			if *f == nil {
				continue
			}
			if (*f).Source == "" || (*f).Date == "" {
				t.Errorf("%s: figure %v has no source or date", it.Name, **f)
			}
			if _, ok := c.Sources[(*f).Source]; !ok {
				t.Errorf("%s: source %q is not listed under sources", it.Name, (*f).Source)
			}
		}
	}
	// 8 m5 + 7 m7g + t3.small; 7 Express.
	if counts[KindStandard] != 16 || counts[KindExpress] != 7 {
		t.Errorf("kinds %v, want 16 standard and 7 express", counts)
	}
	for _, v := range []any{&c.Prices, &c.Serverless} {
		for _, f := range figureFields(v) {
			if *f == nil || (*f).Source == "" || (*f).Date == "" {
				t.Errorf("%T: figure without source or date: %v", v, *f)
			}
		}
	}
	it, ok := c.Lookup("kafka.m5.large")
	if !ok || it.EBSThroughputMiBps.Value != 81 || it.NetworkMiBps.Value != 96 || it.PricePerHourUSD.Value != 0.21 {
		t.Errorf("kafka.m5.large = %+v", it)
	}
	// Each call returns its own copy.
	c.InstanceTypes[0].Name = "changed"
	if again := defaultCatalog(t); again.InstanceTypes[0].Name == "changed" {
		t.Error("DefaultCatalog shares state between calls")
	}
}

func TestOverride(t *testing.T) {
	c := defaultCatalog(t)
	o, err := c.Override([]byte(`{
		"region": "eu-west-1",
		"discount_percent": 20,
		"prices": {"storage_per_gb_month_usd": 0.11},
		"instance_types": [
			{"name": "kafka.m5.large", "price_per_hour_usd": 0.23},
			{"name": "kafka.t3.small", "ebs_throughput_mibps": 20, "network_mibps": 30, "price_per_hour_usd": {"value": 0.05, "source": "quote-2026", "date": "2026-11"}},
			{"name": "kafka.m7i.large", "kind": "standard", "ebs_throughput_mibps": 80, "network_mibps": 120,
			 "partitions_recommended": 1000, "partitions_max": 1500, "price_per_hour_usd": 0.2}
		]}`), "eu.json")
	if err != nil {
		t.Fatal(err)
	}
	if o.Region != "eu-west-1" || o.DiscountPercent != 20 || o.Prices.StoragePerGBMonthUSD.Value != 0.11 {
		t.Errorf("top level not overridden: %s %v %v", o.Region, o.DiscountPercent, o.Prices.StoragePerGBMonthUSD)
	}
	m5, _ := o.Lookup("kafka.m5.large")
	if m5.PricePerHourUSD.Value != 0.23 || m5.PricePerHourUSD.Source != "eu.json" || m5.EBSThroughputMiBps.Value != 81 {
		t.Errorf("kafka.m5.large after override: price %v, ebs %v", m5.PricePerHourUSD, m5.EBSThroughputMiBps)
	}
	t3, _ := o.Lookup("kafka.t3.small")
	if t3.PricePerHourUSD.Source != "quote-2026" || t3.NetworkMiBps.Value != 30 {
		t.Errorf("kafka.t3.small after override: %+v", t3)
	}
	if _, ok := o.Lookup("kafka.m7i.large"); !ok {
		t.Error("new type not added")
	}
	if base, _ := c.Lookup("kafka.m5.large"); base.PricePerHourUSD.Value != 0.21 {
		t.Error("Override changed the base catalogue")
	}
	// The discount applies to every dimension: 20% off $18008.69.
	r, err := Plan(o, Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour,
		InstanceTypes: []string{"kafka.m7g.xlarge", "kafka.t3.small"}})
	if err != nil {
		t.Fatal(err)
	}
	// storage at $0.11: 50625 × 0.11 = 5568.75; total (2680.56 + 5568.75 + 10265.625) × 0.8.
	want := round2((2680.56 + 5568.75 + 10265.625) * 0.8)
	if got := r.Options[0].TotalMonthlyUSD; got != want {
		t.Errorf("discounted total = %v, want %v", got, want)
	}
	if r.Options[1].Skipped != "" || r.Options[1].Brokers == 0 {
		t.Errorf("kafka.t3.small with figures was not sized: %+v", r.Options[1])
	}
}

func TestOverrideErrors(t *testing.T) {
	c := defaultCatalog(t)
	tests := []struct {
		name, data, want string
	}{
		{"unknown top-level field", `{"regoin": "x"}`, "regoin"},
		{"unknown instance field", `{"instance_types": [{"name": "kafka.m5.large", "ebs_mbps": 1}]}`, "ebs_mbps"},
		{"unknown figure field", `{"instance_types": [{"name": "kafka.m5.large", "network_mibps": {"value": 1, "sauce": "x"}}]}`, "sauce"},
		{"negative price", `{"instance_types": [{"name": "kafka.m5.large", "price_per_hour_usd": -1}]}`, "negative"},
		{"zero throughput", `{"instance_types": [{"name": "kafka.m5.large", "ebs_throughput_mibps": 0}]}`, "must be > 0"},
		{"string figure", `{"instance_types": [{"name": "kafka.m5.large", "network_mibps": "fast"}]}`, "number"},
		{"unknown type without kind", `{"instance_types": [{"name": "kafka.m9.large"}]}`, "not in the built-in catalogue"},
		{"bad kind", `{"instance_types": [{"name": "kafka.m9.large", "kind": "turbo", "partitions_recommended": 1, "partitions_max": 1}]}`, "kind"},
		{"new type missing figures", `{"instance_types": [{"name": "kafka.m9.large", "kind": "express"}]}`, "ingress_sustained_mibps: missing"},
		{"express figures on standard", `{"instance_types": [{"name": "kafka.m5.large", "ingress_sustained_mibps": 5}]}`, "Express"},
		{"discount", `{"discount_percent": 100}`, "discount_percent"},
		{"partitions", `{"instance_types": [{"name": "kafka.m5.large", "partitions_recommended": 2000}]}`, "above partitions_max"},
		{"schema", `{"schema_version": 2}`, "schema_version 2"},
		{"syntax", "{\n\"region\": }", "line 2"},
		{"trailing", `{} {}`, "after the JSON"},
	}
	for _, tt := range tests {
		_, err := c.Override([]byte(tt.data), "f.json")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("%s: error %v, want one naming f.json and mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestParseThroughput(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"100MiB/s", 100},
		{"100 MiB/s", 100},
		{"1GiB/s", 1024},
		{"512KiB/s", 0.5},
		{"100MB/s", 100e6 / (1 << 20)}, // 95.367 MiB/s
		{"1.5mib/s", 1.5},
		{"0MiB/s", 0},
	}
	for _, tt := range tests {
		got, err := ParseThroughput(tt.in)
		if err != nil || !near(got, tt.want, 1e-9) {
			t.Errorf("ParseThroughput(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"100", "100MiB", "-5MiB/s", "fastMiB/s", "100 furlongs/s", "NaNMiB/s", ""} {
		if _, err := ParseThroughput(bad); err == nil {
			t.Errorf("ParseThroughput(%q): no error", bad)
		}
	}
}

func TestParseRetention(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"24h", 24 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"90m", 90 * time.Minute},
	}
	for _, tt := range tests {
		got, err := ParseRetention(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"0h", "-1d", "week", "7", ""} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q): no error", bad)
		}
	}
}

func TestTFVars(t *testing.T) {
	r, err := Plan(defaultCatalog(t), Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3,
		Retention: 24 * time.Hour, InstanceTypes: []string{"kafka.m7g.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := TFVars(r, "orders", "3.6.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`name                 = "orders"`,
		`kafka_version        = "3.6.0"`,
		"brokers              = 9\n",
		`broker_instance_type = "kafka.m7g.xlarge"`,
		"ebs_gb               = 5625\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("tfvars lack %q:\n%s", want, b)
		}
	}
	for _, bad := range [][2]string{{"", "3.6.0"}, {"9lives", "3.6.0"}, {"a b", "3.6.0"}, {`x"y`, "3.6.0"}, {"ok", "three"}, {"ok", "3"}} {
		if _, err := TFVars(r, bad[0], bad[1]); err == nil {
			t.Errorf("TFVars(%q, %q): no error", bad[0], bad[1])
		}
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[float64]string{0: "$0.00", 5.5: "$5.50", 1234.5: "$1,234.50", 18008.69: "$18,008.69", 1234567: "$1,234,567.00"} {
		if got := money(in); got != want {
			t.Errorf("money(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestKRaftVersionAndDefaultName(t *testing.T) {
	for v, want := range map[string]bool{"3.8.x": false, "3.6.0": false, "3.9.x.kraft": true, "4.0.x": true, "4.1.x": true, "2.8.2.tiered": false} {
		if got := KRaftVersion(v); got != want {
			t.Errorf("KRaftVersion(%q) = %t, want %t", v, got, want)
		}
	}
	for _, tt := range []struct {
		base string
		peak float64
		want string
	}{
		{"fixed-rate-latency", 10, "fixed-rate-latency"},
		{"My Bench_2026", 10, "my-bench-2026"},
		{"42", 12.5, "msk-12-5mibps"},
		{"", 100, "msk-100mibps"},
		{"--", 100, "msk-100mibps"},
	} {
		got := DefaultClusterName(tt.base, tt.peak)
		if got != tt.want || !validClusterName(got) {
			t.Errorf("DefaultClusterName(%q, %v) = %q, want %q (a valid name)", tt.base, tt.peak, got, tt.want)
		}
	}
	if !validKafkaVersion("3.9.x.kraft") {
		t.Error("3.9.x.kraft rejected")
	}
}
