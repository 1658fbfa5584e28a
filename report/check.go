package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mskbench/mskbench/internal/suggest"
)

// Check is one parsed SLO check such as "p99 < 20ms" or
// "msgs_per_sec >= 4950": an aggregate of [Step.Aggregates], a comparison
// operator and a threshold. It is evaluated on every step of a result by
// [Evaluate].
//
// Syntax: NAME OP VALUE[UNIT], blanks optional around OP.
//
//   - NAME is a key of [Step.Aggregates] ("publish_p99_ms", "error_rate",
//     "lag", ...) or a friendly alias: p50, p90, p95, p99, p999 (or p99.9),
//     p9999 (or p99.99), max and mean (or avg) mean publish latency; prefix
//     them with publish/pub, service/svc, send_delay/delay or e2e/end_to_end
//     ("e2e p99", "svc_p99.9") for another latency. Names are case
//     insensitive; blanks and '-' read as '_'.
//   - OP is one of <, <=, >, >=, ==, !=.
//   - VALUE is a decimal number in the unit of NAME. Latencies (names ending
//     in _ms) take an optional unit ns, us (µs), ms (the default), s or m;
//     the fractions error_rate and cpu_utilization (0..1) take an optional
//     %; names ending in _seconds take ms, s (the default) or m; rates
//     (_per_sec) take an optional "/s". Counts take no unit. A unit that
//     does not fit is an error naming the units that do.
//
// Besides [Step.Aggregates], checks read the delivery verification counts
// of [Step.Verification] (lost, duplicated, out_of_order, corrupted,
// foreign, redelivered), the generator's CPU utilisation
// (cpu_utilization, a fraction 0..1 of [Generator.CPUUtilization]),
// behind_schedule_seconds ([Counters.BehindScheduleSeconds]) and
// response_errors (the sum of [Step.ResponseErrors]), and the broker
// figures of [Step.Brokers] ("broker_cpu_max < 60": utilisations and
// balances in percent, 60 and 60% alike); a check on a broker figure no
// source of the step measured fails.
//
// Check implements [encoding.TextUnmarshaler] and [encoding.TextMarshaler],
// so a command-line flag, a JSON string and a YAML scalar decode through the
// same parser. The zero Check is invalid. A Check is immutable once parsed
// and safe for concurrent use.
type Check struct {
	// Expr is the check as written, surrounding blanks trimmed.
	Expr string
	// Aggregate is the canonical key of [Step.Aggregates] the check reads.
	Aggregate string
	// Op is the comparison: "<", "<=", ">", ">=", "==" or "!=".
	Op string
	// Value is the threshold in the unit of Aggregate (ms for *_ms, 0..1 for
	// error_rate, seconds for *_seconds, per second for *_per_sec).
	Value float64
}

// ParseCheck parses one check expression; see [Check] for the syntax.
// Errors name the expression and, for an unknown aggregate, suggest the
// nearest valid name and list all of them.
func ParseCheck(expr string) (Check, error) {
	var c Check
	if err := c.UnmarshalText([]byte(expr)); err != nil {
		return Check{}, err
	}
	return c, nil
}

// ParseChecks parses every expression and returns all problems at once
// (joined with [errors.Join]), so a user fixes a list of checks in one go.
func ParseChecks(exprs []string) ([]Check, error) {
	checks := make([]Check, 0, len(exprs))
	var errs []error
	for _, e := range exprs {
		c, err := ParseCheck(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		checks = append(checks, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return checks, nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] by parsing text as a
// check expression.
func (c *Check) UnmarshalText(text []byte) error {
	expr := strings.TrimSpace(string(text))
	fail := func(format string, args ...any) error {
		return fmt.Errorf("check %q: %s", expr, fmt.Sprintf(format, args...))
	}
	if expr == "" {
		return errors.New(`empty check (want e.g. "p99 < 20ms")`)
	}
	i := strings.IndexAny(expr, "<>=!")
	if i < 0 {
		return fail("no comparison operator (want NAME OP VALUE with OP one of < <= > >= == !=, e.g. \"p99 < 20ms\")")
	}
	op := expr[i : i+1]
	if i+1 < len(expr) && expr[i+1] == '=' {
		op += "="
	}
	switch op {
	case "<", "<=", ">", ">=", "==", "!=":
	case "=":
		return fail("use == to test equality")
	default:
		return fail("unknown operator %q (want one of < <= > >= == !=)", op)
	}
	rawName := strings.TrimSpace(expr[:i])
	rawValue := strings.TrimSpace(expr[i+len(op):])
	if rawName == "" {
		return fail("no aggregate name before %s", op)
	}
	if rawValue == "" {
		return fail("no value after %s", op)
	}
	name, ok := resolveAggregate(rawName)
	if !ok {
		msg := fmt.Sprintf("unknown aggregate %q", rawName)
		if s := suggestAggregate(rawName); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fail("%s; valid names: %s; aliases: %s",
			msg, strings.Join(AggregateNames(), ", "), latencyAliases)
	}
	v, err := parseCheckValue(name, rawValue)
	if err != nil {
		return fail("%v", err)
	}
	*c = Check{Expr: expr, Aggregate: name, Op: op, Value: v}
	return nil
}

// MarshalText implements [encoding.TextMarshaler]: the expression as
// written, which parses back to the same Check.
func (c Check) MarshalText() ([]byte, error) {
	if c.Aggregate == "" {
		return nil, errors.New("marshal check: zero Check")
	}
	return []byte(c.Expr), nil
}

// String returns the canonical form of the check, e.g.
// "publish_p99_ms < 20".
func (c Check) String() string {
	return c.Aggregate + " " + c.Op + " " + strconv.FormatFloat(c.Value, 'g', -1, 64)
}

// Holds reports whether the observed value v satisfies the check. NaN
// satisfies nothing.
func (c Check) Holds(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	switch c.Op {
	case "<":
		return v < c.Value
	case "<=":
		return v <= c.Value
	case ">":
		return v > c.Value
	case ">=":
		return v >= c.Value
	case "==":
		return v == c.Value
	case "!=":
		return v != c.Value
	}
	return false
}

// Evaluate evaluates every check on every step of r, in check order then
// step order, and returns one [CheckResult] each with the observed value;
// CheckResult.Step is the position of the step in r.Steps.
// It does not modify r; callers store the outcome in r.Checks.
//
// A latency check on a step that recorded no sample of that latency (for
// instance an end-to-end check without consumers) fails instead of
// comparing the placeholder 0; so does a check on a verification count
// (lost, duplicated, ...) of a step without delivery verification, and a
// cpu_utilization check of a step without generator figures. With no steps
// at all each check yields one failed result with Step −1.
func Evaluate(r *Result, checks []Check) []CheckResult {
	out := make([]CheckResult, 0, len(checks)*max(1, len(r.Steps)))
	aggs := make([]map[string]float64, len(r.Steps))
	for i := range r.Steps {
		aggs[i] = stepAggregates(&r.Steps[i])
	}
	for _, c := range checks {
		if len(r.Steps) == 0 {
			out = append(out, CheckResult{Expr: c.Expr, Step: -1, Detail: "no steps were measured"})
			continue
		}
		for i, agg := range aggs {
			out = append(out, evaluateOne(c, i, agg, &r.Steps[i]))
		}
	}
	return out
}

func evaluateOne(c Check, step int, agg map[string]float64, s *Step) CheckResult {
	cr := CheckResult{Expr: c.Expr, Step: step}
	v, ok := agg[c.Aggregate]
	if !ok {
		cr.Detail = fmt.Sprintf("unknown aggregate %q", c.Aggregate)
		return cr
	}
	if h, isLatency := latencyHistogram(c.Aggregate); isLatency && agg[h+"_count"] == 0 {
		cr.Detail = fmt.Sprintf("no %s latency samples in this step", h)
		return cr
	}
	verification := slices.Contains(verificationAggregates, c.Aggregate)
	if verification && s.Verification == nil {
		cr.Detail = fmt.Sprintf("no delivery verification in this step (verification off or no consumers), so %s is unknown", c.Aggregate)
		return cr
	}
	if c.Aggregate == "cpu_utilization" && s.Generator == nil {
		cr.Detail = "no generator figures in this step, so cpu_utilization is unknown"
		return cr
	}
	if d := brokerUnknown(c.Aggregate, s); d != "" {
		cr.Detail = d
		return cr
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		cr.Detail = fmt.Sprintf("%s has no finite value", c.Aggregate)
		return cr
	}
	cr.Observed = v
	cr.Passed = c.Holds(v)
	if !cr.Passed {
		cr.Detail = fmt.Sprintf("%s = %s, want %s %s", c.Aggregate, fmtObserved(v), c.Op, fmtObserved(c.Value))
		if c.Aggregate == "lost" && !s.Verification.Complete {
			cr.Detail += " (verification incomplete: the drain phase ended before every group caught up, so lost also counts late messages)"
		}
	}
	return cr
}

// Failed returns how many of cr did not pass.
func Failed(cr []CheckResult) int {
	n := 0
	for _, c := range cr {
		if !c.Passed {
			n++
		}
	}
	return n
}

// WriteChecks writes one line per check result: PASS or FAIL, the
// expression, the step (its label when r is non-nil and has the step), the
// observed value and, on failure, why; then a count line. r may be nil.
//
// It is the one way checks are printed: [Summary] (and so `mskbench run
// --check`) prints them with it too.
func WriteChecks(w io.Writer, r *Result, cr []CheckResult) error {
	var b strings.Builder
	writeChecks(&b, r, cr)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write checks: %w", err)
	}
	return nil
}

// writeChecks is WriteChecks into b.
func writeChecks(b *strings.Builder, r *Result, cr []CheckResult) {
	var rows [][]string
	for _, c := range cr {
		verdict := "PASS"
		if !c.Passed {
			verdict = "FAIL"
		}
		step := "step " + strconv.Itoa(c.Step)
		switch {
		case c.Step < 0:
			step = "-"
		case r != nil && c.Step < len(r.Steps):
			step = "step " + stepLabel(&r.Steps[c.Step])
		}
		// A failure that could not be evaluated (no samples, no steps) has
		// no observed value; a compared failure says "NAME = VALUE, want ...".
		observed := "-"
		if c.Passed || c.Detail == "" || strings.Contains(c.Detail, " = ") {
			observed = fmtObserved(c.Observed)
		}
		rows = append(rows, []string{verdict, c.Expr, step, "observed " + observed, c.Detail})
	}
	(&table{rows: rows, left: true}).write(b)
	if n := Failed(cr); n > 0 {
		fmt.Fprintf(b, "checks: %d of %d failed\n", n, len(cr))
	} else {
		fmt.Fprintf(b, "checks: all %d passed\n", len(cr))
	}
}

// latencyPrefixes maps the accepted latency prefixes ([LatencyKind.Prefixes])
// to histogram names.
var latencyPrefixes = func() (out []struct{ alias, hist string }) {
	for _, k := range LatencyKinds {
		for _, p := range k.Prefixes {
			out = append(out, struct{ alias, hist string }{p, k.Name})
		}
	}
	return out
}()

// statAliases maps the accepted statistic names (p99, mean, avg, ...) to
// the names of [latencyStats].
var statAliases = func() map[string]string {
	m := make(map[string]string, len(latencyStats)+1)
	for _, st := range latencyStats {
		m[st.name()] = st.name()
		if st.alias != "" && !strings.Contains(st.alias, ".") { // p99.9 is normalised to p999
			m[st.alias] = st.name()
		}
	}
	return m
}()

// latencyAliases describes the aliases in error messages: "p50, p90, ...,
// mean (avg) for publish latency; prefix them with service/svc, ... for the
// other latencies".
var latencyAliases = func() string {
	var stats, prefixes []string
	for _, st := range latencyStats {
		if st.alias != "" {
			stats = append(stats, st.name()+" ("+st.alias+")")
		} else {
			stats = append(stats, st.name())
		}
	}
	for _, k := range LatencyKinds[1:] {
		prefixes = append(prefixes, strings.Join(k.Prefixes, "/"))
	}
	return strings.Join(stats, ", ") + " for " + LatencyKinds[0].Name + " latency; prefix them with " + orList(prefixes) +
		" for the other latencies (e.g. \"e2e p99\")"
}()

// normalizeName lower-cases a user-written aggregate name, reads blanks and
// '-' as '_' and spells p99.9 / p99.99 as p999 / p9999.
func normalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '-' || r == '_' }), "_")
	s = strings.ReplaceAll(s, "p99.99", "p9999")
	return strings.ReplaceAll(s, "p99.9", "p999")
}

// resolveAggregate maps a name or alias to its key in Step.Aggregates.
func resolveAggregate(raw string) (string, bool) {
	n := normalizeName(raw)
	aggs := stepAggregates(new(Step))
	if _, ok := aggs[n]; ok {
		return n, true
	}
	stat := strings.TrimSuffix(n, "_ms")
	hist, prefixed := LatencyKinds[0].Name, false
	for _, p := range latencyPrefixes {
		if rest, ok := strings.CutPrefix(n, p.alias+"_"); ok {
			stat, hist, prefixed = strings.TrimSuffix(rest, "_ms"), p.hist, true
			break
		}
	}
	if prefixed && stat == "count" {
		return hist + "_count", true // "e2e count"
	}
	if s, ok := statAliases[stat]; ok {
		name := hist + "_" + s + "_ms"
		if _, ok := aggs[name]; ok {
			return name, true
		}
	}
	return "", false
}

// suggestAggregate returns the valid name or alias nearest to raw in edit
// distance, or "" when nothing is close.
func suggestAggregate(raw string) string {
	n := normalizeName(raw)
	candidates := AggregateNames()
	for s := range statAliases {
		candidates = append(candidates, s)
		for _, p := range latencyPrefixes {
			candidates = append(candidates, p.alias+"_"+s)
		}
	}
	slices.Sort(candidates) // deterministic among equal distances
	return suggest.Nearest(n, candidates)
}

// latencyHistogram returns the histogram a latency aggregate reads
// ("publish_p99_ms" → "publish").
func latencyHistogram(name string) (string, bool) {
	if !strings.HasSuffix(name, "_ms") {
		return "", false
	}
	for _, h := range HistogramNames() {
		if strings.HasPrefix(name, h+"_") {
			return h, true
		}
	}
	return "", false
}

// parseCheckValue parses the threshold of a check on aggregate name,
// converting an optional unit to the unit of name.
func parseCheckValue(name, s string) (float64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789.+-eE", r) })
	num, rawUnit := s, ""
	if i >= 0 {
		num, rawUnit = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
	}
	unit := strings.ToLower(rawUnit)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("invalid value %q (want a number, e.g. 20ms, 0.5%%, 4950)", s)
	}
	var units map[string]float64
	var what, fits string // what name measures; the units that fit it
	switch {
	case strings.HasSuffix(name, "_ms"):
		units = map[string]float64{"": 1, "ns": 1e-6, "us": 1e-3, "µs": 1e-3, "μs": 1e-3, "ms": 1, "s": 1e3, "m": 60e3}
		what, fits = "a latency in ms", "ns, us (µs), ms, s, m, or none for ms"
	case name == "error_rate" || name == "cpu_utilization":
		units = map[string]float64{"": 1, "%": 0.01}
		what, fits = "a fraction 0..1", "% (e.g. 0.5%), or none for a fraction 0..1"
	case isBrokerPercent(name):
		units = map[string]float64{"": 1, "%": 1}
		what, fits = "a percentage 0..100", "% or none (60 and 60% are the same)"
	case strings.HasSuffix(name, "_seconds"):
		units = map[string]float64{"": 1, "ms": 1e-3, "s": 1, "m": 60}
		what, fits = "a duration in seconds", "ms, s, m, or none for s"
	case strings.HasSuffix(name, "_per_sec"):
		units = map[string]float64{"": 1, "/s": 1}
		what = "a rate per second"
		switch name {
		case "mib_per_sec", "consumed_mib_per_sec":
			units["mib/s"] = 1
			fits = "MiB/s, /s, or none"
		case "bytes_per_sec", "consumed_bytes_per_sec":
			units["b/s"] = 1
			fits = "B/s, /s, or none"
		default:
			if strings.HasPrefix(name, "broker_") { // broker bytes per second
				units["b/s"], units["mib/s"] = 1, MiB
				fits = "B/s, MiB/s, /s, or none for B/s"
				break
			}
			units["msg/s"], units["msgs/s"] = 1, 1
			fits = "msg/s, msgs/s, /s, or none"
		}
	default:
		units = map[string]float64{"": 1}
		what, fits = "a count", "none (write the bare number)"
	}
	f, ok := units[unit]
	if !ok {
		msg := fmt.Sprintf("unit %q does not fit %s, %s; units that fit %s: %s", rawUnit, name, what, name, fits)
		if alt := rateAggregateFor(name, unit); alt != "" {
			msg += fmt.Sprintf(" (for %s check %s)", rawUnit, alt)
		}
		return 0, errors.New(msg)
	}
	return v * f, nil
}

// rateAggregateFor returns the rate aggregate that measures in unit,
// counting the same thing as the rate aggregate name ("bytes_per_sec" and
// "mib/s" → "mib_per_sec"), or "" when there is none.
func rateAggregateFor(name, unit string) string {
	prefix, ok := strings.CutSuffix(name, "_per_sec")
	if !ok || prefix == "offered_msgs" { // no offered bytes rate
		return ""
	}
	consumed := strings.HasPrefix(prefix, "consumed_")
	var alt string
	switch unit {
	case "mib/s":
		alt = "mib_per_sec"
	case "b/s":
		alt = "bytes_per_sec"
	case "msg/s", "msgs/s":
		alt = "msgs_per_sec"
	default:
		return ""
	}
	if consumed {
		alt = "consumed_" + alt
	}
	if alt == name {
		return ""
	}
	return alt
}

// fmtObserved formats a check value with up to 6 significant digits.
func fmtObserved(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
