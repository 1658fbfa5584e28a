package shardenv

import (
	"slices"
	"strings"
	"testing"
)

// env returns a getenv over a map.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// checkError fails the test unless err matches want: nil for "", else an
// error containing want. It reports whether an error was wanted, so the
// case is done.
func checkError(t *testing.T, what string, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: got error %v, want one containing %q", what, err, want)
	}
	return true
}

func TestResolve(t *testing.T) {
	type flags struct {
		shard, shards       int
		shardSet, shardsSet bool
	}
	none := flags{}
	shards := func(n int) flags { return flags{shards: n, shardsSet: true} }
	both := func(i, n int) flags { return flags{shard: i, shards: n, shardSet: true, shardsSet: true} }
	tests := []struct {
		name    string
		flags   flags
		env     func(string) string
		want    Shard
		wantErr string // a substring of the error; "" for none
	}{
		// A process started by hand with no flags is the only shard.
		{"single process", none, env(), Shard{Index: 0, Count: 1}, ""},
		// --shards 1 alone is still a single process.
		{"shards 1 alone", shards(1), env(), Shard{Index: 0, Count: 1}, ""},
		// Explicit flags, no engine.
		{"flags", both(2, 4), env(), Shard{Index: 2, Count: 4, Source: "--shard"}, ""},
		// Flags win over an engine's index and count, and say what they overrode.
		{"flags override engine", both(1, 12), env(EnvBatchNodeIndex, "3", EnvBatchNumNodes, "6"),
			Shard{Index: 1, Count: 12, Source: "--shard",
				Overridden: []string{EnvBatchNodeIndex + "=3", EnvBatchNumNodes + "=6"}}, ""},
		// The run id variables are not shard variables: not listed as overridden.
		{"run id not overridden", both(0, 2), env(EnvRunID, "r1", EnvBatchJobID, "j"),
			Shard{Index: 0, Count: 2, Source: "--shard"}, ""},
		{"shard without shards", flags{shard: 1, shardSet: true}, env(), Shard{}, "--shard 1 needs --shards"},
		{"flag shard out of range", both(4, 4), env(), Shard{}, "--shard 4 is out of range for --shards 4: want 0..3"},
		{"flag shard negative", both(-1, 4), env(), Shard{}, "--shard -1 is out of range"},
		{"shards zero", shards(0), env(), Shard{}, "--shards 0: want a shard count 1..10000"},
		{"shards too many", shards(MaxShards + 1), env(), Shard{}, "--shards 10001: want a shard count"},
		{"shards without index", shards(6), env(), Shard{}, "--shards 6 without a shard index: pass --shard I, or run under an engine that sets JOB_COMPLETION_INDEX"},

		// Kubernetes Indexed Job: index from the pod, count from --shards.
		{"k8s", shards(6), env(EnvJobCompletionIndex, "5"), Shard{Index: 5, Count: 6, Source: EnvJobCompletionIndex}, ""},
		{"k8s index 0", shards(6), env(EnvJobCompletionIndex, "0"), Shard{Index: 0, Count: 6, Source: EnvJobCompletionIndex}, ""},
		{"k8s without shards", none, env(EnvJobCompletionIndex, "3"), Shard{},
			"JOB_COMPLETION_INDEX=3 is set (Kubernetes Indexed Job) but the shard count is not: pass --shards N"},
		{"k8s out of range", shards(6), env(EnvJobCompletionIndex, "6"), Shard{},
			"JOB_COMPLETION_INDEX=6 is out of range for 6 shards (--shards 6): want 0..5"},
		{"k8s not a number", shards(6), env(EnvJobCompletionIndex, "two"), Shard{},
			`JOB_COMPLETION_INDEX="two" is not a shard index`},
		{"k8s negative", shards(6), env(EnvJobCompletionIndex, "-1"), Shard{}, `JOB_COMPLETION_INDEX="-1" is not a shard index`},
		{"k8s signed", shards(6), env(EnvJobCompletionIndex, "+1"), Shard{}, `JOB_COMPLETION_INDEX="+1" is not a shard index`},
		{"k8s spaces", shards(6), env(EnvJobCompletionIndex, " 1"), Shard{}, `JOB_COMPLETION_INDEX=" 1" is not a shard index`},

		// AWS Batch multi-node parallel: index and count from the node.
		{"mnp", none, env(EnvBatchNodeIndex, "2", EnvBatchNumNodes, "6", EnvBatchMainNodeIndex, "0"),
			Shard{Index: 2, Count: 6, Source: EnvBatchNodeIndex}, ""},
		{"mnp main node itself", none, env(EnvBatchNodeIndex, "0", EnvBatchNumNodes, "6", EnvBatchMainNodeIndex, "0"),
			Shard{Index: 0, Count: 6, Source: EnvBatchNodeIndex}, ""},
		// --shards may repeat the node count ...
		{"mnp shards agree", shards(6), env(EnvBatchNodeIndex, "2", EnvBatchNumNodes, "6"),
			Shard{Index: 2, Count: 6, Source: EnvBatchNodeIndex}, ""},
		// ... but not contradict it: the node index is relative to the node count.
		{"mnp shards disagree", shards(4), env(EnvBatchNodeIndex, "2", EnvBatchNumNodes, "6"), Shard{},
			"--shards 4 and AWS_BATCH_JOB_NUM_NODES=6 disagree"},
		{"mnp no count", none, env(EnvBatchNodeIndex, "2"), Shard{},
			"AWS_BATCH_JOB_NODE_INDEX=2 is set (AWS Batch multi-node parallel job) but the shard count is not: AWS_BATCH_JOB_NUM_NODES is not set either"},
		// Without the engine's count, --shards serves.
		{"mnp count from flag", shards(3), env(EnvBatchNodeIndex, "2"), Shard{Index: 2, Count: 3, Source: EnvBatchNodeIndex}, ""},
		{"mnp bad count", none, env(EnvBatchNodeIndex, "2", EnvBatchNumNodes, "six"), Shard{},
			`AWS_BATCH_JOB_NUM_NODES="six" is not a shard count`},
		{"mnp zero count", none, env(EnvBatchNodeIndex, "0", EnvBatchNumNodes, "0"), Shard{},
			"AWS_BATCH_JOB_NUM_NODES=0: want a shard count 1..10000"},
		{"mnp out of range", none, env(EnvBatchNodeIndex, "6", EnvBatchNumNodes, "6"), Shard{},
			"AWS_BATCH_JOB_NODE_INDEX=6 is out of range for 6 shards (AWS_BATCH_JOB_NUM_NODES=6): want 0..5"},
		// Shard 0 must be the main node: the job ends when the main node exits.
		{"mnp main node not 0", none, env(EnvBatchNodeIndex, "1", EnvBatchNumNodes, "6", EnvBatchMainNodeIndex, "2"), Shard{},
			`AWS_BATCH_JOB_MAIN_NODE_INDEX=2: shard 0 writes the merged result`},

		// AWS Batch array job: count from the array size or --shards.
		{"array size", none, env(EnvBatchArrayIndex, "4", EnvBatchArraySize, "6"), Shard{Index: 4, Count: 6, Source: EnvBatchArrayIndex}, ""},
		{"array flag", shards(6), env(EnvBatchArrayIndex, "4"), Shard{Index: 4, Count: 6, Source: EnvBatchArrayIndex}, ""},
		{"array disagree", shards(5), env(EnvBatchArrayIndex, "4", EnvBatchArraySize, "6"), Shard{},
			"--shards 5 and AWS_BATCH_JOB_ARRAY_SIZE=6 disagree"},
		{"array no count", none, env(EnvBatchArrayIndex, "4"), Shard{}, "AWS_BATCH_JOB_ARRAY_INDEX=4 is set (AWS Batch array job) but the shard count is not"},
		{"array out of range", none, env(EnvBatchArrayIndex, "9", EnvBatchArraySize, "6"), Shard{},
			"AWS_BATCH_JOB_ARRAY_INDEX=9 is out of range for 6 shards (AWS_BATCH_JOB_ARRAY_SIZE=6)"},

		// Two engines' indexes: equal is tolerated, different is an error.
		{"two sources agree", shards(6), env(EnvJobCompletionIndex, "3", EnvBatchArrayIndex, "3"),
			Shard{Index: 3, Count: 6, Source: EnvJobCompletionIndex}, ""},
		{"two sources disagree", shards(6), env(EnvJobCompletionIndex, "3", EnvBatchArrayIndex, "2"), Shard{},
			"JOB_COMPLETION_INDEX=3 and AWS_BATCH_JOB_ARRAY_INDEX=2 disagree"},
		{"two counts disagree", none, env(EnvBatchNodeIndex, "1", EnvBatchNumNodes, "6", EnvBatchArrayIndex, "1", EnvBatchArraySize, "4"), Shard{},
			"AWS_BATCH_JOB_NUM_NODES=6 and AWS_BATCH_JOB_ARRAY_SIZE=4 disagree"},
		// A count variable without its index is not an engine index.
		{"count alone", none, env(EnvBatchNumNodes, "6"), Shard{Index: 0, Count: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flags
			got, err := Resolve(f.shard, f.shards, f.shardSet, f.shardsSet, tt.env)
			if checkError(t, "Resolve", err, tt.wantErr) {
				return
			}
			if got.Index != tt.want.Index || got.Count != tt.want.Count || got.Source != tt.want.Source ||
				!slices.Equal(got.Overridden, tt.want.Overridden) {
				t.Errorf("Resolve: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunID(t *testing.T) {
	tests := []struct {
		name       string
		flag       string
		flagSet    bool
		count      int
		env        func(string) string
		wantID     string
		wantSource string
		wantErr    string
	}{
		{"flag", "nightly-42", true, 6, env(EnvRunID, "other", EnvBatchJobID, "j"), "nightly-42", "--run-id", ""},
		{"k8s job name", "", false, 6, env(EnvRunID, "mskbench-x7k2p", EnvBatchJobID, "j"), "mskbench-x7k2p", EnvRunID, ""},
		{"batch plain", "", false, 1, env(EnvBatchJobID, "0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c"),
			"0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c", EnvBatchJobID, ""},
		// Array children and multi-node parallel nodes share the parent's id.
		{"batch array child", "", false, 6, env(EnvBatchJobID, "0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c:4"),
			"0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c", EnvBatchJobID, ""},
		{"batch mnp node", "", false, 6, env(EnvBatchJobID, "0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c#5"),
			"0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c", EnvBatchJobID, ""},
		// A single process without any: the caller picks one.
		{"none single", "", false, 1, env(), "", "", ""},
		{"none sharded", "", false, 6, env(), "", "", "a run of 6 shards needs one run id on every shard"},
		{"flag empty", "", true, 1, env(), "", "", `--run-id "": empty run id`},
		{"flag slash", "a/b", true, 1, env(), "", "", `--run-id "a/b": run id may hold only letters`},
		{"env bad", "", false, 2, env(EnvRunID, "my run"), "", "", `MSKBENCH_RUN_ID="my run": run id may hold only`},
		{"too long", strings.Repeat("a", MaxRunIDLength+1), true, 1, env(), "", "", "at most 64 fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, src, err := RunID(tt.flag, tt.flagSet, tt.count, tt.env)
			if checkError(t, "RunID", err, tt.wantErr) {
				return
			}
			if id != tt.wantID || src != tt.wantSource {
				t.Errorf("RunID: got %q from %q, want %q from %q", id, src, tt.wantID, tt.wantSource)
			}
		})
	}
}

func TestParentJobID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"abc:3", "abc"},   // array child
		{"abc#12", "abc"},  // multi-node parallel node
		{"abc:x", "abc:x"}, // not an index: unchanged
		{"abc:", "abc:"},   // nothing after the colon: unchanged
		{":3", ":3"},       // nothing before it: unchanged
		{"", ""},
	}
	for _, tt := range tests {
		if got := ParentJobID(tt.in); got != tt.want {
			t.Errorf("ParentJobID(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestVariablesCoverResolve checks that every variable Resolve or RunID
// reacts to is listed by Variables, and nothing else: each listed variable,
// set alone or with its partner, changes the outcome.
func TestVariablesCoverResolve(t *testing.T) {
	names := map[string]bool{}
	for _, v := range Variables() {
		if names[v.Name] {
			t.Errorf("Variables lists %s twice", v.Name)
		}
		names[v.Name] = true
		if v.Engine == "" || v.Role == "" || v.SetBy == "" {
			t.Errorf("Variables: %s lacks engine, role or setter: %+v", v.Name, v)
		}
	}
	// Record every name Resolve and RunID look up over a spread of inputs.
	seen := map[string]bool{}
	spy := func(base func(string) string) func(string) string {
		return func(k string) string { seen[k] = true; return base(k) }
	}
	for _, e := range []func(string) string{
		env(), env(EnvJobCompletionIndex, "1"), env(EnvBatchNodeIndex, "1", EnvBatchNumNodes, "2"),
		env(EnvBatchArrayIndex, "1", EnvBatchArraySize, "2"), env(EnvBatchJobID, "j:1"),
	} {
		_, _ = Resolve(0, 2, false, true, spy(e))
		_, _ = Resolve(0, 2, true, true, spy(e))
		_, _, _ = RunID("", false, 2, spy(e))
	}
	for k := range seen {
		if !names[k] {
			t.Errorf("Resolve or RunID reads %s, which Variables does not list", k)
		}
	}
	for k := range names {
		if !seen[k] {
			t.Errorf("Variables lists %s, which neither Resolve nor RunID reads", k)
		}
	}
}

func TestFlags(t *testing.T) {
	var got []string
	for _, f := range Flags() {
		got = append(got, f.Name)
		if f.Value == "" || f.Usage == "" {
			t.Errorf("flag --%s lacks a value kind or usage", f.Name)
		}
	}
	want := []string{"shards", "shard", "run-id", "barrier-timeout"}
	if !slices.Equal(got, want) {
		t.Errorf("Flags: got %v, want %v", got, want)
	}
}

func TestShardString(t *testing.T) {
	if got, want := (Shard{Index: 2, Count: 6, Source: EnvJobCompletionIndex}).String(), "shard 2 of 6 (JOB_COMPLETION_INDEX)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (Shard{Index: 0, Count: 1}).String(), "shard 0 of 1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
