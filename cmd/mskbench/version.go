package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// buildCommit is set at build time with -ldflags "-X main.buildCommit=..."; without it
// the VCS revision stamped by the go command is used, when there is one.
var buildCommit = ""

// buildInfo returns the tool version and the VCS commit, when known.
func buildInfo() (ver, commit string) {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, commitOverride(), bi)
}

// versionOf picks the version and commit of a build: the values set with
// -ldflags (the Makefile sets `git describe`) come first; otherwise the
// module version the go command stamped (a tag, or a pseudo-version such
// as v0.0.0-20260102030405-abcdef123456+dirty), else "devel-" and the
// first 12 digits of vcs.revision (with "-dirty" when vcs.modified), and
// "dev" only when the binary carries no build information at all (go test
// binaries). commit is the -ldflags commit, else vcs.revision, else
// "unknown".
func versionOf(ldVersion, ldCommit string, bi *debug.BuildInfo) (ver, commit string) {
	ver, commit = ldVersion, ldCommit
	if bi == nil {
		return ver, commit
	}
	var rev string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit == "unknown" && rev != "" {
		commit = rev
	}
	if ver != "dev" {
		return ver, commit
	}
	switch {
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		ver = bi.Main.Version
	case rev != "":
		ver = "devel-" + rev[:min(12, len(rev))]
		if modified {
			ver += "-dirty"
		}
	}
	return ver, commit
}

func versionFlagSet(stdout io.Writer) *pflag.FlagSet {
	return newFlagSet("version", stdout, "", "Prints the version of mskbench, its commit and the Go version it was built with.")
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := versionFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	v, c := buildInfo()
	fmt.Fprintf(stdout, "mskbench %s (commit %s, %s)\n", v, c, runtime.Version())
	return nil
}

func commitOverride() string {
	if buildCommit != "" {
		return buildCommit
	}
	return "unknown"
}
