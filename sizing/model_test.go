package sizing

import (
	"math"
	"strings"
	"testing"
	"time"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStorageFactor(t *testing.T) {
	// 1.5 ingress + 1.5 replication-in + 0.5 lagging + 3.0 rebalancing = 6.5;
	// tiered storage adds 1.5 staging writes → 8.0.
	if got := StorageFactor(false); got != 6.5 {
		t.Errorf("StorageFactor(false) = %v, want 6.5", got)
	}
	if got := StorageFactor(true); got != 8.0 {
		t.Errorf("StorageFactor(true) = %v, want 8.0", got)
	}
}

func TestNetworkFactor(t *testing.T) {
	tests := []struct {
		fanOut float64
		azs    int
		tiered bool
		want   float64
	}{
		{1, 3, false, 7.2},    // 5.7 + 1 × 3/2
		{2, 3, false, 8.7},    // 5.7 + 2 × 3/2
		{2, 3, true, 10.2},    // 5.7 + 1.5 + 2 × 3/2
		{1, 2, false, 7.7},    // 5.7 + 1 × 2/1
		{0, 3, false, 5.7},    // no consumers
		{0.5, 3, false, 6.45}, // 5.7 + 0.5 × 1.5
	}
	for _, tt := range tests {
		if got := NetworkFactor(tt.fanOut, tt.azs, tt.tiered); !near(got, tt.want, 1e-9) {
			t.Errorf("NetworkFactor(%v, %d, %v) = %v, want %v", tt.fanOut, tt.azs, tt.tiered, got, tt.want)
		}
	}
}

func TestStandardIngressMiBps(t *testing.T) {
	tests := []struct {
		name      string
		ebs, nic  float64
		fanOut    float64
		tiered    bool
		want      float64
		wantBound string
	}{
		// m7g.xlarge, fan-out 2: min(156.25/6.5 = 24.038, 234/8.7 = 26.897) → EBS binds.
		{"m7g.xlarge fan-out 2", 156.25, 234, 2, false, 156.25 / 6.5, "ebs"},
		// m5.large, fan-out 2: min(81/6.5 = 12.46, 96/8.7 = 11.03) → NIC binds.
		{"m5.large fan-out 2", 81, 96, 2, false, 96 / 8.7, "nic"},
		// m7g.16xlarge, fan-out 1: min(1000/6.5 = 153.8, 3750/7.2 = 520.8); AWS docs quote 153.8 MBps.
		{"m7g.16xlarge fan-out 1", 1000, 3750, 1, false, 1000 / 6.5, "ebs"},
		// tiered: m7g.xlarge, fan-out 1: min(156.25/8 = 19.53, 234/8.7 = 26.9).
		{"m7g.xlarge tiered", 156.25, 234, 1, true, 156.25 / 8, "ebs"},
	}
	for _, tt := range tests {
		got := StandardIngressMiBps(tt.ebs, tt.nic, tt.fanOut, 3, tt.tiered)
		if !near(got, tt.want, 1e-9) {
			t.Errorf("%s: got %v, want %v (%s bound)", tt.name, got, tt.want, tt.wantBound)
		}
	}
}

func TestBrokersFor(t *testing.T) {
	tests := []struct {
		demand, perBroker float64
		azs               int
		want              int
	}{
		{100, 100.0 / 8.32, 3, 9}, // ⌈8.32⌉ = 9, already a multiple of 3
		{100, 12.019, 3, 9},       // worked example
		{100, 25, 3, 6},           // 4 → 6
		{100, 25, 2, 4},           // 4 → 4
		{1, 1000, 3, 3},           // 1 → 3
		{0, 10, 3, 0},             // nothing to carry
		{50625, 16384, 3, 6},      // storage of the worked example: ⌈3.09⌉ = 4 → 6
		{30, 10, 3, 3},            // exactly 3
	}
	for _, tt := range tests {
		if got := BrokersFor(tt.demand, tt.perBroker, tt.azs); got != tt.want {
			t.Errorf("BrokersFor(%v, %v, %d) = %d, want %d", tt.demand, tt.perBroker, tt.azs, got, tt.want)
		}
	}
}

func TestStorage(t *testing.T) {
	// 100 MiB/s × 86400 s × RF 3 / 1024 × 2.0 = 50625 GiB.
	if got := PrimaryStorageGiB(100, 24*time.Hour, 3); !near(got, 50625, 1e-9) {
		t.Errorf("PrimaryStorageGiB = %v, want 50625", got)
	}
	// (7 d − 1 d) × 100 MiB/s / 1024 = 518400 × 100 / 1024 = 50625 GiB (one copy).
	if got := TieredStorageGiB(100, 7*24*time.Hour, 24*time.Hour); !near(got, 50625, 1e-9) {
		t.Errorf("TieredStorageGiB = %v, want 50625", got)
	}
	if got := TieredStorageGiB(100, 24*time.Hour, 24*time.Hour); got != 0 {
		t.Errorf("TieredStorageGiB without tiering = %v, want 0", got)
	}
	// 100 MiB/s × 86400 / 1024 = 8437.5 GiB.
	if got := RetainedGiB(100, 24*time.Hour); !near(got, 8437.5, 1e-9) {
		t.Errorf("RetainedGiB = %v, want 8437.5", got)
	}
	// 1 MiB/s × 3600 × 730 / 1024 = 2566.40625 GiB.
	if got := MonthlyGiB(1, 730); !near(got, 2566.40625, 1e-9) {
		t.Errorf("MonthlyGiB = %v, want 2566.40625", got)
	}
}

func TestCrossAZMiBps(t *testing.T) {
	// (100 + 200) × 2/3 = 200 without rack awareness; 100 × 2/3 with it.
	if got := CrossAZMiBps(100, 200, 3, false); !near(got, 200, 1e-9) {
		t.Errorf("not rack-aware: got %v, want 200", got)
	}
	if got := CrossAZMiBps(100, 200, 3, true); !near(got, 200.0/3, 1e-9) {
		t.Errorf("rack-aware: got %v, want 66.67", got)
	}
	// 2 AZs: half of each crosses.
	if got := CrossAZMiBps(100, 200, 2, false); !near(got, 150, 1e-9) {
		t.Errorf("2 AZs: got %v, want 150", got)
	}
}

// TestWorkedExample reproduces the worked example of the package comment
// and docs/sizing.md.
func TestWorkedExample(t *testing.T) {
	r, err := Plan(defaultCatalog(t), Workload{
		IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour,
		InstanceTypes: []string{"kafka.m7g.xlarge"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Options) != 1 {
		t.Fatalf("got %d options, want 1", len(r.Options))
	}
	o := r.Options[0]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"fan-out", r.FanOut, 2},
		{"network factor", r.NetworkFactor, 8.7},
		{"capacity", o.CapacityMiBps, 24.038461538},
		{"ingress per broker", o.IngressPerBrokerMiBps, 12.019230769},
		{"brokers", float64(o.Brokers), 9},
		{"primary storage", r.PrimaryStorageGiB, 50625},
		{"storage per broker", o.StoragePerBrokerGiB, 5625},
		{"broker-hours", o.Cost.BrokerHours, 2680.56},
		{"storage", o.Cost.Storage, 5062.50},
		{"cross-AZ", o.Cost.CrossAZ, 10265.63},
		{"total", o.TotalMonthlyUSD, 18008.69},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-6) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if o.BindingLimit != LimitIngress {
		t.Errorf("binding limit = %q, want ingress", o.BindingLimit)
	}
	if o.EBSVolumeGiB != 5625 {
		t.Errorf("EBS volume = %d GiB, want 5625", o.EBSVolumeGiB)
	}
}

// TestCrossCheckStandard checks every Standard instance type of the
// embedded catalogue at fan-out 1 and 2 against the published formula:
// per-broker ingress = min(ebs / 6.5, nic / (5.7 + 1.5 · fan-out)) × 0.5,
// and broker counts are multiples of 3.
func TestCrossCheckStandard(t *testing.T) {
	c := defaultCatalog(t)
	n := 0
	for _, it := range c.InstanceTypes {
		if it.Kind != KindStandard || it.EBSThroughputMiBps == nil {
			continue
		}
		for _, fanOut := range []int{1, 2} {
			r, err := Plan(c, Workload{IngressMiBps: 500, ConsumerGroups: fanOut, ReplicationFactor: 3,
				Retention: 24 * time.Hour, Partitions: 4000, InstanceTypes: []string{it.Name}})
			if err != nil {
				t.Fatal(err)
			}
			o := r.Options[0]
			ebs, nic := it.EBSThroughputMiBps.Value, it.NetworkMiBps.Value
			want := math.Min(ebs/6.5, nic/(5.7+1.5*float64(fanOut))) * 0.5
			if !near(o.IngressPerBrokerMiBps, want, 1e-6) {
				t.Errorf("%s fan-out %d: per-broker ingress %v, want %v", it.Name, fanOut, o.IngressPerBrokerMiBps, want)
			}
			if o.Brokers%3 != 0 || o.Brokers < 3 {
				t.Errorf("%s fan-out %d: %d brokers, not a positive multiple of 3", it.Name, fanOut, o.Brokers)
			}
			if min := int(math.Ceil(500 / want)); o.Brokers < min {
				t.Errorf("%s fan-out %d: %d brokers cannot carry 500 MiB/s at %v each", it.Name, fanOut, o.Brokers, want)
			}
			n++
		}
	}
	if n != 2*15 {
		t.Errorf("checked %d cases, want 30 (15 Standard types with figures × 2)", n)
	}
}

func TestPlanExpress(t *testing.T) {
	// express.m7g.large: 15.625 MiB/s sustained × 0.75 = 11.72 MiB/s;
	// 100 / 11.72 = 8.53 → 9 brokers; egress 31.2 × 0.75 = 23.4 → 200/23.4 = 8.55 → 9.
	r, err := Plan(defaultCatalog(t), Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3,
		Retention: 24 * time.Hour, InstanceTypes: []string{"express.m7g.large"}})
	if err != nil {
		t.Fatal(err)
	}
	o := r.Options[0]
	if !near(o.IngressPerBrokerMiBps, 11.71875, 1e-9) || o.Brokers != 9 {
		t.Errorf("got %v MiB/s per broker and %d brokers, want 11.71875 and 9", o.IngressPerBrokerMiBps, o.Brokers)
	}
	// Data in: 100 MiB/s → 256640.625 GiB/month × $0.01 = $2566.41.
	if o.Cost.ExpressDataIn != 2566.41 {
		t.Errorf("Express data in = %v, want 2566.41", o.Cost.ExpressDataIn)
	}
	// Storage: one copy of 24 h = 8437.5 GiB × $0.10 = $843.75.
	if o.Cost.Storage != 843.75 {
		t.Errorf("Express storage = %v, want 843.75", o.Cost.Storage)
	}
}

func TestPlanServerless(t *testing.T) {
	tests := []struct {
		name       string
		w          Workload
		fits       bool
		exceeded   string
		partitions int
	}{
		// 10 MiB/s = 10.49 MB/s: 3 partitions at 5 MB/s each.
		{"small", Workload{IngressMiBps: 10, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 24 * time.Hour}, true, "", 3},
		// 300 MiB/s = 314.6 MB/s > 200 MB/s.
		{"too much ingress", Workload{IngressMiBps: 300, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 24 * time.Hour}, false, "cluster ingress", 63},
		// 9000 replicas / RF 3 = 3000 leaders > 2400.
		{"too many partitions", Workload{IngressMiBps: 10, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 24 * time.Hour, Partitions: 9000}, false, "partitions", 3000},
		// 60 MiB/s = 62.9 MB/s over 3 leaders = 21 MB/s per partition > 5.
		{"hot partitions", Workload{IngressMiBps: 60, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 24 * time.Hour, Partitions: 9}, false, "partition ingress", 3},
	}
	for _, tt := range tests {
		r, err := Plan(defaultCatalog(t), tt.w)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		s := r.Serverless
		if s.Fits != tt.fits || s.LeaderPartitions != tt.partitions {
			t.Errorf("%s: fits=%v partitions=%d, want %v %d", tt.name, s.Fits, s.LeaderPartitions, tt.fits, tt.partitions)
		}
		if tt.exceeded != "" && !strings.Contains(strings.Join(s.Exceeded, ","), tt.exceeded) {
			t.Errorf("%s: exceeded %v, want %q among them", tt.name, s.Exceeded, tt.exceeded)
		}
	}
}

func TestPlanBindingLimits(t *testing.T) {
	c := defaultCatalog(t)
	tests := []struct {
		name string
		w    Workload
		it   string
		want string
		n    int
	}{
		// 12000 replicas / 1000 recommended = 12 brokers; ingress needs 3.
		{"partitions", Workload{IngressMiBps: 10, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 24 * time.Hour, Partitions: 12000}, "kafka.m7g.xlarge", LimitPartitions, 12},
		// 20 MiB/s × 30 d × 3 × 2 / 1024 = 303750 GiB / 16384 = 18.5 → 21; ingress needs 3.
		{"storage", Workload{IngressMiBps: 20, ConsumerGroups: 1, ReplicationFactor: 3, Retention: 30 * 24 * time.Hour}, "kafka.m7g.4xlarge", LimitStorage, 21},
		// 1 MiB/s needs one broker, rounded up to 3; ingress is named on a tie with the minimum (as AWS's script does).
		{"tiny", Workload{IngressMiBps: 1, ConsumerGroups: 1, ReplicationFactor: 3, Retention: time.Hour}, "kafka.m5.large", LimitIngress, 3},
		// RF 4 on 3 AZs needs at least 4 brokers → 6.
		{"rf above azs", Workload{IngressMiBps: 1, ConsumerGroups: 1, ReplicationFactor: 4, Retention: time.Hour}, "kafka.m5.large", LimitMinimum, 6},
	}
	for _, tt := range tests {
		tt.w.InstanceTypes = []string{tt.it}
		r, err := Plan(c, tt.w)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		o := r.Options[0]
		if o.BindingLimit != tt.want || o.Brokers != tt.n {
			t.Errorf("%s: %d brokers, %s binds; want %d, %s", tt.name, o.Brokers, o.BindingLimit, tt.n, tt.want)
		}
	}
}

func TestPlanCalibration(t *testing.T) {
	c := defaultCatalog(t)
	// Measured 120 MiB/s on 3 × m7g.xlarge = 40 MiB/s per broker vs model
	// 156.25/6.5 = 24.04 (fan-out 2): +66.4%. At 0.5: 20 MiB/s per broker → 100/20 = 5 → 6 brokers.
	m := &Measurement{InstanceType: "kafka.m7g.xlarge", Brokers: 3, IngressMiBps: 120, Source: "r.json"}
	r, err := Plan(c, Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour,
		Measurement: m, InstanceTypes: []string{"kafka.m7g.xlarge", "kafka.m5.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	o := r.Options[1]
	if o.InstanceType != "kafka.m7g.xlarge" || o.Calibration == nil {
		t.Fatalf("option %s has no calibration", o.InstanceType)
	}
	if !near(o.Calibration.DifferencePercent, (40-156.25/6.5)/(156.25/6.5)*100, 1e-9) || o.Brokers != 6 || o.IngressPerBrokerMiBps != 20 {
		t.Errorf("calibrated: %+v, %d brokers, %v MiB/s", o.Calibration, o.Brokers, o.IngressPerBrokerMiBps)
	}
	// The measured type is sized even when the filter leaves it out.
	r2, err := Plan(c, Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour,
		Measurement: m, InstanceTypes: []string{"kafka.m5.xlarge"}})
	if err != nil || len(r2.Options) != 2 || r2.Options[1].Calibration == nil {
		t.Errorf("measured type not added to the filter: %v", err)
	}
	if r.Options[0].Calibration != nil {
		t.Errorf("uncalibrated type %s got a calibration", r.Options[0].InstanceType)
	}
	if !strings.Contains(strings.Join(o.Notes, " "), "+66.4%") {
		t.Errorf("notes %q do not state the difference", o.Notes)
	}
}

func TestWorkloadErrors(t *testing.T) {
	c := defaultCatalog(t)
	base := func() Workload {
		return Workload{IngressMiBps: 10, ConsumerGroups: 1, ReplicationFactor: 3, Retention: time.Hour}
	}
	tests := []struct {
		name string
		edit func(*Workload)
		want string
	}{
		{"negative ingress", func(w *Workload) { w.IngressMiBps = -1 }, "ingress"},
		{"peak below average", func(w *Workload) { w.PeakIngressMiBps = 5 }, "peak ingress"},
		{"peak egress below average", func(w *Workload) { w.PeakEgressMiBps = 5 }, "peak egress 5 MiB/s is below the average 10 MiB/s"},
		{"rf 0", func(w *Workload) { w.ReplicationFactor = 0 }, "replication factor"},
		{"no retention", func(w *Workload) { w.Retention = 0 }, "retention"},
		{"primary above retention", func(w *Workload) { w.PrimaryRetention = 2 * time.Hour }, "primary retention"},
		{"utilisation", func(w *Workload) { w.UtilizationStandard = 1.5 }, "utilisation"},
		{"azs", func(w *Workload) { w.AZs = 1 }, "azs"},
		{"unknown type", func(w *Workload) { w.InstanceTypes = []string{"kafka.m9.huge"} }, "kafka.m9.huge"},
		{"egress and groups", func(w *Workload) { w.EgressMiBps = 20 }, "not both"},
		{"pst range", func(w *Workload) { w.ProvisionedThroughputMiBps = 100 }, "provisioned throughput"},
		{"measurement type", func(w *Workload) { w.Measurement = &Measurement{InstanceType: "x", Brokers: 3, IngressMiBps: 1} }, "measurement"},
		{"measurement brokers", func(w *Workload) {
			w.Measurement = &Measurement{InstanceType: "kafka.m5.large", IngressMiBps: 1}
		}, "broker count"},
	}
	for _, tt := range tests {
		w := base()
		tt.edit(&w)
		_, err := Plan(c, w)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

// A peak ingress below the average is one mistake, reported once: the
// derived peak egress follows it and is not reported as a second error.
func TestWorkloadDerivedPeakEgress(t *testing.T) {
	c := defaultCatalog(t)
	w := Workload{IngressMiBps: 100, PeakIngressMiBps: 50, ConsumerGroups: 1, ReplicationFactor: 3, Retention: time.Hour}
	_, err := Plan(c, w)
	if err == nil || !strings.Contains(err.Error(), "peak ingress 50 MiB/s is below the average 100 MiB/s") {
		t.Fatalf("error %v, want one about the peak ingress", err)
	}
	if strings.Contains(err.Error(), "peak egress") {
		t.Errorf("error %q also blames the peak egress, which the user did not set", err)
	}
	// Given explicitly, a peak egress below the average egress is reported.
	w.PeakEgressMiBps = 40
	if _, err := Plan(c, w); err == nil || !strings.Contains(err.Error(), "peak egress 40 MiB/s is below the average 100 MiB/s") {
		t.Errorf("explicit peak egress 40 < egress 100: error %v, want one about the peak egress", err)
	}
	// A derived peak egress with a valid peak ingress is accepted.
	w.PeakIngressMiBps, w.PeakEgressMiBps = 150, 0
	if _, err := Plan(c, w); err != nil {
		t.Errorf("peak ingress 150, derived peak egress: %v", err)
	}
}

func TestPlanProvisionedThroughput(t *testing.T) {
	// PST 500 MiB/s on kafka.m7g.4xlarge (cap 625): average egress 200 MiB/s ÷ 500 → 1 → 3 brokers;
	// cost 3 brokers × 500 × $0.08 = $120. kafka.m7g.xlarge does not support PST: no limit, no cost.
	r, err := Plan(defaultCatalog(t), Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3,
		Retention: 24 * time.Hour, ProvisionedThroughputMiBps: 500,
		InstanceTypes: []string{"kafka.m7g.xlarge", "kafka.m7g.4xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	x, big := r.Options[0], r.Options[1]
	if x.Cost.ProvisionedThroughput != 0 || len(x.Limits) != 5 {
		t.Errorf("kafka.m7g.xlarge: PST cost %v, %d limits; want 0 and 5 (no PST limit)", x.Cost.ProvisionedThroughput, len(x.Limits))
	}
	want := round2(float64(big.Brokers) * 500 * 0.08)
	if big.Cost.ProvisionedThroughput != want || big.Limits[4].Name != LimitPST || big.Limits[4].BrokersNeeded != 3 {
		t.Errorf("kafka.m7g.4xlarge: PST cost %v (want %v), limit %+v", big.Cost.ProvisionedThroughput, want, big.Limits[4])
	}
	for _, n := range big.Notes {
		if n == NotePST {
			t.Error("PST note shown although PST is priced")
		}
	}
}

func TestCalibrateByUtilization(t *testing.T) {
	tests := []struct {
		name                   string
		measured, util, target float64
		wantCap, wantExt       float64
		wantOK                 bool
	}{
		// 40 MiB/s per broker at 55% CPU: 72.727 at 100%; a 50% target is 0.909× the measured load.
		{"interpolates below the measured load", 40, 0.55, 0.5, 40 / 0.55, 0.5 / 0.55, true},
		// 20 MiB/s at 25%: 80 at 100%; a 75% (Express) target is 3×.
		{"extrapolates up to 4x", 20, 0.25, 0.75, 80, 3, true},
		// Exactly 4× is still allowed.
		{"at the limit", 10, 0.125, 0.5, 80, 4, true},
		// 8% CPU to a 50% target is 6.25×: refused, the measured figure stands.
		{"refuses beyond 4x", 10, 0.08, 0.5, 10, 6.25, false},
		{"no utilisation", 10, 0, 0.5, 10, 0, false},
	}
	for _, tt := range tests {
		capacity, ext, ok := CalibrateByUtilization(tt.measured, tt.util, tt.target)
		if ok != tt.wantOK || !near(capacity, tt.wantCap, 1e-9) || !near(ext, tt.wantExt, 1e-9) {
			t.Errorf("%s: got %v, %v, %v; want %v, %v, %v", tt.name, capacity, ext, ok, tt.wantCap, tt.wantExt, tt.wantOK)
		}
	}
}

// A measurement with the binding broker resource sizes from the
// extrapolated capacity; one too far from the target falls back to the
// client-side figure and says why.
func TestPlanCalibrationByUtilization(t *testing.T) {
	c := defaultCatalog(t)
	w := Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour, InstanceTypes: []string{"kafka.m7g.xlarge"}}
	// 120 MiB/s on 3 brokers = 40 per broker with CPU at 55%: 72.727 MiB/s
	// at 100%, 36.364 at 0.5 → ⌈100/36.364⌉ = 3 brokers for ingress.
	w.Measurement = &Measurement{InstanceType: "kafka.m7g.xlarge", Brokers: 3, IngressMiBps: 120, Source: "r.json",
		Binding: &MeasuredBinding{Resource: "cpu", Utilization: 0.55, Broker: 2, Source: "open_monitoring"}}
	r, err := Plan(c, w)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Options[0]
	cal := o.Calibration
	if cal == nil || cal.Basis != CalibrationBroker || cal.CapacityMiBps != round6(40/0.55) || cal.Extrapolation != round6(0.5/0.55) || cal.Refused != "" {
		t.Fatalf("calibration %+v", cal)
	}
	if o.CapacityMiBps != round6(40/0.55) || o.IngressPerBrokerMiBps != round6(40/0.55*0.5) {
		t.Errorf("capacity %v, per broker %v", o.CapacityMiBps, o.IngressPerBrokerMiBps)
	}
	if l := o.Limits[0]; l.Name != LimitIngress || l.BrokersNeeded != 3 {
		t.Errorf("ingress limit %+v, want 3 brokers", l)
	}
	if !strings.Contains(strings.Join(o.Notes, " "), "cpu binds at 55.0% (broker 2, open_monitoring)") {
		t.Errorf("notes %q", o.Notes)
	}

	// CPU at 8%: a 50% target is 6.25× away, refused.
	w.Measurement.Binding = &MeasuredBinding{Resource: "cpu", Utilization: 0.08, Broker: 1, Source: "cloudwatch"}
	r, err = Plan(c, w)
	if err != nil {
		t.Fatal(err)
	}
	o = r.Options[0]
	if cal := o.Calibration; cal.Basis != CalibrationClient || cal.CapacityMiBps != 40 || cal.Extrapolation != 6.25 || o.CapacityMiBps != 40 {
		t.Errorf("refused calibration %+v, capacity %v", cal, o.CapacityMiBps)
	}
	if notes := strings.Join(o.Notes, " "); !strings.Contains(notes, "client-side only: the cpu utilisation (8.0%) is too low to extrapolate to the 50% target: 6.25× is more than 4×") {
		t.Errorf("notes %q do not explain the refusal", o.Notes)
	}
}

// A lower-bound measurement (a fixed rate the cluster kept up with) may
// raise the catalogue's capacity, never lower it (issue 8).
func TestPlanCalibrationLowerBound(t *testing.T) {
	c := defaultCatalog(t)
	catalog := 156.25 / 6.5 // m7g.xlarge at fan-out 2, MiB/s per broker
	plan := func(ingress float64, lower bool) Option {
		t.Helper()
		m := &Measurement{InstanceType: "kafka.m7g.xlarge", Brokers: 3, IngressMiBps: ingress, Source: "r.json", LowerBound: lower}
		r, err := Plan(c, Workload{IngressMiBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, Retention: 24 * time.Hour,
			Measurement: m, InstanceTypes: []string{"kafka.m7g.xlarge"}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Options[0]
	}
	// 30 MiB/s on 3 brokers = 10 per broker, below the catalogue's 24.04:
	// as a lower bound it keeps the catalogue's figure.
	o := plan(30, true)
	if cal := o.Calibration; cal == nil || !cal.CatalogKept || !near(o.CapacityMiBps, catalog, 1e-5) || !near(cal.CapacityMiBps, catalog, 1e-5) || cal.MeasuredMiBps != 10 {
		t.Errorf("low lower bound: capacity %v, calibration %+v; want the catalogue's %.3f kept", o.CapacityMiBps, o.Calibration, catalog)
	}
	if !strings.Contains(strings.Join(o.Notes, " "), "does not lower it") {
		t.Errorf("notes %q do not say the lower bound was not used to lower the capacity", o.Notes)
	}
	// The same figure at the cluster's limit (not a lower bound) lowers it.
	if o := plan(30, false); o.Calibration.CatalogKept || o.CapacityMiBps != 10 {
		t.Errorf("measured limit: capacity %v kept %t, want 10", o.CapacityMiBps, o.Calibration.CatalogKept)
	}
	// A lower bound above the catalogue raises it.
	if o := plan(120, true); o.Calibration.CatalogKept || o.CapacityMiBps != 40 {
		t.Errorf("high lower bound: capacity %v kept %t, want 40", o.CapacityMiBps, o.Calibration.CatalogKept)
	}
}
