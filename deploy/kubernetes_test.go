package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/mskbench/mskbench/internal/shardenv"
)

const k8sDir = "kubernetes"

// decodeStrict decodes JSON into v, refusing fields v's type does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the document")
	}
	return nil
}

// k8sObjects holds the decoded manifests of deploy/kubernetes by kind.
type k8sObjects struct {
	files           map[string][]string // kind/name -> file
	namespaces      []corev1.Namespace
	serviceAccounts []corev1.ServiceAccount
	configMaps      []corev1.ConfigMap
	jobs            []batchv1.Job
}

// loadK8s decodes every manifest under deploy/kubernetes (all .yaml files but
// kustomization.yaml), strictly, into the Kubernetes API type of its kind:
// an unknown field, a misspelt one, a duplicate key or a value of the wrong
// type fails the test.
func loadK8s(t *testing.T) *k8sObjects {
	t.Helper()
	objs := &k8sObjects{files: map[string][]string{}}
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if filepath.Base(file) == "kustomization.yaml" {
			continue
		}
		for i, doc := range splitYAML(readSubstituted(t, file)) {
			where := fmt.Sprintf("%s (document %d)", file, i+1)
			js, err := yaml.YAMLToJSONStrict(doc)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var tm metav1.TypeMeta
			if err := json.Unmarshal(js, &tm); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var into any
			switch tm.APIVersion + " " + tm.Kind {
			case "v1 Namespace":
				into = appendNew(&objs.namespaces)
			case "v1 ServiceAccount":
				into = appendNew(&objs.serviceAccounts)
			case "v1 ConfigMap":
				into = appendNew(&objs.configMaps)
			case "batch/v1 Job":
				into = appendNew(&objs.jobs)
			default:
				t.Fatalf("%s: apiVersion %q kind %q: not a kind this test decodes; add it", where, tm.APIVersion, tm.Kind)
			}
			if err := decodeStrict(js, into); err != nil {
				t.Fatalf("%s: %s: %v", where, tm.Kind, err)
			}
			name := into.(metav1.ObjectMetaAccessor).GetObjectMeta().GetName()
			if name == "" {
				name = into.(metav1.ObjectMetaAccessor).GetObjectMeta().GetGenerateName()
			}
			objs.files[tm.Kind+"/"+name] = append(objs.files[tm.Kind+"/"+name], file)
		}
	}
	for k, f := range objs.files {
		if len(f) > 1 {
			t.Errorf("%s is defined %d times: %v", k, len(f), f)
		}
	}
	if len(objs.jobs) != 1 || len(objs.serviceAccounts) != 1 || len(objs.configMaps) != 1 || len(objs.namespaces) != 1 {
		t.Fatalf("want one Job, ServiceAccount, ConfigMap and Namespace, got %d, %d, %d, %d",
			len(objs.jobs), len(objs.serviceAccounts), len(objs.configMaps), len(objs.namespaces))
	}
	return objs
}

// appendNew appends a zero T to *list and returns a pointer to it, to
// decode into before the next append.
func appendNew[T any](list *[]T) *T {
	var zero T
	*list = append(*list, zero)
	return &(*list)[len(*list)-1]
}

// splitYAML splits a multi-document YAML stream, dropping empty documents.
func splitYAML(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(d, "")) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// TestKubernetesJob checks the Indexed Job against what a distributed run
// needs and against the shard contract.
func TestKubernetesJob(t *testing.T) {
	objs := loadK8s(t)
	job := objs.jobs[0]
	spec := job.Spec
	pod := spec.Template.Spec

	// Indexed, all shards at once, the same N everywhere.
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("Job: completionMode must be Indexed (the index is the shard), got %s", show(spec.CompletionMode))
	}
	if spec.Completions == nil || spec.Parallelism == nil || *spec.Completions != *spec.Parallelism {
		t.Fatalf("Job: completions must equal parallelism (every shard runs at once), got %s and %s", show(spec.Completions), show(spec.Parallelism))
	}
	n := int(*spec.Completions)
	if n < 2 || n > shardenv.MaxShards {
		t.Errorf("Job: completions %d: want 2..%d", n, shardenv.MaxShards)
	}

	// A unique name per run: the Job name is the run id.
	if job.Name != "" || job.GenerateName == "" {
		t.Errorf("Job: want generateName (a fresh name, so a fresh run id, per run) and no fixed name, got name %q generateName %q", job.Name, job.GenerateName)
	}

	// A dead shard stays visible and is not replaced.
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("Job: restartPolicy %q: want Never, so a failed shard is a failed pod", pod.RestartPolicy)
	}
	if spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex != 0 {
		t.Errorf("Job: backoffLimitPerIndex %s: want 0 (a replacement could not rejoin the run past its barrier)", show(spec.BackoffLimitPerIndex))
	}
	if spec.MaxFailedIndexes != nil {
		t.Errorf("Job: maxFailedIndexes %d would stop the surviving shards before shard 0 writes the partial result", *spec.MaxFailedIndexes)
	}
	if spec.BackoffLimit != nil && int(*spec.BackoffLimit) < n {
		t.Errorf("Job: backoffLimit %d < completions %d would end the whole Job on the first failures", *spec.BackoffLimit, n)
	}
	if spec.PodFailurePolicy == nil {
		t.Fatal("Job: no podFailurePolicy")
	}
	failJobOnUsage := false
	for _, r := range spec.PodFailurePolicy.Rules {
		if r.Action == batchv1.PodFailurePolicyActionFailJob && r.OnExitCodes != nil &&
			r.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && slices.Contains(r.OnExitCodes.Values, 2) {
			failJobOnUsage = true
		}
		if r.Action == batchv1.PodFailurePolicyActionIgnore {
			t.Errorf("Job: podFailurePolicy rule %+v ignores failures: the index would be started again, late", r)
		}
		if r.OnExitCodes != nil && r.OnExitCodes.ContainerName != nil && *r.OnExitCodes.ContainerName != "mskbench" {
			t.Errorf("Job: podFailurePolicy names container %q", *r.OnExitCodes.ContainerName)
		}
	}
	if !failJobOnUsage {
		t.Error("Job: podFailurePolicy should FailJob on exit code 2 (usage error: every pod would fail alike)")
	}

	// One container running the image's entrypoint (mskbench) with run's flags.
	if len(pod.Containers) != 1 {
		t.Fatalf("Job: want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Name != "mskbench" {
		t.Errorf("Job: container %q: want mskbench", c.Name)
	}
	if len(c.Command) != 0 {
		t.Errorf("Job: command %q overrides the image's entrypoint; pass args only", c.Command)
	}
	if c.Image != placeholders["MSKBENCH_IMAGE"] {
		t.Errorf("Job: image %q: want ${MSKBENCH_IMAGE}", c.Image)
	}
	values := runCommand(t, "Job", c.Args)
	if got := values["shards"]; len(got) != 1 || got[0] != strconv.Itoa(n) {
		t.Errorf("Job: --shards %v: want %d, the Job's completions", got, n)
	}
	if got := values["run-id"]; len(got) != 1 || got[0] != "$(MSKBENCH_RUN_ID)" {
		t.Errorf("Job: --run-id %v: want $(MSKBENCH_RUN_ID)", got)
	}
	out := values["output"]
	if len(out) != 1 || !strings.HasPrefix(out[0], "s3://") || !strings.Contains(out[0], "$(MSKBENCH_RUN_ID)") {
		t.Errorf("Job: -o %v: want an s3:// key holding $(MSKBENCH_RUN_ID), so runs do not overwrite each other", out)
	}

	// The environment: the shard contract's variables, from the right fields.
	env := map[string]corev1.EnvVar{}
	contract := map[string]shardenv.Variable{}
	for _, v := range shardenv.Variables() {
		contract[v.Name] = v
	}
	for _, e := range c.Env {
		env[e.Name] = e
		if v, ok := contract[e.Name]; ok && v.Engine != shardenv.EngineKubernetes {
			t.Errorf("Job: sets %s, which belongs to %s, not Kubernetes", e.Name, v.Engine)
		} else if !ok && e.Name != "GOMAXPROCS" {
			t.Errorf("Job: sets %s, which is neither in the shard contract (shardenv.Variables) nor GOMAXPROCS", e.Name)
		}
	}
	fieldPath := func(name string) string {
		if e, ok := env[name]; ok && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return e.ValueFrom.FieldRef.FieldPath
		}
		return ""
	}
	if p := fieldPath(shardenv.EnvRunID); p != "metadata.labels['batch.kubernetes.io/job-name']" && p != "metadata.labels['job-name']" {
		t.Errorf("Job: %s from %q: want the Job name label through the downward API", shardenv.EnvRunID, p)
	}
	if _, ok := env[shardenv.EnvJobCompletionIndex]; ok {
		if p := fieldPath(shardenv.EnvJobCompletionIndex); p != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
			t.Errorf("Job: %s from %q: want the completion index annotation", shardenv.EnvJobCompletionIndex, p)
		}
	}
	if e := env["GOMAXPROCS"]; e.ValueFrom == nil || e.ValueFrom.ResourceFieldRef == nil ||
		e.ValueFrom.ResourceFieldRef.Resource != "limits.cpu" || e.ValueFrom.ResourceFieldRef.ContainerName != c.Name {
		t.Errorf("Job: GOMAXPROCS must come from this container's CPU limit (resourceFieldRef limits.cpu), got %+v", e.ValueFrom)
	}
	// Kubernetes leaves an undefined $(VAR) as it is: every one must be defined.
	for _, a := range c.Args {
		for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
			if _, ok := env[m[1]]; !ok {
				t.Errorf("Job: argument %q uses $(%s), which the container's env does not define", a, m[1])
			}
		}
	}

	// Started as the Job controller starts them, the N pods are shards 0..N-1
	// of one run whose id is the Job's name.
	jobName := job.GenerateName + "x7k2p"
	checkContract(t, "Job", values, n, func(i int) map[string]string {
		return map[string]string{shardenv.EnvJobCompletionIndex: strconv.Itoa(i), shardenv.EnvRunID: jobName}
	}, jobName)

	// Resources: at least 2 CPUs per generator, memory, limits.
	req, lim := c.Resources.Requests, c.Resources.Limits
	if q, ok := req[corev1.ResourceCPU]; !ok || q.Cmp(resource.MustParse("2")) < 0 {
		t.Errorf("Job: CPU request %v: want at least 2 per generator", req.Cpu())
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		rq, ok1 := req[r]
		lq, ok2 := lim[r]
		if !ok1 || !ok2 {
			t.Errorf("Job: want a %s request and limit", r)
			continue
		}
		if lq.Cmp(rq) < 0 {
			t.Errorf("Job: %s limit %s below its request %s", r, lq.String(), rq.String())
		}
	}

	// Non-root and the restricted Pod Security Standard the namespace enforces.
	checkRestricted(t, pod)
	if ns := objs.namespaces[0]; ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("Namespace %s: want pod-security.kubernetes.io/enforce: restricted", ns.Name)
	}

	// Spread over nodes, counting this Job's pods only.
	checkSpread(t, spec.Template)

	// The deadline leaves room for the barrier and every phase of the scenario.
	scenario := scenarioFile(t, objs, c)
	need := barrierTimeout(t, "Job", values) + phases(t, scenario)
	if spec.ActiveDeadlineSeconds == nil || time.Duration(*spec.ActiveDeadlineSeconds)*time.Second < need {
		t.Errorf("Job: activeDeadlineSeconds %s is shorter than barrier timeout + warm-up + measure + drain (%v)", show(spec.ActiveDeadlineSeconds), need)
	}

	// The service account, namespace and scenario it names are the ones defined here.
	sa := objs.serviceAccounts[0]
	if pod.ServiceAccountName != sa.Name {
		t.Errorf("Job: serviceAccountName %q, but the ServiceAccount is %q", pod.ServiceAccountName, sa.Name)
	}
	for what, ns := range map[string]string{"Job": job.Namespace, "ServiceAccount": sa.Namespace, "ConfigMap": objs.configMaps[0].Namespace} {
		if ns != objs.namespaces[0].Name {
			t.Errorf("%s: namespace %q, want %q", what, ns, objs.namespaces[0].Name)
		}
	}
}

// show formats an optional field: its value, or "unset".
func show[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// checkRestricted checks a pod against the restricted Pod Security Standard
// (the parts a manifest controls) and for a numeric non-root user.
func checkRestricted(t *testing.T, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Error("pod: want securityContext.runAsNonRoot: true")
	}
	if psc == nil || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("pod: want a non-zero securityContext.runAsUser")
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("pod: want seccompProfile RuntimeDefault")
	}
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Error("pod: shares a host namespace")
	}
	for _, v := range pod.Volumes {
		if v.HostPath != nil {
			t.Errorf("pod: hostPath volume %s", v.Name)
		}
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: want allowPrivilegeEscalation: false", c.Name)
		}
		if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			t.Errorf("container %s: want capabilities drop [ALL] and none added", c.Name)
		}
		if sc != nil && sc.Privileged != nil && *sc.Privileged {
			t.Errorf("container %s: privileged", c.Name)
		}
		if sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			t.Errorf("container %s: runs as root", c.Name)
		}
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("container %s: want readOnlyRootFilesystem: true", c.Name)
		}
	}
}

// checkSpread checks for a hostname topology spread over this Job's pods.
func checkSpread(t *testing.T, tmpl corev1.PodTemplateSpec) {
	t.Helper()
	var host *corev1.TopologySpreadConstraint
	for i, c := range tmpl.Spec.TopologySpreadConstraints {
		if c.LabelSelector == nil {
			t.Errorf("topologySpreadConstraints[%d]: no labelSelector: the pods would not be counted", i)
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			t.Errorf("topologySpreadConstraints[%d]: %v", i, err)
			continue
		}
		if !sel.Matches(labels.Set(tmpl.Labels)) {
			t.Errorf("topologySpreadConstraints[%d]: selector %v does not select the Job's own pods (labels %v)", i, sel, tmpl.Labels)
		}
		if !slices.Contains(c.MatchLabelKeys, "batch.kubernetes.io/job-name") {
			t.Errorf("topologySpreadConstraints[%d]: want matchLabelKeys [batch.kubernetes.io/job-name], so other runs' pods do not count", i)
		}
		if c.TopologyKey == corev1.LabelHostname {
			host = &tmpl.Spec.TopologySpreadConstraints[i]
		}
	}
	if host == nil || host.WhenUnsatisfiable != corev1.DoNotSchedule || host.MaxSkew != 1 {
		t.Errorf("pods: want a topology spread on %s with maxSkew 1 and DoNotSchedule, got %+v", corev1.LabelHostname, host)
	}
}

// scenarioFile checks that the scenario argument is the ConfigMap's key as
// mounted, writes that scenario to a file and returns its path; `mskbench
// validate` then checks it.
func scenarioFile(t *testing.T, objs *k8sObjects, c corev1.Container) string {
	t.Helper()
	_, positional, err := parseRunArgs(c.Args, runFlags(t))
	if err != nil || len(positional) != 1 {
		t.Fatalf("Job: scenario argument: %v %q", err, positional)
	}
	arg := positional[0]
	cm := objs.configMaps[0]
	var mount *corev1.VolumeMount
	for i, m := range c.VolumeMounts {
		if strings.HasPrefix(arg, strings.TrimSuffix(m.MountPath, "/")+"/") {
			mount = &c.VolumeMounts[i]
		}
	}
	if mount == nil {
		t.Fatalf("Job: scenario %s is on no volume mount", arg)
	}
	if !mount.ReadOnly {
		t.Errorf("Job: the scenario volume should be mounted readOnly")
	}
	var vol *corev1.Volume
	for i, v := range objs.jobs[0].Spec.Template.Spec.Volumes {
		if v.Name == mount.Name {
			vol = &objs.jobs[0].Spec.Template.Spec.Volumes[i]
		}
	}
	if vol == nil || vol.ConfigMap == nil || vol.ConfigMap.Name != cm.Name {
		t.Fatalf("Job: volume %s is not the ConfigMap %s", mount.Name, cm.Name)
	}
	key := strings.TrimPrefix(arg, strings.TrimSuffix(mount.MountPath, "/")+"/")
	text, ok := cm.Data[key]
	if !ok {
		t.Fatalf("ConfigMap %s has no key %s (the Job runs %s)", cm.Name, key, arg)
	}
	path := filepath.Join(t.TempDir(), key)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKubernetesScenario checks the ConfigMap's scenario with `mskbench
// validate` and that it leaves the brokers to --cluster-arn.
func TestKubernetesScenario(t *testing.T) {
	objs := loadK8s(t)
	path := scenarioFile(t, objs, objs.jobs[0].Spec.Template.Spec.Containers[0])
	phases(t, path) // runs mskbench validate
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^\s*brokers:`).Match(b) {
		t.Error("the scenario names brokers; the Job passes --cluster-arn, which finds them")
	}
}

// TestKubernetesServiceAccount checks IRSA: the role annotation, and the
// trust policy naming this namespace and service account.
func TestKubernetesServiceAccount(t *testing.T) {
	objs := loadK8s(t)
	sa := objs.serviceAccounts[0]
	arn := sa.Annotations["eks.amazonaws.com/role-arn"]
	if !regexp.MustCompile(`^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$`).MatchString(arn) {
		t.Errorf("ServiceAccount %s: eks.amazonaws.com/role-arn %q is not an IAM role ARN", sa.Name, arn)
	}
	trust := loadPolicy(t, filepath.Join(k8sDir, "iam", "trust-irsa.json"))
	wantSub := "system:serviceaccount:" + sa.Namespace + ":" + sa.Name
	found := false
	for _, s := range trust.Statement {
		for k, v := range s.Condition["StringEquals"] {
			if strings.HasSuffix(k, ":sub") && slices.Contains(v, wantSub) {
				found = true
			}
		}
		if !slices.Contains(s.Action, "sts:AssumeRoleWithWebIdentity") {
			t.Errorf("trust-irsa.json: statement %s does not allow sts:AssumeRoleWithWebIdentity", s.Sid)
		}
	}
	if !found {
		t.Errorf("trust-irsa.json: no StringEquals ...:sub condition for %s", wantSub)
	}
	pi := loadPolicy(t, filepath.Join(k8sDir, "iam", "trust-pod-identity.json"))
	if len(pi.Statement) != 1 || !slices.Contains(pi.Statement[0].Principal["Service"], "pods.eks.amazonaws.com") ||
		!slices.Contains(pi.Statement[0].Action, "sts:AssumeRole") || !slices.Contains(pi.Statement[0].Action, "sts:TagSession") {
		t.Errorf("trust-pod-identity.json: want pods.eks.amazonaws.com allowed sts:AssumeRole and sts:TagSession, got %+v", pi.Statement)
	}
}

// kustomization is the part of kustomize's Kustomization this directory
// uses; decoding refuses any other field.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources"`
	Patches    []struct {
		Target struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"target"`
		Patch string `json:"patch"`
	} `json:"patches,omitempty"`
}

func loadKustomization(t *testing.T, file string) kustomization {
	t.Helper()
	js, err := yaml.YAMLToJSONStrict(readSubstituted(t, file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var k kustomization
	if err := decodeStrict(js, &k); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("%s: apiVersion %q kind %q", file, k.APIVersion, k.Kind)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), r)); err != nil {
			t.Errorf("%s: resource %s: %v", file, r, err)
		}
	}
	return k
}

// TestKustomization checks that the kustomization lists every manifest but
// the Job (created per run: generateName) and that the Pod Identity overlay's
// patch removes annotations the base has.
func TestKustomization(t *testing.T) {
	objs := loadK8s(t)
	base := loadKustomization(t, filepath.Join(k8sDir, "kustomization.yaml"))
	if base.Namespace != objs.namespaces[0].Name {
		t.Errorf("kustomization.yaml: namespace %q, want %q", base.Namespace, objs.namespaces[0].Name)
	}
	jobFile := objs.files["Job/"+objs.jobs[0].GenerateName][0]
	for _, files := range objs.files {
		rel, _ := filepath.Rel(k8sDir, files[0])
		listed := slices.Contains(base.Resources, rel)
		if files[0] == jobFile && listed {
			t.Errorf("kustomization.yaml lists %s: a Job with generateName cannot be applied, only created", rel)
		}
		if files[0] != jobFile && !listed {
			t.Errorf("kustomization.yaml does not list %s", rel)
		}
	}

	overlay := loadKustomization(t, filepath.Join(k8sDir, "pod-identity", "kustomization.yaml"))
	if !slices.Equal(overlay.Resources, []string{".."}) {
		t.Errorf("pod-identity/kustomization.yaml: resources %v, want [..]", overlay.Resources)
	}
	sa := objs.serviceAccounts[0]
	removed := map[string]bool{}
	for _, p := range overlay.Patches {
		if p.Target.Kind != "ServiceAccount" || p.Target.Name != sa.Name {
			t.Errorf("pod-identity: patch targets %s/%s, want ServiceAccount/%s", p.Target.Kind, p.Target.Name, sa.Name)
		}
		js, err := yaml.YAMLToJSONStrict([]byte(p.Patch))
		if err != nil {
			t.Fatalf("pod-identity: patch: %v", err)
		}
		var ops []struct{ Op, Path string }
		if err := decodeStrict(js, &ops); err != nil {
			t.Fatalf("pod-identity: patch: %v", err)
		}
		for _, op := range ops {
			key, ok := strings.CutPrefix(op.Path, "/metadata/annotations/")
			key = strings.NewReplacer("~1", "/", "~0", "~").Replace(key)
			if op.Op != "remove" || !ok {
				t.Errorf("pod-identity: patch op %+v: want remove /metadata/annotations/...", op)
				continue
			}
			if _, ok := sa.Annotations[key]; !ok {
				t.Errorf("pod-identity: patch removes annotation %s, which the ServiceAccount does not have (kustomize would fail)", key)
			}
			removed[key] = true
		}
	}
	if !removed["eks.amazonaws.com/role-arn"] {
		t.Error("pod-identity: the overlay must remove the IRSA role annotation")
	}
}
