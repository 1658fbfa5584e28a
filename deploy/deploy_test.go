package deploy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mskbench/mskbench/internal/shardenv"
)

// placeholders are the ${NAME} variables the files under deploy/ hold for the
// user to fill in (envsubst; the list is MSKBENCH_VARS in deploy/README.md),
// each with a plausible value for the tests.
var placeholders = map[string]string{
	"MSKBENCH_IMAGE":    "111122223333.dkr.ecr.eu-west-1.amazonaws.com/mskbench:v1.0.0",
	"AWS_REGION":        "eu-west-1",
	"AWS_ACCOUNT_ID":    "111122223333",
	"MSK_CLUSTER_NAME":  "orders",
	"MSK_CLUSTER_UUID":  "2f0c7e1a-5b3d-4c8e-9f1a-6d2b3c4e5f60-2",
	"RESULTS_BUCKET":    "example-perf-results",
	"RESULTS_PREFIX":    "mskbench",
	"EKS_OIDC_PROVIDER": "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
}

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// substitute replaces every ${NAME} in b with its test value, failing on a
// name that is not a known placeholder.
func substitute(t *testing.T, file string, b []byte) []byte {
	t.Helper()
	return placeholderRE.ReplaceAllFunc(b, func(m []byte) []byte {
		name := string(placeholderRE.FindSubmatch(m)[1])
		v, ok := placeholders[name]
		if !ok {
			t.Errorf("%s: unknown placeholder ${%s} (add it to MSKBENCH_VARS in deploy/README.md and to placeholders here)", file, name)
		}
		return []byte(v)
	})
}

// readSubstituted reads a file of deploy/ with its placeholders filled in.
func readSubstituted(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return substitute(t, file, b)
}

// deployFiles returns the files under deploy/ whose names end in one of exts.
func deployFiles(t *testing.T, exts ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && slices.Contains(exts, filepath.Ext(path)) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlaceholdersDocumented checks that every placeholder the files use is
// one the README tells the user to set, and that the README lists no other.
func TestPlaceholdersDocumented(t *testing.T) {
	used := map[string]bool{}
	for _, f := range deployFiles(t, ".yaml", ".json") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range placeholderRE.FindAllSubmatch(b, -1) {
			used[string(m[1])] = true
		}
		substitute(t, f, b) // reports unknown names
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^export MSKBENCH_VARS='([^']*)'`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("deploy/README.md: no line export MSKBENCH_VARS='${...} ...'")
	}
	listed := map[string]bool{}
	for _, v := range placeholderRE.FindAllSubmatch(m[1], -1) {
		listed[string(v[1])] = true
	}
	for name := range placeholders {
		if !used[name] {
			t.Errorf("placeholder %s is used by no file under deploy/", name)
		}
		if !listed[name] {
			t.Errorf("placeholder %s is not in MSKBENCH_VARS in deploy/README.md", name)
		}
	}
	for name := range listed {
		if _, ok := placeholders[name]; !ok {
			t.Errorf("MSKBENCH_VARS in deploy/README.md lists %s, which no test value covers", name)
		}
	}
}

// The mskbench binary, built once for the tests that run it.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// mskbenchPackage is the package the Dockerfile builds.
const mskbenchPackage = "./cmd/mskbench"

// binary builds mskbench as the Dockerfile does (CGO_ENABLED=0, -trimpath)
// and returns its path. It skips the test on a system other than Linux,
// where the result could neither be run nor be the image's binary.
func binary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("the image's binary is a Linux one; this is %s", runtime.GOOS)
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "mskbench-deploy-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mskbench")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", binPath, mskbenchPackage)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("CGO_ENABLED=0 go build %s: %v\n%s", mskbenchPackage, err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// runBinary runs the built mskbench with args and returns stdout, stderr
// and the error.
func runBinary(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()} // no AWS settings
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// runFlag is a flag of `mskbench run`.
type runFlag struct {
	name       string
	takesValue bool
}

var helpFlagRE = regexp.MustCompile(`^\s+(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)(\[=true\|false\])?(?: (\S+))?\s`)

// runFlags returns the flags `mskbench run` accepts, by long name and by
// shorthand: those its FlagSet prints with --help.
func runFlags(t *testing.T) map[string]runFlag {
	t.Helper()
	bin := binary(t)
	runFlagsOnce.Do(func() { runFlagsMap, runFlagsErr = readRunFlags(bin) })
	if runFlagsErr != nil {
		t.Fatal(runFlagsErr)
	}
	return runFlagsMap
}

var (
	runFlagsOnce sync.Once
	runFlagsMap  map[string]runFlag
	runFlagsErr  error
)

func readRunFlags(bin string) (map[string]runFlag, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "run", "--help") // help goes to stdout
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("mskbench run --help: %v\n%s", err, stderr.String())
	}
	flags := map[string]runFlag{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		m := helpFlagRE.FindStringSubmatch(line + " ")
		if m == nil {
			continue
		}
		f := runFlag{name: m[2], takesValue: m[3] == "" && m[4] != ""}
		flags["--"+f.name] = f
		if m[1] != "" {
			flags["-"+m[1]] = f
		}
	}
	// A sanity check of the parsing itself.
	for _, want := range []string{"--output", "-o", "--set", "--cluster-arn", "--auth", "--quiet"} {
		if _, ok := flags[want]; !ok {
			return nil, fmt.Errorf("mskbench run --help: found no %s in\n%s", want, stdout.String())
		}
	}
	if flags["--quiet"].takesValue || !flags["--output"].takesValue {
		return nil, fmt.Errorf("mskbench run --help: misread which flags take values: %+v %+v", flags["--quiet"], flags["--output"])
	}
	return flags, nil
}

// TestShardFlags checks that run's FlagSet defines every flag of the shard
// contract (the manifests use them) and that each takes a value, as the
// contract says.
func TestShardFlags(t *testing.T) {
	flags := runFlags(t)
	for _, f := range shardenv.Flags() {
		rf, ok := flags["--"+f.Name]
		if !ok {
			t.Errorf("run has no --%s (internal/shardenv.Flags)", f.Name)
			continue
		}
		if !rf.takesValue {
			t.Errorf("run's --%s takes no value; the shard contract gives it a %s", f.Name, f.Value)
		}
	}
}

// parseRunArgs parses a `mskbench run` command line (without the program
// name) against flags the way pflag does and returns the values of each flag
// (by long name) and the positional arguments.
func parseRunArgs(args []string, flags map[string]runFlag) (map[string][]string, []string, error) {
	if len(args) == 0 || args[0] != "run" {
		return nil, nil, fmt.Errorf("want the run subcommand first, got %q", args)
	}
	values := map[string][]string{}
	var positional []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		f, ok := flags[name]
		if !ok {
			return nil, nil, fmt.Errorf("%s: mskbench run has no such flag", name)
		}
		switch {
		case hasValue:
		case f.takesValue:
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%s: needs a value", name)
			}
			i++
			value = args[i]
		default:
			value = "true"
		}
		values[f.name] = append(values[f.name], value)
	}
	return values, positional, nil
}

func TestParseRunArgs(t *testing.T) {
	flags := map[string]runFlag{
		"--output": {name: "output", takesValue: true}, "-o": {name: "output", takesValue: true},
		"--quiet": {name: "quiet"}, "--shards": {name: "shards", takesValue: true},
	}
	values, pos, err := parseRunArgs([]string{"run", "s.yaml", "-o", "r.json", "--quiet", "--shards=6"}, flags)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pos, []string{"s.yaml"}) || !slices.Equal(values["output"], []string{"r.json"}) ||
		!slices.Equal(values["quiet"], []string{"true"}) || !slices.Equal(values["shards"], []string{"6"}) {
		t.Errorf("got %v %v", values, pos)
	}
	for _, bad := range [][]string{{"s.yaml"}, {"run", "--nope"}, {"run", "-o"}} {
		if _, _, err := parseRunArgs(bad, flags); err == nil {
			t.Errorf("parseRunArgs(%q): no error", bad)
		}
	}
}

// runCommand checks a `mskbench run` command line of a manifest or job
// definition: only flags run accepts, exactly one scenario, no --shard (the
// index comes from the engine, the command line is the same everywhere).
// It returns the flag values.
func runCommand(t *testing.T, where string, args []string) map[string][]string {
	t.Helper()
	values, positional, err := parseRunArgs(args, runFlags(t))
	if err != nil {
		t.Fatalf("%s: command line %q: %v", where, args, err)
	}
	if len(positional) != 1 {
		t.Errorf("%s: want exactly one scenario argument, got %q", where, positional)
	}
	if _, ok := values["shard"]; ok {
		t.Errorf("%s: --shard on a command line every shard shares: the index must come from the engine's environment", where)
	}
	for name, v := range values {
		if len(v) > 1 && name != "set" && name != "check" {
			t.Errorf("%s: --%s given %d times", where, name, len(v))
		}
	}
	return values
}

// phases returns warm-up + measure + drain bound of a scenario, from
// `mskbench validate`, which also checks it.
func phases(t *testing.T, scenario string) time.Duration {
	t.Helper()
	stdout, stderr, err := runBinary(t, "validate", scenario)
	if err != nil {
		t.Fatalf("mskbench validate %s: %v\n%s%s", scenario, err, stdout, stderr)
	}
	re := regexp.MustCompile(`phases\s+warm-up (\S+), measure (\S+), drain ≤ (\S+),`)
	var total time.Duration
	for _, m := range re.FindAllStringSubmatch(stdout, -1) {
		for _, s := range m[1:] {
			d, err := time.ParseDuration(s)
			if err != nil {
				t.Fatalf("mskbench validate %s: phase %q: %v", scenario, s, err)
			}
			total += d
		}
	}
	if total == 0 {
		t.Fatalf("mskbench validate %s: no phases in\n%s", scenario, stdout)
	}
	return total
}

// topicPrefix returns the topic (and group) name prefix of a scenario's
// steps, from `mskbench validate`.
func topicPrefix(t *testing.T, scenario string) string {
	t.Helper()
	stdout, stderr, err := runBinary(t, "validate", scenario)
	if err != nil {
		t.Fatalf("mskbench validate %s: %v\n%s", scenario, err, stderr)
	}
	m := regexp.MustCompile(`prefix (\S+), keep`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("mskbench validate %s: no topic prefix in\n%s", scenario, stdout)
	}
	return m[1]
}

// barrierTimeout returns the value of --barrier-timeout, or its default.
func barrierTimeout(t *testing.T, where string, values map[string][]string) time.Duration {
	t.Helper()
	if v := values["barrier-timeout"]; len(v) == 1 {
		d, err := time.ParseDuration(v[0])
		if err != nil || d <= 0 {
			t.Fatalf("%s: --barrier-timeout %q: want a positive duration", where, v[0])
		}
		return d
	}
	return shardenv.DefaultBarrierTimeout
}

// checkContract starts count shards of one command line the way an engine
// does — env(i) is shard i's environment — and checks that shardenv gives
// them the indexes 0..count-1 and one run id, wantRunID.
func checkContract(t *testing.T, where string, values map[string][]string, count int, env func(i int) map[string]string, wantRunID string) {
	t.Helper()
	shards, shardsSet := 0, false
	if v := values["shards"]; len(v) == 1 {
		if _, err := fmt.Sscan(v[0], &shards); err != nil {
			t.Fatalf("%s: --shards %q: %v", where, v[0], err)
		}
		shardsSet = true
	}
	runIDFlag, runIDSet := "", false
	if v := values["run-id"]; len(v) == 1 {
		runIDFlag, runIDSet = v[0], true
	}
	for i := range count {
		e := env(i)
		getenv := func(k string) string { return e[k] }
		// Kubernetes expands $(VAR) in args from the container's environment.
		expanded := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(runIDFlag, func(m string) string {
			return e[m[2:len(m)-1]]
		})
		s, err := shardenv.Resolve(0, shards, false, shardsSet, getenv)
		if err != nil {
			t.Fatalf("%s: shard %d of %d: %v", where, i, count, err)
		}
		if s.Index != i || s.Count != count {
			t.Errorf("%s: process %d of %d resolves to %v", where, i, count, s)
		}
		id, _, err := shardenv.RunID(expanded, runIDSet, s.Count, getenv)
		if err != nil {
			t.Fatalf("%s: shard %d: run id: %v", where, i, err)
		}
		if id != wantRunID {
			t.Errorf("%s: shard %d: run id %q, want %q on every shard", where, i, id, wantRunID)
		}
	}
}
