package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mskbench/mskbench/internal/embedded"
)

// A result file written by a real run through the CLI — a two-step sweep
// against the in-process cluster, with consumers, verification, checks and
// labels — validates against docs/result.schema.json.
func TestRunResultMatchesSchema(t *testing.T) {
	c := embedded.ForTest(t, 1)
	dir := t.TempDir()
	scen := filepath.Join(dir, "schema.yaml")
	if err := os.WriteFile(scen, []byte(`name: schema-test
topics: {count: 1, partitions: 2, replication_factor: 1}
producers: {workers: 1, rate: 200/s, message_size: 100B}
consumers: {groups: 1, per_group: 1}
phases: {warmup: 0s, duration: 1s, drain_timeout: 5s}
sweep:
  message_size: [100B, 200B]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	_, stderr, err := runCLI(t, "run", scen, "--brokers", strings.Join(c.Addrs(), ","), "-q", "-o", out,
		"--label", "job=schema", "--check", "error_rate == 0")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"labels"`, `"checks"`, `"verification"`, `"timeline"`, `"publish_us"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("result lacks %s", want)
		}
	}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	schema, err := comp.Compile(filepath.Join("..", "..", "docs", "result.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(v); err != nil {
		t.Errorf("the result of a real run does not validate against the schema: %v", err)
	}
}
