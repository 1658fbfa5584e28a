package deploy

import (
	"debug/elf"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// instruction is one Dockerfile instruction as BuildKit's parser reads it.
type instruction struct {
	cmd   string   // lower case: "from", "run", "copy", ...
	flags []string // e.g. "--from=build"
	args  []string // the words after the instruction (one for shell-form RUN)
	json  bool     // exec (JSON array) form
	line  int
}

// stage is a FROM and the instructions up to the next one.
type stage struct {
	image, name string
	from        instruction
	body        []instruction
}

// parseDockerfile parses the repository's Dockerfile with BuildKit's parser
// and splits it into stages, with the global ARG defaults expanded in FROM.
func parseDockerfile(t *testing.T) []stage {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile: parser warning: %s", w.Short)
	}
	globals := map[string]string{}
	var stages []stage
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags, json: n.Attributes["json"], line: n.StartLine}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		switch {
		case in.cmd == "arg" && len(stages) == 0:
			for _, a := range in.args {
				k, v, _ := strings.Cut(a, "=")
				globals[k] = v
			}
		case in.cmd == "from":
			s := stage{from: in, image: os.Expand(in.args[0], func(k string) string { return globals[k] })}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "as") {
				s.name = in.args[2]
			}
			stages = append(stages, s)
		case len(stages) == 0:
			t.Fatalf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
		default:
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
		}
	}
	return stages
}

// flagValue returns the value of --name=value among flags, or "".
func flagValue(flags []string, name string) string {
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// TestDockerfile checks what the image promises: a static build of
// ./cmd/mskbench with a Go at least as new as go.mod asks for, copied onto a
// minimal base that has CA certificates, run as a numeric non-root user with
// the binary as the entrypoint.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile: want a build stage and a final stage, got %d stage(s)", len(stages))
	}
	final := stages[len(stages)-1]
	byName := map[string]stage{}
	for _, s := range stages[:len(stages)-1] {
		byName[s.name] = s
	}

	// The final stage copies the binary from a build stage ...
	var binSrc, binDst, buildName string
	for _, in := range final.body {
		if in.cmd == "copy" && flagValue(in.flags, "from") != "" && len(in.args) == 2 && strings.HasSuffix(in.args[0], "/mskbench") {
			buildName, binSrc, binDst = flagValue(in.flags, "from"), in.args[0], in.args[1]
		}
		if in.cmd == "run" {
			t.Errorf("Dockerfile:%d: RUN in the final stage: the minimal base has no shell", in.line)
		}
	}
	build, ok := byName[buildName]
	if !ok {
		t.Fatalf("Dockerfile: the final stage copies no mskbench binary from a named build stage (COPY --from=NAME .../mskbench DEST)")
	}

	// ... built there statically, trimmed, from the right package, into that path.
	var buildCmd string
	for _, in := range build.body {
		if in.cmd == "run" && strings.Contains(strings.Join(in.args, " "), "go build") {
			buildCmd = strings.Join(in.args, " ")
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "go build", "-trimpath", "-o " + binSrc + " ", mskbenchPackage} {
		if !strings.Contains(buildCmd+" ", want) {
			t.Errorf("Dockerfile: the build stage's go build command lacks %q: %q", want, buildCmd)
		}
	}
	if strings.Contains(buildCmd, "CGO_ENABLED=1") {
		t.Errorf("Dockerfile: the build enables cgo: %q", buildCmd)
	}
	if !strings.HasSuffix(strings.TrimSpace(buildCmd), mskbenchPackage) {
		t.Errorf("Dockerfile: the go build command should end with the package %s: %q", mskbenchPackage, buildCmd)
	}

	// The Go of the build stage is at least the go directive of go.mod.
	goImage := regexp.MustCompile(`^golang:(\d+)\.(\d+)(?:\.(\d+))?`).FindStringSubmatch(build.image)
	if goImage == nil {
		t.Fatalf("Dockerfile: build stage image %q is not a versioned golang image", build.image)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goDirective := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)(?:\.(\d+))?$`).FindSubmatch(gomod)
	if goDirective == nil {
		t.Fatal("go.mod: no go directive")
	}
	version := func(parts []string) [3]int {
		var v [3]int
		for i, p := range parts {
			v[i], _ = strconv.Atoi(p)
		}
		return v
	}
	have := version(goImage[1:])
	want := version([]string{string(goDirective[1]), string(goDirective[2]), string(goDirective[3])})
	if have[0] < want[0] || have[0] == want[0] && (have[1] < want[1] || have[1] == want[1] && have[2] < want[2]) {
		t.Errorf("Dockerfile: build stage Go %s is older than go.mod's go %s.%s.%s", build.image, goDirective[1], goDirective[2], goDirective[3])
	}

	// A minimal base with CA certificates: distroless/static has them;
	// scratch needs them copied in.
	switch {
	case strings.HasPrefix(final.image, "gcr.io/distroless/static"):
	case final.image == "scratch":
		copied := false
		for _, in := range final.body {
			if in.cmd == "copy" && len(in.args) == 2 && strings.HasSuffix(in.args[0], "ca-certificates.crt") {
				copied = true
			}
		}
		if !copied {
			t.Errorf("Dockerfile: a scratch image without CA certificates cannot reach MSK over TLS: COPY --from=%s /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/", buildName)
		}
	default:
		t.Errorf("Dockerfile: final base %q: want gcr.io/distroless/static (CA certificates included) or scratch", final.image)
	}

	// The last USER of the final stage is numeric and not root, so that
	// Kubernetes can check runAsNonRoot against the image.
	user := ""
	for _, in := range final.body {
		if in.cmd == "user" {
			user = in.args[0]
		}
	}
	uid, gid, _ := strings.Cut(user, ":")
	for what, id := range map[string]string{"user": uid, "group": gid} {
		if id == "" && what == "group" {
			continue
		}
		n, err := strconv.Atoi(id)
		if err != nil || n == 0 {
			t.Errorf("Dockerfile: final USER %q: want a numeric non-root %s (e.g. 65532:65532)", user, what)
		}
	}

	// The entrypoint is the binary itself, in exec form (signals reach it).
	var entry *instruction
	for i, in := range final.body {
		if in.cmd == "entrypoint" {
			entry = &final.body[i]
		}
	}
	if entry == nil || !entry.json || len(entry.args) != 1 || entry.args[0] != binDst {
		t.Errorf("Dockerfile: want ENTRYPOINT [%q] in exec form, got %+v", binDst, entry)
	}
}

// TestDockerignore checks that the build context keeps what the build needs.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		p := strings.TrimSpace(line)
		switch p {
		case "*", "*.go", "**/*.go", "go.mod", "go.sum", "cmd", "internal", "load", "auth", "report", "scenarios", "sizing":
			t.Errorf(".dockerignore: %q leaves the build without sources it needs", p)
		}
	}
	if !strings.Contains(string(b), ".git\n") {
		t.Error(".dockerignore: .git belongs outside the build context")
	}
}

// TestStaticBinary builds ./cmd/mskbench as the Dockerfile does and checks
// that the result is static: no program interpreter (dynamic loader) and no
// shared libraries, so it runs on distroless/static or scratch.
func TestStaticBinary(t *testing.T) {
	f, err := elf.Open(binary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary has a PT_INTERP program header: it needs a dynamic loader (cgo on?)")
		}
		if p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a PT_DYNAMIC program header: it is dynamically linked")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("the binary needs shared libraries: %v", libs)
	}
}
