package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// Every command prints its help on stdout with exit 0 (--help, -h and
// `mskbench help COMMAND` alike), nothing on stderr, and its usage line
// names every one of its flags.
func TestHelpForEveryCommand(t *testing.T) {
	for name, cmd := range commands() {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != exitOK || stderr.Len() != 0 {
				t.Errorf("mskbench %s: exit %d, stderr %q; want 0 and nothing", strings.Join(args, " "), code, stderr.String())
			}
			usage, _, _ := strings.Cut(stdout.String(), "\n\n")
			if !strings.HasPrefix(usage, "Usage: mskbench "+name) {
				t.Errorf("mskbench %s: stdout starts %q, want the usage line", strings.Join(args, " "), usage)
			}
			cmd.flags(io.Discard).VisitAll(func(f *pflag.Flag) {
				if !strings.Contains(usage, "--"+f.Name+"]") && !strings.Contains(usage, "--"+f.Name+" ") {
					t.Errorf("usage line of %s lacks --%s:\n%s", name, f.Name, usage)
				}
			})
		}
	}
}

// The bash completion script parses (bash -n) and, sourced in bash,
// completes a command name, a flag of a command and a built-in scenario.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	var script bytes.Buffer
	if err := run(context.Background(), []string{"completion", "bash"}, &script, os.Stderr); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "mskbench.bash")
	if err := os.WriteFile(file, script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", file).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		words string // COMP_WORDS, the last one being completed
		want  string // a word COMPREPLY must hold
	}{
		{"mskbench vali", "validate"},
		{"mskbench com", "compare"},
		{"mskbench run --bro", "--brokers"},
		{"mskbench report --fo", "--format"},
		{"mskbench run quick", "quickstart"},
		{"mskbench run night", "nightly"},
		{"mskbench completion z", "zsh"},
		{"mskbench help si", "size"},
	} {
		words := strings.Fields(tt.words)
		prog := "source " + file + "; COMP_WORDS=(" + strings.Join(words, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _mskbench; printf '%s\\n' \"${COMPREPLY[@]}\""
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.words, err, out)
		}
		if !strings.Contains("\n"+string(out), "\n"+tt.want+"\n") {
			t.Errorf("completing %q gave %q, want %q among them", tt.words, out, tt.want)
		}
	}
}

// The zsh and fish scripts parse (zsh -n, fish --no-execute) where those
// shells are installed, and name every command.
func TestZshFishCompletion(t *testing.T) {
	for _, sh := range []struct{ name, check string }{{"zsh", "-n"}, {"fish", "--no-execute"}} {
		var script bytes.Buffer
		if err := run(context.Background(), []string{"completion", sh.name}, &script, os.Stderr); err != nil {
			t.Fatal(err)
		}
		for _, name := range commandNames() {
			if !strings.Contains(script.String(), name) {
				t.Errorf("%s script lacks command %s", sh.name, name)
			}
		}
		path, err := exec.LookPath(sh.name)
		if err != nil {
			t.Logf("%s not installed: syntax not checked", sh.name)
			continue
		}
		file := filepath.Join(t.TempDir(), "mskbench."+sh.name)
		if err := os.WriteFile(file, script.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, sh.check, file).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", sh.name, sh.check, err, out)
		}
	}
}
