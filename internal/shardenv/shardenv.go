// Package shardenv is the environment contract of a distributed run: it
// resolves which shard of the run this process is, how many shards there are,
// and the run id all of them share, from the flags of `mskbench run` and the
// environment a job engine gives each process.
//
// Shard index and count, first match wins:
//
//	--shard I --shards N            explicit; wins over any engine variable
//	JOB_COMPLETION_INDEX            Kubernetes Indexed Job; N from --shards (required)
//	AWS_BATCH_JOB_NODE_INDEX        AWS Batch multi-node parallel job; N from AWS_BATCH_JOB_NUM_NODES
//	AWS_BATCH_JOB_ARRAY_INDEX       AWS Batch array job; N from AWS_BATCH_JOB_ARRAY_SIZE or --shards
//	none of them                    shard 0 of 1 (--shards N > 1 without an index is an error)
//
// Where the engine gives a count and --shards is given too, they must agree:
// the engine's index is relative to the engine's count. Two engine indexes
// that disagree are an error, as is an AWS Batch main node other than node 0
// (shard 0 writes the merged result, and a multi-node parallel job ends when
// its main node exits).
//
// Run id, first match wins:
//
//	--run-id ID
//	MSKBENCH_RUN_ID                 set by deploy/kubernetes from the Job name (downward API,
//	                                metadata.labels['batch.kubernetes.io/job-name'])
//	AWS_BATCH_JOB_ID                without the ":I" of an array child or the "#I" of a
//	                                multi-node parallel node, so that every shard agrees
//	none                            the caller picks a random id; only a run of one shard may
//
// Everything here is a pure function of its arguments: the environment is
// read through a getenv function (os.Getenv in main, a map in tests).
package shardenv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Environment variables the contract reads.
const (
	EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"          // Kubernetes Indexed Job: this pod's index
	EnvBatchNodeIndex     = "AWS_BATCH_JOB_NODE_INDEX"      // AWS Batch multi-node parallel: this node's index
	EnvBatchNumNodes      = "AWS_BATCH_JOB_NUM_NODES"       // AWS Batch multi-node parallel: node count
	EnvBatchMainNodeIndex = "AWS_BATCH_JOB_MAIN_NODE_INDEX" // AWS Batch multi-node parallel: the main node's index
	EnvBatchArrayIndex    = "AWS_BATCH_JOB_ARRAY_INDEX"     // AWS Batch array job: this child's index
	EnvBatchArraySize     = "AWS_BATCH_JOB_ARRAY_SIZE"      // AWS Batch array job: the array's size
	EnvBatchJobID         = "AWS_BATCH_JOB_ID"              // AWS Batch: this job's id (children carry a suffix)
	EnvRunID              = "MSKBENCH_RUN_ID"               // the run id, set by the Kubernetes manifests
)

// Engines, as named in Variable.Engine.
const (
	EngineKubernetes     = "kubernetes"      // Kubernetes Indexed Job
	EngineBatchMultiNode = "aws-batch-mnp"   // AWS Batch multi-node parallel job (EC2)
	EngineBatchArray     = "aws-batch-array" // AWS Batch array job (EC2 or Fargate)
	EngineBatch          = "aws-batch"       // either kind of AWS Batch job
)

// MaxShards is the largest shard count accepted: AWS Batch's largest array.
const MaxShards = 10000

// DefaultBarrierTimeout is the default of --barrier-timeout.
const DefaultBarrierTimeout = 5 * time.Minute

// Variable describes one environment variable of the contract.
type Variable struct {
	Name   string // e.g. "JOB_COMPLETION_INDEX"
	Engine string // the engine that sets it: one of the Engine constants
	Role   string // "index", "count", "main node" or "run id"
	SetBy  string // who sets it, in a few words
}

// Variables returns every environment variable Resolve and RunID read, in
// the order they are consulted. Manifests and job definitions are tested
// against this list.
func Variables() []Variable {
	return []Variable{
		{EnvJobCompletionIndex, EngineKubernetes, "index", "the Job controller, for completionMode: Indexed"},
		{EnvBatchNodeIndex, EngineBatchMultiNode, "index", "AWS Batch, on every node of a multi-node parallel job"},
		{EnvBatchNumNodes, EngineBatchMultiNode, "count", "AWS Batch, on every node of a multi-node parallel job"},
		{EnvBatchMainNodeIndex, EngineBatchMultiNode, "main node", "AWS Batch, on every node of a multi-node parallel job"},
		{EnvBatchArrayIndex, EngineBatchArray, "index", "AWS Batch, in every child of an array job"},
		{EnvBatchArraySize, EngineBatchArray, "count", "AWS Batch, in every child of an array job"},
		{EnvRunID, EngineKubernetes, "run id", "the manifest, from the Job name through the downward API"},
		{EnvBatchJobID, EngineBatch, "run id", "AWS Batch, in every job"},
	}
}

// Flag describes a flag of `mskbench run` that the shard contract defines.
// cmd/mskbench registers them under these names; the deploy tests check
// manifests and job definitions against them.
type Flag struct {
	Name    string // without the leading "--"
	Value   string // "int", "string" or "duration": every one takes a value
	Default string // as shown in the help ("" for none)
	Usage   string
}

// Flags returns the flags of `mskbench run` that the shard contract defines.
func Flags() []Flag {
	return []Flag{
		{"shards", "int", "1", "number of processes the run spans (default from the engine: AWS_BATCH_JOB_NUM_NODES, AWS_BATCH_JOB_ARRAY_SIZE)"},
		{"shard", "int", "", "this process's shard index, 0..shards-1 (default from the engine: JOB_COMPLETION_INDEX, AWS_BATCH_JOB_NODE_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)"},
		{"run-id", "string", "", "id shared by every shard of the run; names its topics and groups (default MSKBENCH_RUN_ID, then AWS_BATCH_JOB_ID without its child suffix, else random for a single shard)"},
		{"barrier-timeout", "duration", DefaultBarrierTimeout.String(), "how long shards wait for each other at the start before the run fails, naming the missing ones"},
	}
}

// Shard is this process's place in a run. The zero value is not valid; a
// single-process run is Shard{Index: 0, Count: 1}.
type Shard struct {
	Index int // 0 <= Index < Count; shard 0 owns topic and group lifecycle, the start and the merged result
	Count int // 1 <= Count <= MaxShards
	// Source names where Index came from: "--shard", the name of an
	// engine variable, or "" for a single process that was given none.
	Source string
	// Overridden lists the engine variables (NAME=value) that were set but
	// lost to --shard/--shards, for a log line; nil when none.
	Overridden []string
}

// String returns e.g. "shard 2 of 6 (JOB_COMPLETION_INDEX)".
func (s Shard) String() string {
	if s.Source == "" {
		return fmt.Sprintf("shard %d of %d", s.Index, s.Count)
	}
	return fmt.Sprintf("shard %d of %d (%s)", s.Index, s.Count, s.Source)
}

// indexSource is an engine's index variable and the variable holding its
// count ("" when the engine gives none).
type indexSource struct {
	index, count, engine string
}

var indexSources = []indexSource{
	{EnvJobCompletionIndex, "", "Kubernetes Indexed Job"},
	{EnvBatchNodeIndex, EnvBatchNumNodes, "AWS Batch multi-node parallel job"},
	{EnvBatchArrayIndex, EnvBatchArraySize, "AWS Batch array job"},
}

// Resolve returns this process's shard from the --shard and --shards flags
// (their values and whether each was set on the command line) and the
// environment, read through getenv. The rules are in the package comment.
// Its errors name the flag or variable and its value; every one is a usage
// error (nothing has been started).
func Resolve(flagShard, flagShards int, flagShardSet, flagShardsSet bool, getenv func(string) string) (Shard, error) {
	if flagShardsSet {
		if err := checkCount(fmt.Sprintf("--shards %d", flagShards), flagShards); err != nil {
			return Shard{}, err
		}
	}
	if flagShardSet {
		if !flagShardsSet {
			return Shard{}, fmt.Errorf("--shard %d needs --shards N, the number of shards in the run", flagShard)
		}
		if flagShard < 0 || flagShard >= flagShards {
			return Shard{}, fmt.Errorf("--shard %d is out of range for --shards %d: want 0..%d", flagShard, flagShards, flagShards-1)
		}
		s := Shard{Index: flagShard, Count: flagShards, Source: "--shard"}
		for _, v := range Variables() {
			if v.Role != "run id" && getenv(v.Name) != "" {
				s.Overridden = append(s.Overridden, v.Name+"="+getenv(v.Name))
			}
		}
		return s, nil
	}

	var (
		found     *indexSource // the first engine index that is set
		index     int
		count     = -1   // -1: not known yet
		countFrom string // where count came from, as "--shards N" or "NAME=N"
	)
	if flagShardsSet {
		count, countFrom = flagShards, fmt.Sprintf("--shards %d", flagShards)
	}
	for i := range indexSources {
		src := &indexSources[i]
		raw := getenv(src.index)
		if raw == "" {
			continue
		}
		n, err := parseIndex(src.index, raw)
		if err != nil {
			return Shard{}, err
		}
		if found != nil && n != index {
			return Shard{}, fmt.Errorf("%s=%d and %s=%d disagree: a process can be only one shard; unset the one the engine did not set",
				found.index, index, src.index, n)
		}
		if found == nil {
			found, index = src, n
		}
		if src.count == "" || getenv(src.count) == "" {
			continue
		}
		raw = getenv(src.count)
		c, err := strconv.Atoi(raw)
		if err != nil || !isDigits(raw) {
			return Shard{}, fmt.Errorf("%s=%q is not a shard count (want a whole number 1..%d)", src.count, raw, MaxShards)
		}
		if err := checkCount(src.count+"="+raw, c); err != nil {
			return Shard{}, err
		}
		if count >= 0 && c != count {
			return Shard{}, fmt.Errorf("%s and %s=%d disagree: the %s's index is relative to its own count; drop the other or make them equal",
				countFrom, src.count, c, src.engine)
		}
		count, countFrom = c, src.count+"="+raw
	}

	if found == nil {
		if flagShardsSet && flagShards > 1 {
			return Shard{}, fmt.Errorf("--shards %d without a shard index: pass --shard I, or run under an engine that sets %s, %s or %s",
				flagShards, EnvJobCompletionIndex, EnvBatchNodeIndex, EnvBatchArrayIndex)
		}
		return Shard{Index: 0, Count: 1}, nil
	}
	if count < 0 {
		hint := "pass --shards N"
		if found.count != "" {
			hint = found.count + " is not set either; pass --shards N"
		}
		return Shard{}, fmt.Errorf("%s=%d is set (%s) but the shard count is not: %s, N = the number of processes the engine starts",
			found.index, index, found.engine, hint)
	}
	if index >= count {
		return Shard{}, fmt.Errorf("%s=%d is out of range for %d shards (%s): want 0..%d",
			found.index, index, count, countFrom, count-1)
	}
	if found.index == EnvBatchNodeIndex {
		if raw := getenv(EnvBatchMainNodeIndex); raw != "" && raw != "0" {
			return Shard{}, fmt.Errorf("%s=%s: shard 0 writes the merged result and the job ends when its main node exits, so the main node must be node 0 (set \"mainNode\": 0 in the job definition)",
				EnvBatchMainNodeIndex, raw)
		}
	}
	return Shard{Index: index, Count: count, Source: found.index}, nil
}

// parseIndex parses a shard index: a whole number, 0 or more.
func parseIndex(name, raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || !isDigits(raw) {
		return 0, fmt.Errorf("%s=%q is not a shard index (want a whole number, 0 or more)", name, raw)
	}
	return n, nil
}

// checkCount checks a shard count; what names it ("--shards 0", "NAME=0").
func checkCount(what string, n int) error {
	if n < 1 || n > MaxShards {
		return fmt.Errorf("%s: want a shard count 1..%d", what, MaxShards)
	}
	return nil
}

// isDigits reports whether s is one or more ASCII digits (no sign, no space).
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaxRunIDLength is the longest run id accepted, in bytes. Topic names are
// prefix + run id + "-" + step + "-" + topic (Kafka allows 249 bytes); a
// Kubernetes Job name has at most 63, an AWS Batch job id 36.
const MaxRunIDLength = 64

// RunID returns the run id from --run-id (its value and whether it was set),
// MSKBENCH_RUN_ID or AWS_BATCH_JOB_ID, and where it came from (the flag or
// the variable's name). With none of them it returns "", "" and no error
// for a single-shard run (count 1: the caller picks a random id), and an
// error for more shards, which must agree on one id.
func RunID(flagRunID string, flagSet bool, count int, getenv func(string) string) (id, source string, err error) {
	var raw string
	switch {
	case flagSet:
		raw, source = flagRunID, "--run-id"
		id = raw
	case getenv(EnvRunID) != "":
		raw, source = getenv(EnvRunID), EnvRunID
		id = raw
	case getenv(EnvBatchJobID) != "":
		raw, source = getenv(EnvBatchJobID), EnvBatchJobID
		id = ParentJobID(raw)
	default:
		if count > 1 {
			return "", "", fmt.Errorf("a run of %d shards needs one run id on every shard: pass --run-id ID, or set %s (the Kubernetes manifests set it from the Job name)",
				count, EnvRunID)
		}
		return "", "", nil
	}
	if err := ValidateRunID(id); err != nil {
		if source == "--run-id" {
			return "", "", fmt.Errorf("--run-id %q: %w", raw, err)
		}
		return "", "", fmt.Errorf("%s=%q: %w", source, raw, err)
	}
	return id, source, nil
}

// ParentJobID strips the child suffixes AWS Batch appends to a job id: ":I"
// for child I of an array job, "#I" for node I of a multi-node parallel job.
// Every shard of one submission so gets the same id. Other ids are returned
// unchanged.
func ParentJobID(id string) string {
	for {
		i := strings.LastIndexAny(id, ":#")
		if i <= 0 || !isDigits(id[i+1:]) {
			return id
		}
		id = id[:i]
	}
}

// ValidateRunID checks that id can name topics and consumer groups: 1 to
// MaxRunIDLength letters, digits, '.', '_' or '-'.
func ValidateRunID(id string) error {
	if id == "" {
		return errors.New("empty run id")
	}
	if len(id) > MaxRunIDLength {
		return fmt.Errorf("run id is %d bytes long, at most %d fit in topic names", len(id), MaxRunIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("run id may hold only letters, digits, '.', '_' and '-' (it names topics and groups), got %q at byte %d", c, i)
		}
	}
	return nil
}
