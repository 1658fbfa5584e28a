package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/internal/atomicfile"
	"github.com/mskbench/mskbench/report"
	"github.com/mskbench/mskbench/scenarios"
	"github.com/mskbench/mskbench/sizing"
)

// sizeFlags are the raw flag values of `mskbench size`.
type sizeFlags struct {
	ingress, peakIngress, egress, peakEgress string
	consumerGroups                           int
	rf                                       int
	retention, primaryRetention              string
	tiered                                   bool
	partitions, leaderPartitions             int
	maxPartitions                            bool
	utilization, expressUtilization          float64
	azs                                      int
	rackAware                                bool
	pst, tieredReads                         string
	maxBrokers                               int
	instanceTypes                            []string
	catalog, from                            string
	force                                    bool
	measuredType                             string
	measuredBrokers                          int
	format, output, tfvars                   string
	name, kafkaVersion                       string
}

const sizeAbout = `Sizes and prices an MSK cluster for a workload with AWS's published sizing model
(Equation 1 of the AWS right-sizing blog, derated as AWS's msk_sizing.py does): one row
per instance type with its broker count (a multiple of the AZ count), the limit that
sets it, per-broker capacity and the monthly cost; then MSK Serverless against its
quotas, and a recommendation. Rates take a unit: MiB/s (2^20 B/s) or MB/s (10^6 B/s).
--from calibrates the measured instance type with a result file of mskbench run.
The method, formulas and sources: docs/sizing.md.`

// sizeFlagSet returns the FlagSet of `mskbench size` (help on stdout).
func sizeFlagSet(stdout io.Writer) (*pflag.FlagSet, *sizeFlags) {
	fs := newFlagSet("size", stdout, "", sizeAbout)
	f := new(sizeFlags)
	fs.StringVar(&f.ingress, "ingress", "", "average produce rate of the cluster, e.g. 100MiB/s or 50MB/s (required)")
	fs.StringVar(&f.peakIngress, "peak-ingress", "", "peak produce rate (default: --ingress)")
	fs.StringVar(&f.egress, "egress", "", "average consume rate, all consumer groups together (instead of --consumer-groups)")
	fs.IntVar(&f.consumerGroups, "consumer-groups", 1, "consumer groups each reading everything: egress = groups × ingress")
	fs.StringVar(&f.peakEgress, "peak-egress", "", "peak consume rate (default: egress × peak ingress / ingress)")
	fs.IntVar(&f.rf, "replication-factor", 3, "replication factor of the topics")
	fs.StringVar(&f.retention, "retention", "7d", "how long data is kept, e.g. 24h or 7d")
	fs.StringVar(&f.primaryRetention, "primary-retention", "", "local (EBS) retention with tiered storage, e.g. 12h (implies --tiered)")
	fs.BoolVar(&f.tiered, "tiered", false, "use tiered storage (needs --primary-retention)")
	fs.StringVar(&f.tieredReads, "tiered-reads", "", "average rate consumers read data older than --primary-retention (from the tier), priced per GB retrieved")
	fs.IntVar(&f.partitions, "partitions", 0, "total partition replicas: leader partitions × replication factor (as AWS's per-broker limits count)")
	fs.IntVar(&f.leaderPartitions, "leader-partitions", 0, "leader partitions (topic partitions); replicas = this × --replication-factor")
	fs.BoolVar(&f.maxPartitions, "max-partitions", false, "size against the per-broker partition maximum instead of the recommended count")
	fs.Float64Var(&f.utilization, "utilization", 0, "target utilisation of broker capacity, 0 < u ≤ 1 (default 0.5 Standard, 0.75 Express; sets both)")
	fs.Float64Var(&f.expressUtilization, "express-utilization", 0, "target utilisation of Express brokers (overrides --utilization for Express)")
	fs.IntVar(&f.azs, "azs", sizing.DefaultAZs, "availability zones, 2 or 3 (Express needs 3)")
	fs.BoolVar(&f.rackAware, "rack-aware-consumers", false, "consumers fetch from their own AZ (client.rack), so consume bytes do not cross AZs")
	fs.StringVar(&f.pst, "provisioned-throughput", "", "provisioned storage throughput per broker, 250MiB/s..1000MiB/s (priced on types that support it)")
	fs.IntVar(&f.maxBrokers, "max-brokers", sizing.DefaultBrokerQuota, "broker quota a recommended option must fit")
	fs.StringSliceVar(&f.instanceTypes, "instance-types", nil, "only these instance types; names or globs, e.g. 'kafka.m7g.*,express.*'")
	fs.StringVar(&f.catalog, "catalog", "", "JSON file overriding or extending the built-in catalogue (prices, other regions, discounts)")
	fs.StringVar(&f.from, "from", "", "result file written by mskbench run -o: calibrate its instance type with the measured throughput")
	fs.BoolVar(&f.force, "force", false, "with --from: calibrate from a result measured on loopback, the embedded cluster or mskbench broker, or from steps the load generator or broker throttling limited")
	fs.StringVar(&f.measuredType, "measured-instance-type", "", "instance type of the --from cluster (default: the result's cluster.instance_type)")
	fs.IntVar(&f.measuredBrokers, "measured-brokers", 0, "broker count of the --from cluster (default: the result's cluster.broker_count)")
	fs.StringVar(&f.format, "format", "table", "output on stdout: table, json or markdown")
	fs.StringVarP(&f.output, "output", "o", "", "also write the plan to this file: JSON, or Markdown if it ends in .md")
	fs.StringVar(&f.tfvars, "tfvars", "", "write Terraform variables (HCL) of the recommended provisioned option (Standard or Express) to this file")
	fs.StringVar(&f.name, "name", "", "cluster name for --tfvars (default: the --from scenario's name, else msk-<peak ingress>)")
	fs.StringVar(&f.kafkaVersion, "kafka-version", sizing.RecommendedKafkaVersion, "Kafka version of the cluster: kafka_version for --tfvars; 4.x (KRaft) excludes kafka.t3.small")
	return fs, f
}

func runSize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, fp := sizeFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f := *fp
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("size: unexpected arguments %q (all inputs are flags)", fs.Args())}
	}

	cat, err := sizing.DefaultCatalog()
	if err != nil {
		return err // a broken embedded catalogue is a bug, not the user's
	}
	if f.catalog != "" {
		data, err := os.ReadFile(f.catalog)
		if err != nil {
			return usageError{fmt.Errorf("size: --catalog: %w", err)}
		}
		if cat, err = cat.Override(data, f.catalog); err != nil {
			return usageError{fmt.Errorf("size: %w", err)}
		}
	}
	warnf := func(format string, a ...any) { fmt.Fprintf(stderr, "mskbench size: "+format+"\n", a...) }
	w, err := sizeWorkload(fs, f, cat, warnf)
	if err != nil {
		return usageError{fmt.Errorf("size: %w", err)}
	}
	res, err := sizing.Plan(cat, w)
	if err != nil {
		return usageError{fmt.Errorf("size: %w", err)}
	}

	var tfvars []byte
	if f.tfvars != "" {
		name := f.name
		if name == "" {
			name = sizing.DefaultClusterName(sizeScenarioName(f.from), res.Workload.PeakIngressMiBps)
			fmt.Fprintf(stderr, "mskbench size: --tfvars: cluster name %q (set it with --name)\n", name)
		}
		if tfvars, err = sizing.TFVars(res, name, f.kafkaVersion); err != nil {
			return usageError{fmt.Errorf("size: --tfvars: %w", err)}
		}
	}
	var out bytes.Buffer
	if err := sizeRender(&out, res, f.format); err != nil {
		return err
	}
	if f.output != "" {
		format := "json"
		if strings.HasSuffix(f.output, ".md") {
			format = "markdown"
		}
		var file bytes.Buffer
		if err := sizeRender(&file, res, format); err != nil {
			return err
		}
		if err := sizeWriteFile(f.output, file.Bytes()); err != nil {
			return err
		}
	}
	if tfvars != nil {
		if err := sizeWriteFile(f.tfvars, tfvars); err != nil {
			return err
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return fmt.Errorf("size: write output: %w", err)
	}
	return nil
}

// sizeRender writes res in format (table, json, markdown).
func sizeRender(w io.Writer, res *sizing.Result, format string) error {
	switch format {
	case "table":
		return sizing.WriteTable(w, res)
	case "json":
		return sizing.WriteJSON(w, res)
	case "markdown", "md":
		return sizing.WriteMarkdown(w, res)
	}
	return usageError{fmt.Errorf("size: --format %q: want table, json or markdown", format)}
}

// sizeWorkload turns the flags into a sizing.Workload, reporting every
// problem at once.
func sizeWorkload(fs *pflag.FlagSet, f sizeFlags, cat *sizing.Catalog, warnf func(string, ...any)) (sizing.Workload, error) {
	var errs []error
	rate := func(flag, s string) float64 {
		if s == "" {
			return 0
		}
		v, err := sizing.ParseThroughput(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", flag, err))
		}
		return v
	}
	w := sizing.Workload{
		IngressMiBps:        rate("ingress", f.ingress),
		PeakIngressMiBps:    rate("peak-ingress", f.peakIngress),
		EgressMiBps:         rate("egress", f.egress),
		PeakEgressMiBps:     rate("peak-egress", f.peakEgress),
		ConsumerGroups:      f.consumerGroups,
		ReplicationFactor:   f.rf,
		Partitions:          f.partitions,
		UseMaxPartitions:    f.maxPartitions,
		UtilizationStandard: f.utilization,
		UtilizationExpress:  f.utilization,
		AZs:                 f.azs,
		RackAwareConsumers:  f.rackAware,
		MaxBrokers:          f.maxBrokers,
	}
	if f.ingress == "" {
		errs = append(errs, errors.New("--ingress is required, e.g. --ingress 100MiB/s"))
	}
	if f.egress != "" {
		if fs.Changed("consumer-groups") {
			errs = append(errs, errors.New("give --egress or --consumer-groups, not both"))
		}
		w.ConsumerGroups = 0
	}
	if fs.Changed("express-utilization") {
		w.UtilizationExpress = f.expressUtilization
	}
	for _, u := range []struct {
		flag string
		set  bool
		v    float64
	}{{"utilization", fs.Changed("utilization"), f.utilization}, {"express-utilization", fs.Changed("express-utilization"), f.expressUtilization}} {
		if u.set && (u.v <= 0 || u.v > 1) {
			errs = append(errs, fmt.Errorf("--%s %v: want 0 < u ≤ 1", u.flag, u.v))
		}
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"partitions", f.partitions}, {"leader-partitions", f.leaderPartitions}, {"max-brokers", f.maxBrokers}, {"consumer-groups", f.consumerGroups}} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("--%s %d: must not be negative", n.flag, n.v))
		}
	}
	if f.leaderPartitions > 0 {
		if f.partitions > 0 {
			errs = append(errs, errors.New("give --partitions (replicas) or --leader-partitions, not both"))
		}
		w.Partitions = f.leaderPartitions * f.rf
	}
	if f.pst != "" {
		w.ProvisionedThroughputMiBps = rate("provisioned-throughput", f.pst)
	}
	if f.tieredReads != "" {
		w.TieredReadMiBps = rate("tiered-reads", f.tieredReads)
	}
	w.KRaft = sizing.KRaftVersion(f.kafkaVersion)
	if d, err := sizing.ParseRetention(f.retention); err != nil {
		errs = append(errs, fmt.Errorf("--retention: %w", err))
	} else {
		w.Retention = d
	}
	switch {
	case f.primaryRetention != "":
		d, err := sizing.ParseRetention(f.primaryRetention)
		if err != nil {
			errs = append(errs, fmt.Errorf("--primary-retention: %w", err))
		} else if w.Retention > 0 && d >= w.Retention {
			errs = append(errs, fmt.Errorf("--primary-retention %s must be shorter than --retention %s for tiered storage", f.primaryRetention, f.retention))
		}
		w.PrimaryRetention = d
	case f.tiered:
		errs = append(errs, errors.New("--tiered needs --primary-retention (the local EBS retention, e.g. 12h)"))
	}
	for _, pat := range f.instanceTypes {
		pat = strings.TrimSpace(pat)
		if _, err := path.Match(pat, ""); err != nil {
			errs = append(errs, fmt.Errorf("--instance-types %q: %w", pat, err))
			continue
		}
		n := 0
		for _, it := range cat.InstanceTypes {
			if ok, _ := path.Match(pat, it.Name); ok {
				w.InstanceTypes = append(w.InstanceTypes, it.Name)
				n++
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("--instance-types %q matches no instance type of the catalogue", pat))
		}
	}
	if f.from != "" {
		data, err := os.ReadFile(f.from)
		if err != nil {
			errs = append(errs, fmt.Errorf("--from: %w", err))
		} else if m, step, err := sizeMeasurement(data, f.from, f.force, warnf); err != nil {
			errs = append(errs, err)
		} else {
			if f.measuredType != "" {
				m.InstanceType = f.measuredType
			}
			m.Binding = measuredBinding(step, cat, m.InstanceType) // monitoring.go
			if f.measuredBrokers > 0 {
				m.Brokers = f.measuredBrokers
			}
			switch {
			case m.InstanceType == "":
				errs = append(errs, fmt.Errorf("--from %s: the result does not name the cluster's instance type: set cluster.instance_type in the scenario or pass --measured-instance-type", f.from))
			case m.Brokers == 0:
				errs = append(errs, fmt.Errorf("--from %s: the result does not give the cluster's broker count: set cluster.broker_count in the scenario or pass --measured-brokers", f.from))
			}
			w.Measurement = m
		}
	} else if f.measuredType != "" || f.measuredBrokers != 0 || f.force {
		errs = append(errs, errors.New("--measured-instance-type, --measured-brokers and --force need --from"))
	}
	return w, errors.Join(errs...)
}

// sizeMeasurement extracts a sizing.Measurement from a result file of
// `mskbench run`, read with report.Decode (the one reader of the result
// schema): the cluster's instance type and broker count from the scenario
// as run (scenario.spec.cluster), and per step partial, the ramp verdict and
// the throughput.
//
// The measured ingress is the highest acknowledged produce rate of a
// complete (non-partial) step, bytes/s converted to MiB/s; that step is
// returned too (its broker metrics calibrate by utilisation). A file from
// another tool or one without complete steps is an error; so, unless
// force, is a run that was not measured against a real cluster
// (notARealCluster) or one whose every step the load generator or broker
// throttling limited. Limited steps are left out unless force; warnf
// says what was left out or forced.
func sizeMeasurement(data []byte, name string, force bool, warnf func(string, ...any)) (*sizing.Measurement, *report.Step, error) {
	r, err := report.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("--from %s: %w", name, err)
	}
	if r.Tool.Name != "mskbench" {
		return nil, nil, fmt.Errorf("--from %s: %w (tool.name is %q, not \"mskbench\")", name, report.ErrNotResult, r.Tool.Name)
	}
	if why := notARealCluster(r); why != "" {
		if !force {
			return nil, nil, fmt.Errorf("--from %s: %s: it measures this machine and kfake, not a Kafka instance type (--force calibrates from it anyway)", name, why)
		}
		warnf("--force: calibrating from a result that %s", why)
	}
	var spec struct {
		Cluster scenarios.Cluster `json:"cluster"`
	}
	if len(r.Scenario.Spec) > 0 {
		if err := json.Unmarshal(r.Scenario.Spec, &spec); err != nil {
			return nil, nil, fmt.Errorf("--from %s: scenario.spec: %w", name, err)
		}
	}
	var best *report.Step
	m := &sizing.Measurement{Source: filepath.Base(name), InstanceType: spec.Cluster.InstanceType, Brokers: spec.Cluster.BrokerCount}
	// The run reached the cluster's limit when a ramp step failed (the
	// passing steps below it are the capacity) or a step ran at rate max
	// (no offered rate); otherwise the cluster kept up with a fixed rate and
	// the figure is only a lower bound.
	// A step that the load generator or broker throttling limited
	// (report.Step.LimitedBy) measured neither: it is left out (unless
	// forced), and neither it nor a ramp it capped shows the limit.
	saturated := false
	var limited []string
	for i, s := range r.Steps {
		if s.Partial {
			continue
		}
		if lim := s.LimitedBy(); lim != "" {
			limited = append(limited, fmt.Sprintf("step %s was %s", stepName(&r.Steps[i]), report.LimitText(lim)))
			if !force {
				continue
			}
		}
		if (s.Ramp != nil && !s.Ramp.Passed && s.LimitedBy() == "") || (s.Throughput.OfferedMsgsPerSec == 0 && s.LimitedBy() == "") {
			saturated = true
		}
		if (s.Ramp == nil || s.Ramp.Passed || (force && s.LimitedBy() != "")) && s.Throughput.BytesPerSec > m.IngressMiBps*sizing.MiB {
			m.IngressMiBps = s.Throughput.BytesPerSec / sizing.MiB
			best = &r.Steps[i]
		}
	}
	m.LowerBound = !saturated
	switch {
	case len(limited) > 0 && force:
		warnf("--force: calibrating with limited steps (%s)", strings.Join(limited, "; "))
	case len(limited) > 0 && m.IngressMiBps > 0:
		warnf("--from %s: left out: %s", name, strings.Join(limited, "; "))
	case len(limited) > 0:
		return nil, nil, fmt.Errorf("--from %s: no step measured the cluster: %s (add producer workers or load generators, lift the quota, or --force to calibrate from them anyway)",
			name, strings.Join(limited, "; "))
	}
	if m.IngressMiBps <= 0 {
		return nil, nil, fmt.Errorf("--from %s: no complete step with a produce throughput", name)
	}
	return m, best, nil
}

// stepName is a step's label, or "#N" (1-based) without one.
func stepName(s *report.Step) string {
	if s.Label != "" {
		return s.Label
	}
	return fmt.Sprintf("#%d", s.Index+1)
}

// notARealCluster says why r was not measured against a real Kafka
// cluster, "" when nothing shows it: the run used the embedded cluster, a
// step's broker metrics came from `mskbench broker`'s /metrics, or every
// bootstrap address it used is a loopback address (an SSH tunnel to a
// real cluster looks the same: --force is for that).
func notARealCluster(r *report.Result) string {
	if r.Embedded {
		return "was measured against the embedded in-process cluster"
	}
	for _, s := range r.Steps {
		for _, b := range s.Brokers {
			if b.Source == report.BrokerSourceMSKBenchBroker {
				return "was measured against mskbench broker (its /metrics were scraped)"
			}
		}
	}
	if addrs := r.Connection.Brokers; len(addrs) > 0 && allLoopback(addrs) {
		return fmt.Sprintf("was measured against loopback brokers (%s), such as mskbench broker", strings.Join(addrs, ","))
	}
	return ""
}

// allLoopback reports whether every host:port in addrs names a loopback
// address (127.0.0.0/8, ::1, localhost).
func allLoopback(addrs []string) bool {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			host = a
		}
		if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
			continue
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// sizeScenarioName returns the scenario name of a result file (for the
// default --tfvars cluster name), "" when there is none or it cannot be read.
func sizeScenarioName(resultFile string) string {
	if resultFile == "" {
		return ""
	}
	r, err := report.ReadFile(resultFile)
	if err != nil {
		return ""
	}
	return r.Scenario.Name
}

// sizeWriteFile writes data to name atomically (internal/atomicfile).
func sizeWriteFile(name string, data []byte) error {
	if err := atomicfile.Write(name, data, 0o644); err != nil {
		return fmt.Errorf("size: write %s: %w", name, err)
	}
	return nil
}
