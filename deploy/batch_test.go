package deploy

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/mskbench/mskbench/internal/shardenv"
)

const batchDir = "aws-batch"

// batchDef is a decoded job definition.
type batchDef struct {
	file string
	in   batch.RegisterJobDefinitionInput
}

// loadBatchDefs decodes every job definition in deploy/aws-batch into the
// AWS SDK's RegisterJobDefinitionInput, the shape `aws batch
// register-job-definition --cli-input-json` takes: unknown fields fail, and
// so does a key whose case differs from the API's member name (encoding/json
// alone would accept it).
func loadBatchDefs(t *testing.T) []batchDef {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(batchDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var defs []batchDef
	for _, f := range files {
		b := readSubstituted(t, f)
		d := batchDef{file: f}
		if err := decodeStrict(b, &d.in); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var raw any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if err := checkKeys(raw, reflect.TypeOf(d.in), ""); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		defs = append(defs, d)
	}
	if len(defs) != 2 {
		t.Fatalf("want 2 job definitions in %s, got %d", batchDir, len(defs))
	}
	return defs
}

// checkKeys walks a decoded JSON value beside the Go type it was decoded
// into and requires every object key to be the API's member name: the Go
// field name with a lower-case first letter.
func checkKeys(v any, typ reflect.Type, path string) error {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if typ.Kind() == reflect.Map {
			for k, e := range x {
				if err := checkKeys(e, typ.Elem(), path+"."+k); err != nil {
					return err
				}
			}
			return nil
		}
		if typ.Kind() != reflect.Struct {
			return fmt.Errorf("%s: an object where the API has %s", path, typ)
		}
		for k, e := range x {
			if k == "" || !unicode.IsLower(rune(k[0])) {
				return fmt.Errorf("%s.%s: API member names start with a lower-case letter", path, k)
			}
			f, ok := typ.FieldByName(string(unicode.ToUpper(rune(k[0]))) + k[1:])
			if !ok || !f.IsExported() {
				return fmt.Errorf("%s.%s: no such member (names are case-sensitive)", path, k)
			}
			if err := checkKeys(e, f.Type, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if typ.Kind() != reflect.Slice {
			return fmt.Errorf("%s: a list where the API has %s", path, typ)
		}
		for i, e := range x {
			if err := checkKeys(e, typ.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestCheckKeys(t *testing.T) {
	var in batch.RegisterJobDefinitionInput
	for _, tt := range []struct {
		js   string
		fail bool
	}{
		{`{"jobDefinitionName": "x", "containerProperties": {"image": "i"}}`, false},
		{`{"JobDefinitionName": "x"}`, true},              // wrong case
		{`{"containerProperties": {"Image": "i"}}`, true}, // wrong case, nested
		{`{"nodeProperties": {"nodeRangeProperties": [{"targetnodes": "0:"}]}}`, true},
		{`{"parameters": {"AnyKey": "v"}}`, false}, // map keys are free
	} {
		var raw any
		if err := json.Unmarshal([]byte(tt.js), &raw); err != nil {
			t.Fatal(err)
		}
		if err := checkKeys(raw, reflect.TypeOf(in), ""); (err != nil) != tt.fail {
			t.Errorf("checkKeys(%s): got %v, want failure %t", tt.js, err, tt.fail)
		}
	}
}

// resources returns a container's VCPU and MEMORY (MiB) requirements.
func resources(t *testing.T, where string, rr []types.ResourceRequirement) (vcpu float64, mem int) {
	t.Helper()
	for _, r := range rr {
		switch r.Type {
		case types.ResourceTypeVcpu:
			vcpu, _ = strconv.ParseFloat(*r.Value, 64)
		case types.ResourceTypeMemory:
			mem, _ = strconv.Atoi(*r.Value)
		}
	}
	if vcpu < 2 || mem <= 0 {
		t.Errorf("%s: want VCPU >= 2 per generator and MEMORY, got %v vCPU, %d MiB", where, vcpu, mem)
	}
	return vcpu, mem
}

// fargateMemory lists the memory sizes (MiB) Fargate allows per vCPU count
// above 0.25 (which takes 512, 1024 or 2048): from, to, step.
var fargateMemory = map[float64][3]int{
	0.5: {1024, 4096, 1024},
	1:   {2048, 8192, 1024},
	2:   {4096, 16384, 1024},
	4:   {8192, 30720, 1024},
	8:   {16384, 61440, 4096},
	16:  {32768, 122880, 8192},
}

func fargateValid(vcpu float64, mem int) bool {
	if vcpu == 0.25 {
		return mem == 512 || mem == 1024 || mem == 2048
	}
	r, ok := fargateMemory[vcpu]
	return ok && mem >= r[0] && mem <= r[1] && (mem-r[0])%r[2] == 0
}

// checkBatchContainer checks what both job definitions' containers share:
// the image, a role, a run command line with only known flags and defined
// parameters, no reserved or contract variables set by hand.
func checkBatchContainer(t *testing.T, d batchDef, image, jobRole *string, command []string, env []types.KeyValuePair, user *string) map[string][]string {
	t.Helper()
	if image == nil || *image != placeholders["MSKBENCH_IMAGE"] {
		t.Errorf("%s: image %s: want ${MSKBENCH_IMAGE}", d.file, show(image))
	}
	if jobRole == nil || !strings.HasPrefix(*jobRole, "arn:aws:iam::"+placeholders["AWS_ACCOUNT_ID"]+":role/") {
		t.Errorf("%s: jobRoleArn %s: want the job role (permissions: deploy/iam/mskbench-run.json)", d.file, show(jobRole))
	}
	if user != nil && (*user == "0" || *user == "root") {
		t.Errorf("%s: runs as root", d.file)
	}
	// Batch substitutes Ref::name from parameters; an unknown one stays literal.
	for _, a := range command {
		if name, ok := strings.CutPrefix(a, "Ref::"); ok {
			if _, ok := d.in.Parameters[name]; !ok {
				t.Errorf("%s: command uses %s, which parameters do not define", d.file, a)
			}
		}
	}
	// What the command line says once Batch has substituted the defaults.
	resolved := make([]string, len(command))
	for i, a := range command {
		resolved[i] = a
		if name, ok := strings.CutPrefix(a, "Ref::"); ok {
			resolved[i] = d.in.Parameters[name]
		}
	}
	// The image's entrypoint is mskbench: the command is its arguments.
	values := runCommand(t, d.file, resolved)
	if _, ok := values["shards"]; ok {
		t.Errorf("%s: --shards on the command line: the count comes from the engine (numNodes / array size), so a submit-time override just works", d.file)
	}
	if out := values["output"]; len(out) != 1 || !strings.HasPrefix(out[0], "s3://") {
		t.Errorf("%s: -o %v: want an s3:// result key", d.file, out)
	}
	for _, e := range env {
		name := *e.Name
		if strings.HasPrefix(name, "AWS_BATCH_") {
			t.Errorf("%s: sets %s: AWS_BATCH_ is AWS Batch's reserved prefix", d.file, name)
		}
		for _, v := range shardenv.Variables() {
			if v.Name == name {
				t.Errorf("%s: sets %s by hand; the shard contract reads it from the engine", d.file, name)
			}
		}
	}
	return values
}

// TestBatchJobDefinitions checks the multi-node parallel (EC2) and array
// (Fargate) job definitions and starts each one's shards on paper through
// the shard contract.
func TestBatchJobDefinitions(t *testing.T) {
	const jobID = "0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c"
	var sawMNP, sawArray bool
	for _, d := range loadBatchDefs(t) {
		in := d.in
		if in.JobDefinitionName == nil || !strings.HasPrefix(*in.JobDefinitionName, "mskbench") {
			t.Errorf("%s: jobDefinitionName %s: want mskbench...", d.file, show(in.JobDefinitionName))
		}
		// One attempt: a retried shard could not rejoin the run.
		if in.RetryStrategy == nil || in.RetryStrategy.Attempts == nil || *in.RetryStrategy.Attempts != 1 {
			t.Errorf("%s: want retryStrategy.attempts 1", d.file)
		}
		if in.Timeout == nil || in.Timeout.AttemptDurationSeconds == nil {
			t.Fatalf("%s: want a timeout", d.file)
		}
		deadline := time.Duration(*in.Timeout.AttemptDurationSeconds) * time.Second

		switch in.Type {
		case types.JobDefinitionTypeMultinode:
			sawMNP = true
			np := in.NodeProperties
			if np == nil || np.NumNodes == nil || np.MainNode == nil {
				t.Fatalf("%s: multinode without nodeProperties.numNodes and mainNode", d.file)
			}
			if slices.Contains(in.PlatformCapabilities, types.PlatformCapabilityFargate) {
				t.Errorf("%s: multi-node parallel jobs run on EC2 only", d.file)
			}
			if in.ContainerProperties != nil {
				t.Errorf("%s: multinode with top-level containerProperties", d.file)
			}
			n := int(*np.NumNodes)
			if n < 2 {
				t.Errorf("%s: numNodes %d: want 2 or more", d.file, n)
			}
			if *np.MainNode != 0 {
				t.Errorf("%s: mainNode %d: shard 0 writes the merged result and the job ends when the main node exits: want 0", d.file, *np.MainNode)
			}
			// Every node, 0..numNodes-1, is in exactly one range, with one command line.
			covered := make([]int, n)
			var command []string
			for _, r := range np.NodeRangeProperties {
				lo, hi, err := nodeRange(*r.TargetNodes, n)
				if err != nil {
					t.Fatalf("%s: targetNodes %q: %v", d.file, *r.TargetNodes, err)
				}
				for i := lo; i <= hi; i++ {
					covered[i]++
				}
				if r.Container == nil {
					t.Fatalf("%s: node range %s has no container", d.file, *r.TargetNodes)
				}
				c := r.Container
				if command != nil && !slices.Equal(command, c.Command) {
					t.Errorf("%s: node ranges run different command lines", d.file)
				}
				command = c.Command
				values := checkBatchContainer(t, d, c.Image, c.JobRoleArn, c.Command, c.Environment, c.User)
				resources(t, d.file, c.ResourceRequirements)
				checkDeadline(t, d, values, deadline)
				checkContract(t, d.file, values, n, func(i int) map[string]string {
					return map[string]string{
						shardenv.EnvBatchNodeIndex: strconv.Itoa(i), shardenv.EnvBatchNumNodes: strconv.Itoa(n),
						shardenv.EnvBatchMainNodeIndex: strconv.Itoa(int(*np.MainNode)), shardenv.EnvBatchJobID: jobID + "#" + strconv.Itoa(i),
					}
				}, jobID)
			}
			for i, c := range covered {
				if c != 1 {
					t.Errorf("%s: node %d is in %d node ranges, want 1", d.file, i, c)
				}
			}

		case types.JobDefinitionTypeContainer:
			sawArray = true
			if !slices.Equal(in.PlatformCapabilities, []types.PlatformCapability{types.PlatformCapabilityFargate}) {
				t.Errorf("%s: platformCapabilities %v: want [FARGATE]", d.file, in.PlatformCapabilities)
			}
			if in.NodeProperties != nil {
				t.Errorf("%s: an array job definition with nodeProperties", d.file)
			}
			c := in.ContainerProperties
			if c == nil {
				t.Fatalf("%s: no containerProperties", d.file)
			}
			values := checkBatchContainer(t, d, c.Image, c.JobRoleArn, c.Command, c.Environment, c.User)
			if c.ExecutionRoleArn == nil || !strings.Contains(*c.ExecutionRoleArn, ":role/") {
				t.Errorf("%s: Fargate needs executionRoleArn (image pull, logs)", d.file)
			}
			if c.NetworkConfiguration == nil || c.NetworkConfiguration.AssignPublicIp == "" {
				t.Errorf("%s: Fargate wants networkConfiguration.assignPublicIp", d.file)
			}
			if c.Vcpus != nil || c.Memory != nil {
				t.Errorf("%s: Fargate takes resourceRequirements, not vcpus/memory", d.file)
			}
			vcpu, mem := resources(t, d.file, c.ResourceRequirements)
			if !fargateValid(vcpu, mem) {
				t.Errorf("%s: %v vCPU with %d MiB is not a Fargate size", d.file, vcpu, mem)
			}
			for _, e := range c.Environment {
				if *e.Name == "GOMAXPROCS" && *e.Value != strconv.Itoa(int(vcpu)) {
					t.Errorf("%s: GOMAXPROCS %s, but the job has %v vCPU", d.file, *e.Value, vcpu)
				}
			}
			checkDeadline(t, d, values, deadline)
			// The array size is given at submission; check a six-child array.
			const size = 6
			checkContract(t, d.file, values, size, func(i int) map[string]string {
				return map[string]string{
					shardenv.EnvBatchArrayIndex: strconv.Itoa(i), shardenv.EnvBatchArraySize: strconv.Itoa(size),
					shardenv.EnvBatchJobID: jobID + ":" + strconv.Itoa(i),
				}
			}, jobID)
		default:
			t.Errorf("%s: type %q", d.file, in.Type)
		}
	}
	if !sawMNP || !sawArray {
		t.Errorf("want a multinode and a container (array) job definition; multinode %t, array %t", sawMNP, sawArray)
	}
}

// checkDeadline checks that the attempt timeout leaves room for the barrier
// and every phase of the scenario the job runs by default.
func checkDeadline(t *testing.T, d batchDef, values map[string][]string, deadline time.Duration) {
	t.Helper()
	scenario := d.in.Parameters["scenario"]
	need := barrierTimeout(t, d.file, values) + phases(t, scenario)
	if deadline < need {
		t.Errorf("%s: timeout %v is shorter than barrier timeout + phases of %s (%v)", d.file, deadline, scenario, need)
	}
}

// nodeRange parses targetNodes ("0:", ":5", "2:4", "3") for a job of n nodes.
func nodeRange(s string, n int) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, ":")
	atoi := func(x string, def int) (int, error) {
		if x == "" {
			return def, nil
		}
		return strconv.Atoi(x)
	}
	if lo, err = atoi(a, 0); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = atoi(b, n-1); err != nil {
			return 0, 0, err
		}
	}
	if lo < 0 || hi >= n || lo > hi {
		return 0, 0, fmt.Errorf("outside 0..%d", n-1)
	}
	return lo, hi, nil
}
