package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Input that is not a scenario is refused at once, before (or instead of)
// reading it: a device, a FIFO (reading it would block), a directory, a
// file larger than MaxSourceBytes (its size is taken from stat; a sparse
// file costs nothing), binary content; standard input is read with the
// same cap.
func TestLoadRefusesNonScenarios(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSourceBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bin := filepath.Join(dir, "bin.yaml")
	if err := os.WriteFile(bin, []byte("name: x\nproducers:\x00\x01\x02"), 0o600); err != nil {
		t.Fatal(err)
	}
	latin1 := filepath.Join(dir, "latin1.yaml")
	if err := os.WriteFile(latin1, []byte("name: caf\xe9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/dev/zero", "is not a regular file (a character device)"},
		{fifo, "is not a regular file (a FIFO)"},
		{dir, "is a directory"},
		{big, fmt.Sprintf("is %d bytes; a scenario file is at most %d bytes", MaxSourceBytes+1, MaxSourceBytes)},
		{bin, "bin.yaml:2:11: not a text file (byte 0x00 at offset 18)"},
		{latin1, "latin1.yaml:1:10: not a text file (byte 0xe9"},
	} {
		_, err := Load(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
	// A directory named like a built-in (a nightly job's "nightly/" of
	// results) does not hide the built-in.
	t.Chdir(dir)
	if err := os.Mkdir("nightly", 0o755); err != nil {
		t.Fatal(err)
	}
	if s, err := Load("nightly"); err != nil || s.File != "builtin/nightly.yaml" {
		t.Errorf("Load(nightly) with a directory nightly/ = %v, %v; want the built-in", s, err)
	}
	// Standard input, capped.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = saved }()
	go func() {
		w.Write([]byte("name: from-stdin\n"))
		w.Close()
	}()
	s, err := Load("-")
	if err != nil || s.Name != "from-stdin" || s.File != "stdin" {
		t.Errorf("Load(-) = %+v, %v; want the scenario from standard input", s, err)
	}
}

// A scenario of many unknown keys lists the first maxProblems and says how
// many more there were, instead of a message per key (50 MB of them took
// 58 s and 3 GB; MaxSourceBytes refuses that size at once).
func TestProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: x\n")
	const n = 20000
	for i := range n {
		fmt.Fprintf(&b, "unknown_key_%d: 1\n", i)
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v, want Errors", err)
	}
	if len(*errs) != maxProblems+1 {
		t.Errorf("%d problems listed, want %d and a count", len(*errs), maxProblems)
	}
	last := (*errs)[len(*errs)-1].String()
	if want := fmt.Sprintf("many.yaml: ... and %d more problems (only the first %d are listed)", n-maxProblems, maxProblems); last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	if first := (*errs)[0]; first.Line != 2 || first.Field != "unknown_key_0" {
		t.Errorf("first problem %v, want unknown_key_0 on line 2", first)
	}
}

// YAML syntax errors point at the line and column of the problem (yaml.v3
// named the line before, and no column).
func TestSyntaxErrorPosition(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"name: x\nproducers:\n  rate: [1000/s\n  workers: 2\n", "s.yaml:4:3: invalid YAML:"},
		{"name: x\nproducers: {rate: 1000/s\n", "s.yaml:2:12: invalid YAML:"},
		{"name: broken\ntopics:\n  partitions: 6\n producers: 2\n", "s.yaml:4:2: invalid YAML:"},
		{"name: x\nproducers:\n  rate: \"1000/s\n", "s.yaml:3:9: invalid YAML:"},
	} {
		_, err := Parse("s.yaml", []byte(tt.src))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want it to start with %q", tt.src, err, tt.want)
		}
	}
}
