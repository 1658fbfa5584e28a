package scenarios

import (
	"fmt"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mskbench/mskbench/plan"
)

// ValidateOptions holds what Validate knows besides the scenario.
type ValidateOptions struct {
	// BrokerCount is the number of brokers of the target cluster, when the
	// caller knows it (0 = unknown). Without it Validate uses 3 for the
	// embedded cluster, else cluster.broker_count when set.
	BrokerCount int
}

// topicNameRE matches the characters Kafka allows in a topic name.
var topicNameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]*$`)

// validator collects problems, locating each at the value that caused it.
type validator struct {
	s        *Scenario
	problems Errors
	// swept maps the field paths a sweep step substituted to the sweep
	// entries that hold their values ("topics.partitions" → "sweep.partitions[2]").
	swept map[string]string
	// wl is the workload whose fields are being checked (an index into
	// the scenario's workloads), or -1 for the step's own blocks.
	wl int
	// inherited holds, per problem index, the message before its note and
	// the names of the workloads that inherit the value (see report).
	inherited map[int]inheritedNote
	// samples caches the payload files read, by path and record limit.
	samples map[sampleKey]error
}

// inheritedNote is the note of a problem found in a workload with a value
// it inherited from the scenario's blocks.
type inheritedNote struct {
	message   string
	workloads []string
}

// report records a problem with the value at field (a YAML path). While a
// workload's fields are checked (v.wl >= 0), a field of its topics,
// producers or consumers block is located in the workload when the
// workload writes it, else at the scenario's block it inherits it from,
// with a note naming the workloads that inherit it.
func (v *validator) report(field, format string, args ...any) {
	shown, inherited := v.shownField(field)
	p := v.s.lookup(shown)
	msg := fmt.Sprintf(format, args...)
	if inherited {
		name := v.s.Workloads[v.wl].Name
		for i, n := range v.inherited {
			q := &v.problems[i]
			if q.Field == shown && n.message == msg {
				if !slices.Contains(n.workloads, name) {
					n.workloads = append(n.workloads, name)
					v.inherited[i] = n
					q.Message = inheritedMessage(n)
				}
				return
			}
		}
		if v.inherited == nil {
			v.inherited = map[int]inheritedNote{}
		}
		n := inheritedNote{message: msg, workloads: []string{name}}
		v.inherited[len(v.problems)] = n
		msg = inheritedMessage(n)
	}
	v.problems = append(v.problems, Problem{File: p.File, Line: p.Line, Column: p.Column, Field: shown, Message: msg})
}

// inheritedMessage is a problem's message with the note of the workloads
// that inherit the value.
func inheritedMessage(n inheritedNote) string {
	verb := "inherits"
	if len(n.workloads) > 1 {
		verb = "inherit"
	}
	return fmt.Sprintf("%s (workload %s %s it)", n.message, strings.Join(n.workloads, ", "), verb)
}

// shownField returns the YAML path a problem with field is shown at: the
// sweep entry that set it, the workload's own field, or the field itself;
// inherited is true when the field is a workload's inherited value.
func (v *validator) shownField(field string) (shown string, inherited bool) {
	for from, to := range v.swept {
		if rest, ok := strings.CutPrefix(field, from); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return to + rest, false
		}
	}
	if v.wl < 0 || inheritKey(field) == "" {
		return field, false
	}
	if v.s.writes(v.wl, field) {
		return workloadPrefix(v.wl) + field, false
	}
	return field, true
}

// written reports whether the value of field, as shownField locates it,
// was written in the file, by --set or by a sweep.
func (v *validator) written(field string) bool {
	shown, _ := v.shownField(field)
	_, ok := v.s.pos[shown]
	return ok || shown != field && !strings.HasPrefix(shown, "workloads[")
}

// lookup returns the position of the value at field, or of its nearest
// written ancestor, or just the file when the value is a default.
func (s *Scenario) lookup(field string) position {
	for f := field; f != ""; {
		if p, ok := s.pos[f]; ok {
			return p
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return position{File: s.File}
}

// Validate checks the scenario and every sweep step and returns every
// problem found, as a *Errors error, or nil. It never panics.
func (s *Scenario) Validate(o ValidateOptions) error {
	v := &validator{s: s, wl: -1}
	v.scenario(o)
	v.rampChecks()
	v.workloadChecks()
	v.boundChecks(reflect.ValueOf(s).Elem(), func(f string) bool { return !planField(f) })
	if n := s.StepCount(); n > MaxSteps {
		v.report("sweep", "expands to more than %d steps; split the sweep into several scenarios", MaxSteps)
		return v.problems.err()
	}
	steps := s.Steps()
	for i, p := range steps {
		v.swept = s.sweptFields(i)
		v.plan(p, o)
	}
	v.swept = nil
	if t := s.plannedTime(steps); t > maxPlannedTime {
		v.report("phases", "the scenario asks for %.0f days of load (warm-up, measure and drain of every step and ramp step, and the precondition); the limit is %.0f", t/day, maxPlannedTime/day)
	}
	return v.problems.err()
}

// brokerCount returns the broker count to check replication against, 0 when
// unknown.
func (s *Scenario) brokerCount(o ValidateOptions) int {
	switch {
	case o.BrokerCount > 0:
		return o.BrokerCount
	case s.Embedded():
		return EmbeddedBrokerCount
	default:
		return s.Cluster.BrokerCount
	}
}

// scenario checks what is not part of a plan: the cluster, auth and sweep.
func (v *validator) scenario(o ValidateOptions) {
	s := v.s
	if strings.TrimSpace(s.Name) == "" {
		v.report("name", "must not be empty")
	}
	c := s.Cluster
	switch {
	case len(c.Brokers) == 0 && c.Auth.ClusterARN == "":
		v.report("cluster.brokers", "must list at least one host:port (or be [embedded]), unless cluster.auth.cluster_arn names the cluster to discover")
	case s.Embedded():
	default:
		for i, b := range c.Brokers {
			field := fmt.Sprintf("cluster.brokers[%d]", i)
			if b == EmbeddedBrokers {
				v.report(field, "embedded must be the only entry of cluster.brokers")
				continue
			}
			host, port, err := net.SplitHostPort(b)
			n, perr := strconv.Atoi(port)
			if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
				v.report(field, "want host:port, e.g. b-1.mycluster.abc123.c2.kafka.us-east-1.amazonaws.com:9098, got %q", b)
			}
		}
	}
	if c.InstanceType != "" && !strings.HasPrefix(c.InstanceType, "kafka.") && !strings.HasPrefix(c.InstanceType, "express.") {
		v.report("cluster.instance_type", "want an MSK broker instance type such as kafka.m7g.large or express.m7g.large, got %q", c.InstanceType)
	}
	if c.BrokerCount < 0 {
		v.report("cluster.broker_count", "must not be negative")
	}
	if s.Embedded() && c.BrokerCount != 0 && c.BrokerCount != EmbeddedBrokerCount {
		v.report("cluster.broker_count", "the embedded cluster has %d brokers", EmbeddedBrokerCount)
	}
	v.auth()
	v.monitoring()

	for _, a := range s.sweepAxes() {
		field := "sweep." + a.key
		if _, written := s.pos[field]; written && a.n() == 0 {
			v.report(field, "empty list; give at least one value or leave the field out")
		}
		seen := map[string]bool{}
		for i := range a.n() {
			x := a.text(i)
			if seen[x] {
				v.report(fmt.Sprintf("%s[%d]", field, i), "%s is listed twice", x)
			}
			seen[x] = true
		}
	}
	if s.Topics.Existing != "" && len(s.Sweep.Partitions) > 0 {
		v.report("sweep.partitions", "cannot sweep partitions of the existing topic %q", s.Topics.Existing)
	}
}

// auth checks cluster.auth with plan.Auth.Validate, the one validation of
// those settings, locating each problem at its key.
func (v *validator) auth() {
	a := v.s.Cluster.Auth
	for _, p := range a.Validate(v.s.Embedded()) {
		msg := p.String()
		if len(p.Choices) > 0 {
			if s := suggest(p.Value, p.Choices); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
		}
		v.report("cluster.auth."+p.Field, "%s", msg)
	}
}

// plan checks one step: each of its workloads (or its own blocks, the one
// implicit workload), then what belongs to the step.
func (v *validator) plan(p plan.Plan, o ValidateOptions) {
	v.clientProblems(p)
	ws := p.WorkloadList()
	for i, w := range ws {
		v.wl = -1
		if len(p.Workloads) > 0 {
			v.wl = i
		}
		v.workload(w, p, o)
		v.boundChecks(reflect.ValueOf(&w).Elem(), func(f string) bool { return inheritKey(f) != "" })
		v.workloadBounds(w)
	}
	v.wl = -1
	v.boundChecks(reflect.ValueOf(&p).Elem(), func(f string) bool { head, _, _ := strings.Cut(f, "."); return head == "phases" })
	v.stepBounds(p)
	v.backlog(p)

	ph := p.Phases
	nonNegative := []struct {
		field string
		d     plan.Duration
	}{
		{"phases.warmup", ph.Warmup}, {"phases.drain_timeout", ph.DrainTimeout},
	}
	for _, x := range nonNegative {
		if x.d < 0 {
			v.report(x.field, "must not be negative")
		}
	}
	if ph.Duration <= 0 {
		v.report("phases.duration", "must be greater than 0")
	}
	if ph.ReportInterval <= 0 {
		v.report("phases.report_interval", "must be greater than 0")
	} else if ph.Duration > 0 && ph.ReportInterval > ph.Duration {
		v.report("phases.report_interval", "%v is longer than phases.duration (%v)", ph.ReportInterval, ph.Duration)
	}
}

// workload checks the topics, producers and consumers of one workload of
// step p (v.wl says which; -1 for the step's own blocks).
func (v *validator) workload(w plan.Workload, p plan.Plan, o ValidateOptions) {
	t := w.Topics
	if t.Count < 1 {
		v.report("topics.count", "must be at least 1, got %d", t.Count)
	}
	if t.Partitions < 1 {
		v.report("topics.partitions", "must be at least 1, got %d", t.Partitions)
	}
	if t.ReplicationFactor < 1 {
		v.report("topics.replication_factor", "must be at least 1, got %d", t.ReplicationFactor)
	} else if n := v.s.brokerCount(o); n > 0 && t.ReplicationFactor > n && t.Existing == "" {
		v.report("topics.replication_factor", "%d is more than the %d brokers of the cluster", t.ReplicationFactor, n)
	}
	if !topicNameRE.MatchString(t.Prefix) {
		v.report("topics.prefix", "topic names may hold only letters, digits, '.', '_' and '-', got %q", t.Prefix)
	}
	if t.Existing != "" {
		if !topicNameRE.MatchString(t.Existing) || len(t.Existing) > 249 {
			v.report("topics.existing", "not a valid topic name: %q", t.Existing)
		}
		if t.Count > 1 {
			v.report("topics.existing", "an existing topic is a single topic; remove topics.count (%d) or topics.existing", t.Count)
		}
	} else if t.Prefix == "" {
		v.report("topics.prefix", "must not be empty: mskbench deletes the topics it creates, and names them by this prefix")
	}
	for k := range t.Configs {
		if strings.TrimSpace(k) == "" {
			v.report("topics.configs", "config names must not be empty")
		}
	}

	pr := w.Producers
	if pr.Workers < 0 {
		v.report("producers.workers", "must not be negative, got %d", pr.Workers)
	}
	if pr.Workers == 0 && w.Consumers.Groups == 0 {
		v.report("producers.workers", "no producers and no consumer groups: nothing to run")
	} else if pr.Workers == 0 && t.Existing == "" {
		v.report("producers.workers", "no producers and no topics.existing: the consumers would have nothing to read")
	}
	if !pr.Rate.IsMax() && pr.Rate.PerSec <= 0 && !(p.Phases.Backlog.Active() && pr.Rate.PerSec == 0) {
		v.report("producers.rate", "must be greater than 0; use max for no limit")
	}
	v.messageSize(pr)
	if pr.Compressibility < 0 || pr.Compressibility > 1 {
		v.report("producers.compressibility", "must be between 0 and 1, got %g", pr.Compressibility)
	}
	v.keys(pr.Keys)
	v.headers(pr)
	v.payload(pr)
	if _, err := plan.ParseAcks(pr.Acks.String()); err != nil {
		v.report("producers.acks", "%v", err)
	}
	if _, err := plan.ParseCompression(string(pr.Compression)); err != nil {
		v.report("producers.compression", "%v", err)
	}
	if pr.BatchSize < 0 {
		v.report("producers.batch_size", "must not be negative (0 derives it), got %d", pr.BatchSize)
	}
	if pr.RequestTimeout <= 0 {
		v.report("producers.request_timeout", "must be greater than 0")
	}
	if strings.TrimSpace(pr.ClientID) == "" {
		v.report("producers.client_id", "must not be empty")
	}
	if _, err := plan.ParsePartitioner(string(pr.Partitioner)); err != nil {
		v.report("producers.partitioner", "%v", err)
	}
	if pr.BatchBytes < 1 {
		v.report("producers.batch_bytes", "must be at least 1B")
	}
	if pr.MaxInFlight < 1 {
		v.report("producers.max_in_flight", "must be at least 1, got %d", pr.MaxInFlight)
	}
	if pr.Linger < 0 {
		v.report("producers.linger", "must not be negative")
	}

	c := w.Consumers
	if c.Groups < 0 {
		v.report("consumers.groups", "must not be negative, got %d", c.Groups)
	}
	if c.Groups > 0 {
		if c.PerGroup < 1 {
			v.report("consumers.per_group", "must be at least 1 when consumers.groups is %d, got %d", c.Groups, c.PerGroup)
		}
		if c.FetchMinBytes < 1 {
			v.report("consumers.fetch_min_bytes", "must be at least 1B")
		}
		if c.FetchMaxBytes < c.FetchMinBytes {
			v.report("consumers.fetch_max_bytes", "%v is less than consumers.fetch_min_bytes (%v)", c.FetchMaxBytes, c.FetchMinBytes)
		}
		if c.MaxWait <= 0 {
			v.report("consumers.max_wait", "must be greater than 0")
		}
		if c.CommitInterval <= 0 {
			v.report("consumers.commit_interval", "must be greater than 0 (committing every message would measure commits, not throughput)")
		}
		if strings.TrimSpace(c.ClientID) == "" {
			v.report("consumers.client_id", "must not be empty")
		}
		if c.Isolation != "" {
			if _, err := plan.ParseIsolation(string(c.Isolation)); err != nil {
				v.report("consumers.isolation", "%v", err)
			}
		}
	}
	v.consumerStart(w)
	v.churn(c, p.Phases)
}

// clientProblems reports what the step asks of its client that the client
// cannot do (plan.Plan.ClientProblems, the one table of that), each at the
// field that asks for it — in its workload — or, for a setting left at its
// default, at the client field that chose the client.
func (v *validator) clientProblems(p plan.Plan) {
	defer func() { v.wl = -1 }()
	for _, pr := range p.ClientProblems() {
		msg := pr.String()
		if len(pr.Choices) > 0 {
			if s := suggest(pr.Value, pr.Choices); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
		}
		field, wl := cutWorkload(pr.Field)
		v.wl = wl
		if !v.written(field) {
			if _, ok := v.s.pos["client"]; ok || v.swept["client"] != "" {
				v.wl, field = -1, "client"
			}
		}
		v.report(field, "%s", msg)
	}
}

// cutWorkload splits a plan field path "workloads[2].producers.rate" into
// the field within the workload and the workload's index; a path outside
// the workloads is returned as it is, with -1.
func cutWorkload(field string) (string, int) {
	rest, ok := strings.CutPrefix(field, "workloads[")
	if !ok {
		return field, -1
	}
	num, rest, ok := strings.Cut(rest, "].")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 {
		return field, -1
	}
	return rest, i
}

// messageSize checks producers.message_size.
func (v *validator) messageSize(pr plan.Producers) {
	const f = "producers.message_size"
	d := pr.MessageSize
	atLeast := func(field string, z plan.Size) {
		if z < plan.MinMessageSize {
			v.report(field, "%v is below the %dB stamp every message starts with; want at least %dB", z, plan.MinMessageSize, plan.MinMessageSize)
		}
	}
	switch {
	case len(d.Weighted) > 0:
		for i, w := range d.Weighted {
			atLeast(fmt.Sprintf("%s[%d].size", f, i), w.Size)
			if !(w.Weight > 0) {
				v.report(fmt.Sprintf("%s[%d].weight", f, i), "must be greater than 0, got %g", w.Weight)
			}
		}
	case d.Fixed > 0:
		atLeast(f, d.Fixed)
	default:
		atLeast(f+".min", d.Min)
		if d.Min > d.Max {
			v.report(f+".min", "min %v is greater than max %v", d.Min, d.Max)
		}
	}
	if pr.BatchBytes > 0 && d.MaxSize() > pr.BatchBytes {
		v.report(f, "the largest message (%v) does not fit producers.batch_bytes (%v)", d.MaxSize(), pr.BatchBytes)
	}
}
