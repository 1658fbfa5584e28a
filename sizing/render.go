package sizing

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// ResultSchemaVersion is the schema_version of the JSON WriteJSON writes.
const ResultSchemaVersion = 1

// WriteJSON writes r as indented JSON with a schema_version.
func WriteJSON(w io.Writer, r *Result) error {
	doc := struct {
		SchemaVersion int `json:"schema_version"`
		*Result
	}{ResultSchemaVersion, r}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write sizing json: %w", err)
	}
	return nil
}

// WriteTable writes r as aligned plain-text tables for a terminal.
func WriteTable(w io.Writer, r *Result) error { return render(w, r, false) }

// WriteMarkdown writes r as Markdown (GitHub tables).
func WriteMarkdown(w io.Writer, r *Result) error { return render(w, r, true) }

// costColumn is one cost dimension of the options table.
type costColumn struct {
	head string
	get  func(Cost) float64
}

func render(out io.Writer, r *Result, md bool) error {
	ew := &errWriter{w: out}
	h := func(s string) {
		if md {
			fmt.Fprintf(ew, "## %s\n\n", s)
		} else {
			fmt.Fprintf(ew, "%s\n", strings.ToUpper(s))
		}
	}
	if md {
		fmt.Fprintf(ew, "# MSK sizing\n\n")
	}
	h("Workload")
	for _, line := range workloadLines(r) {
		if md {
			fmt.Fprintf(ew, "- %s\n", line)
		} else {
			fmt.Fprintf(ew, "  %s\n", line)
		}
	}
	fmt.Fprintln(ew)

	h("Provisioned options (monthly cost, " + r.Currency + ")")
	all := []costColumn{
		{"broker-hours", func(c Cost) float64 { return c.BrokerHours }},
		{"storage", func(c Cost) float64 { return c.Storage }},
		{"tiered", func(c Cost) float64 { return c.TieredStorage }},
		{"tier reads", func(c Cost) float64 { return c.TieredRetrieval }},
		{"PST", func(c Cost) float64 { return c.ProvisionedThroughput }},
		{"Express in", func(c Cost) float64 { return c.ExpressDataIn }},
		{"cross-AZ", func(c Cost) float64 { return c.CrossAZ }},
	}
	var cols []costColumn
	for _, c := range all {
		for _, o := range r.Options {
			if o.Skipped == "" && c.get(o.Cost) != 0 {
				cols = append(cols, c)
				break
			}
		}
	}
	head := []string{indent(md) + "instance type", "brokers", "binds", "MiB/s per broker", "peak util", "GiB per broker"}
	for _, c := range cols {
		head = append(head, c.head)
	}
	head = append(head, "total")
	rows := [][]string{head}
	var notes, pstTypes, tierTypes []string
	for _, o := range r.Options {
		name := o.InstanceType
		if o.InstanceType == r.Recommendation.InstanceType {
			name = "> " + name
		} else if !md {
			name = "  " + name
		}
		if o.Skipped != "" {
			notes = append(notes, o.InstanceType+": not sized: "+o.Skipped)
			row := []string{name, "-", "not sized"}
			for len(row) < len(head) {
				row = append(row, "-")
			}
			rows = append(rows, row)
			continue
		}
		brokers := strconv.Itoa(o.Brokers)
		if !o.WithinQuota {
			brokers += " (over quota)"
		}
		perBroker := fmt.Sprintf("%.2f of %.2f", o.IngressPerBrokerMiBps, o.CapacityMiBps)
		if o.Calibration != nil {
			perBroker += " (measured)"
		}
		gib := "-"
		if o.Kind == KindStandard {
			gib = fmt.Sprintf("%.0f", o.StoragePerBrokerGiB)
		}
		row := []string{name, brokers, o.BindingLimit, perBroker, fmt.Sprintf("%.0f%%", o.PeakUtilization*100), gib}
		for _, c := range cols {
			row = append(row, money(c.get(o.Cost)))
		}
		total := money(o.TotalMonthlyUSD)
		if !o.Priced {
			total += " (unpriced)"
		}
		rows = append(rows, append(row, total))
		for _, n := range o.Notes {
			switch n {
			case NotePST:
				pstTypes = append(pstTypes, o.InstanceType)
				continue
			case NoteTieredReads:
				tierTypes = append(tierTypes, o.InstanceType)
				continue
			}
			notes = append(notes, o.InstanceType+": "+n)
		}
	}
	table(ew, rows, md)
	fmt.Fprintln(ew)
	if len(pstTypes) > 0 {
		notes = append(notes, strings.Join(pstTypes, ", ")+": "+NotePST)
	}
	if len(tierTypes) > 0 {
		notes = append(notes, strings.Join(tierTypes, ", ")+": "+NoteTieredReads)
	}
	if md {
		fmt.Fprintf(ew, "MiB/s per broker: ingress at the utilisation target of the capacity before it. Peak util: peak ingress ÷ (brokers × capacity). `>` marks the recommendation.\n\n")
	} else {
		fmt.Fprintf(ew, "  MiB/s per broker: ingress at the utilisation target of the capacity before it.\n  peak util: peak ingress / (brokers x capacity). > marks the recommendation.\n\n")
	}
	if len(notes) > 0 {
		h("Notes")
		for _, n := range notes {
			bullet(ew, n, md)
		}
		fmt.Fprintln(ew)
	}

	sl := r.Serverless
	verdict := "fits"
	if !sl.Fits {
		verdict = "does not fit: " + strings.Join(sl.Exceeded, ", ") + " quota exceeded"
	}
	h("MSK Serverless (" + verdict + ")")
	rows = [][]string{{indent(md) + "quota", "demand", "limit", "unit", "ok"}}
	for _, c := range sl.Checks {
		ok := "yes"
		if !c.OK {
			ok = "NO"
		}
		rows = append(rows, []string{indent(md) + c.Name, fmt.Sprintf("%.2f", c.Demand), fmt.Sprintf("%g", c.Limit), c.Unit, ok})
	}
	table(ew, rows, md)
	fmt.Fprintln(ew)
	c := sl.Cost
	line := fmt.Sprintf("monthly: cluster-hours %s + partition-hours %s (%d partitions) + data in %s + data out %s + storage %s = %s",
		money(c.ClusterHours), money(c.PartitionHours), sl.LeaderPartitions, money(c.DataIn), money(c.DataOut), money(c.Storage), money(c.Total))
	bullet(ew, line, md)
	for _, n := range sl.Notes {
		bullet(ew, n, md)
	}
	fmt.Fprintln(ew)

	h("Recommendation")
	rec := r.Recommendation
	switch {
	case rec.InstanceType == "":
		fmt.Fprintf(ew, "%snone\n", indent(md))
	case rec.InstanceType == "serverless":
		fmt.Fprintf(ew, "%sMSK Serverless, %s/month\n", indent(md), money(rec.TotalMonthlyUSD))
	default:
		fmt.Fprintf(ew, "%s%d × %s, %s/month\n", indent(md), rec.Brokers, rec.InstanceType, money(rec.TotalMonthlyUSD))
	}
	fmt.Fprintln(ew)
	fmt.Fprintf(ew, "%s\n", wrap(rec.Reason, 78, indent(md)))
	return ew.err
}

// workloadLines restates the resolved inputs and the model's derived figures.
func workloadLines(r *Result) []string {
	w := r.Workload
	parts := "not given (partitions do not bind)"
	if w.Partitions > 0 {
		limit := "recommended"
		if w.UseMaxPartitions {
			limit = "maximum"
		}
		parts = fmt.Sprintf("%d partition replicas (leaders × RF), against the %s per-broker limit", w.Partitions, limit)
	}
	retention := fmt.Sprintf("%s", hours(r.RetentionHours))
	if r.Tiered {
		retention += fmt.Sprintf(", of which %s on EBS and the rest in tiered storage (%.0f GiB)", hours(r.PrimaryRetentionHours), r.TieredStorageGiB)
		if w.TieredReadMiBps > 0 {
			retention += fmt.Sprintf(", %.2f MiB/s read back from the tier", w.TieredReadMiBps)
		}
	}
	rack := "no (consume bytes cross AZs)"
	if w.RackAwareConsumers {
		rack = "yes (consume bytes stay in their AZ)"
	}
	pricing := "list prices"
	if r.DiscountPercent > 0 {
		pricing = fmt.Sprintf("%g%% discount on every dimension", r.DiscountPercent)
	}
	lines := []string{
		fmt.Sprintf("ingress:     %.2f MiB/s average, %.2f MiB/s peak", w.IngressMiBps, w.PeakIngressMiBps),
		fmt.Sprintf("egress:      %.2f MiB/s average, %.2f MiB/s peak (fan-out %.3g)", w.EgressMiBps, w.PeakEgressMiBps, r.FanOut),
		fmt.Sprintf("replication: factor %d, %d AZs, rack-aware consumers: %s", w.ReplicationFactor, w.AZs, rack),
		fmt.Sprintf("retention:   %s", retention),
		fmt.Sprintf("partitions:  %s", parts),
		fmt.Sprintf("utilisation: %.0f%% Standard, %.0f%% Express; broker quota %d", w.UtilizationStandard*100, w.UtilizationExpress*100, w.MaxBrokers),
		fmt.Sprintf("model:       storage factor %.3g, network factor %.3g, EBS storage %.0f GiB (RF × %.3gx headroom)", r.StorageFactor, r.NetworkFactor, r.PrimaryStorageGiB, EBSHeadroomFactor),
		fmt.Sprintf("prices:      %s, %s, %s", r.Region, r.Currency, pricing),
	}
	if m := w.Measurement; m != nil {
		src := ""
		if m.Source != "" {
			src = " from " + m.Source
		}
		lines = append(lines, fmt.Sprintf("measured:    %.2f MiB/s sustained on %d × %s%s", m.IngressMiBps, m.Brokers, m.InstanceType, src))
		if b := m.Binding; b != nil {
			lines = append(lines, fmt.Sprintf("binding:     %s at %.1f%% on broker %d (%s): capacity extrapolated by broker utilisation, at most %g×",
				b.Resource, b.Utilization*100, b.Broker, b.Source, MaxExtrapolation))
		} else {
			lines = append(lines, "binding:     unknown (no broker metrics in the result): calibration client-side only")
		}
	}
	return lines
}

// hours formats a duration in hours as "24h" or "7d (168h)".
func hours(h float64) string {
	if h >= 48 && h == float64(int(h)) && int(h)%24 == 0 {
		return fmt.Sprintf("%dd (%gh)", int(h)/24, h)
	}
	return fmt.Sprintf("%gh", h)
}

func indent(md bool) string {
	if md {
		return ""
	}
	return "  "
}

func bullet(w io.Writer, s string, md bool) {
	if md {
		fmt.Fprintf(w, "- %s\n", s)
		return
	}
	fmt.Fprintf(w, "  - %s\n", s)
}

// table writes rows (the first is the header) aligned, or as a Markdown table.
func table(w io.Writer, rows [][]string, md bool) {
	if md {
		for i, row := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
			if i == 0 {
				seps := make([]string, len(row))
				for j := range seps {
					seps[j] = "---"
				}
				fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
			}
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, row := range rows {
		if i == 0 {
			row = append([]string(nil), row...)
			for j := range row {
				row[j] = strings.ToUpper(row[j])
			}
		}
		fmt.Fprintf(tw, "%s\n", strings.Join(row, "\t"))
	}
	tw.Flush()
}

// money formats USD with thousands separators: $18,008.69.
func money(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + "$" + b.String() + "." + frac
}

// wrap breaks s into lines of at most width runes, each with prefix.
func wrap(s string, width int, prefix string) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		if n > 0 && n+1+len([]rune(word)) > width {
			b.WriteString("\n")
			n = 0
		}
		if n == 0 {
			b.WriteString(prefix)
			n = len(prefix)
		} else {
			b.WriteString(" ")
			n++
		}
		b.WriteString(word)
		n += len([]rune(word))
	}
	return b.String()
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("write sizing output: %w", err)
	}
	return n, err
}

// validClusterName reports whether s is an MSK cluster name: 1-64
// letters, digits and hyphens, starting with a letter.
func validClusterName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return true
}

// validKafkaVersion reports whether s looks like an MSK Kafka version:
// dot-separated numbers, the last parts possibly "x", "tiered" or "kraft",
// e.g. "3.8.x", "3.9.x.kraft", "2.8.2.tiered".
func validKafkaVersion(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			continue
		}
		if i == 0 || (p != "x" && p != "tiered" && p != "kraft") {
			return false
		}
	}
	return true
}

// TFVars renders Terraform variables (HCL) for the option of r that
// Result.TFVarsChoice picks — the recommendation, Express included:
// name, kafka_version, brokers, broker_instance_type, ebs_gb (the
// per-broker EBS volume in GiB; Standard only: Express brokers have no
// volume), and the storage the plan assumed: storage_mode ("TIERED" or
// "LOCAL", Standard only) and provisioned_storage_throughput_mibps (when
// it was priced). The last two are not in the seed skeleton; the header
// says so. It fails when nothing fits, when name or version are malformed,
// or when version runs KRaft but the plan was made without it
// (Workload.KRaft).
func TFVars(r *Result, name, version string) ([]byte, error) {
	var errs []error
	if !validClusterName(name) {
		errs = append(errs, fmt.Errorf("cluster name %q: want 1-64 letters, digits and hyphens, starting with a letter", name))
	}
	if !validKafkaVersion(version) {
		errs = append(errs, fmt.Errorf("kafka version %q: want e.g. %s", version, RecommendedKafkaVersion))
	} else if KRaftVersion(version) && !r.Workload.KRaft {
		errs = append(errs, fmt.Errorf("kafka version %s runs KRaft metadata, but the plan was sized without KRaft (size with the same version)", version))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	o, ok := r.TFVarsChoice()
	if !ok {
		return nil, errors.New("no provisioned option fits the broker quota: nothing to write as Terraform variables")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by mskbench size: %d × %s (%s binds), %s/month in %s.\n", o.Brokers, o.InstanceType, o.BindingLimit, money(o.TotalMonthlyUSD), r.Region)
	if r.Recommendation.InstanceType == "serverless" {
		fmt.Fprintf(&b, "# The recommendation is MSK Serverless; these variables describe the cheapest provisioned option.\n")
	}
	if o.Kind == KindExpress {
		fmt.Fprintf(&b, "# Express brokers have no EBS volume: the cluster resource must not set storage_info (no ebs_gb), and runs in 3 AZs.\n")
	} else {
		fmt.Fprintf(&b, "# storage_mode and provisioned_storage_throughput_mibps are not in the seed skeleton: declare them and pass them to\n")
		fmt.Fprintf(&b, "# aws_msk_cluster storage_mode and broker_node_group_info.storage_info.ebs_storage_info.provisioned_throughput.\n")
		for _, n := range o.Notes {
			if n == NotePST {
				fmt.Fprintf(&b, "# The capacity assumes the type's maximum EBS throughput, which needs provisioned storage throughput (size with --provisioned-throughput).\n")
			}
		}
	}
	fmt.Fprintf(&b, "name                 = %q\n", name)
	fmt.Fprintf(&b, "kafka_version        = %q\n", version)
	fmt.Fprintf(&b, "brokers              = %d\n", o.Brokers)
	fmt.Fprintf(&b, "broker_instance_type = %q\n", o.InstanceType)
	if o.Kind == KindStandard {
		fmt.Fprintf(&b, "ebs_gb               = %d\n", o.EBSVolumeGiB)
		mode := "LOCAL"
		if r.Tiered {
			mode = "TIERED"
		}
		fmt.Fprintf(&b, "storage_mode         = %q\n", mode)
		if o.ProvisionedThroughputMiBps > 0 {
			fmt.Fprintf(&b, "provisioned_storage_throughput_mibps = %s\n", strconv.FormatFloat(o.ProvisionedThroughputMiBps, 'f', -1, 64))
		}
	}
	return []byte(b.String()), nil
}

// DefaultClusterName is the cluster name --tfvars uses without --name:
// base (a scenario name) made a valid MSK cluster name, or, when base is
// empty or has no usable character, "msk-" and the peak ingress, e.g.
// "msk-100mibps".
func DefaultClusterName(base string, peakIngressMiBps float64) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9' && b.Len() > 0:
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if len(name) > 64 {
		name = strings.TrimRight(name[:64], "-")
	}
	if validClusterName(name) {
		return name
	}
	v := strconv.FormatFloat(peakIngressMiBps, 'f', -1, 64)
	return "msk-" + strings.NewReplacer(".", "-").Replace(v) + "mibps"
}
