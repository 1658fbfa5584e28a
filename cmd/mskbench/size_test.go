package main

import (
	"github.com/mskbench/mskbench/sizing"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateSize = flag.Bool("update", false, "rewrite the golden files of `mskbench size` under testdata/size")

// sizeGolden runs `mskbench size args` and compares its stdout with
// testdata/size/file.
func sizeGolden(t *testing.T, file string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runSize(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("size %s: %v (stderr %s)", strings.Join(args, " "), err, stderr.String())
	}
	path := filepath.Join("testdata", "size", file)
	if *updateSize {
		if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSizeGolden -update)", err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("size %s: output differs from %s (go test -run TestSizeGolden -update to accept):\n%s",
			strings.Join(args, " "), path, stdout.String())
	}
	return stdout.Bytes()
}

// sizePlanJSON is the part of the JSON output these tests read.
type sizePlanJSON struct {
	SchemaVersion int `json:"schema_version"`
	Options       []struct {
		InstanceType    string   `json:"instance_type"`
		Brokers         int      `json:"brokers"`
		BindingLimit    string   `json:"binding_limit"`
		TotalMonthlyUSD float64  `json:"total_monthly_usd"`
		Skipped         string   `json:"skipped"`
		Notes           []string `json:"notes"`
		Cost            struct {
			TieredStorage float64 `json:"tiered_storage"`
		} `json:"cost"`
	} `json:"options"`
	Serverless struct {
		Fits     bool     `json:"fits"`
		Exceeded []string `json:"exceeded"`
	} `json:"serverless"`
	Recommendation struct {
		InstanceType string `json:"instance_type"`
		Reason       string `json:"reason"`
	} `json:"recommendation"`
}

func TestSizeGolden(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, p sizePlanJSON)
	}{
		{
			// The worked example of docs/sizing.md: kafka.m7g.xlarge × 9, $18,008.69.
			name: "worked-example",
			args: []string{"--ingress", "100MiB/s", "--consumer-groups", "2", "--replication-factor", "3", "--retention", "24h"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.xlarge")
				if o.Brokers != 9 || o.BindingLimit != "ingress" || o.TotalMonthlyUSD != 18008.69 {
					t.Errorf("kafka.m7g.xlarge: %d brokers, %s, $%v; want 9, ingress, $18008.69", o.Brokers, o.BindingLimit, o.TotalMonthlyUSD)
				}
			},
		},
		{
			// 4000 leader partitions × RF 3 = 12000 replicas; 1000 recommended per m7g.large/xlarge → 12 brokers.
			name: "partitions-bind",
			args: []string{"--ingress", "20MiB/s", "--leader-partitions", "4000", "--retention", "24h", "--instance-types", "kafka.m7g.*"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.xlarge")
				if o.Brokers != 12 || o.BindingLimit != "partitions" {
					t.Errorf("kafka.m7g.xlarge: %d brokers, %s; want 12, partitions", o.Brokers, o.BindingLimit)
				}
				// 4000 leader partitions > Serverless's 2400.
				if p.Serverless.Fits || strings.Join(p.Serverless.Exceeded, ",") != "partitions" {
					t.Errorf("serverless: fits %v, exceeded %v; want the partitions quota exceeded", p.Serverless.Fits, p.Serverless.Exceeded)
				}
			},
		},
		{
			// 50 MiB/s × 30 d × RF 3 / 1024 × 2 = 759375 GiB ÷ 16384 = 46.3 → 48 brokers.
			name: "storage-binds",
			args: []string{"--ingress", "50MiB/s", "--retention", "30d", "--instance-types", "kafka.m5.4xlarge,kafka.m7g.*", "--max-brokers", "90"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.4xlarge")
				if o.Brokers != 48 || o.BindingLimit != "storage" {
					t.Errorf("kafka.m7g.4xlarge: %d brokers, %s; want 48, storage", o.Brokers, o.BindingLimit)
				}
			},
		},
		{
			// The same workload with 24 h on EBS and 29 d in tiered storage.
			name: "tiered",
			args: []string{"--ingress", "50MiB/s", "--retention", "30d", "--primary-retention", "24h", "--instance-types", "kafka.m5.4xlarge,kafka.m7g.*"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.4xlarge")
				// 50 × 29 × 86400 / 1024 = 122343.75 GiB × $0.023 = $2813.91.
				if o.BindingLimit == "storage" || o.Cost.TieredStorage != 2813.91 {
					t.Errorf("kafka.m7g.4xlarge: %s binds, tiered $%v; want not storage, $2813.91", o.BindingLimit, o.Cost.TieredStorage)
				}
			},
		},
		{
			name: "serverless-fits",
			args: []string{"--ingress", "5MiB/s", "--consumer-groups", "2", "--leader-partitions", "30", "--retention", "3d", "--rack-aware-consumers"},
			check: func(t *testing.T, p sizePlanJSON) {
				if !p.Serverless.Fits {
					t.Errorf("serverless does not fit: %v", p.Serverless.Exceeded)
				}
			},
		},
		{
			name: "serverless-does-not-fit",
			args: []string{"--ingress", "300MiB/s", "--peak-ingress", "450MiB/s", "--egress", "600MiB/s", "--leader-partitions", "3000",
				"--retention", "2d", "--instance-types", "express.*,kafka.m7g.16xlarge", "--express-utilization", "0.6"},
			check: func(t *testing.T, p sizePlanJSON) {
				if p.Serverless.Fits || strings.Join(p.Serverless.Exceeded, ",") != "cluster ingress,cluster egress,partitions" {
					t.Errorf("serverless exceeded %v, want cluster ingress, cluster egress, partitions", p.Serverless.Exceeded)
				}
				if p.Recommendation.InstanceType == "" || p.Recommendation.InstanceType == "serverless" {
					t.Errorf("recommendation %q", p.Recommendation.InstanceType)
				}
			},
		},
		{
			// 3 × kafka.m7g.xlarge measured 120 MiB/s (125829120 B/s): 40 MiB/s per broker.
			name: "calibrated",
			args: []string{"--ingress", "100MiB/s", "--consumer-groups", "2", "--retention", "24h", "--from", "testdata/size/result.json",
				"--instance-types", "kafka.m7g.xlarge,kafka.m7g.2xlarge"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.xlarge")
				if o.Brokers != 6 || !strings.Contains(strings.Join(o.Notes, " "), "40.00 MiB/s per broker vs 24.04 MiB/s from the catalogue (+66.4%)") {
					t.Errorf("kafka.m7g.xlarge: %d brokers, notes %q", o.Brokers, o.Notes)
				}
			},
		},
		{
			// The same measurement with open-monitoring figures: CPU binds at
			// 55% (broker 2's mean), so 40 MiB/s per broker extrapolates to
			// 72.73 MiB/s at 100% CPU and 36.36 MiB/s at the 50% target.
			name: "calibrated-brokers",
			args: []string{"--ingress", "100MiB/s", "--consumer-groups", "2", "--retention", "24h", "--from", "testdata/size/result-brokers.json",
				"--instance-types", "kafka.m7g.xlarge,kafka.m7g.2xlarge"},
			check: func(t *testing.T, p sizePlanJSON) {
				o := sizeOption(t, p, "kafka.m7g.xlarge")
				notes := strings.Join(o.Notes, " ")
				for _, want := range []string{"cpu binds at 55.0% (broker 2, open_monitoring)", "72.73 MiB/s per broker at 100% cpu", "0.91× the measured utilisation"} {
					if !strings.Contains(notes, want) {
						t.Errorf("kafka.m7g.xlarge notes %q lack %q", o.Notes, want)
					}
				}
				if !strings.Contains(p.Recommendation.Reason, "extrapolated from the measured cpu utilisation (55.0%)") {
					t.Errorf("recommendation %q does not name the binding resource", p.Recommendation.Reason)
				}
			},
		},
		{
			// Catalogue override: another region's prices and a 20% discount.
			name: "catalog-override",
			args: []string{"--ingress", "30MiB/s", "--retention", "24h", "--catalog", "testdata/size/eu-west-1.json", "--instance-types", "kafka.m5.large,kafka.t3.small"},
			check: func(t *testing.T, p sizePlanJSON) {
				if o := sizeOption(t, p, "kafka.t3.small"); o.Skipped != "" || o.Brokers == 0 {
					t.Errorf("kafka.t3.small with figures from the file was not sized: %+v", o)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sizeGolden(t, tt.name+".txt", tt.args...)
			out := sizeGolden(t, tt.name+".json", append(tt.args, "--format", "json")...)
			var p sizePlanJSON
			if err := json.Unmarshal(out, &p); err != nil {
				t.Fatal(err)
			}
			if p.SchemaVersion != 1 || len(p.Options) == 0 || p.Recommendation.Reason == "" {
				t.Fatalf("json: schema %d, %d options, reason %q", p.SchemaVersion, len(p.Options), p.Recommendation.Reason)
			}
			for _, o := range p.Options {
				if o.Skipped == "" && (o.InstanceType == "" || o.Brokers%3 != 0 || o.Brokers == 0 || o.BindingLimit == "" || o.TotalMonthlyUSD <= 0) {
					t.Errorf("option %+v lacks a field or is not a multiple of 3 brokers", o)
				}
			}
			tt.check(t, p)
		})
	}
	t.Run("markdown", func(t *testing.T) {
		out := sizeGolden(t, "worked-example.md", "--ingress", "100MiB/s", "--consumer-groups", "2", "--retention", "24h", "--format", "markdown")
		if !bytes.Contains(out, []byte("| > express.m7g.large |")) {
			t.Errorf("markdown has no recommended row")
		}
	})
}

func sizeOption(t *testing.T, p sizePlanJSON, name string) (o struct {
	InstanceType    string   `json:"instance_type"`
	Brokers         int      `json:"brokers"`
	BindingLimit    string   `json:"binding_limit"`
	TotalMonthlyUSD float64  `json:"total_monthly_usd"`
	Skipped         string   `json:"skipped"`
	Notes           []string `json:"notes"`
	Cost            struct {
		TieredStorage float64 `json:"tiered_storage"`
	} `json:"cost"`
}) {
	t.Helper()
	for _, o := range p.Options {
		if o.InstanceType == name {
			return o
		}
	}
	t.Fatalf("no option %s", name)
	return o
}

func TestSizeFiles(t *testing.T) {
	dir := t.TempDir()
	plan, tfvars := filepath.Join(dir, "plan.json"), filepath.Join(dir, "cluster.tfvars")
	var stdout, stderr bytes.Buffer
	err := runSize(context.Background(), []string{"--ingress", "100MiB/s", "--consumer-groups", "2", "--retention", "24h",
		"-o", plan, "--tfvars", tfvars, "--name", "orders", "--kafka-version", "3.7.x"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	var p sizePlanJSON
	if err := json.Unmarshal(b, &p); err != nil || len(p.Options) == 0 {
		t.Fatalf("plan.json: %v, %d options", err, len(p.Options))
	}
	b, err = os.ReadFile(tfvars)
	if err != nil {
		t.Fatal(err)
	}
	// The recommendation is Express, and so are the tfvars (no EBS volume).
	want := `# Written by mskbench size: 9 × express.m7g.large (ingress binds), $16,356.34/month in us-east-1.
# Express brokers have no EBS volume: the cluster resource must not set storage_info (no ebs_gb), and runs in 3 AZs.
name                 = "orders"
kafka_version        = "3.7.x"
brokers              = 9
broker_instance_type = "express.m7g.large"
`
	if string(b) != want {
		t.Errorf("tfvars:\n%s\nwant:\n%s", b, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the output directory, want 2 (no temporary files left)", len(entries))
	}
	if !strings.HasPrefix(stdout.String(), "WORKLOAD") {
		t.Errorf("stdout does not start with the table: %.40q", stdout.String())
	}
}

// --tfvars without --name names the cluster, still prints the plan, and
// writes the recommended Standard option with the storage the plan
// assumed (tiered storage, provisioned storage throughput) and the
// recommended Kafka version.
func TestSizeTFVarsDefaults(t *testing.T) {
	dir := t.TempDir()
	tfvars := filepath.Join(dir, "c.tfvars")
	var stdout, stderr bytes.Buffer
	err := runSize(context.Background(), []string{"--ingress", "100MiB/s", "--retention", "7d", "--primary-retention", "12h",
		"--instance-types", "kafka.m7g.4xlarge", "--provisioned-throughput", "500MiB/s", "--tfvars", tfvars}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "WORKLOAD") || !strings.Contains(stdout.String(), "RECOMMENDATION") {
		t.Errorf("the plan was not printed: %.80q", stdout.String())
	}
	if !strings.Contains(stderr.String(), `cluster name "msk-100mibps"`) {
		t.Errorf("stderr %q does not say which name was used", stderr.String())
	}
	b, err := os.ReadFile(tfvars)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name                 = "msk-100mibps"`, `kafka_version        = "` + sizing.RecommendedKafkaVersion + `"`,
		`storage_mode         = "TIERED"`, "provisioned_storage_throughput_mibps = 500\n", `broker_instance_type = "kafka.m7g.`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("tfvars lack %q:\n%s", want, b)
		}
	}
	// The name of the --from scenario is the default too.
	stdout.Reset()
	stderr.Reset()
	err = runSize(context.Background(), []string{"--ingress", "100MiB/s", "--retention", "24h", "--from", "testdata/size/result.json",
		"--tfvars", tfvars}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(tfvars); !strings.Contains(string(b), `name                 = "max-throughput"`) {
		t.Errorf("tfvars name is not the scenario's:\n%s", b)
	}
}

// kafka.t3.small cannot run KRaft (every 4.x version) nor tiered storage.
func TestSizeT3SmallRestrictions(t *testing.T) {
	t3 := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args = append([]string{"--ingress", "1MiB/s", "--retention", "24h", "--catalog", "testdata/size/eu-west-1.json",
			"--instance-types", "kafka.t3.small,kafka.m5.large", "--format", "json"}, args...)
		if err := runSize(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		var p struct {
			Options []struct {
				InstanceType string `json:"instance_type"`
				Skipped      string `json:"skipped"`
			} `json:"options"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Options {
			if o.InstanceType == "kafka.t3.small" {
				return o.Skipped
			}
		}
		t.Fatal("no kafka.t3.small option")
		return ""
	}
	if got := t3(); got != "" {
		t.Errorf("ZooKeeper 3.8.x: t3.small skipped: %q", got)
	}
	for _, version := range []string{"4.0.x", "4.1.x", "3.9.x.kraft"} {
		if got := t3("--kafka-version", version); !strings.Contains(got, "KRaft") {
			t.Errorf("%s: t3.small skipped %q, want the KRaft restriction", version, got)
		}
	}
	if got := t3("--retention", "7d", "--primary-retention", "1h"); !strings.Contains(got, "tiered storage is not available") {
		t.Errorf("tiered: t3.small skipped %q", got)
	}
}

// Reads from the tier are priced with the catalogue's (provisional)
// retrieval price: 10 MiB/s × 730 h × 3600 / 1024 GiB × $0.0015.
func TestSizeTieredRetrieval(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runSize(context.Background(), []string{"--ingress", "50MiB/s", "--retention", "30d", "--primary-retention", "24h",
		"--tiered-reads", "10MiB/s", "--instance-types", "kafka.m7g.4xlarge", "--format", "json"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Options []struct {
			Notes []string `json:"notes"`
			Cost  struct {
				TieredRetrieval float64 `json:"tiered_retrieval"`
			} `json:"cost"`
		} `json:"options"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil || len(p.Options) != 1 {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if got, want := p.Options[0].Cost.TieredRetrieval, 38.5; got != want { // 25664.06 GiB × 0.0015 = 38.496 → 38.50
		t.Errorf("tiered retrieval = $%v, want $%v", got, want)
	}
	for _, n := range p.Options[0].Notes {
		if n == sizing.NoteTieredReads {
			t.Error("the 'reads not priced' note is there although reads were priced")
		}
	}
}

func TestSizeHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runSize(context.Background(), []string{"--help"}, &stdout, &stderr); exitCode(err, &stderr) != exitOK {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"Usage: mskbench size", "--ingress", "--partitions", "leader partitions × replication factor", "--tfvars"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestSizeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := write("other.json", `{"results": [{"throughput": 1}]}`)
	embedded := write("embedded.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, "embedded": true, "steps": [{"throughput": {"bytes_per_sec": 1000}}]}`)
	const spec = `"scenario": {"spec": {"cluster": {"instance_type": "kafka.m7g.large", "broker_count": 3}}}`
	loopback := write("loopback.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, `+spec+`, "connection": {"brokers": ["127.0.0.1:9092", "[::1]:9093", "localhost:9094"]}, "steps": [{"throughput": {"bytes_per_sec": 1000}}]}`)
	mskbenchBroker := write("broker.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, `+spec+`, "connection": {"brokers": ["b-1.bench.example:9092"]}, "steps": [{"throughput": {"bytes_per_sec": 1000}, "brokers": [{"source": "mskbench_broker"}]}]}`)
	bound := write("bound.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, `+spec+`, "steps": [{"label": "rate=max", "throughput": {"bytes_per_sec": 1000}, "generator": {"cpu_utilization": 0.95, "bottleneck": true}}]}`)
	throttled := write("throttled.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, `+spec+`, "steps": [{"label": "rate=max", "throughput": {"bytes_per_sec": 1000}, "throttle": {"responses": 4}}]}`)
	noType := write("notype.json", `{"schema_version": 1, "tool": {"name": "mskbench"}, "steps": [{"throughput": {"bytes_per_sec": 1000}}]}`)
	unknownType := write("unknown.json", `{"instance_types": [{"name": "kafka.m9.large", "price_per_hour_usd": 1}]}`)
	badField := write("field.json", `{"instance_types": [{"name": "kafka.m5.large", "price_per_hr": 1}]}`)
	base := []string{"--ingress", "10MiB/s", "--retention", "24h"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no ingress", []string{"--retention", "24h"}, "--ingress is required"},
		{"negative ingress", []string{"--ingress", "-5MiB/s"}, "negative"},
		{"bare number", []string{"--ingress", "100"}, "unit"},
		{"rf 0", append(base, "--replication-factor", "0"), "replication factor"},
		{"peak below average", append(base, "--peak-ingress", "5MiB/s"), "peak ingress"},
		{"egress and groups", append(base, "--egress", "20MiB/s", "--consumer-groups", "2"), "not both"},
		{"tiered without primary", append(base, "--tiered"), "--primary-retention"},
		{"primary not shorter", append(base, "--primary-retention", "48h"), "shorter"},
		{"utilisation", append(base, "--utilization", "1.5"), "utilization"},
		{"unknown instance type", append(base, "--instance-types", "kafka.m9.*"), "matches no instance type"},
		{"unknown type in catalogue", append(base, "--catalog", unknownType), "kafka.m9.large"},
		{"unknown catalogue field", append(base, "--catalog", badField), "price_per_hr"},
		{"missing catalogue", append(base, "--catalog", filepath.Join(dir, "nope.json")), "nope.json"},
		{"other tool's result", append(base, "--from", other), "not an mskbench result"},
		{"embedded result", append(base, "--from", embedded), "embedded"},
		{"result without type", append(base, "--from", noType), "--measured-instance-type"},
		{"loopback brokers", append(base, "--from", loopback), "loopback brokers (127.0.0.1:9092,[::1]:9093,localhost:9094)"},
		{"mskbench broker", append(base, "--from", mskbenchBroker), "mskbench broker"},
		{"generator bound", append(base, "--from", bound), "step rate=max was generator bound"},
		{"throttled", append(base, "--from", throttled), "step rate=max was throttled"},
		{"force without from", append(base, "--force"), "--force need --from"},
		{"format", append(base, "--format", "yaml"), "--format"},
		{"bad tfvars name", append(base, "--tfvars", filepath.Join(dir, "x.tfvars"), "--name", "9lives"), "cluster name"},
		{"tiered reads without tiered storage", append(base, "--tiered-reads", "1MiB/s"), "need tiered storage"},
		{"unknown flag", append(base, "--ingres", "1MiB/s"), "ingres"},
		{"argument", append(base, "extra"), "unexpected arguments"},
		{"nothing fits for tfvars", []string{"--ingress", "2GiB/s", "--retention", "1h", "--max-brokers", "3", "--instance-types", "kafka.m5.*",
			"--tfvars", filepath.Join(dir, "y.tfvars"), "--name", "a"}, "no provisioned option fits"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := runSize(context.Background(), tt.args, &stdout, &stderr)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want a usage error mentioning %q", tt.name, err, tt.want)
		}
		if code := exitCode(err, &bytes.Buffer{}); code != exitUsage {
			t.Errorf("%s: exit code %d, want %d", tt.name, code, exitUsage)
		}
	}
}

// TestSizeDocsWorkedExample checks that the figures docs/sizing.md quotes
// for its worked example are the ones the command prints.
func TestSizeDocsWorkedExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "sizing.md"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if err := runSize(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		return stdout.String()
	}
	base := []string{"--ingress", "100MiB/s", "--consumer-groups", "2", "--retention", "24h"}
	all := run(base...)
	m7g := run(append(base, "--instance-types", "kafka.m7g.xlarge")...)
	rack := run(append(base, "--instance-types", "kafka.m7g.xlarge", "--rack-aware-consumers")...)
	for _, c := range []struct{ figure, out string }{
		{"$2,680.56", m7g}, {"$5,062.50", m7g}, {"$10,265.63", m7g}, {"$18,008.69", m7g}, {"50625 GiB", m7g},
		{"12.02 of 24.04", m7g}, {"$16,356.34", all}, {"$2,566.41", all}, {"$843.75", all}, {"$52,742.37", all},
		{"(21 partitions)", all}, {"$3,421.88", rack},
	} {
		if !strings.Contains(string(doc), c.figure) {
			t.Errorf("docs/sizing.md does not quote %s", c.figure)
		}
		if !strings.Contains(c.out, c.figure) {
			t.Errorf("mskbench size does not print %s, which docs/sizing.md quotes", c.figure)
		}
	}
}

// A fixed-rate run the cluster kept up with measures a lower bound of the
// capacity, not the capacity; a failed ramp step or a max-rate step reaches
// the limit.
func TestSizeMeasurementLowerBound(t *testing.T) {
	const head = `{"schema_version":1,"tool":{"name":"mskbench"},"scenario":{"spec":{"cluster":{"instance_type":"kafka.m7g.large","broker_count":3}}},"steps":[`
	for _, tc := range []struct {
		name, steps string
		lower       bool
		mibps       float64
	}{
		{"fixed rate kept up", `{"throughput":{"bytes_per_sec":2097152,"offered_msgs_per_sec":2000}}`, true, 2},
		{"max rate", `{"throughput":{"bytes_per_sec":4194304,"offered_msgs_per_sec":0}}`, false, 4},
		{"ramp found the limit", `{"ramp":{"passed":true},"throughput":{"bytes_per_sec":3145728,"offered_msgs_per_sec":3000}},` +
			`{"ramp":{"passed":false},"throughput":{"bytes_per_sec":3250000,"offered_msgs_per_sec":4000}}`, false, 3},
	} {
		m, _, err := sizeMeasurement([]byte(head+tc.steps+`]}`), "r.json", false, t.Logf)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.LowerBound != tc.lower || m.IngressMiBps != tc.mibps {
			t.Errorf("%s: lower bound %t, %.2f MiB/s; want %t, %.2f", tc.name, m.LowerBound, m.IngressMiBps, tc.lower, tc.mibps)
		}
	}
}

// size --from leaves steps the generator or throttling limited out of the
// calibration (they measured the tool or a quota), and --force takes
// them, or a loopback result, anyway, saying so (issue 8).
func TestSizeFromLimitedAndForce(t *testing.T) {
	const head = `{"schema_version":1,"tool":{"name":"mskbench"},"scenario":{"spec":{"cluster":{"instance_type":"kafka.m7g.large","broker_count":3}}},`
	// 2 MiB/s kept up at a fixed rate; 8 MiB/s at rate max, generator bound.
	steps := `"steps":[{"label":"a","throughput":{"bytes_per_sec":2097152,"offered_msgs_per_sec":2000}},` +
		`{"label":"b","throughput":{"bytes_per_sec":8388608,"offered_msgs_per_sec":0},"generator":{"bottleneck":true}}]}`
	var warned []string
	warnf := func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	m, st, err := sizeMeasurement([]byte(head+steps), "r.json", false, warnf)
	if err != nil {
		t.Fatal(err)
	}
	// The bound max-rate step neither counts nor shows saturation: 2 MiB/s
	// is a lower bound.
	if m.IngressMiBps != 2 || !m.LowerBound || st.Label != "a" {
		t.Errorf("measurement %+v from step %s; want 2 MiB/s from a, a lower bound", m, st.Label)
	}
	if !strings.Contains(strings.Join(warned, "\n"), "left out: step b was generator bound") {
		t.Errorf("warnings %q do not name the step left out", warned)
	}
	warned = nil
	m, st, err = sizeMeasurement([]byte(head+steps), "r.json", true, warnf)
	if err != nil || m.IngressMiBps != 8 || st.Label != "b" || !strings.Contains(strings.Join(warned, "\n"), "--force") {
		t.Errorf("--force: %+v from %v, %v, warnings %q; want 8 MiB/s from b, said", m, st, err, warned)
	}
	loop := head + `"connection":{"brokers":["127.0.0.1:9092"]},"steps":[{"throughput":{"bytes_per_sec":1048576}}]}`
	if _, _, err := sizeMeasurement([]byte(loop), "r.json", false, warnf); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("loopback result: %v, want a refusal naming --force", err)
	}
	warned = nil
	if m, _, err := sizeMeasurement([]byte(loop), "r.json", true, warnf); err != nil || m.IngressMiBps != 1 || !strings.Contains(strings.Join(warned, "\n"), "loopback") {
		t.Errorf("loopback result with --force: %+v, %v, warnings %q", m, err, warned)
	}
	// A real cluster's addresses are not refused.
	real := head + `"connection":{"brokers":["b-1.x.kafka.us-east-1.amazonaws.com:9096","127.0.0.1:9092"]},"steps":[{"throughput":{"bytes_per_sec":1048576}}]}`
	if _, _, err := sizeMeasurement([]byte(real), "r.json", false, warnf); err != nil {
		t.Errorf("MSK addresses: %v", err)
	}
}
