package scenarios

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestInvalid")

// TestInvalid parses and validates every testdata/invalid/NAME.yaml and
// compares the message the user sees with NAME.golden.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 18 {
		t.Fatalf("found %d invalid scenarios, want at least 18", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Use a stable file name, as the user would see it.
			s, err := Parse(name+".yaml", data)
			if err == nil {
				err = s.Validate(ValidateOptions{})
			}
			if err == nil {
				t.Fatal("the scenario was accepted, want an error")
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want Errors: %v", err, err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./scenarios -run TestInvalid -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestBuiltins(t *testing.T) {
	infos := Builtins()
	want := []string{"catch-up", "consumer-fanout", "find-limit", "fixed-rate-latency", "max-throughput", "message-size-sweep", "mixed", "nightly", "partition-sweep", "quickstart"}
	var got []string
	for _, b := range infos {
		got = append(got, b.Name)
		if b.Description == "" {
			t.Errorf("built-in %s has no description", b.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Builtins() = %v, want %v", got, want)
	}
	for _, name := range want {
		s, err := Load(name)
		if err != nil {
			t.Errorf("Load(%q): %v", name, err)
			continue
		}
		if s.Name != name {
			t.Errorf("built-in %s has name %q", name, s.Name)
		}
		if err := s.Validate(ValidateOptions{}); err != nil {
			t.Errorf("built-in %s does not validate:\n%v", name, err)
		}
		// Against a real 3-broker cluster too.
		if err := s.Set("cluster.brokers=b-1.example.com:9092,b-2.example.com:9092,b-3.example.com:9092"); err != nil {
			t.Errorf("%s: set brokers: %v", name, err)
		} else if err := s.Validate(ValidateOptions{BrokerCount: 3}); err != nil {
			t.Errorf("built-in %s does not validate against 3 brokers:\n%v", name, err)
		}
	}
	q, err := Load("quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if !q.Embedded() {
		t.Error("quickstart does not run on the embedded cluster")
	}
	if total := q.Phases.Warmup.D() + q.Phases.Duration.D(); total > 15*time.Second {
		t.Errorf("quickstart takes %v of load, want at most 15s", total)
	}
	if _, err := Load("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "quickstart") {
		t.Errorf("Load(no-such-scenario) error = %v, want one listing the built-ins", err)
	}
	if _, ok := BuiltinSource("../scenarios"); ok {
		t.Error("BuiltinSource accepted a path")
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte("producers: {rate: 10/s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "mine" || s.File != path {
		t.Errorf("Name, File = %q, %q; want mine, %s", s.Name, s.File, path)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse("min.yaml", []byte("name: min\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	steps := s.Steps()
	if len(steps) != 1 {
		t.Fatalf("got %d steps, want 1", len(steps))
	}
	p := steps[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"brokers", p.Brokers, []string{"embedded"}},
		{"acks", p.Producers.Acks, plan.AcksAll},
		{"linger", p.Producers.Linger.D(), 5 * time.Millisecond},
		{"batch_size", p.Producers.BatchSize, 0},
		{"client", s.Client, plan.ClientFranzGo},
		{"batch_bytes", p.Producers.BatchBytes, plan.Size(1 << 20)},
		{"max_in_flight", p.Producers.MaxInFlight, 2000},
		{"max_wait", p.Consumers.MaxWait.D(), 250 * time.Millisecond},
		{"commit_interval", p.Consumers.CommitInterval.D(), time.Second},
		{"verify", p.Verify, true},
		{"partitions", p.Topics.Partitions, 6},
		{"replication_factor", p.Topics.ReplicationFactor, 3},
		{"prefix", p.Topics.Prefix, "mskbench-"},
		{"compression", p.Producers.Compression, plan.CompressionNone},
		{"keys", p.Producers.Keys.Mode, plan.KeysNone},
		{"label", p.Label, ""},
		{"params", p.Params, map[string]string(nil)},
		{"scenario", p.Scenario, "min"},
		{"mechanism", s.Cluster.Auth.Mechanism, "auto"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	data, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("JSON of a scenario: %v", err)
	}
	if !strings.Contains(string(data), `"rate":"1000/s"`) {
		t.Errorf("JSON of a scenario lacks the rate: %s", data)
	}

	// Dependent defaults.
	s, err = Parse("keys.yaml", []byte("producers: {keys: hot}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k := s.Producers.Keys; k.Mode != plan.KeysHot || k.Cardinality != defaultCardinality || k.HotFraction != defaultHotFraction {
		t.Errorf("keys: hot gave %+v", k)
	}
	s, err = Parse("arn.yaml", []byte("cluster: {auth: {mechanism: iam, cluster_arn: \"arn:aws:kafka:us-east-1:123:cluster/x/y\"}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Cluster.Brokers) != 0 {
		t.Errorf("with cluster_arn and no brokers, Brokers = %v, want none (discovered)", s.Cluster.Brokers)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Errorf("cluster_arn without brokers: %v", err)
	}
}

func TestParseForms(t *testing.T) {
	src := `
name: forms
cluster:
  brokers: "a.example:9092, b.example:9092"
  auth: {mechanism: tls, tls: true}
topics: {configs: {retention.ms: 3600000, min.insync.replicas: 2}}
producers:
  rate: 50MiB/s
  message_size: [{size: 100B, weight: 3}, {size: 10KiB, weight: 1}]
  keys: {mode: random, cardinality: 50}
  acks: 1
consumers: {groups: 0}
`
	s, err := Parse("forms.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.example:9092", "b.example:9092"}; !reflect.DeepEqual(s.Cluster.Brokers, want) {
		t.Errorf("brokers = %q, want %q", s.Cluster.Brokers, want)
	}
	if s.Cluster.Auth.TLS == nil || !*s.Cluster.Auth.TLS {
		t.Error("tls: true not read")
	}
	if got := s.Topics.Configs["retention.ms"]; got != "3600000" {
		t.Errorf("retention.ms = %q", got)
	}
	if got := s.Producers.MessageSize.String(); got != "100B:3,10KiB:1" {
		t.Errorf("message_size = %s", got)
	}
	if s.Producers.Rate != (plan.Rate{Unit: plan.RateBytes, PerSec: 50 << 20}) || s.Producers.Acks != plan.AcksLeader {
		t.Errorf("rate, acks = %v, %v", s.Producers.Rate, s.Producers.Acks)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		expr    string
		check   func(s *Scenario) any
		want    any
		wantErr string // the exact error; "" = none
	}{
		{"producers.rate=2000/s", func(s *Scenario) any { return s.Producers.Rate.String() }, "2000/s", ""},
		{"producers.rate=max", func(s *Scenario) any { return s.Producers.Rate.IsMax() }, true, ""},
		{"topics.partitions=12", func(s *Scenario) any { return s.Topics.Partitions }, 12, ""},
		{"cluster.brokers=a:9092,b:9092", func(s *Scenario) any { return s.Cluster.Brokers }, []string{"a:9092", "b:9092"}, ""},
		{"cluster.brokers=[a:9092]", func(s *Scenario) any { return s.Cluster.Brokers }, []string{"a:9092"}, ""},
		{"sweep.partitions=[1,2]", func(s *Scenario) any { return s.Sweep.Partitions }, []int{1, 2}, ""},
		{"topics.configs.retention.ms=60000", func(s *Scenario) any { return s.Topics.Configs["retention.ms"] }, "60000", ""},
		{"producers.message_size={min: 100B, max: 2KiB}", func(s *Scenario) any { return s.Producers.MessageSize.String() }, "100B..2KiB", ""},
		{"topics.configs.retention.ms=", func(s *Scenario) any { return len(s.Topics.Configs) }, 0, ""},
		{"producers.rate=", func(s *Scenario) any { return s.Producers.Rate.String() }, "1000/s", ""},
		{"phases.warmup=", func(s *Scenario) any { return s.Phases.Warmup.D() }, 5 * time.Second, ""},
		{"producers.acks=all", func(s *Scenario) any { return s.Producers.Acks }, plan.AcksAll, ""},
		{"phases.duration=1m30s", func(s *Scenario) any { return s.Phases.Duration.D() }, 90 * time.Second, ""},
		{"verify=false", func(s *Scenario) any { return s.Verify }, false, ""},
		{"producers.keys={mode: random}", func(s *Scenario) any { return s.Producers.Keys.Cardinality }, defaultCardinality, ""},
		{"cluster.auth.tls=true", func(s *Scenario) any { return *s.Cluster.Auth.TLS }, true, ""},
		// Replacing a mapping resets the fields it leaves out to their defaults.
		{"phases={duration: 5s}", func(s *Scenario) any { return s.Phases.Warmup.D() }, 5 * time.Second, ""},
		{"producers.rate=fast", nil, nil, `--set: producers.rate: invalid rate "fast": want "max", messages per second ("5000/s", "5k/s") or bytes per second ("50MB/s", "50MiB/s")`},
		{"topics.partitons=12", nil, nil, `--set: topics.partitons: unknown field; did you mean "topics.partitions"?`},
		{"topics.partitions=twelve", nil, nil, `--set: topics.partitions: want an integer, got "twelve"`},
		{"producers", nil, nil, `--set: want path=value, e.g. producers.rate=2000/s, got "producers"`},
		{"cluster.auth.scram_password=x", nil, nil, "--set: cluster.auth.scram_password: " + plaintextPassword},
		{"producers.rate.per_sec=5", nil, nil, `--set: producers.rate.per_sec: set producers.rate whole, e.g. producers.message_size={min: 100B, max: 2KiB}`},
	}
	for _, tt := range tests {
		s, err := Parse("base.yaml", []byte("name: base\nphases: {warmup: 1s}\n"))
		if err != nil {
			t.Fatal(err)
		}
		before := s.clone()
		err = s.Set(tt.expr)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Set(%q) error = %v\nwant %s", tt.expr, err, tt.wantErr)
			}
			if !reflect.DeepEqual(s, before) {
				t.Errorf("failed Set(%q) changed the scenario", tt.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%q): %v", tt.expr, err)
			continue
		}
		if got := tt.check(s); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("after Set(%q) got %v, want %v", tt.expr, got, tt.want)
		}
		if o := s.Overrides(); len(o) != 1 || o[0] != tt.expr {
			t.Errorf("Overrides() = %q", o)
		}
	}
}

func TestSetValidatePosition(t *testing.T) {
	s, err := Parse("x.yaml", []byte("name: x\ntopics:\n  partitions: 6\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("topics.partitions=0"); err != nil {
		t.Fatal(err)
	}
	err = s.Validate(ValidateOptions{})
	if err == nil || err.Error() != "--set: topics.partitions: must be at least 1, got 0" {
		t.Errorf("Validate after a bad --set: %v", err)
	}
}

func TestSteps(t *testing.T) {
	tests := []struct {
		name   string
		sweep  string
		labels []string
		params []map[string]string
	}{
		{
			name:   "one list",
			sweep:  "sweep: {partitions: [12, 48, 96]}",
			labels: []string{"partitions=12", "partitions=48", "partitions=96"},
			params: []map[string]string{{"topics.partitions": "12"}, {"topics.partitions": "48"}, {"topics.partitions": "96"}},
		},
		{
			// The first field in the fixed order varies slowest, whatever the
			// order in the file.
			name:  "two lists",
			sweep: "sweep: {message_size: [100B, 1KiB, 10KiB], partitions: [12, 48]}",
			labels: []string{
				"partitions=12 message_size=100B", "partitions=12 message_size=1KiB", "partitions=12 message_size=10KiB",
				"partitions=48 message_size=100B", "partitions=48 message_size=1KiB", "partitions=48 message_size=10KiB",
			},
		},
		{
			name:   "all kinds",
			sweep:  "sweep: {compression: [lz4], acks: [\"1\"], consumer_groups: [2], rate: [5k/s], producer_workers: [3]}",
			labels: []string{"producer_workers=3 rate=5000/s consumer_groups=2 acks=1 compression=lz4"},
			params: []map[string]string{{"producers.workers": "3", "producers.rate": "5000/s", "consumers.groups": "2", "producers.acks": "1", "producers.compression": "lz4"}},
		},
		{name: "no sweep", sweep: "", labels: []string{""}, params: []map[string]string{nil}},
	}
	for _, tt := range tests {
		s, err := Parse("s.yaml", []byte("name: s\n"+tt.sweep+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if err := s.Validate(ValidateOptions{}); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		steps := s.Steps()
		if len(steps) != len(tt.labels) || s.StepCount() != len(tt.labels) {
			t.Errorf("%s: got %d steps (StepCount %d), want %d", tt.name, len(steps), s.StepCount(), len(tt.labels))
			continue
		}
		for i, p := range steps {
			if p.Label != tt.labels[i] || p.Index != i || p.Scenario != "s" {
				t.Errorf("%s: step %d = %d %q %q, want %d %q s", tt.name, i, p.Index, p.Label, p.Scenario, i, tt.labels[i])
			}
			if tt.params != nil && !reflect.DeepEqual(p.Params, tt.params[i]) {
				t.Errorf("%s: step %d params = %v, want %v", tt.name, i, p.Params, tt.params[i])
			}
		}
	}

	// The swept values reach the plans, and plans share no memory.
	s, err := Parse("s.yaml", []byte("name: s\ntopics: {configs: {a: b}}\nsweep: {partitions: [1, 2], message_size: [\"100B:1,1KiB:1\"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	steps := s.Steps()
	if steps[1].Topics.Partitions != 2 || steps[0].Producers.MessageSize.String() != "100B:1,1KiB:1" {
		t.Errorf("steps = %+v", steps)
	}
	steps[0].Topics.Configs["a"] = "changed"
	if steps[1].Topics.Configs["a"] != "b" || s.Topics.Configs["a"] != "b" {
		t.Error("plans share their Configs map")
	}
}

func TestRedacted(t *testing.T) {
	src := "name: r\n# see https://user:pa55@example.com/x\nextra_token: abc123\nnested:\n  secret:\n    key: value\n  kept: 1\n"
	s := &Scenario{Source: []byte(src), overrides: []string{"cluster.auth.scram_password=hunter2", "producers.rate=10/s"}}
	got := string(s.Redacted())
	for _, leak := range []string{"pa55", "abc123", "value", "hunter2"} {
		if strings.Contains(got, leak) {
			t.Errorf("Redacted() leaks %q:\n%s", leak, got)
		}
	}
	for _, kept := range []string{"name: r", "kept: 1", "# --set producers.rate=10/s", "extra_token: REDACTED"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Redacted() lost %q:\n%s", kept, got)
		}
	}
	q, err := Load("quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(q.Redacted()), string(q.Source); got != want {
		t.Errorf("Redacted() changed a scenario without secrets:\n%s", got)
	}
}

func TestErrorsFormat(t *testing.T) {
	e := Errors{
		{File: "b.yaml", Line: 2, Column: 1, Field: "x", Message: "m2"},
		{File: "b.yaml", Line: 1, Column: 5, Field: "y", Message: "m1"},
		{File: "--set", Field: "z", Message: "m3"},
	}
	want := "--set: z: m3\nb.yaml:1:5: y: m1\nb.yaml:2:1: x: m2"
	if got := e.err().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := suggest("partitons", []string{"count", "partitions", "prefix"}); got != "partitions" {
		t.Errorf("suggest = %q", got)
	}
	if got := suggest("zzzzzz", []string{"count", "partitions"}); got != "" {
		t.Errorf("suggest = %q, want none", got)
	}
}

// TestDocs parses every ```yaml block of docs/scenarios.md that starts with
// "name:" as a whole scenario, and checks that it validates (in a directory
// holding the payload sample its examples name).
func TestDocs(t *testing.T) {
	data, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "samples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "samples", "orders.ndjson"), []byte("{\"id\":1}\n{\"id\":2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	n := 0
	for i, b := range blocks {
		if !strings.HasPrefix(b[1], "name:") {
			continue
		}
		n++
		s, err := Parse("docs/scenarios.md", []byte(b[1]))
		if err == nil {
			err = s.Validate(ValidateOptions{})
		}
		if err != nil {
			t.Errorf("yaml block %d of docs/scenarios.md:\n%v\n%s", i, err, b[1])
		}
	}
	if n < 2 {
		t.Errorf("found %d scenario examples in docs/scenarios.md, want at least 2", n)
	}
}

// FuzzParse checks that Parse, Validate, Steps and Redacted never panic and
// that Parse returns either a scenario or Errors.
func FuzzParse(f *testing.F) {
	for _, b := range Builtins() {
		src, _ := BuiltinSource(b.Name)
		f.Add(src)
	}
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("producers: {message_size: {min: 1}}\n"))
	f.Add([]byte("sweep: {partitions: [1,2], rate: [1/s, max]}\ntopics: {existing: x}\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || len(*errs) == 0 {
				t.Fatalf("Parse error is %T %v, want Errors", err, err)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("Parse panicked: %v", err)
			}
			return
		}
		_ = s.Validate(ValidateOptions{})
		if s.StepCount() <= 1000 {
			_ = s.Steps()
		}
		_ = s.Redacted()
	})
}

// FuzzSet checks that Set never panics and leaves the scenario unchanged
// when it fails.
func FuzzSet(f *testing.F) {
	for _, seed := range []string{
		"producers.rate=2000/s", "topics.configs.a.b=c", "sweep.partitions=[1,2]", "producers.message_size=100B..2KiB",
		"cluster.auth.tls=", "=", "phases={duration: [1]}", "producers.keys=hot", "a.b.c.d=e", "topics.configs=",
		"workloads=[{name: a}, {name: b}]", "workloads[0].producers.rate=1/s", "workloads[x]=1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse("f.yaml", []byte("name: f\n"))
		if err != nil {
			t.Fatal(err)
		}
		before := s.clone()
		if err := s.Set(expr); err != nil {
			if !reflect.DeepEqual(s, before) {
				t.Fatalf("failed Set(%q) changed the scenario", expr)
			}
			return
		}
		_ = s.Validate(ValidateOptions{})
		_ = s.Steps()
		_ = s.Redacted()
	})
}
