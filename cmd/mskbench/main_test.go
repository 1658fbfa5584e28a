package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite the cmp files of testscript scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mskbench": func() { os.Exit(mainForTest()) },
	})
}

// mainForTest is main for the testscript binary: the same signal handling, the
// exit code returned instead of exiting.
func mainForTest() int {
	ctx, stop := signalContext(os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	return exitCode(err, os.Stderr)
}

// TestScripts runs the CLI scripts in testdata/script: every subcommand, its
// output and its exit codes, against real in-process clusters.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "script"),
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			docs, err := filepath.Abs(filepath.Join("..", "..", "docs"))
			env.Setenv("DOCS", docs)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"docscript": cmdDocscript,
			"freeport":  cmdFreeport,
			"waitport":  cmdWaitport,
			"waitfor":   cmdWaitfor,
			"signal":    cmdSignal,
			"exitcode":  cmdExitcode,
			"kafka":     cmdKafka,
		},
	})
}

// freeport VAR [N] sets VAR to a free loopback TCP port P such that the N
// ports P..P+N-1 (default 1) were all free: `mskbench broker --brokers N`
// listens on consecutive ports. The ports are taken below the kernel's
// ephemeral range (ip_local_port_range), at random: a port is free from
// the check until the broker binds it, and inside that range any client
// connection of a test running alongside could take it meanwhile (seen in
// CI: the broker's second port was in use).
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: freeport VAR [N]")
	}
	n := 1
	if len(args) == 2 {
		var err error
		if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
			ts.Fatalf("freeport: N %q, want a count >= 1", args[1])
		}
	}
	lo, hi := 10000, ephemeralLow()-n // ports [lo, hi) start a run of n
	if hi-lo < 1000 {
		ts.Fatalf("freeport: the ephemeral range starts at %d: no room below it", hi+n)
	}
	for range 100 {
		port := lo + rand.IntN(hi-lo)
		var held []net.Listener
		for i := range n {
			li, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+i))
			if err != nil {
				break
			}
			held = append(held, li)
		}
		for _, h := range held {
			ts.Check(h.Close())
		}
		if len(held) == n {
			ts.Setenv(args[0], strconv.Itoa(port))
			return
		}
	}
	ts.Fatalf("freeport: no %d consecutive free ports found", n)
}

// ephemeralLow is the first port of the kernel's ephemeral range (32768,
// Linux's default, when it cannot be read).
func ephemeralLow() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				return v
			}
		}
	}
	return 32768
}

// waitport HOST:PORT waits (at most 20 s) until something accepts connections there.
func cmdWaitport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitport HOST:PORT")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens on %s: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitfor FILE REGEXP waits (at most 2 min) until FILE holds a line
// matching REGEXP: a background command's progress, e.g. the log line that
// says a run is measuring, so that a script acts on an event, not a sleep.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfor FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(ts.MkAbs(args[0]))
			ts.Fatalf("%s has no line matching %q after 2 min:\n%s", args[0], args[1], b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signal FILE SIG [COUNT [GAP]] sends SIG (INT, TERM, STOP or CONT) to the process
// whose id FILE holds (a process a background shell started and recorded),
// COUNT times (default 1) GAP apart (a Go duration, default 0: back to back).
// The gap is the stimulus, not a wait for something to happen: a test of
// the 500 ms window of two interrupts sends them 0 s apart (within it,
// however loaded the machine) or 700 ms apart (after it: a sleep is never
// shorter). A process that ended before a repeated signal is not an error.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 4 {
		ts.Fatalf("usage: signal FILE INT|TERM|STOP|CONT [COUNT [GAP]]")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	ts.Check(err)
	sig := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT}[args[1]]
	if sig == 0 {
		ts.Fatalf("signal: unknown signal %q", args[1])
	}
	count, gap := 1, time.Duration(0)
	if len(args) > 2 {
		count, err = strconv.Atoi(args[2])
		ts.Check(err)
	}
	if len(args) > 3 {
		gap, err = time.ParseDuration(args[3])
		ts.Check(err)
	}
	for i := range count {
		if i > 0 && gap > 0 {
			time.Sleep(gap)
		}
		if err := syscall.Kill(pid, sig); err != nil {
			if i > 0 && errors.Is(err, syscall.ESRCH) {
				ts.Logf("signal %d of %d: the process had ended", i+1, count)
				return
			}
			ts.Fatalf("signal: %v", err)
		}
	}
}

// docscript MARKDOWN HEADING OUT writes the first ```sh block after the
// heading HEADING of the Markdown file to OUT, so that a script runs a
// documented example exactly as written.
func cmdDocscript(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: docscript MARKDOWN HEADING OUT")
	}
	b, err := os.ReadFile(args[0])
	ts.Check(err)
	_, after, ok := strings.Cut(string(b), "\n## "+args[1]+"\n")
	if !ok {
		ts.Fatalf("%s has no heading %q", args[0], args[1])
	}
	_, block, ok := strings.Cut(after, "```sh\n")
	if !ok {
		ts.Fatalf("no sh block after %q in %s", args[1], args[0])
	}
	script, _, _ := strings.Cut(block, "```")
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(script), 0o755))
}

// exitcode N COMMAND ARGS... runs a command and asserts its exit code is N
// (or one of N,M,...); stdout and stderr are then checked as after exec.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N COMMAND [ARGS...]")
	}
	var want []int
	for _, w := range strings.Split(args[0], ",") {
		n, err := strconv.Atoi(w)
		ts.Check(err)
		want = append(want, n)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if !slices.Contains(want, got) {
		ts.Fatalf("%s exited with code %d, want %s", args[1], got, args[0])
	}
}

// kafka BROKER create-topic NAME... | commit-group GROUP TOPIC | topics |
// groups: administrative requests (franz-go's kadm) against a cluster a
// script started — creating what an interrupted run or another
// application leaves, and listing what is there (one name a line on
// stdout, sorted).
func cmdKafka(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: kafka BROKER create-topic NAME... | commit-group GROUP TOPIC | topics | groups")
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(args[0]))
	ts.Check(err)
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []string
	switch args[1] {
	case "create-topic":
		res, err := adm.CreateTopics(ctx, 1, 1, nil, args[2:]...)
		ts.Check(err)
		ts.Check(res.Error())
	case "commit-group":
		if len(args) != 4 {
			ts.Fatalf("usage: kafka BROKER commit-group GROUP TOPIC")
		}
		var o kadm.Offsets
		o.Add(kadm.Offset{Topic: args[3], Partition: 0, At: 0, LeaderEpoch: -1})
		res, err := adm.CommitOffsets(ctx, args[2], o)
		ts.Check(err)
		ts.Check(res.Error())
	case "topics":
		td, err := adm.ListTopics(ctx)
		ts.Check(err)
		out = td.Names()
	case "groups":
		gs, err := adm.ListGroups(ctx)
		ts.Check(err)
		out = gs.Groups()
	default:
		ts.Fatalf("kafka: unknown request %q", args[1])
	}
	slices.Sort(out)
	for _, n := range out {
		fmt.Fprintln(ts.Stdout(), n)
	}
}
