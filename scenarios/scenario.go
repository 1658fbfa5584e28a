// Package scenarios reads mskbench scenario files: the YAML schema, strict
// parsing with file:line:column errors, --set overrides, validation (once,
// every problem at once), the sweep axes and their expansion into
// plan.Plans, ramp and precondition plans, redaction of the source, and the
// built-in scenario library (embedded).
//
// Configuration flows one way: defaults (plan.Defaults, plan.DefaultAuth) →
// scenario file (Parse or Load) → overrides (Set) → Validate → Steps, which
// hands one plan.Plan per sweep point to the engine. docs/scenarios.md
// documents every field.
//
// scenarios imports plan, report (checks, ramp criteria), internal/suggest
// and the YAML decoder. It must not import load, auth, sizing, ramp or cmd,
// nor link a Kafka client or the AWS SDK even transitively: parsing and
// validating a scenario needs no cluster (.ci/check-deps checks it).
package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mskbench/mskbench/plan"
	"github.com/mskbench/mskbench/report"
)

// Scenario is a parsed scenario file: what to run against which cluster.
// Every field holds its default unless the file or an override set it. A
// Scenario is not safe for concurrent use while Set is called.
type Scenario struct {
	// Name names the scenario in results and topic labels (default: the
	// file's base name without .yaml); it must not be empty.
	Name string `json:"name"`
	// Description is a one-line summary, shown by mskbench scenarios.
	Description string `json:"description,omitempty"`
	// Cluster is the cluster under test and how to reach it.
	Cluster Cluster `json:"cluster"`
	// Client is the Kafka client library every step runs on: franz-go
	// (default) or kafka-go (see plan.Client and docs/clients.md).
	Client plan.Client `json:"client"`
	// Topics, Producers, Consumers and Phases are the settings of every
	// step (before sweep values), with the defaults of plan.Defaults.
	Topics    plan.Topics    `json:"topics"`
	Producers plan.Producers `json:"producers"`
	Consumers plan.Consumers `json:"consumers"`
	Phases    plan.Phases    `json:"phases"`
	// Verify turns on delivery verification of every consumed message.
	Verify bool `json:"verify"`
	// Workloads are named topic groups run at the same time, each with its
	// own topics, producers and consumers; a workload inherits every field
	// of the topics, producers and consumers blocks above that it does not
	// write itself (a field it writes replaces the inherited one whole).
	// Empty: the step is the blocks above.
	Workloads []plan.Workload `json:"workloads,omitempty"`
	// Sweep lists the values to run the scenario with, one step per point
	// of their cartesian product.
	Sweep Sweep `json:"sweep"`
	// Ramp, when not nil, steps the offered rate of every sweep point to
	// find the highest rate the cluster sustains (see Ramp).
	Ramp *Ramp `json:"ramp,omitempty"`
	// Precondition, when active, runs once before the first step (see
	// Precondition).
	Precondition *Precondition `json:"precondition,omitempty"`
	// Checks are evaluated over every step once the run completes, e.g.
	// "p99 < 20ms" or "error_rate == 0" (see docs/checks.md); a failed check
	// makes `mskbench run` exit with code 3. --check flags add to them.
	Checks []report.Check `json:"checks,omitempty"`

	// Source is the original text of the scenario file. It may hold anything
	// the user wrote: store Redacted instead.
	Source []byte `json:"-"`
	// File names the source: a path, or "builtin/NAME.yaml".
	File string `json:"-"`

	pos       map[string]position // YAML path → where its value was written
	overrides []string            // --set expressions applied, in order
}

// Cluster says which cluster to test and how to reach it.
type Cluster struct {
	// Brokers is the bootstrap host:port list, or ["embedded"] for an
	// in-process 3-broker cluster. Empty when cluster.auth.cluster_arn is set
	// and the brokers are to be discovered.
	Brokers []string `json:"brokers"`
	// InstanceType is the MSK broker instance type of the tested cluster, e.g.
	// "kafka.m7g.large" or "express.m7g.large" ("" = unknown). It describes
	// the cluster (for capacity planning and the burst-credit warning).
	InstanceType string `json:"instance_type,omitempty"`
	// BrokerCount is the number of brokers of the tested cluster (0 = unknown).
	BrokerCount int `json:"broker_count,omitempty"`
	// Auth is how clients authenticate (the cluster.auth block); see
	// plan.Auth and docs/auth.md.
	Auth plan.Auth `json:"auth"`
	// Monitoring says where to read broker metrics during the run (the
	// cluster.monitoring block); see plan.Monitoring and docs/monitoring.md.
	Monitoring plan.Monitoring `json:"monitoring"`
}

// Sweep lists values to run the scenario with. Steps runs the cartesian
// product of the non-empty lists, in the order of the fields below (the first
// field varies slowest). Each field is one sweep axis: its json tag is the
// sweep key, its sweep tag the plan field each value overrides; nothing
// else lists the axes, so adding one is adding a field here (and its row in
// docs/scenarios.md, which a test checks).
//
// A list that is written must not be empty nor repeat a value, and every
// value must be valid for the field it overrides; at most MaxSteps points.
type Sweep struct {
	Partitions      []int              `json:"partitions,omitempty" sweep:"topics.partitions"`        // partitions per topic; not with topics.existing
	MessageSize     []plan.SizeDist    `json:"message_size,omitempty" sweep:"producers.message_size"` // message sizes (any form)
	ProducerWorkers []int              `json:"producer_workers,omitempty" sweep:"producers.workers"`  // producer workers
	Rate            []plan.Rate        `json:"rate,omitempty" sweep:"producers.rate"`                 // total offered rates; not with a ramp
	ConsumerGroups  []int              `json:"consumer_groups,omitempty" sweep:"consumers.groups"`    // consumer groups
	Acks            []plan.Acks        `json:"acks,omitempty" sweep:"producers.acks"`                 // acknowledgement levels
	Compression     []plan.Compression `json:"compression,omitempty" sweep:"producers.compression"`   // codecs
	Client          []plan.Client      `json:"client,omitempty" sweep:"client"`                       // client libraries (franz-go, kafka-go)
}

// Embedded reports whether the scenario runs against the in-process cluster
// (cluster.brokers is [embedded]).
func (s *Scenario) Embedded() bool {
	return len(s.Cluster.Brokers) == 1 && s.Cluster.Brokers[0] == EmbeddedBrokers
}

// EmbeddedBrokers is the cluster.brokers entry that selects the in-process
// cluster.
const EmbeddedBrokers = "embedded"

// EmbeddedBrokerCount is the number of brokers of the in-process cluster.
const EmbeddedBrokerCount = 3

// Written reports whether the field at the YAML path was written in the
// file or by Set, rather than left at its default.
func (s *Scenario) Written(path string) bool { _, ok := s.pos[path]; return ok }

// Overrides returns the --set expressions applied to s, in order.
func (s *Scenario) Overrides() []string { return append([]string(nil), s.overrides...) }

// Default returns a scenario holding every default and nothing else: the
// embedded cluster and the plan defaults of plan.Defaults.
func Default() *Scenario {
	d := plan.Defaults()
	return &Scenario{
		Cluster: Cluster{
			Brokers:    []string{EmbeddedBrokers},
			Auth:       plan.DefaultAuth(),
			Monitoring: plan.DefaultMonitoring(),
		},
		Topics:    d.Topics,
		Producers: d.Producers,
		Consumers: d.Consumers,
		Phases:    d.Phases,
		Verify:    d.Verify,
		Client:    d.Client,
	}
}

// Dependent defaults, applied when the file leaves the field out.
const (
	defaultCardinality     = 1000 // producers.keys.cardinality for keyed modes
	defaultHotFraction     = 0.8  // producers.keys.hot_fraction for mode hot
	defaultExponent        = 1.0  // producers.keys.exponent for mode zipf
	defaultHeaderKeySize   = 8    // producers.headers.key_size with headers
	defaultHeaderValueSize = 32   // producers.headers.value_size with headers
	defaultChurnMembers    = 1    // consumers.churn.members with churn
)

// finish applies the defaults that depend on other fields, for the fields
// that were not written explicitly: in the producers and consumers blocks
// and in every workload's.
func (s *Scenario) finish() {
	set := func(p string) bool { _, ok := s.pos[p]; return ok }
	s.finishBlocks("", &s.Producers, &s.Consumers)
	for i := range s.Workloads {
		w := &s.Workloads[i]
		s.finishBlocks(fmt.Sprintf("workloads[%d].", i), &w.Producers, &w.Consumers)
	}
	if !set("phases.warmup") && s.catchUp() {
		// A catch-up step has no warm-up: its consumers are paused until
		// the measured phase.
		s.Phases.Warmup = 0
	}
	if s.Cluster.Auth.ClusterARN != "" && !set("cluster.brokers") {
		s.Cluster.Brokers = nil
	}
	s.finishRamp()
	if s.Name == "" && s.File != "" {
		base := path.Base(filepath.ToSlash(s.File))
		if base != "." && base != "/" {
			s.Name = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
		}
	}
}

// finishBlocks applies the dependent defaults of one producers and
// consumers block, whose YAML paths start with prefix.
func (s *Scenario) finishBlocks(prefix string, pr *plan.Producers, c *plan.Consumers) {
	set := func(p string) bool { _, ok := s.pos[prefix+p]; return ok }
	k := &pr.Keys
	if !set("producers.keys.cardinality") {
		k.Cardinality = 0
		if k.Keyed() {
			k.Cardinality = defaultCardinality
		}
	}
	if !set("producers.keys.hot_fraction") {
		k.HotFraction = 0
		if k.Mode == plan.KeysHot {
			k.HotFraction = defaultHotFraction
		}
	}
	if !set("producers.keys.exponent") {
		k.Exponent = 0
		if k.Mode == plan.KeysZipf {
			k.Exponent = defaultExponent
		}
	}
	h := &pr.Headers
	if !set("producers.headers.key_size") {
		h.KeySize = 0
		if h.Count > 0 {
			h.KeySize = defaultHeaderKeySize
		}
	}
	if !set("producers.headers.value_size") {
		h.ValueSize = 0
		if h.Count > 0 {
			h.ValueSize = defaultHeaderValueSize
		}
	}
	if pr.Payload.Active() && pr.Payload.Order == "" {
		pr.Payload.Order = plan.PayloadCycle
	}
	if !set("consumers.churn.members") {
		c.Churn.Members = 0
		if c.Churn.Active() {
			c.Churn.Members = defaultChurnMembers
		}
	}
}

// catchUp reports whether a step of the scenario is a catch-up step
// (plan.Plan.CatchUp), before sweep values.
func (s *Scenario) catchUp() bool {
	p := plan.Plan{Topics: s.Topics, Producers: s.Producers, Consumers: s.Consumers, Phases: s.Phases}
	p.Workloads = s.workloads()
	return p.CatchUp()
}

//go:embed *.yaml
var builtinFS embed.FS

// Info describes a built-in scenario.
type Info struct {
	Name        string // the name Load accepts, e.g. "quickstart"
	Description string // the scenario's description
}

// Builtins lists the built-in scenarios, sorted by name.
func Builtins() []Info {
	entries, err := fs.ReadDir(builtinFS, ".")
	if err != nil {
		return nil
	}
	var out []Info
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		info := Info{Name: name}
		if data, ok := BuiltinSource(name); ok {
			if s, err := Parse(builtinFile(name), data); err == nil {
				info.Description = s.Description
			}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// BuiltinSource returns the YAML text of the built-in scenario name.
func BuiltinSource(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	data, err := builtinFS.ReadFile(name + ".yaml")
	if err != nil {
		return nil, false
	}
	return data, true
}

// isBuiltin reports whether name is a built-in scenario.
func isBuiltin(name string) bool {
	_, ok := BuiltinSource(name)
	return ok
}

func builtinFile(name string) string { return "builtin/" + name + ".yaml" }

// Load reads the scenario nameOrPath: a file when one exists at that path,
// otherwise the built-in scenario of that name. An invalid scenario returns a
// *Errors error, as Parse does.
//
// A file is read only when it is a regular file of at most MaxSourceBytes
// (checked before reading, and the read itself is capped): a device such as
// /dev/zero, a FIFO or a directory is refused at once, as is a file that
// is not text. "-" reads standard input, with the same cap.
func Load(nameOrPath string) (*Scenario, error) {
	if nameOrPath == "-" {
		data, err := readCapped(os.Stdin, "standard input")
		if err != nil {
			return nil, err
		}
		return Parse("stdin", data)
	}
	data, err := readFile(nameOrPath)
	if err == nil {
		return Parse(nameOrPath, data)
	}
	// A directory is never a scenario: a directory named like a built-in
	// (a nightly job's "nightly/" of results, say) does not hide it.
	if st, serr := os.Stat(nameOrPath); !errors.Is(err, fs.ErrNotExist) && !(serr == nil && st.IsDir() && isBuiltin(nameOrPath)) {
		return nil, err
	}
	if data, ok := BuiltinSource(nameOrPath); ok {
		return Parse(builtinFile(nameOrPath), data)
	}
	names := make([]string, 0, 8)
	for _, b := range Builtins() {
		names = append(names, b.Name)
	}
	return nil, fmt.Errorf("scenario %q: no such file and no built-in scenario of that name (built-ins: %s)", nameOrPath, strings.Join(names, ", "))
}

// MaxSourceBytes is the largest scenario source Load and Parse accept
// (4 MiB, a thousand times the largest built-in scenario).
const MaxSourceBytes = 4 << 20

// readFile reads the scenario file name: a regular file of at most
// MaxSourceBytes. The error wraps fs.ErrNotExist when there is no file.
func readFile(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("scenario %s is a directory, not a YAML file", name)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("scenario %s is not a regular file (%s): give a YAML file, or - for standard input", name, describeMode(st.Mode()))
	case st.Size() > MaxSourceBytes:
		return nil, fmt.Errorf("scenario %s is %d bytes; a scenario file is at most %d bytes (%d MiB)", name, st.Size(), MaxSourceBytes, MaxSourceBytes>>20)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	defer f.Close()
	return readCapped(f, name)
}

// readCapped reads r (named name in errors), refusing more than
// MaxSourceBytes without reading further.
func readCapped(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario %s: %w", name, err)
	}
	if len(data) > MaxSourceBytes {
		return nil, fmt.Errorf("scenario %s is larger than %d bytes (%d MiB), the most a scenario file may hold", name, MaxSourceBytes, MaxSourceBytes>>20)
	}
	return data, nil
}

// describeMode names the kind of a non-regular file.
func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
