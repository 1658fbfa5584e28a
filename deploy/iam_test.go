package deploy

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
)

// stringList is an IAM policy value that is a string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

// policy is an IAM policy document; decoding refuses any other field.
type policy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Principal map[string]stringList
		Action    stringList
		Resource  stringList
		Condition map[string]map[string]stringList
	}
}

// loadPolicy decodes an IAM policy document strictly, with the placeholders
// filled in, and checks its general shape.
func loadPolicy(t *testing.T, file string) policy {
	t.Helper()
	var p policy
	if err := decodeStrict(readSubstituted(t, file), &p); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if p.Version != "2012-10-17" {
		t.Errorf("%s: Version %q, want 2012-10-17", file, p.Version)
	}
	if len(p.Statement) == 0 {
		t.Errorf("%s: no statements", file)
	}
	sids := map[string]bool{}
	actionRE := regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			t.Errorf("%s: statement %s: Effect %q, want Allow", file, s.Sid, s.Effect)
		}
		if s.Sid == "" || sids[s.Sid] {
			t.Errorf("%s: statement Sid %q is empty or repeated", file, s.Sid)
		}
		sids[s.Sid] = true
		if len(s.Action) == 0 {
			t.Errorf("%s: statement %s has no Action", file, s.Sid)
		}
		for _, a := range s.Action {
			if !actionRE.MatchString(a) {
				t.Errorf("%s: statement %s: action %q is not service:Action", file, s.Sid, a)
			}
		}
		if (len(s.Principal) == 0) == (len(s.Resource) == 0) {
			t.Errorf("%s: statement %s: want a Principal (trust policy) or a Resource (permissions policy)", file, s.Sid)
		}
	}
	return p
}

// TestPoliciesDecode decodes every IAM policy document under deploy/.
func TestPoliciesDecode(t *testing.T) {
	files := deployFiles(t, ".json")
	n := 0
	for _, f := range files {
		if filepath.Base(filepath.Dir(f)) == "iam" {
			loadPolicy(t, f)
			n++
		}
	}
	if n < 5 {
		t.Errorf("found %d policy documents under deploy/*/iam, want at least 5", n)
	}
}

// globMatch reports whether s matches an IAM resource pattern (* and ?).
func globMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// requiredActions lists, for each MSK action mskbench uses, the actions the
// MSK developer guide ("Semantics of IAM authorization policy actions and
// resources") says must be allowed with it, and the resource type it is
// checked against.
var requiredActions = map[string]struct {
	needs    []string
	resource string
}{
	"kafka-cluster:Connect":               {nil, "cluster"},
	"kafka-cluster:DescribeCluster":       {[]string{"kafka-cluster:Connect"}, "cluster"},
	"kafka-cluster:WriteDataIdempotently": {[]string{"kafka-cluster:Connect", "kafka-cluster:WriteData"}, "cluster"},
	"kafka-cluster:CreateTopic":           {[]string{"kafka-cluster:Connect"}, "topic"},
	"kafka-cluster:DescribeTopic":         {[]string{"kafka-cluster:Connect"}, "topic"},
	"kafka-cluster:DeleteTopic":           {[]string{"kafka-cluster:Connect", "kafka-cluster:DescribeTopic"}, "topic"},
	"kafka-cluster:WriteData":             {[]string{"kafka-cluster:Connect", "kafka-cluster:DescribeTopic"}, "topic"},
	"kafka-cluster:ReadData":              {[]string{"kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterGroup"}, "topic"},
	"kafka-cluster:DescribeGroup":         {[]string{"kafka-cluster:Connect"}, "group"},
	"kafka-cluster:AlterGroup":            {[]string{"kafka-cluster:Connect", "kafka-cluster:DescribeGroup"}, "group"},
	"kafka-cluster:DeleteGroup":           {[]string{"kafka-cluster:Connect", "kafka-cluster:DescribeGroup"}, "group"},
	"kafka:GetBootstrapBrokers":           {nil, "cluster"},
	"kafka:DescribeClusterV2":             {nil, "cluster"},
	"s3:PutObject":                        {nil, "s3"},
	"s3:AbortMultipartUpload":             {nil, "s3"},
	"cloudwatch:GetMetricData":            {nil, "*"},
}

// TestRunPolicy checks the permissions a run needs, on every engine: the MSK
// actions for the topics and groups it names (generated here with
// load.TopicNames and load.GroupID, for the run ids each engine gives),
// GetBootstrapBrokers for --cluster-arn, s3:PutObject on the result keys the
// manifests write, and CloudWatch for broker metrics.
func TestRunPolicy(t *testing.T) {
	p := loadPolicy(t, filepath.Join("iam", "mskbench-run.json"))
	v := placeholders
	arnBase := "arn:aws:kafka:" + v["AWS_REGION"] + ":" + v["AWS_ACCOUNT_ID"] + ":"
	clusterPath := v["MSK_CLUSTER_NAME"] + "/" + v["MSK_CLUSTER_UUID"]

	// allowed reports whether some statement allows action on resource.
	allowed := func(action, resource string) bool {
		for _, s := range p.Statement {
			if !slices.Contains(s.Action, action) {
				continue
			}
			for _, r := range s.Resource {
				if globMatch(r, resource) {
					return true
				}
			}
		}
		return false
	}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			if _, ok := requiredActions[a]; !ok {
				t.Errorf("mskbench-run.json: %s allows %s, which mskbench does not need (least privilege)", s.Sid, a)
			}
			if strings.Contains(a, "*") {
				t.Errorf("mskbench-run.json: %s: wildcard action %s", s.Sid, a)
			}
		}
		for _, r := range s.Resource {
			if r == "*" && !slices.Equal(s.Action, []string{"cloudwatch:GetMetricData"}) {
				t.Errorf("mskbench-run.json: %s allows %v on every resource", s.Sid, s.Action)
			}
		}
	}

	// Resource names each engine's runs use.
	k8sJob := loadK8s(t).jobs[0]
	runIDs := []string{
		k8sJob.GenerateName + "x7k2p",          // Kubernetes: the Job's generated name
		"0c5b5c1e-3f2a-4f7e-9a57-0d1e2f3a4b5c", // AWS Batch: the job id
		"nightly-2026-12-01",                   // by hand: --run-id
	}
	prefix := topicPrefix(t, scenarioFile(t, loadK8s(t), k8sJob.Spec.Template.Spec.Containers[0]))
	for _, builtin := range []string{"max-throughput", "fixed-rate-latency"} {
		if p := topicPrefix(t, builtin); p != prefix {
			t.Errorf("built-in %s names topics %s..., the Kubernetes scenario %s...: the policy covers one prefix", builtin, p, prefix)
		}
	}
	resources := map[string][]string{"cluster": {arnBase + "cluster/" + clusterPath}}
	for _, id := range runIDs {
		for _, pfx := range []string{prefix, prefix + "precondition-"} { // ramp preconditions prefix the prefix
			p := plan.Plan{Index: 1, Topics: plan.Topics{Count: 2, Prefix: pfx}}
			for _, topic := range load.TopicNames(p, id) {
				resources["topic"] = append(resources["topic"], arnBase+"topic/"+clusterPath+"/"+topic)
			}
			resources["group"] = append(resources["group"], arnBase+"group/"+clusterPath+"/"+load.GroupID(p, id, 1))
		}
	}
	resources["s3"] = resultObjects(t, runIDs[0])
	resources["*"] = []string{"*"}

	for action, req := range requiredActions {
		for _, r := range resources[req.resource] {
			if !allowed(action, r) {
				t.Errorf("mskbench-run.json does not allow %s on %s", action, r)
			}
		}
		for _, need := range req.needs {
			if !allowed(need, resources[requiredActions[need].resource][0]) {
				t.Errorf("mskbench-run.json allows %s but not %s, which MSK requires with it", action, need)
			}
		}
	}

	// Scoped: nobody else's topics, groups or cluster.
	for _, foreign := range []struct{ action, resource string }{
		{"kafka-cluster:DeleteTopic", arnBase + "topic/" + clusterPath + "/orders"},
		{"kafka-cluster:ReadData", arnBase + "topic/" + clusterPath + "/payments-mskbench-0"},
		{"kafka-cluster:DeleteGroup", arnBase + "group/" + clusterPath + "/billing-consumers"},
		{"kafka-cluster:Connect", arnBase + "cluster/other/" + v["MSK_CLUSTER_UUID"]},
		{"kafka-cluster:CreateTopic", arnBase + "topic/other/" + v["MSK_CLUSTER_UUID"] + "/mskbench-x-0-0"},
		{"s3:PutObject", "arn:aws:s3:::" + v["RESULTS_BUCKET"] + "/elsewhere/result.json"},
	} {
		if allowed(foreign.action, foreign.resource) {
			t.Errorf("mskbench-run.json allows %s on %s, which no run of mskbench uses", foreign.action, foreign.resource)
		}
	}
}

// resultObjects returns the S3 object ARNs the Kubernetes Job (for run id)
// and the Batch job definitions write their merged result to.
func resultObjects(t *testing.T, runID string) []string {
	t.Helper()
	var keys []string
	job := loadK8s(t).jobs[0]
	values, _, err := parseRunArgs(job.Spec.Template.Spec.Containers[0].Args, runFlags(t))
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, strings.ReplaceAll(values["output"][0], "$(MSKBENCH_RUN_ID)", runID))
	for _, def := range loadBatchDefs(t) {
		keys = append(keys, def.in.Parameters["output"])
	}
	var arns []string
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, "s3://")
		if !ok {
			t.Errorf("result %q is not an s3:// URL", k)
			continue
		}
		arns = append(arns, "arn:aws:s3:::"+rest)
	}
	return arns
}

// TestBatchRoles checks the trust policy of the Batch job and execution
// roles and the execution role's permissions (ECR pull, CloudWatch Logs).
func TestBatchRoles(t *testing.T) {
	trust := loadPolicy(t, filepath.Join(batchDir, "iam", "trust-ecs-tasks.json"))
	for _, s := range trust.Statement {
		if !slices.Equal(s.Principal["Service"], []string{"ecs-tasks.amazonaws.com"}) || !slices.Equal(s.Action, []string{"sts:AssumeRole"}) {
			t.Errorf("trust-ecs-tasks.json: %s: want ecs-tasks.amazonaws.com allowed sts:AssumeRole, got %+v", s.Sid, s)
		}
	}
	exec := loadPolicy(t, filepath.Join(batchDir, "iam", "execution-role.json"))
	var actions []string
	for _, s := range exec.Statement {
		actions = append(actions, s.Action...)
	}
	for _, want := range []string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "logs:CreateLogStream", "logs:PutLogEvents"} {
		if !slices.Contains(actions, want) {
			t.Errorf("execution-role.json lacks %s (Fargate pulls the image and ships logs with it)", want)
		}
	}
	// The image the job definitions run is in the repository it may pull from.
	repo := regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)`).FindStringSubmatch(placeholders["MSKBENCH_IMAGE"])
	if repo == nil {
		t.Fatalf("test value of MSKBENCH_IMAGE is not an ECR image")
	}
	repoARN := "arn:aws:ecr:" + repo[2] + ":" + repo[1] + ":repository/" + repo[3]
	pull := false
	for _, s := range exec.Statement {
		for _, r := range s.Resource {
			if slices.Contains(s.Action, "ecr:BatchGetImage") && globMatch(r, repoARN) {
				pull = true
			}
		}
	}
	if !pull {
		t.Errorf("execution-role.json does not allow pulling %s", repoARN)
	}
}
